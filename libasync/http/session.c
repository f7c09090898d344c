#include "http/session.h"

#include <libasync/error.h>
#include <libasync/version.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/combine.h"
#include "http/proxy.h"

/* ---- connections ------------------------------------------------------ */

static void close_conn(async__conn_t *c) {
  async_session_t *s = c->session;

  async__list_remove(&c->link);
  async__before_wait_cancel(&c->trim);
  async__timer_free(c->idle_timer);
  async__stream_close(c->stream);
  c->host->open--;
  s->open--;
  atomic_fetch_sub(&s->stat_open, 1);
  async__free(c);
}

static void service_waiting(async_session_t *s);

/* An idle connection heard from its server: it closed, or sent bytes
 * nobody asked for. Either way it cannot serve another request. */
static void idle_data(async__stream_t *st, const char *data, size_t len,
                      void *userdata) {
  (void)st;
  (void)data;
  (void)len;
  close_conn(userdata);
}

static void idle_end(async__stream_t *st, int err, const char *message,
                     void *userdata) {
  async__conn_t *c = userdata;
  async_session_t *s = c->session;

  (void)st;
  (void)err;
  (void)message;
  close_conn(c);
  service_waiting(s);
}

static const async__stream_handler_t idle_handler = {idle_data, idle_end,
                                                     NULL};

/* How long an idle connection may wait: the session's idle timeout,
 * clamped below the server's Keep-Alive: timeout= hint so that the
 * server does not close it just as a request is sent. */
static double idle_limit(async__conn_t *c) {
  double limit = async__opt_double(NULL, &c->session->options,
                                   ASYNC_SESSION_IDLE_TIMEOUT);
  double hint = c->keep_alive;

  if (hint > 0) {
    hint = hint > 2 ? hint - 1 : hint / 2;
    if (hint < limit)
      limit = hint;
  }
  return limit;
}

/*
 * The idle timer is not stopped when a connection is taken from the pool
 * nor restarted when it comes back (two timer operations per request): it
 * stays armed, and when it fires it closes the connection only if it has
 * been idle for its whole limit, or else re-arms for what is left.
 */
static void on_idle_timeout(async__timer_t *timer, void *data) {
  async__conn_t *c = data;
  async_session_t *s = c->session;
  double left;

  if (!c->idle)
    return; /* in use: armed again when it comes back */
  left = c->idle_since + idle_limit(c) - async__loop_now(s->loop);
  if (left > 0) {
    async__timer_start(timer, left);
    return;
  }
  close_conn(c);
  service_waiting(s);
}

/* Still idle when the loop goes to wait: nobody took it back in the
 * iteration that returned it, so its buffers go. */
static void on_trim(async__before_wait_t *hook) {
  async__conn_t *c = async__container_of(hook, async__conn_t, trim);

  async__stream_trim(c->stream);
}

static int reusable_still(async__conn_t *c) {
  async_session_t *s = c->session;
  int64_t max_requests = async__opt_int(
      NULL, &s->options, ASYNC_SESSION_MAX_REQUESTS_PER_CONNECTION);
  double max_age = async__opt_double(NULL, &s->options,
                                     ASYNC_SESSION_MAX_CONNECTION_AGE);

  if (max_requests > 0 && c->requests >= max_requests)
    return 0;
  if (max_age > 0 && async__loop_now(s->loop) - c->created >= max_age)
    return 0;
  return 1;
}

void async__session_release(async_session_t *s, async__conn_t *c,
                            int reusable) {
  double limit;

  c->exchange = NULL;
  if (!reusable || s->closed || !reusable_still(c) ||
      async__stream_buffered(c->stream) ||
      (c->idle_timer == NULL &&
       (c->idle_timer = async__timer_new_weak(s->loop, on_idle_timeout, c)) ==
           NULL)) {
    close_conn(c);
    service_waiting(s);
    return;
  }
  /* LIFO: the most recently used goes first, warm and least likely to
   * have been closed by the server. */
  async__list_remove(&c->link);
  c->link.next = c->host->idle.next;
  c->link.prev = &c->host->idle;
  c->host->idle.next->prev = &c->link;
  c->host->idle.next = &c->link;
  c->idle = 1;
  c->idle_since = async__loop_now(s->loop);
  limit = idle_limit(c);
  if (!async__timer_active(c->idle_timer) ||
      async__timer_deadline(c->idle_timer) > c->idle_since + limit)
    async__timer_start(c->idle_timer, limit);
  async__stream_set_handler(c->stream, &idle_handler, c);
  async__loop_before_wait(s->loop, &c->trim);
  /* An idle pool is not work: async_loop_run(DEFAULT) may return. */
  async__stream_set_weak(c->stream, 1);
  async__stream_read_start(c->stream);
  service_waiting(s);
}

