#include "net/stream.h"

#include <libasync/error.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "core/alloc.h"
#include "core/loop.h"

/* Large enough for a 64 KiB body in one read. */
#define READ_CHUNK 65536

enum phase { PLAIN, HANDSHAKE, SECURE };

struct async__stream {
  async_loop_t *loop;
  int fd;
  ev_io io;
  int phase;
  SSL *ssl;
  async__tls_t *tls;
  char *host;

  const async__stream_handler_t *handler;
  void *userdata;
  async__stream_ready_cb ready;
  void *ready_userdata;

  char *out; /* bytes to write: out[sent, len) */
  size_t sent;
  size_t len;
  size_t cap;

  int reading;       /* the owner wants data */
  int tls_wants_write; /* an SSL_read needs the socket writable */
  int ended;
  int failed; /* a read or write failed */
  int shutdown_wanted;
  int busy;   /* inside a callback of ours: close is deferred */
  int weak;   /* its watcher is not work for async_loop_run(DEFAULT) */
  char alpn[32];
  int closed; /* close was called */
};

/* The watcher of a weak stream (an idle pooled connection) does not keep
 * async_loop_run(DEFAULT) going: unref'd after each start, ref'd before
 * each stop. */
static void io_start(async__stream_t *s) {
  ev_io_start(s->loop->ev, &s->io);
  if (s->weak)
    ev_unref(s->loop->ev);
}

static void io_stop(async__stream_t *s) {
  if (!ev_is_active(&s->io))
    return;
  if (s->weak)
    ev_ref(s->loop->ev);
  ev_io_stop(s->loop->ev, &s->io);
}

void async__stream_set_weak(async__stream_t *s, int weak) {
  if (s->weak == weak)
    return;
  s->weak = weak;
  if (ev_is_active(&s->io)) {
    if (weak)
      ev_unref(s->loop->ev);
    else
      ev_ref(s->loop->ev);
  }
}

static void free_stream(async__stream_t *s) {
  io_stop(s);
  /* A connection closed without close_notify makes OpenSSL drop its
   * session from resumption; one that did not fail says goodbye. */
  if (s->ssl != NULL && s->phase == SECURE && !s->failed) {
    SSL_shutdown(s->ssl);
    ERR_clear_error();
  }
  SSL_free(s->ssl);
  async__tls_release(s->tls);
  close(s->fd);
  async__free(s->host);
  async__free(s->out);
  async__free(s);
}

/* Returns 1 if the stream was closed from a callback (the caller must
 * stop touching it; it is freed). */
static int leave(async__stream_t *s) {
  if (--s->busy == 0 && s->closed) {
    free_stream(s);
    return 1;
  }
  return s->closed;
}

/* Watches the socket for what the stream needs now. */
static void update_io(async__stream_t *s) {
  int events = 0;

  if (s->closed)
    return;
  if (s->phase == HANDSHAKE)
    events = s->io.events; /* set by the handshake step */
  else if (!s->ended)
    events = (s->reading ? EV_READ : 0) |
             (s->len > s->sent || s->tls_wants_write ? EV_WRITE : 0);
  if (events == (s->io.events & (EV_READ | EV_WRITE)) &&
      ev_is_active(&s->io))
    return;
  io_stop(s);
  ev_io_set(&s->io, s->fd, events);
  if (events != 0)
    io_start(s);
}

static void end(async__stream_t *s, int err, const char *message) {
  if (s->ended)
    return;
  s->ended = 1;
  s->failed = err < 0;
  s->reading = 0;
  update_io(s);
  if (s->handler != NULL && s->handler->on_end != NULL) {
    s->busy++;
    s->handler->on_end(s, err, message, s->userdata);
    leave(s);
  }
}

/* ---- writing ---------------------------------------------------------- */

