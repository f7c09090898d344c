#include "core/tasks.h"

#include <libasync/error.h>

#include <math.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/pool.h"

int async__task_invoke(async_future_t *f, void **result) {
  async__task_t *task = (async__task_t *)f;
  int rv;

  *result = NULL;
  rv = task->fn(task->arg, result);
  /* A task can only fail with one of our codes. */
  if (rv > 0 || rv <= ASYNC_ERR_MIN_)
    rv = ASYNC_EINVAL;
  return rv;
}

static void fail_enomem(async_future_t *f) {
  /* The operation's reference was never placed: drop it on completion. */
  f->where = ASYNC__IN_PENDING;
  async__future_fail(f, ASYNC_ENOMEM, NULL);
}

/* ---- sleeps ---------------------------------------------------------- */

static void sleep_start(async_future_t *f) {
  if (async__loop_add_timer(f->loop, f) < 0)
    fail_enomem(f);
}

const async__future_ops_t async__sleep_ops = {
    .start = sleep_start,
};

static int seconds_valid(double seconds) {
  return isfinite(seconds) && seconds >= 0;
}

ASYNC_EXTERN int async_sleep(async_loop_t *loop, double seconds,
                             async_future_t **out) {
  async_future_t *f;
  int rv;

  if (loop == NULL || out == NULL || !seconds_valid(seconds))
    return ASYNC_EINVAL;
  f = async__future_alloc(loop, ASYNC__KIND_SLEEP, sizeof(*f));
  if (f == NULL)
    return ASYNC_ENOMEM;
  /* The deadline counts from the call, even when the loop hears of it
   * later. */
  f->u.at = async__clock_now() + seconds;
  if ((rv = async__future_submit(f)) < 0)
    return rv;
  *out = f;
  return 0;
}

async_future_t *async__sleep_start(async_loop_t *loop, double seconds) {
  async_future_t *f = async__future_alloc(loop, ASYNC__KIND_SLEEP, sizeof(*f));

  if (f == NULL)
    return NULL;
  f->u.at = async__clock_now() + seconds;
  sleep_start(f);
  return f;
}

/* ---- tasks on the loop ----------------------------------------------- */

static void call_start(async_future_t *f) {
  if (f->u.at > 0) {
    if (async__loop_add_timer(f->loop, f) < 0)
      fail_enomem(f);
    return;
  }
  /* The operation's reference passes to the ready list. */
  async__loop_make_ready(f->loop, f);
  async_future_release(f);
}

static void call_run(async_future_t *f) {
  void *result = NULL;
  int rv = async__task_invoke(f, &result);

  if (rv < 0)
    async__future_fail(f, rv, NULL);
  else
    async__future_done(f, result, NULL);
}

const async__future_ops_t async__call_ops = {
    .start = call_start,
    .run = call_run,
};

/* Makes a task future; one that only the loop holds when the caller
 * wants none (out == NULL). */
static int submit_task(async_loop_t *loop, int kind, double at,
                       async_task_fn fn, void *arg, async_future_t **out) {
  async__task_t *task;
  int rv;

  if (loop == NULL || fn == NULL)
    return ASYNC_EINVAL;
  if (out != NULL)
    task = (async__task_t *)async__future_alloc(loop, kind, sizeof(*task));
  else
    task = (async__task_t *)async__future_alloc_loop_only(loop, kind,
                                                          sizeof(*task));
  if (task == NULL)
    return ASYNC_ENOMEM;
  task->fn = fn;
  task->arg = arg;
  task->base.u.at = at;
  if ((rv = async__future_submit(&task->base)) < 0)
    return rv;
  if (out != NULL)
    *out = &task->base;
  return 0;
}

ASYNC_EXTERN int async_loop_call_soon(async_loop_t *loop, async_task_fn fn,
                                      void *arg, async_future_t **out) {
  return submit_task(loop, ASYNC__KIND_CALL, 0, fn, arg, out);
}

ASYNC_EXTERN int async_loop_call_later(async_loop_t *loop, double seconds,
                                       async_task_fn fn, void *arg,
                                       async_future_t **out) {
  if (!seconds_valid(seconds))
    return ASYNC_EINVAL;
  /* A deadline of 0 reads as "soon"; the monotonic clock is positive. */
  return submit_task(loop, ASYNC__KIND_CALL, async__clock_now() + seconds, fn,
                     arg, out);
}

/* ---- tasks on the worker pool ---------------------------------------- */

static void work_start(async_future_t *f) {
  if (async__pool_submit(f->loop, f) < 0)
    fail_enomem(f);
}

static void work_cancel(async_future_t *f) { async__pool_cancel(f->loop, f); }

const async__future_ops_t async__work_ops = {
    .start = work_start,
    .cancel = work_cancel,
};

ASYNC_EXTERN int async_loop_run_in_thread(async_loop_t *loop, async_task_fn fn,
                                          void *arg, async_future_t **out) {
  return submit_task(loop, ASYNC__KIND_WORK, 0, fn, arg, out);
}

