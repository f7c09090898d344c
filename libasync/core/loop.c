#include "core/loop.h"

#include <libasync/error.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/future.h"
#include "core/timer.h"

/* How many queued calls one wake-up handles before letting I/O in. */
#define QUEUE_BUDGET 65536

/* Its address tells threads apart. Initial-exec: a load relative to the
 * thread pointer, where the default model for a shared library calls
 * __tls_get_addr on every check of who owns a loop. One byte fits the
 * room the C library keeps for libraries loaded with dlopen. */
static _Thread_local char thread_tag __attribute__((tls_model("initial-exec")));

void *async__thread_self(void) { return &thread_tag; }

/* ---- ownership ------------------------------------------------------- */

/*
 * One thread at a time owns the loop: the one driving it, or one that
 * borrows it for a moment while nobody drives it. Returns 1 when the
 * caller already owns it, 0 when it has just taken it (and must give it
 * back with loop_leave), -1 when another thread owns it.
 */
static int loop_take(async_loop_t *loop) {
  void *self = async__thread_self();
  void *none = NULL;

  if (atomic_load_explicit(&loop->owner, memory_order_acquire) == self)
    return 1;
  if (atomic_compare_exchange_strong_explicit(&loop->owner, &none, self,
                                              memory_order_acq_rel,
                                              memory_order_relaxed)) {
    loop->now_valid = 0; /* borrowed, maybe long after the last run */
    return 0;
  }
  return -1;
}

static void loop_leave(async_loop_t *loop) {
  atomic_store_explicit(&loop->owner, NULL, memory_order_release);
}

int async__loop_on_thread(async_loop_t *loop) {
  return atomic_load_explicit(&loop->owner, memory_order_acquire) ==
         async__thread_self();
}

/* Many calls, one wake-up: only the call that finds no wake-up on its
 * way writes to the eventfd. */
static void wake(async_loop_t *loop) {
  uint64_t one = 1;

  /* Read before writing: most calls find a wake-up on its way, and a
   * read leaves the line shared between the threads. */
  if (atomic_load_explicit(&loop->wake_pending, memory_order_relaxed) ||
      atomic_exchange(&loop->wake_pending, 1))
    return;
  while (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
    ;
}

/* ---- timers ---------------------------------------------------------- */

static void stop_timer(async_loop_t *loop) {
  if (ev_is_active(&loop->timer)) {
    ev_ref(loop->ev); /* undoes the unref that followed its start */
    ev_timer_stop(loop->ev, &loop->timer);
  }
}

/* Keeps the libev timer armed for the earliest deadline. */
static void arm_timer(async_loop_t *loop) {
  async_future_t *first = async__timers_first(&loop->timers);
  double at = first != NULL ? first->u.at : -1;

  /* Armed no later than needed: let it fire, find nothing due, and arm
   * again then. Requests whose deadlines come and go would otherwise
   * re-arm it on every one. It is never work in itself, so an early
   * wake-up is all it costs. */
  if (loop->timer_at >= 0 && (at < 0 || loop->timer_at <= at))
    return;
  stop_timer(loop);
  loop->timer_at = at;
  if (first == NULL)
    return;
  ev_now_update(loop->ev);
  at -= async__clock_now();
  ev_timer_set(&loop->timer, at > 0 ? at : 0, 0);
  ev_timer_start(loop->ev, &loop->timer);
  /* The libev timer is never work in itself; strong timers are (see
   * sync_timer_ref). */
  ev_unref(loop->ev);
}

/* Keeps one reference on the libev loop while strong timers exist. */
static void sync_timer_ref(async_loop_t *loop) {
  int want = loop->timers.strong > 0;

  if (want == loop->timers_ref)
    return;
  loop->timers_ref = want;
  if (want)
    ev_ref(loop->ev);
  else
    ev_unref(loop->ev);
}

int async__loop_add_timer(async_loop_t *loop, async_future_t *f) {
  int rv = async__timers_add(&loop->timers, f);

  if (rv < 0)
    return rv;
  /* The libev timer is armed before the next poll (on_prepare), once
   * for however many timers came and went. */
  f->where = ASYNC__IN_TIMERS;
  sync_timer_ref(loop);
  return 0;
}

void async__loop_remove_timer(async_loop_t *loop, async_future_t *f) {
  async__timers_remove(&loop->timers, f);
  sync_timer_ref(loop);
}

/* A timer's deadline passed: sleeps complete, delayed tasks become ready. */
static void expire(async_future_t *f) {
  if (f->kind == ASYNC__KIND_TIMER) {
    async__timer_fire(f);
    return;
  }
  if (f->kind == ASYNC__KIND_SLEEP) {
    async__future_done(f, NULL, NULL);
    return;
  }
  /* The timers' reference passes to the ready list. */
  async__loop_remove_timer(f->loop, f);
  f->where = ASYNC__IN_READY;
  async__list_push(&f->loop->ready, &f->link);
}

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents) {
  async_loop_t *loop = async__container_of(w, async_loop_t, timer);
  double now = async__clock_now();
  async_future_t *f;

  (void)revents;
  /* libev stopped the one-shot timer before calling back, taking a
   * reference that its start's unref had already given back. */
  ev_ref(ev);
  loop->timer_at = -1;
  while ((f = async__timers_first(&loop->timers)) != NULL && f->u.at <= now)
    expire(f);
  arm_timer(loop);
}

