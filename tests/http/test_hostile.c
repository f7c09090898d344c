/*
 * The HTTP client against a scripted hostile server
 * (tests/support/hostile_server.py): every malformed, cut, flooding,
 * endless or silent reply fails with its own error and a message naming
 * the URL; connections are reused only when they may be.
 */
#include "http_helpers.h"

static void expect(const char *path, int err, const char *words)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f;

  NET_OK(async_session_set_double(s, ASYNC_SESSION_TIMEOUT, 10));
  f = get(loop, s, url_of("hostile", path));
  expect_failure(f, err, words);
  cr_assert(strstr(async_future_message(f), url_of("hostile", path)) != NULL,
            "the message names the URL: %s", async_future_message(f));
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, invalid_status_line, .timeout = 30)
{
  expect("/bad-status", ASYNC_EPROTO, "invalid response");
}

Test(hostile, not_http_at_all, .timeout = 30)
{
  expect("/not-http", ASYNC_EPROTO, NULL);
}

Test(hostile, conflicting_lengths, .timeout = 30)
{
  expect("/conflicting-length", ASYNC_EPROTO, NULL);
  expect("/length-and-chunked", ASYNC_EPROTO, NULL);
}

Test(hostile, signed_and_overflowing_lengths, .timeout = 30)
{
  expect("/negative-length", ASYNC_EPROTO, NULL);
  expect("/huge-length", ASYNC_EPROTO, NULL);
}

Test(hostile, bad_chunks, .timeout = 30)
{
  expect("/bad-chunk", ASYNC_EPROTO, NULL);
  expect("/chunk-cut", ASYNC_EPARTIAL, "ended early");
}

Test(hostile, early_close, .timeout = 30)
{
  expect("/short-body", ASYNC_EPARTIAL, "ended early");
  expect("/close-after-headers", ASYNC_EPARTIAL, NULL);
  expect("/empty-reply", ASYNC_EEMPTY, "without sending anything");
}

Test(hostile, resets, .timeout = 30)
{
  expect("/reset-headers", ASYNC_ERECV, NULL);
  expect("/reset-body", ASYNC_ERECV, NULL);
}

Test(hostile, header_floods, .timeout = 30)
{
  expect("/header-flood", ASYNC_ETOOLARGE, NULL);
  expect("/huge-header", ASYNC_ETOOLARGE, "larger than");
}

Test(hostile, endless_bodies_hit_the_body_limit, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_MAX_BODY_BYTES, 100000));
  f = get(loop, s, url_of("hostile", "/endless"));
  expect_failure(f, ASYNC_ETOOLARGE, "100000");
  async_future_release(f);
  NET_OK(async_request_new(&r, "GET", url_of("hostile", "/endless-close")));
  NET_OK(async_request_set_int(r, ASYNC_SESSION_MAX_BODY_BYTES, 0));
  NET_OK(async_request_set_double(r, ASYNC_SESSION_TIMEOUT, 0.5));
  f = fetch(loop, s, r);
  expect_failure(f, ASYNC_ETIMEDOUT, "body");
  async_future_release(f);
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, slow_drip_and_silence_time_out_naming_the_phase, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *drip = NULL, *quiet = NULL;
  async_future_t *f;
  double start;

  NET_OK(async_request_new(&drip, "GET", url_of("hostile", "/slow-drip")));
  NET_OK(async_request_set_double(drip, ASYNC_SESSION_TIMEOUT, 1));
  start = net_now();
  f = fetch(loop, s, drip);
  expect_failure(f, ASYNC_ETIMEDOUT, "(body)");
  cr_assert_lt(net_now() - start, 2);
  async_future_release(f);
  NET_OK(async_request_new(&quiet, "GET", url_of("hostile", "/silence")));
  NET_OK(async_request_set_double(quiet, ASYNC_SESSION_READ_TIMEOUT, 0.3));
  f = fetch(loop, s, quiet);
  expect_failure(f, ASYNC_ETIMEDOUT, "first byte");
  async_future_release(f);
  async_request_release(drip);
  async_request_release(quiet);
  async_session_release(s);
  net_finish(loop);
}

typedef struct timed {
  double sent, ended;
  int err;
  int *left;
} timed_t;

