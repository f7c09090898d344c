/*
 * The event loop: references, run modes, tasks (call_soon, call_later,
 * run_in_thread), options, the runtime thread, the clock, and closing.
 */
#include "helpers.h"

#include <stdlib.h>

/* An address no call may write into an out parameter that it failed. */
static char sentinel_storage;
#define SENTINEL ((async_future_t *)(void *)&sentinel_storage)

Test(loop, new_retain_release, .timeout = 10) {
  async_loop_t *loop = new_loop();
  int runs = 0;

  cr_assert_eq(async_loop_retain(loop), loop);
  cr_assert_eq(async_loop_is_closed(loop), 0);
  async_loop_release(loop);
  /* One reference is left: the loop still works. */
  cr_assert_eq(async_loop_is_closed(loop), 0);
  ASSERT_OK(async_loop_call_soon(loop, count_task, &runs, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(runs, 1);
  finish_loop(loop);
}

Test(loop, userdata_is_kept, .timeout = 10) {
  async_loop_t *loop = new_loop();
  int mine = 0;

  cr_assert_null(async_loop_userdata(loop));
  ASSERT_OK(async_loop_set_userdata(loop, &mine));
  cr_assert_eq(async_loop_userdata(loop), &mine);
  ASSERT_OK(async_loop_set_userdata(loop, NULL));
  cr_assert_null(async_loop_userdata(loop));
  finish_loop(loop);
}

Test(loop, run_default_without_work_returns_zero, .timeout = 10) {
  async_loop_t *loop = new_loop();
  double start = mono_now();

  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_lt(mono_now() - start, 0.5, "an idle run blocked");
  finish_loop(loop);
}

struct fifo_item {
  int *order;
  int *n;
  int id;
  void *result_on_entry;
};

/* Records its position and makes its item the future's value. */
static int fifo_task(void *arg, void **result) {
  struct fifo_item *item = arg;

  item->result_on_entry = *result;
  item->order[(*item->n)++] = item->id;
  *result = item;
  return 0;
}

Test(loop, call_soon_runs_in_fifo_order_with_results, .timeout = 10) {
  enum { N = 100 };
  async_loop_t *loop = new_loop();
  async_future_t *futures[N];
  struct fifo_item items[N];
  int order[N], n = 0;

  for (int i = 0; i < N; i++) {
    items[i] = (struct fifo_item){order, &n, i, SENTINEL};
    ASSERT_OK(async_loop_call_soon(loop, fifo_task, &items[i], &futures[i]));
  }
  cr_assert_eq(n, 0, "call_soon ran a task inside the call");
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(n, N);
  for (int i = 0; i < N; i++) {
    cr_assert_eq(order[i], i, "task %d ran at position %d", order[i], i);
    cr_assert_null(items[i].result_on_entry, "*result not NULL on entry");
    ASSERT_STATE(futures[i], ASYNC_DONE);
    cr_assert_eq(async_future_value(futures[i]), &items[i]);
    cr_assert_eq(async_future_error(futures[i]), 0);
    async_future_release(futures[i]);
  }
  finish_loop(loop);
}

static int failing_task(void *arg, void **result) {
  (void)result;
  (*(int *)arg)++;
  return ASYNC_EIO;
}

Test(loop, call_soon_error_fails_the_future, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int runs = 0;

  ASSERT_OK(async_loop_call_soon(loop, failing_task, &runs, &f));
  run_until(loop, f);
  cr_assert_eq(runs, 1);
  ASSERT_STATE(f, ASYNC_FAILED);
  cr_assert_eq(async_future_error(f), ASYNC_EIO);
  cr_assert_not_null(async_future_message(f));
  cr_assert_null(async_future_value(f));
  async_future_release(f);
  finish_loop(loop);
}

Test(loop, call_soon_without_future_still_runs, .timeout = 10) {
  async_loop_t *loop = new_loop();
  int runs = 0;

  ASSERT_OK(async_loop_call_soon(loop, count_task, &runs, NULL));
  ASSERT_OK(async_loop_call_soon(loop, failing_task, &runs, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(runs, 2);
  finish_loop(loop);
}

struct timed_item {
  int *order;
  int *n;
  int id;
  double ran_at;
};

static int timed_task(void *arg, void **result) {
  struct timed_item *item = arg;

  (void)result;
  item->ran_at = mono_now();
  item->order[(*item->n)++] = item->id;
  return 0;
}

Test(loop, call_later_runs_in_deadline_order, .timeout = 10) {
  static const double delays[3] = {0.03, 0.01, 0.02};
  static const int expected[3] = {1, 2, 0};
  async_loop_t *loop = new_loop();
  struct timed_item items[3];
  int order[3] = {-1, -1, -1}, n = 0;
  double start = mono_now();

  for (int i = 0; i < 3; i++) {
    items[i] = (struct timed_item){order, &n, i, 0};
    ASSERT_OK(
        async_loop_call_later(loop, delays[i], timed_task, &items[i], NULL));
  }
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(n, 3);
  for (int i = 0; i < 3; i++) {
    double late = items[i].ran_at - start - delays[i];

    cr_assert_eq(order[i], expected[i], "position %d ran task %d", i, order[i]);
    cr_assert_geq(late, -0.001, "task %d ran %.4f s early", i, -late);
    cr_assert_lt(late, 0.25, "task %d ran %.4f s late", i, late);
  }
  finish_loop(loop);
}

Test(loop, cancelled_call_later_never_runs, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL, *pause = NULL;
  int runs = 0, calls = 0;

  ASSERT_OK(async_loop_call_later(loop, 0.05, count_task, &runs, &f));
  ASSERT_OK(async_future_on_done(f, count_cb, &calls));
  ASSERT_OK(async_future_cancel(f));
  ASSERT_STATE(f, ASYNC_CANCELLED);
  /* Outlive the original deadline. */
  ASSERT_OK(async_sleep(loop, 0.1, &pause));
  run_until(loop, pause);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(runs, 0, "a cancelled call_later ran");
  cr_assert_eq(calls, 1);
  ASSERT_STATE(f, ASYNC_CANCELLED);
  async_future_release(f);
  async_future_release(pause);
  finish_loop(loop);
}

struct stopper {
  async_loop_t *loop;
  int calls;
  int rv;
};

static int stop_task(void *arg, void **result) {
  struct stopper *stopper = arg;

  (void)result;
  stopper->calls++;
  stopper->rv = async_loop_stop(stopper->loop);
  return 0;
}

Test(loop, stop_from_callback_ends_default_run, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *timer = NULL;
  struct stopper stopper = {loop, 0, 1};
  int late_runs = 0, rv;
  double start;

  ASSERT_OK(async_loop_call_later(loop, 10.0, count_task, &late_runs, &timer));
  ASSERT_OK(async_loop_call_soon(loop, stop_task, &stopper, NULL));
  start = mono_now();
  rv = async_loop_run(loop, ASYNC_RUN_DEFAULT);
  cr_assert_lt(mono_now() - start, 1.0, "stop did not end the run");
  cr_assert_eq(rv, 1, "run gave %d (%s), expected 1: the timer is left", rv,
               async_err_name(rv));
  cr_assert_eq(stopper.calls, 1);
  cr_assert_eq(stopper.rv, 0);
  cr_assert_eq(late_runs, 0);

  ASSERT_OK(async_future_cancel(timer));
  async_future_release(timer);
  finish_loop(loop);
}

Test(loop, run_until_returns_when_future_completes, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *nap = NULL, *timer = NULL;
  int late_runs = 0;
  double start, elapsed;

  ASSERT_OK(async_sleep(loop, 0.05, &nap));
  ASSERT_OK(async_loop_call_later(loop, 10.0, count_task, &late_runs, &timer));
  start = mono_now();
  ASSERT_OK(async_loop_run_until(loop, nap));
  elapsed = mono_now() - start;
  ASSERT_STATE(nap, ASYNC_DONE);
  ASSERT_STATE(timer, ASYNC_PENDING);
  cr_assert_geq(elapsed, 0.049, "returned after %.4f s", elapsed);
  cr_assert_lt(elapsed, 1.0, "returned after %.4f s", elapsed);

  /* On a completed future it returns at once. */
  start = mono_now();
  ASSERT_OK(async_loop_run_until(loop, nap));
  cr_assert_lt(mono_now() - start, 0.5);

  ASSERT_OK(async_future_cancel(timer));
  cr_assert_eq(late_runs, 0);
  async_future_release(nap);
  async_future_release(timer);
  finish_loop(loop);
}

Test(loop, run_once_and_nowait_report_work_left, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *nap = NULL, *timer = NULL;
  int late_runs = 0, rv, rounds = 0;
  double start;

  ASSERT_OK(async_sleep(loop, 0.2, &nap));
  ASSERT_OK(async_loop_call_later(loop, 10.0, count_task, &late_runs, &timer));
  start = mono_now();
  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_NOWAIT), 1);
  cr_assert_lt(mono_now() - start, 0.1, "NOWAIT waited");
  ASSERT_STATE(nap, ASYNC_PENDING);

  /* ONCE waits for an event; the sleep's timer is the next one. */
  while (async_future_state(nap) == ASYNC_PENDING && rounds++ < 5) {
    rv = async_loop_run(loop, ASYNC_RUN_ONCE);
    cr_assert_eq(rv, 1, "ONCE gave %d (%s) with a timer left", rv,
                 async_err_name(rv));
  }
  ASSERT_STATE(nap, ASYNC_DONE);
  cr_assert_lt(mono_now() - start, 1.0);

  ASSERT_OK(async_future_cancel(timer));
  cr_assert_eq(late_runs, 0);
  async_future_release(nap);
  async_future_release(timer);
  finish_loop(loop);
}

struct run_probe {
  async_loop_t *loop;
  async_future_t *target;
  int calls;
  int rv_nowait, rv_default, rv_until;
};

static int run_probe_task(void *arg, void **result) {
  struct run_probe *probe = arg;

  (void)result;
  probe->calls++;
  probe->rv_nowait = async_loop_run(probe->loop, ASYNC_RUN_NOWAIT);
  probe->rv_default = async_loop_run(probe->loop, ASYNC_RUN_DEFAULT);
  probe->rv_until = async_loop_run_until(probe->loop, probe->target);
  return 0;
}

Test(loop, run_inside_callback_is_busy, .timeout = 10) {
  async_loop_t *loop = new_loop();
  struct run_probe probe = {loop, NULL, 0, 1, 1, 1};

  ASSERT_OK(async_future_new(&probe.target, loop));
  ASSERT_OK(async_loop_call_soon(loop, run_probe_task, &probe, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(probe.calls, 1);
  cr_assert_eq(probe.rv_nowait, ASYNC_EBUSY, "run(NOWAIT) gave %d",
               probe.rv_nowait);
  cr_assert_eq(probe.rv_default, ASYNC_EBUSY, "run(DEFAULT) gave %d",
               probe.rv_default);
  cr_assert_eq(probe.rv_until, ASYNC_EBUSY, "run_until gave %d",
               probe.rv_until);

  ASSERT_OK(async_future_cancel(probe.target));
  async_future_release(probe.target);
  finish_loop(loop);
}

struct job {
  pthread_t fn_thread;
  pthread_t cb_thread;
  atomic_int runs;
  int cb_calls;
};

static int job_task(void *arg, void **result) {
  struct job *job = arg;

  job->fn_thread = pthread_self();
  sleep_for(0.05); /* a blocking call, as run_in_thread is made for */
  atomic_fetch_add(&job->runs, 1);
  *result = job;
  return 0;
}

static void job_cb(async_future_t *future, void *userdata) {
  struct job *job = userdata;

  (void)future;
  job->cb_thread = pthread_self();
  job->cb_calls++;
}

Test(loop, run_in_thread_runs_on_a_worker, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  struct job job = {0};
  pthread_t self = pthread_self();

  ASSERT_OK(async_loop_run_in_thread(loop, job_task, &job, &f));
  ASSERT_OK(async_future_on_done(f, job_cb, &job));
  /* A job is work: DEFAULT returns only after it and its callback. */
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(atomic_load(&job.runs), 1);
  cr_assert_eq(job.cb_calls, 1);
  cr_assert(!pthread_equal(job.fn_thread, self), "fn ran on the loop thread");
  cr_assert(pthread_equal(job.cb_thread, self),
            "the callback ran off the loop thread");
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_eq(async_future_value(f), &job);
  async_future_release(f);
  finish_loop(loop);
}

Test(loop, workers_option_is_range_checked, .timeout = 10) {
  async_loop_t *loop = new_loop();
  int64_t value = -7;

  ASSERT_OK(async_loop_get_int(loop, ASYNC_LOOP_WORKERS, &value));
  cr_assert_eq(value, 4, "default workers %lld", (long long)value);
  ASSERT_OK(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, 1));
  ASSERT_OK(async_loop_get_int(loop, ASYNC_LOOP_WORKERS, &value));
  cr_assert_eq(value, 1);
  ASSERT_OK(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, 256));
  ASSERT_OK(async_loop_get_int(loop, ASYNC_LOOP_WORKERS, &value));
  cr_assert_eq(value, 256);

  ASSERT_ERR(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, 0), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, 257), ASYNC_EINVAL);
  ASSERT_ERR(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, -1), ASYNC_EINVAL);
  ASSERT_OK(async_loop_get_int(loop, ASYNC_LOOP_WORKERS, &value));
  cr_assert_eq(value, 256, "a rejected value changed the option");

  ASSERT_ERR(async_loop_set_int(loop, 999, 4), ASYNC_EINVAL);
  value = -7;
  ASSERT_ERR(async_loop_get_int(loop, 999, &value), ASYNC_EINVAL);
  cr_assert_eq(value, -7, "get_int wrote *out on failure");
  finish_loop(loop);
}

