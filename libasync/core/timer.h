/*
 * Internal timers for the modules (DNS retries, connect stagger,
 * deadlines): re-armable, kept in the loop's timers so that guest hosts
 * see them in async_loop_next_timeout. Loop thread only.
 */
#ifndef ASYNC_CORE_TIMER_H
#define ASYNC_CORE_TIMER_H

#include <libasync/loop.h>

typedef struct async__timer async__timer_t;
typedef void (*async__timer_fn)(async__timer_t *timer, void *data);

/* Returns NULL when memory ran out. */
async__timer_t *async__timer_new(async_loop_t *loop, async__timer_fn fn,
                                 void *data);

/* A timer that does not keep async_loop_run(DEFAULT) going. */
async__timer_t *async__timer_new_weak(async_loop_t *loop, async__timer_fn fn,
                                      void *data);

/* (Re)arms the timer to fire once after `seconds`. Returns 0 or
 * ASYNC_ENOMEM. */
int async__timer_start(async__timer_t *timer, double seconds);

/* Disarms the timer; it will not fire. NULL is a no-op. */
void async__timer_stop(async__timer_t *timer);

int async__timer_active(async__timer_t *timer);
/* When an active timer fires, on async__loop_now's clock. */
double async__timer_deadline(async__timer_t *timer);

/* Disarms and frees the timer. NULL is a no-op. */
void async__timer_free(async__timer_t *timer);

/* Called by the loop when the deadline passes. */
void async__timer_fire(async_future_t *f);

#endif /* ASYNC_CORE_TIMER_H */