static void on_timed(async_response_t *response, int err, const char *message,
                     void *userdata)
{
  timed_t *t = userdata;

  (void)response;
  (void)message;
  t->ended = net_now();
  t->err = err;
  --*t->left;
}

static void send_timed(async_session_t *s, async_request_t *r, timed_t *t)
{
  t->sent = net_now();
  NET_OK(async_session_send_cb(s, r, on_timed, t));
}

/* Requests that share the session's timeout each end at their own
 * deadline, counted from their own start, whatever the order; one with
 * its own timeout, and one sent after the session's timeout changed, too;
 * and the session works on after them. */
Test(hostile, every_request_times_out_at_its_own_deadline, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *quiet = NULL, *own = NULL;
  async_future_t *f;
  timed_t t[4];
  int left = 4, i;

  memset(t, 0, sizeof(t));
  for (i = 0; i < 4; i++)
    t[i].left = &left;
  NET_OK(async_session_set_double(s, ASYNC_SESSION_TIMEOUT, 0.6));
  NET_OK(async_request_new(&quiet, "GET", url_of("hostile", "/silence")));
  NET_OK(async_request_new(&own, "GET", url_of("hostile", "/silence")));
  NET_OK(async_request_set_double(own, ASYNC_SESSION_TIMEOUT, 0.3));
  send_timed(s, quiet, &t[0]);
  net_pause(loop, 0.2);
  send_timed(s, quiet, &t[1]);
  send_timed(s, own, &t[2]);
  NET_OK(async_session_set_double(s, ASYNC_SESSION_TIMEOUT, 0.9));
  send_timed(s, quiet, &t[3]);
  while (left > 0)
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_ONCE), 0);
  for (i = 0; i < 4; i++) {
    double want = i == 2 ? 0.3 : i == 3 ? 0.9 : 0.6;
    double took = t[i].ended - t[i].sent;
    cr_assert_eq(t[i].err, ASYNC_ETIMEDOUT, "request %d: %d", i, t[i].err);
    cr_assert(took > want - 0.05 && took < want + 0.3,
              "request %d took %.3f s, its timeout is %.1f s", i, took, want);
  }
  f = get(loop, s, url_of("http", "/"));
  ok_response(f);
  async_future_release(f);
  async_request_release(quiet);
  async_request_release(own);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, broken_and_unknown_encodings, .timeout = 30)
{
  expect("/broken-gzip", ASYNC_EDECODE, "gzip");
  expect("/truncated-gzip", ASYNC_EDECODE, NULL);
  expect("/unknown-encoding", ASYNC_EDECODE, "br-weird");
}

Test(hostile, good_encodings_and_odd_but_valid_replies, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  const char *paths[] = {"/gzip", "/deflate", "/close-delimited", "/no-reason",
                         "/http10", "/204-with-body", "/304"};
  int i;

  for (i = 0; i < 7; i++) {
    async_future_t *f = get(loop, s, url_of("hostile", paths[i]));
    async_response_t *r = ok_response(f);
    size_t len;
    const char *body = async_response_body(r, &len);
    if (i == 0)
      cr_assert(strncmp(body, "hello gzip\n", 11) == 0 && len == 1100,
                "gzip: %zu bytes", len);
    if (i == 2)
      cr_assert_str_eq(body, "till close\n");
    if (i == 4)
      cr_assert_eq(async_response_version(r), 10);
    if (i >= 5)
      cr_assert_eq(len, 0, "%s has no body", paths[i]);
    async_future_release(f);
  }
  async_session_release(s);
  net_finish(loop);
}

/* The hostile server's own count of what it saw. */
static long stat_of(async_loop_t *loop, async_session_t *s, const char *name)
{
  async_future_t *f = get(loop, s, url_of("hostile", "/stats"));
  const char *body = async_response_body(ok_response(f), NULL);
  char key[64];
  const char *at;
  long value;

  snprintf(key, sizeof(key), "\"%s\":", name);
  at = strstr(body, key);
  cr_assert_not_null(at, "%s not in %s", key, body);
  at += strlen(key);
  while (*at == ' ')
    at++;
  value = atol(at);
  async_future_release(f);
  return value;
}

