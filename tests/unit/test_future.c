/*
 * Futures and promises: completion exactly once, values and their free
 * functions, callbacks (order, never re-entrant, releases inside them),
 * reference counts, closed loops and blocking waits.
 */
#include "helpers.h"

#include <string.h>

/* A free_value function: the "value" is an int counting its frees. */
static void count_free(void *value) { (*(int *)value)++; }

Test(future, resolve_completes_done_with_value, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int value = 0, calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_STATE(f, ASYNC_PENDING);
  cr_assert_eq(async_future_loop(f), loop);
  cr_assert_null(async_future_value(f));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));

  /* No thread drives the loop, so the resolve acts at once. */
  ASSERT_OK(async_future_resolve(f, &value, NULL));
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_eq(async_future_value(f), &value);
  cr_assert_eq(async_future_error(f), 0);
  cr_assert_null(async_future_message(f));

  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  finish_loop(loop);
}

Test(future, reject_completes_failed_with_copied_message, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  char message[] = "disk on fire";
  int calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_reject(f, ASYNC_EIO, message));
  memset(message, 'x', sizeof(message) - 1); /* the future keeps a copy */

  ASSERT_STATE(f, ASYNC_FAILED);
  cr_assert_eq(async_future_error(f), ASYNC_EIO);
  cr_assert_str_eq(async_future_message(f), "disk on fire");
  cr_assert_null(async_future_value(f));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  finish_loop(loop);
}

Test(future, reject_without_message_uses_strerror, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_reject(f, ASYNC_ETIMEDOUT, NULL));
  ASSERT_STATE(f, ASYNC_FAILED);
  cr_assert_eq(async_future_error(f), ASYNC_ETIMEDOUT);
  cr_assert_not_null(async_future_message(f));
  cr_assert_str_eq(async_future_message(f), async_strerror(ASYNC_ETIMEDOUT));
  async_future_release(f);
  finish_loop(loop);
}

Test(future, resolve_twice_keeps_first_and_frees_second_at_once,
     .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int first = 0, second = 0, calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_resolve(f, &first, count_free));
  ASSERT_OK(async_future_resolve(f, &second, count_free));
  cr_assert_eq(second, 1, "the losing value is freed at once");
  cr_assert_eq(first, 0, "the kept value lives as long as the future");
  cr_assert_eq(async_future_value(f), &first);

  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(first, 1, "the kept value is freed once with the future");
  cr_assert_eq(second, 1);
  finish_loop(loop);
}

Test(future, reject_after_resolve_changes_nothing, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int value = 0, calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_resolve(f, &value, NULL));
  ASSERT_OK(async_future_reject(f, ASYNC_EIO, "too late"));
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_eq(async_future_error(f), 0);
  cr_assert_null(async_future_message(f));
  cr_assert_eq(async_future_value(f), &value);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  finish_loop(loop);
}

Test(future, resolve_after_reject_frees_value_at_once, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int freed = 0, calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_reject(f, ASYNC_EIO, NULL));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  cr_assert_eq(freed, 1);
  ASSERT_STATE(f, ASYNC_FAILED);
  cr_assert_eq(async_future_error(f), ASYNC_EIO);
  cr_assert_null(async_future_value(f));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  cr_assert_eq(freed, 1);
  finish_loop(loop);
}

Test(future, cancel_after_done_changes_nothing, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int freed = 0, calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  ASSERT_OK(async_future_cancel(f));
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_eq(async_future_error(f), 0);
  cr_assert_eq(async_future_value(f), &freed);
  cr_assert_eq(freed, 0);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(freed, 1);
  finish_loop(loop);
}

Test(future, cancel_completes_cancelled, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int calls = 0, freed = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_cancel(f));
  ASSERT_STATE(f, ASYNC_CANCELLED);
  cr_assert_eq(async_future_error(f), ASYNC_ECANCELLED);
  cr_assert_not_null(async_future_message(f));
  cr_assert_null(async_future_value(f));

  /* A second cancel and a late resolve change nothing. */
  ASSERT_OK(async_future_cancel(f));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  cr_assert_eq(freed, 1);
  ASSERT_STATE(f, ASYNC_CANCELLED);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  finish_loop(loop);
}

