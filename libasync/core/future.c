#include "core/future.h"

#include <libasync/error.h>

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/loop.h"

static const async__future_ops_t *const kinds[ASYNC__KIND_COUNT] = {
    [ASYNC__KIND_PROMISE] = &async__promise_ops,
    [ASYNC__KIND_SLEEP] = &async__sleep_ops,
    [ASYNC__KIND_CALL] = &async__call_ops,
    [ASYNC__KIND_WORK] = &async__work_ops,
    [ASYNC__KIND_GATHER] = &async__gather_ops,
    [ASYNC__KIND_WAIT] = &async__wait_ops,
    [ASYNC__KIND_WAIT_FOR] = &async__wait_for_ops,
    [ASYNC__KIND_GROUP] = &async__group_ops,
    [ASYNC__KIND_TIMER] = &async__timer_ops,
    [ASYNC__KIND_OP] = &async__op_ops,
};

static async_future_t *alloc_future(async_loop_t *loop, int kind,
                                    size_t size, unsigned refs, int flags) {
  async_future_t *f = async__malloc(size);

  if (f == NULL)
    return NULL;
  memset(f, 0, size);
  async__list_init(&f->link);
  f->loop = loop;
  f->kind = (uint8_t)kind;
  atomic_init(&f->refs, refs);
  atomic_init(&f->state, ASYNC_PENDING);
  atomic_init(&f->flags, (uint8_t)flags);
  atomic_init(&f->userdata, NULL);
  return f;
}

async_future_t *async__future_alloc(async_loop_t *loop, int kind,
                                    size_t size) {
  async_future_t *f = alloc_future(loop, kind, size, 2, 0);

  if (f != NULL)
    async_loop_retain(loop);
  return f;
}

async_future_t *async__future_alloc_loop_only(async_loop_t *loop, int kind,
                                              size_t size) {
  return alloc_future(loop, kind, size, 1, ASYNC__LOOP_ONLY);
}

static void free_future(async_future_t *f) {
  const async__future_ops_t *ops = kinds[f->kind];
  int state = atomic_load_explicit(&f->state, memory_order_relaxed);
  async_loop_t *loop = f->loop;
  int holds_loop = !(atomic_load_explicit(&f->flags, memory_order_relaxed) &
                     ASYNC__LOOP_ONLY);

  if (ops->destroy != NULL)
    ops->destroy(f);
  if (state == ASYNC_DONE && f->x.free_value != NULL)
    f->x.free_value(f->u.value);
  else if (state == ASYNC_FAILED || state == ASYNC_CANCELLED)
    async__free(f->x.message);
  while (f->more != NULL) {
    async__callback_t *next = f->more->next;
    async__free(f->more);
    f->more = next;
  }
  async__free(f);
  if (holds_loop)
    async_loop_release(loop);
}

static void start_call(async_loop_t *loop, async__call_t *call) {
  async_future_t *f = call->future;

  (void)loop;
  kinds[f->kind]->start(f);
}

int async__future_submit(async_future_t *f) {
  async__call_t call = {0};
  int rv;

  call.future = f;
  rv = async__loop_exec(f->loop, start_call, &call);
  if (rv < 0)
    free_future(f);
  return rv;
}

/* ---- completion (loop thread) ---------------------------------------- */

/* Takes f off the loop structure that holds it. Returns 1 if one did:
 * the caller then owns that structure's reference. */
static int unlink_future(async_future_t *f) {
  switch (f->where) {
  case ASYNC__IN_TIMERS:
    async__loop_remove_timer(f->loop, f);
    break;
  case ASYNC__IN_PENDING:
  case ASYNC__IN_READY:
    async__list_remove(&f->link);
    break;
  default:
    return 0;
  }
  f->where = ASYNC__IN_NOTHING;
  return 1;
}

