/*
 * A lock-free multi-producer, single-consumer queue of intrusive nodes
 * (Dmitry Vyukov's design): a push is one atomic exchange, so any number
 * of threads can hand work to the loop without a lock.
 */
#ifndef ASYNC_CORE_MPSC_H
#define ASYNC_CORE_MPSC_H

#include <stdatomic.h>

typedef struct async__mpsc_node {
  _Atomic(struct async__mpsc_node *) next;
} async__mpsc_node_t;

/* Producers and the consumer write different cache lines. */
typedef struct async__mpsc {
  _Alignas(64) _Atomic(async__mpsc_node_t *) tail; /* producers */
  _Alignas(64) async__mpsc_node_t *head;           /* the consumer only */
  async__mpsc_node_t sentinel;
} async__mpsc_t;

void async__mpsc_init(async__mpsc_t *q);

/* Any thread. */
void async__mpsc_push(async__mpsc_t *q, async__mpsc_node_t *node);

/*
 * The consumer only. Returns the oldest node, or NULL when the queue is
 * empty or a producer is half-way through a push (it wakes the consumer
 * once its push is complete).
 */
async__mpsc_node_t *async__mpsc_pop(async__mpsc_t *q);

#endif /* ASYNC_CORE_MPSC_H */
