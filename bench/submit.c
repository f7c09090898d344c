/*
 * submit [OPS] — how fast tasks reach the loop.
 *
 * Cases, one RESULT line each:
 *   loop         async_loop_call_soon(fn, NULL out) from the loop's own
 *                thread (fire and forget), OPS tasks (default 10,000,000);
 *   loop_future  the same with a future per task, released at once;
 *   threadsT     T = 1, 2, 4 foreign threads submitting OPS tasks in all
 *                (default 2,000,000) to a runtime-mode loop, fire and
 *                forget, through the cross-thread queue.
 *
 *   RESULT case=<case> ops=<n> ops_per_s=<x>
 *
 * Each case is timed from its first submission until the loop has run
 * every task.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libasync.h>

#define DEFAULT_LOOP_OPS 10000000L
#define DEFAULT_THREAD_OPS 2000000L
#define BATCH 100000L /* tasks queued at once on the loop thread */

static double monotonic_time(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rv, const char *call) {
  if (rv < 0) {
    fprintf(stderr, "submit: %s: %s\n", call, async_strerror(rv));
    exit(1);
  }
}

static void report(const char *name, long ops, double seconds) {
  printf("%-12s %ld tasks in %.3f s\n", name, ops, seconds);
  printf("RESULT case=%s ops=%ld ops_per_s=%.0f\n", name, ops,
         (double)ops / seconds);
  fflush(stdout);
}

/* ---- on the loop thread ------------------------------------------------ */

struct loop_bench {
  async_loop_t *loop;
  long total;     /* tasks to run */
  long submitted; /* tasks queued so far */
  long ran;       /* tasks run so far */
  int with_future;
  double start, end;
};

static int batch_task(void *arg, void **result);

/* The task being measured: it only counts. */
static int count_task(void *arg, void **result) {
  struct loop_bench *b = arg;

  (void)result;
  if (++b->ran == b->total)
    b->end = monotonic_time();
  return 0;
}

static void submit_one(struct loop_bench *b, async_task_fn fn) {
  async_future_t *f = NULL;

  if (b->with_future) {
    check(async_loop_call_soon(b->loop, fn, b, &f), "async_loop_call_soon");
    async_future_release(f);
  } else {
    check(async_loop_call_soon(b->loop, fn, b, NULL), "async_loop_call_soon");
  }
}

/*
 * Queues the next batch. Its last task queues the one after, so the ready
 * queue never holds more than a batch: the measure is of the queue's
 * speed, not of the allocator growing it to OPS entries.
 */
static void submit_batch(struct loop_bench *b) {
  long n = b->total - b->submitted < BATCH ? b->total - b->submitted : BATCH;
  int more = b->submitted + n < b->total;

  for (long i = 0; i < n; i++)
    submit_one(b, more && i == n - 1 ? batch_task : count_task);
  b->submitted += n;
}

static int batch_task(void *arg, void **result) {
  count_task(arg, result);
  submit_batch(arg);
  return 0;
}

/* Runs on the loop: the clock starts inside a callback, as a task would. */
static int start_task(void *arg, void **result) {
  struct loop_bench *b = arg;

  (void)result;
  b->start = monotonic_time();
  submit_batch(b);
  return 0;
}

static void bench_loop(const char *name, long ops, int with_future) {
  struct loop_bench b = {NULL, ops, 0, 0, with_future, 0, 0};

  check(async_loop_new(&b.loop), "async_loop_new");
  check(async_loop_call_soon(b.loop, start_task, &b, NULL),
        "async_loop_call_soon");
  check(async_loop_run(b.loop, ASYNC_RUN_DEFAULT), "async_loop_run");
  if (b.ran != ops) {
    fprintf(stderr, "submit: %s: %ld of %ld tasks ran\n", name, b.ran, ops);
    exit(1);
  }
  report(name, ops, b.end - b.start);
  check(async_loop_close(b.loop), "async_loop_close");
  async_loop_release(b.loop);
}

/* ---- from foreign threads ---------------------------------------------- */

struct thread_bench {
  async_loop_t *loop;
  long per_thread;
  long total;
  atomic_long ran;
  atomic_int error;        /* first failed submission, 0 if none */
  async_future_t *all_ran; /* resolved by the last task to run */
  pthread_barrier_t go;
};

/* Counts; the last task wakes the main thread through a promise. */
static int xcount_task(void *arg, void **result) {
  struct thread_bench *b = arg;

  (void)result;
  if (atomic_fetch_add(&b->ran, 1) + 1 == b->total)
    check(async_future_resolve(b->all_ran, NULL, NULL), "async_future_resolve");
  return 0;
}

static void *submitter(void *arg) {
  struct thread_bench *b = arg;

  pthread_barrier_wait(&b->go);
  for (long i = 0; i < b->per_thread; i++) {
    int rv = async_loop_call_soon(b->loop, xcount_task, b, NULL);

    if (rv < 0) {
      int none = 0;

      atomic_compare_exchange_strong(&b->error, &none, rv);
      break;
    }
  }
  return NULL;
}

static void bench_threads(int threads, long ops) {
  /* At least one task per thread, so that the last one resolves all_ran. */
  long per_thread = ops / threads > 0 ? ops / threads : 1;
  struct thread_bench b = {.per_thread = per_thread,
                           .total = per_thread * threads};
  pthread_t tids[8];
  char name[16];
  double start;

  check(async_loop_new(&b.loop), "async_loop_new");
  check(async_loop_start_thread(b.loop), "async_loop_start_thread");
  check(async_future_new(&b.all_ran, b.loop), "async_future_new");
  pthread_barrier_init(&b.go, NULL, (unsigned)threads + 1);
  for (int t = 0; t < threads; t++)
    if (pthread_create(&tids[t], NULL, submitter, &b) != 0) {
      fprintf(stderr, "submit: cannot create a thread\n");
      exit(1);
    }

  pthread_barrier_wait(&b.go); /* every thread starts together */
  start = monotonic_time();
  for (int t = 0; t < threads; t++)
    pthread_join(tids[t], NULL);
  check(atomic_load(&b.error), "async_loop_call_soon");
  check(async_future_wait(b.all_ran, ASYNC_FOREVER), "async_future_wait");
  snprintf(name, sizeof(name), "threads%d", threads);
  report(name, b.total, monotonic_time() - start);

  pthread_barrier_destroy(&b.go);
  async_future_release(b.all_ran);
  check(async_loop_close(b.loop), "async_loop_close");
  async_loop_release(b.loop);
}

int main(int argc, char **argv) {
  long loop_ops = DEFAULT_LOOP_OPS, thread_ops = DEFAULT_THREAD_OPS;
  static const int thread_counts[] = {1, 2, 4};

  if (argc > 1) {
    char *end;
    long n = strtol(argv[1], &end, 10);

    if (*end != '\0' || n <= 0) {
      fprintf(stderr, "usage: submit [OPS]\n");
      return 2;
    }
    loop_ops = thread_ops = n;
  }
  bench_loop("loop", loop_ops, 0);
  bench_loop("loop_future", loop_ops, 1);
  for (size_t i = 0; i < sizeof(thread_counts) / sizeof(thread_counts[0]); i++)
    bench_threads(thread_counts[i], thread_ops);
  return 0;
}
