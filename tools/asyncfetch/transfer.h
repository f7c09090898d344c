/*
 * asyncfetch — one transfer: a URL, its request, its response, and where
 * its output goes.
 */
#ifndef ASYNCFETCH_TRANSFER_H
#define ASYNCFETCH_TRANSFER_H

#include <stdint.h>
#include <stdio.h>

#include <libasync.h>

struct af_job;

/* Bytes kept for later: a transfer's output before its turn comes. */
typedef struct af_buffer {
  char *data;
  size_t len;
  size_t capacity;
} af_buffer_t;

typedef struct af_transfer {
  struct af_job *job;
  size_t index;     /* position among the URLs */
  char *url;        /* as requested: "http://" added when no scheme */
  const char *path; /* -o FILE, or NULL for standard output */
  FILE *file;       /* the -o file, once opened */

  async_request_t *request;
  async_future_t *future;
  async_response_t *response; /* retained once the head has arrived */
  const char *method;

  int done;        /* the transfer is over */
  int live;        /* its turn has come: output goes straight out */
  int headers;     /* the response head was handled */
  int stdout_used; /* some of its output went to standard output */
  int exit_code;   /* 0, or the CLI's exit status for this transfer */
  int err;         /* the library's error, or 0 */
  char *message;   /* what went wrong, naming the URL */

  int64_t expected;  /* Content-Length of the body, or -1 */
  int64_t received;  /* body bytes so far */
  double start, end; /* on the loop's clock */

  /* Output waiting for the transfer's turn, in the order it was written:
   * segments of standard output and standard error text (see output.c). */
  af_buffer_t kept;
  size_t last_segment; /* offset of the last segment's header in kept */
} af_transfer_t;

/*
 * Builds the request and sends it. Failures that happen at once (a
 * malformed URL) complete the transfer before this returns, through
 * af_job_transfer_done(), as asynchronous ones do later.
 */
void af_transfer_start(af_transfer_t *t);

/*
 * Ends the transfer early with exit status `exit_code` and a message
 * (printf-style); err is the library's code behind it, or 0. Later
 * failures of the same transfer are ignored: the first one counts.
 */
void af_transfer_fail(af_transfer_t *t, int exit_code, int err,
                      const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Frees what the transfer holds once it is over. */
void af_transfer_free(af_transfer_t *t);

#endif /* ASYNCFETCH_TRANSFER_H */
