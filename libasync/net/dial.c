#include "net/dial.h"

#include <libasync/error.h>
#include <libasync/future.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/combine.h"
#include "core/timer.h"
#include "net/connect.h"

enum phase { DNS, CONNECT, TLS, DONE };

static const char *const phase_names[] = {"DNS lookup", "TCP connect",
                                          "TLS handshake"};

struct async__dial {
  async_loop_t *loop;
  char *host;
  int port;
  async__dial_options_t options;
  int phase;
  int cancelled;
  double start;
  async__dial_times_t times;
  async_future_t *lookup;   /* during DNS */
  async__connect_t *connect; /* during CONNECT */
  async__stream_t *stream;   /* during TLS */
  async__timer_t *deadline;
  async__dial_cb cb;
  void *userdata;
};

static void free_dial(async__dial_t *d) {
  async_future_release(d->lookup);
  async__connect_cancel(d->connect);
  async__stream_close(d->stream);
  async__timer_free(d->deadline);
  async__free(d->host);
  async__free(d);
}

static void finish(async__dial_t *d, async__stream_t *s, int err,
                   const char *message) {
  d->phase = DONE;
  d->cb(s, err, message, &d->times, d->userdata);
  free_dial(d);
}

static void on_tls_ready(async__stream_t *s, int err, const char *message,
                         void *userdata) {
  async__dial_t *d = userdata;

  d->times.tls = async__clock_now() - d->start;
  if (err < 0) {
    d->stream = NULL; /* the stream frees itself after this call */
    finish(d, NULL, err, message);
    return;
  }
  d->stream = NULL;
  finish(d, s, 0, NULL);
}

static void on_connected(int err, const char *message, int fd,
                         void *userdata) {
  async__dial_t *d = userdata;
  async__stream_t *s;

  d->connect = NULL;
  d->times.connect = async__clock_now() - d->start;
  if (err < 0) {
    finish(d, NULL, err, message);
    return;
  }
  if ((s = async__stream_new(d->loop, fd)) == NULL) {
    finish(d, NULL, ASYNC_ENOMEM, "out of memory");
    return;
  }
  if (d->options.tls == NULL) {
    d->times.tls = d->times.connect;
    finish(d, s, 0, NULL);
    return;
  }
  d->phase = TLS;
  d->stream = s;
  if (async__stream_start_tls(s, d->options.tls, d->host, d->port,
                              on_tls_ready, d) < 0)
    finish(d, NULL, ASYNC_ENOMEM, "out of memory");
}

static void on_resolved(async_future_t *f, void *userdata) {
  async__dial_t *d = userdata;

  d->lookup = NULL;
  if (d->cancelled) {
    async_future_release(f);
    free_dial(d);
    return;
  }
  d->times.dns = async__clock_now() - d->start;
  if (async_future_state(f) != ASYNC_DONE) {
    finish(d, NULL, async_future_error(f), async_future_message(f));
    async_future_release(f);
    return;
  }
  d->phase = CONNECT;
  d->connect = async__connect_start(d->loop, async_future_value(f),
                                    ASYNC_FOREVER, on_connected, d);
  async_future_release(f);
  if (d->connect == NULL)
    finish(d, NULL, ASYNC_ENOMEM, "out of memory");
}

static void on_deadline(async__timer_t *timer, void *userdata) {
  async__dial_t *d = userdata;
  char *message;

  (void)timer;
  message = async__format("connection to %s port %d timed out after %g s "
                          "(%s)",
                          d->host, d->port, d->options.timeout,
                          phase_names[d->phase]);
  if (d->phase == DNS) {
    /* The lookup's callback comes later; it frees the dial. */
    d->cb(NULL, ASYNC_ETIMEDOUT, message ? message : "timed out", &d->times,
          d->userdata);
    async__free(message);
    async__dial_cancel(d);
    return;
  }
  finish(d, NULL, ASYNC_ETIMEDOUT, message ? message : "timed out");
  async__free(message);
}

async__dial_t *async__dial_start(async_loop_t *loop, const char *host,
                                 int port,
                                 const async__dial_options_t *options,
                                 async__dial_cb cb, void *userdata) {
  async__dial_t *d = async__calloc(1, sizeof(*d));

  if (d == NULL)
    return NULL;
  d->loop = loop;
  d->port = port;
  d->options = *options;
  d->cb = cb;
  d->userdata = userdata;
  d->start = async__clock_now();
  d->host = async__strdup(host);
  d->deadline = async__timer_new(loop, on_deadline, d);
  if (d->host == NULL || d->deadline == NULL ||
      async_resolver_resolve(options->resolver, host, port,
                             options->resolve_flags, &d->lookup) < 0 ||
      async_future_on_done(d->lookup, on_resolved, d) < 0) {
    if (d->lookup != NULL) {
      async_future_cancel(d->lookup);
      async_future_release(d->lookup);
      d->lookup = NULL;
    }
    free_dial(d);
    return NULL;
  }
  /* d->lookup's reference is dropped by on_resolved. */
  if (!async__timeout_forever(options->timeout))
    async__timer_start(d->deadline, options->timeout);
  return d;
}

const char *async__dial_phase(const async__dial_t *d) {
  return d->phase < DONE ? phase_names[d->phase] : "done";
}

void async__dial_cancel(async__dial_t *d) {
  if (d == NULL)
    return;
  if (d->phase == DNS && d->lookup != NULL) {
    /* on_resolved still runs, later: it frees the dial. */
    d->cancelled = 1;
    async__timer_free(d->deadline);
    d->deadline = NULL;
    async_future_cancel(d->lookup);
    return;
  }
  free_dial(d);
}