Test(future, on_done_is_never_reentrant, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int calls = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_resolve(f, NULL, NULL));
  ASSERT_STATE(f, ASYNC_DONE);
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  cr_assert_eq(calls, 0, "callback ran inside on_done");
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(calls, 1);
  async_future_release(f);
  finish_loop(loop);
}

struct order_rec {
  int *order;
  int *n;
  int id;
};

static void order_cb(async_future_t *future, void *userdata) {
  struct order_rec *rec = userdata;

  (void)future;
  rec->order[(*rec->n)++] = rec->id;
}

Test(future, callbacks_run_in_order_added, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  struct order_rec recs[8];
  int order[16] = {0}, n = 0;

  ASSERT_OK(async_future_new(&f, loop));
  for (int i = 0; i < 4; i++) {
    recs[i] = (struct order_rec){order, &n, i};
    ASSERT_OK(async_future_on_done(f, order_cb, &recs[i]));
  }
  ASSERT_OK(async_future_resolve(f, NULL, NULL));
  /* Callbacks added after completion queue behind the earlier ones. */
  for (int i = 4; i < 8; i++) {
    recs[i] = (struct order_rec){order, &n, i};
    ASSERT_OK(async_future_on_done(f, order_cb, &recs[i]));
  }
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(n, 8);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(order[i], i, "callback %d ran at position %d", order[i], i);
  async_future_release(f);
  finish_loop(loop);
}

Test(future, userdata_is_kept, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int mine = 0;

  ASSERT_OK(async_future_new(&f, loop));
  cr_assert_null(async_future_userdata(f));
  ASSERT_OK(async_future_set_userdata(f, &mine));
  cr_assert_eq(async_future_userdata(f), &mine);
  ASSERT_OK(async_future_resolve(f, NULL, NULL));
  cr_assert_eq(async_future_userdata(f), &mine);
  ASSERT_OK(async_future_set_userdata(f, NULL));
  cr_assert_null(async_future_userdata(f));
  async_future_release(f);
  finish_loop(loop);
}

Test(future, release_frees_at_last_reference, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int freed = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  cr_assert_eq(async_future_retain(f), f);
  cr_assert_eq(async_future_retain(f), f);

  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(freed, 0, "freed with two references left");
  cr_assert_eq(async_future_value(f), &freed);
  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(freed, 0, "freed with one reference left");
  ASSERT_STATE(f, ASYNC_DONE);
  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(freed, 1, "not freed once at the last release");
  finish_loop(loop);
}

/* Releases the callback's future and counts the call in *userdata. */
static void release_cb(async_future_t *future, void *userdata) {
  (*(int *)userdata)++;
  async_future_release(future);
}

struct state_seen {
  int calls;
  int state;
};

static void state_cb(async_future_t *future, void *userdata) {
  struct state_seen *seen = userdata;

  seen->calls++;
  seen->state = async_future_state(future);
}

Test(future, release_in_callback_is_safe, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  struct state_seen seen = {0, -1};
  int released = 0, freed = 0;

  ASSERT_OK(async_future_new(&f, loop));
  async_future_retain(f); /* the reference release_cb drops */
  ASSERT_OK(async_future_on_done(f, release_cb, &released));
  ASSERT_OK(async_future_on_done(f, state_cb, &seen));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(released, 1);
  cr_assert_eq(seen.calls, 1);
  cr_assert_eq(seen.state, ASYNC_DONE);
  cr_assert_eq(freed, 0, "freed while the test holds a reference");
  async_future_release(f);
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(freed, 1);
  finish_loop(loop);
}

Test(future, release_of_last_reference_in_own_callback_is_safe, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  struct state_seen seen = {0, -1};
  int released = 0, freed = 0;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_future_on_done(f, release_cb, &released));
  /* The future must outlive the first callback: the second still runs. */
  ASSERT_OK(async_future_on_done(f, state_cb, &seen));
  ASSERT_OK(async_future_resolve(f, &freed, count_free));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  cr_assert_eq(released, 1);
  cr_assert_eq(seen.calls, 1);
  cr_assert_eq(seen.state, ASYNC_DONE);
  cr_assert_eq(freed, 1, "the future was not freed once");
  finish_loop(loop);
}

