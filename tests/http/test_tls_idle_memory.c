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

/* Bytes OpenSSL holds now. Each block carries its size in front. */
static atomic_llong openssl_bytes;

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
  cr_assert_geq(in_use - idle, 2 * 16384,
                "an idle connection gives back its read and write buffers: "
                "%lld bytes in use, %lld idle",
                in_use, idle);

  /* The same connection serves the next request, buffers made again. */
  in_use_again = get_noting_bytes(loop, s);
  cr_assert_geq(in_use_again - idle, 2 * 16384, "%lld bytes, %lld idle",
                in_use_again, idle);
  NET_OK(async_session_stats(s, &opened, &open_now));
  cr_assert_eq(opened, 1, "one connection for both requests");
  cr_assert_eq(open_now, 1);
  cr_assert_leq(atomic_load(&openssl_bytes), idle,
                "idle again, the buffers went again");
  async_session_release(s);
  net_finish(loop);
}