/* Writes what the socket takes. Returns 0, or a negative error. */
static int flush(async__stream_t *s) {
  while (s->sent < s->len) {
    size_t n = s->len - s->sent;
    ssize_t w;

    if (s->ssl != NULL) {
      int r = SSL_write(s->ssl, s->out + s->sent, n > INT32_MAX ? INT32_MAX
                                                                : (int)n);
      if (r <= 0) {
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
          return 0;
        ERR_clear_error();
        return ASYNC_ESEND;
      }
      w = r;
    } else {
      w = send(s->fd, s->out + s->sent, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
          return 0;
        return ASYNC_ESEND;
      }
    }
    s->sent += (size_t)w;
  }
  s->sent = s->len = 0;
  return 0;
}

static void send_shutdown(async__stream_t *s) {
  if (s->ssl != NULL && s->phase == SECURE) {
    SSL_shutdown(s->ssl); /* close_notify; the reply is not awaited */
    ERR_clear_error();
  }
  shutdown(s->fd, SHUT_WR);
  s->shutdown_wanted = 0;
}

/* Flushes and reports: drain, or the failure. Returns 1 if the stream
 * was closed from a callback. */
static int write_some(async__stream_t *s) {
  int rv = flush(s);

  if (rv < 0) {
    end(s, rv, strerror(errno ? errno : EPIPE));
    return s->closed;
  }
  if (s->len == 0) {
    if (s->shutdown_wanted)
      send_shutdown(s);
    if (s->handler != NULL && s->handler->on_drain != NULL) {
      s->busy++;
      s->handler->on_drain(s, s->userdata);
      if (leave(s))
        return 1;
    }
  }
  update_io(s);
  return 0;
}

/* Writes from the caller's bytes while nothing is queued. Returns how
 * many went, or a negative error. */
static ssize_t write_direct(async__stream_t *s, const char *data, size_t len) {
  size_t done = 0;

  while (done < len) {
    size_t n = len - done;
    ssize_t w;
    if (s->ssl != NULL) {
      int r = SSL_write(s->ssl, data + done, n > INT32_MAX ? INT32_MAX : (int)n);
      if (r <= 0) {
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
          break; /* the rest is queued: OpenSSL accepts it moved */
        ERR_clear_error();
        return ASYNC_ESEND;
      }
      w = r;
    } else {
      w = send(s->fd, data + done, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
          break;
        return ASYNC_ESEND;
      }
    }
    done += (size_t)w;
  }
  return (ssize_t)done;
}

/* Queues bytes behind those already queued. */
static int queue_bytes(async__stream_t *s, const char *data, size_t len) {
  if (s->sent > 0 && s->sent == s->len)
    s->sent = s->len = 0;
  if (s->len + len > s->cap) {
    size_t cap = s->cap ? s->cap : 4096;
    char *out;
    /* Keep what is unsent at the front before growing. */
    if (s->sent > 0) {
      memmove(s->out, s->out + s->sent, s->len - s->sent);
      s->len -= s->sent;
      s->sent = 0;
    }
    while (cap < s->len + len)
      cap *= 2;
    if (cap > s->cap) {
      if ((out = async__realloc(s->out, cap)) == NULL)
        return ASYNC_ENOMEM;
      s->out = out;
      s->cap = cap;
    }
  }
  memcpy(s->out + s->len, data, len);
  s->len += len;
  return 0;
}

int async__stream_write(async__stream_t *s, const void *data, size_t len) {
  const char *bytes = data;
  int rv = 0;

  if (s->ended || s->closed)
    return ASYNC_ECLOSED;
  /* Nothing queued: straight from the caller's bytes, no copy, and no
   * buffer kept for a connection that writes what the kernel takes. */
  if (s->phase != HANDSHAKE && s->len == s->sent && !s->tls_wants_write) {
    ssize_t n = write_direct(s, bytes, len);
    if (n < 0) {
      s->busy++;
      end(s, (int)n, strerror(errno ? errno : EPIPE));
      leave(s);
      return 0;
    }
    bytes += n;
    len -= (size_t)n;
  }
  if (len > 0 && (rv = queue_bytes(s, bytes, len)) < 0)
    return rv;
  if (s->phase != HANDSHAKE) {
    s->busy++;
    write_some(s);
    leave(s);
  }
  return 0;
}

