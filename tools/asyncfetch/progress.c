/*
 * asyncfetch — drawing the progress bar.
 *
 * A timer on the loop redraws it every AF_TICK seconds, on one line of the
 * terminal that each redraw overwrites; text written to standard error
 * meanwhile erases it first (af_progress_clear), and the next tick draws
 * it again below that text.
 */
#include "progress.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "job.h"

#define AF_TICK 0.2        /* seconds between redraws */
#define AF_DELAY 0.5       /* no bar for work shorter than this */
#define AF_LARGE (1 << 20) /* a body this large is long work */

/* Totals over the transfers. */
typedef struct af_totals {
  int64_t received; /* body bytes */
  int64_t expected; /* sum of known lengths, or -1 if one is unknown */
  int large;        /* a body is AF_LARGE or more */
} af_totals_t;

static af_totals_t af_totals(const af_job_t *job) {
  af_totals_t totals = {0, 0, 0};

  for (size_t i = 0; i < job->n; i++) {
    const af_transfer_t *t = &job->transfers[i];

    totals.received += t->received;
    if (t->expected >= AF_LARGE || t->received >= AF_LARGE)
      totals.large = 1;
    if (t->done)
      totals.expected += t->received;
    else if (t->expected >= 0 && totals.expected >= 0)
      totals.expected += t->expected;
    else
      totals.expected = -1;
  }
  return totals;
}

static int af_columns(void) {
  struct winsize size;

  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20)
    return size.ws_col;
  return 80;
}

/* "1.5 MiB" */
static void af_size(char *buf, size_t size, double bytes) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;

  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    unit++;
  }
  snprintf(buf, size, unit ? "%.1f %s" : "%.0f %s", bytes, units[unit]);
}

static void af_draw(af_progress_t *progress) {
  const af_job_t *job = progress->job;
  af_totals_t totals = af_totals(job);
  double elapsed = async_loop_now(job->loop) - progress->start;
  double fraction;
  char bytes[32], speed[32], tail[128], bar[256];
  int columns = af_columns(), width, filled;

  if (totals.expected > 0)
    fraction = (double)totals.received / (double)totals.expected;
  else
    fraction = job->n ? (double)job->finished / (double)job->n : 1;
  /* Not 100% while a transfer runs, whatever the bytes say. */
  if (fraction > 0.99 && job->finished < job->n)
    fraction = 0.99;
  if (fraction > 1)
    fraction = 1;
  af_size(bytes, sizeof bytes, (double)totals.received);
  af_size(speed, sizeof speed,
          elapsed > 0 ? (double)totals.received / elapsed : 0);
  snprintf(tail, sizeof tail, " %3.0f%%  %zu/%zu  %s  %s/s", fraction * 100,
           job->finished, job->n, bytes, speed);
  width = columns - 3 - (int)strlen(tail);
  if (width > (int)sizeof bar - 1)
    width = (int)sizeof bar - 1;
  if (width < 10) {
    width = 0;
    if ((int)strlen(tail) > columns - 1)
      tail[columns - 1] = '\0';
  }
  filled = (int)(fraction * width);
  memset(bar, '#', (size_t)filled);
  memset(bar + filled, '-', (size_t)(width - filled));
  bar[width] = '\0';
  fprintf(stderr, "\r\033[K%s%s%s%s", width ? "[" : "", bar, width ? "]" : "",
          tail);
  fflush(stderr);
  progress->shown = 1;
  progress->drawn = 1;
}

/* Whether the work so far deserves a bar. */
static int af_long_work(const af_progress_t *progress) {
  const af_job_t *job = progress->job;

  if (async_loop_now(job->loop) - progress->start < AF_DELAY)
    return 0;
  return job->n > 1 || af_totals(job).large;
}

static int af_tick(void *arg, void **result) {
  af_progress_t *progress = arg;

  (void)result;
  if (progress->stopped)
    return 0;
  if (af_long_work(progress))
    af_draw(progress);
  async_loop_call_later(progress->job->loop, AF_TICK, af_tick, progress, NULL);
  return 0;
}

/* Whether some body is written to standard output while it is a
 * terminal: a bar would then tear through it (curl hides its meter too). */
static int af_bodies_to_terminal(const af_job_t *job) {
  if (!isatty(STDOUT_FILENO))
    return 0;
  for (size_t i = 0; i < job->n; i++) {
    if (job->transfers[i].path == NULL)
      return 1;
  }
  return 0;
}

void af_progress_start(af_progress_t *progress, af_job_t *job) {
  const af_options_t *opts = job->opts;

  memset(progress, 0, sizeof(*progress));
  progress->job = job;
  progress->start = async_loop_now(job->loop);
  progress->enabled = isatty(STDERR_FILENO) && !opts->silent &&
                      !opts->verbose && !af_bodies_to_terminal(job);
  if (progress->enabled &&
      async_loop_call_later(job->loop, AF_TICK, af_tick, progress, NULL) < 0)
    progress->enabled = 0;
}

void af_progress_clear(af_progress_t *progress) {
  if (!progress->shown)
    return;
  fputs("\r\033[K", stderr);
  progress->shown = 0;
}

void af_progress_finish(af_progress_t *progress) {
  progress->stopped = 1;
  if (!progress->drawn)
    return;
  af_draw(progress);
  fputc('\n', stderr);
  progress->shown = 0;
}
