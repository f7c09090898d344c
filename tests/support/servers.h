/*
 * Helpers for the tests that run against the servers of
 * tests/support/with-servers.sh: its environment variables, the query
 * log of its scripted DNS server (tests/support/dns_script.py), the
 * connection and request counts of its hostile HTTP server
 * (tests/support/hostile_server.py) and the request log of its proxy
 * (tests/support/proxy_server.py).
 *
 * Call them from inside a Test(): they end the test when something is
 * missing.
 */
#ifndef LIBASYNC_TESTS_SERVERS_H
#define LIBASYNC_TESTS_SERVERS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <criterion/criterion.h>

/*
 * The value of the environment variable `name` (for instance
 * "ASYNC_TEST_HTTPS_PORT"). Outside with-servers.sh the test fails; under
 * it, a variable it left unset (its server was not started, --only) skips
 * the test.
 */
static inline const char *ts_env(const char *name) {
  const char *value = getenv(name);

  if (value == NULL || value[0] == '\0') {
    if (getenv("ASYNC_TEST_DIR") == NULL)
      cr_assert_fail("%s is not set: run this test through "
                     "tests/support/with-servers.sh (ctest does)",
                     name);
    cr_skip_test("%s is not set: its server was not started", name);
  }
  return value;
}

/* ts_env() as a non-negative integer, such as a port. */
static inline int ts_env_int(const char *name) {
  const char *value = ts_env(name);
  char *end;
  long n = strtol(value, &end, 10);

  if (end == value || *end != '\0' || n < 0 || n > 0x7fffffff)
    cr_assert_fail("%s=\"%s\" is not a number", name, value);
  return (int)n;
}

/*
 * How many questions for `name` of `type` ("A", "AAAA"; NULL for any) the
 * scripted DNS server has received since it started or since
 * ts_dns_log_reset(). Names compare without regard to case. The server
 * logs a question before it replies, so every query a lookup has completed
 * with is counted.
 */
static inline int ts_dns_log_count(const char *name, const char *type) {
  const char *path = ts_env("ASYNC_TEST_DNSSCRIPT_LOG");
  char line[512], qname[256], qtype[32];
  FILE *log = fopen(path, "r");
  int count = 0;

  if (log == NULL)
    cr_assert_fail("cannot open %s", path);
  /* Each line is "NAME TYPE PROTO". */
  while (fgets(line, sizeof line, log) != NULL) {
    if (sscanf(line, "%255s %31s", qname, qtype) == 2 &&
        strcasecmp(qname, name) == 0 &&
        (type == NULL || strcasecmp(qtype, type) == 0))
      count++;
  }
  fclose(log);
  return count;
}

/* Empties the scripted DNS server's log. */
static inline void ts_dns_log_reset(void) {
  const char *path = ts_env("ASYNC_TEST_DNSSCRIPT_LOG");
  FILE *log = fopen(path, "w");

  if (log == NULL)
    cr_assert_fail("cannot truncate %s", path);
  fclose(log);
}

/*
 * The hostile server's counts (its /stats, or /stats/reset with `reset`):
 * TCP connections accepted and requests read since its start or the last
 * reset, and connections open now. Asked with a blocking request of its
 * own (Connection: close), which the server does not count. Any out
 * pointer may be NULL.
 */
static inline void ts_hostile_stats_ex(int reset, int *connections,
                                       int *open_now, int *requests) {
  int port = ts_env_int("ASYNC_TEST_HOSTILE_PORT");
  struct sockaddr_in addr;
  struct timeval timeout = {10, 0};
  char request[128], reply[1024];
  size_t got = 0;
  ssize_t n;
  const char *body;
  int fd, c, o, r;

  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    cr_assert_fail("socket() for the hostile server's /stats failed");
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    cr_assert_fail("cannot connect to the hostile server (port %d)", port);
  }
  snprintf(request, sizeof request,
           "GET /stats%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           "Connection: close\r\n\r\n",
           reset ? "/reset" : "", port);
  if (send(fd, request, strlen(request), MSG_NOSIGNAL) !=
      (ssize_t)strlen(request)) {
    close(fd);
    cr_assert_fail("cannot send to the hostile server");
  }
  /* The server closes after the response (Connection: close). */
  while (got < sizeof reply - 1 &&
         (n = recv(fd, reply + got, sizeof reply - 1 - got, 0)) > 0)
    got += (size_t)n;
  close(fd);
  reply[got] = '\0';
  body = strstr(reply, "\r\n\r\n");
  if (body == NULL ||
      sscanf(body + 4, " {\"connections\": %d, \"open\": %d, "
                       "\"requests\": %d}",
             &c, &o, &r) != 3)
    cr_assert_fail("unexpected /stats reply from the hostile server: %s",
                   reply);
  if (connections != NULL)
    *connections = c;
  if (open_now != NULL)
    *open_now = o;
  if (requests != NULL)
    *requests = r;
}

/* The hostile server's counts; see ts_hostile_stats_ex(). */
static inline void ts_hostile_stats(int *connections, int *open_now,
                                    int *requests) {
  ts_hostile_stats_ex(0, connections, open_now, requests);
}

/* Zeroes the hostile server's connection and request counts. */
static inline void ts_hostile_stats_reset(void) {
  ts_hostile_stats_ex(1, NULL, NULL, NULL);
}

/*
 * How many lines of the proxy's log are exactly `line` ("METHOD TARGET",
 * for instance "CONNECT 127.0.0.1:8443" or "GET http://127.0.0.1:8080/get"),
 * since it started or since ts_proxy_log_reset(). The proxy logs a request
 * before it acts on it.
 */
static inline int ts_proxy_log_count(const char *line) {
  const char *path = ts_env("ASYNC_TEST_PROXY_LOG");
  char buf[4096];
  FILE *log = fopen(path, "r");
  size_t len;
  int count = 0;

  if (log == NULL)
    cr_assert_fail("cannot open %s", path);
  while (fgets(buf, sizeof buf, log) != NULL) {
    len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
      buf[--len] = '\0';
    if (strcmp(buf, line) == 0)
      count++;
  }
  fclose(log);
  return count;
}

/* Empties the proxy's log. */
static inline void ts_proxy_log_reset(void) {
  const char *path = ts_env("ASYNC_TEST_PROXY_LOG");
  FILE *log = fopen(path, "w");

  if (log == NULL)
    cr_assert_fail("cannot truncate %s", path);
  fclose(log);
}

#endif
