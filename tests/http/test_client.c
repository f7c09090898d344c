/*
 * The HTTP client against nginx: requests and responses, keep-alive and
 * the pool's limits, TLS, decoding, fetch-many, streaming, request
 * checks, cancellation and closing.
 */
#include <stdlib.h>
#include <unistd.h>

#include "http_helpers.h"

Test(client, get_and_its_response, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f = get(loop, s, url_of("http", "/"));
  async_response_t *r = ok_response(f);
  size_t len;
  const char *name, *value;

  cr_assert_eq(async_response_status(r), 200);
  cr_assert_str_eq(async_response_reason(r), "OK");
  cr_assert_eq(async_response_version(r), 11);
  cr_assert_str_eq(async_response_body(r, &len), "hello from nginx\n");
  cr_assert_eq(len, 17);
  cr_assert_str_eq(async_response_url(r), url_of("http", "/"));
  cr_assert_not_null(async_response_header(r, "content-TYPE"));
  cr_assert_gt(async_response_header_count(r), 2);
  NET_OK(async_response_header_at(r, 0, &name, &value));
  cr_assert_eq(async_response_header_at(r, 999, &name, &value),
               ASYNC_EINVAL);
  cr_assert_eq(async_response_connections(r), 1);
  cr_assert_geq(async_response_time(r, ASYNC_TIME_TOTAL),
                async_response_time(r, ASYNC_TIME_FIRST_BYTE));
  cr_assert_geq(async_response_time(r, ASYNC_TIME_FIRST_BYTE),
                async_response_time(r, ASYNC_TIME_CONNECT));
  cr_assert_lt(async_response_time(r, 99), 0);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

/* The idle timeout counts from the last time the connection came back to
 * the pool: reuse postpones it, and it closes the connection once it has
 * been idle that long. */
Test(client, idle_connections_close_after_the_idle_timeout, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  const char *url = url_of("http", "/1k.bin");
  async_future_t *f;
  int64_t opened = 0, open_now = 0;

  NET_OK(async_session_set_double(s, ASYNC_SESSION_IDLE_TIMEOUT, 0.4));
  f = get(loop, s, url);
  cr_assert_eq(async_response_reused(ok_response(f)), 0);
  async_future_release(f);
  net_pause(loop, 0.25);
  f = get(loop, s, url); /* idle 0.25 s: reused */
  cr_assert_eq(async_response_reused(ok_response(f)), 1);
  async_future_release(f);
  net_pause(loop, 0.25); /* 0.5 s since the first, 0.25 since the last */
  f = get(loop, s, url);
  cr_assert_eq(async_response_reused(ok_response(f)), 1,
               "closed though idle for less than its timeout");
  async_future_release(f);
  net_pause(loop, 0.7);
  NET_OK(async_session_stats(s, &opened, &open_now));
  cr_assert_eq(opened, 1);
  cr_assert_eq(open_now, 0, "still open after its idle timeout");
  f = get(loop, s, url);
  cr_assert_eq(async_response_reused(ok_response(f)), 0);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(client, keep_alive_reuses_the_connection, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *a = get(loop, s, url_of("http", "/1k.bin"));
  async_future_t *b = get(loop, s, url_of("http", "/1k.bin"));
  int64_t opened = 0;

  cr_assert_eq(async_response_reused(ok_response(a)), 0);
  cr_assert_eq(async_response_reused(ok_response(b)), 1);
  cr_assert_eq(async_response_connections(ok_response(b)), 0);
  NET_OK(async_session_stats(s, &opened, NULL));
  cr_assert_eq(opened, 1);
  async_future_release(a);
  async_future_release(b);
  async_session_release(s);
  net_finish(loop);
}

Test(client, https_with_the_test_ca_and_failures_without, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_session_t *plain = NULL;
  async_future_t *ok, *untrusted, *expired;
  char url[256];

  NET_OK(async_session_new(&plain, loop));
  ok = get(loop, s, url_of("https", "/1k.bin"));
  cr_assert_eq(async_response_body(ok_response(ok), NULL) != NULL, 1);
  untrusted = get(loop, plain, url_of("https", "/"));
  expect_failure(untrusted, ASYNC_ECERT, "local issuer");
  snprintf(url, sizeof(url), "https://localhost:%d/",
           ts_env_int("ASYNC_TEST_HTTPS_EXPIRED_PORT"));
  expired = get(loop, s, url);
  expect_failure(expired, ASYNC_ECERT, "expired");
  cr_assert(strstr(async_future_message(expired), url) != NULL,
            "the message names the URL: %s", async_future_message(expired));
  async_future_release(ok);
  async_future_release(untrusted);
  async_future_release(expired);
  async_session_release(plain);
  async_session_release(s);
  net_finish(loop);
}

Test(client, verification_off, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = NULL;
  async_future_t *f;
  char url[256];

  NET_OK(async_session_new(&s, loop));
  NET_OK(async_session_set_int(s, ASYNC_SESSION_VERIFY_PEER, 0));
  snprintf(url, sizeof(url), "https://localhost:%d/",
           ts_env_int("ASYNC_TEST_HTTPS_SELFSIGNED_PORT"));
  f = get(loop, s, url);
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  cr_assert_eq(async_session_set_int(s, ASYNC_SESSION_VERIFY_PEER, 1),
               ASYNC_EBUSY, "TLS settings are fixed once used");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(client, gzip_is_decoded_or_left_alone, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_session_t *raw = test_session(loop);
  async_future_t *decoded, *encoded;

  NET_OK(async_session_set_int(raw, ASYNC_SESSION_DECOMPRESS, 0));
  decoded = get(loop, s, url_of("http", "/"));
  cr_assert_str_eq(async_response_header(ok_response(decoded),
                                         "Content-Encoding"),
                   "gzip");
  cr_assert_str_eq(async_response_body(ok_response(decoded), NULL),
                   "hello from nginx\n");
  encoded = get(loop, raw, url_of("http", "/"));
  cr_assert_null(async_response_header(ok_response(encoded),
                                       "Content-Encoding"),
                 "no Accept-Encoding was sent");
  async_future_release(decoded);
  async_future_release(encoded);
  async_session_release(s);
  async_session_release(raw);
  net_finish(loop);
}

Test(client, pool_of_ten_serves_a_thousand_requests, .timeout = 60)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f[1000], *all = NULL;
  int64_t opened = 0, open_now = 0;
  int i;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_LIMIT, 10));
  for (i = 0; i < 1000; i++)
    NET_OK(async_http_get(s, url_of("http", "/1k.bin"), &f[i]));
  NET_OK(async_gather(loop, f, 1000, 0, &all));
  NET_OK(async_loop_run_until(loop, all));
  ok_response(all);
  NET_OK(async_session_stats(s, &opened, &open_now));
  cr_assert_eq(opened, 10, "opened %lld connections", (long long)opened);
  cr_assert_eq(open_now, 10);
  for (i = 0; i < 1000; i++)
    async_future_release(f[i]);
  async_future_release(all);
  async_session_release(s);
  net_finish(loop);
}

