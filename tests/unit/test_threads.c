/*
 * Threads: many foreign threads submitting to a runtime-mode loop, cancel
 * and resolve racing on the same promises, and a close while threads are
 * still submitting. Every future must complete exactly once and every
 * callback run exactly once, whatever the interleaving.
 *
 * Assertions are made on the test's main thread only; the other threads
 * record what they saw.
 */
#include "helpers.h"

#include <stdlib.h>

#define THREADS 4
#define BATCH 1000 /* iterations between waits, two futures each */

/* ThreadSanitizer makes the submissions about twenty times slower: under
 * it, 100,000 per thread keep that test near ten seconds. */
#if TESTS_UNDER_TSAN
#define SUBMITS_PER_THREAD 100000
#else
#define SUBMITS_PER_THREAD 250000
#endif
#define RACE_PROMISES 10000
#define CLOSE_CAP 100000

/* ---- four threads, a million call_soon and a million sleeps ---------- */

struct stress {
  async_loop_t *loop;
  atomic_int *slots; /* per future: on_done calls */
  atomic_int runs;   /* call_soon tasks run */
};

struct submitter {
  struct stress *stress;
  int index;
  const char *failed_call; /* NULL while all went well */
  int failed_rv;
  long soon_done;
  long sleeps_done;
};

static void submitter_fail(struct submitter *s, const char *call, int rv) {
  if (!s->failed_call) {
    s->failed_call = call;
    s->failed_rv = rv;
  }
}

/* One iteration: a call_soon and a zero sleep, each with a callback. */
static int submit_pair(struct submitter *s, async_future_t **pair,
                       atomic_int *slots) {
  async_loop_t *loop = s->stress->loop;
  const char *call = "call_soon";
  int rv;

  rv =
      async_loop_call_soon(loop, count_task_atomic, &s->stress->runs, &pair[0]);
  if (rv == 0) {
    call = "on_done";
    rv = async_future_on_done(pair[0], count_cb_atomic, &slots[0]);
  }
  if (rv == 0) {
    call = "sleep";
    rv = async_sleep(loop, 0.0, &pair[1]);
  }
  if (rv == 0) {
    call = "on_done";
    rv = async_future_on_done(pair[1], count_cb_atomic, &slots[1]);
  }
  if (rv < 0)
    submitter_fail(s, call, rv);
  return rv;
}

/* Waits for a batch from this thread, checks it, and frees it. */
static void finish_batch(struct submitter *s, async_future_t **batch,
                         size_t n) {
  async_future_t *all = NULL;
  int rv;

  rv = async_wait(s->stress->loop, batch, n, ASYNC_ALL_COMPLETED, ASYNC_FOREVER,
                  &all);
  if (rv < 0) {
    submitter_fail(s, "wait", rv);
    return;
  }
  if ((rv = async_future_wait(all, 60.0)) < 0)
    submitter_fail(s, "future_wait", rv);
  else if (async_future_state(all) != ASYNC_DONE)
    submitter_fail(s, "wait's state", async_future_state(all));
  for (size_t k = 0; k < n && rv == 0; k++) {
    if (async_future_state(batch[k]) != ASYNC_DONE)
      submitter_fail(s, "batch state", async_future_state(batch[k]));
    else if (k % 2 == 0)
      s->soon_done++;
    else
      s->sleeps_done++;
  }
  for (size_t k = 0; k < n; k++)
    async_future_release(batch[k]);
  async_future_release(all);
}

static void *submitter_main(void *arg) {
  struct submitter *s = arg;
  async_future_t *batch[2 * BATCH];
  atomic_int *slots =
      s->stress->slots + (size_t)s->index * 2 * SUBMITS_PER_THREAD;

  for (int i = 0; i < SUBMITS_PER_THREAD && !s->failed_call; i++) {
    int j = i % BATCH;

    if (submit_pair(s, &batch[2 * j], &slots[2 * i]) < 0)
      break;
    if (j == BATCH - 1)
      finish_batch(s, batch, 2 * BATCH);
  }
  return NULL;
}