size_t async__stream_pending(async__stream_t *s) { return s->len - s->sent; }

int async__stream_buffered(async__stream_t *s) {
  return s->ssl != NULL && SSL_has_pending(s->ssl);
}

void async__stream_trim(async__stream_t *s) {
  if (s->ssl != NULL)
    SSL_free_buffers(s->ssl); /* refuses while a record is half done */
  if (s->len == s->sent) {
    async__free(s->out);
    s->out = NULL;
    s->len = s->sent = s->cap = 0;
  }
}

void async__stream_shutdown(async__stream_t *s) {
  if (s->ended || s->closed)
    return;
  s->shutdown_wanted = 1;
  if (s->len == s->sent && s->phase != HANDSHAKE)
    send_shutdown(s);
}

/* ---- reading ---------------------------------------------------------- */

/* Reads once. Returns bytes read, 0 when nothing is to be had now, or -1
 * when the stream ended (reported). */
static ssize_t read_once(async__stream_t *s, char *buf, size_t size) {
  ssize_t n;

  if (s->ssl != NULL) {
    int r = SSL_read(s->ssl, buf, (int)size);
    int e;
    if (r > 0)
      return r;
    e = SSL_get_error(s->ssl, r);
    s->tls_wants_write = e == SSL_ERROR_WANT_WRITE;
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
      return 0;
    if (e == SSL_ERROR_ZERO_RETURN)
      end(s, 0, NULL);
    else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && r == 0)
      end(s, ASYNC_EPARTIAL,
          "the TLS connection was closed without close_notify");
    else
      end(s, ASYNC_ERECV, ERR_reason_error_string(ERR_peek_error())
                              ? ERR_reason_error_string(ERR_peek_error())
                              : strerror(errno));
    ERR_clear_error();
    return -1;
  }
  n = recv(s->fd, buf, size, 0);
  if (n > 0)
    return n;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return 0;
  if (n == 0)
    end(s, 0, NULL);
  else
    end(s, ASYNC_ERECV, strerror(errno));
  return -1;
}

/* Delivers data while the owner wants it. Returns 1 if closed. */
static int read_some(async__stream_t *s) {
  char buf[READ_CHUNK];

  while (s->reading && !s->ended && !s->closed) {
    const async__stream_handler_t *handler = s->handler;
    ssize_t n = read_once(s, buf, sizeof(buf));
    if (n <= 0)
      break;
    s->busy++;
    s->handler->on_data(s, buf, (size_t)n, s->userdata);
    if (leave(s))
      return 1;
    /* A new owner (a connection back in its pool) reads when the socket
     * says there is something: no read that would only find EAGAIN. */
    if (s->handler != handler)
      break;
  }
  if (s->closed)
    return 1;
  update_io(s);
  return 0;
}

void async__stream_read_start(async__stream_t *s) {
  if (s->reading || s->ended || s->closed)
    return;
  s->reading = 1;
  if (s->phase == HANDSHAKE)
    return;
  update_io(s);
  /* TLS may hold bytes, decrypted or read ahead, that no socket event
   * will announce. */
  if (s->ssl != NULL && SSL_has_pending(s->ssl))
    ev_feed_event(s->loop->ev, &s->io, EV_READ);
}

void async__stream_read_stop(async__stream_t *s) {
  if (!s->reading)
    return;
  s->reading = 0;
  update_io(s);
}

/* ---- the handshake ---------------------------------------------------- */

