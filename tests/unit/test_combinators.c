/*
 * Combinators: sleep, gather, wait, wait_for and task groups, as in
 * asyncio.
 */
#include "helpers.h"

/* A task whose result is its argument. */
static int value_task(void *arg, void **result) {
  *result = arg;
  return 0;
}

/* A task that rejects the promise it is given. */
static int reject_task(void *arg, void **result) {
  (void)result;
  return async_future_reject(arg, ASYNC_EIO, "rejected by a timer");
}

static void cancel_and_release(async_future_t *f) {
  ASSERT_OK(async_future_cancel(f));
  async_future_release(f);
}

Test(combinators, sleep_completes_after_its_duration, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *nap = NULL;
  int calls = 0;
  double start = mono_now(), elapsed;

  ASSERT_OK(async_sleep(loop, 0.05, &nap));
  ASSERT_OK(async_future_on_done(nap, count_cb, &calls));
  run_until(loop, nap);
  elapsed = mono_now() - start;
  ASSERT_STATE(nap, ASYNC_DONE);
  cr_assert_null(async_future_value(nap));
  cr_assert_geq(elapsed, 0.0495, "sleep(0.05) done after %.4f s", elapsed);
  cr_assert_lt(elapsed, 1.0, "sleep(0.05) done after %.4f s", elapsed);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(nap);
  finish_loop(loop);
}

