/*
 * Sessions inside the library: the pool of connections per origin, the
 * limits and the FIFO queue of requests waiting for a connection, and
 * the exchanges (requests in flight) that use them. Loop thread only,
 * unless a function says otherwise.
 */
#ifndef ASYNC_HTTP_SESSION_H
#define ASYNC_HTTP_SESSION_H

#include <libasync/http.h>
#include <libasync/net.h>

#include <stdatomic.h>

#include "core/future.h"
#include "core/list.h"
#include "core/loop.h"
#include "core/timer.h"
#include "http/decode.h"
#include "http/message.h"
#include "http/parser.h"
#include "http/request.h"
#include "net/dial.h"

typedef struct async__host async__host_t;
typedef struct async__conn async__conn_t;
typedef struct async__exchange async__exchange_t;

struct async_session {
  atomic_uint refs;
  atomic_int finishers;
  atomic_int started; /* a request was sent: TLS, DNS, proxy are fixed */
  atomic_llong stat_opened;
  atomic_llong stat_open;
  async_loop_t *loop;
  async__closer_t closer;
  int closed;

  uint64_t id;         /* unique in the process, unlike its address */
  async__http_options_t options;
  unsigned generation; /* counts option changes: cached heads go stale */
  char *user_agent;
  async__headers_t headers; /* sent with every request */
  unsigned suppressed;      /* library headers not to send (ASYNC__NO_*) */
  char *ca_file, *ca_dir, *cert_file, *key_file;
  async__tls_t *tls; /* made for the first https request */
  async_resolver_t *resolver;
  char *proxy;    /* a URL, or NULL */
  char *no_proxy; /* a list, or NULL */
  int env_read;
  char *env_http_proxy;  /* from the environment, when trusted */
  char *env_https_proxy;

  async__list_t hosts;     /* async__host_t */
  async__list_t waiting;   /* exchanges waiting for a connection, FIFO */
  async__list_t exchanges; /* every exchange in flight */
  size_t open;             /* connections open or opening */

  /* Exchanges whose deadline is the session's timeout, in the order they
   * started, hence of their deadlines; one timer for the first (see
   * exchange.c). */
  async__list_t deadlines;
  double deadlines_timeout;
  async__timer_t *deadlines_timer;
};

/* Connections to one origin (through one proxy). */
struct async__host {
  async__list_t link;
  int https;
  int port;
  char *name;
  char *proxy; /* NULL: direct */
  async__list_t idle; /* most recently used first */
  size_t open;        /* open or opening */
};

struct async__conn {
  async__list_t link; /* on host->idle while idle */
  async_session_t *session;
  async__host_t *host;
  async__stream_t *stream;
  async__exchange_t *exchange; /* the one it serves, or NULL when idle */
  async__timer_t *idle_timer; /* armed lazily: see on_idle_timeout */
  double idle_since;           /* when it last went back to the pool */
  int idle;                    /* in the pool */
  async__before_wait_t trim; /* queued while it is newly idle */
  double created;
  double keep_alive; /* the server's Keep-Alive: timeout=, or 0 */
  int requests;
};

/* A request in flight: its future, its attempt, its response. */
struct async__exchange {
  async__op_t op;
  async__list_t link;      /* session->exchanges */
  async__list_t wait_link; /* session->waiting while queued */
  async_session_t *session;
  async_request_t *request;

  /* The current attempt (redirects make new ones). */
  const char *method; /* the request's, or "GET" after a 303 */
  const async__url_t *url; /* the request's, or own_url after a redirect */
  async__url_t own_url;
  int drop_credentials;
  int with_body;
  async__host_t *host;
  async__conn_t *conn;
  async__dial_t *dial;
  double dial_start;
  const char *phase;
  int force_new; /* retrying a stale connection: a fresh one */

  async__parser_t parser;
  int parser_on;
  async__decoder_t decoder;
  int redirect; /* the current response is a redirect to follow */
  int got_bytes;
  int retried;

  /* Sending the body. */
  int body_fd;
  int64_t body_left; /* for a producer of known length */
  int chunked;
  int body_done;
  int sending;     /* inside send_more */
  int more_wanted; /* the stream drained meanwhile */

  async_response_t *response;
  async_response_cb cb; /* the callback form's */
  void *cb_userdata;
  double start;
  async__list_t deadline_link; /* on session->deadlines, or alone */
  double deadline_at;
  async__timer_t *deadline; /* for a timeout of the request's own */
  async__timer_t *read_timer;
  async__timer_t *queue_timer;
  int paused;
};

/* session.c */
async__host_t *async__session_host(async_session_t *s, const async__url_t *url,
                                   const char *proxy);
/* Gets a connection for ex: reuses an idle one, opens one, or queues. */
void async__session_acquire(async_session_t *s, async__exchange_t *ex);
/* ex no longer waits or opens. */
void async__session_forget(async_session_t *s, async__exchange_t *ex);
/* Done with a connection: back to the pool when reusable, else closed. */
void async__session_release(async_session_t *s, async__conn_t *c,
                            int reusable);
/* The proxy URL for url, or NULL. */
const char *async__session_proxy_for(async_session_t *s,
                                     const async__url_t *url);

/* exchange.c */
/* The connection is ready for ex (reused: 1 if from the pool). */
void async__exchange_use(async__exchange_t *ex, async__conn_t *c, int reused);
/* Opening a connection for ex failed. */
void async__exchange_fail(async__exchange_t *ex, int err, const char *message);
/* Sends a request; the future form's core. */
int async__exchange_submit(async_session_t *s, async_request_t *r,
                           async_response_cb cb, void *userdata,
                           async_future_t **out);

#endif /* ASYNC_HTTP_SESSION_H */
