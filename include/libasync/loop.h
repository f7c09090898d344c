/*
 * libasync — the event loop.
 *
 * A loop runs timers, I/O and tasks, and completes futures. One thread at
 * a time drives it, in one of three ways:
 *
 *  - runtime:  async_loop_start_thread() starts a library-owned thread that
 *              runs the loop until async_loop_close(). The usual choice for
 *              bindings.
 *  - embedded: the caller's thread calls async_loop_run() or
 *              async_loop_run_until().
 *  - guest:    a host loop polls async_loop_backend_fd() for readability,
 *              sleeps at most async_loop_next_timeout(), and calls
 *              async_loop_run(loop, ASYNC_RUN_NOWAIT). No other thread.
 *
 * Every function here may be called from any thread. A call made off the
 * loop's thread is passed to it through a lock-free queue and one wake-up;
 * a call made on the loop's thread (or while no thread drives the loop)
 * acts at once. Callbacks always run on the loop's thread.
 */
#ifndef LIBASYNC_LOOP_H
#define LIBASYNC_LOOP_H

#include "common.h"

/* How async_loop_run() drives the loop. */
typedef enum async_run_mode {
  /* Run until no work is left (no timer, task, I/O or job) or until
   * async_loop_stop(). */
  ASYNC_RUN_DEFAULT = 0,
  /* Wait for at least one event, handle what is ready, return. */
  ASYNC_RUN_ONCE = 1,
  /* Handle what is ready without waiting, return. */
  ASYNC_RUN_NOWAIT = 2
} async_run_mode_t;

/* Loop options, for async_loop_set_int() and async_loop_get_int(). */
typedef enum async_loop_opt {
  /* Threads in the pool behind async_loop_run_in_thread(): 1 to 256,
   * default 4. Takes effect when the pool starts (its first job). */
  ASYNC_LOOP_WORKERS = 1
} async_loop_opt_t;

ASYNC_BEGIN_DECLS

/*
 * Creates a loop. Nothing drives it until it is run, started in a thread,
 * or polled as a guest.
 * out: receives one reference; untouched on failure.
 * Returns 0, ASYNC_EINVAL (out is NULL) or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_loop_new(async_loop_t **out);

/* Adds a reference. Returns loop. Any thread. */
ASYNC_EXTERN async_loop_t *async_loop_retain(async_loop_t *loop);

/*
 * Drops a reference; the last one closes the loop (as async_loop_close)
 * and frees it. Futures hold references to their loop, so it lives as
 * long as any of them. NULL is a no-op. Any thread, callbacks included.
 */
ASYNC_EXTERN void async_loop_release(async_loop_t *loop);

/*
 * Attaches a pointer of the caller's to the loop; the library never uses
 * it. Returns 0 or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_loop_set_userdata(async_loop_t *loop, void *userdata);

/* The pointer set by async_loop_set_userdata(), or NULL. Any thread. */
ASYNC_EXTERN void *async_loop_userdata(async_loop_t *loop);

/*
 * Drives the loop on the calling thread (embedded and guest modes).
 * mode: an async_run_mode_t.
 * Returns 1 if work is left, 0 if none is left, ASYNC_EINVAL (NULL loop,
 * unknown mode), ASYNC_EBUSY (another thread drives the loop, or called
 * from a callback) or ASYNC_ECLOSED.
 */
ASYNC_EXTERN int async_loop_run(async_loop_t *loop, int mode);

/*
 * Drives the loop on the calling thread until `future` completes, like
 * asyncio's run_until_complete. Returns at once if it has completed.
 * Returns 0 (the future has completed: read its state), ASYNC_EINVAL,
 * ASYNC_EBUSY (as async_loop_run) or ASYNC_ECLOSED (the loop was closed
 * before the future completed).
 */
ASYNC_EXTERN int async_loop_run_until(async_loop_t *loop,
                                      async_future_t *future);

/*
 * Makes async_loop_run(ASYNC_RUN_DEFAULT) return after the current
 * iteration. Has no effect on a runtime thread (close it instead).
 * Returns 0, ASYNC_EINVAL or ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_loop_stop(async_loop_t *loop);

/*
 * Starts a library-owned thread that runs the loop until async_loop_close
 * (runtime mode). The thread holds a reference to the loop.
 * Returns 0, ASYNC_EINVAL, ASYNC_EBUSY (a thread already drives the loop),
 * ASYNC_ECLOSED or ASYNC_ENOMEM (the thread could not be created).
 * Any thread.
 */
ASYNC_EXTERN int async_loop_start_thread(async_loop_t *loop);

