/*
 * The loop inside the library: libev for I/O and wake-ups, our own timers
 * and ready list, a lock-free queue for calls from other threads, and the
 * rule that one thread at a time owns the loop.
 */
#ifndef ASYNC_CORE_LOOP_H
#define ASYNC_CORE_LOOP_H

#include <libasync/future.h>
#include <libasync/loop.h>

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/clock.h"
#include "core/completion.h"
#include "core/list.h"
#include "core/mpsc.h"
#include "core/pool.h"
#include "core/timers.h"

struct async_loop {
  atomic_uint refs;
  struct ev_loop *ev;
  int wake_fd;       /* an eventfd: calls queued by other threads */
  ev_io wakeup;      /* watches wake_fd */
  atomic_int backend_fd; /* libev's epoll fd once found, else -1 */
  ev_prepare prepare; /* runs the ready list before polling */
  ev_check check;     /* and after */
  ev_idle idle;       /* active while the ready list is not empty */
  ev_timer timer;     /* armed for the earliest of `timers` */
  double timer_at;    /* the deadline `timer` is armed for, or -1 */
  int timers_ref;     /* a libev reference held for strong timers */

  double now;    /* see async__loop_now */
  int now_valid;

  async__list_t ready;   /* futures to run: tasks, callbacks to call */
  async__list_t pending; /* futures that wait for something else */
  async__list_t before_wait; /* async__before_wait_t hooks to run */
  async__timers_t timers;

  /* Written by other threads on every call: kept on their own lines. */
  _Alignas(64) atomic_int submitters; /* between their check and push */
  _Alignas(64) atomic_int wake_pending; /* a wake-up is on its way */
  async__mpsc_t queue;                  /* calls from other threads */
  _Alignas(64) _Atomic(void *) owner; /* who drives or borrows the loop */
  atomic_int driven;        /* a thread runs the loop (it drains the queue) */
  atomic_int closing;       /* close has begun: no new calls */
  atomic_int closed;        /* close has finished */
  async_future_t *until;    /* what async_loop_run_until waits for */
  int teardown_requested;   /* close was called from a callback */
  int tearing_down;

  atomic_int runtime; /* a runtime thread was started */
  atomic_int joined;
  pthread_t thread;
  pthread_mutex_t close_mutex;
  pthread_cond_t close_cond;

  async__list_t closers; /* modules' objects to close with the loop */
  _Atomic(void *) resolver; /* the default resolver of async_resolve */
  async__pool_t pool;
  async__completion_t completion;
  void *_Atomic userdata;
};

/*
 * The loop thread's clock, read at most once per wake-up, per callback
 * called and per borrowing of the loop (as libuv's uv_now): internal
 * timeouts and response timings use it, which saves a clock read at each
 * timer started and each time noted. Loop thread only.
 */
static inline double async__loop_now(async_loop_t *loop) {
  if (!loop->now_valid) {
    loop->now = async__clock_now();
    loop->now_valid = 1;
  }
  return loop->now;
}

/* The work a call does on the loop's thread. */
typedef struct async__call async__call_t;
typedef void (*async__call_fn)(async_loop_t *loop, async__call_t *call);

struct async__call {
  async__mpsc_node_t node;
  async__call_fn fn;
  async_future_t *future; /* retained while queued */
  void *p1;
  void *p2;
  int64_t i1;
  async_free_fn free_value;
};

/*
 * Runs fn on the loop's thread: at once when the caller owns the loop or
 * can borrow it (nobody drives it), otherwise through the queue.
 * `call` is copied when queued. Returns 0, ASYNC_ECLOSED (fn will never
 * run) or ASYNC_ENOMEM.
 */
int async__loop_exec(async_loop_t *loop, async__call_fn fn,
                     const async__call_t *call);

/* As async__loop_exec, but also while the loop closes (internal
 * completions that close waits for, such as worker results). */
void async__loop_post(async_loop_t *loop, async__call_fn fn,
                      const async__call_t *call);

/* Whether the calling thread owns the loop now. */
int async__loop_on_thread(async_loop_t *loop);

/* ---- loop thread only ---- */

/*
 * Work put off until the loop is about to wait for I/O: after this
 * iteration's callbacks and ready list, just before the poll. Work that
 * would be undone at once if something used the object again in the
 * same iteration (freeing buffers, say) waits for that moment. A hook
 * runs once per async__loop_before_wait; it must be cancelled before
 * the memory that holds it is freed.
 */
typedef struct async__before_wait async__before_wait_t;
struct async__before_wait {
  async__list_t link; /* on loop->before_wait, or pointing to itself */
  void (*fn)(async__before_wait_t *hook);
};

static inline void async__before_wait_init(async__before_wait_t *hook,
                                           void (*fn)(async__before_wait_t *)) {
  async__list_init(&hook->link);
  hook->fn = fn;
}

/* Queues hook, unless it is queued already. */
static inline void async__loop_before_wait(async_loop_t *loop,
                                           async__before_wait_t *hook) {
  if (async__list_empty(&hook->link))
    async__list_push(&loop->before_wait, &hook->link);
}

/* Takes hook off the queue, if it is on it. */
static inline void async__before_wait_cancel(async__before_wait_t *hook) {
  async__list_remove(&hook->link);
}

/* Appends f to the ready list (the list takes a reference). */
void async__loop_make_ready(async_loop_t *loop, async_future_t *f);

/* Adds f (deadline in f->u.at) to the timers; the timers take the
 * operation's reference. Returns 0 or ASYNC_ENOMEM. */
int async__loop_add_timer(async_loop_t *loop, async_future_t *f);
void async__loop_remove_timer(async_loop_t *loop, async_future_t *f);

/* Keeps the loop alive (for async_loop_run DEFAULT) while work is out. */
void async__loop_ref(async_loop_t *loop);
void async__loop_unref(async_loop_t *loop);

/*
 * Objects of the modules above the core (resolvers, sessions) that the
 * loop's close must close: their pending operations cancelled, their
 * sockets closed. Loop thread only; close() runs on the loop's thread and
 * must unlink the closer (async__loop_remove_closer).
 */
typedef struct async__closer {
  async__list_t link;
  void (*close)(struct async__closer *closer);
} async__closer_t;

void async__loop_add_closer(async_loop_t *loop, async__closer_t *closer);
void async__loop_remove_closer(async__closer_t *closer);

/* A fresh thread-identity pointer for the calling thread. */
void *async__thread_self(void);

#endif /* ASYNC_CORE_LOOP_H */
