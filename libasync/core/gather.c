/* async_gather: one future for many, results in order (asyncio.gather). */
#include <libasync/error.h>

#include "core/alloc.h"
#include "core/combine.h"
#include "core/future.h"
#include "core/loop.h"

typedef struct gather {
  async_future_t base;
  size_t n;
  size_t remaining;
  uint32_t flags;
  async_future_t *items[];
} gather_t;

static void child_done(async_future_t *child, void *userdata) {
  gather_t *g = userdata;
  int state = async_future_state(child);

  g->remaining--;
  if (!async__future_pending(&g->base)) {
    /* Already failed fast, or cancelled. */
  } else if (state != ASYNC_DONE &&
             !(g->flags & ASYNC_GATHER_RETURN_ERRORS)) {
    /* A cancelled child fails the gather but, as in asyncio, does not
     * cancel its siblings. */
    async__future_fail(&g->base, async_future_error(child),
                       async__strdup(async_future_message(child)));
  } else if (g->remaining == 0) {
    async__future_done(&g->base, g->items, NULL);
  }
  async_future_release(&g->base);
}

static void gather_start(async_future_t *f) {
  gather_t *g = (gather_t *)f;

  async__future_park(f);
  if (g->n == 0) {
    async__future_done(f, g->items, NULL);
    return;
  }
  if (async__watch_futures(f, g->items, g->n, child_done) < 0)
    async__future_fail(f, ASYNC_ENOMEM, NULL);
}

static void gather_cancel(async_future_t *f) {
  gather_t *g = (gather_t *)f;
  size_t i;

  for (i = 0; i < g->n; i++)
    async__future_cancel_now(g->items[i]);
}

static void gather_destroy(async_future_t *f) {
  gather_t *g = (gather_t *)f;

  async__release_futures(g->items, g->n);
}

const async__future_ops_t async__gather_ops = {
    .start = gather_start,
    .cancel = gather_cancel,
    .destroy = gather_destroy,
};

ASYNC_EXTERN int async_gather(async_loop_t *loop, async_future_t **futures,
                              size_t n, uint32_t flags, async_future_t **out) {
  gather_t *g;
  int rv;

  if (loop == NULL || out == NULL || (flags & ~ASYNC_GATHER_RETURN_ERRORS) ||
      async__check_futures(loop, futures, n) < 0 ||
      n > (SIZE_MAX - sizeof(*g)) / sizeof(g->items[0]))
    return ASYNC_EINVAL;
  g = (gather_t *)async__future_alloc(loop, ASYNC__KIND_GATHER,
                                      sizeof(*g) + n * sizeof(g->items[0]));
  if (g == NULL)
    return ASYNC_ENOMEM;
  g->n = n;
  g->remaining = n;
  g->flags = flags;
  async__retain_futures(g->items, futures, n);
  if ((rv = async__future_submit(&g->base)) < 0)
    return rv;
  *out = &g->base;
  return 0;
}
