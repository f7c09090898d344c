/*
 * The HTTP client against httpbin: methods and bodies, status codes,
 * redirects and what they do to methods and credentials, delays and
 * deadlines, streams, bytes, gzip and deflate.
 */
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "http_helpers.h"

static async_future_t *call(async_loop_t *loop, async_session_t *s,
                            const char *method, const char *path,
                            const char *body)
{
  async_request_t *r = NULL;
  async_future_t *f;

  NET_OK(async_request_new(&r, method, url_of("httpbin", path)));
  if (body != NULL)
    NET_OK(async_request_set_body(r, body, strlen(body)));
  f = fetch(loop, s, r);
  async_request_release(r);
  return f;
}

static const char *body_of(async_future_t *f)
{
  return async_response_body(ok_response(f), NULL);
}

#define CONTAINS(hay, needle)                                                  \
  cr_assert(strstr((hay), (needle)) != NULL, "'%s' lacks '%s'", (hay),         \
            (needle))

Test(httpbin, methods_and_bodies, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  const char *methods[] = {"POST", "PUT", "PATCH", "DELETE"};
  const char *paths[] = {"/post", "/put", "/patch", "/delete"};
  async_future_t *f;
  int i;

  for (i = 0; i < 4; i++) {
    f = call(loop, s, methods[i], paths[i], "payload=1");
    cr_assert_eq(async_response_status(ok_response(f)), 200);
    CONTAINS(body_of(f), "payload=1");
    async_future_release(f);
  }
  f = call(loop, s, "GET", "/get?x=1", NULL);
  CONTAINS(body_of(f), "\"x\":\"1\"");
  async_future_release(f);
  f = call(loop, s, "HEAD", "/get", NULL);
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  cr_assert_str_eq(body_of(f), "");
  async_future_release(f);
  f = call(loop, s, "OPTIONS", "/get", NULL);
  cr_assert_not_null(async_response_header(ok_response(f), "Allow"));
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, conveniences, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f = NULL;

  NET_OK(async_http_post(s, url_of("httpbin", "/post"), "a=b", 3, &f));
  NET_OK(async_loop_run_until(loop, f));
  CONTAINS(body_of(f), "a=b");
  async_future_release(f);
  NET_OK(async_http_put(s, url_of("httpbin", "/put"), "c", 1, &f));
  NET_OK(async_loop_run_until(loop, f));
  CONTAINS(body_of(f), "\"data\":\"c\"");
  async_future_release(f);
  NET_OK(async_http_delete(s, url_of("httpbin", "/delete"), &f));
  NET_OK(async_loop_run_until(loop, f));
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, status_codes_are_responses, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  int codes[] = {200, 201, 400, 404, 418, 500, 503};
  char path[32];
  int i;

  for (i = 0; i < 7; i++) {
    async_future_t *f;
    snprintf(path, sizeof(path), "/status/%d", codes[i]);
    f = call(loop, s, "GET", path, NULL);
    cr_assert_eq(async_response_status(ok_response(f)), codes[i]);
    async_future_release(f);
  }
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, redirects_are_followed_and_counted, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_session_t *strict = test_session(loop);
  async_session_t *manual = test_session(loop);
  async_future_t *f;

  f = call(loop, s, "GET", "/redirect/3", NULL);
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  cr_assert_eq(async_response_redirects(ok_response(f)), 3);
  CONTAINS(async_response_url(ok_response(f)), "/get");
  async_future_release(f);
  f = call(loop, s, "GET", "/absolute-redirect/2", NULL);
  cr_assert_eq(async_response_redirects(ok_response(f)), 2);
  async_future_release(f);
  NET_OK(async_session_set_int(strict, ASYNC_SESSION_MAX_REDIRECTS, 2));
  f = call(loop, strict, "GET", "/redirect/3", NULL);
  expect_failure(f, ASYNC_EREDIRECTS, NULL);
  async_future_release(f);
  NET_OK(async_session_set_int(manual, ASYNC_SESSION_FOLLOW_REDIRECTS, 0));
  f = call(loop, manual, "GET", "/redirect/1", NULL);
  cr_assert_eq(async_response_status(ok_response(f)), 302);
  async_future_release(f);
  async_session_release(s);
  async_session_release(strict);
  async_session_release(manual);
  net_finish(loop);
}

