#include "core/combine.h"

#include <libasync/error.h>

#include <math.h>

int async__check_futures(async_loop_t *loop, async_future_t **futures,
                         size_t n) {
  size_t i;

  if (n > 0 && futures == NULL)
    return ASYNC_EINVAL;
  for (i = 0; i < n; i++) {
    if (futures[i] == NULL || futures[i]->loop != loop)
      return ASYNC_EINVAL;
  }
  return 0;
}

void async__retain_futures(async_future_t **dst, async_future_t **src,
                           size_t n) {
  size_t i;

  for (i = 0; i < n; i++)
    dst[i] = async_future_retain(src[i]);
}

void async__release_futures(async_future_t **futures, size_t n) {
  size_t i;

  for (i = 0; i < n; i++)
    async_future_release(futures[i]);
}

int async__watch_futures(async_future_t *owner, async_future_t **children,
                         size_t n, async_future_cb cb) {
  size_t i;

  for (i = 0; i < n; i++) {
    async_future_retain(owner);
    if (async__future_add_callback(children[i], cb, owner) < 0) {
      async_future_release(owner);
      return ASYNC_ENOMEM;
    }
  }
  return 0;
}

int async__timeout_forever(double seconds) {
  return seconds >= ASYNC_FOREVER || isinf(seconds);
}