Test(hostile, stale_pooled_connection_is_retried_once, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *first, *second;

  first = get(loop, s, url_of("hostile", "/close-after-response"));
  ok_response(first);
  /* The server closed it silently; the pool learns on reuse, or on the
   * close itself: either way the request succeeds. */
  second = get(loop, s, url_of("hostile", "/ok"));
  cr_assert_str_eq(async_response_body(ok_response(second), NULL), "ok\n");
  cr_assert_eq(async_response_reused(ok_response(second)), 0);
  async_future_release(first);
  async_future_release(second);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, unsolicited_bytes_forbid_reuse, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *a = get(loop, s, url_of("hostile", "/unsolicited"));
  async_future_t *b = get(loop, s, url_of("hostile", "/ok"));

  cr_assert_str_eq(async_response_body(ok_response(a), NULL), "ok\n");
  cr_assert_eq(async_response_reused(ok_response(b)), 0);
  async_future_release(a);
  async_future_release(b);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, keep_alive_timeout_hint_is_honoured, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *a, *b;

  a = get(loop, s, url_of("hostile", "/keepalive-timeout"));
  ok_response(a);
  /* timeout=1: the pool lets the connection go before the server
   * does, so the next request opens a fresh one and never meets a
   * connection closing under it. */
  net_pause(loop, 0.8);
  b = get(loop, s, url_of("hostile", "/keepalive-timeout"));
  cr_assert_eq(async_response_reused(ok_response(b)), 0);
  async_future_release(a);
  async_future_release(b);
  async_session_release(s);
  net_finish(loop);
}

Test(hostile, pool_counts_seen_by_the_server, .timeout = 60)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_session_t *probe = test_session(loop);
  async_future_t *f[200], *all = NULL;
  long before;
  int i;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_LIMIT, 10));
  before = stat_of(loop, probe, "connections");
  for (i = 0; i < 200; i++)
    NET_OK(async_http_get(s, url_of("hostile", "/ok"), &f[i]));
  NET_OK(async_gather(loop, f, 200, 0, &all));
  NET_OK(async_loop_run_until(loop, all));
  ok_response(all);
  cr_assert_eq(stat_of(loop, probe, "connections") - before, 10,
               "the server saw other than 10 connections");
  for (i = 0; i < 200; i++)
    async_future_release(f[i]);
  async_future_release(all);
  async_session_release(s);
  async_session_release(probe);
  net_finish(loop);
}

Test(hostile, redirects_that_are_not_followed, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *loop_f, *ftp;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_MAX_REDIRECTS, 3));
  loop_f = get(loop, s, url_of("hostile", "/redirect-loop"));
  expect_failure(loop_f, ASYNC_EREDIRECTS, "too many redirects");
  ftp = get(loop, s, url_of("hostile", "/redirect-ftp"));
  cr_assert_eq(async_response_status(ok_response(ftp)), 302,
               "a non-http Location is returned, not followed");
  async_future_release(loop_f);
  async_future_release(ftp);
  async_session_release(s);
  net_finish(loop);
}

typedef struct chained {
  async_session_t *session;
  async_future_t *second;
} chained_t;

/* Sends the next request from the first one's callback: the pooled
 * connection is taken again before its close (the server's FIN, already
 * sent) has been read, so the request meets a dead connection. */
static void send_second(async_response_t *r, int err, const char *message,
                        void *userdata)
{
  chained_t *c = userdata;

  cr_assert_eq(err, 0, "%s", message);
  cr_assert_eq(async_response_status(r), 200);
  cr_assert_eq(async_http_get(c->session, url_of("hostile", "/ok"),
                              &c->second),
               0);
}

Test(hostile, request_on_a_dead_pooled_connection_is_retried, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  chained_t c = {s, NULL};
  async_response_t *second;

  NET_OK(async_request_new(&r, "GET",
                           url_of("hostile", "/close-after-response")));
  NET_OK(async_session_send_cb(s, r, send_second, &c));
  while (c.second == NULL)
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_ONCE), 0);
  NET_OK(async_loop_run_until(loop, c.second));
  second = ok_response(c.second);
  cr_assert_str_eq(async_response_body(second, NULL), "ok\n");
  /* Retried once, on a connection of its own. */
  cr_assert_eq(async_response_reused(second), 0);
  cr_assert_eq(async_response_connections(second), 1);
  async_future_release(c.second);
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}