Test(loop, start_thread_twice_is_busy, .timeout = 10) {
  async_loop_t *loop = new_loop();

  ASSERT_OK(async_loop_start_thread(loop));
  ASSERT_ERR(async_loop_start_thread(loop), ASYNC_EBUSY);
  ASSERT_OK(async_loop_close(loop));
  cr_assert_eq(async_loop_is_closed(loop), 1);
  async_loop_release(loop);
}

Test(loop, run_of_runtime_loop_is_busy, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;

  ASSERT_OK(async_future_new(&f, loop));
  ASSERT_OK(async_loop_start_thread(loop));
  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_NOWAIT), ASYNC_EBUSY);
  ASSERT_ERR(async_loop_run_until(loop, f), ASYNC_EBUSY);
  ASSERT_OK(async_loop_close(loop));
  ASSERT_STATE(f, ASYNC_CANCELLED);
  async_future_release(f);
  async_loop_release(loop);
}

Test(loop, now_is_monotonic_and_advances, .timeout = 10) {
  async_loop_t *loop = new_loop();
  double prev = async_loop_now(loop), before, after;

  cr_assert_geq(prev, 0.0);
  cr_assert_lt(prev - mono_now(), 0.5, "now is not CLOCK_MONOTONIC");
  cr_assert_lt(mono_now() - prev, 0.5, "now is not CLOCK_MONOTONIC");
  for (int i = 0; i < 10000; i++) {
    double t = async_loop_now(loop);

    cr_assert_geq(t, prev, "now went back");
    prev = t;
  }
  before = async_loop_now(loop);
  sleep_for(0.02);
  after = async_loop_now(loop);
  cr_assert_geq(after - before, 0.0199, "now advanced %.5f s in 0.02 s",
                after - before);
  finish_loop(loop);
}

