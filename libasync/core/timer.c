#include "core/timer.h"

#include <libasync/error.h>

#include "core/clock.h"
#include "core/future.h"
#include "core/loop.h"

struct async__timer {
  async_future_t base; /* kind TIMER: never completes */
  async__timer_fn fn;
  void *data;
};

static void timer_cancel(async_future_t *f) {
  async__timer_stop((async__timer_t *)f);
}

const async__future_ops_t async__timer_ops = {
    .cancel = timer_cancel,
};

async__timer_t *async__timer_new(async_loop_t *loop, async__timer_fn fn,
                                 void *data) {
  async__timer_t *t = (async__timer_t *)async__future_alloc_loop_only(
      loop, ASYNC__KIND_TIMER, sizeof(*t));

  if (t == NULL)
    return NULL;
  t->fn = fn;
  t->data = data;
  return t;
}

async__timer_t *async__timer_new_weak(async_loop_t *loop, async__timer_fn fn,
                                      void *data) {
  async__timer_t *t = async__timer_new(loop, fn, data);

  if (t != NULL)
    atomic_fetch_or(&t->base.flags, ASYNC__WEAK);
  return t;
}

int async__timer_start(async__timer_t *t, double seconds) {
  async_future_t *f = &t->base;
  int rv;

  async__timer_stop(t);
  f->u.at = async__loop_now(f->loop) + (seconds > 0 ? seconds : 0);
  if ((rv = async__loop_add_timer(f->loop, f)) < 0)
    return rv;
  /* The timers hold a reference while armed. */
  async_future_retain(f);
  return 0;
}

void async__timer_stop(async__timer_t *t) {
  async_future_t *f;

  if (t == NULL || t->base.where != ASYNC__IN_TIMERS)
    return;
  f = &t->base;
  async__loop_remove_timer(f->loop, f);
  f->where = ASYNC__IN_NOTHING;
  async_future_release(f);
}

int async__timer_active(async__timer_t *t) {
  return t->base.where == ASYNC__IN_TIMERS;
}

double async__timer_deadline(async__timer_t *t) {
  return t->base.u.at;
}

void async__timer_free(async__timer_t *t) {
  if (t == NULL)
    return;
  async__timer_stop(t);
  async_future_release(&t->base);
}

void async__timer_fire(async_future_t *f) {
  async__timer_t *t = (async__timer_t *)f;

  async__loop_remove_timer(f->loop, f);
  f->where = ASYNC__IN_NOTHING;
  t->fn(t, t->data);
  async_future_release(f);
}
