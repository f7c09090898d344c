/*
 * What the network tests share: a loop per test, running it until a flag
 * is set, and a resolver pointed at the fixtures' DNS servers.
 */
#ifndef LIBASYNC_TESTS_NET_HELPERS_H
#define LIBASYNC_TESTS_NET_HELPERS_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <libasync.h>

#include "../support/servers.h"

#define NET_OK(expr)                                                           \
  do {                                                                         \
    int rv_ = (expr);                                                          \
    cr_assert_eq(rv_, 0, "%s: %s", #expr, async_err_name(rv_));                \
  } while (0)

static inline double net_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline async_loop_t *net_loop(void)
{
  async_loop_t *loop = NULL;

  NET_OK(async_loop_new(&loop));
  return loop;
}

/* Runs the loop until *flag is set, failing the test after `limit` s. */
static inline void net_run_until_flag(async_loop_t *loop, const int *flag,
                                      double limit)
{
  double end = net_now() + limit;

  while (!*flag) {
    cr_assert_lt(net_now(), end, "the loop did not finish in %g s", limit);
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_ONCE), 0);
  }
}

/* Runs the loop for `seconds` (whatever else is due runs meanwhile). */
static inline void net_pause(async_loop_t *loop, double seconds)
{
  async_future_t *pause = NULL;

  NET_OK(async_sleep(loop, seconds, &pause));
  NET_OK(async_loop_run_until(loop, pause));
  async_future_release(pause);
}

/* Closes the loop, checking that nothing was left behind. */
static inline void net_finish(async_loop_t *loop)
{
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0,
               "work left on the loop at the end of the test");
  NET_OK(async_loop_close(loop));
  async_loop_release(loop);
}

/* A resolver asking the server on 127.0.0.1:<port env var>. */
static inline async_resolver_t *net_resolver(async_loop_t *loop,
                                             const char *port_env)
{
  async_resolver_t *r = NULL;
  char servers[64];

  snprintf(servers, sizeof(servers), "127.0.0.1:%d", ts_env_int(port_env));
  NET_OK(async_resolver_new(&r, loop));
  NET_OK(async_resolver_set_str(r, ASYNC_RESOLVER_SERVERS, servers));
  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 0.5));
  NET_OK(async_resolver_set_int(r, ASYNC_RESOLVER_ATTEMPTS, 2));
  return r;
}

/* Looks a name up and runs the loop until the answer; returns the
 * future (the caller releases it). */
static inline async_future_t *net_lookup(async_loop_t *loop,
                                         async_resolver_t *r,
                                         const char *host, int port,
                                         uint32_t flags)
{
  async_future_t *f = NULL;

  NET_OK(async_resolver_resolve(r, host, port, flags, &f));
  NET_OK(async_loop_run_until(loop, f));
  return f;
}

/* Whether a lookup's result holds `address`. */
static inline int net_has_address(async_future_t *f, const char *address)
{
  const async_addrinfo_t *ai = async_future_value(f);
  size_t i;

  for (i = 0; i < async_addrinfo_count(ai); i++) {
    if (strcmp(async_addrinfo_address(ai, i), address) == 0)
      return 1;
  }
  return 0;
}

#endif /* LIBASYNC_TESTS_NET_HELPERS_H */