static void handshake_done(async__stream_t *s, int err, char *message) {
  async__stream_ready_cb ready = s->ready;

  s->ready = NULL;
  if (err == 0) {
    s->phase = SECURE;
    /* From now on the record buffers stay while the connection is in
     * use (see async__stream_trim). */
    SSL_clear_mode(s->ssl, SSL_MODE_RELEASE_BUFFERS);
    s->busy++;
    ready(s, 0, NULL, s->ready_userdata);
    if (leave(s))
      return;
    if (s->len > s->sent || s->shutdown_wanted)
      write_some(s);
    else
      update_io(s);
    return;
  }
  s->busy++;
  ready(s, err, message, s->ready_userdata);
  async__free(message);
  s->closed = 1;
  leave(s);
}

static void handshake_step(async__stream_t *s) {
  int r = SSL_connect(s->ssl);
  int e;
  char *message = NULL;
  int err;

  if (r == 1) {
    handshake_done(s, 0, NULL);
    return;
  }
  e = SSL_get_error(s->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    io_stop(s);
    ev_io_set(&s->io, s->fd, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
    io_start(s);
    return;
  }
  err = async__tls_handshake_error(s->ssl, e, s->host, &message);
  io_stop(s);
  handshake_done(s, err, message);
}

static void on_io(struct ev_loop *ev, ev_io *io, int revents) {
  async__stream_t *s = io->data;

  (void)ev;
  /* Callbacks may close the stream: it is freed on the way out. */
  s->busy++;
  if (s->phase == HANDSHAKE) {
    handshake_step(s);
  } else {
    if ((revents & EV_WRITE) || s->tls_wants_write) {
      s->tls_wants_write = 0;
      if (s->len > s->sent)
        write_some(s);
    }
    if (!s->closed &&
        ((revents & EV_READ) || (revents & EV_WRITE && s->reading)))
      read_some(s);
  }
  leave(s);
}

int async__stream_start_tls(async__stream_t *s, async__tls_t *tls,
                            const char *host, int port,
                            async__stream_ready_cb ready, void *userdata) {
  if ((s->host = async__strdup(host)) == NULL ||
      (s->ssl = async__tls_ssl_new(tls, host, port)) == NULL ||
      async__tls_attach(s->ssl, s->fd) < 0)
    return ASYNC_ENOMEM;
  s->tls = async__tls_retain(tls);
  /* A handshake waits for its peer several times: a buffer held at each
   * wait, by thousands of handshakes at once, is most of their memory. */
  SSL_set_mode(s->ssl, SSL_MODE_RELEASE_BUFFERS);
  s->phase = HANDSHAKE;
  s->ready = ready;
  s->ready_userdata = userdata;
  /* The first step runs from the loop, so ready never runs in here. */
  ev_io_set(&s->io, s->fd, EV_WRITE);
  io_start(s);
  return 0;
}

/* ---- life ------------------------------------------------------------- */

async__stream_t *async__stream_new(async_loop_t *loop, int fd) {
  async__stream_t *s = async__calloc(1, sizeof(*s));

  if (s == NULL) {
    close(fd);
    return NULL;
  }
  s->loop = loop;
  s->fd = fd;
  s->phase = PLAIN;
  ev_io_init(&s->io, on_io, fd, 0);
  s->io.data = s;
  return s;
}

void async__stream_set_handler(async__stream_t *s,
                               const async__stream_handler_t *handler,
                               void *userdata) {
  s->handler = handler;
  s->userdata = userdata;
}

void async__stream_close(async__stream_t *s) {
  if (s == NULL || s->closed)
    return;
  s->closed = 1;
  io_stop(s);
  if (s->busy == 0)
    free_stream(s);
}

int async__stream_resumed(async__stream_t *s) {
  return s->ssl != NULL && SSL_session_reused(s->ssl);
}

const char *async__stream_alpn(async__stream_t *s) {
  const unsigned char *data;
  unsigned int len;

  if (s->ssl == NULL)
    return NULL;
  SSL_get0_alpn_selected(s->ssl, &data, &len);
  if (len == 0 || len >= sizeof(s->alpn))
    return NULL;
  memcpy(s->alpn, data, len);
  s->alpn[len] = '\0';
  return s->alpn;
}