/*
 * Closes the loop: cancels every pending operation, completes each pending
 * future with ASYNC_ECANCELLED, runs their callbacks, stops the worker
 * pool and the runtime thread (joining it), and frees the loop's
 * resources. Afterwards every call on the loop returns ASYNC_ECLOSED;
 * the handle itself stays valid until its last reference is released, and
 * so does the completion fd, so tokens can still be drained.
 *
 * Called from a callback, the close happens as soon as that callback
 * returns. Called from another thread while a thread drives the loop, it
 * waits until the loop has closed. Closing twice is harmless.
 * Returns 0 or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_loop_close(async_loop_t *loop);

/*
 * Whether the loop has been closed. Returns 1, 0, or ASYNC_EINVAL.
 * Any thread.
 */
ASYNC_EXTERN int async_loop_is_closed(async_loop_t *loop);

/*
 * Sets an integer option (see async_loop_opt_t).
 * Returns 0, ASYNC_EINVAL (unknown option, value out of range),
 * ASYNC_EBUSY (the option can no longer change) or ASYNC_ECLOSED.
 * Any thread.
 */
ASYNC_EXTERN int async_loop_set_int(async_loop_t *loop, int opt,
                                    int64_t value);

/*
 * Reads an integer option into *out.
 * Returns 0 or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_loop_get_int(async_loop_t *loop, int opt,
                                    int64_t *out);

/*
 * The loop's clock: seconds on a monotonic clock (CLOCK_MONOTONIC), the
 * clock that timers use. Returns a negative value only for a NULL loop.
 * Any thread.
 */
ASYNC_EXTERN double async_loop_now(async_loop_t *loop);

/*
 * Guest mode: a file descriptor that is readable whenever the loop has
 * I/O to handle, including calls and completions sent from other threads.
 * Poll it for reading; never read it or close it.
 * Returns the descriptor (>= 0), ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_EIO
 * (the platform has no such descriptor: ASYNC_FEATURE_GUEST is then not
 * reported). Any thread.
 */
ASYNC_EXTERN int async_loop_backend_fd(async_loop_t *loop);

/*
 * Guest mode: how long the host may wait before it must call
 * async_loop_run(loop, ASYNC_RUN_NOWAIT) again, even if the backend fd
 * stays quiet. *seconds receives 0 when work is ready now, the time until
 * the next timer, or -1 when only I/O can wake the loop.
 * Call it from the host thread, after each run.
 * Returns 0, ASYNC_EINVAL, ASYNC_EBUSY (another thread drives the loop) or
 * ASYNC_ECLOSED.
 */
ASYNC_EXTERN int async_loop_next_timeout(async_loop_t *loop, double *seconds);

/*
 * The completion queue's file descriptor: readable exactly while tokens
 * from async_future_notify() wait to be drained. Poll it; never read it
 * or close it. It stays valid until the loop is freed.
 * Returns the descriptor (>= 0) or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_loop_completion_fd(async_loop_t *loop);

/*
 * Pops up to `max` tokens from the completion queue into tokens[], in the
 * order their futures completed. Each token is returned once.
 * Returns the number popped (0 when none wait) or ASYNC_EINVAL (NULL loop,
 * NULL tokens with max > 0). Any thread; works after close.
 */
ASYNC_EXTERN int async_loop_drain(async_loop_t *loop, int64_t *tokens,
                                  size_t max);

/*
 * Runs fn(arg) on the loop's thread in a later iteration, in the order of
 * the calls (asyncio's call_soon).
 * out: receives a future (one reference) that completes with fn's result,
 *      or NULL for none (fire and forget: no future is made).
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM; on error fn is
 * never called. Any thread.
 */
ASYNC_EXTERN int async_loop_call_soon(async_loop_t *loop, async_task_fn fn,
                                      void *arg, async_future_t **out);

/*
 * Runs fn(arg) on the loop's thread after `seconds` (>= 0, finite).
 * Cancelling the future before then means fn never runs.
 * out: as async_loop_call_soon.
 * Returns 0, ASYNC_EINVAL (also for negative or NaN seconds),
 * ASYNC_ECLOSED or ASYNC_ENOMEM; on error fn is never called. Any thread.
 */
ASYNC_EXTERN int async_loop_call_later(async_loop_t *loop, double seconds,
                                       async_task_fn fn, void *arg,
                                       async_future_t **out);

/*
 * Runs the blocking function fn(arg) on one of the loop's worker threads
 * (asyncio's run_in_executor); the future completes on the loop's thread
 * with fn's result. Cancelling it before fn starts means fn never runs;
 * cancelling it while fn runs completes the future at once and discards
 * fn's result when it comes.
 * out: as async_loop_call_soon.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_loop_run_in_thread(async_loop_t *loop, async_task_fn fn,
                                          void *arg, async_future_t **out);

ASYNC_END_DECLS

#endif /* LIBASYNC_LOOP_H */