Test(httpbin, redirect_methods_303_to_get_307_keeps_body, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f;

  f = call(loop, s, "POST", "/redirect-to?url=/get&status_code=303", "x=1");
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  CONTAINS(async_response_url(ok_response(f)), "/get");
  async_future_release(f);
  f = call(loop, s, "POST", "/redirect-to?url=/post&status_code=307", "kept");
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  CONTAINS(body_of(f), "\"data\":\"kept\"");
  async_future_release(f);
  f = call(loop, s, "PUT", "/redirect-to?url=/put&status_code=308", "too");
  CONTAINS(body_of(f), "\"data\":\"too\"");
  async_future_release(f);
  f = call(loop, s, "POST", "/redirect-to?url=/get&status_code=302", "gone");
  cr_assert_eq(async_response_status(ok_response(f)), 200, "302: POST->GET");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, credentials_stay_with_their_origin, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *same = NULL, *other = NULL;
  char path[256];
  async_future_t *f;

  /* 127.0.0.1 and localhost are different origins. */
  NET_OK(async_request_new(&same, "GET",
                           url_of("httpbin", "/redirect-to?url=/headers")));
  NET_OK(async_request_add_header(same, "Authorization", "Bearer secret"));
  NET_OK(async_request_add_header(same, "Cookie", "c=1"));
  f = fetch(loop, s, same);
  CONTAINS(body_of(f), "Bearer secret");
  async_future_release(f);
  snprintf(path, sizeof(path),
           "/redirect-to?url=http://localhost:%d/headers",
           ts_env_int("ASYNC_TEST_HTTPBIN_PORT"));
  NET_OK(async_request_new(&other, "GET", url_of("httpbin", path)));
  NET_OK(async_request_add_header(other, "Authorization", "Bearer secret"));
  NET_OK(async_request_add_header(other, "Cookie", "c=1"));
  f = fetch(loop, s, other);
  cr_assert_eq(async_response_redirects(ok_response(f)), 1);
  cr_assert(strstr(body_of(f), "secret") == NULL, "%s", body_of(f));
  cr_assert(strstr(body_of(f), "c=1") == NULL, "%s", body_of(f));
  async_future_release(f);
  async_request_release(same);
  async_request_release(other);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, url_credentials_become_basic_auth, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  char url[256];
  async_future_t *f;

  snprintf(url, sizeof(url), "http://user:pa%%73s@127.0.0.1:%d/basic-auth/user/pass",
           ts_env_int("ASYNC_TEST_HTTPBIN_PORT"));
  f = get(loop, s, url);
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, delays_and_deadlines, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f;
  double start = net_now();

  NET_OK(async_request_new(&r, "GET", url_of("httpbin", "/delay/3")));
  NET_OK(async_request_set_double(r, ASYNC_SESSION_TIMEOUT, 0.5));
  f = fetch(loop, s, r);
  expect_failure(f, ASYNC_ETIMEDOUT, "first byte");
  cr_assert_lt(net_now() - start, 2.0);
  async_future_release(f);
  f = call(loop, s, "GET", "/delay/1", NULL);
  cr_assert_geq(async_response_time(ok_response(f), ASYNC_TIME_FIRST_BYTE),
                0.9);
  async_future_release(f);
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}

typedef struct lines {
  int heads;
  int newlines;
} lines_t;

static void count_head(async_response_t *r, void *userdata)
{
  (void)r;
  ((lines_t *)userdata)->heads++;
}

static void count_lines(async_response_t *r, const char *data, size_t len,
                        void *userdata)
{
  size_t i;

  (void)r;
  for (i = 0; i < len; i++)
    ((lines_t *)userdata)->newlines += data[i] == '\n';
}

