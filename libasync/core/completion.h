/*
 * The completion queue: tokens of completed futures, for hosts that take
 * completions on their own thread. An eventfd is readable exactly while
 * the queue holds tokens.
 */
#ifndef ASYNC_CORE_COMPLETION_H
#define ASYNC_CORE_COMPLETION_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct async__completion {
  pthread_mutex_t mutex;
  int fd;
  int64_t *tokens; /* a ring */
  size_t head;
  size_t count;
  size_t cap;
} async__completion_t;

int async__completion_init(async__completion_t *c);
void async__completion_free(async__completion_t *c);

/* Returns 0 or ASYNC_ENOMEM. Any thread. */
int async__completion_push(async__completion_t *c, int64_t token);

/* Pops up to max tokens. Returns how many. Any thread. */
size_t async__completion_drain(async__completion_t *c, int64_t *tokens,
                               size_t max);

#endif /* ASYNC_CORE_COMPLETION_H */