static void finish(async_future_t *f, int state, int was_linked) {
  /* seq_cst pairs with async_future_wait: either it sees the new state,
   * or this sees its waiter flag. */
  atomic_store(&f->state, (uint8_t)state);
  if (atomic_load(&f->flags) & ASYNC__HAS_WAITERS)
    async__future_wake_waiters(f);
  if (f->cb != NULL || f->more != NULL)
    async__loop_make_ready(f->loop, f);
  if (was_linked)
    async_future_release(f);
}

void async__future_done(async_future_t *f, void *value,
                        async_free_fn free_value) {
  int was_linked;

  if (!async__future_pending(f)) {
    if (free_value != NULL)
      free_value(value);
    return;
  }
  was_linked = unlink_future(f);
  f->u.value = value;
  f->x.free_value = free_value;
  f->err = 0;
  finish(f, ASYNC_DONE, was_linked);
}

static void settle_failed(async_future_t *f, int state, int err,
                          char *message) {
  int was_linked = unlink_future(f);

  f->u.value = NULL;
  f->x.message = message;
  f->err = err;
  finish(f, state, was_linked);
}

void async__future_fail(async_future_t *f, int err, char *message) {
  if (!async__future_pending(f)) {
    async__free(message);
    return;
  }
  settle_failed(f, ASYNC_FAILED, err, message);
}

void async__future_cancel_with(async_future_t *f, char *message) {
  if (!async__future_pending(f)) {
    async__free(message);
    return;
  }
  settle_failed(f, ASYNC_CANCELLED, ASYNC_ECANCELLED, message);
}

void async__future_cancel_now(async_future_t *f) {
  const async__future_ops_t *ops = kinds[f->kind];

  if (!async__future_pending(f))
    return;
  /* A cancel that completes f itself may drop every other reference. */
  async_future_retain(f);
  if (ops->cancel != NULL)
    ops->cancel(f);
  if (async__future_pending(f))
    settle_failed(f, ASYNC_CANCELLED, ASYNC_ECANCELLED, NULL);
  async_future_release(f);
}

void async__future_copy_result(async_future_t *f, async_future_t *src) {
  switch (atomic_load_explicit(&src->state, memory_order_acquire)) {
  case ASYNC_DONE:
    async__future_done(f, src->u.value, NULL);
    break;
  case ASYNC_FAILED:
    async__future_fail(f, src->err, async__strdup(src->x.message));
    break;
  case ASYNC_CANCELLED:
    async__future_cancel_now(f);
    break;
  default:
    break;
  }
}

void async__future_park(async_future_t *f) {
  f->where = ASYNC__IN_PENDING;
  async__list_push(&f->loop->pending, &f->link);
}

/* ---- callbacks (loop thread) ----------------------------------------- */

void async__future_attach(async_future_t *f, async__callback_t *node) {
  async__callback_t **tail;

  if (f->cb == NULL && f->more == NULL) {
    f->cb = node->cb;
    f->cb_userdata = node->userdata;
    async__free(node);
  } else {
    node->next = NULL;
    for (tail = &f->more; *tail != NULL; tail = &(*tail)->next)
      ;
    *tail = node;
  }
  /* A completed future whose callbacks are not already queued. */
  if (!async__future_pending(f) && f->where != ASYNC__IN_READY)
    async__loop_make_ready(f->loop, f);
}

int async__future_add_callback(async_future_t *f, async_future_cb cb,
                               void *userdata) {
  async__callback_t *node = async__malloc(sizeof(*node));

  if (node == NULL)
    return ASYNC_ENOMEM;
  node->cb = cb;
  node->userdata = userdata;
  node->next = NULL;
  async__future_attach(f, node);
  return 0;
}

static void run_callbacks(async_future_t *f) {
  async_future_cb cb = f->cb;
  void *userdata = f->cb_userdata;
  async__callback_t *more = f->more;

  /* Detach first: a callback may add callbacks, which run in a later
   * step, never from inside this one. */
  f->cb = NULL;
  f->cb_userdata = NULL;
  f->more = NULL;
  if (cb != NULL)
    cb(f, userdata);
  while (more != NULL) {
    async__callback_t *next = more->next;
    more->cb(f, more->userdata);
    async__free(more);
    more = next;
  }
}

