/* async_wait (asyncio.wait) and async_wait_for (asyncio.wait_for). */
#include <libasync/error.h>

#include <math.h>

#include "core/alloc.h"
#include "core/combine.h"
#include "core/future.h"
#include "core/loop.h"
#include "core/tasks.h"

/* ---- async_wait ------------------------------------------------------ */

typedef struct waiting {
  async_future_t base;
  size_t n;
  size_t completed;
  int mode;
  double timeout;
  async_future_t *timer; /* NULL without a timeout */
  async_future_t *items[];
} waiting_t;

/* Both waits stop their timer once they complete. */
static void stop_timer(async_future_t *timer) {
  if (timer != NULL)
    async__future_cancel_now(timer);
}

static void wait_child_done(async_future_t *child, void *userdata) {
  waiting_t *w = userdata;
  int state = async_future_state(child);

  w->completed++;
  if (async__future_pending(&w->base) &&
      (w->mode == ASYNC_FIRST_COMPLETED || w->completed == w->n ||
       (w->mode == ASYNC_FIRST_FAILED && state != ASYNC_DONE))) {
    async__future_done(&w->base, NULL, NULL);
    stop_timer(w->timer);
  }
  async_future_release(&w->base);
}

static void wait_timeout(async_future_t *timer, void *userdata) {
  async_future_t *f = userdata;

  /* Timed out: complete without touching the futures (as asyncio). */
  if (async_future_state(timer) == ASYNC_DONE)
    async__future_done(f, NULL, NULL);
  async_future_release(f);
}

/* Starts the timeout of a wait; returns 0 or ASYNC_ENOMEM. */
static int start_timer(async_future_t *f, double timeout,
                       async_future_t **timer) {
  if (async__timeout_forever(timeout))
    return 0;
  *timer = async__sleep_start(f->loop, timeout);
  if (*timer == NULL)
    return ASYNC_ENOMEM;
  return async__watch_futures(f, timer, 1, wait_timeout);
}

static void wait_start(async_future_t *f) {
  waiting_t *w = (waiting_t *)f;

  async__future_park(f);
  if (async__watch_futures(f, w->items, w->n, wait_child_done) < 0 ||
      start_timer(f, w->timeout, &w->timer) < 0) {
    async__future_fail(f, ASYNC_ENOMEM, NULL);
    stop_timer(w->timer);
  }
}

static void wait_cancel(async_future_t *f) {
  stop_timer(((waiting_t *)f)->timer);
}

static void wait_destroy(async_future_t *f) {
  waiting_t *w = (waiting_t *)f;

  async__release_futures(w->items, w->n);
  async_future_release(w->timer);
}

const async__future_ops_t async__wait_ops = {
    .start = wait_start,
    .cancel = wait_cancel,
    .destroy = wait_destroy,
};

static int timeout_valid(double seconds) {
  return !isnan(seconds) && seconds >= 0;
}

ASYNC_EXTERN int async_wait(async_loop_t *loop, async_future_t **futures,
                            size_t n, int mode, double timeout_s,
                            async_future_t **out) {
  waiting_t *w;
  int rv;

  if (loop == NULL || out == NULL || n == 0 || !timeout_valid(timeout_s) ||
      (mode != ASYNC_ALL_COMPLETED && mode != ASYNC_FIRST_COMPLETED &&
       mode != ASYNC_FIRST_FAILED) ||
      async__check_futures(loop, futures, n) < 0 ||
      n > (SIZE_MAX - sizeof(*w)) / sizeof(w->items[0]))
    return ASYNC_EINVAL;
  w = (waiting_t *)async__future_alloc(loop, ASYNC__KIND_WAIT,
                                       sizeof(*w) + n * sizeof(w->items[0]));
  if (w == NULL)
    return ASYNC_ENOMEM;
  w->n = n;
  w->mode = mode;
  w->timeout = timeout_s;
  async__retain_futures(w->items, futures, n);
  if ((rv = async__future_submit(&w->base)) < 0)
    return rv;
  *out = &w->base;
  return 0;
}

/* ---- async_wait_for -------------------------------------------------- */

typedef struct waiting_for {
  async_future_t base;
  async_future_t *inner;
  async_future_t *timer;
  double timeout;
} waiting_for_t;

static void inner_done(async_future_t *inner, void *userdata) {
  waiting_for_t *w = userdata;

  if (async__future_pending(&w->base)) {
    async__future_copy_result(&w->base, inner);
    stop_timer(w->timer);
  }
  async_future_release(&w->base);
}

static void deadline_passed(async_future_t *timer, void *userdata) {
  waiting_for_t *w = userdata;

  if (async_future_state(timer) == ASYNC_DONE &&
      async__future_pending(&w->base)) {
    async__future_cancel_now(w->inner);
    async__future_fail(&w->base, ASYNC_ETIMEDOUT,
                       async__format("timed out after %g s", w->timeout));
  }
  async_future_release(&w->base);
}

static void wait_for_start(async_future_t *f) {
  waiting_for_t *w = (waiting_for_t *)f;
  int rv;

  async__future_park(f);
  rv = async__watch_futures(f, &w->inner, 1, inner_done);
  if (rv == 0 && !async__timeout_forever(w->timeout)) {
    w->timer = async__sleep_start(f->loop, w->timeout);
    rv = w->timer == NULL
             ? ASYNC_ENOMEM
             : async__watch_futures(f, &w->timer, 1, deadline_passed);
  }
  if (rv < 0) {
    async__future_fail(f, rv, NULL);
    stop_timer(w->timer);
  }
}

static void wait_for_cancel(async_future_t *f) {
  waiting_for_t *w = (waiting_for_t *)f;

  async__future_cancel_now(w->inner);
  stop_timer(w->timer);
}

static void wait_for_destroy(async_future_t *f) {
  waiting_for_t *w = (waiting_for_t *)f;

  async_future_release(w->inner);
  async_future_release(w->timer);
}

const async__future_ops_t async__wait_for_ops = {
    .start = wait_for_start,
    .cancel = wait_for_cancel,
    .destroy = wait_for_destroy,
};

ASYNC_EXTERN int async_wait_for(async_future_t *future, double timeout_s,
                                async_future_t **out) {
  waiting_for_t *w;
  int rv;

  if (future == NULL || out == NULL || !timeout_valid(timeout_s))
    return ASYNC_EINVAL;
  w = (waiting_for_t *)async__future_alloc(
      future->loop, ASYNC__KIND_WAIT_FOR, sizeof(*w));
  if (w == NULL)
    return ASYNC_ENOMEM;
  w->inner = async_future_retain(future);
  w->timeout = timeout_s;
  if ((rv = async__future_submit(&w->base)) < 0)
    return rv;
  *out = &w->base;
  return 0;
}
