/*
 * An exchange: one request's life, from the queue to the last byte of its
 * response — connections taken and given back, redirects followed, a
 * stale pooled connection retried once, one deadline over all of it.
 */
#include "http/session.h"

#include <libasync/error.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/combine.h"

#define BODY_CHUNK 65536

static void begin_attempt(async__exchange_t *ex);

/* ---- ending ----------------------------------------------------------- */

static void leave_deadlines(async__exchange_t *ex);

/* Lets go of everything the exchange holds on the loop. */
static void cleanup(async__exchange_t *ex) {
  async_session_t *s = ex->session;
  async__conn_t *c = ex->conn;

  async__session_forget(s, ex);
  if (c != NULL) {
    ex->conn = NULL;
    async__stream_set_handler(c->stream, NULL, NULL);
    async__session_release(s, c, 0);
  }
  leave_deadlines(ex);
  async__timer_free(ex->deadline);
  async__timer_free(ex->read_timer);
  async__timer_free(ex->queue_timer);
  ex->deadline = ex->read_timer = ex->queue_timer = NULL;
  async__list_remove(&ex->link);
  if (ex->body_fd >= 0)
    close(ex->body_fd);
  ex->body_fd = -1;
  if (ex->parser_on)
    async__parser_free(&ex->parser);
  ex->parser_on = 0;
  async__decoder_free(&ex->decoder);
  if (ex->response != NULL)
    ex->response->exchange = NULL;
}

void async__exchange_fail(async__exchange_t *ex, int err, const char *message) {
  char *text;

  if (!async__future_pending(&ex->op.base))
    return;
  /* Every message names the URL. */
  text = message != NULL && strstr(message, ex->url->text) != NULL
             ? async__strdup(message)
             : async__format("%s: %s", ex->url->text,
                             message ? message : async_strerror(err));
  cleanup(ex);
  async__future_fail(&ex->op.base, err, text);
}

static void finish_ok(async__exchange_t *ex) {
  async_response_t *r = ex->response;

  r->times[ASYNC_TIME_TOTAL] =
      async__loop_now(ex->session->loop) - ex->start;
  r->url = ex->url->text;
  if (ex->url == &ex->own_url) {
    /* Redirected: the response takes the last URL's block. */
    async__free(r->url_block);
    r->url_block = ex->own_url.block;
    memset(&ex->own_url, 0, sizeof(ex->own_url));
    ex->url = &ex->request->url;
  } else if (r->request == NULL) {
    r->request = async_request_retain(ex->request);
  }
  cleanup(ex);
  ex->response = NULL;
  async__future_done(&ex->op.base, r, async__response_free_value);
}

static void on_deadline(async__timer_t *timer, void *data) {
  async__exchange_t *ex = data;
  const char *phase = ex->dial != NULL ? async__dial_phase(ex->dial)
                                       : ex->phase;
  char *message = async__format(
      "timed out after %g s (%s)",
      async__opt_double(&ex->request->options, &ex->session->options,
                        ASYNC_SESSION_TIMEOUT),
      phase);

  (void)timer;
  async__exchange_fail(ex, ASYNC_ETIMEDOUT, message);
  async__free(message);
}

/*
 * The deadline of most exchanges is their session's timeout, counted from
 * their start: deadlines then come in the order the exchanges start, so
 * the session keeps those exchanges in a list, oldest first, under one
 * timer armed for the first. Starting or ending an exchange is a list
 * operation, not a timer of its own made, armed, disarmed and freed (the
 * timer stops when the list empties). An exchange whose request sets its
 * own timeout, or that starts while the list holds deadlines of another
 * timeout, has a timer of its own.
 */
static void on_deadlines(async__timer_t *timer, void *data) {
  async_session_t *s = data;
  double now = async__loop_now(s->loop);

  while (!async__list_empty(&s->deadlines)) {
    async__exchange_t *ex = async__container_of(
        s->deadlines.next, async__exchange_t, deadline_link);
    if (ex->deadline_at > now) {
      async__timer_start(timer, ex->deadline_at - now);
      return;
    }
    async__list_remove(&ex->deadline_link);
    on_deadline(timer, ex);
  }
}

