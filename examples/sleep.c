/*
 * The seed's first example in C: five one-second sleeps take five seconds
 * when made one after another (Python's time.sleep), and one second when
 * made by five concurrent tasks on an event loop (asyncio.sleep).
 *
 * Usage: sleep
 *
 * It prints one line per step, as the Python does, then how long each part
 * took:
 *
 *   Hello World:1536842494.2786784          (five times, a second apart)
 *   Hello World:1536855050.1950748          (five times at once)
 *   Hello wow World:1536855051.1993241      (five times, a second later)
 *   synchronous: 5 calls in 5.00 s
 *   asynchronous: 5 tasks in 1.00 s
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libasync.h>

#define TASKS 5

/* Ends the program on a library error, naming the call that failed. */
static void check(int rv, const char *call) {
  if (rv < 0) {
    fprintf(stderr, "sleep: %s: %s\n", call, async_strerror(rv));
    exit(1);
  }
}

/* Seconds since the epoch with fractions, like Python's time.time(). */
static double unix_time(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A clock for durations that no clock adjustment can move. */
static double monotonic_time(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* print('<what>:%s' % time.time()), flushed so a pipe sees it at once. */
static void say(const char *what) {
  printf("%s:%.7f\n", what, unix_time());
  fflush(stdout);
}

/* ---- synchronous ------------------------------------------------------ */

/*
 * def hello():
 *     time.sleep(1)
 *
 * The loop runs until this one sleep is over and has nothing else to do
 * meanwhile: waiting blocks the program, as time.sleep does.
 */
static void hello_sync(async_loop_t *loop) {
  async_future_t *nap = NULL;

  check(async_sleep(loop, 1.0, &nap), "async_sleep");
  check(async_loop_run_until(loop, nap), "async_loop_run_until");
  check(async_future_error(nap), "async_sleep");
  async_future_release(nap);
}

/*
 * def run():
 *     for i in range(5):
 *         hello()
 *         print('Hello World:%s' % time.time())
 *
 * Returns the seconds it took.
 */
static double run_sync(async_loop_t *loop) {
  double start = monotonic_time();

  for (int i = 0; i < TASKS; i++) {
    hello_sync(loop);
    say("Hello World");
  }
  return monotonic_time() - start;
}

/* ---- asynchronous ----------------------------------------------------- */

/*
 * One running `async def hello()`. C has no coroutines, so the function
 * is cut in two at its `await`: hello_start() runs up to it, and
 * hello_resume() runs the rest when the sleep completes. `done` is the
 * promise that completes when hello() returns — what asyncio calls the
 * task, and what asyncio.wait(tasks) waits for.
 */
struct hello_task {
  async_loop_t *loop;
  async_future_t *done;
  async_future_t *nap; /* the sleep being awaited */
};

/*
 *     print('Hello wow World:%s' % time.time())
 *
 * The second half of hello(), after `await asyncio.sleep(1)` returns.
 */
static void hello_resume(async_future_t *nap, void *userdata) {
  struct hello_task *task = userdata;
  int err = async_future_error(nap);

  if (err == ASYNC_ECANCELLED) {
    check(async_future_cancel(task->done), "async_future_cancel");
    return;
  }
  if (err < 0) {
    check(async_future_reject(task->done, err, async_future_message(nap)),
          "async_future_reject");
    return;
  }
  say("Hello wow World");
  check(async_future_resolve(task->done, NULL, NULL), "async_future_resolve");
}

/*
 * async def hello():
 *     print('Hello World:%s' % time.time())
 *     await asyncio.sleep(1)
 *
 * The first half of hello(). The await becomes a sleep future with a
 * callback that resumes the task; the loop meanwhile runs the other tasks.
 */
static int hello_start(void *arg, void **result) {
  struct hello_task *task = arg;
  int rv;

  (void)result;
  say("Hello World");
  rv = async_sleep(task->loop, 1.0, &task->nap);
  if (rv == 0)
    rv = async_future_on_done(task->nap, hello_resume, task);
  if (rv < 0) /* end the task, so that the wait below still ends */
    check(async_future_reject(task->done, rv, NULL), "async_future_reject");
  return rv;
}

/*
 * def run():
 *     tasks = []
 *     for i in range(5):
 *         tasks.append(hello())
 *     loop.run_until_complete(asyncio.wait(tasks))
 *
 * Returns the seconds it took.
 */
static double run_async(async_loop_t *loop) {
  struct hello_task tasks[TASKS];
  async_future_t *done[TASKS], *all = NULL;
  double start = monotonic_time(), elapsed;

  for (int i = 0; i < TASKS; i++) {
    tasks[i] = (struct hello_task){loop, NULL, NULL};
    check(async_future_new(&tasks[i].done, loop), "async_future_new");
    done[i] = tasks[i].done;
    check(async_loop_call_soon(loop, hello_start, &tasks[i], NULL),
          "async_loop_call_soon");
  }
  check(async_wait(loop, done, TASKS, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &all),
        "async_wait");
  check(async_loop_run_until(loop, all), "async_loop_run_until");
  elapsed = monotonic_time() - start;

  for (int i = 0; i < TASKS; i++) {
    check(async_future_error(tasks[i].done), "hello");
    async_future_release(tasks[i].nap);
    async_future_release(tasks[i].done);
  }
  async_future_release(all);
  return elapsed;
}

int main(void) {
  async_loop_t *loop = NULL;
  double sync_s, async_s;

  /* loop = asyncio.get_event_loop() */
  check(async_loop_new(&loop), "async_loop_new");

  sync_s = run_sync(loop);
  async_s = run_async(loop);
  printf("synchronous: %d calls in %.2f s\n", TASKS, sync_s);
  printf("asynchronous: %d tasks in %.2f s\n", TASKS, async_s);

  /* loop.close() */
  check(async_loop_close(loop), "async_loop_close");
  async_loop_release(loop);
  return 0;
}
