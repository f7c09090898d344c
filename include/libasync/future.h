/*
 * libasync — futures, promises and combinators.
 *
 * A future is the one result type of every asynchronous operation. It
 * starts ASYNC_PENDING and completes exactly once: ASYNC_DONE with a value,
 * ASYNC_FAILED with an error code and a message, or ASYNC_CANCELLED. After
 * that it never changes; cancelling or resolving it again does nothing.
 *
 * Futures are reference counted (atomically; any thread). An operation
 * that makes one hands the caller one reference through its `out`
 * parameter; the operation keeps its own until it completes, so releasing
 * a pending future does not cancel it.
 *
 * Callbacks added with async_future_on_done() run on the loop's thread,
 * always in a later step than the call that added them — never inside it.
 * Hosts that run their own loop (Python, Node, Go) instead ask for a token
 * on the loop's completion queue (async_future_notify) and drain it on
 * their own thread.
 */
#ifndef LIBASYNC_FUTURE_H
#define LIBASYNC_FUTURE_H

#include "common.h"

/* The states of a future. */
typedef enum async_future_state {
  ASYNC_PENDING = 0,
  ASYNC_DONE = 1,
  ASYNC_FAILED = 2,
  ASYNC_CANCELLED = 3
} async_future_state_t;

/* What async_wait() waits for. */
typedef enum async_wait_mode {
  ASYNC_ALL_COMPLETED = 0, /* every future has completed */
  ASYNC_FIRST_COMPLETED = 1, /* any future has completed */
  ASYNC_FIRST_FAILED = 2 /* any has failed or been cancelled, or all done */
} async_wait_mode_t;

/* Flags of async_gather(). */
typedef enum async_gather_flag {
  /* Wait for every future and complete ASYNC_DONE even when some failed
   * (asyncio's return_exceptions=True); the caller reads each one. */
  ASYNC_GATHER_RETURN_ERRORS = 1
} async_gather_flag_t;

/*
 * A completion callback. `future` is borrowed: retain it to keep it past
 * the callback. Runs on the loop's thread.
 */
typedef void (*async_future_cb)(async_future_t *future, void *userdata);

/* Frees a future's value when the future is freed. */
typedef void (*async_free_fn)(void *value);

ASYNC_BEGIN_DECLS

/* ---- promises ------------------------------------------------------- */

/*
 * Creates a pending future that the caller completes with
 * async_future_resolve() or async_future_reject() (a promise). Closing the
 * loop cancels it if it is still pending.
 * out: receives one reference; untouched on failure.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_future_new(async_future_t **out, async_loop_t *loop);

/*
 * Completes a pending future as ASYNC_DONE with `value`. If free_value is
 * not NULL, it is called on value when the future is freed — or at once if
 * the future had already completed. Completion takes effect on the loop's
 * thread; from another thread it is queued.
 * Returns 0 (also when the future had already completed: nothing changes),
 * ASYNC_EINVAL or ASYNC_ECLOSED (free_value is then not called).
 * Any thread.
 */
ASYNC_EXTERN int async_future_resolve(async_future_t *future, void *value,
                                      async_free_fn free_value);

/*
 * Completes a pending future as ASYNC_FAILED with `err` (a negative
 * async_err_t other than ASYNC_ECANCELLED) and a message, copied; NULL
 * means async_strerror(err).
 * Returns 0 (also when already completed), ASYNC_EINVAL or ASYNC_ECLOSED.
 * Any thread.
 */
ASYNC_EXTERN int async_future_reject(async_future_t *future, int err,
                                     const char *message);

/* ---- reading a future ------------------------------------------------ */

/* Adds a reference. Returns future. Any thread. */
ASYNC_EXTERN async_future_t *async_future_retain(async_future_t *future);

/* Drops a reference; the last one frees the future. NULL is a no-op.
 * Any thread, callbacks included. */
ASYNC_EXTERN void async_future_release(async_future_t *future);

/*
 * The future's state: an async_future_state_t, or ASYNC_EINVAL for NULL.
 * Once it is not ASYNC_PENDING, the value, error and message are set and
 * readable from any thread. Any thread.
 */
ASYNC_EXTERN int async_future_state(async_future_t *future);

/*
 * The future's error: 0 while pending or when done, its code when failed,
 * ASYNC_ECANCELLED when cancelled, ASYNC_EINVAL for NULL. Any thread.
 */
ASYNC_EXTERN int async_future_error(async_future_t *future);

/*
 * What happened, in words, when the future failed or was cancelled
 * ("timed out after 0.5 s"); NULL while pending or when done.
 * Borrowed: valid while the future lives. Any thread.
 */
ASYNC_EXTERN const char *async_future_message(async_future_t *future);

/*
 * The value of a future that is ASYNC_DONE, else NULL. Borrowed: valid
 * while the future lives (what it points to is described by the operation
 * that made the future). Any thread.
 */
ASYNC_EXTERN void *async_future_value(async_future_t *future);

/* The loop the future belongs to (borrowed), or NULL. Any thread. */
ASYNC_EXTERN async_loop_t *async_future_loop(async_future_t *future);

/* Attaches a pointer of the caller's; never used by the library.
 * Returns 0 or ASYNC_EINVAL. Any thread. */
