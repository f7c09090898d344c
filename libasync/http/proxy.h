/*
 * Proxies: which requests go through one (the session's proxy, or
 * http_proxy / https_proxy less no_proxy when the session trusts the
 * environment), and the CONNECT tunnel that https takes through it.
 */
#ifndef ASYNC_HTTP_PROXY_H
#define ASYNC_HTTP_PROXY_H

#include "http/url.h"
#include "net/stream.h"

/* Whether host matches a no_proxy list (curl's rules: "*", names and
 * domain suffixes, comma-separated). */
int async__no_proxy_match(const char *list, const char *host);

/*
 * Asks the proxy at the other end of stream for a tunnel to url's host
 * and port, then starts TLS with the origin over it. ready runs once, as
 * async__stream_start_tls's callback does (ASYNC_ECONNECT when the proxy
 * refuses). Returns 0 or ASYNC_ENOMEM.
 */
int async__proxy_tunnel(async__stream_t *stream, const async__url_t *url,
                        async__tls_t *tls, async__stream_ready_cb ready,
                        void *userdata);

#endif /* ASYNC_HTTP_PROXY_H */
