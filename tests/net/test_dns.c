/*
 * The resolver against real DNS servers: dnsmasq for ordinary answers,
 * tests/support/dns_script.py for failures, odd answers and counting the
 * questions that reach the server.
 */
#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include "net_helpers.h"

/* Questions for `name` of `type` that dnsmasq has logged so far. */
static int dnsmasq_count(const char *name, const char *type)
{
  FILE *log = fopen(ts_env("ASYNC_TEST_DNSMASQ_LOG"), "r");
  char line[512], needle[128];
  int n = 0;

  cr_assert_not_null(log);
  snprintf(needle, sizeof(needle), "query[%s] %s ", type, name);
  while (fgets(line, sizeof(line), log) != NULL)
    n += strstr(line, needle) != NULL;
  fclose(log);
  return n;
}

static void expect_dns_error(async_future_t *f, const char *host,
                             const char *reason)
{
  const char *message = async_future_message(f);

  cr_assert_eq(async_future_state(f), ASYNC_FAILED);
  cr_assert_eq(async_future_error(f), ASYNC_EDNS, "%s",
               async_err_name(async_future_error(f)));
  cr_assert(strstr(message, host) != NULL, "message '%s' lacks the host",
            message);
  cr_assert(strstr(message, reason) != NULL, "message '%s' lacks '%s'",
            message, reason);
}

