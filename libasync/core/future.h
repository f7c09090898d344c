/*
 * Futures inside the library. Every operation's future is a struct that
 * begins with async_future_t; its kind says which, and how to start and
 * cancel it. All state changes happen on the loop's thread; other threads
 * only read the state (atomically) and the fields it publishes.
 */
#ifndef ASYNC_CORE_FUTURE_H
#define ASYNC_CORE_FUTURE_H

#include <libasync/future.h>
#include <libasync/loop.h>

#include <stdatomic.h>
#include <stdint.h>

#include "core/list.h"

/* What a future is the result of. Indexes async__future_kinds. */
enum async__kind {
  ASYNC__KIND_PROMISE,
  ASYNC__KIND_SLEEP,
  ASYNC__KIND_CALL,
  ASYNC__KIND_WORK,
  ASYNC__KIND_GATHER,
  ASYNC__KIND_WAIT,
  ASYNC__KIND_WAIT_FOR,
  ASYNC__KIND_GROUP,
  ASYNC__KIND_TIMER, /* an internal timer: never completes, re-armed */
  ASYNC__KIND_OP,    /* a module's operation: see async__op_t */
  ASYNC__KIND_COUNT
};

/* Which structure of the loop holds a pending future (and a reference). */
enum async__where {
  ASYNC__IN_NOTHING,
  ASYNC__IN_PENDING, /* loop->pending: waits for something else */
  ASYNC__IN_READY,   /* loop->ready: a task to run or callbacks to call */
  ASYNC__IN_TIMERS,  /* loop->timers */
  ASYNC__IN_POOL,    /* the worker pool's queue (under its mutex) */
  ASYNC__IN_WORKER   /* a worker thread runs its job */
};

/* Bits of async_future_t.flags. */
enum {
  ASYNC__HAS_WAITERS = 1,
  /* Nobody outside the loop holds the future (a fire-and-forget task):
   * it is freed on the loop's thread before the loop, and holds no
   * reference to it, which spares an atomic on a shared line per task. */
  ASYNC__LOOP_ONLY = 2,
  /* A timer that does not keep async_loop_run(DEFAULT) going (an idle
   * connection's): only strong timers count as work. */
  ASYNC__WEAK = 4
};

struct async_future {
  async__list_t link; /* on the list `where` names */
  union {
    void *value; /* when done */
    double at;   /* while pending on a timer: its deadline */
  } u;
  union {
    async_free_fn free_value; /* when done */
    char *message;            /* when failed or cancelled */
  } x;
  async_loop_t *loop; /* a reference */
  async_future_cb cb; /* the first callback, or NULL */
  void *cb_userdata;
  struct async__callback *more; /* the callbacks after the first */
  void *_Atomic userdata;
  atomic_uint refs;
  int32_t err;
  uint32_t heap_index; /* 1-based slot in the timer heap; 0 when not there */
  _Atomic uint8_t state;
  uint8_t kind;
  uint8_t where;
  _Atomic uint8_t flags;
};

/* A callback after a future's first, allocated by the call that adds it
 * so that the loop never has to. */
typedef struct async__callback {
  async_future_cb cb;
  void *userdata;
  struct async__callback *next;
} async__callback_t;

/* How each kind of future starts and stops (loop thread). */
typedef struct async__future_ops {
  /* Takes over the operation's reference and begins it. */
  void (*start)(async_future_t *f);
  /* Runs a pending future taken off the ready list (a task). */
  void (*run)(async_future_t *f);
  /* Stops a pending operation before the future completes as cancelled. */
  void (*cancel)(async_future_t *f);
  /* Frees what the kind holds, when the future is freed (any thread). */
  void (*destroy)(async_future_t *f);
} async__future_ops_t;

extern const async__future_ops_t async__promise_ops, async__sleep_ops,
    async__call_ops, async__work_ops, async__gather_ops, async__wait_ops,
    async__wait_for_ops, async__group_ops, async__timer_ops, async__op_ops;

/*
 * A future for an operation of a module above the core (DNS, connect,
 * HTTP). The module embeds this first in its own struct and says how to
 * cancel it and free it.
 */
typedef struct async__op async__op_t;

typedef struct async__op_class {
  /* Loop thread: stop the operation; the future then completes as
   * cancelled unless this completed it. */
  void (*cancel)(async__op_t *op);
  /* Any thread: free what the op holds (not the op itself). */
  void (*destroy)(async__op_t *op);
} async__op_class_t;

struct async__op {
  async_future_t base;
  const async__op_class_t *cls;
};

/* Allocates an op future of `size` bytes (two references, as
 * async__future_alloc); the module parks it (async__future_park) or keeps
 * it elsewhere once started. */
async__op_t *async__op_alloc(async_loop_t *loop, const async__op_class_t *cls,
                             size_t size);

/*
 * Allocates a pending future of `size` bytes (at least sizeof
 * async_future_t) holding two references: the caller's and the
 * operation's. Any thread.
 */
async_future_t *async__future_alloc(async_loop_t *loop, int kind, size_t size);

/* The same for a future only the loop holds: one reference, the
 * operation's (see ASYNC__LOOP_ONLY). */
async_future_t *async__future_alloc_loop_only(async_loop_t *loop, int kind,
                                              size_t size);

/*
 * Hands a new future's operation to the loop: starts it now on the loop's
 * thread, or queues it. On failure (closed loop) frees the future.
 */
int async__future_submit(async_future_t *f);

/* ---- loop thread only ---- */

/* Completion. Each is a no-op on a completed future (exactly once);
 * async__future_fail takes ownership of message (may be NULL). */
void async__future_done(async_future_t *f, void *value, async_free_fn free_value);
void async__future_fail(async_future_t *f, int err, char *message);
void async__future_cancel_now(async_future_t *f);
/* Completes f as cancelled with message (taken over, may be NULL): for an
 * op's cancel, which knows what was cancelled. */
void async__future_cancel_with(async_future_t *f, char *message);

/* Adds a callback, run later on the loop's thread. Returns 0 or
 * ASYNC_ENOMEM. */
int async__future_add_callback(async_future_t *f, async_future_cb cb,
                               void *userdata);

/* Adds a callback whose node the caller allocated (taken over). */
void async__future_attach(async_future_t *f, async__callback_t *node);

/* Completes f as `src` completed: state, error, message (copied) and
 * value (borrowed from src, which f must keep alive). */
void async__future_copy_result(async_future_t *f, async_future_t *src);

/* Links a pending future into loop->pending, taking its reference. */
void async__future_park(async_future_t *f);

/* Runs a future taken off the ready list: its task if pending, else its
 * callbacks. */
void async__future_run_ready(async_future_t *f);

/* Wakes the threads blocked in async_future_wait on f (waiter.c). */
void async__future_wake_waiters(async_future_t *f);

static inline int async__future_pending(async_future_t *f) {
  return atomic_load_explicit(&f->state, memory_order_acquire) == ASYNC_PENDING;
}

#endif /* ASYNC_CORE_FUTURE_H */
