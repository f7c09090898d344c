/* What the combinators (gather, wait, wait_for, groups) share. */
#ifndef ASYNC_CORE_COMBINE_H
#define ASYNC_CORE_COMBINE_H

#include "core/future.h"

/*
 * Checks the futures a combinator is given: none NULL, all of `loop`.
 * Returns 0 or ASYNC_EINVAL. Any thread.
 */
int async__check_futures(async_loop_t *loop, async_future_t **futures,
                         size_t n);

/* Copies and retains n futures into dst. Any thread. */
void async__retain_futures(async_future_t **dst, async_future_t **src,
                           size_t n);
void async__release_futures(async_future_t **futures, size_t n);

/* Loop thread: adds cb(child, owner) to each child, each holding a
 * reference to owner. Returns 0 or ASYNC_ENOMEM. */
int async__watch_futures(async_future_t *owner, async_future_t **children,
                         size_t n, async_future_cb cb);

/* Whether a timeout means "wait forever". */
int async__timeout_forever(double seconds);

#endif /* ASYNC_CORE_COMBINE_H */