void async__future_run_ready(async_future_t *f) {
  if (async__future_pending(f)) {
    kinds[f->kind]->run(f);
    return;
  }
  run_callbacks(f);
}

/* ---- module operations ----------------------------------------------- */

static void op_cancel(async_future_t *f) {
  async__op_t *op = (async__op_t *)f;

  if (op->cls->cancel != NULL)
    op->cls->cancel(op);
}

static void op_destroy(async_future_t *f) {
  async__op_t *op = (async__op_t *)f;

  if (op->cls->destroy != NULL)
    op->cls->destroy(op);
}

const async__future_ops_t async__op_ops = {
    .start = async__future_park,
    .cancel = op_cancel,
    .destroy = op_destroy,
};

async__op_t *async__op_alloc(async_loop_t *loop, const async__op_class_t *cls,
                             size_t size) {
  async__op_t *op = (async__op_t *)async__future_alloc(loop, ASYNC__KIND_OP,
                                                       size);

  if (op != NULL)
    op->cls = cls;
  return op;
}

/* ---- promises -------------------------------------------------------- */

const async__future_ops_t async__promise_ops = {
    .start = async__future_park,
};

static int loop_usable(async_loop_t *loop) {
  if (loop == NULL)
    return ASYNC_EINVAL;
  if (async_loop_is_closed(loop) || atomic_load(&loop->closing))
    return ASYNC_ECLOSED;
  return 0;
}

ASYNC_EXTERN int async_future_new(async_future_t **out, async_loop_t *loop) {
  async_future_t *f;
  int rv;

  if (out == NULL)
    return ASYNC_EINVAL;
  if ((rv = loop_usable(loop)) < 0)
    return rv;
  f = async__future_alloc(loop, ASYNC__KIND_PROMISE, sizeof(*f));
  if (f == NULL)
    return ASYNC_ENOMEM;
  if ((rv = async__future_submit(f)) < 0)
    return rv;
  *out = f;
  return 0;
}

static void resolve_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  async__future_done(call->future, call->p1, call->free_value);
}

ASYNC_EXTERN int async_future_resolve(async_future_t *future, void *value,
                                      async_free_fn free_value) {
  async__call_t call = {0};

  if (future == NULL || future->kind != ASYNC__KIND_PROMISE)
    return ASYNC_EINVAL;
  call.future = future;
  call.p1 = value;
  call.free_value = free_value;
  return async__loop_exec(future->loop, resolve_call, &call);
}

static void reject_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  async__future_fail(call->future, (int)call->i1, call->p1);
}

ASYNC_EXTERN int async_future_reject(async_future_t *future, int err,
                                     const char *message) {
  async__call_t call = {0};
  int rv;

  if (future == NULL || future->kind != ASYNC__KIND_PROMISE || err >= 0 ||
      err <= ASYNC_ERR_MIN_ || err == ASYNC_ECANCELLED)
    return ASYNC_EINVAL;
  call.future = future;
  call.i1 = err;
  if (message != NULL && (call.p1 = async__strdup(message)) == NULL)
    return ASYNC_ENOMEM;
  rv = async__loop_exec(future->loop, reject_call, &call);
  if (rv < 0)
    async__free(call.p1);
  return rv;
}

/* ---- reading --------------------------------------------------------- */

ASYNC_EXTERN async_future_t *async_future_retain(async_future_t *future) {
  if (future != NULL)
    atomic_fetch_add_explicit(&future->refs, 1, memory_order_relaxed);
  return future;
}

ASYNC_EXTERN void async_future_release(async_future_t *future) {
  if (future == NULL)
    return;
  if (atomic_fetch_sub_explicit(&future->refs, 1, memory_order_acq_rel) == 1)
    free_future(future);
}

