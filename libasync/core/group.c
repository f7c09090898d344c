/* Task groups (asyncio.TaskGroup): the first failure cancels the rest. */
#include <libasync/error.h>

#include "core/alloc.h"
#include "core/combine.h"
#include "core/future.h"
#include "core/loop.h"

typedef struct group {
  async_future_t base;
  async_future_t **members; /* references */
  size_t n;
  size_t cap;
  size_t remaining;
  int sealed;             /* loop thread */
  atomic_int seal_called; /* any thread: for async_group_add's answer */
} group_t;

static void cancel_members(group_t *g) {
  size_t i;

  for (i = 0; i < g->n; i++)
    async__future_cancel_now(g->members[i]);
}

static void member_done(async_future_t *member, void *userdata) {
  group_t *g = userdata;

  g->remaining--;
  if (async__future_pending(&g->base)) {
    if (async_future_state(member) == ASYNC_FAILED) {
      char *message = async__strdup(async_future_message(member));
      cancel_members(g);
      async__future_fail(&g->base, async_future_error(member), message);
    } else if (g->sealed && g->remaining == 0) {
      async__future_done(&g->base, NULL, NULL);
    }
  }
  async_future_release(&g->base);
}

static void group_cancel(async_future_t *f) { cancel_members((group_t *)f); }

static void group_destroy(async_future_t *f) {
  group_t *g = (group_t *)f;

  async__release_futures(g->members, g->n);
  async__free(g->members);
}

const async__future_ops_t async__group_ops = {
    .start = async__future_park,
    .cancel = group_cancel,
    .destroy = group_destroy,
};

ASYNC_EXTERN int async_group_new(async_future_t **out, async_loop_t *loop) {
  async_future_t *f;
  int rv;

  if (out == NULL || loop == NULL)
    return ASYNC_EINVAL;
  f = async__future_alloc(loop, ASYNC__KIND_GROUP, sizeof(group_t));
  if (f == NULL)
    return ASYNC_ENOMEM;
  atomic_init(&((group_t *)f)->seal_called, 0);
  if ((rv = async__future_submit(f)) < 0)
    return rv;
  *out = f;
  return 0;
}

static int append_member(group_t *g, async_future_t *member) {
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 8;
    async_future_t **members =
        async__realloc(g->members, cap * sizeof(*members));
    if (members == NULL)
      return ASYNC_ENOMEM;
    g->members = members;
    g->cap = cap;
  }
  g->members[g->n++] = member;
  return 0;
}

static void add_call(async_loop_t *loop, async__call_t *call) {
  group_t *g = (group_t *)call->future;
  async_future_t *member = call->p1;

  (void)loop;
  if (!async__future_pending(&g->base)) {
    /* Too late to join: the group is over. */
    async__future_cancel_now(member);
    async_future_release(member);
    return;
  }
  if (append_member(g, member) < 0) {
    async__future_cancel_now(member);
    async_future_release(member);
    cancel_members(g);
    async__future_fail(&g->base, ASYNC_ENOMEM, NULL);
    return;
  }
  g->remaining++;
  if (async__watch_futures(&g->base, &member, 1, member_done) < 0) {
    cancel_members(g);
    async__future_fail(&g->base, ASYNC_ENOMEM, NULL);
  }
}

ASYNC_EXTERN int async_group_add(async_future_t *group,
                                 async_future_t *member) {
  async__call_t call = {0};
  int rv;

  if (group == NULL || member == NULL || group->kind != ASYNC__KIND_GROUP ||
      member == group || member->loop != group->loop)
    return ASYNC_EINVAL;
  if (atomic_load(&((group_t *)group)->seal_called))
    return ASYNC_EBUSY;
  call.future = group;
  call.p1 = async_future_retain(member);
  rv = async__loop_exec(group->loop, add_call, &call);
  if (rv < 0)
    async_future_release(member);
  return rv;
}

static void seal_call(async_loop_t *loop, async__call_t *call) {
  group_t *g = (group_t *)call->future;

  (void)loop;
  g->sealed = 1;
  if (async__future_pending(&g->base) && g->remaining == 0)
    async__future_done(&g->base, NULL, NULL);
}

ASYNC_EXTERN int async_group_seal(async_future_t *group) {
  async__call_t call = {0};

  if (group == NULL || group->kind != ASYNC__KIND_GROUP)
    return ASYNC_EINVAL;
  atomic_store(&((group_t *)group)->seal_called, 1);
  call.future = group;
  return async__loop_exec(group->loop, seal_call, &call);
}
