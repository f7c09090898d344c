#include "core/timers.h"

#include <libasync/error.h>

#include "core/alloc.h"

void async__timers_init(async__timers_t *t) {
  async__list_init(&t->fifo);
  t->heap = NULL;
  t->heap_len = 0;
  t->heap_cap = 0;
  t->count = 0;
  t->strong = 0;
}

void async__timers_free(async__timers_t *t) {
  async__free(t->heap);
  t->heap = NULL;
  t->heap_cap = 0;
}

static void heap_set(async__timers_t *t, uint32_t i, async_future_t *f) {
  t->heap[i] = f;
  f->heap_index = i + 1;
}

static void heap_up(async__timers_t *t, uint32_t i) {
  async_future_t *f = t->heap[i];

  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (t->heap[parent]->u.at <= f->u.at)
      break;
    heap_set(t, i, t->heap[parent]);
    i = parent;
  }
  heap_set(t, i, f);
}

static void heap_down(async__timers_t *t, uint32_t i) {
  async_future_t *f = t->heap[i];

  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= t->heap_len)
      break;
    if (child + 1 < t->heap_len &&
        t->heap[child + 1]->u.at < t->heap[child]->u.at)
      child++;
    if (f->u.at <= t->heap[child]->u.at)
      break;
    heap_set(t, i, t->heap[child]);
    i = child;
  }
  heap_set(t, i, f);
}

static int heap_add(async__timers_t *t, async_future_t *f) {
  if (t->heap_len == t->heap_cap) {
    uint32_t cap = t->heap_cap ? t->heap_cap * 2 : 64;
    async_future_t **heap = async__realloc(t->heap, cap * sizeof(*heap));
    if (heap == NULL)
      return ASYNC_ENOMEM;
    t->heap = heap;
    t->heap_cap = cap;
  }
  heap_set(t, t->heap_len++, f);
  heap_up(t, t->heap_len - 1);
  return 0;
}

static void heap_remove(async__timers_t *t, async_future_t *f) {
  uint32_t i = f->heap_index - 1;
  async_future_t *last = t->heap[--t->heap_len];

  f->heap_index = 0;
  if (last == f)
    return;
  heap_set(t, i, last);
  if (i > 0 && t->heap[(i - 1) / 2]->u.at > last->u.at)
    heap_up(t, i);
  else
    heap_down(t, i);
}

int async__timers_add(async__timers_t *t, async_future_t *f) {
  async__list_t *tail = t->fifo.prev;

  f->heap_index = 0;
  if (async__list_empty(&t->fifo) ||
      async__container_of(tail, async_future_t, link)->u.at <= f->u.at) {
    async__list_push(&t->fifo, &f->link);
  } else {
    int rv = heap_add(t, f);
    if (rv < 0)
      return rv;
  }
  t->count++;
  if (!(atomic_load_explicit(&f->flags, memory_order_relaxed) & ASYNC__WEAK))
    t->strong++;
  return 0;
}

void async__timers_remove(async__timers_t *t, async_future_t *f) {
  if (f->heap_index != 0)
    heap_remove(t, f);
  else
    async__list_remove(&f->link);
  t->count--;
  if (!(atomic_load_explicit(&f->flags, memory_order_relaxed) & ASYNC__WEAK))
    t->strong--;
}

async_future_t *async__timers_first(async__timers_t *t) {
  async_future_t *first = NULL;

  if (!async__list_empty(&t->fifo))
    first = async__container_of(t->fifo.next, async_future_t, link);
  if (t->heap_len > 0 && (first == NULL || t->heap[0]->u.at < first->u.at))
    first = t->heap[0];
  return first;
}