Test(dns, a_and_aaaa_together_with_ttls, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  async_future_t *f = net_lookup(loop, r, "a.test", 8080, 0);
  const async_addrinfo_t *ai = async_future_value(f);
  size_t i;

  cr_assert_eq(async_future_state(f), ASYNC_DONE, "%s",
               async_future_message(f));
  cr_assert_eq(async_addrinfo_count(ai), 2);
  cr_assert(net_has_address(f, "127.0.0.1"));
  cr_assert(net_has_address(f, "::1"));
  cr_assert_str_eq(async_addrinfo_host(ai), "a.test");
  for (i = 0; i < 2; i++) {
    cr_assert_eq(async_addrinfo_port(ai, i), 8080);
    cr_assert_eq(async_addrinfo_family(ai, i),
                 strchr(async_addrinfo_address(ai, i), ':') ? 6 : 4);
    cr_assert_gt(async_addrinfo_ttl(ai, i), 0, "dnsmasq gives a TTL");
  }
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, family_flags_ask_one_family, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  async_future_t *v4 = net_lookup(loop, r, "a.test", 80, ASYNC_RESOLVE_IPV4);
  async_future_t *v6 = net_lookup(loop, r, "a.test", 80, ASYNC_RESOLVE_IPV6);

  cr_assert_eq(async_addrinfo_count(async_future_value(v4)), 1);
  cr_assert(net_has_address(v4, "127.0.0.1"));
  cr_assert_eq(async_addrinfo_count(async_future_value(v6)), 1);
  cr_assert(net_has_address(v6, "::1"));
  async_future_release(v4);
  async_future_release(v6);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, etc_hosts_is_honoured, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  /* The scripted server answers NXDOMAIN for anything it does not know:
   * an answer for localhost comes from /etc/hosts. */
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = net_lookup(loop, r, "localhost", 80, ASYNC_RESOLVE_IPV4);

  cr_assert_eq(async_future_state(f), ASYNC_DONE, "%s",
               async_future_message(f));
  cr_assert(net_has_address(f, "127.0.0.1"));
  cr_assert_eq(ts_dns_log_count("localhost", NULL), 0);
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, ip_literals_resolve_to_themselves, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *v4 = net_lookup(loop, r, "127.0.0.9", 1, 0);
  async_future_t *v6 = net_lookup(loop, r, "::1", 2, 0);
  async_future_t *wrong = net_lookup(loop, r, "::1", 2, ASYNC_RESOLVE_IPV4);

  cr_assert(net_has_address(v4, "127.0.0.9"));
  cr_assert_eq(async_addrinfo_family(async_future_value(v6), 0), 6);
  expect_dns_error(wrong, "::1", "family");
  async_future_release(v4);
  async_future_release(v6);
  async_future_release(wrong);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, nxdomain_names_host_and_reason, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = net_lookup(loop, r, "nx.test", 80, 0);

  expect_dns_error(f, "nx.test", "NXDOMAIN");
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, servfail_names_host_and_reason, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = net_lookup(loop, r, "servfail.test", 80, 0);

  expect_dns_error(f, "servfail.test", "SERVFAIL");
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, empty_answer_is_no_answer, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *v4 = net_lookup(loop, r, "v6only.test", 80,
                                  ASYNC_RESOLVE_IPV4);
  async_future_t *both = net_lookup(loop, r, "v6only.test", 80, 0);

  expect_dns_error(v4, "v6only.test", "no answer");
  cr_assert_eq(async_future_state(both), ASYNC_DONE, "%s",
               async_future_message(both));
  cr_assert_eq(async_addrinfo_count(async_future_value(both)), 1);
  cr_assert(net_has_address(both, "::1"));
  async_future_release(v4);
  async_future_release(both);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, many_addresses, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = net_lookup(loop, r, "many.test", 80, ASYNC_RESOLVE_IPV4);
  char want[32];
  int i;

  cr_assert_eq(async_addrinfo_count(async_future_value(f)), 16);
  for (i = 10; i <= 25; i++) {
    snprintf(want, sizeof(want), "127.0.0.%d", i);
    cr_assert(net_has_address(f, want), "%s missing", want);
  }
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, silent_server_is_bounded_by_the_deadline, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f;
  double start = net_now(), took;

  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 0.2));
  NET_OK(async_resolver_set_int(r, ASYNC_RESOLVER_ATTEMPTS, 2));
  f = net_lookup(loop, r, "silent.test", 80, ASYNC_RESOLVE_IPV4);
  took = net_now() - start;
  expect_dns_error(f, "silent.test", "timeout");
  cr_assert_lt(took, 2.0, "2 tries of 0.2 s took %.2f s", took);
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, cancel_mid_query_stops_it, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = NULL;
  double start;

  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 5));
  NET_OK(async_resolver_resolve(r, "silent.test", 80, 0, &f));
  net_pause(loop, 0.05);
  cr_assert_eq(async_future_state(f), ASYNC_PENDING);
  NET_OK(async_future_cancel(f));
  cr_assert_eq(async_future_state(f), ASYNC_CANCELLED);
  /* Nothing is left to wait for: the query and its timer are gone. */
  start = net_now();
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_DEFAULT), 0);
  cr_assert_lt(net_now() - start, 1.0);
  async_future_release(f);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, concurrent_lookups_share_one_query, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f[100], *all = NULL;
  int a_before = ts_dns_log_count("count.test", "A");
  int aaaa_before = ts_dns_log_count("count.test", "AAAA");
  int i;

  for (i = 0; i < 100; i++)
    NET_OK(async_resolver_resolve(r, "count.test", 80, 0, &f[i]));
  NET_OK(async_gather(loop, f, 100, 0, &all));
  NET_OK(async_loop_run_until(loop, all));
  cr_assert_eq(async_future_state(all), ASYNC_DONE, "%s",
               async_future_message(all));
  for (i = 0; i < 100; i++)
    cr_assert(net_has_address(f[i], "127.0.0.1"));
  cr_assert_eq(ts_dns_log_count("count.test", "A") - a_before, 1);
  cr_assert_eq(ts_dns_log_count("count.test", "AAAA") - aaaa_before, 1);
  for (i = 0; i < 100; i++)
    async_future_release(f[i]);
  async_future_release(all);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, answers_are_cached_until_their_ttl, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  int before = ts_dns_log_count("ttl.test", "A");
  async_future_t *f1, *f2, *f3;

  f1 = net_lookup(loop, r, "ttl.test", 80, ASYNC_RESOLVE_IPV4);
  f2 = net_lookup(loop, r, "ttl.test", 81, ASYNC_RESOLVE_IPV4);
  cr_assert_eq(ts_dns_log_count("ttl.test", "A") - before, 1, "cached");
  cr_assert_eq(async_addrinfo_port(async_future_value(f2), 0), 81);
  cr_assert_leq(async_addrinfo_ttl(async_future_value(f2), 0), 2);
  usleep(2200 * 1000); /* the record's TTL is 2 s */
  f3 = net_lookup(loop, r, "ttl.test", 80, ASYNC_RESOLVE_IPV4);
  cr_assert_eq(async_future_state(f3), ASYNC_DONE);
  cr_assert_eq(ts_dns_log_count("ttl.test", "A") - before, 2, "expired");
  async_future_release(f1);
  async_future_release(f2);
  async_future_release(f3);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, ttl_is_capped, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  int before = dnsmasq_count("long.test", "A");
  async_future_t *f1, *f2;

  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_TTL_MAX, 0.5));
  f1 = net_lookup(loop, r, "long.test", 80, ASYNC_RESOLVE_IPV4);
  cr_assert_eq(async_future_state(f1), ASYNC_DONE, "%s",
               async_future_message(f1));
  cr_assert_gt(async_addrinfo_ttl(async_future_value(f1), 0), 1000,
               "the record's own TTL is reported");
  usleep(700 * 1000);
  f2 = net_lookup(loop, r, "long.test", 80, ASYNC_RESOLVE_IPV4);
  cr_assert_eq(dnsmasq_count("long.test", "A") - before, 2,
               "a 3600 s record was kept past the 0.5 s cap");
  async_future_release(f1);
  async_future_release(f2);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, failures_are_cached_briefly, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  int before = ts_dns_log_count("nx.test", "A");
  async_future_t *f1, *f2, *f3;

  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_NEGATIVE_TTL, 0.5));
  f1 = net_lookup(loop, r, "nx.test", 80, ASYNC_RESOLVE_IPV4);
  f2 = net_lookup(loop, r, "nx.test", 80, ASYNC_RESOLVE_IPV4);
  expect_dns_error(f2, "nx.test", "NXDOMAIN");
  cr_assert_eq(ts_dns_log_count("nx.test", "A") - before, 1);
  usleep(600 * 1000);
  f3 = net_lookup(loop, r, "nx.test", 80, ASYNC_RESOLVE_IPV4);
  expect_dns_error(f3, "nx.test", "NXDOMAIN");
  cr_assert_eq(ts_dns_log_count("nx.test", "A") - before, 2);
  async_future_release(f1);
  async_future_release(f2);
  async_future_release(f3);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, no_cache_flag_asks_again, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  int before = ts_dns_log_count("ttl.test", "A");
  async_future_t *f1 = net_lookup(loop, r, "ttl.test", 80, ASYNC_RESOLVE_IPV4);
  async_future_t *f2 = net_lookup(loop, r, "ttl.test", 80,
                                  ASYNC_RESOLVE_IPV4 | ASYNC_RESOLVE_NO_CACHE);

  cr_assert_eq(async_future_state(f2), ASYNC_DONE);
  cr_assert_eq(ts_dns_log_count("ttl.test", "A") - before, 2);
  async_future_release(f1);
  async_future_release(f2);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, cache_is_bounded_least_recently_used_first, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  const char *names[] = {"a.test", "v4.test", "long.test", "a.test"};
  int before = dnsmasq_count("a.test", "A");
  int i;

  NET_OK(async_resolver_set_int(r, ASYNC_RESOLVER_CACHE_SIZE, 2));
  for (i = 0; i < 4; i++) {
    async_future_t *f = net_lookup(loop, r, names[i], 80, ASYNC_RESOLVE_IPV4);
    cr_assert_eq(async_future_state(f), ASYNC_DONE, "%s",
                 async_future_message(f));
    async_future_release(f);
  }
  /* a.test was the least recently used of three: asked twice. */
  cr_assert_eq(dnsmasq_count("a.test", "A") - before, 2);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, overrides_skip_dns, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f, *other, *gone;

  NET_OK(async_resolver_set_str(r, ASYNC_RESOLVER_OVERRIDE,
                                "pinned.test:443:127.0.0.7,[::1]"));
  f = net_lookup(loop, r, "pinned.test", 443, 0);
  cr_assert_eq(async_addrinfo_count(async_future_value(f)), 2);
  cr_assert(net_has_address(f, "127.0.0.7"));
  cr_assert(net_has_address(f, "::1"));
  cr_assert_eq(async_addrinfo_port(async_future_value(f), 1), 443);
  other = net_lookup(loop, r, "pinned.test", 80, 0);
  expect_dns_error(other, "pinned.test", "NXDOMAIN");
  NET_OK(async_resolver_set_str(r, ASYNC_RESOLVER_OVERRIDE,
                                "-pinned.test:443"));
  gone = net_lookup(loop, r, "pinned.test", 443, ASYNC_RESOLVE_NO_CACHE);
  expect_dns_error(gone, "pinned.test", "NXDOMAIN");
  cr_assert_eq(ts_dns_log_count("pinned.test", "A"), 2);
  async_future_release(f);
  async_future_release(other);
  async_future_release(gone);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, bad_settings_are_refused, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = NULL;
  const char *bad_servers[] = {"", "nonsense", "127.0.0.1:0",
                               "127.0.0.1:99999", "[::1", "1.2.3.4:53x",
                               NULL};
  const char *bad_overrides[] = {"", "host", "host:80", "host:x:1.2.3.4",
                                 "host:80:not-an-ip", ":80:1.2.3.4", NULL};
  async_future_t *f = NULL;
  int i;

  NET_OK(async_resolver_new(&r, loop));
  for (i = 0; bad_servers[i]; i++)
    cr_assert_eq(async_resolver_set_str(r, ASYNC_RESOLVER_SERVERS,
                                        bad_servers[i]),
                 ASYNC_EINVAL, "servers '%s'", bad_servers[i]);
  for (i = 0; bad_overrides[i]; i++)
    cr_assert_eq(async_resolver_set_str(r, ASYNC_RESOLVER_OVERRIDE,
                                        bad_overrides[i]),
                 ASYNC_EINVAL, "override '%s'", bad_overrides[i]);
  NET_OK(async_resolver_set_str(r, ASYNC_RESOLVER_SERVERS,
                                "127.0.0.1:5353,[::1]:53,::1,10.0.0.1"));
  cr_assert_eq(async_resolver_set_int(r, ASYNC_RESOLVER_TIMEOUT, 1),
               ASYNC_EINVAL, "wrong setter");
  cr_assert_eq(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, NAN),
               ASYNC_EINVAL);
  cr_assert_eq(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 0),
               ASYNC_EINVAL);
  cr_assert_eq(async_resolver_set_int(r, ASYNC_RESOLVER_ATTEMPTS, 0),
               ASYNC_EINVAL);
  cr_assert_eq(async_resolver_set_int(r, 12345, 1), ASYNC_EINVAL);
  cr_assert_eq(async_resolver_resolve(r, "", 80, 0, &f), ASYNC_EINVAL);
  cr_assert_eq(async_resolver_resolve(r, "x.test", 65536, 0, &f),
               ASYNC_EINVAL);
  cr_assert_eq(async_resolver_resolve(r, "x.test", 80, 64, &f), ASYNC_EINVAL);
  cr_assert_eq(async_resolver_resolve(NULL, "x.test", 80, 0, &f),
               ASYNC_EINVAL);
  cr_assert_null(f);
  async_resolver_release(r);
  net_finish(loop);
}