ASYNC_EXTERN int async_future_state(async_future_t *future) {
  if (future == NULL)
    return ASYNC_EINVAL;
  return atomic_load_explicit(&future->state, memory_order_acquire);
}

ASYNC_EXTERN int async_future_error(async_future_t *future) {
  switch (async_future_state(future)) {
  case ASYNC_EINVAL:
    return ASYNC_EINVAL;
  case ASYNC_FAILED:
    return future->err;
  case ASYNC_CANCELLED:
    return ASYNC_ECANCELLED;
  default:
    return 0;
  }
}

ASYNC_EXTERN const char *async_future_message(async_future_t *future) {
  int state = async_future_state(future);

  if (state != ASYNC_FAILED && state != ASYNC_CANCELLED)
    return NULL;
  return future->x.message ? future->x.message : async_strerror(future->err);
}

ASYNC_EXTERN void *async_future_value(async_future_t *future) {
  if (async_future_state(future) != ASYNC_DONE)
    return NULL;
  return future->u.value;
}

ASYNC_EXTERN async_loop_t *async_future_loop(async_future_t *future) {
  return future != NULL ? future->loop : NULL;
}

ASYNC_EXTERN int async_future_set_userdata(async_future_t *future,
                                           void *userdata) {
  if (future == NULL)
    return ASYNC_EINVAL;
  atomic_store(&future->userdata, userdata);
  return 0;
}

ASYNC_EXTERN void *async_future_userdata(async_future_t *future) {
  return future != NULL ? atomic_load(&future->userdata) : NULL;
}

/* ---- callbacks, notification and cancel ------------------------------ */

static void attach_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  async__future_attach(call->future, call->p1);
}

static int add_node(async_future_t *future, async_future_cb cb,
                    void *userdata) {
  async__call_t call = {0};
  async__callback_t *node;
  int rv;

  node = async__malloc(sizeof(*node));
  if (node == NULL)
    return ASYNC_ENOMEM;
  node->cb = cb;
  node->userdata = userdata;
  node->next = NULL;
  call.future = future;
  call.p1 = node;
  rv = async__loop_exec(future->loop, attach_call, &call);
  if (rv < 0)
    async__free(node);
  return rv;
}

ASYNC_EXTERN int async_future_on_done(async_future_t *future,
                                      async_future_cb cb, void *userdata) {
  if (future == NULL || cb == NULL)
    return ASYNC_EINVAL;
  return add_node(future, cb, userdata);
}

/* Tokens travel in the callback's pointer where it is wide enough. */
#if UINTPTR_MAX >= UINT64_MAX
static void notify_cb(async_future_t *future, void *userdata) {
  async__completion_push(&future->loop->completion,
                         (int64_t)(intptr_t)userdata);
}

ASYNC_EXTERN int async_future_notify(async_future_t *future, int64_t token) {
  if (future == NULL)
    return ASYNC_EINVAL;
  return add_node(future, notify_cb, (void *)(intptr_t)token);
}
#else
static void notify_cb(async_future_t *future, void *userdata) {
  async__completion_push(&future->loop->completion, *(int64_t *)userdata);
  async__free(userdata);
}

ASYNC_EXTERN int async_future_notify(async_future_t *future, int64_t token) {
  int64_t *box;
  int rv;

  if (future == NULL)
    return ASYNC_EINVAL;
  if ((box = async__malloc(sizeof(*box))) == NULL)
    return ASYNC_ENOMEM;
  *box = token;
  rv = add_node(future, notify_cb, box);
  if (rv < 0)
    async__free(box);
  return rv;
}
#endif

static void cancel_call(async_loop_t *loop, async__call_t *call) {
  (void)loop;
  async__future_cancel_now(call->future);
}

ASYNC_EXTERN int async_future_cancel(async_future_t *future) {
  async__call_t call = {0};

  if (future == NULL)
    return ASYNC_EINVAL;
  call.future = future;
  return async__loop_exec(future->loop, cancel_call, &call);
}