Test(loop, close_cancels_every_pending_future, .timeout = 30) {
  enum { N = 10000 };
  async_loop_t *loop = new_loop();
  async_future_t **futures = calloc(N, sizeof(*futures));
  int *calls = calloc(N, sizeof(*calls));
  int *runs = calloc(N, sizeof(*runs));
  int total = 0;

  cr_assert(futures && calls && runs);
  for (int i = 0; i < N; i++) {
    switch (i % 4) {
    case 0:
      ASSERT_OK(async_sleep(loop, 10.0, &futures[i]));
      break;
    case 1:
      ASSERT_OK(async_future_new(&futures[i], loop));
      break;
    case 2:
      ASSERT_OK(
          async_loop_call_later(loop, 10.0, count_task, &runs[i], &futures[i]));
      break;
    default: /* queued, never run: nobody drives the loop */
      ASSERT_OK(async_loop_call_soon(loop, count_task, &runs[i], &futures[i]));
      break;
    }
    ASSERT_OK(async_future_on_done(futures[i], count_cb, &calls[i]));
  }

  ASSERT_OK(async_loop_close(loop));
  for (int i = 0; i < N; i++) {
    ASSERT_STATE(futures[i], ASYNC_CANCELLED);
    cr_assert_eq(async_future_error(futures[i]), ASYNC_ECANCELLED);
    cr_assert_eq(calls[i], 1, "future %d: %d callbacks", i, calls[i]);
    cr_assert_eq(runs[i], 0, "future %d: its task ran", i);
    total += calls[i];
    async_future_release(futures[i]);
  }
  cr_assert_eq(total, N);
  async_loop_release(loop);
  free(futures);
  free(calls);
  free(runs);
}

