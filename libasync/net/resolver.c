#include "net/resolver.h"

#include <libasync/error.h>

#include <ares.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/future.h"
#include "core/loop.h"
#include "core/timer.h"
#include "net/dns_cache.h"

#define MAX_HOST 255

/* A static answer (curl's --resolve). */
typedef struct override {
  struct override *next;
  char *host;
  int port; /* -1: any */
  async__addr_t *addrs;
  size_t count;
} override_t;

/* A socket c-ares asked us to watch. */
typedef struct watched {
  async__list_t link;
  ev_io io;
  async_resolver_t *resolver;
} watched_t;

struct async_resolver {
  atomic_uint refs;
  atomic_int finishers; /* see finish() */
  async_loop_t *loop;   /* a reference */
  async__closer_t closer;
  int closed;

  ares_channel channel;
  int channel_stale; /* options changed: a new channel before next query */
  size_t in_flight;  /* c-ares queries */
  async__timer_t *timer;
  async__list_t sockets;

  int attempts;
  double timeout;
  double ttl_max;
  double negative_ttl;
  char *servers; /* c-ares form, or NULL for the system's */
  override_t *overrides;
  async__dns_cache_t cache;
};

/* A lookup: a future, or a callback when the caller wants no future. */
typedef struct lookup {
  async__op_t op;
  async_resolver_t *resolver; /* a reference */
  async__list_t waiting;      /* on its cache entry's waiters */
  async__dns_entry_t *entry;
  char *host;
  int port;
  uint32_t flags;
  async_resolve_cb cb;
  void *cb_userdata;
} lookup_t;

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_status;

static void init_ares(void) { ares_init_status = ares_library_init(ARES_LIB_INIT_ALL); }

/* ---- c-ares sockets and timeouts ------------------------------------- */

static void update_timer(async_resolver_t *r) {
  struct timeval tv;
  struct timeval *next;

  if (r->closed)
    return;
  next = ares_timeout(r->channel, NULL, &tv);
  if (next == NULL)
    async__timer_stop(r->timer);
  else
    async__timer_start(r->timer, (double)next->tv_sec + next->tv_usec * 1e-6);
}

static void on_socket(struct ev_loop *ev, ev_io *io, int revents) {
  watched_t *w = io->data;
  async_resolver_t *r = w->resolver;

  (void)ev;
  ares_process_fd(r->channel, (revents & EV_READ) ? io->fd : ARES_SOCKET_BAD,
                  (revents & EV_WRITE) ? io->fd : ARES_SOCKET_BAD);
  update_timer(r);
}

static watched_t *find_socket(async_resolver_t *r, int fd) {
  async__list_t *node;

  for (node = r->sockets.next; node != &r->sockets; node = node->next) {
    watched_t *w = async__container_of(node, watched_t, link);
    if (w->io.fd == fd)
      return w;
  }
  return NULL;
}

/* c-ares says which of its sockets to watch, and for what. */
static void sock_state(void *data, ares_socket_t fd, int readable,
                       int writable) {
  async_resolver_t *r = data;
  struct ev_loop *ev = r->loop->ev;
  watched_t *w = find_socket(r, fd);
  int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

  if (w != NULL) {
    ev_io_stop(ev, &w->io);
    if (events == 0) {
      async__list_remove(&w->link);
      async__free(w);
      return;
    }
  } else {
    if (events == 0 || (w = async__calloc(1, sizeof(*w))) == NULL)
      return;
    w->resolver = r;
    async__list_push(&r->sockets, &w->link);
  }
  ev_io_init(&w->io, on_socket, fd, events);
  w->io.data = w;
  ev_io_start(ev, &w->io);
}

static void on_timeout(async__timer_t *timer, void *data) {
  async_resolver_t *r = data;

  (void)timer;
  ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  update_timer(r);
}

static int open_channel(async_resolver_t *r) {
  struct ares_options opts;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
             ARES_OPT_LOOKUPS;

  memset(&opts, 0, sizeof(opts));
  opts.sock_state_cb = sock_state;
  opts.sock_state_cb_data = r;
  opts.timeout = (int)ceil(r->timeout * 1000);
  opts.tries = r->attempts;
  opts.lookups = (char *)"fb"; /* /etc/hosts, then DNS */
  if (ares_init_options(&r->channel, &opts, mask) != ARES_SUCCESS)
    return ASYNC_EDNS;
  if (r->servers != NULL &&
      ares_set_servers_ports_csv(r->channel, r->servers) != ARES_SUCCESS) {
    ares_destroy(r->channel);
    return ASYNC_EINVAL;
  }
  r->channel_stale = 0;
  return 0;
}

