#include "core/mpsc.h"

#include <stddef.h>

void async__mpsc_init(async__mpsc_t *q) {
  atomic_init(&q->sentinel.next, NULL);
  atomic_init(&q->tail, &q->sentinel);
  q->head = &q->sentinel;
}

void async__mpsc_push(async__mpsc_t *q, async__mpsc_node_t *node) {
  async__mpsc_node_t *prev;

  atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
  prev = atomic_exchange_explicit(&q->tail, node, memory_order_acq_rel);
  atomic_store_explicit(&prev->next, node, memory_order_release);
}

async__mpsc_node_t *async__mpsc_pop(async__mpsc_t *q) {
  async__mpsc_node_t *head = q->head;
  async__mpsc_node_t *next;

  next = atomic_load_explicit(&head->next, memory_order_acquire);
  if (head == &q->sentinel) {
    if (next == NULL)
      return NULL;
    q->head = next;
    head = next;
    next = atomic_load_explicit(&head->next, memory_order_acquire);
  }
  if (next != NULL) {
    q->head = next;
    return head;
  }
  /* head is the last node: put the sentinel behind it so it can be taken. */
  if (atomic_load_explicit(&q->tail, memory_order_acquire) != head)
    return NULL;
  async__mpsc_push(q, &q->sentinel);
  next = atomic_load_explicit(&head->next, memory_order_acquire);
  if (next == NULL)
    return NULL;
  q->head = next;
  return head;
}