struct closer {
  async_loop_t *loop;
  int calls;
  int rv;
};

static int close_task(void *arg, void **result) {
  struct closer *closer = arg;

  (void)result;
  closer->calls++;
  closer->rv = async_loop_close(closer->loop);
  return 0;
}

Test(loop, close_from_callback_is_safe, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *nap = NULL, *promise = NULL, *closing = NULL, *after = NULL;
  struct closer closer = {loop, 0, 1};
  int calls[4] = {0}, after_runs = 0, rv;
  double start;

  ASSERT_OK(async_sleep(loop, 10.0, &nap));
  ASSERT_OK(async_future_new(&promise, loop));
  ASSERT_OK(async_loop_call_soon(loop, close_task, &closer, &closing));
  ASSERT_OK(async_loop_call_soon(loop, count_task, &after_runs, &after));
  ASSERT_OK(async_future_on_done(nap, count_cb, &calls[0]));
  ASSERT_OK(async_future_on_done(promise, count_cb, &calls[1]));
  ASSERT_OK(async_future_on_done(closing, count_cb, &calls[2]));
  ASSERT_OK(async_future_on_done(after, count_cb, &calls[3]));

  start = mono_now();
  rv = async_loop_run(loop, ASYNC_RUN_DEFAULT);
  cr_assert(rv == 0 || rv == ASYNC_ECLOSED, "run gave %d (%s)", rv,
            async_err_name(rv));
  cr_assert_lt(mono_now() - start, 1.0, "the close did not stop the run");
  cr_assert_eq(closer.calls, 1);
  cr_assert_eq(closer.rv, 0);
  cr_assert_eq(async_loop_is_closed(loop), 1);
  cr_assert_eq(after_runs, 0, "a task queued after the close ran");
  for (int i = 0; i < 4; i++)
    cr_assert_eq(calls[i], 1, "future %d: %d callbacks", i, calls[i]);
  ASSERT_STATE(nap, ASYNC_CANCELLED);
  ASSERT_STATE(promise, ASYNC_CANCELLED);
  ASSERT_STATE(after, ASYNC_CANCELLED);
  cr_assert_neq(async_future_state(closing), ASYNC_PENDING);

  async_future_release(nap);
  async_future_release(promise);
  async_future_release(closing);
  async_future_release(after);
  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_NOWAIT), ASYNC_ECLOSED);
  async_loop_release(loop);
}