/* ---- completing lookups ---------------------------------------------- */

static void complete_ok(lookup_t *l, const async__addr_t *addrs, size_t count,
                        double age) {
  async_addrinfo_t *ai = async__addrinfo_new(l->host, count);
  size_t i;

  if (ai == NULL) {
    async__future_fail(&l->op.base, ASYNC_ENOMEM, NULL);
    return;
  }
  for (i = 0; i < count; i++) {
    ai->addrs[i] = addrs[i];
    async__addr_set_port(&ai->addrs[i], l->port);
    ai->addrs[i].ttl = addrs[i].ttl > age ? (uint32_t)(addrs[i].ttl - age) : 0;
  }
  async__future_done(&l->op.base, ai, async__addrinfo_free);
}

static void complete_entry(lookup_t *l, async__dns_entry_t *e, double now) {
  if (e->err != 0)
    async__future_fail(&l->op.base, e->err, async__strdup(e->message));
  else
    complete_ok(l, e->addrs, e->count, now - e->stored);
}

static const char *reason(int status, async_resolver_t *r, char *buf,
                          size_t size) {
  switch (status) {
  case ARES_ENOTFOUND:
    return "NXDOMAIN (no such name)";
  case ARES_ENODATA:
    return "no answer (no address records)";
  case ARES_ESERVFAIL:
    return "SERVFAIL (the name server failed)";
  case ARES_EREFUSED:
    return "REFUSED by the name server";
  case ARES_ECONNREFUSED:
    /* c-ares reports servers that answered SERVFAIL or REFUSED on every
     * try, and servers not listening, alike. */
    return "SERVFAIL or REFUSED from every name server, or none listening";
  case ARES_ETIMEOUT:
    snprintf(buf, size, "timeout (no answer after %d %s of %g s)",
             r->attempts, r->attempts == 1 ? "try" : "tries", r->timeout);
    return buf;
  default:
    return ares_strerror(status);
  }
}

/* Whether a failure is the name's answer (cached briefly), not ours. */
static int failure_is_answer(int status) {
  return status == ARES_ENOTFOUND || status == ARES_ENODATA ||
         status == ARES_ESERVFAIL || status == ARES_ECONNREFUSED;
}

static void answer_entry(async_resolver_t *r, async__dns_entry_t *e,
                         int status, struct ares_addrinfo *result) {
  struct ares_addrinfo_node *node;
  double now = async__clock_now();
  double ttl = r->ttl_max;
  size_t n = 0;
  char buf[96];

  for (node = result ? result->nodes : NULL; node; node = node->ai_next)
    n++;
  if (status == ARES_SUCCESS && n == 0)
    status = ARES_ENODATA;
  if (status == ARES_SUCCESS &&
      (e->addrs = async__calloc(n, sizeof(*e->addrs))) == NULL) {
    e->err = ASYNC_ENOMEM;
    e->expires = now;
    return;
  }
  if (status == ARES_SUCCESS) {
    for (node = result->nodes; node; node = node->ai_next) {
      uint32_t t = node->ai_ttl > 0 ? (uint32_t)node->ai_ttl : 0;
      if (async__addr_from_sockaddr(&e->addrs[e->count], node->ai_addr, t) < 0)
        continue;
      e->count++;
      if (t < ttl)
        ttl = t;
    }
    e->expires = now + ttl;
  } else {
    e->err = ASYNC_EDNS;
    e->message = async__format("could not resolve host '%s': %s",
                               strchr(e->key, ':') + 1,
                               reason(status, r, buf, sizeof(buf)));
    e->expires = failure_is_answer(status) ? now + r->negative_ttl : now;
  }
  e->stored = now;
}

/* Keeps an answered entry in the cache, or drops it if it cannot be
 * kept (already stale, or a cache of size 0). */
static void store_entry(async_resolver_t *r, async__dns_entry_t *e) {
  if (e->expires <= e->stored || r->cache.max == 0)
    async__dns_cache_remove(&r->cache, e);
  else
    async__dns_cache_answered(&r->cache, e);
}

