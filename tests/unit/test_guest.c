/*
 * Guest mode: a host drives the loop with nothing but poll() on the
 * backend fd, a timeout from async_loop_next_timeout(), and
 * async_loop_run(loop, ASYNC_RUN_NOWAIT) — as asyncio, libuv or Go's
 * netpoller would. No other thread drives it.
 */
#include "helpers.h"

#include <poll.h>

struct guest_stats {
  int polls;    /* poll() calls */
  int readable; /* of which the backend fd was readable */
};

/* next_timeout's seconds as poll()'s milliseconds, rounded up. */
static int timeout_ms(double seconds) {
  double ms = seconds * 1000.0;
  int whole;

  if (seconds < 0)
    return -1;
  if (ms > 1e9)
    return 1000000000;
  whole = (int)ms;
  return whole < ms ? whole + 1 : whole;
}

/*
 * One host iteration: run what is ready, ask how long to sleep, sleep in
 * poll() on the backend fd. `cap_ms` only bounds a broken test's hang.
 */
static void guest_iteration(async_loop_t *loop, int cap_ms,
                            struct guest_stats *stats) {
  struct pollfd pfd = {.fd = async_loop_backend_fd(loop), .events = POLLIN};
  double seconds = -2;
  int rv, ms;

  cr_assert_geq(pfd.fd, 0, "backend_fd gave %d", pfd.fd);
  rv = async_loop_run(loop, ASYNC_RUN_NOWAIT);
  cr_assert_geq(rv, 0, "run(NOWAIT) gave %d (%s)", rv, async_err_name(rv));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert(seconds == -1 || seconds >= 0, "next_timeout gave %f", seconds);
  ms = timeout_ms(seconds);
  if (ms < 0 || ms > cap_ms)
    ms = cap_ms;
  rv = poll(&pfd, 1, ms);
  cr_assert_geq(rv, 0, "poll failed");
  stats->polls++;
  if (rv > 0 && (pfd.revents & POLLIN))
    stats->readable++;
}

/* Drives the loop as a guest until *done reaches `want` or `limit_s`. */
static void guest_drive(async_loop_t *loop, atomic_int *done, int want,
                        double limit_s, struct guest_stats *stats) {
  double end = mono_now() + limit_s;

  while (atomic_load(done) < want && mono_now() < end) {
    int cap_ms = (int)((end - mono_now()) * 1000.0) + 1;

    guest_iteration(loop, cap_ms, stats);
    /* Whatever the poll woke for runs in the next NOWAIT. */
    cr_assert_geq(async_loop_run(loop, ASYNC_RUN_NOWAIT), 0);
  }
}

struct timed_done {
  atomic_int *done;
  int *order;
  int id;
  double at;
};

static void timed_done_cb(async_future_t *future, void *userdata) {
  struct timed_done *rec = userdata;

  (void)future;
  rec->at = mono_now();
  rec->order[atomic_fetch_add(rec->done, 1)] = rec->id;
}

Test(guest, sleeps_complete_in_order_and_on_time, .timeout = 10) {
  static const double delays[3] = {0.03, 0.01, 0.02};
  static const int expected[3] = {1, 2, 0};
  async_loop_t *loop = new_loop();
  async_future_t *naps[3];
  struct timed_done recs[3];
  struct guest_stats stats = {0, 0};
  atomic_int done = 0;
  int order[3] = {-1, -1, -1};
  double start = mono_now();

  for (int i = 0; i < 3; i++) {
    recs[i] = (struct timed_done){&done, order, i, 0};
    ASSERT_OK(async_sleep(loop, delays[i], &naps[i]));
    ASSERT_OK(async_future_on_done(naps[i], timed_done_cb, &recs[i]));
  }
  guest_drive(loop, &done, 3, 5.0, &stats);

  cr_assert_eq(atomic_load(&done), 3);
  for (int i = 0; i < 3; i++) {
    double late = recs[i].at - start - delays[i];

    cr_assert_eq(order[i], expected[i], "position %d: sleep %d", i, order[i]);
    cr_assert_geq(late, -0.001, "sleep %d done %.4f s early", i, -late);
    cr_assert_lt(late, 0.1, "sleep %d done %.4f s late", i, late);
    ASSERT_STATE(naps[i], ASYNC_DONE);
    async_future_release(naps[i]);
  }
  /* The host slept in poll() between timers instead of spinning. */
  cr_assert_lt(stats.polls, 100, "%d polls for three timers", stats.polls);
  finish_loop(loop);
}

struct remote_submit {
  async_loop_t *loop;
  atomic_int *runs;
  pthread_t task_thread;
  int rv;
};

static int remote_task(void *arg, void **result) {
  struct remote_submit *submit = arg;

  (void)result;
  submit->task_thread = pthread_self();
  atomic_fetch_add(submit->runs, 1);
  return 0;
}

static void *remote_submitter(void *arg) {
  struct remote_submit *submit = arg;

  sleep_for(0.05); /* let the host settle into poll() first */
  submit->rv = async_loop_call_soon(submit->loop, remote_task, submit, NULL);
  return NULL;
}

Test(guest, call_soon_from_another_thread_wakes_the_poll, .timeout = 10) {
  async_loop_t *loop = new_loop();
  atomic_int runs = 0;
  struct remote_submit submit = {loop, &runs, pthread_self(), 1};
  struct guest_stats stats = {0, 0};
  pthread_t thread;
  double seconds = -2, start, elapsed;

  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_NOWAIT));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_eq(seconds, -1, "next_timeout %f with nothing to do", seconds);

  start = mono_now();
  cr_assert_eq(pthread_create(&thread, NULL, remote_submitter, &submit), 0);
  guest_drive(loop, &runs, 1, 3.0, &stats);
  elapsed = mono_now() - start;
  pthread_join(thread, NULL);

  cr_assert_eq(submit.rv, 0, "call_soon gave %d (%s)", submit.rv,
               async_err_name(submit.rv));
  cr_assert_eq(atomic_load(&runs), 1);
  cr_assert_geq(stats.readable, 1, "the backend fd never became readable");
  cr_assert_lt(elapsed, 1.0, "the call took %.3f s to run", elapsed);
  cr_assert(pthread_equal(submit.task_thread, pthread_self()),
            "the task ran off the host thread");
  finish_loop(loop);
}

Test(guest, next_timeout_follows_the_work, .timeout = 10) {
  async_loop_t *loop = new_loop();
  async_future_t *timer = NULL;
  double seconds = -2;
  int runs = 0;

  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_NOWAIT));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_eq(seconds, -1, "%f with nothing to do", seconds);

  /* A queued task is ready now. */
  ASSERT_OK(async_loop_call_soon(loop, count_task, &runs, NULL));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_eq(seconds, 0, "%f with a call_soon queued", seconds);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_NOWAIT));
  cr_assert_eq(runs, 1);
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_eq(seconds, -1, "%f after the task ran", seconds);

  /* A timer: the time until it is due. */
  ASSERT_OK(async_loop_call_later(loop, 0.5, count_task, &runs, &timer));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_gt(seconds, 0.3, "%f for a timer due in 0.5 s", seconds);
  cr_assert_leq(seconds, 0.5, "%f for a timer due in 0.5 s", seconds);
  ASSERT_OK(async_future_cancel(timer));
  async_future_release(timer);
  ASSERT_OK(async_loop_run(loop, ASYNC_RUN_NOWAIT));
  ASSERT_OK(async_loop_next_timeout(loop, &seconds));
  cr_assert_eq(seconds, -1, "%f after the timer was cancelled", seconds);
  cr_assert_eq(runs, 1);
  finish_loop(loop);
}
