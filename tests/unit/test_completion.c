/*
 * The completion queue: async_future_notify() tokens, the completion fd's
 * readability, and async_loop_drain() — how bindings consume completions
 * on their own thread.
 */
#include "helpers.h"

#include <poll.h>
#include <stdlib.h>

/* Whether the completion fd is readable within `ms` milliseconds. */
static int completion_readable(async_loop_t *loop, int ms) {
  struct pollfd pfd = {.fd = async_loop_completion_fd(loop), .events = POLLIN};
  int rv;

  cr_assert_geq(pfd.fd, 0, "completion_fd gave %d", pfd.fd);
  rv = poll(&pfd, 1, ms);
  cr_assert_geq(rv, 0, "poll failed");
  return rv > 0 && (pfd.revents & POLLIN);
}

/* Lets the loop push what completions have produced. */
static void settle(async_loop_t *loop) {
  for (int i = 0; i < 5; i++)
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
}

Test(completion, fd_is_quiet_without_tokens, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int64_t token = -1;

  cr_assert_eq(completion_readable(loop, 0), 0);
  /* A future completing without notify pushes nothing. */
  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_resolve(f, NULL, NULL));
  settle(loop);
  cr_assert_eq(completion_readable(loop, 0), 0);
  cr_assert_eq(async_loop_drain(loop, &token, 1), 0);
  cr_assert_eq(token, -1, "drain wrote a token it did not return");
  async_future_release(f);
  finish_loop(loop);
}

Test(completion, fd_is_readable_once_a_notified_future_completes,
     .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int64_t token = -1;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_notify(f, 7));
  settle(loop);
  cr_assert_eq(completion_readable(loop, 0), 0, "readable before completion");
  ASSERT_OK(async_future_resolve(f, NULL, NULL));
  settle(loop);
  cr_assert_eq(completion_readable(loop, 0), 1);
  cr_assert_eq(async_loop_drain(loop, &token, 1), 1);
  cr_assert_eq(token, 7);
  async_future_release(f);
  finish_loop(loop);
}

Test(completion, drain_keeps_completion_order_and_max, .timeout = 10) {
  static const int completion_order[5] = {2, 0, 4, 1, 3};
  async_loop_t *loop = new_loop();
  async_future_t *futures[5];
  int64_t tokens[8];

  for (int i = 0; i < 5; i++) {
    ASSERT_OK(async_future_new(&futures[i], loop));
    ASSERT_OK(async_future_notify(futures[i], 100 + i));
  }
  for (int i = 0; i < 5; i++) {
    ASSERT_OK(async_future_resolve(futures[completion_order[i]], NULL, NULL));
    settle(loop);
  }

  for (int i = 0; i < 8; i++)
    tokens[i] = -1;
  cr_assert_eq(async_loop_drain(loop, tokens, 2), 2);
  cr_assert_eq(tokens[0], 102);
  cr_assert_eq(tokens[1], 100);
  cr_assert_eq(tokens[2], -1, "drain wrote past max");
  cr_assert_eq(completion_readable(loop, 0), 1, "quiet with 3 tokens left");

  cr_assert_eq(async_loop_drain(loop, tokens, 3), 3);
  cr_assert_eq(tokens[0], 104);
  cr_assert_eq(tokens[1], 101);
  cr_assert_eq(tokens[2], 103);
  cr_assert_eq(async_loop_drain(loop, tokens, 8), 0, "a token came twice");
  for (int i = 0; i < 5; i++)
    async_future_release(futures[i]);
  finish_loop(loop);
}

Test(completion, fd_is_quiet_after_draining_all, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *futures[3];
  int64_t tokens[4];

  for (int i = 0; i < 3; i++) {
    ASSERT_OK(async_future_new(&futures[i], loop));
    ASSERT_OK(async_future_notify(futures[i], i));
    ASSERT_OK(async_future_resolve(futures[i], NULL, NULL));
  }
  settle(loop);
  cr_assert_eq(completion_readable(loop, 0), 1);
  cr_assert_eq(async_loop_drain(loop, tokens, 4), 3);
  cr_assert_eq(completion_readable(loop, 0), 0, "readable with no tokens");
  settle(loop);
  cr_assert_eq(completion_readable(loop, 0), 0, "readable with no tokens");
  for (int i = 0; i < 3; i++)
    async_future_release(futures[i]);
  finish_loop(loop);
}

