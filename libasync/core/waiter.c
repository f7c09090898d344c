/*
 * async_future_wait: threads blocked on a future sleep on one of a fixed
 * set of condition variables chosen by the future's address, so a future
 * carries one flag bit instead of a mutex of its own.
 */
#include <libasync/error.h>
#include <libasync/future.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/future.h"
#include "core/loop.h"

#define STRIPES 64

static struct stripe {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
} stripes[STRIPES];

static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;

static void stripes_init(void) {
  pthread_condattr_t attr;
  int i;

  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  for (i = 0; i < STRIPES; i++) {
    pthread_mutex_init(&stripes[i].mutex, NULL);
    pthread_cond_init(&stripes[i].cond, &attr);
  }
  pthread_condattr_destroy(&attr);
}

static struct stripe *stripe_of(async_future_t *f) {
  uintptr_t h = (uintptr_t)f;

  h ^= h >> 7;
  h ^= h >> 13;
  return &stripes[h % STRIPES];
}

void async__future_wake_waiters(async_future_t *f) {
  struct stripe *s = stripe_of(f);

  pthread_mutex_lock(&s->mutex);
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mutex);
}

static struct timespec deadline_after(double seconds) {
  struct timespec ts;
  time_t whole = (time_t)seconds;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += whole;
  ts.tv_nsec += (long)((seconds - (double)whole) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

ASYNC_EXTERN int async_future_wait(async_future_t *future, double timeout_s) {
  struct stripe *s;
  struct timespec deadline;
  int forever;
  int rv = 0;

  if (future == NULL || isnan(timeout_s) || timeout_s < 0)
    return ASYNC_EINVAL;
  if (!async__future_pending(future))
    return 0;
  if (async__loop_on_thread(future->loop))
    return ASYNC_EBUSY;
  pthread_once(&stripes_once, stripes_init);
  forever = timeout_s >= ASYNC_FOREVER || isinf(timeout_s);
  if (!forever)
    deadline = deadline_after(timeout_s > 1e9 ? 1e9 : timeout_s);
  s = stripe_of(future);
  pthread_mutex_lock(&s->mutex);
  /* seq_cst pairs with the completing thread: see finish() in future.c. */
  atomic_fetch_or(&future->flags, ASYNC__HAS_WAITERS);
  while (atomic_load(&future->state) == ASYNC_PENDING && rv == 0) {
    int e = forever ? pthread_cond_wait(&s->cond, &s->mutex)
                    : pthread_cond_timedwait(&s->cond, &s->mutex, &deadline);
    if (e == ETIMEDOUT && atomic_load(&future->state) == ASYNC_PENDING)
      rv = ASYNC_ETIMEDOUT;
  }
  pthread_mutex_unlock(&s->mutex);
  return rv;
}