Test(combinators, parallel_sleeps_overlap, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *naps[5], *all = NULL;
  double start = mono_now(), elapsed;

  for (int i = 0; i < 5; i++)
    ASSERT_OK(async_sleep(loop, 0.2, &naps[i]));
  ASSERT_OK(async_gather(loop, naps, 5, 0, &all));
  run_until(loop, all);
  elapsed = mono_now() - start;
  ASSERT_STATE(all, ASYNC_DONE);
  cr_assert_geq(elapsed, 0.199, "five sleep(0.2) took %.4f s", elapsed);
  cr_assert_lt(elapsed, 0.4, "five sleep(0.2) took %.4f s", elapsed);
  for (int i = 0; i < 5; i++) {
    ASSERT_STATE(naps[i], ASYNC_DONE);
    async_future_release(naps[i]);
  }
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_results_are_in_order, .timeout = 10) {
  static const double delays[3] = {0.03, 0.01, 0.02};
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *all = NULL, **results;
  int values[3];

  for (int i = 0; i < 3; i++)
    ASSERT_OK(async_loop_call_later(loop, delays[i], value_task, &values[i],
                                    &inputs[i]));
  ASSERT_OK(async_gather(loop, inputs, 3, 0, &all));
  run_until(loop, all);
  ASSERT_STATE(all, ASYNC_DONE);
  results = async_future_value(all);
  cr_assert_not_null(results);
  for (int i = 0; i < 3; i++) {
    cr_assert_eq(results[i], inputs[i], "result %d is not input %d", i, i);
    cr_assert_eq(async_future_value(results[i]), &values[i]);
    async_future_release(inputs[i]);
  }
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_retains_its_inputs, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[2], *all = NULL, **results;
  int values[2];

  for (int i = 0; i < 2; i++)
    ASSERT_OK(async_loop_call_soon(loop, value_task, &values[i], &inputs[i]));
  ASSERT_OK(async_gather(loop, inputs, 2, 0, &all));
  /* The gathering future holds its own references. */
  for (int i = 0; i < 2; i++)
    async_future_release(inputs[i]);
  run_until(loop, all);
  ASSERT_STATE(all, ASYNC_DONE);
  results = async_future_value(all);
  cr_assert_not_null(results);
  for (int i = 0; i < 2; i++) {
    ASSERT_STATE(results[i], ASYNC_DONE);
    cr_assert_eq(async_future_value(results[i]), &values[i]);
  }
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_fails_fast, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *all = NULL;
  int calls = 0;

  ASSERT_OK(async_sleep(loop, 10.0, &inputs[0]));
  ASSERT_OK(async_future_new(&inputs[1], loop));
  ASSERT_OK(async_sleep(loop, 10.0, &inputs[2]));
  ASSERT_OK(async_gather(loop, inputs, 3, 0, &all));
  ASSERT_OK(async_future_on_done(all, count_cb, &calls));
  ASSERT_OK(async_future_reject(inputs[1], ASYNC_EIO, "disk on fire"));
  run_until(loop, all);

  ASSERT_STATE(all, ASYNC_FAILED);
  cr_assert_eq(async_future_error(all), ASYNC_EIO);
  cr_assert_str_eq(async_future_message(all), "disk on fire");
  /* The others keep running. */
  ASSERT_STATE(inputs[0], ASYNC_PENDING);
  ASSERT_STATE(inputs[2], ASYNC_PENDING);
  cr_assert_geq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(calls, 1);

  cancel_and_release(inputs[0]);
  async_future_release(inputs[1]);
  cancel_and_release(inputs[2]);
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_return_errors_waits_for_all, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *all = NULL, **results;
  int value = 0;

  ASSERT_OK(async_future_new(&inputs[0], loop));
  ASSERT_OK(async_future_new(&inputs[1], loop));
  ASSERT_OK(async_sleep(loop, 0.05, &inputs[2]));
  ASSERT_OK(async_gather(loop, inputs, 3, ASYNC_GATHER_RETURN_ERRORS, &all));
  ASSERT_OK(async_future_resolve(inputs[0], &value, NULL));
  ASSERT_OK(async_future_reject(inputs[1], ASYNC_EIO, "one failed"));
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 1);
  ASSERT_STATE(all, ASYNC_PENDING);

  run_until(loop, all);
  ASSERT_STATE(all, ASYNC_DONE);
  results = async_future_value(all);
  cr_assert_not_null(results);
  ASSERT_STATE(results[0], ASYNC_DONE);
  cr_assert_eq(async_future_value(results[0]), &value);
  ASSERT_STATE(results[1], ASYNC_FAILED);
  cr_assert_eq(async_future_error(results[1]), ASYNC_EIO);
  cr_assert_str_eq(async_future_message(results[1]), "one failed");
  ASSERT_STATE(results[2], ASYNC_DONE);
  for (int i = 0; i < 3; i++)
    async_future_release(inputs[i]);
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_of_none_is_done_at_once, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *none[1], *all = NULL;
  int calls = 0;

  ASSERT_OK(async_gather(loop, none, 0, 0, &all));
  ASSERT_STATE(all, ASYNC_DONE);
  ASSERT_OK(async_future_on_done(all, count_cb, &calls));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, cancelling_gather_cancels_its_inputs, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *all = NULL;
  int calls[4] = {0};

  for (int i = 0; i < 3; i++) {
    ASSERT_OK(async_sleep(loop, 10.0, &inputs[i]));
    ASSERT_OK(async_future_on_done(inputs[i], count_cb, &calls[i]));
  }
  ASSERT_OK(async_gather(loop, inputs, 3, 0, &all));
  ASSERT_OK(async_future_on_done(all, count_cb, &calls[3]));
  ASSERT_OK(async_future_cancel(all));
  ASSERT_STATE(all, ASYNC_CANCELLED);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  for (int i = 0; i < 3; i++) {
    ASSERT_STATE(inputs[i], ASYNC_CANCELLED);
    async_future_release(inputs[i]);
  }
  for (int i = 0; i < 4; i++)
    cr_assert_eq(calls[i], 1, "future %d: %d callbacks", i, calls[i]);
  async_future_release(all);
  finish_loop(loop);
}

Test(combinators, gather_rejects_a_future_of_another_loop, .timeout = 10) {
  async_loop_t *loop = new_loop(), *other = new_loop();
  async_future_t *inputs[2], *all = NULL;

  ASSERT_OK(async_future_new(&inputs[0], loop));
  ASSERT_OK(async_future_new(&inputs[1], other));
  ASSERT_ERR(async_gather(loop, inputs, 2, 0, &all), ASYNC_EINVAL);
  cr_assert_null(all, "gather wrote its out parameter on failure");
  ASSERT_ERR(
      async_wait(loop, inputs, 2, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &all),
      ASYNC_EINVAL);
  cr_assert_null(all);
  cancel_and_release(inputs[0]);
  cancel_and_release(inputs[1]);
  finish_loop(other);
  finish_loop(loop);
}