/* ---- the ready list -------------------------------------------------- */

void async__loop_make_ready(async_loop_t *loop, async_future_t *f) {
  async_future_retain(f);
  f->where = ASYNC__IN_READY;
  async__list_push(&loop->ready, &f->link);
}

static void teardown(async_loop_t *loop);

/*
 * The idle watcher is active exactly while something waits in the ready
 * list after a pass over it: it keeps the next poll from blocking, and
 * async_loop_run(DEFAULT) from returning. Whatever becomes ready during
 * an iteration before the check watcher is run by that watcher: no need
 * to start and stop the idle watcher for it.
 */
static void sync_idle(async_loop_t *loop) {
  int waiting = !async__list_empty(&loop->ready);

  if (waiting != ev_is_active(&loop->idle)) {
    if (waiting)
      ev_idle_start(loop->ev, &loop->idle);
    else
      ev_idle_stop(loop->ev, &loop->idle);
  }
}

/*
 * Runs what is ready now. What becomes ready meanwhile waits for the next
 * iteration, so a task that schedules itself cannot starve I/O.
 */
static void run_ready(async_loop_t *loop) {
  async__list_t batch;

  async__list_init(&batch);
  async__list_splice(&batch, &loop->ready);
  while (!async__list_empty(&batch)) {
    async_future_t *f = async__container_of(batch.next, async_future_t, link);
    async__list_remove(&f->link);
    f->where = ASYNC__IN_NOTHING;
    loop->now_valid = 0; /* the callback may have taken a while */
    async__future_run_ready(f);
    async_future_release(f);
    if (loop->teardown_requested && !loop->tearing_down) {
      /* Close was called from that callback: what was left of the batch
       * goes back, to be cancelled or called back by the teardown. */
      async__list_splice(&batch, &loop->ready);
      async__list_splice(&loop->ready, &batch);
      teardown(loop);
      return;
    }
  }
  sync_idle(loop);
  /* async_loop_run_until: stop before polling again. */
  if (loop->until != NULL && !async__future_pending(loop->until))
    ev_break(loop->ev, EVBREAK_ONE);
}

/* The hooks queued by now, not those their own work queues. */
static void run_before_wait(async_loop_t *loop) {
  async__list_t batch;

  async__list_init(&batch);
  async__list_splice(&batch, &loop->before_wait);
  while (!async__list_empty(&batch)) {
    async__before_wait_t *hook =
        async__container_of(batch.next, async__before_wait_t, link);
    async__list_remove(&hook->link);
    hook->fn(hook);
  }
}

static void on_prepare(struct ev_loop *ev, ev_prepare *w, int revents) {
  async_loop_t *loop = async__container_of(w, async_loop_t, prepare);

  (void)ev;
  (void)revents;
  run_ready(loop);
  if (!loop->tearing_down) {
    run_before_wait(loop);
    arm_timer(loop);
  }
  loop->now_valid = 0; /* the poll comes next */
}

static void on_check(struct ev_loop *ev, ev_check *w, int revents) {
  async_loop_t *loop = async__container_of(w, async_loop_t, check);

  (void)ev;
  (void)revents;
  run_ready(loop);
  loop->now_valid = 0; /* the iteration ends */
}