/* ---- hosts and the queue ---------------------------------------------- */

async__host_t *async__session_host(async_session_t *s, const async__url_t *url,
                                   const char *proxy) {
  async__list_t *node;
  async__host_t *h;

  for (node = s->hosts.next; node != &s->hosts; node = node->next) {
    h = async__container_of(node, async__host_t, link);
    if (h->https == url->https && h->port == url->port &&
        strcmp(h->name, url->host) == 0 &&
        (h->proxy == proxy ||
         (h->proxy && proxy && strcmp(h->proxy, proxy) == 0)))
      return h;
  }
  if ((h = async__calloc(1, sizeof(*h))) == NULL ||
      (h->name = async__strdup(url->host)) == NULL ||
      (proxy != NULL && (h->proxy = async__strdup(proxy)) == NULL)) {
    if (h != NULL)
      async__free(h->name);
    async__free(h);
    return NULL;
  }
  h->https = url->https;
  h->port = url->port;
  async__list_init(&h->idle);
  async__list_push(&s->hosts, &h->link);
  return h;
}

static int may_open(async_session_t *s, async__host_t *h) {
  int64_t limit = async__opt_int(NULL, &s->options, ASYNC_SESSION_LIMIT);
  int64_t per_host =
      async__opt_int(NULL, &s->options, ASYNC_SESSION_LIMIT_PER_HOST);

  return (int64_t)s->open < limit && (per_host == 0 || (int64_t)h->open <
                                                           per_host);
}

/* An idle connection of h, or NULL. */
static async__conn_t *take_idle(async__host_t *h) {
  while (!async__list_empty(&h->idle)) {
    async__conn_t *c = async__container_of(h->idle.next, async__conn_t, link);
    async__list_remove(&c->link);
    if (!reusable_still(c)) {
      close_conn(c);
      continue;
    }
    /* Reading goes on: the exchange takes over the stream's handler in
     * the same step, and stopping here would cost an epoll_ctl. The idle
     * timer goes on too (see on_idle_timeout). */
    c->idle = 0;
    async__before_wait_cancel(&c->trim);
    async__stream_set_weak(c->stream, 0);
    return c;
  }
  return NULL;
}

/* Closes an idle connection of any host, to make room under the total
 * limit for a host that has none. */
static int evict_idle(async_session_t *s) {
  async__list_t *node;

  for (node = s->hosts.next; node != &s->hosts; node = node->next) {
    async__host_t *h = async__container_of(node, async__host_t, link);
    if (!async__list_empty(&h->idle)) {
      close_conn(async__container_of(h->idle.prev, async__conn_t, link));
      return 1;
    }
  }
  return 0;
}

static void open_conn(async_session_t *s, async__exchange_t *ex);

/* Serves ex now if it can: returns 1, or 0 when it must wait. */
static int try_serve(async_session_t *s, async__exchange_t *ex) {
  async__host_t *h = ex->host;
  async__conn_t *c = ex->force_new ? NULL : take_idle(h);

  if (c != NULL) {
    c->exchange = ex;
    async__exchange_use(ex, c, 1);
    return 1;
  }
  if (!may_open(s, h) && !(evict_idle(s) && may_open(s, h)))
    return 0;
  open_conn(s, ex);
  return 1;
}

static void on_queue_timeout(async__timer_t *timer, void *data) {
  async__exchange_t *ex = data;
  char *message = async__format(
      "timed out after %g s waiting for a connection (queue) for %s",
      async__opt_double(&ex->request->options, &ex->session->options,
                        ASYNC_SESSION_QUEUE_TIMEOUT),
      ex->url->text);

  (void)timer;
  async__exchange_fail(ex, ASYNC_ETIMEDOUT, message ? message : "timed out");
  async__free(message);
}