/* Puts ex on its session's list. Returns 1, 0 (the list holds another
 * timeout: ex needs a timer of its own) or ASYNC_ENOMEM. */
static int join_deadlines(async__exchange_t *ex, double timeout) {
  async_session_t *s = ex->session;
  int empty = async__list_empty(&s->deadlines);

  if (!empty && s->deadlines_timeout != timeout)
    return 0;
  if (s->deadlines_timer == NULL &&
      (s->deadlines_timer = async__timer_new(s->loop, on_deadlines, s)) ==
          NULL)
    return ASYNC_ENOMEM;
  if (empty && async__timer_start(s->deadlines_timer, timeout) < 0)
    return ASYNC_ENOMEM;
  s->deadlines_timeout = timeout;
  ex->deadline_at = ex->start + timeout;
  async__list_push(&s->deadlines, &ex->deadline_link);
  return 1;
}

static void leave_deadlines(async__exchange_t *ex) {
  async_session_t *s = ex->session;

  if (async__list_empty(&ex->deadline_link))
    return;
  async__list_remove(&ex->deadline_link);
  if (async__list_empty(&s->deadlines))
    async__timer_stop(s->deadlines_timer);
}

/* Arms the exchange's deadline. Returns 0 or ASYNC_ENOMEM. */
static int arm_deadline(async__exchange_t *ex) {
  double timeout = async__opt_double(&ex->request->options,
                                     &ex->session->options,
                                     ASYNC_SESSION_TIMEOUT);
  int rv;

  if (async__timeout_forever(timeout))
    return 0;
  if (!(ex->request->options.double_set &
        (1u << (ASYNC_SESSION_TIMEOUT % 10000 - 1))) &&
      (rv = join_deadlines(ex, timeout)) != 0)
    return rv < 0 ? rv : 0;
  if ((ex->deadline = async__timer_new(ex->session->loop, on_deadline, ex)) ==
          NULL ||
      async__timer_start(ex->deadline, timeout) < 0)
    return ASYNC_ENOMEM;
  return 0;
}

static void on_read_timeout(async__timer_t *timer, void *data) {
  async__exchange_t *ex = data;
  char *message = async__format(
      "no data for %g s (%s)",
      async__opt_double(&ex->request->options, &ex->session->options,
                        ASYNC_SESSION_READ_TIMEOUT),
      ex->phase);

  (void)timer;
  async__exchange_fail(ex, ASYNC_ETIMEDOUT, message);
  async__free(message);
}

static void arm_read_timer(async__exchange_t *ex) {
  double t = async__opt_double(&ex->request->options, &ex->session->options,
                               ASYNC_SESSION_READ_TIMEOUT);

  if (async__timeout_forever(t))
    return;
  /* Made on first use: most requests have no read timeout. */
  if (ex->read_timer == NULL &&
      (ex->read_timer = async__timer_new(ex->session->loop, on_read_timeout,
                                         ex)) == NULL)
    return;
  async__timer_start(ex->read_timer, t);
}

/* ---- the response ----------------------------------------------------- */

static int opt_int(async__exchange_t *ex, int opt) {
  return (int)async__opt_int(&ex->request->options, &ex->session->options,
                             opt);
}

static int deliver(void *userdata, const char *data, size_t len) {
  async__exchange_t *ex = userdata;
  async_request_t *r = ex->request;
  int64_t max = async__opt_int(&r->options, &ex->session->options,
                               ASYNC_SESSION_MAX_BODY_BYTES);

  if (r->on_data != NULL) {
    r->on_data(ex->response, data, len, r->stream_userdata);
    return async__future_pending(&ex->op.base) ? 0 : ASYNC_ECANCELLED;
  }
  if (max > 0 && (int64_t)(ex->response->body_len + len) > max)
    return ASYNC_ETOOLARGE;
  return async__response_append(ex->response, data, len);
}