ASYNC_EXTERN int async_future_set_userdata(async_future_t *future,
                                           void *userdata);

/* The pointer set by async_future_set_userdata(), or NULL. Any thread. */
ASYNC_EXTERN void *async_future_userdata(async_future_t *future);

/* ---- waiting for a future ------------------------------------------- */

/*
 * Calls cb(future, userdata) on the loop's thread once the future has
 * completed — in a later step, never from inside this call, even when it
 * has already completed. Callbacks run in the order they were added.
 * Returns 0, ASYNC_EINVAL or ASYNC_ECLOSED; on error cb is never called.
 * Any thread.
 */
ASYNC_EXTERN int async_future_on_done(async_future_t *future,
                                      async_future_cb cb, void *userdata);

/*
 * Pushes `token` to the loop's completion queue once the future has
 * completed (see async_loop_completion_fd and async_loop_drain). Each call
 * pushes its token once.
 * Returns 0, ASYNC_EINVAL or ASYNC_ECLOSED; on error nothing is pushed.
 * Any thread.
 */
ASYNC_EXTERN int async_future_notify(async_future_t *future, int64_t token);

/*
 * Blocks the calling thread until the future completes or `timeout_s`
 * seconds pass (ASYNC_FOREVER: no limit). Another thread must drive the
 * loop meanwhile (runtime mode, or an embedded loop run elsewhere).
 * Returns 0 (completed: read its state), ASYNC_ETIMEDOUT, ASYNC_EINVAL
 * (NULL, negative or NaN timeout) or ASYNC_EBUSY (called on the loop's
 * thread, where it would deadlock).
 */
ASYNC_EXTERN int async_future_wait(async_future_t *future, double timeout_s);

/*
 * Cancels the future: stops its operation, frees what it held, and
 * completes it with ASYNC_ECANCELLED. Nothing happens if it has already
 * completed. From another thread the cancel is queued to the loop.
 * Returns 0, ASYNC_EINVAL or ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_future_cancel(async_future_t *future);

/* ---- combinators ---------------------------------------------------- */

/*
 * A future that completes ASYNC_DONE (value NULL) after `seconds` (>= 0,
 * finite): asyncio.sleep. Cancelling it stops the timer.
 * out: receives one reference. Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or
 * ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_sleep(async_loop_t *loop, double seconds,
                             async_future_t **out);

/*
 * Gathers n futures of the same loop into one (asyncio.gather). It
 * completes ASYNC_DONE once all of them are done; its value is an array of
 * the n futures, in the order given (async_future_t **, borrowed, valid
 * while the gathering future lives). By default the first future to fail
 * or be cancelled fails it at once with that future's error and message
 * (the others keep running); with ASYNC_GATHER_RETURN_ERRORS it waits for
 * all and completes ASYNC_DONE whatever their outcome. Cancelling it
 * cancels all n. n == 0 completes at once.
 * futures: borrowed; each is retained by the gathering future.
 * flags: 0 or ASYNC_GATHER_RETURN_ERRORS.
 * Returns 0, ASYNC_EINVAL (NULL, unknown flags, a future of another loop),
 * ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_gather(async_loop_t *loop, async_future_t **futures,
                              size_t n, uint32_t flags, async_future_t **out);

/*
 * Waits for n futures of the same loop (asyncio.wait): the returned future
 * completes ASYNC_DONE (value NULL) when `mode` is satisfied or after
 * `timeout_s` (ASYNC_FOREVER: no limit), whichever comes first. It does
 * not cancel the futures; the caller reads their states.
 * mode: an async_wait_mode_t. futures: borrowed; each is retained.
 * Returns 0, ASYNC_EINVAL (also for n == 0, unknown mode, negative or NaN
 * timeout), ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_wait(async_loop_t *loop, async_future_t **futures,
                            size_t n, int mode, double timeout_s,
                            async_future_t **out);

/*
 * Bounds a future by a deadline (asyncio.wait_for): the returned future
 * completes as `future` does (same state, error, message and value), or,
 * if `timeout_s` passes first, cancels `future` and fails with
 * ASYNC_ETIMEDOUT. Cancelling the returned future cancels `future`.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_wait_for(async_future_t *future, double timeout_s,
                                async_future_t **out);

/*
 * Creates a task group (asyncio.TaskGroup), itself a future. Futures are
 * added with async_group_add(); async_group_seal() says no more will come.
 * The group completes ASYNC_DONE (value NULL) once it is sealed and every
 * member has completed. When a member fails, the group cancels every
 * other member and fails with that member's error and message; a member
 * that is cancelled does not fail the group. Cancelling the group cancels
 * its members.
 * out: receives one reference.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_group_new(async_future_t **out, async_loop_t *loop);

/*
 * Adds a member (retained) to a group. A member added after the group
 * failed or was cancelled is cancelled at once.
 * Returns 0, ASYNC_EINVAL (not a group, NULL, a future of another loop),
 * ASYNC_EBUSY (the group is sealed) or ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_group_add(async_future_t *group, async_future_t *member);

/*
 * Seals a group: no member may be added, and it completes when its
 * members have. Sealing twice is harmless.
 * Returns 0, ASYNC_EINVAL (not a group) or ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_group_seal(async_future_t *group);

ASYNC_END_DECLS

#endif /* LIBASYNC_FUTURE_H */
