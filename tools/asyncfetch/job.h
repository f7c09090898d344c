/*
 * asyncfetch — the job: every URL of the command line fetched through one
 * session, at most --parallel-max at once, with each transfer's output
 * written in argument order.
 */
#ifndef ASYNCFETCH_JOB_H
#define ASYNCFETCH_JOB_H

#include <stddef.h>

#include <libasync.h>

#include "data.h"
#include "options.h"
#include "progress.h"
#include "transfer.h"

typedef struct af_job {
  const af_options_t *opts;
  const af_body_t *body; /* the request body, or data NULL */
  const char *write_out; /* the -w format, or NULL */

  async_loop_t *loop;
  async_session_t *session;

  af_transfer_t *transfers;
  size_t n;
  size_t next;     /* the first transfer not started yet */
  size_t active;   /* started, not over */
  size_t finished; /* over */
  size_t head;     /* the first transfer whose output is not all written */
  int filling;     /* af_job_fill() is running */
  async_future_t *all_done; /* resolved when every transfer is over */

  int stdout_error; /* errno of the first failed write to stdout, or 0 */
  int one_terminal; /* stdout and stderr are terminals (the same, surely) */
  char stdout_last; /* the last byte written to stdout, or 0 */
  af_progress_t progress;
} af_job_t;

/*
 * Fetches every URL of opts. body: the request body (data NULL for
 * none). write_out: the -w format, or NULL. Returns the exit status.
 */
int af_job_run(const af_options_t *opts, const af_body_t *body,
               const char *write_out);

/* A transfer is over: writes what can be written, starts the next. */
void af_job_transfer_done(af_transfer_t *t);

#endif /* ASYNCFETCH_JOB_H */