static int is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

/* Whether the response just headed is a redirect to follow; if so, the
 * next attempt's URL and method are set. */
static int plan_redirect(async__exchange_t *ex) {
  async_response_t *r = ex->response;
  const char *location;
  async__url_t next;
  const char *why;
  char *target;
  int status = r->status;

  if (!is_redirect(status) || !opt_int(ex, ASYNC_SESSION_FOLLOW_REDIRECTS))
    return 0;
  location = ex->parser.location;
  if (location == NULL || *location == '\0')
    return 0;
  /* 307 and 308 resend the body: not one that cannot be replayed. */
  if ((status == 307 || status == 308) && ex->with_body &&
      ex->request->body_kind == ASYNC__BODY_PRODUCER)
    return 0;
  if ((target = async__url_resolve(ex->url, location)) == NULL)
    return 0;
  /* A Location that is not http(s) is never followed. */
  if (async__url_parse(&next, target, &why) < 0) {
    async__free(target);
    return 0;
  }
  async__free(target);
  if (!async__url_same_origin(ex->url, &next))
    ex->drop_credentials = 1;
  if (status == 303 ? strcmp(ex->method, "HEAD") != 0
                    : (status == 301 || status == 302) &&
                          strcmp(ex->method, "GET") != 0 &&
                          strcmp(ex->method, "HEAD") != 0) {
    ex->method = "GET";
    ex->with_body = 0;
  }
  async__url_free(&ex->own_url);
  ex->own_url = next;
  ex->url = &ex->own_url;
  return 1;
}

static int on_head(async__parser_t *p, void *userdata) {
  async__exchange_t *ex = userdata;
  async_response_t *r = ex->response;
  const char *ka = p->keep_alive, *encoding = p->content_encoding;
  char *message = NULL;
  int rv;

  ex->phase = "body";
  if (ka != NULL && ex->conn != NULL) {
    const char *t = strstr(ka, "timeout=");
    if (t != NULL)
      ex->conn->keep_alive = atof(t + 8);
  }
  ex->redirect = plan_redirect(ex);
  if (ex->redirect)
    return 0;
  if (encoding != NULL && opt_int(ex, ASYNC_SESSION_DECOMPRESS) &&
      strcmp(ex->method, "HEAD") != 0 && r->status != 204 &&
      r->status != 304) {
    rv = async__decoder_init(&ex->decoder, encoding, &message);
    if (rv < 0) {
      async__exchange_fail(ex, rv, message);
      async__free(message);
      return rv;
    }
  }
  if (ex->request->on_data == NULL && !ex->decoder.active &&
      !ex->parser.head_only && r->status != 204 && r->status != 304 &&
      ex->parser.llhttp.content_length > 0 &&
      ex->parser.llhttp.content_length < (uint64_t)64 << 20) {
    /* The size is known: one allocation, no copies as it grows. */
    int64_t max = async__opt_int(&ex->request->options, &ex->session->options,
                                 ASYNC_SESSION_MAX_BODY_BYTES);
    if (max == 0 || (int64_t)ex->parser.llhttp.content_length <= max)
      async__response_reserve(r, (size_t)ex->parser.llhttp.content_length);
  }
  if (ex->request->on_headers != NULL || ex->request->on_data != NULL) {
    r->loop = ex->session->loop;
    r->exchange = ex;
    if (ex->request->on_headers != NULL)
      ex->request->on_headers(r, ex->request->stream_userdata);
    if (!async__future_pending(&ex->op.base))
      return ASYNC_ECANCELLED;
  }
  return 0;
}