static void on_idle(struct ev_loop *ev, ev_idle *w, int revents) {
  /* Only keeps the poll from blocking; the check watcher does the work. */
  (void)ev;
  (void)w;
  (void)revents;
}

void async__loop_add_closer(async_loop_t *loop, async__closer_t *closer) {
  async__list_push(&loop->closers, &closer->link);
}

void async__loop_remove_closer(async__closer_t *closer) {
  async__list_remove(&closer->link);
}

/* ---- calls from other threads ---------------------------------------- */

static void run_call(async_loop_t *loop, async__call_t *call) {
  async_future_t *f = call->future;

  call->fn(loop, call);
  async_future_release(f);
  async__free(call);
}

/* Returns 1 if the budget ran out with calls left. */
static int drain_queue(async_loop_t *loop, int budget) {
  async__mpsc_node_t *node;

  atomic_store(&loop->wake_pending, 0);
  while ((node = async__mpsc_pop(&loop->queue)) != NULL) {
    run_call(loop, async__container_of(node, async__call_t, node));
    if (--budget == 0)
      return 1;
  }
  return 0;
}

static void on_wakeup(struct ev_loop *ev, ev_io *w, int revents) {
  async_loop_t *loop = async__container_of(w, async_loop_t, wakeup);
  uint64_t count;

  (void)ev;
  (void)revents;
  while (read(loop->wake_fd, &count, sizeof(count)) < 0 && errno == EINTR)
    ;
  if (drain_queue(loop, QUEUE_BUDGET)) {
    atomic_store(&loop->wake_pending, 0);
    wake(loop);
  }
  if (loop->teardown_requested && !loop->tearing_down)
    teardown(loop);
}

static int queue_call(async_loop_t *loop, async__call_fn fn,
                      const async__call_t *call) {
  async__call_t *copy = async__malloc(sizeof(*copy));

  if (copy == NULL)
    return ASYNC_ENOMEM;
  *copy = *call;
  copy->fn = fn;
  async_future_retain(copy->future);
  async__mpsc_push(&loop->queue, &copy->node);
  wake(loop);
  return 0;
}

int async__loop_exec(async_loop_t *loop, async__call_fn fn,
                     const async__call_t *call) {
  int owned;
  int rv;

  /* On the loop's thread no close can begin before this returns. */
  if (async__loop_on_thread(loop)) {
    if (atomic_load_explicit(&loop->closing, memory_order_relaxed))
      return ASYNC_ECLOSED;
    fn(loop, (async__call_t *)call);
    return 0;
  }
  /* Close waits for every thread between this check and its push, so a
   * call that passes the check is run before the loop closes. */
  atomic_fetch_add(&loop->submitters, 1);
  if (atomic_load(&loop->closing)) {
    atomic_fetch_sub(&loop->submitters, 1);
    return ASYNC_ECLOSED;
  }
  owned = loop_take(loop);
  if (owned >= 0) {
    atomic_fetch_sub(&loop->submitters, 1);
    fn(loop, (async__call_t *)call);
    if (owned == 0) {
      loop_leave(loop);
      /* A host may be polling the backend fd with a stale timeout. */
      wake(loop);
    }
    return 0;
  }
  rv = queue_call(loop, fn, call);
  atomic_fetch_sub(&loop->submitters, 1);
  return rv;
}

void async__loop_post(async_loop_t *loop, async__call_fn fn,
                      const async__call_t *call) {
  /* Internal completions have nowhere else to go: retry until memory
   * is found rather than lose one. */
  while (queue_call(loop, fn, call) < 0)
    sched_yield();
}

void async__loop_ref(async_loop_t *loop) { ev_ref(loop->ev); }

void async__loop_unref(async_loop_t *loop) { ev_unref(loop->ev); }

/* ---- life ------------------------------------------------------------ */