Test(combinators, wait_all_completed, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *w = NULL;

  ASSERT_OK(async_sleep(loop, 0.01, &inputs[0]));
  ASSERT_OK(async_sleep(loop, 0.03, &inputs[1]));
  ASSERT_OK(async_future_new(&inputs[2], loop));
  ASSERT_OK(async_loop_call_later(loop, 0.02, reject_task, inputs[2], NULL));
  ASSERT_OK(
      async_wait(loop, inputs, 3, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &w));
  run_until(loop, w);
  ASSERT_STATE(w, ASYNC_DONE);
  cr_assert_null(async_future_value(w));
  ASSERT_STATE(inputs[0], ASYNC_DONE);
  ASSERT_STATE(inputs[1], ASYNC_DONE);
  ASSERT_STATE(inputs[2], ASYNC_FAILED);
  for (int i = 0; i < 3; i++)
    async_future_release(inputs[i]);
  async_future_release(w);
  finish_loop(loop);
}

Test(combinators, wait_first_completed, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[2], *w = NULL;
  double start = mono_now();

  ASSERT_OK(async_sleep(loop, 10.0, &inputs[0]));
  ASSERT_OK(async_sleep(loop, 0.01, &inputs[1]));
  ASSERT_OK(
      async_wait(loop, inputs, 2, ASYNC_FIRST_COMPLETED, ASYNC_FOREVER, &w));
  run_until(loop, w);
  cr_assert_lt(mono_now() - start, 1.0);
  ASSERT_STATE(w, ASYNC_DONE);
  ASSERT_STATE(inputs[1], ASYNC_DONE);
  ASSERT_STATE(inputs[0], ASYNC_PENDING); /* wait never cancels */
  cancel_and_release(inputs[0]);
  async_future_release(inputs[1]);
  async_future_release(w);
  finish_loop(loop);
}

Test(combinators, wait_first_failed_skips_successes, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[3], *w = NULL;
  double start = mono_now(), elapsed;

  ASSERT_OK(async_sleep(loop, 0.01, &inputs[0]));
  ASSERT_OK(async_future_new(&inputs[1], loop));
  ASSERT_OK(async_loop_call_later(loop, 0.05, reject_task, inputs[1], NULL));
  ASSERT_OK(async_sleep(loop, 10.0, &inputs[2]));
  ASSERT_OK(async_wait(loop, inputs, 3, ASYNC_FIRST_FAILED, ASYNC_FOREVER, &w));
  run_until(loop, w);
  elapsed = mono_now() - start;
  cr_assert_geq(elapsed, 0.049, "completed at %.4f s, before the failure",
                elapsed);
  cr_assert_lt(elapsed, 1.0);
  ASSERT_STATE(w, ASYNC_DONE);
  ASSERT_STATE(inputs[0], ASYNC_DONE);
  ASSERT_STATE(inputs[1], ASYNC_FAILED);
  ASSERT_STATE(inputs[2], ASYNC_PENDING);
  async_future_release(inputs[0]);
  async_future_release(inputs[1]);
  cancel_and_release(inputs[2]);
  async_future_release(w);
  finish_loop(loop);
}

Test(combinators, wait_first_failed_completes_when_all_done, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[2], *w = NULL;

  ASSERT_OK(async_sleep(loop, 0.01, &inputs[0]));
  ASSERT_OK(async_sleep(loop, 0.02, &inputs[1]));
  ASSERT_OK(async_wait(loop, inputs, 2, ASYNC_FIRST_FAILED, ASYNC_FOREVER, &w));
  run_until(loop, w);
  ASSERT_STATE(w, ASYNC_DONE);
  ASSERT_STATE(inputs[0], ASYNC_DONE);
  ASSERT_STATE(inputs[1], ASYNC_DONE);
  for (int i = 0; i < 2; i++)
    async_future_release(inputs[i]);
  async_future_release(w);
  finish_loop(loop);
}

