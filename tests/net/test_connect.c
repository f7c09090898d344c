/*
 * TCP connect: Happy Eyeballs, refusals and deadlines, against listening
 * sockets the tests open on loopback addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial_helpers.h"

/* A listening socket on addr:port (port 0: any); *port receives it. */
static int listen_on(const char *addr, int *port, int backlog)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;

  cr_assert_geq(fd, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)*port);
  inet_pton(AF_INET, addr, &sa.sin_addr);
  cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind %s: %s",
               addr, strerror(errno));
  cr_assert_eq(listen(fd, backlog), 0);
  getsockname(fd, (struct sockaddr *)&sa, &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

/*
 * A listener that never completes a handshake: its accept queue (size
 * one with a backlog of 0) is filled by a connection nobody accepts, so
 * the kernel drops every further SYN and a connect to it hangs.
 */
static int listen_black_hole(const char *addr, int *port, int *filler)
{
  int fd = listen_on(addr, port, 0);
  struct sockaddr_in sa;

  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)*port);
  inet_pton(AF_INET, addr, &sa.sin_addr);
  *filler = socket(AF_INET, SOCK_STREAM, 0);
  cr_assert_eq(connect(*filler, (struct sockaddr *)&sa, sizeof(sa)), 0);
  return fd;
}

static int accepted(int listener)
{
  int fd = accept(listener, NULL, NULL);

  if (fd >= 0)
    close(fd);
  return fd >= 0;
}

static async_resolver_t *resolver_with(async_loop_t *loop, const char *override)
{
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");

  if (override != NULL)
    NET_OK(async_resolver_set_str(r, ASYNC_RESOLVER_OVERRIDE, override));
  return r;
}

Test(connect, ipv6_refused_falls_back_to_ipv4_at_once, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  int port = 0, listener = listen_on("127.0.0.1", &port, 16);
  char override[128];
  async_resolver_t *r;
  dialed_t d;

  /* Nothing listens on [::1]:port: IPv6 is tried first and refused (or
   * unreachable), and IPv4 follows without waiting 250 ms. */
  snprintf(override, sizeof(override), "he.test:%d:[::1],127.0.0.1", port);
  r = resolver_with(loop, override);
  d = dial(loop, r, "he.test", port, NULL, 5);
  cr_assert_eq(d.err, 0, "%s", d.message);
  cr_assert_lt(d.took, 0.2, "took %.3f s", d.took);
  cr_assert(accepted(listener), "the IPv4 listener got no connection");
  async__stream_close(d.stream);
  close(listener);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, next_attempt_starts_after_250_ms, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  int port = 0, filler, hole = listen_black_hole("127.0.0.1", &port, &filler);
  int listener = listen_on("127.0.0.2", &port, 16);
  char override[128];
  async_resolver_t *r;
  dialed_t d;

  snprintf(override, sizeof(override), "stagger.test:%d:127.0.0.1,127.0.0.2",
           port);
  r = resolver_with(loop, override);
  d = dial(loop, r, "stagger.test", port, NULL, 5);
  cr_assert_eq(d.err, 0, "%s", d.message);
  cr_assert_geq(d.took, 0.24, "took %.3f s: the stagger was skipped", d.took);
  cr_assert_lt(d.took, 0.6, "took %.3f s", d.took);
  cr_assert(accepted(listener), "the second address got no connection");
  async__stream_close(d.stream);
  close(listener);
  close(filler);
  close(hole);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, refused_names_address_and_reason, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = resolver_with(loop, NULL);
  dialed_t d = dial(loop, r, "127.0.0.1", ts_env_int("ASYNC_TEST_FREE_PORT"),
                    NULL, 5);

  cr_assert_eq(d.err, ASYNC_ECONNECT, "%s", async_err_name(d.err));
  cr_assert_null(d.stream);
  cr_assert(strstr(d.message, "127.0.0.1") != NULL, "%s", d.message);
  cr_assert(strstr(d.message, "Connection refused") != NULL, "%s", d.message);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, every_address_refused_lists_them_all, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  int port = ts_env_int("ASYNC_TEST_FREE_PORT");
  char override[128];
  async_resolver_t *r;
  dialed_t d;

  snprintf(override, sizeof(override), "two.test:%d:127.0.0.1,127.0.0.3",
           port);
  r = resolver_with(loop, override);
  d = dial(loop, r, "two.test", port, NULL, 5);
  cr_assert_eq(d.err, ASYNC_ECONNECT);
  cr_assert(strstr(d.message, "127.0.0.1:") != NULL, "%s", d.message);
  cr_assert(strstr(d.message, "127.0.0.3:") != NULL, "%s", d.message);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, deadline_names_the_phase, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  int port = 0, filler, hole = listen_black_hole("127.0.0.1", &port, &filler);
  char override[128];
  async_resolver_t *r;
  dialed_t d;

  snprintf(override, sizeof(override), "hang.test:%d:127.0.0.1", port);
  r = resolver_with(loop, override);
  d = dial(loop, r, "hang.test", port, NULL, 0.3);
  cr_assert_eq(d.err, ASYNC_ETIMEDOUT, "%s: %s", async_err_name(d.err),
               d.message);
  cr_assert(strstr(d.message, "TCP connect") != NULL, "%s", d.message);
  cr_assert_geq(d.took, 0.29);
  cr_assert_lt(d.took, 1.0);
  close(filler);
  close(hole);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, dns_deadline_names_the_phase, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = resolver_with(loop, NULL);
  dialed_t d;

  NET_OK(async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 5));
  d = dial(loop, r, "silent.test", 80, NULL, 0.2);
  cr_assert_eq(d.err, ASYNC_ETIMEDOUT);
  cr_assert(strstr(d.message, "DNS") != NULL, "%s", d.message);
  cr_assert_lt(d.took, 1.0);
  /* The lookup was cancelled with the dial: nothing is left running. */
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_DEFAULT), 0);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, dns_failure_is_reported, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = resolver_with(loop, NULL);
  dialed_t d = dial(loop, r, "nx.test", 80, NULL, 5);

  cr_assert_eq(d.err, ASYNC_EDNS);
  cr_assert(strstr(d.message, "nx.test") != NULL, "%s", d.message);
  async_resolver_release(r);
  net_finish(loop);
}

Test(connect, plain_http_exchange_with_nginx, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = resolver_with(loop, NULL);
  dialed_t d = dial(loop, r, "localhost", ts_env_int("ASYNC_TEST_HTTP_PORT"),
                    NULL, 5);
  exchange_t x;

  cr_assert_eq(d.err, 0, "%s", d.message);
  cr_assert_geq(d.times.connect, d.times.dns);
  http_get(loop, d.stream, "/", &x);
  cr_assert_eq(x.end_err, 0);
  cr_assert(strncmp(x.response, "HTTP/1.1 200", 12) == 0, "%s", x.response);
  cr_assert(strstr(x.response, "hello from nginx") != NULL);
  async_resolver_release(r);
  net_finish(loop);
}