typedef struct watch {
  async_session_t *session;
  int64_t most_open;
} watch_t;

static void note_open(size_t index, async_future_t *f, void *userdata)
{
  watch_t *w = userdata;
  int64_t open_now = 0;

  (void)index;
  (void)f;
  async_session_stats(w->session, NULL, &open_now);
  if (open_now > w->most_open)
    w->most_open = open_now;
}

Test(client, per_host_limit_under_500_concurrent_requests, .timeout = 60)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  static const char *urls[500];
  async_future_t *many = NULL;
  async_future_t **results;
  watch_t w = {s, 0};
  int64_t opened = 0;
  int i;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_LIMIT_PER_HOST, 4));
  for (i = 0; i < 500; i++)
    urls[i] = strdup(url_of("http", i % 2 ? "/1k.bin" : "/"));
  NET_OK(async_http_fetch_many(s, urls, 500, 0, 0, note_open, &w, &many));
  NET_OK(async_loop_run_until(loop, many));
  results = async_future_value(many);
  for (i = 0; i < 500; i++)
    ok_response(results[i]);
  NET_OK(async_session_stats(s, &opened, NULL));
  cr_assert_leq(opened, 4);
  cr_assert_leq(w.most_open, 4);
  cr_assert_str_eq(async_response_body(async_future_value(results[0]), NULL),
                   "hello from nginx\n", "results in the order of the URLs");
  for (i = 0; i < 500; i++)
    free((char *)urls[i]);
  async_future_release(many);
  async_session_release(s);
  net_finish(loop);
}