static void start_watchers(async_loop_t *loop) {
  ev_io_init(&loop->wakeup, on_wakeup, loop->wake_fd, EV_READ);
  ev_prepare_init(&loop->prepare, on_prepare);
  ev_check_init(&loop->check, on_check);
  ev_idle_init(&loop->idle, on_idle);
  ev_init(&loop->timer, on_timer);
  loop->timer_at = -1;
  ev_io_start(loop->ev, &loop->wakeup);
  ev_prepare_start(loop->ev, &loop->prepare);
  /* Lowest priority: the check runs after this iteration's I/O and
   * timer callbacks, so what they complete is called back at once. */
  ev_set_priority(&loop->check, EV_MINPRI);
  ev_check_start(loop->ev, &loop->check);
  /* These three never keep async_loop_run(DEFAULT) going by themselves. */
  ev_unref(loop->ev);
  ev_unref(loop->ev);
  ev_unref(loop->ev);
  /* Register the wake-up fd now, so a guest host polling the backend fd
   * hears calls from other threads before its first run. */
  ev_run(loop->ev, EVRUN_NOWAIT);
}

ASYNC_EXTERN int async_loop_new(async_loop_t **out) {
  async_loop_t *loop;

  if (out == NULL)
    return ASYNC_EINVAL;
  loop = async__calloc(1, sizeof(*loop));
  if (loop == NULL)
    return ASYNC_ENOMEM;
  /* EVFLAG_NOSIGMASK: the host's signal mask is not ours to touch.
   * epoll where there is one: guest mode hands its fd to the host. */
  loop->ev = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOSIGMASK | EVFLAG_NOENV);
  if (loop->ev == NULL)
    loop->ev = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK | EVFLAG_NOENV);
  loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->ev == NULL || loop->wake_fd < 0 ||
      async__completion_init(&loop->completion) < 0) {
    if (loop->ev != NULL)
      ev_loop_destroy(loop->ev);
    if (loop->wake_fd >= 0)
      close(loop->wake_fd);
    async__free(loop);
    return ASYNC_ENOMEM;
  }
  atomic_init(&loop->backend_fd, -1);
  atomic_init(&loop->refs, 1);
  async__list_init(&loop->ready);
  async__list_init(&loop->pending);
  async__list_init(&loop->closers);
  async__list_init(&loop->before_wait);
  async__timers_init(&loop->timers);
  async__mpsc_init(&loop->queue);
  async__pool_init(&loop->pool);
  pthread_mutex_init(&loop->close_mutex, NULL);
  pthread_cond_init(&loop->close_cond, NULL);
  start_watchers(loop);
  *out = loop;
  return 0;
}

ASYNC_EXTERN async_loop_t *async_loop_retain(async_loop_t *loop) {
  if (loop != NULL)
    atomic_fetch_add_explicit(&loop->refs, 1, memory_order_relaxed);
  return loop;
}

static void free_loop(async_loop_t *loop) {
  ev_loop_destroy(loop->ev);
  close(loop->wake_fd);
  async__timers_free(&loop->timers);
  async__pool_free(&loop->pool);
  async__completion_free(&loop->completion);
  pthread_mutex_destroy(&loop->close_mutex);
  pthread_cond_destroy(&loop->close_cond);
  async__free(loop);
}

ASYNC_EXTERN void async_loop_release(async_loop_t *loop) {
  if (loop == NULL)
    return;
  if (atomic_fetch_sub_explicit(&loop->refs, 1, memory_order_acq_rel) != 1)
    return;
  if (!atomic_load(&loop->closed)) {
    /* Closing runs callbacks, which may take references for a moment:
     * hold one across it. */
    atomic_store(&loop->refs, 1);
    async_loop_close(loop);
    if (atomic_fetch_sub_explicit(&loop->refs, 1, memory_order_acq_rel) != 1)
      return;
  }
  free_loop(loop);
}

ASYNC_EXTERN int async_loop_set_userdata(async_loop_t *loop, void *userdata) {
  if (loop == NULL)
    return ASYNC_EINVAL;
  atomic_store(&loop->userdata, userdata);
  return 0;
}

ASYNC_EXTERN void *async_loop_userdata(async_loop_t *loop) {
  return loop != NULL ? atomic_load(&loop->userdata) : NULL;
}

/* ---- closing --------------------------------------------------------- */

static async_future_t *first_of(async__list_t *list) {
  return async__container_of(list->next, async_future_t, link);
}