Test(httpbin, streams_and_bytes, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f;
  lines_t lines = {0, 0};
  size_t len;

  NET_OK(async_request_new(&r, "GET", url_of("httpbin", "/stream/5")));
  NET_OK(async_request_set_streaming(r, count_head, count_lines, &lines));
  f = fetch(loop, s, r);
  ok_response(f);
  cr_assert_eq(lines.heads, 1);
  cr_assert_eq(lines.newlines, 5);
  async_future_release(f);
  f = call(loop, s, "GET", "/bytes/1024", NULL);
  async_response_body(ok_response(f), &len);
  cr_assert_eq(len, 1024);
  async_future_release(f);
  async_request_release(r);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, gzip_and_deflate, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *g = call(loop, s, "GET", "/gzip", NULL);
  async_future_t *d = call(loop, s, "GET", "/deflate", NULL);

  CONTAINS(body_of(g), "\"gzipped\":true");
  CONTAINS(body_of(d), "\"deflated\":true");
  async_future_release(g);
  async_future_release(d);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, default_headers_and_user_agent, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f;

  f = call(loop, s, "GET", "/headers", NULL);
  CONTAINS(body_of(f), "libasync/");
  async_future_release(f);
  NET_OK(async_session_set_str(s, ASYNC_SESSION_USER_AGENT, "tester/1"));
  NET_OK(async_session_set_str(s, ASYNC_SESSION_HEADER, "X-Default: yes"));
  f = call(loop, s, "GET", "/headers", NULL);
  CONTAINS(body_of(f), "tester/1");
  CONTAINS(body_of(f), "\"X-Default\":\"yes\"");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

/* One request object sent again and again: its head is serialised once
 * and reused, but each send carries what the session it goes through
 * adds, as that session is set at the time. */
Test(httpbin, a_request_sent_again_follows_its_session, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *one = test_session(loop);
  async_session_t *two = test_session(loop);
  async_request_t *r = NULL;
  async_future_t *f;

  NET_OK(async_session_set_str(one, ASYNC_SESSION_USER_AGENT, "one/1"));
  NET_OK(async_session_set_str(two, ASYNC_SESSION_USER_AGENT, "two/2"));
  NET_OK(async_request_new(&r, "GET", url_of("httpbin", "/headers")));
  f = fetch(loop, one, r);
  CONTAINS(body_of(f), "one/1");
  async_future_release(f);
  f = fetch(loop, one, r); /* the cached head */
  CONTAINS(body_of(f), "one/1");
  async_future_release(f);
  f = fetch(loop, two, r);
  CONTAINS(body_of(f), "two/2");
  async_future_release(f);
  NET_OK(async_session_set_str(one, ASYNC_SESSION_USER_AGENT, "one/3"));
  f = fetch(loop, one, r);
  CONTAINS(body_of(f), "one/3");
  async_future_release(f);
  async_session_release(one);
  /* A new session may take the address of the one released. */
  one = test_session(loop);
  NET_OK(async_session_set_str(one, ASYNC_SESSION_USER_AGENT, "new/4"));
  f = fetch(loop, one, r);
  CONTAINS(body_of(f), "new/4");
  async_future_release(f);
  async_request_release(r);
  async_session_release(one);
  async_session_release(two);
  net_finish(loop);
}

static int64_t produce(void *userdata, char *buf, size_t size)
{
  int *left = userdata;

  if (*left == 0)
    return 0;
  (*left)--;
  cr_assert_geq(size, 6);
  memcpy(buf, "chunk;", 6);
  return 6;
}

Test(httpbin, bodies_from_files_and_producers, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  char path[] = "/tmp/libasync-body-XXXXXX";
  int fd = mkstemp(path), left = 3;
  async_request_t *r = NULL, *p = NULL, *missing = NULL;
  async_future_t *f;

  cr_assert_eq(write(fd, "from a file", 11), 11);
  close(fd);
  NET_OK(async_request_new(&r, "POST", url_of("httpbin", "/post")));
  NET_OK(async_request_set_body_file(r, path));
  f = fetch(loop, s, r);
  CONTAINS(body_of(f), "from a file");
  async_future_release(f);
  NET_OK(async_request_new(&p, "POST", url_of("httpbin", "/post")));
  NET_OK(async_request_set_body_producer(p, produce, &left, -1));
  f = fetch(loop, s, p);
  CONTAINS(body_of(f), "chunk;chunk;chunk;");
  async_future_release(f);
  NET_OK(async_request_new(&missing, "POST", url_of("httpbin", "/post")));
  NET_OK(async_request_set_body_file(missing, "/nonexistent/body"));
  f = fetch(loop, s, missing);
  expect_failure(f, ASYNC_EIO, "/nonexistent/body");
  async_future_release(f);
  unlink(path);
  async_request_release(r);
  async_request_release(p);
  async_request_release(missing);
  async_session_release(s);
  net_finish(loop);
}

Test(httpbin, repeated_fields_are_kept_in_order, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  async_future_t *f =
      call(loop, s, "GET", "/response-headers?X-Rep=one&X-Rep=two", NULL);
  async_response_t *r = ok_response(f);
  const char *name, *value, *seen[2] = {NULL, NULL};
  size_t i;
  int n = 0;

  for (i = 0; i < async_response_header_count(r); i++) {
    NET_OK(async_response_header_at(r, i, &name, &value));
    if (strcasecmp(name, "x-rep") == 0 && n < 2)
      seen[n++] = value;
  }
  cr_assert_eq(n, 2);
  cr_assert_str_eq(seen[0], "one");
  cr_assert_str_eq(seen[1], "two");
  cr_assert_str_eq(async_response_header(r, "X-REP"), "one");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}
