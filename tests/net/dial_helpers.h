/*
 * Dialing in tests: run async__dial to completion, and speak a little
 * HTTP/1.1 over the stream it gives (enough to see what the server
 * answered).
 */
#ifndef LIBASYNC_TESTS_DIAL_HELPERS_H
#define LIBASYNC_TESTS_DIAL_HELPERS_H

#include "net/dial.h"
#include "net_helpers.h"

typedef struct dialed {
  int done;
  int err;
  char message[512];
  async__stream_t *stream;
  async__dial_times_t times;
  double took;
} dialed_t;

static void on_dialed(async__stream_t *stream, int err, const char *message,
                      const async__dial_times_t *times, void *userdata)
{
  dialed_t *d = userdata;

  d->done = 1;
  d->err = err;
  d->stream = stream;
  d->times = *times;
  snprintf(d->message, sizeof(d->message), "%s", message ? message : "");
}

static inline dialed_t dial(async_loop_t *loop, async_resolver_t *resolver,
                            const char *host, int port, async__tls_t *tls,
                            double timeout)
{
  async__dial_options_t options = {resolver, tls, timeout, 0};
  dialed_t d;
  double start = net_now();

  memset(&d, 0, sizeof(d));
  cr_assert_not_null(
      async__dial_start(loop, host, port, &options, on_dialed, &d));
  cr_assert_eq(d.done, 0, "never called back from inside the start");
  net_run_until_flag(loop, &d.done, 20);
  d.took = net_now() - start;
  return d;
}

/* A TLS context trusting `ca` (NULL: the system's), verifying or not. */
static inline async__tls_t *tls_context(const char *ca, int verify,
                                        const char *cert, const char *key)
{
  async__tls_config_t config = {verify, ca, NULL, cert, key};
  async__tls_t *tls = NULL;
  char *error = NULL;
  int rv = async__tls_new(&tls, &config, &error);

  cr_assert_eq(rv, 0, "async__tls_new: %s", error ? error : "?");
  return tls;
}

/* What a GET returned, read until the server closed. */
typedef struct exchange {
  char response[8192];
  size_t len;
  int ended;
  int end_err;
} exchange_t;

static void on_data(async__stream_t *s, const char *data, size_t len,
                    void *userdata)
{
  exchange_t *x = userdata;
  size_t room = sizeof(x->response) - 1 - x->len;

  (void)s;
  if (len > room)
    len = room;
  memcpy(x->response + x->len, data, len);
  x->len += len;
  x->response[x->len] = '\0';
}

static void on_end(async__stream_t *s, int err, const char *message,
                   void *userdata)
{
  exchange_t *x = userdata;

  (void)s;
  (void)message;
  x->ended = 1;
  x->end_err = err;
}

static const async__stream_handler_t exchange_handler = {on_data, on_end,
                                                         NULL};

/* Sends GET `path` with Connection: close and reads the whole reply. The
 * stream is closed afterwards. */
static inline void http_get(async_loop_t *loop, async__stream_t *s,
                            const char *path, exchange_t *x)
{
  char request[256];
  int n = snprintf(request, sizeof(request),
                   "GET %s HTTP/1.1\r\nHost: localhost\r\n"
                   "Connection: close\r\n\r\n",
                   path);

  memset(x, 0, sizeof(*x));
  async__stream_set_handler(s, &exchange_handler, x);
  cr_assert_eq(async__stream_write(s, request, (size_t)n), 0);
  async__stream_read_start(s);
  net_run_until_flag(loop, &x->ended, 20);
  async__stream_close(s);
}

#endif /* LIBASYNC_TESTS_DIAL_HELPERS_H */
