/*
 * Through an HTTP proxy (tests/support/proxy_server.py): absolute-form
 * requests for http, a CONNECT tunnel for https, no_proxy, and a proxy
 * that cannot be resolved.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http_helpers.h"

static int proxy_log_has(const char *needle)
{
  FILE *log = fopen(ts_env("ASYNC_TEST_PROXY_LOG"), "r");
  char line[1024];
  int found = 0;

  cr_assert_not_null(log);
  while (!found && fgets(line, sizeof(line), log) != NULL)
    found = strstr(line, needle) != NULL;
  fclose(log);
  return found;
}

static async_session_t *proxied(async_loop_t *loop)
{
  async_session_t *s = test_session(loop);
  char proxy[128];

  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d",
           ts_env_int("ASYNC_TEST_PROXY_PORT"));
  NET_OK(async_session_set_str(s, ASYNC_SESSION_PROXY, proxy));
  return s;
}

Test(proxy, http_goes_in_absolute_form, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = proxied(loop);
  async_future_t *f = get(loop, s, url_of("http", "/?via=proxy"));
  char want[256];

  cr_assert_str_eq(async_response_body(ok_response(f), NULL),
                   "hello from nginx\n");
  snprintf(want, sizeof(want), "GET %s", url_of("http", "/?via=proxy"));
  cr_assert(proxy_log_has(want), "the proxy did not log '%s'", want);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(proxy, https_goes_through_a_connect_tunnel, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = proxied(loop);
  async_future_t *f = get(loop, s, url_of("https", "/1k.bin"));
  char want[128];
  size_t len;

  async_response_body(ok_response(f), &len);
  cr_assert_eq(len, 1024);
  snprintf(want, sizeof(want), "CONNECT localhost:%d",
           ts_env_int("ASYNC_TEST_HTTPS_PORT"));
  cr_assert(proxy_log_has(want), "the proxy did not log '%s'", want);
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(proxy, no_proxy_goes_direct, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = proxied(loop);
  async_future_t *f;

  NET_OK(async_session_set_str(s, ASYNC_SESSION_NO_PROXY, "example.test,127.0.0.1"));
  f = get(loop, s, url_of("http", "/?direct=1"));
  ok_response(f);
  cr_assert(!proxy_log_has("direct=1"), "went through the proxy");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(proxy, unresolvable_proxy_is_eproxydns, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = test_session(loop);
  char servers[64];
  async_future_t *f;

  snprintf(servers, sizeof(servers), "127.0.0.1:%d",
           ts_env_int("ASYNC_TEST_DNSSCRIPT_PORT"));
  NET_OK(async_session_set_str(s, ASYNC_SESSION_DNS_SERVERS, servers));
  NET_OK(async_session_set_str(s, ASYNC_SESSION_PROXY, "http://nx.test:3128"));
  f = get(loop, s, url_of("http", "/"));
  expect_failure(f, ASYNC_EPROXYDNS, "proxy");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(proxy, proxy_refusing_connect_is_econnect, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *s = proxied(loop);
  char url[128];
  async_future_t *f;

  snprintf(url, sizeof(url), "https://127.0.0.1:%d/",
           ts_env_int("ASYNC_TEST_FREE_PORT"));
  f = get(loop, s, url);
  expect_failure(f, ASYNC_ECONNECT, "502");
  async_future_release(f);
  async_session_release(s);
  net_finish(loop);
}

Test(proxy, environment_is_trusted_when_asked, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_session_t *trusting = test_session(loop);
  async_session_t *plain = test_session(loop);
  async_future_t *f;
  char proxy[128];

  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d",
           ts_env_int("ASYNC_TEST_PROXY_PORT"));
  setenv("http_proxy", proxy, 1);
  unsetenv("no_proxy");
  unsetenv("NO_PROXY");
  NET_OK(async_session_set_int(trusting, ASYNC_SESSION_PROXY_FROM_ENV, 1));
  f = get(loop, trusting, url_of("http", "/?env=1"));
  ok_response(f);
  cr_assert(proxy_log_has("env=1"), "http_proxy was not used");
  async_future_release(f);
  f = get(loop, plain, url_of("http", "/?env=2"));
  ok_response(f);
  cr_assert(!proxy_log_has("env=2"), "the environment is not trusted by default");
  async_future_release(f);
  unsetenv("http_proxy");
  async_session_release(trusting);
  async_session_release(plain);
  net_finish(loop);
}