void async__session_acquire(async_session_t *s, async__exchange_t *ex) {
  const char *proxy = async__session_proxy_for(s, ex->url);
  double queue_timeout;

  ex->host = async__session_host(s, ex->url, proxy);
  if (ex->host == NULL) {
    async__exchange_fail(ex, ASYNC_ENOMEM, "out of memory");
    return;
  }
  /* FIFO: nobody overtakes a request already waiting for its host. */
  ex->phase = "queue";
  if (async__list_empty(&s->waiting) && try_serve(s, ex))
    return;
  async__list_push(&s->waiting, &ex->wait_link);
  queue_timeout = async__opt_double(&ex->request->options, &s->options,
                                    ASYNC_SESSION_QUEUE_TIMEOUT);
  if (!async__timeout_forever(queue_timeout)) {
    if (ex->queue_timer == NULL)
      ex->queue_timer = async__timer_new(s->loop, on_queue_timeout, ex);
    if (ex->queue_timer != NULL)
      async__timer_start(ex->queue_timer, queue_timeout);
  }
}

static void service_waiting(async_session_t *s) {
  async__list_t *node = s->waiting.next;

  while (node != &s->waiting) {
    async__exchange_t *ex =
        async__container_of(node, async__exchange_t, wait_link);
    node = node->next;
    async__list_remove(&ex->wait_link);
    if (try_serve(s, ex)) {
      async__timer_stop(ex->queue_timer);
      /* Serving may have changed the queue: start over. */
      node = s->waiting.next;
      continue;
    }
    /* Back in its place. */
    ex->wait_link.next = node;
    ex->wait_link.prev = node->prev;
    node->prev->next = &ex->wait_link;
    node->prev = &ex->wait_link;
  }
}

void async__session_forget(async_session_t *s, async__exchange_t *ex) {
  async__list_remove(&ex->wait_link);
  async__timer_stop(ex->queue_timer);
  if (ex->dial != NULL) {
    async__dial_cancel(ex->dial);
    ex->dial = NULL;
    ex->host->open--;
    s->open--;
    atomic_fetch_sub(&s->stat_open, 1);
    service_waiting(s);
  }
}

/* ---- opening connections --------------------------------------------- */

static void connection_ready(async__exchange_t *ex, async__stream_t *stream) {
  async_session_t *s = ex->session;
  async__conn_t *c = async__calloc(1, sizeof(*c));

  if (c == NULL) {
    async__stream_close(stream);
    ex->host->open--;
    s->open--;
    atomic_fetch_sub(&s->stat_open, 1);
    async__exchange_fail(ex, ASYNC_ENOMEM, "out of memory");
    return;
  }
  async__list_init(&c->link);
  async__before_wait_init(&c->trim, on_trim);
  c->session = s;
  c->host = ex->host;
  c->stream = stream;
  c->created = async__loop_now(s->loop);
  c->exchange = ex;
  async__exchange_use(ex, c, 0);
}

static void on_tunnel(async__stream_t *stream, int err, const char *message,
                      void *userdata) {
  async__exchange_t *ex = userdata;
  async_session_t *s = ex->session;

  ex->response->times[ASYNC_TIME_TLS] =
      async__loop_now(s->loop) - ex->start;
  if (err < 0) {
    ex->host->open--;
    s->open--;
    atomic_fetch_sub(&s->stat_open, 1);
    async__exchange_fail(ex, err, message);
    service_waiting(s);
    return;
  }
  connection_ready(ex, stream);
}

static void on_dialed(async__stream_t *stream, int err, const char *message,
                      const async__dial_times_t *times, void *userdata) {
  async__exchange_t *ex = userdata;
  async_session_t *s = ex->session;
  const char *proxy = async__session_proxy_for(s, ex->url);
  double base = ex->dial_start - ex->start;

  ex->dial = NULL;
  ex->response->times[ASYNC_TIME_DNS] = base + times->dns;
  ex->response->times[ASYNC_TIME_CONNECT] = base + times->connect;
  ex->response->times[ASYNC_TIME_TLS] = base + times->tls;
  if (err < 0) {
    char *named = NULL;
    ex->host->open--;
    s->open--;
    atomic_fetch_sub(&s->stat_open, 1);
    if (proxy != NULL && err == ASYNC_EDNS) {
      err = ASYNC_EPROXYDNS;
      named = async__format("could not resolve proxy for %s: %s",
                            ex->url->text, message);
    } else {
      named = async__format("%s: %s", ex->url->text, message);
    }
    async__exchange_fail(ex, err, named ? named : message);
    async__free(named);
    service_waiting(s);
    return;
  }
  if (proxy != NULL && ex->url->https) {
    /* Through the proxy: a CONNECT tunnel, then TLS with the origin. */
    ex->phase = "proxy CONNECT";
    if (async__proxy_tunnel(stream, ex->url, s->tls, on_tunnel, ex) < 0) {
      async__stream_close(stream);
      on_tunnel(NULL, ASYNC_ENOMEM, "out of memory", ex);
    }
    return;
  }
  connection_ready(ex, stream);
}

