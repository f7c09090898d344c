/*
 * Bad input: NULL handles and pointers, bad seconds, unknown modes, flags
 * and options. Every public function must answer ASYNC_EINVAL (or NULL, or
 * a negative value, as its header says), never crash, never call back,
 * and leave its out parameters untouched.
 */
#include "helpers.h"

#include <math.h>

/* An address no call may write into an out parameter that it failed. */
static char sentinel_storage;
#define SENTINEL ((async_future_t *)(void *)&sentinel_storage)

static int never_task(void *arg, void **result) {
  (void)arg;
  (void)result;
  cr_assert_fail("a task ran after a failed call");
  return 0;
}

static void never_cb(async_future_t *future, void *userdata) {
  (void)future;
  (void)userdata;
  cr_assert_fail("a callback ran after a failed call");
}

Test(bad_input, loop_functions_reject_null_loop, .timeout = 10) {
  async_future_t *f = SENTINEL, *list[1] = {NULL};
  int64_t value = -7, token = -7;
  double seconds = -7;
  int mine = 0;

  ASSERT_ERR(async_loop_new(NULL), ASYNC_EINVAL);
  cr_assert_null(async_loop_retain(NULL));
  async_loop_release(NULL);
  ASSERT_ERR(async_loop_set_userdata(NULL, &mine), ASYNC_EINVAL);
  cr_assert_null(async_loop_userdata(NULL));
  ASSERT_ERR(async_loop_run(NULL, ASYNC_RUN_DEFAULT), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_run(NULL, ASYNC_RUN_NOWAIT), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_run_until(NULL, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_stop(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_start_thread(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_close(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_is_closed(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(NULL, ASYNC_LOOP_WORKERS, 2), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_get_int(NULL, ASYNC_LOOP_WORKERS, &value),
             ASYNC_EINVAL);
  cr_assert_eq(value, -7);
  cr_assert_lt(async_loop_now(NULL), 0);
  ASSERT_ERR(async_loop_backend_fd(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_next_timeout(NULL, &seconds), ASYNC_EINVAL);
  cr_assert_eq(seconds, -7);
  ASSERT_ERR(async_loop_completion_fd(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_drain(NULL, &token, 1), ASYNC_EINVAL);
  cr_assert_eq(token, -7);
  ASSERT_ERR(async_loop_call_soon(NULL, never_task, NULL, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_call_later(NULL, 0.0, never_task, NULL, &f),
             ASYNC_EINVAL);
  ASSERT_ERR(async_loop_run_in_thread(NULL, never_task, NULL, &f),
             ASYNC_EINVAL);
  ASSERT_ERR(async_future_new(&f, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_sleep(NULL, 0.0, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_gather(NULL, list, 0, 0, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_wait(NULL, list, 1, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &f),
             ASYNC_EINVAL);
  ASSERT_ERR(async_group_new(&f, NULL), ASYNC_EINVAL);
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
}

Test(bad_input, loop_functions_reject_null_pointers, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = SENTINEL;

  ASSERT_ERR(async_loop_run_until(loop, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_get_int(loop, ASYNC_LOOP_WORKERS, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_next_timeout(loop, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_drain(loop, NULL, 1), ASYNC_EINVAL);
  cr_assert_eq(async_loop_drain(loop, NULL, 0), 0);
  ASSERT_ERR(async_loop_call_soon(loop, NULL, NULL, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_call_soon(loop, NULL, NULL, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_call_later(loop, 0.0, NULL, NULL, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_run_in_thread(loop, NULL, NULL, &f), ASYNC_EINVAL);
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
  finish_loop(loop);
}

Test(bad_input, future_functions_reject_null_future, .timeout = 10) {
  async_future_t *f = SENTINEL;
  int mine = 0;

  cr_assert_null(async_future_retain(NULL));
  async_future_release(NULL);
  ASSERT_ERR(async_future_resolve(NULL, &mine, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_future_reject(NULL, ASYNC_EIO, "x"), ASYNC_EINVAL);
  ASSERT_ERR(async_future_state(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_future_error(NULL), ASYNC_EINVAL);
  cr_assert_null(async_future_message(NULL));
  cr_assert_null(async_future_value(NULL));
  cr_assert_null(async_future_loop(NULL));
  ASSERT_ERR(async_future_set_userdata(NULL, &mine), ASYNC_EINVAL);
  cr_assert_null(async_future_userdata(NULL));
  ASSERT_ERR(async_future_on_done(NULL, never_cb, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_future_notify(NULL, 1), ASYNC_EINVAL);
  ASSERT_ERR(async_future_wait(NULL, 0.01), ASYNC_EINVAL);
  ASSERT_ERR(async_future_cancel(NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_wait_for(NULL, 1.0, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_group_add(NULL, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_group_seal(NULL), ASYNC_EINVAL);
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
}

Test(bad_input, future_functions_reject_null_pointers, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *p = NULL, *group = NULL, *f = SENTINEL, *list[2];

  ASSERT_OK(async_future_new(&p, loop));
  ASSERT_OK(async_group_new(&group, loop));
  ASSERT_ERR(async_future_new(NULL, loop), ASYNC_EINVAL);
  ASSERT_ERR(async_group_new(NULL, loop), ASYNC_EINVAL);
  ASSERT_ERR(async_future_on_done(p, NULL, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_sleep(loop, 0.0, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_wait_for(p, 1.0, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_group_add(group, NULL), ASYNC_EINVAL);

  /* Gather and wait: NULL array, NULL element, NULL out. */
  list[0] = p;
  list[1] = NULL;
  ASSERT_ERR(async_gather(loop, NULL, 2, 0, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_gather(loop, list, 2, 0, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_gather(loop, list, 1, 0, NULL), ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, NULL, 2, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &f),
             ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, list, 2, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &f),
             ASYNC_EINVAL);
  ASSERT_ERR(
      async_wait(loop, list, 1, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, NULL),
      ASYNC_EINVAL);
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");

  ASSERT_STATE(p, ASYNC_PENDING);
  ASSERT_OK(async_future_cancel(p));
  ASSERT_OK(async_future_cancel(group));
  async_future_release(p);
  async_future_release(group);
  finish_loop(loop);
}

Test(bad_input, seconds_must_be_finite_and_not_negative, .timeout = 10) {
  const double bad[] = {-1.0, -1e-9, NAN, -NAN, INFINITY, -INFINITY};
  async_loop_t *loop = new_loop();
  async_future_t *f = SENTINEL;

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ASSERT_ERR(async_sleep(loop, bad[i], &f), ASYNC_EINVAL);
    ASSERT_ERR(async_loop_call_later(loop, bad[i], never_task, NULL, &f),
               ASYNC_EINVAL);
    ASSERT_ERR(async_loop_call_later(loop, bad[i], never_task, NULL, NULL),
               ASYNC_EINVAL);
  }
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
  finish_loop(loop);
}

Test(bad_input, timeouts_must_not_be_negative_or_nan, .timeout = 10) {
  const double bad[] = {-1.0, -1e-9, NAN, -NAN, -INFINITY};
  async_loop_t *loop = new_loop();
  async_future_t *p = NULL, *f = SENTINEL;

  ASSERT_OK(async_future_new(&p, loop));
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ASSERT_ERR(async_wait(loop, &p, 1, ASYNC_ALL_COMPLETED, bad[i], &f),
               ASYNC_EINVAL);
    ASSERT_ERR(async_wait_for(p, bad[i], &f), ASYNC_EINVAL);
    ASSERT_ERR(async_future_wait(p, bad[i]), ASYNC_EINVAL);
  }
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
  ASSERT_STATE(p, ASYNC_PENDING);
  ASSERT_OK(async_future_cancel(p));
  async_future_release(p);
  finish_loop(loop);
}

Test(bad_input, timeouts_accept_forever, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *p = NULL, *w = NULL, *bounded = NULL;

  ASSERT_OK(async_future_new(&p, loop));
  ASSERT_OK(async_wait(loop, &p, 1, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &w));
  ASSERT_OK(async_wait_for(p, ASYNC_FOREVER, &bounded));
  ASSERT_OK(async_loop_start_thread(loop));
  ASSERT_OK(async_future_resolve(p, NULL, NULL));
  ASSERT_OK(async_future_wait(w, ASYNC_FOREVER));
  ASSERT_OK(async_future_wait(bounded, ASYNC_FOREVER));
  ASSERT_STATE(w, ASYNC_DONE);
  ASSERT_STATE(bounded, ASYNC_DONE);
  ASSERT_OK(async_loop_close(loop));
  async_future_release(p);
  async_future_release(w);
  async_future_release(bounded);
  async_loop_release(loop);
}

Test(bad_input, unknown_modes_flags_and_options_are_invalid, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *p = NULL, *f = SENTINEL;
  int64_t value = -7;

  ASSERT_OK(async_future_new(&p, loop));
  ASSERT_ERR(async_loop_run(loop, 3), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_run(loop, -1), ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, &p, 1, 3, ASYNC_FOREVER, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, &p, 1, -1, ASYNC_FOREVER, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_gather(loop, &p, 1, 2, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_gather(loop, &p, 1, 0x80000000u, &f), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(loop, 0, 4), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(loop, 99, 4), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(loop, -1, 4), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_get_int(loop, 0, &value), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_get_int(loop, 99, &value), ASYNC_EINVAL);
  cr_assert_eq(value, -7, "get_int wrote *out on failure");
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");
  ASSERT_OK(async_future_cancel(p));
  async_future_release(p);
  finish_loop(loop);
}

Test(bad_input, reject_needs_a_negative_error, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *p = NULL;
  int calls = 0;

  ASSERT_OK(async_future_new(&p, loop));
  ASSERT_OK(async_future_on_done(p, count_cb, &calls));
  ASSERT_ERR(async_future_reject(p, 0, "zero"), ASYNC_EINVAL);
  ASSERT_ERR(async_future_reject(p, 5, "positive"), ASYNC_EINVAL);
  ASSERT_ERR(async_future_reject(p, ASYNC_ECANCELLED, "cancel"), ASYNC_EINVAL);
  ASSERT_STATE(p, ASYNC_PENDING);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 0, "a failed reject completed the future");
  ASSERT_OK(async_future_reject(p, ASYNC_EIO, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(p);
  finish_loop(loop);
}