/* Cancels every pending future; returns 1 if anything was left to do. */
static int cancel_everything(async_loop_t *loop) {
  async_future_t *f;
  async__list_t tasks;
  int busy = 0;

  while ((f = async__timers_first(&loop->timers)) != NULL) {
    async__future_cancel_now(f);
    busy = 1;
  }
  while (!async__list_empty(&loop->pending)) {
    async__future_cancel_now(first_of(&loop->pending));
    busy = 1;
  }
  /* Tasks that have not run yet sit among completed futures. */
  async__list_init(&tasks);
  async__list_splice(&tasks, &loop->ready);
  while (!async__list_empty(&tasks)) {
    f = first_of(&tasks);
    if (async__future_pending(f)) {
      async__future_cancel_now(f);
      busy = 1;
    } else {
      async__list_remove(&f->link);
      async__list_push(&loop->ready, &f->link);
    }
  }
  if (!async__list_empty(&loop->ready)) {
    run_ready(loop);
    busy = 1;
  }
  return busy;
}

static void teardown(async_loop_t *loop) {
  if (loop->tearing_down)
    return;
  loop->tearing_down = 1;
  atomic_store(&loop->closing, 1);
  async__pool_stop(loop);
  while (drain_queue(loop, -1))
    ;
  /* Modules first: they cancel their own operations and close sockets. */
  while (!async__list_empty(&loop->closers)) {
    async__closer_t *closer =
        async__container_of(loop->closers.next, async__closer_t, link);
    closer->close(closer);
  }
  do {
    while (drain_queue(loop, -1))
      ;
  } while (cancel_everything(loop));
  stop_timer(loop);
  ev_idle_stop(loop->ev, &loop->idle);
  ev_break(loop->ev, EVBREAK_ALL);
  pthread_mutex_lock(&loop->close_mutex);
  atomic_store(&loop->closed, 1);
  pthread_cond_broadcast(&loop->close_cond);
  pthread_mutex_unlock(&loop->close_mutex);
}

static void close_call(async_loop_t *loop, async__call_t *call) {
  (void)call;
  teardown(loop);
}

/* Waits until the loop is closed, by whoever drives it or by ourselves
 * as soon as nobody does. */
static void wait_closed(async_loop_t *loop) {
  async__call_t call = {0};

  async__loop_post(loop, close_call, &call);
  pthread_mutex_lock(&loop->close_mutex);
  while (!atomic_load(&loop->closed)) {
    struct timespec ts;
    if (!atomic_load(&loop->driven)) {
      pthread_mutex_unlock(&loop->close_mutex);
      if (loop_take(loop) == 0) {
        teardown(loop);
        loop_leave(loop);
      } else {
        sched_yield();
      }
      pthread_mutex_lock(&loop->close_mutex);
      continue;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&loop->close_cond, &loop->close_mutex, &ts);
  }
  pthread_mutex_unlock(&loop->close_mutex);
}

/* Joins the runtime thread, or detaches it when it is the caller. */
static void join_runtime(async_loop_t *loop, int from_itself) {
  if (!atomic_load(&loop->runtime) || atomic_exchange(&loop->joined, 1))
    return;
  if (from_itself)
    pthread_detach(pthread_self());
  else
    pthread_join(loop->thread, NULL);
}

ASYNC_EXTERN int async_loop_close(async_loop_t *loop) {
  int owned;

  if (loop == NULL)
    return ASYNC_EINVAL;
  if (!atomic_exchange(&loop->closing, 1)) {
    /* Let every call that passed its check finish its push. */
    while (atomic_load(&loop->submitters) > 0)
      sched_yield();
  }
  owned = loop_take(loop);
  if (owned == 1) {
    /* From a callback: close once it returns. A runtime loop's owner
     * is its thread, which cannot join itself. */
    if (!loop->tearing_down)
      loop->teardown_requested = 1;
    ev_break(loop->ev, EVBREAK_ALL);
    join_runtime(loop, 1);
    return 0;
  }
  if (owned == 0) {
    teardown(loop);
    loop_leave(loop);
  } else if (!atomic_load(&loop->closed)) {
    wait_closed(loop);
  }
  join_runtime(loop, 0);
  return 0;
}

ASYNC_EXTERN int async_loop_is_closed(async_loop_t *loop) {
  if (loop == NULL)
    return ASYNC_EINVAL;
  return atomic_load(&loop->closed);
}

/* ---- running --------------------------------------------------------- */

static int has_work(async_loop_t *loop) {
  return !async__list_empty(&loop->ready) || loop->timers.strong > 0 ||
         loop->pool.in_flight > 0 || atomic_load(&loop->wake_pending);
}