static int on_body(async__parser_t *p, const char *data, size_t len,
                   void *userdata) {
  async__exchange_t *ex = userdata;
  char *message = NULL;
  int rv;

  (void)p;
  if (ex->redirect)
    return 0;
  rv = async__decoder_feed(&ex->decoder, data, len, deliver, ex, &message);
  if (rv < 0) {
    if (rv == ASYNC_ETOOLARGE)
      message = async__format(
          "body larger than %lld bytes",
          (long long)async__opt_int(&ex->request->options,
                                    &ex->session->options,
                                    ASYNC_SESSION_MAX_BODY_BYTES));
    async__exchange_fail(ex, rv, message);
    async__free(message);
  }
  return rv;
}

static const async__parser_handler_t parser_handler = {on_head, on_body};

/* Starts the next attempt afresh: new response head, same exchange. */
static void reset_response(async__exchange_t *ex) {
  async_response_t *r = ex->response;

  async__response_clear_head(r);
  r->body_len = 0;
  if (r->body != NULL)
    r->body[0] = '\0';
  r->status = 0;
  if (ex->parser_on)
    async__parser_free(&ex->parser);
  ex->parser_on = 0;
  async__decoder_free(&ex->decoder);
  ex->redirect = 0;
  ex->got_bytes = 0;
}

static void response_complete(async__exchange_t *ex, int unsolicited) {
  async__conn_t *c = ex->conn;
  char *message = NULL;
  int reusable;
  int rv;

  if (!ex->redirect &&
      (rv = async__decoder_finish(&ex->decoder, &message)) < 0) {
    async__exchange_fail(ex, rv, message);
    async__free(message);
    return;
  }
  reusable = async__parser_keep_alive(&ex->parser) && !unsolicited &&
             ex->body_done;
  ex->conn = NULL;
  async__timer_stop(ex->read_timer);
  async__stream_set_handler(c->stream, NULL, NULL);
  async__session_release(ex->session, c, reusable);
  if (!ex->redirect) {
    finish_ok(ex);
    return;
  }
  if (++ex->response->redirects > opt_int(ex, ASYNC_SESSION_MAX_REDIRECTS)) {
    message = async__format("too many redirects (more than %d) ending at %s",
                            opt_int(ex, ASYNC_SESSION_MAX_REDIRECTS),
                            ex->url->text);
    async__exchange_fail(ex, ASYNC_EREDIRECTS, message);
    async__free(message);
    return;
  }
  reset_response(ex);
  begin_attempt(ex);
}

/* A request that may go again on a fresh connection: it failed on a
 * reused one before any response byte, it is idempotent, and its body
 * can be sent again. */
static int may_retry(async__exchange_t *ex) {
  static const char *const idempotent[] = {"GET",    "HEAD",  "PUT",
                                           "DELETE", "OPTIONS", "TRACE"};
  size_t i;

  if (ex->retried || !ex->response->reused || ex->got_bytes ||
      ex->request->body_kind == ASYNC__BODY_PRODUCER)
    return 0;
  for (i = 0; i < sizeof(idempotent) / sizeof(idempotent[0]); i++) {
    if (strcmp(ex->method, idempotent[i]) == 0)
      return 1;
  }
  return 0;
}

static void retry(async__exchange_t *ex) {
  async__conn_t *c = ex->conn;

  ex->conn = NULL;
  async__stream_set_handler(c->stream, NULL, NULL);
  async__session_release(ex->session, c, 0);
  ex->retried = 1;
  ex->force_new = 1;
  reset_response(ex);
  begin_attempt(ex);
}

static void on_data(async__stream_t *stream, const char *data, size_t len,
                    void *userdata) {
  async__exchange_t *ex = userdata;
  size_t used;
  int rv;

  (void)stream;
  if (!ex->got_bytes) {
    ex->got_bytes = 1;
    ex->response->times[ASYNC_TIME_FIRST_BYTE] =
        async__loop_now(ex->session->loop) - ex->start;
  }
  if (!ex->paused)
    arm_read_timer(ex);
  rv = async__parser_feed(&ex->parser, data, len, &used);
  if (!async__future_pending(&ex->op.base))
    return; /* a callback of the parser ended it */
  if (rv < 0) {
    async__exchange_fail(ex, rv, ex->parser.message);
    return;
  }
  if (rv == 1)
    response_complete(ex, used < len);
}