Test(threads, four_threads_submit_and_every_future_completes_once,
     .timeout = 150) {
  const size_t futures = (size_t)THREADS * 2 * SUBMITS_PER_THREAD;
  const long per_kind = (long)THREADS * SUBMITS_PER_THREAD;
  struct stress stress = {NULL, calloc(futures, sizeof(atomic_int)), 0};
  struct submitter subs[THREADS];
  pthread_t threads[THREADS];
  long soon_done = 0, sleeps_done = 0;

  cr_assert_not_null(stress.slots);
  stress.loop = new_loop();
  ASSERT_OK(async_loop_start_thread(stress.loop));
  for (int t = 0; t < THREADS; t++) {
    subs[t] = (struct submitter){&stress, t, NULL, 0, 0, 0};
    cr_assert_eq(pthread_create(&threads[t], NULL, submitter_main, &subs[t]),
                 0);
  }
  for (int t = 0; t < THREADS; t++)
    pthread_join(threads[t], NULL);
  for (int t = 0; t < THREADS; t++) {
    cr_assert_null(subs[t].failed_call, "thread %d: %s gave %d (%s)", t,
                   subs[t].failed_call, subs[t].failed_rv,
                   async_err_name(subs[t].failed_rv));
    soon_done += subs[t].soon_done;
    sleeps_done += subs[t].sleeps_done;
  }

  /* Closing runs whatever callbacks are still queued. */
  ASSERT_OK(async_loop_close(stress.loop));
  cr_assert_eq(atomic_load(&stress.runs), per_kind);
  cr_assert_eq(soon_done, per_kind);
  cr_assert_eq(sleeps_done, per_kind);
  for (size_t i = 0; i < futures; i++)
    cr_assert_eq(atomic_load(&stress.slots[i]), 1, "future %zu: %d callbacks",
                 i, atomic_load(&stress.slots[i]));
  async_loop_release(stress.loop);
  free(stress.slots);
}

/* ---- cancel and resolve racing on the same promises ------------------ */

struct race {
  async_future_t **promises;
  atomic_int *freed; /* per promise: its value's frees */
  pthread_barrier_t start;
  int resolve_rv; /* first failure of each side */
  int cancel_rv;
};

static void count_free_atomic(void *value) {
  atomic_fetch_add((atomic_int *)value, 1);
}

static void *resolver_main(void *arg) {
  struct race *race = arg;

  pthread_barrier_wait(&race->start);
  for (int i = 0; i < RACE_PROMISES; i++) {
    int rv = async_future_resolve(race->promises[i], &race->freed[i],
                                  count_free_atomic);

    if (rv < 0 && race->resolve_rv == 0)
      race->resolve_rv = rv;
  }
  return NULL;
}

static void *canceller_main(void *arg) {
  struct race *race = arg;

  pthread_barrier_wait(&race->start);
  for (int i = 0; i < RACE_PROMISES; i++) {
    int rv = async_future_cancel(race->promises[i]);

    if (rv < 0 && race->cancel_rv == 0)
      race->cancel_rv = rv;
  }
  return NULL;
}

