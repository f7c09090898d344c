/*
 * The worker pool behind async_loop_run_in_thread: threads started on the
 * first job, a FIFO of jobs under a mutex, results sent back to the loop.
 */
#ifndef ASYNC_CORE_POOL_H
#define ASYNC_CORE_POOL_H

#include <pthread.h>

#include <libasync/common.h>

#include "core/list.h"

typedef struct async__pool {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  async__list_t jobs; /* futures of kind WORK */
  pthread_t *threads;
  int size;    /* threads to start */
  int started; /* threads running */
  int stopping;
  int in_flight; /* jobs queued or running (loop thread) */
} async__pool_t;

void async__pool_init(async__pool_t *pool);

/* Loop thread. Queues f's job; returns 0 or ASYNC_ENOMEM. */
int async__pool_submit(async_loop_t *loop, async_future_t *f);

/* Loop thread. Stops a queued job, or lets a running one finish unheard. */
void async__pool_cancel(async_loop_t *loop, async_future_t *f);

/* Loop thread, at close. Cancels queued jobs and joins the threads. */
void async__pool_stop(async_loop_t *loop);

void async__pool_free(async__pool_t *pool);

/* Any thread. Sets the size before the pool starts: 0 or ASYNC_EBUSY. */
int async__pool_resize(async__pool_t *pool, int size);
int async__pool_size(async__pool_t *pool);

#endif /* ASYNC_CORE_POOL_H */