static void open_conn(async_session_t *s, async__exchange_t *ex) {
  const char *proxy = async__session_proxy_for(s, ex->url);
  async__url_t proxy_url;
  async__dial_options_t options;
  const char *why;
  const char *host = ex->url->host;
  int port = ex->url->port;

  memset(&proxy_url, 0, sizeof(proxy_url));
  if (proxy != NULL && async__url_parse(&proxy_url, proxy, &why) == 0) {
    host = proxy_url.host;
    port = proxy_url.port;
  }
  options.resolver = s->resolver;
  options.tls = ex->url->https && proxy == NULL ? s->tls : NULL;
  options.timeout = async__opt_double(&ex->request->options, &s->options,
                                      ASYNC_SESSION_CONNECT_TIMEOUT);
  options.resolve_flags = 0;
  ex->host->open++;
  s->open++;
  atomic_fetch_add(&s->stat_open, 1);
  atomic_fetch_add(&s->stat_opened, 1);
  ex->response->connections++;
  ex->phase = "connect";
  ex->dial_start = async__loop_now(s->loop);
  ex->dial = async__dial_start(s->loop, host, port, &options, on_dialed, ex);
  async__url_free(&proxy_url);
  if (ex->dial == NULL) {
    ex->host->open--;
    s->open--;
    atomic_fetch_sub(&s->stat_open, 1);
    async__exchange_fail(ex, ASYNC_ENOMEM, "out of memory");
  }
}

/* ---- the session's life ----------------------------------------------- */

static void close_session(async_session_t *s) {
  async__list_t *node;

  if (s->closed)
    return;
  s->closed = 1;
  while (!async__list_empty(&s->exchanges)) {
    async__exchange_t *ex =
        async__container_of(s->exchanges.next, async__exchange_t, link);
    async__future_cancel_now(&ex->op.base);
  }
  async__timer_free(s->deadlines_timer);
  s->deadlines_timer = NULL;
  for (node = s->hosts.next; node != &s->hosts; node = node->next) {
    async__host_t *h = async__container_of(node, async__host_t, link);
    while (!async__list_empty(&h->idle))
      close_conn(async__container_of(h->idle.next, async__conn_t, link));
  }
}

static void free_session(async_session_t *s) {
  async_loop_t *loop = s->loop;

  while (!async__list_empty(&s->hosts)) {
    async__host_t *h = async__container_of(s->hosts.next, async__host_t, link);
    async__list_remove(&h->link);
    async__free(h->name);
    async__free(h->proxy);
    async__free(h);
  }
  async__headers_free(&s->headers);
  async__free(s->user_agent);
  async__free(s->ca_file);
  async__free(s->ca_dir);
  async__free(s->cert_file);
  async__free(s->key_file);
  async__free(s->proxy);
  async__free(s->no_proxy);
  async__free(s->env_http_proxy);
  async__free(s->env_https_proxy);
  async__tls_release(s->tls);
  async_resolver_release(s->resolver);
  async__free(s);
  async_loop_release(loop);
}

/* Freed once closed and unreferenced, in whichever order (see the
 * resolver's finish()). */
static void finish(async_session_t *s) {
  if (atomic_fetch_add(&s->finishers, 1) == 1)
    free_session(s);
}

static void on_loop_close(async__closer_t *closer) {
  async_session_t *s = async__container_of(closer, async_session_t, closer);

  close_session(s);
  async__loop_remove_closer(&s->closer);
  finish(s);
}

/* Session ids, for the request-head caches (see write_head). */
static atomic_ullong session_ids = 1;

static void register_call(async_loop_t *loop, async__call_t *call) {
  async__loop_add_closer(loop, &((async_session_t *)call->p1)->closer);
}