Test(threads, cancel_racing_resolve_completes_each_promise_once,
     .timeout = 60) {
  async_loop_t *loop = new_loop();
  struct race race = {
      .promises = calloc(RACE_PROMISES, sizeof(async_future_t *)),
      .freed = calloc(RACE_PROMISES, sizeof(atomic_int)),
  };
  atomic_int *calls = calloc(RACE_PROMISES, sizeof(atomic_int));
  pthread_t resolver, canceller;
  int done = 0, cancelled = 0;

  cr_assert(race.promises && race.freed && calls);
  ASSERT_OK(async_loop_start_thread(loop));
  for (int i = 0; i < RACE_PROMISES; i++) {
    ASSERT_OK(async_future_new(&race.promises[i], loop));
    ASSERT_OK(
        async_future_on_done(race.promises[i], count_cb_atomic, &calls[i]));
  }
  pthread_barrier_init(&race.start, NULL, 2);
  cr_assert_eq(pthread_create(&resolver, NULL, resolver_main, &race), 0);
  cr_assert_eq(pthread_create(&canceller, NULL, canceller_main, &race), 0);
  pthread_join(resolver, NULL);
  pthread_join(canceller, NULL);
  pthread_barrier_destroy(&race.start);
  cr_assert_eq(race.resolve_rv, 0, "resolve gave %s",
               async_err_name(race.resolve_rv));
  cr_assert_eq(race.cancel_rv, 0, "cancel gave %s",
               async_err_name(race.cancel_rv));

  for (int i = 0; i < RACE_PROMISES; i++) {
    int state;

    ASSERT_OK(async_future_wait(race.promises[i], 10.0));
    state = async_future_state(race.promises[i]);
    cr_assert(state == ASYNC_DONE || state == ASYNC_CANCELLED,
              "promise %d ended %s", i, state_name(state));
    if (state == ASYNC_DONE)
      done++;
    else
      cancelled++;
  }
  cr_log_info("race: %d resolved, %d cancelled", done, cancelled);

  ASSERT_OK(async_loop_close(loop));
  for (int i = 0; i < RACE_PROMISES; i++) {
    cr_assert_eq(atomic_load(&calls[i]), 1, "promise %d: %d callbacks", i,
                 atomic_load(&calls[i]));
    async_future_release(race.promises[i]);
  }
  async_loop_release(loop);
  /* Kept or refused, every value is freed exactly once. */
  for (int i = 0; i < RACE_PROMISES; i++)
    cr_assert_eq(atomic_load(&race.freed[i]), 1, "value %d freed %d times", i,
                 atomic_load(&race.freed[i]));
  free(race.promises);
  free(race.freed);
  free(calls);
}

/* ---- close while four threads are submitting ------------------------- */

struct close_slot {
  atomic_int ran; /* the task ran */
  atomic_int cb;  /* the on_done callback ran */
};

struct close_submitter {
  async_loop_t *loop;
  struct close_slot *slots;
  async_future_t **futures;
  int *on_done_rv;
  atomic_int submitted; /* futures made (call returned 0) */
  int saw_closed;
  int error;       /* an unexpected return code */
  int after_rv[2]; /* calls made after the first ASYNC_ECLOSED */
  int out_written; /* an out parameter written by a failed call */
};

static int slot_task(void *arg, void **result) {
  (void)result;
  atomic_fetch_add(&((struct close_slot *)arg)->ran, 1);
  return 0;
}

static void slot_cb(async_future_t *future, void *userdata) {
  (void)future;
  atomic_fetch_add(&((struct close_slot *)userdata)->cb, 1);
}

/* Submits until the loop answers ASYNC_ECLOSED; odd ones are sleeps. */
static void *close_submitter_main(void *arg) {
  static char sentinel;
  async_future_t *const unset = (async_future_t *)(void *)&sentinel;
  struct close_submitter *s = arg;
  int n;

  for (n = 0; n < CLOSE_CAP; n++) {
    async_future_t *f = unset;
    int rv = n % 2 == 0
                 ? async_loop_call_soon(s->loop, slot_task, &s->slots[n], &f)
                 : async_sleep(s->loop, 0.0, &f);

    if (rv == ASYNC_ECLOSED) {
      s->saw_closed = 1;
      s->out_written |= f != unset;
      break;
    }
    if (rv != 0) {
      s->error = rv;
      break;
    }
    s->futures[n] = f;
    s->on_done_rv[n] = async_future_on_done(f, slot_cb, &s->slots[n]);
    atomic_store(&s->submitted, n + 1);
  }
  if (s->saw_closed) {
    async_future_t *f = unset;

    s->after_rv[0] = async_loop_call_soon(s->loop, slot_task, &s->slots[0], &f);
    s->after_rv[1] = async_sleep(s->loop, 0.0, &f);
    s->out_written |= f != unset;
  }
  return NULL;
}