static void on_end(async__stream_t *stream, int err, const char *message,
                   void *userdata) {
  async__exchange_t *ex = userdata;
  int rv;
  char *text;

  (void)stream;
  rv = async__parser_eof(&ex->parser);
  if (rv == 1 && err != ASYNC_ERECV) {
    if (err == ASYNC_EPARTIAL && !ex->parser.complete) {
      /* Close-delimited over TLS without close_notify: maybe cut. */
      async__exchange_fail(ex, ASYNC_EPARTIAL, message);
      return;
    }
    ex->parser.complete = 1;
    response_complete(ex, 1);
    return;
  }
  if (may_retry(ex)) {
    retry(ex);
    return;
  }
  if (err == ASYNC_ERECV || err == ASYNC_ESEND) {
    text = async__format("connection failed (%s): %s", ex->phase,
                         message ? message : "reset by peer");
    async__exchange_fail(ex, err, text);
  } else if (rv == ASYNC_EEMPTY) {
    text = async__strdup("the server closed the connection without "
                         "sending anything");
    async__exchange_fail(ex, ASYNC_EEMPTY, text);
  } else {
    text = async__format("the response ended early (%s)", ex->phase);
    async__exchange_fail(ex, ASYNC_EPARTIAL, text);
  }
  async__free(text);
}

/* ---- the request ------------------------------------------------------ */

static void send_more(async__exchange_t *ex);

static void on_drain(async__stream_t *stream, void *userdata) {
  (void)stream;
  send_more(userdata);
}

static const async__stream_handler_t exchange_handler = {on_data, on_end,
                                                         on_drain};

/* Sends the next piece of a file or produced body. */
static void send_piece(async__exchange_t *ex) {
  async__stream_t *st;
  char buf[BODY_CHUNK + 16];
  char *data = buf + 12;
  int64_t n;

  if (ex->body_done || ex->conn == NULL)
    return;
  st = ex->conn->stream;
  if (ex->request->body_kind == ASYNC__BODY_FILE) {
    n = read(ex->body_fd, data, BODY_CHUNK);
    if (n < 0) {
      char *m = async__format("could not read %s: %s", ex->request->body,
                              strerror(errno));
      async__exchange_fail(ex, ASYNC_EIO, m);
      async__free(m);
      return;
    }
  } else {
    size_t want = BODY_CHUNK;
    if (ex->body_left >= 0 && ex->body_left < (int64_t)want)
      want = (size_t)ex->body_left;
    n = want > 0 ? ex->request->producer(ex->request->producer_userdata, data,
                                         want)
                 : 0;
    if (n < 0 || (int64_t)n > (int64_t)want) {
      async__exchange_fail(ex, n < 0 ? (int)n : ASYNC_EINVAL,
                           "the body producer failed");
      return;
    }
    if (ex->body_left >= 0)
      ex->body_left -= n;
    if (n == 0 && ex->body_left > 0) {
      async__exchange_fail(ex, ASYNC_EIO,
                           "the body producer ended before the length it "
                           "announced");
      return;
    }
  }
  /* Done before the write, whose drain may call back at once. */
  if (n == 0)
    ex->body_done = 1;
  if (ex->chunked) {
    int head = snprintf(buf, 12, "%llx\r\n", (unsigned long long)n);
    memmove(data - head, buf, (size_t)head);
    memcpy(data + n, n > 0 ? "\r\n" : "\r\n", 2);
    async__stream_write(st, data - head, (size_t)(head + n + 2));
  } else if (n > 0) {
    async__stream_write(st, data, (size_t)n);
  }
}

/* A write that drains at once calls on_drain from inside it: pieces are
 * sent in a loop here, never by recursion. */
static void send_more(async__exchange_t *ex) {
  if (ex->sending) {
    ex->more_wanted = 1;
    return;
  }
  ex->sending = 1;
  do {
    ex->more_wanted = 0;
    send_piece(ex);
  } while (ex->more_wanted && !ex->body_done && ex->conn != NULL &&
           async__future_pending(&ex->op.base));
  ex->sending = 0;
}

