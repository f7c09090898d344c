/*
 * What a pooled HTTPS connection holds while idle: its TLS record
 * buffers (16 KiB and more each) go back once the loop waits with the
 * connection unused, and come back when it serves the next request.
 * OpenSSL's allocations are counted through CRYPTO_set_mem_functions.
 */
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "http_helpers.h"

/* Bytes OpenSSL holds now, and how many blocks of a record buffer's size
 * it has freed. Each block carries its size in front. */
static atomic_llong openssl_bytes;
static atomic_int large_frees;

#define RECORD_BUFFER 16384

#define HEADER 16 /* keeps the block's alignment */

static void *counting_malloc(size_t n, const char *file, int line)
{
  char *p = malloc(n + HEADER);

  (void)file;
  (void)line;
  if (p == NULL)
    return NULL;
  *(size_t *)p = n;
  atomic_fetch_add(&openssl_bytes, (long long)n);
  return p + HEADER;
}

static void counting_free(void *block, const char *file, int line)
{
  char *p = block;

  (void)file;
  (void)line;
  if (p == NULL)
    return;
  p -= HEADER;
  if (*(size_t *)p >= RECORD_BUFFER)
    atomic_fetch_add(&large_frees, 1);
  atomic_fetch_sub(&openssl_bytes, (long long)*(size_t *)p);
  free(p);
}

static void *counting_realloc(void *block, size_t n, const char *file,
                              int line)
{
  char *p;
  size_t old;

  if (block == NULL)
    return counting_malloc(n, file, line);
  p = (char *)block - HEADER;
  old = *(size_t *)p;
  if ((p = realloc(p, n + HEADER)) == NULL)
    return NULL;
  *(size_t *)p = n;
  atomic_fetch_add(&openssl_bytes, (long long)n - (long long)old);
  return p + HEADER;
}

/* Before main: Criterion's own start-up may use OpenSSL (through
 * libgit2), and OpenSSL takes new functions only before it allocates. */
static int counting;

__attribute__((constructor)) static void count_openssl(void)
{
  counting = CRYPTO_set_mem_functions(counting_malloc, counting_realloc,
                                      counting_free);
}

/* What OpenSSL held when the response was called back: the connection
 * had just served it. */
static void note_bytes(async_future_t *f, void *userdata)
{
  (void)f;
  *(long long *)userdata = atomic_load(&openssl_bytes);
}

static long long get_noting_bytes(async_loop_t *loop, async_session_t *s)
{
  async_future_t *f = NULL;
  long long in_use = -1;

  NET_OK(async_http_get(s, url_of("https", "/1k.bin"), &f));
  NET_OK(async_future_on_done(f, note_bytes, &in_use));
  NET_OK(async_loop_run_until(loop, f));
  cr_assert_eq(async_response_status(ok_response(f)), 200);
  async_future_release(f);
  cr_assert_geq(in_use, 0, "the callback ran");
  return in_use;
}

Test(tls_idle_memory, record_buffers_go_back_while_the_connection_waits,
     .timeout = 30)
{
  async_loop_t *loop;
  async_session_t *s;
  long long in_use, idle, in_use_again;
  int64_t opened = 0, open_now = 0;

  cr_assert_eq(counting, 1, "OpenSSL allocated before it could be counted");
  loop = net_loop();
  s = test_session(loop);
  in_use = get_noting_bytes(loop, s);
  idle = atomic_load(&openssl_bytes);
  cr_assert_geq(in_use - idle, 2 * RECORD_BUFFER,
                "an idle connection gives back its read and write buffers: "
                "%lld bytes in use, %lld idle",
                in_use, idle);

  /* The same connection serves the next request, buffers made again. */
  in_use_again = get_noting_bytes(loop, s);
  cr_assert_geq(in_use_again - idle, 2 * RECORD_BUFFER, "%lld bytes, %lld idle",
                in_use_again, idle);
  NET_OK(async_session_stats(s, &opened, &open_now));
  cr_assert_eq(opened, 1, "one connection for both requests");
  cr_assert_eq(open_now, 1);
  cr_assert_leq(atomic_load(&openssl_bytes), idle,
                "idle again, the buffers went again");
  async_session_release(s);
  net_finish(loop);
}

/* A chain of requests, each sent from the previous one's callback. */
typedef struct chain {
  async_session_t *session;
  int left;
  int failed;
  async_future_t *last;
} chain_t;

static void send_next(async_future_t *f, void *userdata)
{
  chain_t *c = userdata;
  async_future_t *next = NULL;

  if (async_future_state(f) != ASYNC_DONE)
    c->failed = 1;
  if (--c->left == 0 || c->failed)
    return;
  if (async_http_get(c->session, url_of("https", "/1k.bin"), &next) != 0 ||
      async_future_on_done(next, send_next, c) != 0) {
    c->failed = 1;
    return;
  }
  async_future_release(c->last);
  c->last = next;
}

Test(tls_idle_memory, a_connection_used_again_at_once_keeps_its_buffers,
     .timeout = 30)
{
  async_loop_t *loop;
  chain_t c = {0};
  int frees_before;

  cr_assert_eq(counting, 1, "OpenSSL allocated before it could be counted");
  loop = net_loop();
  c.session = test_session(loop);
  async_future_release(get(loop, c.session, url_of("https", "/1k.bin")));
  frees_before = atomic_load(&large_frees);

  /* Twenty requests back to back: each response's callback sends the
   * next, which takes the connection before the loop waits again. */
  c.left = 20;
  NET_OK(async_http_get(c.session, url_of("https", "/1k.bin"), &c.last));
  NET_OK(async_future_on_done(c.last, send_next, &c));
  while (c.left > 0 && !c.failed)
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_ONCE), 0);
  cr_assert_eq(c.failed, 0);
  NET_OK(async_loop_run_until(loop, c.last));
  /* Two buffers went when the connection last went idle, none between. */
  cr_assert_leq(atomic_load(&large_frees) - frees_before, 2,
                "%d record buffers freed in 20 requests",
                atomic_load(&large_frees) - frees_before);
  async_future_release(c.last);
  async_session_release(c.session);
  net_finish(loop);
}