/*
 * Checks that every future a thread made completed exactly once, with one
 * callback when on_done was accepted; returns how many completed.
 */
static long check_close_submitter(int t, struct close_submitter *s) {
  int n = atomic_load(&s->submitted);
  long completions = 0;

  cr_assert_eq(s->error, 0, "thread %d: %s", t, async_err_name(s->error));
  cr_assert(s->saw_closed, "thread %d never saw the close (cap too low)", t);
  cr_assert_eq(s->after_rv[0], ASYNC_ECLOSED, "thread %d: call_soon gave %s", t,
               async_err_name(s->after_rv[0]));
  cr_assert_eq(s->after_rv[1], ASYNC_ECLOSED, "thread %d: sleep gave %s", t,
               async_err_name(s->after_rv[1]));
  cr_assert_eq(s->out_written, 0, "thread %d: a failed call wrote out", t);
  for (int i = 0; i < n; i++) {
    int state = async_future_state(s->futures[i]);
    int ran = atomic_load(&s->slots[i].ran), cb = atomic_load(&s->slots[i].cb);

    cr_assert(state == ASYNC_DONE || state == ASYNC_CANCELLED,
              "thread %d future %d ended %s", t, i, state_name(state));
    completions += state != ASYNC_PENDING;
    if (i % 2 == 0)
      cr_assert_eq(ran, state == ASYNC_DONE, "thread %d task %d ran %d times",
                   t, i, ran);
    if (s->on_done_rv[i] == 0)
      cr_assert_eq(cb, 1, "thread %d future %d: %d callbacks", t, i, cb);
    else
      cr_assert(s->on_done_rv[i] == ASYNC_ECLOSED && cb == 0,
                "thread %d future %d: on_done gave %s, %d callbacks", t, i,
                async_err_name(s->on_done_rv[i]), cb);
    async_future_release(s->futures[i]);
  }
  return completions;
}

Test(threads, close_while_threads_submit_loses_nothing, .timeout = 60) {
  async_loop_t *loop = new_loop();
  struct close_submitter subs[THREADS];
  pthread_t threads[THREADS];
  long successes = 0, completions = 0;
  double deadline;
  int ready;

  ASSERT_OK(async_loop_start_thread(loop));
  for (int t = 0; t < THREADS; t++) {
    subs[t] = (struct close_submitter){
        .loop = loop,
        .slots = calloc(CLOSE_CAP, sizeof(struct close_slot)),
        .futures = calloc(CLOSE_CAP, sizeof(async_future_t *)),
        .on_done_rv = calloc(CLOSE_CAP, sizeof(int)),
    };
    cr_assert(subs[t].slots && subs[t].futures && subs[t].on_done_rv);
    cr_assert_eq(
        pthread_create(&threads[t], NULL, close_submitter_main, &subs[t]), 0);
  }

  /* Close once every thread is well under way. */
  deadline = mono_now() + 20.0;
  do {
    sleep_for(0.001);
    ready = 0;
    for (int t = 0; t < THREADS; t++)
      ready += atomic_load(&subs[t].submitted) >= 1000;
  } while (ready < THREADS && mono_now() < deadline);
  cr_assert_eq(ready, THREADS, "threads did not get going");
  ASSERT_OK(async_loop_close(loop));

  for (int t = 0; t < THREADS; t++)
    pthread_join(threads[t], NULL);
  for (int t = 0; t < THREADS; t++) {
    cr_log_info("thread %d: %d submitted before the close", t,
                atomic_load(&subs[t].submitted));
    successes += atomic_load(&subs[t].submitted);
    completions += check_close_submitter(t, &subs[t]);
    free(subs[t].slots);
    free(subs[t].futures);
    free(subs[t].on_done_rv);
  }
  cr_assert_gt(successes, 0);
  cr_assert_eq(successes, completions);
  async_loop_release(loop);
}
