/*
 * A plain program (no test framework, whose own allocations would blur
 * the picture) that exercises DNS, connect, TLS and HTTP (with random
 * cancels) against the fixture servers, closes the loop, and exits. Run under valgrind, it must show no
 * error and no leak: every socket, query, session and buffer is gone
 * after async_loop_close.
 */
#include <libasync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dial.h"

static int failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "net_leaks: %s:%d: ", __FILE__, __LINE__);               \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static int env_int(const char *name)
{
  const char *value = getenv(name);

  if (value == NULL) {
    fprintf(stderr, "net_leaks: %s is not set: run through with-servers.sh\n",
            name);
    exit(2);
  }
  return atoi(value);
}

typedef struct dialed {
  int done;
  int err;
  async__stream_t *stream;
} dialed_t;

static void on_dialed(async__stream_t *stream, int err, const char *message,
                      const async__dial_times_t *times, void *userdata)
{
  dialed_t *d = userdata;

  (void)message;
  (void)times;
  d->done = 1;
  d->err = err;
  d->stream = stream;
}

static dialed_t dial(async_loop_t *loop, async_resolver_t *r, const char *host,
                     int port, async__tls_t *tls)
{
  async__dial_options_t options = {r, tls, 10, 0};
  dialed_t d = {0, 0, NULL};

  if (async__dial_start(loop, host, port, &options, on_dialed, &d) == NULL) {
    d.err = ASYNC_ENOMEM;
    return d;
  }
  while (!d.done)
    async_loop_run(loop, ASYNC_RUN_ONCE);
  return d;
}

static void lookups(async_loop_t *loop, async_resolver_t *r)
{
  const char *names[] = {"ttl.test", "nx.test", "servfail.test", "many.test",
                         "localhost"};
  async_future_t *f[5], *silent = NULL, *all = NULL;
  int i;

  for (i = 0; i < 5; i++)
    async_resolver_resolve(r, names[i], 80, 0, &f[i]);
  async_gather(loop, f, 5, ASYNC_GATHER_RETURN_ERRORS, &all);
  async_loop_run_until(loop, all);
  CHECK(async_future_state(f[0]) == ASYNC_DONE, "ttl.test: %s",
        async_future_message(f[0]));
  CHECK(async_future_error(f[1]) == ASYNC_EDNS, "nx.test");
  for (i = 0; i < 5; i++)
    async_future_release(f[i]);
  async_future_release(all);
  /* Cancelled mid-query, and one left pending for the close. */
  async_resolver_resolve(r, "silent.test", 80, 0, &silent);
  async_loop_run(loop, ASYNC_RUN_NOWAIT);
  async_future_cancel(silent);
  async_future_release(silent);
  async_resolver_resolve(r, "silent.test", 81, ASYNC_RESOLVE_IPV4, &silent);
  async_future_release(silent);
}

static void connections(async_loop_t *loop, async_resolver_t *r)
{
  async__tls_config_t config = {1, getenv("ASYNC_TEST_CA"), NULL, NULL, NULL};
  async__tls_t *tls = NULL;
  char *error = NULL;
  dialed_t d;
  int i;

  d = dial(loop, r, "127.0.0.1", env_int("ASYNC_TEST_FREE_PORT"), NULL);
  CHECK(d.err == ASYNC_ECONNECT, "refused: %s", async_err_name(d.err));
  CHECK(async__tls_new(&tls, &config, &error) == 0, "tls: %s", error);
  for (i = 0; i < 2; i++) { /* the second resumes */
    d = dial(loop, r, "localhost", env_int("ASYNC_TEST_HTTPS_PORT"), tls);
    CHECK(d.err == 0, "https: %s", async_err_name(d.err));
    async__stream_write(d.stream, "GET / HTTP/1.0\r\n\r\n", 18);
    async_loop_run(loop, ASYNC_RUN_NOWAIT);
    async__stream_close(d.stream);
  }
  d = dial(loop, r, "localhost", env_int("ASYNC_TEST_HTTPS_EXPIRED_PORT"),
           tls);
  CHECK(d.err == ASYNC_ECERT, "expired: %s", async_err_name(d.err));
  d = dial(loop, r, "localhost", env_int("ASYNC_TEST_HTTP_PORT"), tls);
  CHECK(d.err == ASYNC_ETLS, "plain port: %s", async_err_name(d.err));
  async__tls_release(tls);
}

/* HTTP: many requests over a small pool, a third cancelled at random,
 * https among them; then requests left in flight for the close. */
static void http(async_loop_t *loop)
{
  enum { N = 300 };
  async_future_t *f[N], *all = NULL, *left = NULL;
  async_session_t *s = NULL;
  char url[2][128];
  int64_t open_now = -1;
  int i, done = 0;

  snprintf(url[0], sizeof(url[0]), "http://127.0.0.1:%d/1k.bin",
           env_int("ASYNC_TEST_HTTP_PORT"));
  snprintf(url[1], sizeof(url[1]), "https://localhost:%d/",
           env_int("ASYNC_TEST_HTTPS_PORT"));
  async_session_new(&s, loop);
  async_session_set_str(s, ASYNC_SESSION_CA_FILE, getenv("ASYNC_TEST_CA"));
  async_session_set_int(s, ASYNC_SESSION_LIMIT, 8);
  srand(11);
  for (i = 0; i < N; i++)
    async_http_get(s, url[i % 10 == 0], &f[i]);
  async_gather(loop, f, N, ASYNC_GATHER_RETURN_ERRORS, &all);
  for (i = 0; i < N; i++) {
    if (rand() % 3 == 0)
      async_future_cancel(f[i]);
  }
  async_loop_run_until(loop, all);
  for (i = 0; i < N; i++) {
    int state = async_future_state(f[i]);
    CHECK(state == ASYNC_DONE || state == ASYNC_CANCELLED, "request %d: %s",
          i, async_future_message(f[i]));
    done += state == ASYNC_DONE;
    async_future_release(f[i]);
  }
  CHECK(done > 0, "no request succeeded");
  async_session_stats(s, NULL, &open_now);
  CHECK(open_now <= 8, "%lld connections open", (long long)open_now);
  async_future_release(all);
  async_http_get(s, url[0], &left);
  async_future_release(left);
  async_session_release(s);
}

int main(void)
{
  async_loop_t *loop = NULL;
  async_resolver_t *r = NULL;
  char servers[64];

  snprintf(servers, sizeof(servers), "127.0.0.1:%d",
           env_int("ASYNC_TEST_DNSSCRIPT_PORT"));
  if (async_loop_new(&loop) < 0 || async_resolver_new(&r, loop) < 0)
    return 1;
  async_resolver_set_str(r, ASYNC_RESOLVER_SERVERS, servers);
  async_resolver_set_double(r, ASYNC_RESOLVER_TIMEOUT, 5);
  lookups(loop, r);
  connections(loop, r);
  http(loop);
  async_loop_close(loop);
  async_resolver_release(r);
  async_loop_release(loop);
  if (failures > 0)
    fprintf(stderr, "net_leaks: %d checks failed\n", failures);
  return failures > 0;
}