/* The body's length for the head, opening a file body; -1: chunked.
 * Returns 0 or an error (the file cannot be read). */
static int body_length(async__exchange_t *ex, int64_t *length) {
  async_request_t *r = ex->request;
  struct stat st;
  char *message;

  ex->chunked = 0;
  ex->body_done = 1;
  if (!ex->with_body || r->body_kind == ASYNC__BODY_NONE) {
    *length = 0;
    return 0;
  }
  if (r->body_kind == ASYNC__BODY_BUFFER) {
    *length = (int64_t)r->body_len;
    return 0;
  }
  ex->body_done = 0;
  if (r->body_kind == ASYNC__BODY_PRODUCER) {
    *length = r->producer_length;
    ex->body_left = r->producer_length;
    ex->chunked = *length < 0;
    return 0;
  }
  if (ex->body_fd >= 0)
    close(ex->body_fd);
  ex->body_fd = open(r->body, O_RDONLY | O_CLOEXEC);
  if (ex->body_fd < 0 || fstat(ex->body_fd, &st) < 0) {
    message = async__format("could not read %s: %s", r->body, strerror(errno));
    async__exchange_fail(ex, ASYNC_EIO, message);
    async__free(message);
    return ASYNC_EIO;
  }
  *length = st.st_size;
  return 0;
}

/* Caches a request's first head. Set once: a head cached for one session
 * is never replaced (a reader on another loop may be writing it), and
 * the request's sends through others serialise theirs. */
static void cache_head(async_request_t *r, const async_session_t *s,
                       int absolute, const async__buf_t *buf) {
  async__head_cache_t *h = async__malloc(sizeof(*h) + buf->len);
  async__head_cache_t *none = NULL;

  if (h == NULL)
    return; /* only a cache */
  h->session = s->id;
  h->generation = s->generation;
  h->absolute = absolute;
  h->len = buf->len;
  memcpy(h->data, buf->data, buf->len);
  if (!atomic_compare_exchange_strong_explicit(&r->head, &none, h,
                                               memory_order_release,
                                               memory_order_relaxed))
    async__free(h);
}

/* Writes the request's head, reusing what its first send through this
 * session wrote when nothing it depends on changed: a benchmark's
 * thousands of identical requests are serialised once. */
static int write_head(async__exchange_t *ex, async__conn_t *c, int64_t length) {
  async_session_t *s = ex->session;
  async_request_t *r = ex->request;
  const char *proxy = async__session_proxy_for(s, ex->url);
  int absolute = proxy != NULL && !ex->url->https;
  int cacheable = ex->response->redirects == 0 &&
                  (r->body_kind == ASYNC__BODY_NONE ||
                   r->body_kind == ASYNC__BODY_BUFFER);
  async__head_t head;
  async__buf_t buf = {NULL, 0, 0};
  char *auth = NULL;
  int rv;

  if (cacheable) {
    const async__head_cache_t *h =
        atomic_load_explicit(&r->head, memory_order_acquire);
    if (h != NULL && h->session == s->id && h->generation == s->generation &&
        h->absolute == absolute) {
      rv = async__stream_write(c->stream, h->data, h->len);
      return rv == ASYNC_ECLOSED ? 0 : rv;
    }
  }
  if (ex->url->userinfo != NULL && !ex->drop_credentials &&
      (auth = async__basic_auth(ex->url->userinfo)) == NULL)
    return ASYNC_ENOMEM;
  memset(&head, 0, sizeof(head));
  head.request = r;
  head.method = ex->method;
  head.url = ex->url;
  head.defaults = &s->headers;
  head.user_agent = r->options.user_agent ? r->options.user_agent
                                          : s->user_agent;
  head.authorization = auth;
  head.decompress = opt_int(ex, ASYNC_SESSION_DECOMPRESS);
  head.absolute_form = absolute;
  head.drop_credentials = ex->drop_credentials;
  head.body_length = length;
  head.suppressed = s->suppressed;
  rv = async__request_head(&buf, &head);
  async__free(auth);
  if (rv < 0)
    return rv;
  async__stream_write(c->stream, buf.data, buf.len);
  if (cacheable && atomic_load_explicit(&r->head, memory_order_relaxed) == NULL)
    cache_head(r, s, absolute, &buf);
  async__free(buf.data);
  return 0;
}