ASYNC_EXTERN int async_session_new(async_session_t **out, async_loop_t *loop) {
  async__call_t call = {0};
  async_session_t *s;
  int rv;

  if (out == NULL || loop == NULL)
    return ASYNC_EINVAL;
  if ((s = async__calloc(1, sizeof(*s))) == NULL)
    return ASYNC_ENOMEM;
  atomic_init(&s->refs, 1);
  atomic_init(&s->finishers, 0);
  s->id = atomic_fetch_add_explicit(&session_ids, 1, memory_order_relaxed);
  s->loop = async_loop_retain(loop);
  s->closer.close = on_loop_close;
  async__list_init(&s->closer.link);
  async__list_init(&s->hosts);
  async__list_init(&s->waiting);
  async__list_init(&s->exchanges);
  async__list_init(&s->deadlines);
  async__options_defaults(&s->options);
  s->user_agent = async__format("libasync/%s", ASYNC_VERSION_STRING);
  rv = s->user_agent == NULL ? ASYNC_ENOMEM
                              : async_resolver_new(&s->resolver, loop);
  if (rv < 0) {
    free_session(s);
    return rv;
  }
  call.p1 = s;
  if ((rv = async__loop_exec(loop, register_call, &call)) < 0) {
    free_session(s);
    return rv;
  }
  *out = s;
  return 0;
}

ASYNC_EXTERN async_session_t *async_session_retain(async_session_t *s) {
  if (s != NULL)
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  return s;
}

static void destroy_call(async_loop_t *loop, async__call_t *call) {
  async_session_t *s = call->p1;

  (void)loop;
  async__loop_remove_closer(&s->closer);
  close_session(s);
  free_session(s);
}

ASYNC_EXTERN void async_session_release(async_session_t *s) {
  async__call_t call = {0};

  if (s == NULL ||
      atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
    return;
  call.p1 = s;
  if (async__loop_exec(s->loop, destroy_call, &call) < 0)
    finish(s); /* the loop is closing: its close closes the session */
}

static void close_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  close_session(call->p1);
}

ASYNC_EXTERN int async_session_close(async_session_t *s) {
  async__call_t call = {0};

  if (s == NULL)
    return ASYNC_EINVAL;
  call.p1 = s;
  /* A closed loop has closed its sessions already. */
  return async__loop_exec(s->loop, close_call, &call) == ASYNC_ENOMEM
             ? ASYNC_ENOMEM
             : 0;
}

ASYNC_EXTERN int async_session_stats(async_session_t *s, int64_t *opened,
                                     int64_t *open_now) {
  if (s == NULL)
    return ASYNC_EINVAL;
  if (opened != NULL)
    *opened = atomic_load(&s->stat_opened);
  if (open_now != NULL)
    *open_now = atomic_load(&s->stat_open);
  return 0;
}

/* ---- options ---------------------------------------------------------- */

typedef struct setting {
  int opt;
  int64_t i;
  double d;
  char *str;
} setting_t;

static void replace(char **field, char **value) {
  async__free(*field);
  *field = *value;
  *value = NULL;
}

static void apply_header(async_session_t *s, const char *line) {
  const char *colon = strchr(line, ':');
  const char *value = colon + 1;

  while (*value == ' ' || *value == '\t')
    value++;
  {
    char *name = async__format("%.*s", (int)(colon - line), line);
    if (name == NULL)
      return;
    async__headers_remove(&s->headers, name);
    if (*value != '\0')
      async__headers_add(&s->headers, name, strlen(name), value,
                         strlen(value));
    else
      /* "Name:" also takes back a header the library would add. */
      s->suppressed |= async__head_suppress_bit(name);
    async__free(name);
  }
}

static void set_call(async_loop_t *loop, async__call_t *call) {
  async_session_t *s = call->p1;
  setting_t *v = call->p2;

  (void)loop;
  s->generation++;
  switch (async__opt_type(v->opt)) {
  case ASYNC__OPT_INT:
    async__options_set_int(&s->options, v->opt, v->i);
    break;
  case ASYNC__OPT_DOUBLE:
    async__options_set_double(&s->options, v->opt, v->d);
    break;
  default:
    switch (v->opt) {
    case ASYNC_SESSION_USER_AGENT:
      replace(&s->user_agent, &v->str);
      break;
    case ASYNC_SESSION_HEADER:
      apply_header(s, v->str);
      break;
    case ASYNC_SESSION_CA_FILE:
      replace(&s->ca_file, &v->str);
      break;
    case ASYNC_SESSION_CA_DIR:
      replace(&s->ca_dir, &v->str);
      break;
    case ASYNC_SESSION_CERT_FILE:
      replace(&s->cert_file, &v->str);
      break;
    case ASYNC_SESSION_KEY_FILE:
      replace(&s->key_file, &v->str);
      break;
    case ASYNC_SESSION_PROXY:
      replace(&s->proxy, &v->str);
      if (s->proxy != NULL && s->proxy[0] == '\0') {
        async__free(s->proxy);
        s->proxy = NULL;
      }
      break;
    case ASYNC_SESSION_NO_PROXY:
      replace(&s->no_proxy, &v->str);
      break;
    }
  }
  async__free(v->str);
  async__free(v);
}

