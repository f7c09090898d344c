/*
 * Helpers for the tests that run against the servers of
 * tests/support/with-servers.sh: its environment variables, and the query
 * log of its scripted DNS server (tests/support/dns_script.py).
 *
 * Call them from inside a Test(): they end the test when something is
 * missing.
 */
#ifndef LIBASYNC_TESTS_SERVERS_H
#define LIBASYNC_TESTS_SERVERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

#endif
