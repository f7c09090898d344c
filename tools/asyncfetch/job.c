/*
 * asyncfetch — running every transfer through one session.
 *
 * The loop runs on the main thread (embedded mode) until a promise that
 * the last transfer to end resolves. Up to --parallel-max transfers run
 * at once; as each ends the next one starts, and the output of those
 * whose turn has come is written.
 */
#include "job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "output.h"
#include "url.h"

/* Starts transfers until --parallel-max run or none is left. */
static void af_job_fill(af_job_t *job) {
  /* A transfer that fails at once ends inside af_transfer_start() and
   * calls back into af_job_transfer_done(); the guard keeps that from
   * starting transfers itself, so failures do not nest. */
  job->filling = 1;
  while (job->active < (size_t)job->opts->parallel_max && job->next < job->n) {
    af_transfer_t *t = &job->transfers[job->next++];

    job->active++;
    af_transfer_start(t);
  }
  job->filling = 0;
}

/* The transfer's output is all written: flushes it, reports its failure. */
static void af_job_retire(af_transfer_t *t) {
  const af_options_t *opts = t->job->opts;
  int err = t->stdout_used ? af_output_flush(t) : 0;

  if (err != 0)
    af_transfer_fail(t, 23, ASYNC_EIO,
                     "could not write the output of %s to standard output: %s",
                     t->url, strerror(err));
  if (t->exit_code != 0 && (!opts->silent || opts->show_error))
    af_output_printf(t, AF_STDERR, "asyncfetch: (%d) %s\n", t->exit_code,
                     t->message ? t->message : "out of memory");
  af_transfer_free(t);
}

/* Writes the output of the transfers whose turn has come, in order. */
static void af_job_advance(af_job_t *job) {
  while (job->head < job->n) {
    af_transfer_t *t = &job->transfers[job->head];

    if (!t->live)
      af_output_promote(t);
    if (!t->done)
      break;
    af_job_retire(t);
    job->head++;
  }
}

void af_job_transfer_done(af_transfer_t *t) {
  af_job_t *job = t->job;

  job->active--;
  job->finished++;
  af_job_advance(job);
  if (!job->filling)
    af_job_fill(job);
  if (job->finished == job->n)
    async_future_resolve(job->all_done, NULL, NULL);
}

/* The transfers, one per URL, each with its -o file if one was given. */
static int af_job_transfers(af_job_t *job) {
  const af_options_t *opts = job->opts;

  job->n = opts->urls.count;
  job->transfers = calloc(job->n, sizeof(*job->transfers));
  if (job->transfers == NULL)
    return -1;
  if (opts->outputs.count > job->n && !opts->silent)
    fprintf(stderr,
            "asyncfetch: warning: more -o options than URLs; the last %zu are "
            "ignored\n",
            opts->outputs.count - job->n);
  for (size_t i = 0; i < job->n; i++) {
    af_transfer_t *t = &job->transfers[i];

    t->job = job;
    t->index = i;
    t->url = af_url_complete(opts->urls.items[i]);
    if (t->url == NULL)
      return -1;
    if (i < opts->outputs.count && strcmp(opts->outputs.items[i], "-") != 0)
      t->path = opts->outputs.items[i];
  }
  return 0;
}

/* The exit status: that of the first URL, in argument order, that
 * failed. */
static int af_job_status(const af_job_t *job) {
  for (size_t i = 0; i < job->n; i++) {
    if (job->transfers[i].exit_code != 0)
      return job->transfers[i].exit_code;
  }
  return 0;
}

static void af_job_free(af_job_t *job) {
  if (job->session != NULL) {
    async_session_close(job->session);
    async_session_release(job->session);
  }
  async_future_release(job->all_done);
  if (job->loop != NULL) {
    async_loop_close(job->loop);
    async_loop_release(job->loop);
  }
  for (size_t i = 0; job->transfers != NULL && i < job->n; i++) {
    af_transfer_free(&job->transfers[i]);
    free(job->transfers[i].url);
    free(job->transfers[i].message);
  }
  free(job->transfers);
}

/* The loop, the session and the transfers. Returns 0 or an exit status. */
static int af_job_setup(af_job_t *job) {
  int rv = async_loop_new(&job->loop);

  if (rv == 0)
    rv = async_future_new(&job->all_done, job->loop);
  if (rv < 0) {
    fprintf(stderr, "asyncfetch: (%d) could not start: %s\n",
            async_err_exit_code(rv), async_strerror(rv));
    return async_err_exit_code(rv);
  }
  rv = af_client_new(&job->session, job->loop, job->opts);
  if (rv != 0)
    return rv;
  if (af_job_transfers(job) < 0) {
    fprintf(stderr, "asyncfetch: (%d) out of memory\n",
            async_err_exit_code(ASYNC_ENOMEM));
    return async_err_exit_code(ASYNC_ENOMEM);
  }
  return 0;
}

int af_job_run(const af_options_t *opts, const af_body_t *body,
               const char *write_out) {
  af_job_t job;
  int status;

  memset(&job, 0, sizeof(job));
  job.opts = opts;
  job.body = body;
  job.write_out = write_out;
  job.one_terminal = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
  status = af_job_setup(&job);
  if (status == 0) {
    af_progress_start(&job.progress, &job);
    af_output_promote(&job.transfers[0]);
    af_job_fill(&job);
    async_loop_run_until(job.loop, job.all_done);
    af_progress_finish(&job.progress);
    status = af_job_status(&job);
  }
  af_job_free(&job);
  return status;
}
