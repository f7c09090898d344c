/*
 * The loop's timers: futures with deadlines, kept in two structures. A
 * deadline no earlier than the last one added (the common case: many
 * sleeps of one length) is appended to a FIFO list in O(1); any other goes
 * into a binary min-heap. The earliest deadline is the first of either.
 */
#ifndef ASYNC_CORE_TIMERS_H
#define ASYNC_CORE_TIMERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/future.h"

typedef struct async__timers {
  async__list_t fifo;    /* nondecreasing deadlines */
  async_future_t **heap; /* min-heap on u.at */
  uint32_t heap_len;
  uint32_t heap_cap;
  size_t count;
  size_t strong; /* timers that are not ASYNC__WEAK */
} async__timers_t;

void async__timers_init(async__timers_t *t);
void async__timers_free(async__timers_t *t);

/* Adds f (deadline in f->u.at). Returns 0 or ASYNC_ENOMEM. */
int async__timers_add(async__timers_t *t, async_future_t *f);

/* Removes f, which the timers hold. */
void async__timers_remove(async__timers_t *t, async_future_t *f);

/* The future with the earliest deadline, or NULL. */
async_future_t *async__timers_first(async__timers_t *t);

#endif /* ASYNC_CORE_TIMERS_H */