void async__exchange_use(async__exchange_t *ex, async__conn_t *c, int reused) {
  async_response_t *r = ex->response;
  int64_t length;

  ex->conn = c;
  c->requests++;
  r->reused = reused;
  r->times[ASYNC_TIME_QUEUE] =
      async__loop_now(ex->session->loop) - ex->start;
  if (reused) {
    r->times[ASYNC_TIME_DNS] = r->times[ASYNC_TIME_CONNECT] =
        r->times[ASYNC_TIME_TLS] = r->times[ASYNC_TIME_QUEUE];
  }
  if (body_length(ex, &length) < 0)
    return;
  async__parser_init(&ex->parser, r, strcmp(ex->method, "HEAD") == 0,
                     (size_t)opt_int(ex, ASYNC_SESSION_MAX_HEADER_BYTES),
                     (size_t)opt_int(ex, ASYNC_SESSION_MAX_HEADER_FIELDS),
                     &parser_handler, ex);
  ex->parser_on = 1;
  ex->phase = "first byte";
  async__stream_set_handler(c->stream, &exchange_handler, ex);
  if (write_head(ex, c, length) < 0) {
    async__exchange_fail(ex, ASYNC_ENOMEM, NULL);
    return;
  }
  if (ex->with_body && ex->request->body_kind == ASYNC__BODY_BUFFER &&
      ex->request->body_len > 0)
    async__stream_write(c->stream, ex->request->body, ex->request->body_len);
  if (!ex->body_done)
    send_more(ex);
  if (!async__future_pending(&ex->op.base))
    return;
  if (ex->paused)
    async__stream_read_stop(c->stream);
  else
    async__stream_read_start(c->stream);
  arm_read_timer(ex);
}

/* ---- starting --------------------------------------------------------- */

static int ensure_tls(async__exchange_t *ex) {
  async_session_t *s = ex->session;
  async__tls_config_t config;
  char *error = NULL;
  int rv;

  if (s->tls != NULL)
    return 0;
  config.verify = (int)async__opt_int(NULL, &s->options,
                                      ASYNC_SESSION_VERIFY_PEER);
  config.ca_file = s->ca_file;
  config.ca_dir = s->ca_dir;
  config.cert_file = s->cert_file;
  config.key_file = s->key_file;
  if ((rv = async__tls_new(&s->tls, &config, &error)) < 0) {
    async__exchange_fail(ex, rv, error);
    async__free(error);
  }
  return rv;
}

static void begin_attempt(async__exchange_t *ex) {
  if (ex->url->https && ensure_tls(ex) < 0)
    return;
  async__session_acquire(ex->session, ex);
}

static void start_exchange(async__exchange_t *ex) {
  async_session_t *s = ex->session;

  async__future_park(&ex->op.base);
  async__list_push(&s->exchanges, &ex->link);
  if (s->closed) {
    async__future_cancel_now(&ex->op.base);
    return;
  }
  /* Read first: a store on every request would take the line. */
  if (!atomic_load_explicit(&s->started, memory_order_relaxed))
    atomic_store(&s->started, 1);
  ex->start = async__loop_now(s->loop);
  if (arm_deadline(ex) < 0) {
    async__exchange_fail(ex, ASYNC_ENOMEM, NULL);
    return;
  }
  begin_attempt(ex);
}

static void start_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  start_exchange((async__exchange_t *)call->future);
}

