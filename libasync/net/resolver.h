/*
 * The resolver inside the library: c-ares driven by the loop, the cache,
 * static overrides. The connector and the HTTP client look names up with
 * async__resolver_lookup (callback form, no future).
 */
#ifndef ASYNC_NET_RESOLVER_H
#define ASYNC_NET_RESOLVER_H

#include <libasync/net.h>

#include "net/addrinfo.h"

/* The loop's default resolver (made on first use), borrowed; NULL when
 * it could not be made. Any thread. */
async_resolver_t *async__resolver_default(async_loop_t *loop);

/*
 * Parses a name server list ("127.0.0.1:5353,[::1]:53") into the form
 * c-ares takes. Returns a new string, or NULL when the list is malformed.
 */
char *async__resolver_parse_servers(const char *servers);

#endif /* ASYNC_NET_RESOLVER_H */
