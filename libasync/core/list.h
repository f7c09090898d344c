/*
 * Intrusive circular doubly linked lists: O(1) insertion and removal
 * without knowing which list a node is on.
 */
#ifndef ASYNC_CORE_LIST_H
#define ASYNC_CORE_LIST_H

#include <stddef.h>

typedef struct async__list {
  struct async__list *prev;
  struct async__list *next;
} async__list_t;

#define async__container_of(ptr, type, member)                                 \
  ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void async__list_init(async__list_t *head) {
  head->prev = head;
  head->next = head;
}

static inline int async__list_empty(const async__list_t *head) {
  return head->next == head;
}

/* Appends node at the tail of the list headed by head. */
static inline void async__list_push(async__list_t *head, async__list_t *node) {
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

/* Unlinks node from whatever list holds it; the node points to itself. */
static inline void async__list_remove(async__list_t *node) {
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->prev = node;
  node->next = node;
}

/* Moves every node of src to the tail of dst; src is left empty. */
static inline void async__list_splice(async__list_t *dst, async__list_t *src) {
  if (async__list_empty(src))
    return;
  src->next->prev = dst->prev;
  dst->prev->next = src->next;
  src->prev->next = dst;
  dst->prev = src->prev;
  async__list_init(src);
}

#endif /* ASYNC_CORE_LIST_H */