/* Takes the loop to drive it; returns 0 or a negative error. */
static int begin_run(async_loop_t *loop) {
  int owned;

  if (atomic_load(&loop->closed) || atomic_load(&loop->closing))
    return ASYNC_ECLOSED;
  /* Busy: a runtime thread owns the loop, another thread runs it, or
   * this is a callback of the loop. */
  if (atomic_load(&loop->runtime))
    return ASYNC_EBUSY;
  owned = loop_take(loop);
  if (owned != 0)
    return ASYNC_EBUSY;
  async_loop_retain(loop);
  atomic_store(&loop->driven, 1);
  /* Calls queued while nobody drove the loop. */
  drain_queue(loop, -1);
  return 0;
}

static int end_run(async_loop_t *loop) {
  int rv;

  if (loop->teardown_requested && !loop->tearing_down)
    teardown(loop);
  /* Returning to the caller is a wait too, and the last iteration of
   * async_loop_run(DEFAULT) ends without another prepare. */
  if (!loop->tearing_down)
    run_before_wait(loop);
  rv = atomic_load(&loop->closed) ? 0 : has_work(loop);
  atomic_store(&loop->driven, 0);
  loop_leave(loop);
  async_loop_release(loop);
  return rv;
}

ASYNC_EXTERN int async_loop_run(async_loop_t *loop, int mode) {
  int flags;
  int rv;

  if (loop == NULL)
    return ASYNC_EINVAL;
  switch (mode) {
  case ASYNC_RUN_DEFAULT:
    flags = 0;
    break;
  case ASYNC_RUN_ONCE:
    flags = EVRUN_ONCE;
    break;
  case ASYNC_RUN_NOWAIT:
    flags = EVRUN_NOWAIT;
    break;
  default:
    return ASYNC_EINVAL;
  }
  if ((rv = begin_run(loop)) < 0)
    return rv;
  if (!loop->tearing_down)
    ev_run(loop->ev, flags);
  return end_run(loop);
}

ASYNC_EXTERN int async_loop_run_until(async_loop_t *loop,
                                      async_future_t *future) {
  int rv;

  if (loop == NULL || future == NULL || future->loop != loop)
    return ASYNC_EINVAL;
  if (!async__future_pending(future))
    return 0;
  if ((rv = begin_run(loop)) < 0)
    return rv;
  loop->until = future;
  while (async__future_pending(future) && !loop->tearing_down)
    ev_run(loop->ev, EVRUN_ONCE);
  loop->until = NULL;
  end_run(loop);
  return async__future_pending(future) ? ASYNC_ECLOSED : 0;
}

static void stop_call(async_loop_t *loop, async__call_t *call) {
  (void)call;
  if (atomic_load(&loop->driven))
    ev_break(loop->ev, EVBREAK_ALL);
}

ASYNC_EXTERN int async_loop_stop(async_loop_t *loop) {
  async__call_t call = {0};

  if (loop == NULL)
    return ASYNC_EINVAL;
  return async__loop_exec(loop, stop_call, &call);
}

static void *runtime_main(void *arg) {
  async_loop_t *loop = arg;

  while (loop_take(loop) != 0)
    sched_yield();
  atomic_store(&loop->driven, 1);
  drain_queue(loop, -1);
  /* A runtime loop runs until closed, work or not. */
  ev_ref(loop->ev);
  while (!atomic_load(&loop->closed))
    ev_run(loop->ev, 0);
  ev_unref(loop->ev);
  atomic_store(&loop->driven, 0);
  loop_leave(loop);
  async_loop_release(loop);
  return NULL;
}

ASYNC_EXTERN int async_loop_start_thread(async_loop_t *loop) {
  if (loop == NULL)
    return ASYNC_EINVAL;
  if (atomic_load(&loop->closing))
    return ASYNC_ECLOSED;
  if (atomic_load(&loop->driven) || atomic_exchange(&loop->runtime, 1))
    return ASYNC_EBUSY;
  async_loop_retain(loop);
  if (pthread_create(&loop->thread, NULL, runtime_main, loop) != 0) {
    atomic_store(&loop->runtime, 0);
    async_loop_release(loop);
    return ASYNC_ENOMEM;
  }
  return 0;
}