/* c-ares answered (or gave up on) an entry's query. */
static void on_answer(void *arg, int status, int timeouts,
                      struct ares_addrinfo *result) {
  async__dns_entry_t *e = arg;
  async_resolver_t *r = e->owner;
  int cancelled = status == ARES_ECANCELLED || status == ARES_EDESTRUCTION;
  double now = async__clock_now();

  (void)timeouts;
  e->resolving = 0;
  r->in_flight--;
  if (!cancelled)
    answer_entry(r, e, status, result);
  if (result != NULL)
    ares_freeaddrinfo(result);
  while (!async__list_empty(&e->waiters)) {
    lookup_t *l = async__container_of(e->waiters.next, lookup_t, waiting);
    async__list_remove(&l->waiting);
    l->entry = NULL;
    if (cancelled)
      async__future_cancel_now(&l->op.base);
    else
      complete_entry(l, e, now);
  }
  if (cancelled)
    async__dns_cache_remove(&r->cache, e);
  else
    store_entry(r, e);
}

/* ---- starting lookups ------------------------------------------------ */

static const override_t *find_override(async_resolver_t *r, const char *host,
                                       int port) {
  const override_t *o;

  for (o = r->overrides; o != NULL; o = o->next) {
    if ((o->port == port || o->port < 0) && strcasecmp(o->host, host) == 0)
      return o;
  }
  return NULL;
}

static int family_of(uint32_t flags) {
  uint32_t both = ASYNC_RESOLVE_IPV4 | ASYNC_RESOLVE_IPV6;

  if ((flags & both) == ASYNC_RESOLVE_IPV4)
    return AF_INET;
  if ((flags & both) == ASYNC_RESOLVE_IPV6)
    return AF_INET6;
  return AF_UNSPEC;
}

/* Answers that need no query: overrides and IP literals. */
static int answer_at_once(lookup_t *l) {
  async_resolver_t *r = l->resolver;
  const override_t *o = find_override(r, l->host, l->port);
  async__addr_t literal;

  if (o != NULL) {
    complete_ok(l, o->addrs, o->count, 0);
    return 1;
  }
  if (async__addr_parse(&literal, l->host, strlen(l->host)) == 0) {
    int family = family_of(l->flags);
    if ((family == AF_INET && literal.family == 6) ||
        (family == AF_INET6 && literal.family == 4))
      async__future_fail(&l->op.base, ASYNC_EDNS,
                         async__format("could not resolve host '%s': the "
                                       "address is of the other family",
                                       l->host));
    else
      complete_ok(l, &literal, 1, 0);
    return 1;
  }
  return 0;
}

static void query(async_resolver_t *r, async__dns_entry_t *e,
                  const char *host, uint32_t flags) {
  struct ares_addrinfo_hints hints;

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family_of(flags);
  hints.ai_socktype = SOCK_STREAM;
  e->resolving = 1;
  r->in_flight++;
  /* May answer at once (from /etc/hosts): nothing may touch e after. */
  ares_getaddrinfo(r->channel, host, NULL, &hints, on_answer, e);
  update_timer(r);
}

static void lookup_start(lookup_t *l) {
  async_resolver_t *r = l->resolver;
  async__dns_entry_t *e;
  char key[MAX_HOST + 16];
  double now = async__clock_now();
  size_t i;

  async__future_park(&l->op.base);
  if (r->closed) {
    async__future_cancel_now(&l->op.base);
    return;
  }
  if (answer_at_once(l))
    return;
  snprintf(key, sizeof(key), "%u:%s",
           (unsigned)(l->flags & (ASYNC_RESOLVE_IPV4 | ASYNC_RESOLVE_IPV6)),
           l->host);
  for (i = 0; key[i] != '\0'; i++)
    key[i] = (char)tolower((unsigned char)key[i]);
  e = async__dns_cache_find(&r->cache, key);
  if (e != NULL && !e->resolving && e->expires > now &&
      !(l->flags & ASYNC_RESOLVE_NO_CACHE)) {
    async__dns_cache_touch(&r->cache, e);
    complete_entry(l, e, now);
    return;
  }
  if (e == NULL && (e = async__dns_cache_add(&r->cache, key)) == NULL) {
    async__future_fail(&l->op.base, ASYNC_ENOMEM, NULL);
    return;
  }
  e->owner = r;
  l->entry = e;
  async__list_push(&e->waiters, &l->waiting);
  if (e->resolving)
    return; /* joins the query in flight */
  async__dns_cache_forget(&r->cache, e);
  if (r->channel_stale && r->in_flight == 0) {
    ares_destroy(r->channel);
    if (open_channel(r) < 0) {
      async__list_remove(&l->waiting);
      async__dns_cache_remove(&r->cache, e);
      async__future_fail(&l->op.base, ASYNC_EDNS,
                         async__strdup("could not set up the resolver"));
      return;
    }
  }
  query(r, e, l->host, l->flags);
}

