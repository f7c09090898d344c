#include "core/completion.h"

#include <libasync/error.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/alloc.h"

int async__completion_init(async__completion_t *c) {
  c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (c->fd < 0)
    return ASYNC_ENOMEM;
  pthread_mutex_init(&c->mutex, NULL);
  c->tokens = NULL;
  c->head = 0;
  c->count = 0;
  c->cap = 0;
  return 0;
}

void async__completion_free(async__completion_t *c) {
  close(c->fd);
  pthread_mutex_destroy(&c->mutex);
  async__free(c->tokens);
}

static int grow(async__completion_t *c) {
  size_t cap = c->cap ? c->cap * 2 : 64;
  int64_t *tokens = async__malloc(cap * sizeof(*tokens));
  size_t i;

  if (tokens == NULL)
    return ASYNC_ENOMEM;
  for (i = 0; i < c->count; i++)
    tokens[i] = c->tokens[(c->head + i) % c->cap];
  async__free(c->tokens);
  c->tokens = tokens;
  c->head = 0;
  c->cap = cap;
  return 0;
}

/* The eventfd's counter is non-zero exactly while tokens wait: raised by
 * the push that fills an empty queue, cleared by the drain that empties
 * it, both under the mutex. */
int async__completion_push(async__completion_t *c, int64_t token) {
  uint64_t one = 1;
  int rv = 0;

  pthread_mutex_lock(&c->mutex);
  if (c->count == c->cap)
    rv = grow(c);
  if (rv == 0) {
    c->tokens[(c->head + c->count) % c->cap] = token;
    if (c->count++ == 0) {
      while (write(c->fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    }
  }
  pthread_mutex_unlock(&c->mutex);
  return rv;
}

size_t async__completion_drain(async__completion_t *c, int64_t *tokens,
                               size_t max) {
  uint64_t value;
  size_t n = 0;

  pthread_mutex_lock(&c->mutex);
  while (n < max && c->count > 0) {
    tokens[n++] = c->tokens[c->head];
    c->head = (c->head + 1) % c->cap;
    c->count--;
  }
  if (n > 0 && c->count == 0) {
    while (read(c->fd, &value, sizeof(value)) < 0 && errno == EINTR)
      ;
  }
  pthread_mutex_unlock(&c->mutex);
  return n;
}