Test(completion, each_notify_pushes_its_token_once, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int64_t tokens[8];
  int seen[3] = {0};
  int n;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_notify(f, 0));
  ASSERT_OK(async_future_notify(f, 1));
  ASSERT_OK(async_future_cancel(f));
  /* A notify on a completed future pushes too, later. */
  ASSERT_OK(async_future_notify(f, 2));
  settle(loop);
  n = async_loop_drain(loop, tokens, 8);
  cr_assert_eq(n, 3, "drained %d tokens", n);
  for (int i = 0; i < n; i++) {
    cr_assert(tokens[i] >= 0 && tokens[i] < 3, "token %lld",
              (long long)tokens[i]);
    seen[tokens[i]]++;
  }
  for (int i = 0; i < 3; i++)
    cr_assert_eq(seen[i], 1, "token %d seen %d times", i, seen[i]);
  settle(loop);
  cr_assert_eq(async_loop_drain(loop, tokens, 8), 0);
  async_future_release(f);
  finish_loop(loop);
}

Test(completion, runtime_loop_drained_on_main_thread, .timeout = 20) {
  enum { N = 1000 };
  async_loop_t *loop = new_loop();
  async_future_t *futures[N];
  int64_t *tokens = calloc(N, sizeof(*tokens));
  int got = 0;

  cr_assert_not_null(tokens);
  ASSERT_OK(async_loop_start_thread(loop));
  for (int i = 0; i < N; i++) {
    ASSERT_OK(async_future_new(&futures[i], loop));
    ASSERT_OK(async_future_notify(futures[i], 5000 + i));
  }
  /* Resolves from this thread are queued to the loop in order. */
  for (int i = 0; i < N; i++)
    ASSERT_OK(async_future_resolve(futures[i], NULL, NULL));

  while (got < N) {
    int n;

    cr_assert(completion_readable(loop, 5000), "no completion within 5 s");
    n = async_loop_drain(loop, tokens + got, (size_t)(N - got));
    cr_assert_geq(n, 0, "drain gave %d", n);
    got += n;
  }
  for (int i = 0; i < N; i++)
    cr_assert_eq(tokens[i], 5000 + i, "position %d: token %lld", i,
                 (long long)tokens[i]);
  cr_assert_eq(async_loop_drain(loop, tokens, N), 0);
  cr_assert_eq(completion_readable(loop, 0), 0);

  ASSERT_OK(async_loop_close(loop));
  for (int i = 0; i < N; i++) {
    ASSERT_STATE(futures[i], ASYNC_DONE);
    async_future_release(futures[i]);
  }
  async_loop_release(loop);
  free(tokens);
}

Test(completion, close_pushes_tokens_that_drain_after_close, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *nap = NULL, *promise = NULL;
  int64_t tokens[4] = {-1, -1, -1, -1};
  int n;

  ASSERT_OK(async_sleep(loop, 10.0, &nap));
  ASSERT_OK(async_future_new(&promise, loop));
  ASSERT_OK(async_future_notify(nap, 1));
  ASSERT_OK(async_future_notify(promise, 2));
  ASSERT_OK(async_loop_close(loop));
  ASSERT_STATE(nap, ASYNC_CANCELLED);
  ASSERT_STATE(promise, ASYNC_CANCELLED);

  cr_assert_eq(completion_readable(loop, 0), 1);
  n = async_loop_drain(loop, tokens, 4);
  cr_assert_eq(n, 2, "drained %d tokens after close", n);
  cr_assert(tokens[0] + tokens[1] == 3 && tokens[0] != tokens[1],
            "tokens %lld %lld", (long long)tokens[0], (long long)tokens[1]);
  cr_assert_eq(completion_readable(loop, 0), 0);
  async_future_release(nap);
  async_future_release(promise);
  async_loop_release(loop);
}