static void lookup_cancel(async__op_t *op) {
  lookup_t *l = (lookup_t *)op;
  async__dns_entry_t *e = l->entry;
  async_resolver_t *r = l->resolver;

  if (e == NULL)
    return;
  async__list_remove(&l->waiting);
  l->entry = NULL;
  /* c-ares cannot stop one query of many; it can stop all of them. */
  if (async__list_empty(&e->waiters) && e->resolving && r->in_flight == 1) {
    ares_cancel(r->channel);
    update_timer(r);
  }
}

static void lookup_destroy(async__op_t *op) {
  lookup_t *l = (lookup_t *)op;

  async__free(l->host);
  async_resolver_release(l->resolver);
}

static const async__op_class_t lookup_class = {
    .cancel = lookup_cancel,
    .destroy = lookup_destroy,
};

static void start_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  lookup_start((lookup_t *)call->future);
}

static void call_back(async_future_t *f, void *userdata) {
  lookup_t *l = (lookup_t *)f;

  (void)userdata;
  if (async_future_state(f) == ASYNC_DONE)
    l->cb(0, NULL, async_future_value(f), l->cb_userdata);
  else
    l->cb(async_future_error(f), async_future_message(f), NULL,
          l->cb_userdata);
}

static int submit_lookup(async_resolver_t *r, const char *host, int port,
                         uint32_t flags, async_resolve_cb cb, void *userdata,
                         async_future_t **out) {
  async__call_t call = {0};
  lookup_t *l;
  int rv;

  if (r == NULL || host == NULL || host[0] == '\0' ||
      strlen(host) > MAX_HOST || port < 0 || port > 65535 ||
      (flags & ~(uint32_t)(ASYNC_RESOLVE_IPV4 | ASYNC_RESOLVE_IPV6 |
                           ASYNC_RESOLVE_NO_CACHE)))
    return ASYNC_EINVAL;
  l = (lookup_t *)async__op_alloc(r->loop, &lookup_class, sizeof(*l));
  if (l == NULL)
    return ASYNC_ENOMEM;
  l->resolver = async_resolver_retain(r);
  l->port = port;
  l->flags = flags;
  l->cb = cb;
  l->cb_userdata = userdata;
  async__list_init(&l->waiting);
  if ((l->host = async__strdup(host)) == NULL) {
    async_future_release(&l->op.base);
    async_future_release(&l->op.base);
    return ASYNC_ENOMEM;
  }
  /* The callback form: the caller holds no future; the callback is the
   * future's first, added before the lookup starts. */
  if (cb != NULL) {
    l->op.base.cb = call_back;
  }
  call.future = &l->op.base;
  rv = async__loop_exec(r->loop, start_call, &call);
  if (rv < 0) {
    async_future_release(&l->op.base);
    async_future_release(&l->op.base);
    return rv;
  }
  if (out != NULL)
    *out = &l->op.base;
  else
    async_future_release(&l->op.base);
  return 0;
}

ASYNC_EXTERN int async_resolver_resolve(async_resolver_t *resolver,
                                        const char *host, int port,
                                        uint32_t flags, async_future_t **out) {
  if (out == NULL)
    return ASYNC_EINVAL;
  return submit_lookup(resolver, host, port, flags, NULL, NULL, out);
}

ASYNC_EXTERN int async_resolver_resolve_cb(async_resolver_t *resolver,
                                           const char *host, int port,
                                           uint32_t flags, async_resolve_cb cb,
                                           void *userdata) {
  if (cb == NULL)
    return ASYNC_EINVAL;
  return submit_lookup(resolver, host, port, flags, cb, userdata, NULL);
}