Test(client, fetch_many_bounds_concurrency, .timeout = 60)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  const char *urls[20];
  async_future_t *many = NULL;
  watch_t w = {s, 0};
  int i;

  for (i = 0; i < 20; i++)
    urls[i] = url_of("http", "/1k.bin");
  /* url_of's buffers rotate: copy them. */
  for (i = 0; i < 20; i++)
    urls[i] = strdup(urls[i]);
  NET_OK(async_http_fetch_many(s, urls, 20, 3, 0, note_open, &w, &many));
  NET_OK(async_loop_run_until(loop, many));
  ok_response(many);
  cr_assert_leq(w.most_open, 3);
  for (i = 0; i < 20; i++)
    free((char *)urls[i]);
  async_future_release(many);
  async_session_release(s);
  net_finish(loop);
}

typedef struct stream_state {
  int heads;
  size_t bytes;
  int paused_once;
  async_loop_t *loop;
  async_response_t *paused;
} stream_state_t;

static void on_head(async_response_t *r, void *userdata)
{
  stream_state_t *st = userdata;

  cr_assert_eq(async_response_status(r), 200);
  st->heads++;
}

static void on_piece(async_response_t *r, const char *data, size_t len,
                     void *userdata)
{
  stream_state_t *st = userdata;

  (void)data;
  st->bytes += len;
  if (!st->paused_once) {
    st->paused_once = 1;
    cr_assert_eq(async_response_pause(r), 0);
    st->paused = async_response_retain(r);
  }
}

Test(client, streaming_with_pause_and_resume, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f = NULL;
  stream_state_t st = {0, 0, 0, loop, NULL};
  size_t seen, len;
  double until;

  NET_OK(async_request_new(&r, "GET", url_of("http", "/1m.bin")));
  NET_OK(async_request_set_streaming(r, on_head, on_piece, &st));
  NET_OK(async_session_send(s, r, &f));
  while (st.paused == NULL)
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_ONCE), 0);
  seen = st.bytes;
  until = net_now() + 0.2;
  while (net_now() < until)
    async_loop_run(loop, ASYNC_RUN_NOWAIT);
  cr_assert_eq(st.bytes, seen, "the body kept coming while paused");
  NET_OK(async_response_resume(st.paused));
  NET_OK(async_loop_run_until(loop, f));
  ok_response(f);
  cr_assert_eq(st.heads, 1);
  cr_assert_eq(st.bytes, 1024 * 1024);
  async_response_body(async_future_value(f), &len);
  cr_assert_eq(len, 0, "a streamed body is not kept");
  async_response_release(st.paused);
  async_future_release(f);
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}

Test(client, bad_requests_are_refused, .timeout = 30)
{
  async_request_t *r = NULL;
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);

  cr_assert_eq(async_request_new(&r, "GET", "ftp://x/"), ASYNC_ESCHEME);
  cr_assert_eq(async_request_new(&r, "GET", "http://[::1/"), ASYNC_EURL);
  cr_assert_eq(async_request_new(&r, "GET", "http://x:99999/"), ASYNC_EURL);
  cr_assert_eq(async_request_new(&r, "GET", "http://a b/"), ASYNC_EURL);
  cr_assert_eq(async_request_new(&r, "GET", "/relative"), ASYNC_EURL);
  cr_assert_eq(async_request_new(&r, "GE\rT", "http://x/"), ASYNC_EINVAL);
  cr_assert_eq(async_request_new(&r, "GET", "http://x/a\r\nb"), ASYNC_EURL);
  cr_assert_null(r);
  NET_OK(async_request_new(&r, "GET", "http://x/"));
  cr_assert_eq(async_request_add_header(r, "X-A", "a\r\nInjected: 1"),
               ASYNC_EINVAL);
  cr_assert_eq(async_request_add_header(r, "X A", "a"), ASYNC_EINVAL);
  cr_assert_eq(async_request_add_header(r, "Host", "a"), ASYNC_EINVAL);
  cr_assert_eq(async_request_add_header(r, "Content-Length", "1"),
               ASYNC_EINVAL);
  cr_assert_eq(async_request_set_int(r, ASYNC_SESSION_LIMIT, 1), ASYNC_EINVAL,
               "a session-only option");
  cr_assert_eq(async_session_set_double(s, ASYNC_SESSION_LIMIT, 1),
               ASYNC_EINVAL, "the wrong setter");
  cr_assert_eq(async_session_set_str(s, ASYNC_SESSION_HEADER, "X: a\nb"),
               ASYNC_EINVAL);
  cr_assert_eq(async_session_option("timeout"), ASYNC_SESSION_TIMEOUT);
  cr_assert_eq(async_session_option("ASYNC_SESSION_LIMIT_PER_HOST"),
               ASYNC_SESSION_LIMIT_PER_HOST);
  cr_assert_eq(async_session_option("nonsense"), ASYNC_EINVAL);
  cr_assert_str_eq(async_session_option_name(ASYNC_SESSION_USER_AGENT),
                   "user_agent");
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}