static void count_answer(int err, const char *message,
                         const async_addrinfo_t *result, void *userdata)
{
  int *calls = userdata;

  cr_assert_eq(err, 0, "%s", message);
  cr_assert_str_eq(async_addrinfo_address(result, 0), "127.0.0.1");
  (*calls)++;
}

Test(dns, callback_form_calls_back_once, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  int calls = 0;

  NET_OK(async_resolver_resolve_cb(r, "v4.test", 80, 0, count_answer, &calls));
  cr_assert_eq(calls, 0, "never from inside the call");
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_DEFAULT), 0);
  cr_assert_eq(calls, 1);
  async_resolver_release(r);
  net_finish(loop);
}

Test(dns, closing_the_loop_cancels_lookups, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  async_future_t *f = NULL, *g = NULL;

  NET_OK(async_resolver_resolve(r, "silent.test", 80, 0, &f));
  NET_OK(async_resolve(loop, "localhost", 80, 0, &g));
  NET_OK(async_loop_run(loop, ASYNC_RUN_NOWAIT) >= 0 ? 0 : -1);
  NET_OK(async_loop_close(loop));
  cr_assert_eq(async_future_state(f), ASYNC_CANCELLED);
  cr_assert_neq(async_future_state(g), ASYNC_PENDING);
  cr_assert_eq(async_resolver_resolve(r, "a.test", 80, 0, &f), ASYNC_ECLOSED);
  async_future_release(f);
  async_future_release(g);
  async_resolver_release(r);
  async_loop_release(loop);
}

/* Lookups from another thread reach a runtime-mode loop. */
static void *lookup_from_thread(void *arg)
{
  async_resolver_t *r = arg;
  async_future_t *f = NULL;

  cr_assert_eq(async_resolver_resolve(r, "v4.test", 80, 0, &f), 0);
  cr_assert_eq(async_future_wait(f, 10), 0);
  cr_assert(net_has_address(f, "127.0.0.1"));
  async_future_release(f);
  return NULL;
}

Test(dns, lookups_from_other_threads, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNS_PORT");
  pthread_t threads[4];
  int i;

  NET_OK(async_loop_start_thread(loop));
  for (i = 0; i < 4; i++)
    pthread_create(&threads[i], NULL, lookup_from_thread, r);
  for (i = 0; i < 4; i++)
    pthread_join(threads[i], NULL);
  async_resolver_release(r);
  NET_OK(async_loop_close(loop));
  async_loop_release(loop);
}