ASYNC_EXTERN int async_resolve(async_loop_t *loop, const char *host, int port,
                               uint32_t flags, async_future_t **out) {
  async_resolver_t *r;

  if (loop == NULL || out == NULL)
    return ASYNC_EINVAL;
  if (async_loop_is_closed(loop) || atomic_load(&loop->closing))
    return ASYNC_ECLOSED;
  if ((r = async__resolver_default(loop)) == NULL)
    return ASYNC_EDNS;
  return async_resolver_resolve(r, host, port, flags, out);
}

/* ---- options --------------------------------------------------------- */

char *async__resolver_parse_servers(const char *servers) {
  char *out = async__malloc(strlen(servers) * 2 + 8);
  const char *p = servers;
  size_t n = 0;

  if (out == NULL)
    return NULL;
  while (*p != '\0') {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    const char *colon = memchr(p, ':', len);
    const char *addr_end = p + len;
    const char *port = NULL;
    async__addr_t a;

    if (p[0] == '[') {
      const char *close = memchr(p, ']', len);
      if (close == NULL)
        goto bad;
      addr_end = close + 1;
      if (addr_end < p + len) {
        if (*addr_end != ':')
          goto bad;
        port = addr_end + 1;
      }
    } else if (colon != NULL && memchr(colon + 1, ':', len - (colon + 1 - p)) ==
                                    NULL) {
      addr_end = colon; /* IPv4:PORT */
      port = colon + 1;
    }
    if (async__addr_parse(&a, p, (size_t)(addr_end - p)) < 0)
      goto bad;
    if (port != NULL) {
      char *stop;
      long value = strtol(port, &stop, 10);
      if (port == p + len || stop != p + len || value < 1 || value > 65535)
        goto bad;
    }
    n += (size_t)sprintf(out + n, "%s%s%s%s%.*s", n ? "," : "",
                         a.family == 6 ? "[" : "", a.text,
                         a.family == 6 ? "]" : "",
                         port ? (int)(p + len - port) + 1 : 0,
                         port ? port - 1 : "");
    p += len;
    if (*p == ',')
      p++;
  }
  if (n == 0)
    goto bad;
  return out;
bad:
  async__free(out);
  return NULL;
}

static void free_override(override_t *o) {
  async__free(o->host);
  async__free(o->addrs);
  async__free(o);
}

/* Parses "HOST:PORT:ADDR[,ADDR...]" or "-HOST:PORT". */
static override_t *parse_override(const char *text, int *remove) {
  override_t *o = async__calloc(1, sizeof(*o));
  const char *host_end;
  const char *port;
  const char *p;
  char *stop;

  *remove = text[0] == '-';
  text += *remove;
  host_end = strchr(text, ':');
  if (o == NULL || host_end == NULL || host_end == text)
    goto bad;
  o->host = async__format("%.*s", (int)(host_end - text), text);
  port = host_end + 1;
  if (port[0] == '*') {
    o->port = -1;
    p = port + 1;
  } else {
    long value = strtol(port, &stop, 10);
    if (stop == port || value < 0 || value > 65535)
      goto bad;
    o->port = (int)value;
    p = stop;
  }
  if (*remove)
    return *p == '\0' && o->host ? o : (free_override(o), NULL);
  if (*p++ != ':' || *p == '\0' || o->host == NULL)
    goto bad;
  while (*p != '\0') {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    async__addr_t *addrs =
        async__realloc(o->addrs, (o->count + 1) * sizeof(*addrs));
    if (addrs == NULL)
      goto bad;
    o->addrs = addrs;
    if (async__addr_parse(&o->addrs[o->count], p, len) < 0)
      goto bad;
    o->count++;
    p += len + (end != NULL);
  }
  return o;
bad:
  if (o != NULL)
    free_override(o);
  return NULL;
}

static void apply_override(async_resolver_t *r, override_t *o, int remove) {
  override_t **link = &r->overrides;

  while (*link != NULL) {
    if ((*link)->port == o->port && strcasecmp((*link)->host, o->host) == 0) {
      override_t *old = *link;
      *link = old->next;
      free_override(old);
    } else {
      link = &(*link)->next;
    }
  }
  if (remove) {
    free_override(o);
    return;
  }
  o->next = r->overrides;
  r->overrides = o;
}

typedef struct setting {
  int opt;
  int64_t i;
  double d;
  void *p;
  int remove;
} setting_t;

