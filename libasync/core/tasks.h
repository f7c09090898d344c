/*
 * Tasks: futures that run a function — soon, later, or on a worker
 * thread — and sleeps.
 */
#ifndef ASYNC_CORE_TASKS_H
#define ASYNC_CORE_TASKS_H

#include "core/future.h"

typedef struct async__task {
  async_future_t base;
  async_task_fn fn;
  void *arg;
} async__task_t;

/* Runs a task future's function. Returns its result code. Any thread. */
int async__task_invoke(async_future_t *f, void **result);

/* Loop thread: starts an internal sleep that completes after `seconds`.
 * Returns NULL when memory ran out. */
async_future_t *async__sleep_start(async_loop_t *loop, double seconds);

#endif /* ASYNC_CORE_TASKS_H */