Test(client, cancel_and_close_complete_every_request_once, .timeout = 120)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  enum { N = 10000 };
  static async_future_t *f[N];
  async_future_t *all = NULL;
  int i, done = 0, cancelled = 0;

  NET_OK(async_session_set_int(s, ASYNC_SESSION_LIMIT, 20));
  srand(7);
  for (i = 0; i < N; i++)
    NET_OK(async_http_get(s, url_of("http", "/1k.bin"), &f[i]));
  NET_OK(async_gather(loop, f, N, ASYNC_GATHER_RETURN_ERRORS, &all));
  for (i = 0; i < N; i++) {
    if (rand() % 3 == 0)
      NET_OK(async_future_cancel(f[i]));
    if (i % 500 == 0)
      async_loop_run(loop, ASYNC_RUN_NOWAIT);
  }
  NET_OK(async_loop_run_until(loop, all));
  for (i = 0; i < N; i++) {
    int state = async_future_state(f[i]);
    cr_assert(state == ASYNC_DONE || state == ASYNC_CANCELLED,
              "request %d: %s", i, async_future_message(f[i]));
    done += state == ASYNC_DONE;
    cancelled += state == ASYNC_CANCELLED;
    async_future_release(f[i]);
  }
  cr_assert_eq(done + cancelled, N);
  cr_assert_gt(cancelled, 0);
  async_future_release(all);
  async_session_release(s);
  net_finish(loop);
}

static void count_response(async_response_t *r, int err, const char *message,
                           void *userdata)
{
  int *calls = userdata;

  (void)r;
  cr_assert_eq(err, ASYNC_ECANCELLED);
  cr_assert(strstr(message, "/1m.bin: operation cancelled") != NULL,
            "the message names the URL: %s", message);
  (*calls)++;
}

Test(client, closing_session_or_loop_cancels_requests, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f = NULL, *g = NULL;
  int calls = 0;

  NET_OK(async_request_new(&r, "GET", url_of("http", "/1m.bin")));
  NET_OK(async_session_send(s, r, &f));
  NET_OK(async_session_send_cb(s, r, count_response, &calls));
  async_loop_run(loop, ASYNC_RUN_NOWAIT);
  NET_OK(async_session_close(s));
  cr_assert_eq(async_future_state(f), ASYNC_CANCELLED);
  cr_assert_str_eq(async_future_message(f),
                   url_of("http", "/1m.bin: operation cancelled"));
  cr_assert_eq(async_session_send(s, r, &g), 0, "sent, then cancelled");
  async_loop_run(loop, ASYNC_RUN_NOWAIT);
  cr_assert_eq(async_future_state(g), ASYNC_CANCELLED);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_DEFAULT), 0);
  cr_assert_eq(calls, 1);
  async_future_release(f);
  async_future_release(g);
  async_session_release(s);
  /* And a loop closed under a request in flight. */
  s = test_session(loop);
  NET_OK(async_session_send(s, r, &f));
  async_loop_run(loop, ASYNC_RUN_NOWAIT);
  NET_OK(async_loop_close(loop));
  cr_assert_eq(async_future_state(f), ASYNC_CANCELLED);
  cr_assert(strstr(async_future_message(f), "/1m.bin: operation cancelled"),
            "%s", async_future_message(f));
  cr_assert_eq(async_session_send(s, r, &g), ASYNC_ECLOSED);
  async_future_release(f);
  async_session_release(s);
  async_request_release(r);
  async_loop_release(loop);
}

Test(client, requests_from_other_threads, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f[8];
  int i;

  NET_OK(async_loop_start_thread(loop));
  for (i = 0; i < 8; i++)
    NET_OK(async_http_get(s, url_of("http", "/"), &f[i]));
  for (i = 0; i < 8; i++) {
    NET_OK(async_future_wait(f[i], 20));
    cr_assert_eq(async_response_status(ok_response(f[i])), 200);
    async_future_release(f[i]);
  }
  async_session_release(s);
  NET_OK(async_loop_close(loop));
  async_loop_release(loop);
}