static int apply(async_session_t *s, setting_t *v) {
  async__call_t call = {0};
  setting_t *copy = async__malloc(sizeof(*copy));
  int rv = ASYNC_ENOMEM;

  if (copy != NULL) {
    *copy = *v;
    call.p1 = s;
    call.p2 = copy;
    if ((rv = async__loop_exec(s->loop, set_call, &call)) == 0)
      return 0;
    async__free(copy);
  }
  async__free(v->str);
  return rv;
}

/* TLS, DNS and proxy settings are read when the first request starts. */
static int fixed_after_start(int opt) {
  return opt == ASYNC_SESSION_VERIFY_PEER || opt == ASYNC_SESSION_CA_FILE ||
         opt == ASYNC_SESSION_CA_DIR || opt == ASYNC_SESSION_CERT_FILE ||
         opt == ASYNC_SESSION_KEY_FILE || opt == ASYNC_SESSION_PROXY ||
         opt == ASYNC_SESSION_NO_PROXY || opt == ASYNC_SESSION_PROXY_FROM_ENV;
}

static int check_settable(async_session_t *s, int opt, int type) {
  if (s == NULL || async__opt_type(opt) != type)
    return ASYNC_EINVAL;
  if (fixed_after_start(opt) && atomic_load(&s->started))
    return ASYNC_EBUSY;
  return 0;
}

ASYNC_EXTERN int async_session_set_int(async_session_t *s, int opt,
                                       int64_t value) {
  async__http_options_t scratch;
  setting_t v = {opt, value, 0, NULL};
  int rv = check_settable(s, opt, ASYNC__OPT_INT);

  if (rv < 0)
    return rv;
  async__options_defaults(&scratch);
  if ((rv = async__options_set_int(&scratch, opt, value)) < 0)
    return rv;
  return apply(s, &v);
}

ASYNC_EXTERN int async_session_set_double(async_session_t *s, int opt,
                                          double value) {
  async__http_options_t scratch;
  setting_t v = {opt, 0, value, NULL};
  int rv = check_settable(s, opt, ASYNC__OPT_DOUBLE);

  if (rv < 0)
    return rv;
  async__options_defaults(&scratch);
  if ((rv = async__options_set_double(&scratch, opt, value)) < 0)
    return rv;
  return apply(s, &v);
}

ASYNC_EXTERN int async_session_set_str(async_session_t *s, int opt,
                                       const char *value) {
  setting_t v = {opt, 0, 0, NULL};
  int rv = check_settable(s, opt, ASYNC__OPT_STR);
  const char *why;

  if (rv < 0)
    return rv;
  if (value == NULL || !async__header_value_ok(value))
    return ASYNC_EINVAL;
  switch (opt) {
  case ASYNC_SESSION_DNS_SERVERS:
    return async_resolver_set_str(s->resolver, ASYNC_RESOLVER_SERVERS, value);
  case ASYNC_SESSION_RESOLVE:
    return async_resolver_set_str(s->resolver, ASYNC_RESOLVER_OVERRIDE, value);
  case ASYNC_SESSION_HEADER: {
    const char *colon = strchr(value, ':');
    char name[256];
    if (colon == NULL || colon == value ||
        (size_t)(colon - value) >= sizeof(name))
      return ASYNC_EINVAL;
    snprintf(name, sizeof(name), "%.*s", (int)(colon - value), value);
    if (!async__http_token(name) || strcasecmp(name, "Host") == 0 ||
        strcasecmp(name, "Content-Length") == 0 ||
        strcasecmp(name, "Transfer-Encoding") == 0)
      return ASYNC_EINVAL;
    break;
  }
  case ASYNC_SESSION_PROXY:
    if (value[0] != '\0') {
      async__url_t url;
      if (async__url_parse(&url, value, &why) < 0 || url.https)
        return ASYNC_EINVAL;
      async__url_free(&url);
    }
    break;
  default:
    break;
  }
  if ((v.str = async__strdup(value)) == NULL)
    return ASYNC_ENOMEM;
  return apply(s, &v);
}
