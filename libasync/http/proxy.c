#include "http/proxy.h"

#include <libasync/error.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "http/parser.h"
#include "http/session.h"

int async__no_proxy_match(const char *list, const char *host) {
  size_t host_len = strlen(host);
  const char *p = list;

  while (p != NULL && *p != '\0') {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len > 0 && (*p == ' ' || *p == '\t')) {
      p++;
      len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
      len--;
    if (len > 0 && p[0] == '.') {
      p++;
      len--;
    }
    if (len == 1 && p[0] == '*')
      return 1;
    if (len > 0 && host_len >= len &&
        strncasecmp(host + host_len - len, p, len) == 0 &&
        (host_len == len || host[host_len - len - 1] == '.'))
      return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

const char *async__session_proxy_for(async_session_t *s,
                                     const async__url_t *url) {
  if (!s->env_read &&
      async__opt_int(NULL, &s->options, ASYNC_SESSION_PROXY_FROM_ENV) &&
      s->proxy == NULL) {
    /* curl's reading: lowercase http_proxy (the uppercase one can be set
     * by a CGI request), either case for the others. */
    const char *https = getenv("https_proxy") ? getenv("https_proxy")
                                              : getenv("HTTPS_PROXY");
    const char *http = getenv("http_proxy");
    const char *no = getenv("no_proxy") ? getenv("no_proxy")
                                        : getenv("NO_PROXY");
    s->env_read = 1;
    s->env_http_proxy = http && *http ? async__strdup(http) : NULL;
    s->env_https_proxy = https && *https ? async__strdup(https) : NULL;
    if (s->no_proxy == NULL && no != NULL)
      s->no_proxy = async__strdup(no);
  }
  if (s->no_proxy != NULL && async__no_proxy_match(s->no_proxy, url->host))
    return NULL;
  if (s->proxy != NULL)
    return s->proxy;
  return url->https ? s->env_https_proxy : s->env_http_proxy;
}

/* ---- CONNECT ---------------------------------------------------------- */

typedef struct tunnel {
  async__stream_t *stream;
  async__parser_t parser;
  async_response_t *response;
  async__tls_t *tls;
  char *host;
  int port;
  int done;
  async__stream_ready_cb ready;
  void *userdata;
} tunnel_t;

static void tunnel_free(tunnel_t *t) {
  async__parser_free(&t->parser);
  async_response_release(t->response);
  async__free(t->host);
  async__free(t);
}

static void tunnel_fail(tunnel_t *t, int err, const char *message) {
  async__stream_ready_cb ready = t->ready;
  void *userdata = t->userdata;
  async__stream_t *stream = t->stream;

  t->done = 1;
  tunnel_free(t);
  ready(stream, err, message, userdata);
  async__stream_close(stream);
}

static int tunnel_head(async__parser_t *p, void *userdata) {
  (void)p;
  (void)userdata;
  return 0;
}

static int tunnel_body(async__parser_t *p, const char *data, size_t len,
                       void *userdata) {
  (void)p;
  (void)data;
  (void)len;
  (void)userdata;
  return 0;
}

static const async__parser_handler_t tunnel_parser = {tunnel_head,
                                                      tunnel_body};

static void tunnel_data(async__stream_t *s, const char *data, size_t len,
                        void *userdata) {
  tunnel_t *t = userdata;
  size_t used;
  int rv;
  char *message;

  rv = async__parser_feed(&t->parser, data, len, &used);
  if (rv == 0)
    return;
  if (rv < 0) {
    message = async__format("proxy answered CONNECT with %s",
                            t->parser.message ? t->parser.message
                                              : "an invalid response");
    tunnel_fail(t, ASYNC_ECONNECT, message ? message : "proxy failed");
    async__free(message);
    return;
  }
  if (t->response->status / 100 != 2 || used != len) {
    message = async__format("proxy refused CONNECT to %s:%d: %d %s", t->host,
                            t->port, t->response->status,
                            async_response_reason(t->response));
    tunnel_fail(t, ASYNC_ECONNECT, message ? message : "proxy refused");
    async__free(message);
    return;
  }
  /* The tunnel is up: TLS with the origin, through it. */
  async__stream_read_stop(s);
  async__stream_set_handler(s, NULL, NULL);
  if (async__stream_start_tls(s, t->tls, t->host, t->port, t->ready,
                              t->userdata) < 0) {
    tunnel_fail(t, ASYNC_ENOMEM, "out of memory");
    return;
  }
  tunnel_free(t);
}

static void tunnel_end(async__stream_t *s, int err, const char *message,
                       void *userdata) {
  tunnel_t *t = userdata;

  (void)s;
  (void)err;
  (void)message;
  tunnel_fail(t, ASYNC_ECONNECT, "proxy closed the connection during CONNECT");
}

static const async__stream_handler_t tunnel_handler = {tunnel_data,
                                                       tunnel_end, NULL};

int async__proxy_tunnel(async__stream_t *stream, const async__url_t *url,
                        async__tls_t *tls, async__stream_ready_cb ready,
                        void *userdata) {
  tunnel_t *t = async__calloc(1, sizeof(*t));
  char *request;

  if (t == NULL)
    return ASYNC_ENOMEM;
  t->stream = stream;
  t->tls = tls;
  t->port = url->port;
  t->ready = ready;
  t->userdata = userdata;
  t->host = async__strdup(url->host);
  t->response = async__response_new();
  request = strchr(url->host, ':') != NULL
                ? async__format("CONNECT [%s]:%d HTTP/1.1\r\n"
                                "Host: [%s]:%d\r\n\r\n",
                                url->host, url->port, url->host, url->port)
                : async__format("CONNECT %s:%d HTTP/1.1\r\n"
                                "Host: %s:%d\r\n\r\n",
                                url->host, url->port, url->host, url->port);
  if (t->host == NULL || t->response == NULL || request == NULL) {
    async__free(request);
    tunnel_free(t);
    return ASYNC_ENOMEM;
  }
  /* A CONNECT's answer has no body, whatever it says. */
  async__parser_init(&t->parser, t->response, 1, 65536, 128, &tunnel_parser,
                     t);
  async__stream_set_handler(stream, &tunnel_handler, t);
  async__stream_write(stream, request, strlen(request));
  async__free(request);
  async__stream_read_start(stream);
  return 0;
}
