/*
 * timers [N] — what N concurrent sleeps cost.
 *
 * Starts N (default 1,000,000) concurrent async_sleep(loop, 1.0) futures,
 * each with an on_done callback that counts it, and runs the loop until
 * all have completed. Reports the wall time from the first sleep to the
 * last completion, the peak resident set size, and the memory each
 * pending sleep costs: (peak RSS - RSS of the idle loop) / N.
 *
 * The last line is for scripts:
 *   RESULT tasks=N wall_s=W peak_rss_kb=K bytes_per_sleep=B
 * Exits 1 if any sleep did not complete ASYNC_DONE.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libasync.h>

#include "common/proc_status.h"

#define DEFAULT_TASKS 1000000L
#define SLEEP_S 1.0

struct timers_state {
  long completions; /* sleeps that completed ASYNC_DONE */
  long failures;    /* sleeps that completed otherwise */
  double last_done; /* monotonic time of the last completion */
};

static double monotonic_time(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static void die(const char *call, int err) {
  fprintf(stderr, "timers: %s: %s\n", call, async_strerror(err));
  exit(1);
}

/* Counts a completed sleep; the last one to run sets the end time. */
static void on_sleep_done(async_future_t *future, void *userdata) {
  struct timers_state *state = userdata;

  if (async_future_state(future) == ASYNC_DONE)
    state->completions++;
  else
    state->failures++;
  state->last_done = monotonic_time();
}

/*
 * Starts n sleeps. Each future is released at once: the sleep keeps its
 * own reference until it completes, so the memory measured is what the
 * library needs per pending operation, not the caller's handles.
 */
static void start_sleeps(async_loop_t *loop, long n,
                         struct timers_state *state) {
  for (long i = 0; i < n; i++) {
    async_future_t *f = NULL;
    int rv = async_sleep(loop, SLEEP_S, &f);

    if (rv < 0)
      die("async_sleep", rv);
    rv = async_future_on_done(f, on_sleep_done, state);
    if (rv < 0)
      die("async_future_on_done", rv);
    async_future_release(f);
  }
}

static long parse_count(int argc, char **argv) {
  char *end;
  long n;

  if (argc < 2)
    return DEFAULT_TASKS;
  n = strtol(argv[1], &end, 10);
  if (*end != '\0' || n <= 0) {
    fprintf(stderr, "usage: timers [N]\n");
    exit(2);
  }
  return n;
}

int main(int argc, char **argv) {
  long n = parse_count(argc, argv), baseline_kb, peak_kb;
  struct timers_state state = {0, 0, 0};
  async_loop_t *loop = NULL;
  double start, wall_s, bytes_per_sleep;
  int rv;

  if ((rv = async_loop_new(&loop)) < 0)
    die("async_loop_new", rv);
  baseline_kb = bench_status_kb("VmRSS");

  start = monotonic_time();
  start_sleeps(loop, n, &state);
  if ((rv = async_loop_run(loop, ASYNC_RUN_DEFAULT)) < 0)
    die("async_loop_run", rv);
  wall_s = state.last_done - start;
  peak_kb = bench_status_kb("VmHWM");
  bytes_per_sleep = (double)(peak_kb - baseline_kb) * 1024.0 / (double)n;

  printf("timers: %ld concurrent sleeps of %.1f s\n", n, SLEEP_S);
  printf("  completed      %ld (%ld failed)\n", state.completions,
         state.failures);
  printf("  wall time      %.3f s, first sleep to last completion\n", wall_s);
  printf("  baseline RSS   %ld kB\n", baseline_kb);
  printf("  peak RSS       %ld kB\n", peak_kb);
  printf("  per sleep      %.0f bytes\n", bytes_per_sleep);
  printf("RESULT tasks=%ld wall_s=%.3f peak_rss_kb=%ld bytes_per_sleep=%.0f\n",
         n, wall_s, peak_kb, bytes_per_sleep);

  if ((rv = async_loop_close(loop)) < 0)
    die("async_loop_close", rv);
  async_loop_release(loop);
  return state.completions == n ? 0 : 1;
}
