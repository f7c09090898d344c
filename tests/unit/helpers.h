/*
 * Helpers shared by the unit tests: clocks, counting callbacks, assertions
 * that name the error code they got, and the end-of-test check that a loop
 * has nothing left pending.
 *
 * Include this file first: it selects the POSIX interfaces the tests use.
 */
#ifndef LIBASYNC_TESTS_HELPERS_H
#define LIBASYNC_TESTS_HELPERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include <criterion/criterion.h>
#include <libasync.h>

/* ThreadSanitizer slows the stress tests down; they shrink under it. */
#if defined(__SANITIZE_THREAD__)
#define TESTS_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TESTS_UNDER_TSAN 1
#endif
#endif
#ifndef TESTS_UNDER_TSAN
#define TESTS_UNDER_TSAN 0
#endif

/* Asserts that `expr` returns 0, naming the error code otherwise. */
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    int rv_ = (expr);                                                          \
    cr_assert_eq(rv_, 0, "%s returned %d (%s)", #expr, rv_,                    \
                 async_err_name(rv_));                                         \
  } while (0)

/* Asserts that `expr` returns the error code `err`. */
#define ASSERT_ERR(expr, err)                                                  \
  do {                                                                         \
    int rv_ = (expr);                                                          \
    cr_assert_eq(rv_, (err), "%s returned %d (%s), expected %s", #expr, rv_,   \
                 async_err_name(rv_), async_err_name(err));                    \
  } while (0)

/* Asserts a future's state, naming both states on failure. */
#define ASSERT_STATE(future, state)                                            \
  do {                                                                         \
    int st_ = async_future_state(future);                                      \
    cr_assert_eq(st_, (state), "state of %s is %s, expected %s", #future,      \
                 state_name(st_), state_name(state));                          \
  } while (0)

static inline const char *state_name(int state) {
  switch (state) {
  case ASYNC_PENDING:
    return "PENDING";
  case ASYNC_DONE:
    return "DONE";
  case ASYNC_FAILED:
    return "FAILED";
  case ASYNC_CANCELLED:
    return "CANCELLED";
  default:
    return async_err_name(state);
  }
}

/* Seconds on CLOCK_MONOTONIC, the clock the loop's timers use. */
static inline double mono_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds since the epoch, like Python's time.time(). */
static inline double unix_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Blocks the calling thread for `seconds`, resuming after signals. */
static inline void sleep_for(double seconds) {
  struct timespec ts;

  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
    ;
}

static inline async_loop_t *new_loop(void) {
  async_loop_t *loop = NULL;

  ASSERT_OK(async_loop_new(&loop));
  cr_assert_not_null(loop, "async_loop_new gave no loop");
  return loop;
}

/*
 * The end of every test with an embedded loop: nothing may be left
 * pending, and closing must succeed. Releases the caller's reference.
 */
static inline void finish_loop(async_loop_t *loop) {
  int rv = async_loop_run(loop, ASYNC_RUN_NOWAIT);

  cr_assert_eq(rv, 0, "work left pending on the loop: run(NOWAIT) gave %d (%s)",
               rv, async_err_name(rv));
  ASSERT_OK(async_loop_close(loop));
  cr_assert_eq(async_loop_is_closed(loop), 1, "loop not closed after close");
  async_loop_release(loop);
}

/* Runs the loop on this thread until `future` has completed. */
static inline void run_until(async_loop_t *loop, async_future_t *future) {
  ASSERT_OK(async_loop_run_until(loop, future));
  cr_assert_neq(async_future_state(future), ASYNC_PENDING,
                "run_until returned with the future still pending");
}

/* An on_done callback counting its calls in an int (loop thread only). */
static inline void count_cb(async_future_t *future, void *userdata) {
  (void)future;
  (*(int *)userdata)++;
}

/* An on_done callback counting its calls in an atomic_int. */
static inline void count_cb_atomic(async_future_t *future, void *userdata) {
  (void)future;
  atomic_fetch_add((atomic_int *)userdata, 1);
}

/* A task counting its runs in an int; its future's value stays NULL. */
static inline int count_task(void *arg, void **result) {
  (void)result;
  (*(int *)arg)++;
  return 0;
}

/* A task counting its runs in an atomic_int. */
static inline int count_task_atomic(void *arg, void **result) {
  (void)result;
  atomic_fetch_add((atomic_int *)arg, 1);
  return 0;
}

#endif /* LIBASYNC_TESTS_HELPERS_H */