Test(combinators, wait_timeout_leaves_futures_pending, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[2], *w = NULL;
  double start = mono_now(), elapsed;

  ASSERT_OK(async_sleep(loop, 10.0, &inputs[0]));
  ASSERT_OK(async_future_new(&inputs[1], loop));
  ASSERT_OK(async_wait(loop, inputs, 2, ASYNC_ALL_COMPLETED, 0.05, &w));
  run_until(loop, w);
  elapsed = mono_now() - start;
  ASSERT_STATE(w, ASYNC_DONE);
  cr_assert_geq(elapsed, 0.049, "timed out after %.4f s", elapsed);
  cr_assert_lt(elapsed, 1.0, "timed out after %.4f s", elapsed);
  ASSERT_STATE(inputs[0], ASYNC_PENDING);
  ASSERT_STATE(inputs[1], ASYNC_PENDING);
  cancel_and_release(inputs[0]);
  cancel_and_release(inputs[1]);
  async_future_release(w);
  finish_loop(loop);
}

Test(combinators, wait_rejects_empty_set_and_unknown_mode, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inputs[1], *w = NULL;

  ASSERT_OK(async_future_new(&inputs[0], loop));
  ASSERT_ERR(
      async_wait(loop, inputs, 0, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &w),
      ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, inputs, 1, 3, ASYNC_FOREVER, &w), ASYNC_EINVAL);
  ASSERT_ERR(async_wait(loop, inputs, 1, -1, ASYNC_FOREVER, &w), ASYNC_EINVAL);
  cr_assert_null(w, "wait wrote its out parameter on failure");
  cancel_and_release(inputs[0]);
  finish_loop(loop);
}

Test(combinators, wait_for_passes_the_inner_result, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inner = NULL, *outer = NULL;
  int value = 0;

  ASSERT_OK(async_loop_call_later(loop, 0.01, value_task, &value, &inner));
  ASSERT_OK(async_wait_for(inner, 1.0, &outer));
  run_until(loop, outer);
  ASSERT_STATE(outer, ASYNC_DONE);
  cr_assert_eq(async_future_value(outer), &value);
  ASSERT_STATE(inner, ASYNC_DONE);
  async_future_release(inner);
  async_future_release(outer);
  /* The deadline's timer must be gone: finish_loop finds no work. */
  finish_loop(loop);
}

Test(combinators, wait_for_passes_the_inner_failure, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inner = NULL, *outer = NULL;

  ASSERT_OK(async_future_new(&inner, loop));
  ASSERT_OK(async_wait_for(inner, 1.0, &outer));
  ASSERT_OK(async_future_reject(inner, ASYNC_EPROTO, "bad reply"));
  run_until(loop, outer);
  ASSERT_STATE(outer, ASYNC_FAILED);
  cr_assert_eq(async_future_error(outer), ASYNC_EPROTO);
  cr_assert_str_eq(async_future_message(outer), "bad reply");
  async_future_release(inner);
  async_future_release(outer);
  finish_loop(loop);
}

Test(combinators, wait_for_timeout_cancels_the_inner, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inner = NULL, *outer = NULL;
  double start = mono_now(), elapsed;

  ASSERT_OK(async_sleep(loop, 10.0, &inner));
  ASSERT_OK(async_wait_for(inner, 0.05, &outer));
  run_until(loop, outer);
  elapsed = mono_now() - start;
  ASSERT_STATE(outer, ASYNC_FAILED);
  cr_assert_eq(async_future_error(outer), ASYNC_ETIMEDOUT);
  cr_assert_not_null(async_future_message(outer));
  cr_assert_geq(elapsed, 0.049, "timed out after %.4f s", elapsed);
  cr_assert_lt(elapsed, 1.0, "timed out after %.4f s", elapsed);
  cr_assert_geq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  ASSERT_STATE(inner, ASYNC_CANCELLED);
  async_future_release(inner);
  async_future_release(outer);
  finish_loop(loop);
}

Test(combinators, cancelling_wait_for_cancels_the_inner, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *inner = NULL, *outer = NULL;

  ASSERT_OK(async_sleep(loop, 10.0, &inner));
  ASSERT_OK(async_wait_for(inner, 10.0, &outer));
  ASSERT_OK(async_future_cancel(outer));
  ASSERT_STATE(outer, ASYNC_CANCELLED);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  ASSERT_STATE(inner, ASYNC_CANCELLED);
  async_future_release(inner);
  async_future_release(outer);
  finish_loop(loop);
}

