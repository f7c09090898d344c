/* What the HTTP tests share: sessions on a loop, URLs of the fixture
 * servers, and sending a request to completion. */
#ifndef LIBASYNC_TESTS_HTTP_HELPERS_H
#define LIBASYNC_TESTS_HTTP_HELPERS_H

#include <stdarg.h>

#include "../net/net_helpers.h"

/* A URL of a fixture server: base is "http", "https", "hostile",
 * "httpbin". */
static inline const char *url_of(const char *base, const char *path)
{
  static char buf[8][512];
  static int next;
  char *out = buf[next++ % 8];

  if (strcmp(base, "https") == 0)
    snprintf(out, 512, "https://localhost:%d%s",
             ts_env_int("ASYNC_TEST_HTTPS_PORT"), path);
  else if (strcmp(base, "http") == 0)
    snprintf(out, 512, "http://127.0.0.1:%d%s",
             ts_env_int("ASYNC_TEST_HTTP_PORT"), path);
  else if (strcmp(base, "hostile") == 0)
    snprintf(out, 512, "http://127.0.0.1:%d%s",
             ts_env_int("ASYNC_TEST_HOSTILE_PORT"), path);
  else
    snprintf(out, 512, "http://127.0.0.1:%d%s",
             ts_env_int("ASYNC_TEST_HTTPBIN_PORT"), path);
  return out;
}

static inline async_session_t *test_session(async_loop_t *loop)
{
  async_session_t *s = NULL;

  NET_OK(async_session_new(&s, loop));
  NET_OK(async_session_set_str(s, ASYNC_SESSION_CA_FILE,
                               ts_env("ASYNC_TEST_CA")));
  return s;
}

/* Sends and runs the loop until done. The caller releases the future. */
static inline async_future_t *fetch(async_loop_t *loop, async_session_t *s,
                                    async_request_t *r)
{
  async_future_t *f = NULL;

  NET_OK(async_session_send(s, r, &f));
  NET_OK(async_loop_run_until(loop, f));
  return f;
}

static inline async_future_t *get(async_loop_t *loop, async_session_t *s,
                                  const char *url)
{
  async_future_t *f = NULL;

  NET_OK(async_http_get(s, url, &f));
  NET_OK(async_loop_run_until(loop, f));
  return f;
}

static inline async_response_t *ok_response(async_future_t *f)
{
  cr_assert_eq(async_future_state(f), ASYNC_DONE, "%s: %s",
               async_err_name(async_future_error(f)), async_future_message(f));
  return async_future_value(f);
}

static inline void expect_failure(async_future_t *f, int err,
                                  const char *words)
{
  const char *m = async_future_message(f);

  cr_assert_eq(async_future_state(f), ASYNC_FAILED, "state %d",
               async_future_state(f));
  cr_assert_eq(async_future_error(f), err, "%s, not %s: %s",
               async_err_name(async_future_error(f)), async_err_name(err), m);
  if (words != NULL)
    cr_assert(strstr(m, words) != NULL, "'%s' lacks '%s'", m, words);
}

#endif /* LIBASYNC_TESTS_HTTP_HELPERS_H */