static int release_loop_task(void *arg, void **result) {
  (void)result;
  async_loop_release(arg);
  return 0;
}

Test(loop, release_in_callback_is_safe, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  int runs = 0;

  async_loop_retain(loop); /* the reference the task drops */
  ASSERT_OK(async_loop_call_soon(loop, release_loop_task, loop, &f));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  ASSERT_STATE(f, ASYNC_DONE);
  cr_assert_eq(async_loop_is_closed(loop), 0);
  ASSERT_OK(async_loop_call_soon(loop, count_task, &runs, NULL));
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_DEFAULT));
  cr_assert_eq(runs, 1);
  async_future_release(f);
  finish_loop(loop);
}

struct last_ref {
  async_loop_t *loop;
  int task_runs;
  int cb_calls;
};

static int release_last_loop_ref_task(void *arg, void **result) {
  struct last_ref *ctx = arg;

  (void)result;
  ctx->task_runs++;
  async_loop_release(ctx->loop);
  return 0;
}

static void release_future_cb(async_future_t *future, void *userdata) {
  (*(int *)userdata)++;
  async_future_release(future);
}

Test(loop, release_of_last_reference_in_callback_is_safe, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = NULL;
  struct last_ref ctx = {loop, 0, 0};
  int rv;

  /* The task drops the test's reference, the callback the future's: the
   * last one goes while the loop is being run. */
  ASSERT_OK(async_loop_call_soon(loop, release_last_loop_ref_task, &ctx, &f));
  ASSERT_OK(async_future_on_done(f, release_future_cb, &ctx.cb_calls));
  rv = async_loop_run(loop, ASYNC_RUN_DEFAULT);
  cr_assert(rv == 0 || rv == ASYNC_ECLOSED, "run gave %d (%s)", rv,
            async_err_name(rv));
  cr_assert_eq(ctx.task_runs, 1);
  cr_assert_eq(ctx.cb_calls, 1);
}