/* ---- options and guest mode ------------------------------------------ */

ASYNC_EXTERN int async_loop_set_int(async_loop_t *loop, int opt,
                                    int64_t value) {
  if (loop == NULL || opt != ASYNC_LOOP_WORKERS)
    return ASYNC_EINVAL;
  if (value < 1 || value > 256)
    return ASYNC_EINVAL;
  if (atomic_load(&loop->closing))
    return ASYNC_ECLOSED;
  return async__pool_resize(&loop->pool, (int)value);
}

ASYNC_EXTERN int async_loop_get_int(async_loop_t *loop, int opt,
                                    int64_t *out) {
  if (loop == NULL || out == NULL || opt != ASYNC_LOOP_WORKERS)
    return ASYNC_EINVAL;
  *out = async__pool_size(&loop->pool);
  return 0;
}

ASYNC_EXTERN double async_loop_now(async_loop_t *loop) {
  if (loop == NULL)
    return -1;
  return async__clock_now();
}

/* Whether fd is an epoll instance that watches `watched`, read from
 * /proc: Linux lists each watched fd as a "tfd:" line of its fdinfo. */
static int epoll_watches(int fd, int watched) {
  char path[64];
  char line[256];
  FILE *info;
  int found = 0;

  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (readlink(path, line, sizeof(line) - 1) != 22 ||
      strncmp(line, "anon_inode:[eventpoll]", 22) != 0)
    return 0;
  snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
  if ((info = fopen(path, "re")) == NULL)
    return 0;
  while (!found && fgets(line, sizeof(line), info) != NULL)
    found = strncmp(line, "tfd:", 4) == 0 && atoi(line + 4) == watched;
  fclose(info);
  return found;
}

/*
 * libev keeps its backend fd to itself. The loop's own wake-up eventfd
 * is registered in it and nowhere else, which names it without doubt.
 */
static int find_backend_fd(async_loop_t *loop) {
  DIR *dir = opendir("/proc/self/fd");
  struct dirent *entry;
  int found = -1;

  if (dir == NULL)
    return -1;
  while (found < 0 && (entry = readdir(dir)) != NULL) {
    int fd = atoi(entry->d_name);
    if (entry->d_name[0] != '.' && fd != dirfd(dir) &&
        epoll_watches(fd, loop->wake_fd))
      found = fd;
  }
  closedir(dir);
  return found;
}

ASYNC_EXTERN int async_loop_backend_fd(async_loop_t *loop) {
  int fd;

  if (loop == NULL)
    return ASYNC_EINVAL;
  if (atomic_load(&loop->closed))
    return ASYNC_ECLOSED;
  fd = atomic_load(&loop->backend_fd);
  if (fd < 0) {
    fd = find_backend_fd(loop);
    if (fd < 0)
      return ASYNC_EIO;
    atomic_store(&loop->backend_fd, fd);
  }
  return fd;
}

ASYNC_EXTERN int async_loop_next_timeout(async_loop_t *loop,
                                         double *seconds) {
  async_future_t *first;
  int owned;

  if (loop == NULL || seconds == NULL)
    return ASYNC_EINVAL;
  if (atomic_load(&loop->closed))
    return ASYNC_ECLOSED;
  if ((owned = loop_take(loop)) < 0)
    return ASYNC_EBUSY;
  /* Calls queued by other threads need no timeout: they make the
   * backend fd readable. */
  first = async__timers_first(&loop->timers);
  if (!async__list_empty(&loop->ready)) {
    *seconds = 0;
  } else if (first != NULL) {
    *seconds = first->u.at - async__clock_now();
    if (*seconds < 0)
      *seconds = 0;
  } else {
    *seconds = -1;
  }
  if (owned == 0)
    loop_leave(loop);
  return 0;
}

ASYNC_EXTERN int async_loop_completion_fd(async_loop_t *loop) {
  if (loop == NULL)
    return ASYNC_EINVAL;
  return loop->completion.fd;
}

ASYNC_EXTERN int async_loop_drain(async_loop_t *loop, int64_t *tokens,
                                  size_t max) {
  if (loop == NULL || (tokens == NULL && max > 0))
    return ASYNC_EINVAL;
  if (max > INT32_MAX)
    max = INT32_MAX;
  return (int)async__completion_drain(&loop->completion, tokens, max);
}