Test(combinators, group_is_done_after_seal_and_members, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *group = NULL, *members[2];

  ASSERT_OK(async_group_new(&group, loop));
  ASSERT_OK(async_sleep(loop, 0.01, &members[0]));
  ASSERT_OK(async_sleep(loop, 0.02, &members[1]));
  for (int i = 0; i < 2; i++)
    ASSERT_OK(async_group_add(group, members[i]));
  run_until(loop, members[1]);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  ASSERT_STATE(group, ASYNC_PENDING); /* not sealed: more may come */

  ASSERT_OK(async_group_seal(group));
  ASSERT_OK(async_group_seal(group)); /* harmless twice */
  run_until(loop, group);
  ASSERT_STATE(group, ASYNC_DONE);
  cr_assert_null(async_future_value(group));
  for (int i = 0; i < 2; i++)
    async_future_release(members[i]);
  async_future_release(group);
  finish_loop(loop);
}

Test(combinators, group_member_failure_cancels_the_rest, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *group = NULL, *members[3];

  ASSERT_OK(async_group_new(&group, loop));
  ASSERT_OK(async_sleep(loop, 10.0, &members[0]));
  ASSERT_OK(async_future_new(&members[1], loop));
  ASSERT_OK(async_sleep(loop, 10.0, &members[2]));
  for (int i = 0; i < 3; i++)
    ASSERT_OK(async_group_add(group, members[i]));
  ASSERT_OK(async_group_seal(group));
  ASSERT_OK(async_future_reject(members[1], ASYNC_EIO, "member failed"));
  run_until(loop, group);

  ASSERT_STATE(group, ASYNC_FAILED);
  cr_assert_eq(async_future_error(group), ASYNC_EIO);
  cr_assert_str_eq(async_future_message(group), "member failed");
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  ASSERT_STATE(members[0], ASYNC_CANCELLED);
  ASSERT_STATE(members[2], ASYNC_CANCELLED);
  for (int i = 0; i < 3; i++)
    async_future_release(members[i]);
  async_future_release(group);
  finish_loop(loop);
}

Test(combinators, group_cancelled_member_does_not_fail_it, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *group = NULL, *members[2];

  ASSERT_OK(async_group_new(&group, loop));
  ASSERT_OK(async_sleep(loop, 0.01, &members[0]));
  ASSERT_OK(async_sleep(loop, 10.0, &members[1]));
  for (int i = 0; i < 2; i++)
    ASSERT_OK(async_group_add(group, members[i]));
  ASSERT_OK(async_group_seal(group));
  ASSERT_OK(async_future_cancel(members[1]));
  run_until(loop, group);
  ASSERT_STATE(group, ASYNC_DONE);
  ASSERT_STATE(members[0], ASYNC_DONE);
  ASSERT_STATE(members[1], ASYNC_CANCELLED);
  for (int i = 0; i < 2; i++)
    async_future_release(members[i]);
  async_future_release(group);
  finish_loop(loop);
}

Test(combinators, group_add_after_seal_is_busy, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *group = NULL, *member = NULL;

  ASSERT_OK(async_group_new(&group, loop));
  ASSERT_OK(async_future_new(&member, loop));
  ASSERT_OK(async_group_seal(group));
  ASSERT_ERR(async_group_add(group, member), ASYNC_EBUSY);
  run_until(loop, group); /* sealed and empty */
  ASSERT_STATE(group, ASYNC_DONE);
  ASSERT_STATE(member, ASYNC_PENDING); /* not taken in, not touched */
  cancel_and_release(member);
  async_future_release(group);
  finish_loop(loop);
}

Test(combinators, group_add_to_a_plain_future_is_invalid, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *plain = NULL, *member = NULL;

  ASSERT_OK(async_future_new(&plain, loop));
  ASSERT_OK(async_future_new(&member, loop));
  ASSERT_ERR(async_group_add(plain, member), ASYNC_EINVAL);
  ASSERT_ERR(async_group_seal(plain), ASYNC_EINVAL);
  ASSERT_STATE(plain, ASYNC_PENDING);
  ASSERT_STATE(member, ASYNC_PENDING);
  cancel_and_release(plain);
  cancel_and_release(member);
  finish_loop(loop);
}
