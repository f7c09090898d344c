#include "core/pool.h"

#include <libasync/error.h>

#include "core/alloc.h"
#include "core/future.h"
#include "core/loop.h"
#include "core/tasks.h"

#define DEFAULT_SIZE 4

void async__pool_init(async__pool_t *pool) {
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->cond, NULL);
  async__list_init(&pool->jobs);
  pool->threads = NULL;
  pool->size = DEFAULT_SIZE;
  pool->started = 0;
  pool->stopping = 0;
  pool->in_flight = 0;
}

void async__pool_free(async__pool_t *pool) {
  pthread_mutex_destroy(&pool->mutex);
  pthread_cond_destroy(&pool->cond);
  async__free(pool->threads);
}

int async__pool_resize(async__pool_t *pool, int size) {
  int rv = 0;

  pthread_mutex_lock(&pool->mutex);
  if (pool->threads != NULL)
    rv = ASYNC_EBUSY;
  else
    pool->size = size;
  pthread_mutex_unlock(&pool->mutex);
  return rv;
}

int async__pool_size(async__pool_t *pool) {
  int size;

  pthread_mutex_lock(&pool->mutex);
  size = pool->size;
  pthread_mutex_unlock(&pool->mutex);
  return size;
}

/* The job's result, back on the loop's thread. */
static void result_call(async_loop_t *loop, async__call_t *call) {
  async_future_t *f = call->future;

  loop->pool.in_flight--;
  async__loop_unref(loop);
  if (call->i1 < 0)
    async__future_fail(f, (int)call->i1, NULL);
  else
    async__future_done(f, call->p1, NULL);
  /* The job's own reference; the call holds another until it returns. */
  async_future_release(f);
}

static void *worker_main(void *arg) {
  async_loop_t *loop = arg;
  async__pool_t *pool = &loop->pool;

  pthread_mutex_lock(&pool->mutex);
  for (;;) {
    async_future_t *f;
    async__call_t call = {0};
    void *result = NULL;

    while (!pool->stopping && async__list_empty(&pool->jobs))
      pthread_cond_wait(&pool->cond, &pool->mutex);
    if (async__list_empty(&pool->jobs))
      break;
    f = async__container_of(pool->jobs.next, async_future_t, link);
    async__list_remove(&f->link);
    f->where = ASYNC__IN_WORKER;
    pthread_mutex_unlock(&pool->mutex);

    call.future = f;
    call.i1 = async__task_invoke(f, &result);
    call.p1 = result;
    async__loop_post(loop, result_call, &call);

    pthread_mutex_lock(&pool->mutex);
  }
  pthread_mutex_unlock(&pool->mutex);
  return NULL;
}

/* Starts the threads; called with the mutex held. */
static int start_threads(async_loop_t *loop) {
  async__pool_t *pool = &loop->pool;
  int i;

  pool->threads = async__calloc((size_t)pool->size, sizeof(pthread_t));
  if (pool->threads == NULL)
    return ASYNC_ENOMEM;
  for (i = 0; i < pool->size; i++) {
    if (pthread_create(&pool->threads[i], NULL, worker_main, loop) != 0)
      break;
  }
  pool->started = i;
  return i > 0 ? 0 : ASYNC_ENOMEM;
}

int async__pool_submit(async_loop_t *loop, async_future_t *f) {
  async__pool_t *pool = &loop->pool;
  int rv = 0;

  pthread_mutex_lock(&pool->mutex);
  if (pool->threads == NULL)
    rv = start_threads(loop);
  if (rv == 0) {
    f->where = ASYNC__IN_POOL;
    async__list_push(&pool->jobs, &f->link);
    pthread_cond_signal(&pool->cond);
  }
  pthread_mutex_unlock(&pool->mutex);
  if (rv == 0) {
    pool->in_flight++;
    async__loop_ref(loop);
  }
  return rv;
}

void async__pool_cancel(async_loop_t *loop, async_future_t *f) {
  async__pool_t *pool = &loop->pool;
  int queued;

  pthread_mutex_lock(&pool->mutex);
  queued = f->where == ASYNC__IN_POOL;
  if (queued) {
    /* Off the queue, the job's reference is dropped like a parked
     * future's when the caller completes f. */
    async__list_remove(&f->link);
    f->where = ASYNC__IN_PENDING;
  }
  pthread_mutex_unlock(&pool->mutex);
  if (queued) {
    pool->in_flight--;
    async__loop_unref(loop);
  }
  /* A running job completes unheard: result_call finds f done. */
}

void async__pool_stop(async_loop_t *loop) {
  async__pool_t *pool = &loop->pool;
  int i;

  while (1) {
    async_future_t *f = NULL;
    pthread_mutex_lock(&pool->mutex);
    if (!async__list_empty(&pool->jobs))
      f = async__container_of(pool->jobs.next, async_future_t, link);
    if (f == NULL) {
      pool->stopping = 1;
      pthread_cond_broadcast(&pool->cond);
    }
    pthread_mutex_unlock(&pool->mutex);
    if (f == NULL)
      break;
    async__future_cancel_now(f);
  }
  for (i = 0; i < pool->started; i++)
    pthread_join(pool->threads[i], NULL);
  pool->started = 0;
}