static void exchange_cancel(async__op_t *op) {
  async__exchange_t *ex = (async__exchange_t *)op;
  /* As every failure's, the message names the URL. */
  char *text =
      async__format("%s: %s", ex->url->text, async_strerror(ASYNC_ECANCELLED));

  cleanup(ex);
  async__future_cancel_with(&op->base, text);
}

static void exchange_destroy(async__op_t *op) {
  async__exchange_t *ex = (async__exchange_t *)op;

  async_response_release(ex->response);
  async__url_free(&ex->own_url);
  async_request_release(ex->request);
  async_session_release(ex->session);
}

static const async__op_class_t exchange_class = {exchange_cancel,
                                                 exchange_destroy};

static void call_back(async_future_t *f, void *userdata) {
  async__exchange_t *ex = (async__exchange_t *)f;

  (void)userdata;
  if (async_future_state(f) == ASYNC_DONE)
    ex->cb(async_future_value(f), 0, NULL, ex->cb_userdata);
  else
    ex->cb(NULL, async_future_error(f), async_future_message(f),
           ex->cb_userdata);
}

int async__exchange_submit(async_session_t *s, async_request_t *r,
                           async_response_cb cb, void *userdata,
                           async_future_t **out) {
  async__call_t call = {0};
  async__exchange_t *ex;
  int rv;

  if (s == NULL || r == NULL)
    return ASYNC_EINVAL;
  ex = (async__exchange_t *)async__op_alloc(s->loop, &exchange_class,
                                            sizeof(*ex));
  if (ex == NULL)
    return ASYNC_ENOMEM;
  async__list_init(&ex->link);
  async__list_init(&ex->wait_link);
  async__list_init(&ex->deadline_link);
  ex->body_fd = -1;
  ex->session = async_session_retain(s);
  ex->request = async_request_retain(r);
  ex->with_body = 1;
  ex->method = r->method; /* the request outlives the exchange */
  ex->response = async__response_new();
  if (cb != NULL) {
    ex->cb = cb;
    ex->cb_userdata = userdata;
    ex->op.base.cb = call_back;
  }
  ex->url = &r->url; /* the request's own, until a redirect */
  if (ex->response == NULL) {
    async_future_release(&ex->op.base);
    async_future_release(&ex->op.base);
    return ASYNC_ENOMEM;
  }
  atomic_store(&r->sent, 1);
  call.future = &ex->op.base;
  if ((rv = async__loop_exec(s->loop, start_call, &call)) < 0) {
    async_future_release(&ex->op.base);
    async_future_release(&ex->op.base);
    return rv;
  }
  if (out != NULL)
    *out = &ex->op.base;
  else
    async_future_release(&ex->op.base);
  return 0;
}

/* ---- back-pressure ---------------------------------------------------- */

static void pause_call(async_loop_t *loop, async__call_t *call) {
  async_response_t *r = call->p1;
  async__exchange_t *ex = r->exchange;

  (void)loop;
  if (ex != NULL) {
    ex->paused = (int)call->i1;
    if (ex->conn != NULL) {
      /* Paused, the wait for data is the client's: no read timeout. */
      if (ex->paused) {
        async__stream_read_stop(ex->conn->stream);
        async__timer_stop(ex->read_timer);
      } else {
        async__stream_read_start(ex->conn->stream);
        arm_read_timer(ex);
      }
    }
  }
  async_response_release(r);
}

static int set_paused(async_response_t *r, int paused) {
  async__call_t call = {0};
  int rv;

  if (r == NULL)
    return ASYNC_EINVAL;
  if (r->loop == NULL)
    return ASYNC_EBUSY;
  call.p1 = async_response_retain(r);
  call.i1 = paused;
  if ((rv = async__loop_exec(r->loop, pause_call, &call)) < 0)
    async_response_release(r);
  return rv;
}

ASYNC_EXTERN int async_response_pause(async_response_t *r) {
  return set_paused(r, 1);
}

ASYNC_EXTERN int async_response_resume(async_response_t *r) {
  return set_paused(r, 0);
}
