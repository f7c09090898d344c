#include "net/connect.h"

#include <libasync/error.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/combine.h"
#include "core/loop.h"
#include "core/timer.h"
#include "net/addrinfo.h"

typedef struct attempt {
  ev_io io;
  async__connect_t *owner;
  const async__addr_t *addr;
  int fd;
} attempt_t;

struct async__connect {
  async_loop_t *loop;
  async_addrinfo_t *addrs; /* a copy, in the order to try */
  attempt_t *attempts;     /* one per address */
  size_t next;             /* the next address to try */
  size_t running;          /* attempts in progress */
  double timeout;
  async__timer_t *stagger;
  async__timer_t *deadline;
  char *errors; /* "ADDR: reason; ..." */
  async__connect_cb cb;
  void *userdata;
};

void async__socket_tune(int fd) {
  int one = 1;

  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* IPv6 first, then the families alternate (RFC 8305, section 4). */
static async_addrinfo_t *interleave(const async_addrinfo_t *in) {
  async_addrinfo_t *out = async__addrinfo_new(in->host, in->count);
  size_t i6 = 0, i4 = 0, n = 0;
  int want = 6;

  if (out == NULL)
    return NULL;
  while (n < in->count) {
    size_t *i = want == 6 ? &i6 : &i4;
    while (*i < in->count && in->addrs[*i].family != want)
      (*i)++;
    if (*i < in->count)
      out->addrs[n++] = in->addrs[(*i)++];
    want = want == 6 ? 4 : 6;
  }
  return out;
}

static void free_connect(async__connect_t *c) {
  size_t i;

  for (i = 0; i < c->addrs->count; i++) {
    attempt_t *a = &c->attempts[i];
    if (a->fd >= 0) {
      ev_io_stop(c->loop->ev, &a->io);
      close(a->fd);
    }
  }
  async__timer_free(c->stagger);
  async__timer_free(c->deadline);
  async__addrinfo_free(c->addrs);
  async__free(c->attempts);
  async__free(c->errors);
  async__free(c);
}

static void finish(async__connect_t *c, int err, const char *message, int fd) {
  c->cb(err, message, fd, c->userdata);
  free_connect(c);
}

static void note_error(async__connect_t *c, const async__addr_t *addr,
                       const char *reason) {
  char *errors = async__format("%s%s%s: %s", c->errors ? c->errors : "",
                               c->errors ? "; " : "", addr->text, reason);
  if (errors != NULL) {
    async__free(c->errors);
    c->errors = errors;
  }
}

static void fail_all(async__connect_t *c) {
  char *message = async__format(
      "could not connect to %s port %d: %s", c->addrs->host,
      async_addrinfo_port(c->addrs, 0), c->errors ? c->errors : "no address");

  finish(c, ASYNC_ECONNECT, message ? message : "could not connect", -1);
  async__free(message);
}

static void start_next(async__connect_t *c);

/* An attempt failed: the next one starts at once. */
static void attempt_failed(attempt_t *a, int error) {
  async__connect_t *c = a->owner;

  note_error(c, a->addr, strerror(error));
  ev_io_stop(c->loop->ev, &a->io);
  close(a->fd);
  a->fd = -1;
  c->running--;
  if (c->next < c->addrs->count) {
    start_next(c);
    return;
  }
  if (c->running == 0)
    fail_all(c);
}

static void on_writable(struct ev_loop *ev, ev_io *io, int revents) {
  attempt_t *a = io->data;
  async__connect_t *c = a->owner;
  int error = 0;
  socklen_t len = sizeof(error);
  int fd = a->fd;

  (void)ev;
  (void)revents;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
    error = errno;
  if (error != 0) {
    attempt_failed(a, error);
    return;
  }
  /* The winner: the socket is the caller's; the losers are closed. */
  ev_io_stop(c->loop->ev, &a->io);
  a->fd = -1;
  finish(c, 0, NULL, fd);
}

static int open_attempt(async__connect_t *c, attempt_t *a) {
  const async__addr_t *addr = a->addr;
  int fd = socket(addr->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
                  SOCK_CLOEXEC, 0);

  if (fd < 0)
    return errno;
  async__socket_tune(fd);
  if (connect(fd, (const struct sockaddr *)&addr->sa, addr->len) < 0 &&
      errno != EINPROGRESS) {
    int error = errno;
    close(fd);
    return error;
  }
  /* Even an immediate connect reports through the watcher: the
   * callback never runs inside async__connect_start. */
  a->fd = fd;
  ev_io_init(&a->io, on_writable, fd, EV_WRITE);
  a->io.data = a;
  ev_io_start(c->loop->ev, &a->io);
  return 0;
}

/* Starts the next address's attempt; addresses that fail at once are
 * skipped. The stagger timer starts the one after. */
static void start_next(async__connect_t *c) {
  while (c->next < c->addrs->count) {
    attempt_t *a = &c->attempts[c->next++];
    int error = open_attempt(c, a);
    if (error == 0) {
      c->running++;
      if (c->next < c->addrs->count)
        async__timer_start(c->stagger, ASYNC__CONNECT_STAGGER);
      else
        async__timer_stop(c->stagger);
      return;
    }
    note_error(c, a->addr, strerror(error));
  }
  async__timer_stop(c->stagger);
  if (c->running == 0)
    async__timer_start(c->deadline, 0); /* report from a later step */
}

static void on_stagger(async__timer_t *timer, void *data) {
  (void)timer;
  start_next(data);
}

static void on_deadline(async__timer_t *timer, void *data) {
  async__connect_t *c = data;
  char *message;

  (void)timer;
  if (c->running == 0 && c->next >= c->addrs->count) {
    fail_all(c);
    return;
  }
  message = async__format("connect to %s port %d timed out after %g s",
                          c->addrs->host, async_addrinfo_port(c->addrs, 0),
                          c->timeout);
  finish(c, ASYNC_ETIMEDOUT, message ? message : "connect timed out", -1);
  async__free(message);
}

async__connect_t *async__connect_start(async_loop_t *loop,
                                       const async_addrinfo_t *addrs,
                                       double timeout, async__connect_cb cb,
                                       void *userdata) {
  async__connect_t *c = async__calloc(1, sizeof(*c));
  size_t i;

  if (c == NULL)
    return NULL;
  c->loop = loop;
  c->cb = cb;
  c->userdata = userdata;
  c->timeout = timeout;
  c->addrs = interleave(addrs);
  c->attempts = async__calloc(addrs->count ? addrs->count : 1,
                              sizeof(*c->attempts));
  c->stagger = async__timer_new(loop, on_stagger, c);
  c->deadline = async__timer_new(loop, on_deadline, c);
  if (c->addrs == NULL || c->attempts == NULL || c->stagger == NULL ||
      c->deadline == NULL) {
    if (c->addrs == NULL)
      c->addrs = async__addrinfo_new("", 0);
    if (c->addrs != NULL) {
      free_connect(c);
    } else {
      async__timer_free(c->stagger);
      async__timer_free(c->deadline);
      async__free(c->attempts);
      async__free(c);
    }
    return NULL;
  }
  for (i = 0; i < c->addrs->count; i++) {
    c->attempts[i].fd = -1;
    c->attempts[i].owner = c;
    c->attempts[i].addr = &c->addrs->addrs[i];
  }
  if (!async__timeout_forever(timeout))
    async__timer_start(c->deadline, timeout);
  start_next(c);
  return c;
}

void async__connect_cancel(async__connect_t *c) {
  if (c != NULL)
    free_connect(c);
}