Test(future, calls_after_loop_close_fail_closed, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *done = NULL, *pending = NULL;
  int calls = 0, freed = 0;
  int64_t token;

  ASSERT_OK(async_future_new(&done, loop));
  ASSERT_OK(async_future_new(&pending, loop));
  ASSERT_OK(async_future_resolve(done, NULL, NULL));
  ASSERT_OK(async_loop_close(loop));
  ASSERT_STATE(pending, ASYNC_CANCELLED);
  ASSERT_STATE(done, ASYNC_DONE);

  ASSERT_ERR(async_future_on_done(done, count_cb, &calls), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_on_done(pending, count_cb, &calls), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_notify(done, 1), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_notify(pending, 2), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_resolve(pending, &freed, count_free), ASYNC_ECLOSED);
  cr_assert_eq(freed, 0, "free_value called although resolve failed");
  ASSERT_ERR(async_future_reject(pending, ASYNC_EIO, NULL), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_cancel(pending), ASYNC_ECLOSED);

  cr_assert_eq(calls, 0);
  cr_assert_eq(async_loop_drain(loop, &token, 1), 0, "a token was pushed");
  ASSERT_STATE(pending, ASYNC_CANCELLED);
  async_future_release(done);
  async_future_release(pending);
  async_loop_release(loop);
}

struct wait_probe {
  async_future_t *target;
  int calls;
  int rv;
};

static void wait_probe_cb(async_future_t *future, void *userdata) {
  struct wait_probe *probe = userdata;

  (void)future;
  probe->calls++;
  probe->rv = async_future_wait(probe->target, 0.2);
}

Test(future, wait_on_loop_thread_is_busy, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *trigger = NULL;
  struct wait_probe probe = {NULL, 0, 1};

  ASSERT_OK(async_future_new(&probe.target, loop));
  ASSERT_OK(async_future_new(&trigger, loop));
  ASSERT_OK(async_future_on_done(trigger, wait_probe_cb, &probe));
  ASSERT_OK(async_future_resolve(trigger, NULL, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(probe.calls, 1);
  cr_assert_eq(probe.rv, ASYNC_EBUSY, "wait in a callback gave %d (%s)",
               probe.rv, async_err_name(probe.rv));
  ASSERT_STATE(probe.target, ASYNC_PENDING);

  ASSERT_OK(async_future_cancel(probe.target));
  async_future_release(probe.target);
  async_future_release(trigger);
  finish_loop(loop);
}

Test(future, wait_from_plain_thread_returns_when_done, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  double start, elapsed;

  ASSERT_OK(async_loop_start_thread(loop));
  start = mono_now();
  ASSERT_OK(async_sleep(loop, 0.05, &f));
  ASSERT_OK(async_future_wait(f, 5.0));
  elapsed = mono_now() - start;
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_geq(elapsed, 0.049, "sleep(0.05) done after %.4f s", elapsed);
  cr_assert_lt(elapsed, 2.0, "wait returned after %.4f s", elapsed);

  async_future_release(f);
  ASSERT_OK(async_loop_close(loop));
  async_loop_release(loop);
}

Test(future, wait_times_out_before_completion, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  double start, elapsed;

  ASSERT_OK(async_loop_start_thread(loop));
  ASSERT_OK(async_sleep(loop, 0.5, &f));
  start = mono_now();
  ASSERT_ERR(async_future_wait(f, 0.05), ASYNC_ETIMEDOUT);
  elapsed = mono_now() - start;
  cr_assert_geq(elapsed, 0.049, "timed out after %.4f s", elapsed);
  cr_assert_lt(elapsed, 0.45, "timed out after %.4f s", elapsed);
  ASSERT_STATE(f, ASYNC_PENDING);

  ASSERT_OK(async_loop_close(loop));
  ASSERT_STATE(f, ASYNC_CANCELLED);
  async_future_release(f);
  async_loop_release(loop);
}
