/*
 * Fetch-many: the seed's "fetch many URLs at once and gather the
 * results" in one call, with a bound on how many run at once, in all and
 * per host.
 */
#include "http/session.h"

#include <libasync/error.h>

#include <string.h>

#include "core/alloc.h"

typedef struct fetch {
  async__op_t op;
  async_session_t *session;
  size_t n;
  size_t concurrency;
  size_t per_host;
  size_t running;
  size_t remaining;
  char **urls;
  char **hosts;           /* each URL's origin, for the per-host bound */
  async_future_t **sends; /* the requests started, else NULL */
  unsigned char *started;
  async_fetch_cb each;
  void *userdata;
  async_future_t *results[]; /* the value: one promise per URL */
} fetch_t;

static size_t running_for(fetch_t *f, const char *host) {
  size_t i, n = 0;

  for (i = 0; i < f->n; i++) {
    if (f->started[i] && f->sends[i] != NULL &&
        async__future_pending(f->sends[i]) && strcmp(f->hosts[i], host) == 0)
      n++;
  }
  return n;
}

static void start_more(fetch_t *f);

static void one_done(async_future_t *send, void *userdata) {
  fetch_t *f = userdata;
  size_t i;

  for (i = 0; i < f->n && f->sends[i] != send; i++)
    ;
  f->running--;
  f->remaining--;
  async__future_copy_result(f->results[i], send);
  if (f->each != NULL && async__future_pending(&f->op.base))
    f->each(i, f->results[i], f->userdata);
  if (f->remaining == 0)
    async__future_done(&f->op.base, f->results, NULL);
  else if (async__future_pending(&f->op.base))
    start_more(f);
  async_future_release(&f->op.base);
}

static void start_one(fetch_t *f, size_t i) {
  int rv = async_http_get(f->session, f->urls[i], &f->sends[i]);

  f->started[i] = 1;
  if (rv < 0) {
    /* A URL that cannot even be sent fails on its own. */
    f->sends[i] = NULL;
    f->remaining--;
    async__future_fail(f->results[i], rv,
                       async__format("%s: %s", f->urls[i], async_strerror(rv)));
    if (f->each != NULL)
      f->each(i, f->results[i], f->userdata);
    return;
  }
  f->running++;
  async_future_retain(&f->op.base);
  if (async__future_add_callback(f->sends[i], one_done, f) < 0) {
    async_future_release(&f->op.base);
    async__future_cancel_now(f->sends[i]);
  }
}

static void start_more(fetch_t *f) {
  size_t i;

  for (i = 0; i < f->n && f->running < f->concurrency; i++) {
    if (f->started[i])
      continue;
    if (f->per_host > 0 && running_for(f, f->hosts[i]) >= f->per_host)
      continue;
    start_one(f, i);
  }
  if (f->remaining == 0 && async__future_pending(&f->op.base))
    async__future_done(&f->op.base, f->results, NULL);
}

static void fetch_start(async_future_t *base) {
  async__future_park(base);
  start_more((fetch_t *)base);
}

static void fetch_cancel(async__op_t *op) {
  fetch_t *f = (fetch_t *)op;
  size_t i;

  for (i = 0; i < f->n; i++) {
    if (f->sends[i] != NULL)
      async__future_cancel_now(f->sends[i]);
    async__future_cancel_now(f->results[i]);
  }
}

static void fetch_destroy(async__op_t *op) {
  fetch_t *f = (fetch_t *)op;
  size_t i;

  for (i = 0; i < f->n; i++) {
    async__free(f->urls ? f->urls[i] : NULL);
    async__free(f->hosts ? f->hosts[i] : NULL);
    async_future_release(f->sends ? f->sends[i] : NULL);
    async_future_release(f->results[i]);
  }
  async__free(f->urls);
  async__free(f->hosts);
  async__free(f->sends);
  async__free(f->started);
  async_session_release(f->session);
}

static const async__op_class_t fetch_class = {fetch_cancel, fetch_destroy};

static void start_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  fetch_start(call->future);
}

/* The origin of a URL as text ("http://host:port"), for grouping. */
static char *origin_of(const char *url) {
  const char *p = strstr(url, "://");
  size_t len = p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : strlen(url);

  return async__format("%.*s", (int)len, url);
}

ASYNC_EXTERN int async_http_fetch_many(async_session_t *session,
                                       const char *const *urls, size_t n,
                                       size_t concurrency, size_t per_host,
                                       async_fetch_cb each, void *userdata,
                                       async_future_t **out) {
  async__call_t call = {0};
  fetch_t *f;
  size_t i;
  int rv = 0;

  if (session == NULL || out == NULL || (n > 0 && urls == NULL) ||
      n > (SIZE_MAX - sizeof(*f)) / sizeof(f->results[0]))
    return ASYNC_EINVAL;
  for (i = 0; i < n; i++) {
    if (urls[i] == NULL)
      return ASYNC_EINVAL;
  }
  f = (fetch_t *)async__op_alloc(session->loop, &fetch_class,
                                 sizeof(*f) + n * sizeof(f->results[0]));
  if (f == NULL)
    return ASYNC_ENOMEM;
  f->session = async_session_retain(session);
  f->n = f->remaining = n;
  f->concurrency = concurrency > 0 ? concurrency : SIZE_MAX;
  f->per_host = per_host;
  f->each = each;
  f->userdata = userdata;
  f->urls = async__calloc(n + 1, sizeof(*f->urls));
  f->hosts = async__calloc(n + 1, sizeof(*f->hosts));
  f->sends = async__calloc(n + 1, sizeof(*f->sends));
  f->started = async__calloc(n + 1, 1);
  if (f->urls == NULL || f->hosts == NULL || f->sends == NULL ||
      f->started == NULL)
    rv = ASYNC_ENOMEM;
  for (i = 0; rv == 0 && i < n; i++) {
    f->urls[i] = async__strdup(urls[i]);
    f->hosts[i] = origin_of(urls[i]);
    if (f->urls[i] == NULL || f->hosts[i] == NULL ||
        async_future_new(&f->results[i], session->loop) < 0)
      rv = ASYNC_ENOMEM;
  }
  if (rv == 0) {
    call.future = &f->op.base;
    rv = async__loop_exec(session->loop, start_call, &call);
  }
  if (rv < 0) {
    for (i = 0; i < n; i++) {
      if (f->results[i] != NULL)
        async_future_cancel(f->results[i]);
    }
    async_future_release(&f->op.base);
    async_future_release(&f->op.base);
    return rv;
  }
  *out = &f->op.base;
  return 0;
}