static int never_task(void *arg, void **result) {
  (void)result;
  (*(int *)arg)++;
  return 0;
}

Test(loop, calls_after_close_fail_closed, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *f = SENTINEL, *list[1];
  int runs = 0;
  double seconds = -7;
  int64_t token;

  ASSERT_OK(async_loop_close(loop));
  cr_assert_eq(async_loop_is_closed(loop), 1);

  ASSERT_ERR(async_loop_call_soon(loop, never_task, &runs, &f), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_call_soon(loop, never_task, &runs, NULL),
             ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_call_later(loop, 0.0, never_task, &runs, &f),
             ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_run_in_thread(loop, never_task, &runs, &f),
             ASYNC_ECLOSED);
  ASSERT_ERR(async_sleep(loop, 0.0, &f), ASYNC_ECLOSED);
  ASSERT_ERR(async_future_new(&f, loop), ASYNC_ECLOSED);
  ASSERT_ERR(async_group_new(&f, loop), ASYNC_ECLOSED);
  ASSERT_ERR(async_gather(loop, list, 0, 0, &f), ASYNC_ECLOSED);
  cr_assert_eq(f, SENTINEL, "an out parameter was written on failure");

  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_DEFAULT), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_ONCE), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_run(loop, ASYNC_RUN_NOWAIT), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_stop(loop), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_start_thread(loop), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_set_int(loop, ASYNC_LOOP_WORKERS, 2), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_backend_fd(loop), ASYNC_ECLOSED);
  ASSERT_ERR(async_loop_next_timeout(loop, &seconds), ASYNC_ECLOSED);
  cr_assert_eq(seconds, -7, "next_timeout wrote *seconds on failure");

  /* The completion queue outlives the close. */
  cr_assert_geq(async_loop_completion_fd(loop), 0);
  cr_assert_eq(async_loop_drain(loop, &token, 1), 0);
  cr_assert_eq(runs, 0, "a task of a closed loop ran");
  async_loop_release(loop);
}

Test(loop, close_twice_is_harmless, .timeout = 10) {
  async_loop_t *embedded = new_loop(), *runtime = new_loop();

  ASSERT_OK(async_loop_close(embedded));
  ASSERT_OK(async_loop_close(embedded));
  cr_assert_eq(async_loop_is_closed(embedded), 1);
  async_loop_release(embedded);

  ASSERT_OK(async_loop_start_thread(runtime));
  ASSERT_OK(async_loop_close(runtime));
  ASSERT_OK(async_loop_close(runtime));
  cr_assert_eq(async_loop_is_closed(runtime), 1);
  async_loop_release(runtime);
}