static void set_call(async_loop_t *loop, async__call_t *call) {
  async_resolver_t *r = call->p1;
  setting_t *s = call->p2;

  (void)loop;
  switch (s->opt) {
  case ASYNC_RESOLVER_ATTEMPTS:
    r->attempts = (int)s->i;
    r->channel_stale = 1;
    break;
  case ASYNC_RESOLVER_CACHE_SIZE:
    r->cache.max = (size_t)s->i;
    break;
  case ASYNC_RESOLVER_TIMEOUT:
    r->timeout = s->d;
    r->channel_stale = 1;
    break;
  case ASYNC_RESOLVER_TTL_MAX:
    r->ttl_max = s->d;
    break;
  case ASYNC_RESOLVER_NEGATIVE_TTL:
    r->negative_ttl = s->d;
    break;
  case ASYNC_RESOLVER_SERVERS:
    async__free(r->servers);
    r->servers = s->p;
    s->p = NULL;
    if (!r->closed)
      ares_set_servers_ports_csv(r->channel, r->servers);
    break;
  case ASYNC_RESOLVER_OVERRIDE:
    apply_override(r, s->p, s->remove);
    s->p = NULL;
    break;
  }
  async__free(s);
}

static int apply(async_resolver_t *r, setting_t *s) {
  async__call_t call = {0};
  setting_t *copy = async__malloc(sizeof(*copy));
  int rv;

  if (copy == NULL) {
    rv = ASYNC_ENOMEM;
  } else {
    *copy = *s;
    call.p1 = r;
    call.p2 = copy;
    if ((rv = async__loop_exec(r->loop, set_call, &call)) == 0)
      return 0;
    async__free(copy);
  }
  if (s->opt == ASYNC_RESOLVER_OVERRIDE && s->p != NULL)
    free_override(s->p);
  else
    async__free(s->p);
  return rv;
}

ASYNC_EXTERN int async_resolver_set_int(async_resolver_t *resolver, int opt,
                                        int64_t value) {
  setting_t s = {opt, value, 0, NULL, 0};

  if (resolver == NULL)
    return ASYNC_EINVAL;
  if (opt == ASYNC_RESOLVER_ATTEMPTS && (value < 1 || value > 16))
    return ASYNC_EINVAL;
  if (opt == ASYNC_RESOLVER_CACHE_SIZE && (value < 0 || value > 1000000))
    return ASYNC_EINVAL;
  if (opt != ASYNC_RESOLVER_ATTEMPTS && opt != ASYNC_RESOLVER_CACHE_SIZE)
    return ASYNC_EINVAL;
  return apply(resolver, &s);
}

ASYNC_EXTERN int async_resolver_set_double(async_resolver_t *resolver,
                                           int opt, double value) {
  setting_t s = {opt, 0, value, NULL, 0};

  if (resolver == NULL || !isfinite(value) || value < 0)
    return ASYNC_EINVAL;
  if (opt == ASYNC_RESOLVER_TIMEOUT && (value <= 0 || value > 3600))
    return ASYNC_EINVAL;
  if (opt != ASYNC_RESOLVER_TIMEOUT && opt != ASYNC_RESOLVER_TTL_MAX &&
      opt != ASYNC_RESOLVER_NEGATIVE_TTL)
    return ASYNC_EINVAL;
  return apply(resolver, &s);
}

ASYNC_EXTERN int async_resolver_set_str(async_resolver_t *resolver, int opt,
                                        const char *value) {
  setting_t s = {opt, 0, 0, NULL, 0};

  if (resolver == NULL || value == NULL)
    return ASYNC_EINVAL;
  if (opt == ASYNC_RESOLVER_SERVERS)
    s.p = async__resolver_parse_servers(value);
  else if (opt == ASYNC_RESOLVER_OVERRIDE)
    s.p = parse_override(value, &s.remove);
  else
    return ASYNC_EINVAL;
  if (s.p == NULL)
    return ASYNC_EINVAL;
  return apply(resolver, &s);
}

/* ---- life ------------------------------------------------------------ */

static void free_resolver(async_resolver_t *r) {
  async_loop_t *loop = r->loop;

  while (r->overrides != NULL) {
    override_t *next = r->overrides->next;
    free_override(r->overrides);
    r->overrides = next;
  }
  async__free(r->servers);
  async__free(r);
  async_loop_release(loop);
}

/* Loop thread: cancels every lookup and closes every socket. */
static void close_resolver(async_resolver_t *r) {
  if (r->closed)
    return;
  r->closed = 1;
  async__loop_remove_closer(&r->closer);
  /* Calls on_answer(ARES_EDESTRUCTION) for each query: lookups are
   * cancelled; and sock_state for each socket: watchers are freed. */
  ares_destroy(r->channel);
  while (!async__list_empty(&r->sockets)) {
    watched_t *w = async__container_of(r->sockets.next, watched_t, link);
    ev_io_stop(r->loop->ev, &w->io);
    async__list_remove(&w->link);
    async__free(w);
  }
  async__timer_free(r->timer);
  r->timer = NULL;
  async__dns_cache_free(&r->cache);
}

/*
 * Memory goes once the resolver is both closed and unreferenced. When
 * the loop is closing those two happen on different threads in either
 * order: each side calls finish, the second frees.
 */
static void finish(async_resolver_t *r) {
  if (atomic_fetch_add(&r->finishers, 1) == 1)
    free_resolver(r);
}

static void on_loop_close(async__closer_t *closer) {
  async_resolver_t *r = async__container_of(closer, async_resolver_t, closer);
  async_resolver_t *expected = r;

  close_resolver(r);
  /* The loop's own reference, when this is its default resolver. */
  if (atomic_compare_exchange_strong(&r->loop->resolver, (void **)&expected,
                                     NULL))
    async_resolver_release(r);
  finish(r);
}

static void register_call(async_loop_t *loop, async__call_t *call) {
  async__loop_add_closer(loop, &((async_resolver_t *)call->p1)->closer);
}

ASYNC_EXTERN int async_resolver_new(async_resolver_t **out,
                                    async_loop_t *loop) {
  async__call_t call = {0};
  async_resolver_t *r;
  int rv;

  if (out == NULL || loop == NULL)
    return ASYNC_EINVAL;
  pthread_once(&ares_once, init_ares);
  if (ares_init_status != ARES_SUCCESS)
    return ASYNC_EDNS;
  if ((r = async__calloc(1, sizeof(*r))) == NULL)
    return ASYNC_ENOMEM;
  atomic_init(&r->refs, 1);
  atomic_init(&r->finishers, 0);
  r->loop = async_loop_retain(loop);
  r->closer.close = on_loop_close;
  async__list_init(&r->closer.link);
  async__list_init(&r->sockets);
  r->attempts = 2;
  r->timeout = 2.0;
  r->ttl_max = 300;
  r->negative_ttl = 5;
  async__dns_cache_init(&r->cache, 1024);
  r->timer = async__timer_new(loop, on_timeout, r);
  if (r->timer == NULL) {
    free_resolver(r);
    return ASYNC_ENOMEM;
  }
  if ((rv = open_channel(r)) < 0) {
    async__timer_free(r->timer);
    free_resolver(r);
    return rv;
  }
  call.p1 = r;
  if ((rv = async__loop_exec(loop, register_call, &call)) < 0) {
    ares_destroy(r->channel);
    async__timer_free(r->timer);
    free_resolver(r);
    return rv;
  }
  *out = r;
  return 0;
}

ASYNC_EXTERN async_resolver_t *async_resolver_retain(async_resolver_t *r) {
  if (r != NULL)
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  return r;
}

static void destroy_call(async_loop_t *loop, async__call_t *call) {
  async_resolver_t *r = call->p1;

  (void)loop;
  if (r->closed) {
    /* The loop's close got here first. */
    finish(r);
    return;
  }
  close_resolver(r);
  free_resolver(r);
}

ASYNC_EXTERN void async_resolver_release(async_resolver_t *r) {
  async__call_t call = {0};

  if (r == NULL ||
      atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
    return;
  call.p1 = r;
  if (async__loop_exec(r->loop, destroy_call, &call) < 0)
    finish(r); /* the loop is closing: its close closes the resolver */
}

async_resolver_t *async__resolver_default(async_loop_t *loop) {
  async_resolver_t *r = atomic_load(&loop->resolver);
  void *expected = NULL;

  if (r != NULL)
    return r;
  if (async_resolver_new(&r, loop) < 0)
    return NULL;
  if (!atomic_compare_exchange_strong(&loop->resolver, &expected, r)) {
    async_resolver_release(r);
    return expected;
  }
  return r;
}
