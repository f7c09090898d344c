/*
 * asyncfetch — one transfer, from request to completion.
 *
 * Responses are streamed: the head is handled when it arrives (-i, -v,
 * -f, --max-filesize) and each piece of the body is written as it comes,
 * so a large body never sits in memory unless its turn to be written has
 * not come yet.
 */
#include "transfer.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "headers.h"
#include "job.h"
#include "output.h"
#include "writeout.h"

/* ---- failing ------------------------------------------------------------- */

void af_transfer_fail(af_transfer_t *t, int exit_code, int err,
                      const char *format, ...) {
  va_list ap;
  int len;

  if (t->exit_code != 0)
    return;
  t->exit_code = exit_code;
  t->err = err;
  va_start(ap, format);
  len = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  t->message = malloc(len > 0 ? (size_t)len + 1 : 1);
  if (t->message != NULL) {
    va_start(ap, format);
    vsnprintf(t->message, (size_t)len + 1, format, ap);
    va_end(ap);
  }
  /* The library allows a cancel from inside its streaming callbacks. */
  if (t->future != NULL && !t->done)
    async_future_cancel(t->future);
}

/* A failure reported by the library: its message, which names the URL;
 * the URL is added when it does not. */
static void af_fail_with(af_transfer_t *t, int err, const char *message) {
  if (message == NULL || message[0] == '\0')
    message = async_strerror(err);
  if (strstr(message, t->url) != NULL)
    af_transfer_fail(t, async_err_exit_code(err), err, "%s", message);
  else
    af_transfer_fail(t, async_err_exit_code(err), err, "%s for %s", message,
                     t->url);
}

/* Writing the body (or head) failed with errno `error`. */
static void af_fail_write(af_transfer_t *t, int error) {
  if (t->path != NULL)
    af_transfer_fail(t, 23, ASYNC_EIO,
                     "could not write the output of %s to '%s': %s", t->url,
                     t->path, strerror(error));
  else
    af_transfer_fail(t, 23, ASYNC_EIO,
                     "could not write the output of %s to standard output: %s",
                     t->url, strerror(error));
}

/* ---- the response -------------------------------------------------------- */

/* The length the head announces for the body, or -1. */
static int64_t af_body_length(const af_transfer_t *t) {
  const char *text = async_response_header(t->response, "Content-Length");
  int status = async_response_status(t->response);
  char *end;
  long long value;

  if (text == NULL || strcmp(t->method, "HEAD") == 0 || status == 204 ||
      status == 304)
    return -1;
  errno = 0;
  value = strtoll(text, &end, 10);
  return end == text || *end != '\0' || errno != 0 || value < 0 ? -1 : value;
}

/* The status line and headers have arrived. */
static void af_handle_head(af_transfer_t *t) {
  const af_options_t *opts = t->job->opts;
  int status = async_response_status(t->response);
  int err;

  t->headers = 1;
  if (opts->verbose)
    af_output_verbose_head(t, t->response);
  t->expected = af_body_length(t);
  if (opts->fail && status >= 400) {
    af_transfer_fail(t, 22, 0, "the requested URL returned error: %d for %s",
                     status, t->url);
    return;
  }
  if (opts->max_filesize >= 0 && t->expected > opts->max_filesize) {
    af_transfer_fail(t, 63, ASYNC_ETOOLARGE,
                     "the body of %s is %" PRId64
                     " bytes, more than --max-filesize %" PRId64,
                     t->url, t->expected, opts->max_filesize);
    return;
  }
  if (opts->include || opts->head) {
    err = af_output_head(t, t->response);
    if (err != 0)
      af_fail_write(t, err);
  }
}

static void af_on_headers(async_response_t *response, void *userdata) {
  af_transfer_t *t = userdata;

  /* A redirect that was followed may have shown its head first: the
   * response that counts is the last one. */
  async_response_release(t->response);
  t->response = async_response_retain(response);
  if (t->exit_code == 0)
    af_handle_head(t);
}

static void af_handle_data(af_transfer_t *t, const char *data, size_t len) {
  const af_options_t *opts = t->job->opts;
  int err;

  if (t->exit_code != 0 || len == 0)
    return;
  t->received += (int64_t)len;
  if (opts->max_filesize >= 0 && t->received > opts->max_filesize) {
    af_transfer_fail(t, 63, ASYNC_ETOOLARGE,
                     "the body of %s is larger than --max-filesize %" PRId64,
                     t->url, opts->max_filesize);
    return;
  }
  err = af_output_write(t, AF_BODY, data, len);
  if (err != 0)
    af_fail_write(t, err);
}

static void af_on_data(async_response_t *response, const char *data, size_t len,
                       void *userdata) {
  (void)response;
  af_handle_data(userdata, data, len);
}

/* ---- completion ---------------------------------------------------------- */

/* The transfer is over, successfully or not: closes its file, writes its
 * -w text and tells the job. */
static void af_complete(af_transfer_t *t) {
  af_job_t *job = t->job;
  int err;

  t->end = async_loop_now(job->loop);
  t->done = 1;
  err = af_output_close(t, t->exit_code == 0);
  if (err != 0)
    af_fail_write(t, err);
  if (job->write_out != NULL)
    af_writeout(t, job->write_out);
  af_job_transfer_done(t);
}

/* A response that came without the streaming callbacks (the library may
 * deliver a body-less one that way): handled as if streamed. */
static void af_handle_response(af_transfer_t *t, async_response_t *response) {
  const char *body;
  size_t len = 0;

  if (t->headers || response == NULL)
    return;
  t->response = async_response_retain(response);
  af_handle_head(t);
  body = async_response_body(response, &len);
  if (t->received == 0)
    af_handle_data(t, body, len);
}

static void af_on_done(async_future_t *future, void *userdata) {
  af_transfer_t *t = userdata;
  int state = async_future_state(future);

  if (t->exit_code == 0) {
    if (state == ASYNC_DONE)
      af_handle_response(t, async_future_value(future));
    else
      af_fail_with(t, async_future_error(future), async_future_message(future));
  }
  af_complete(t);
}

/* ---- the request --------------------------------------------------------- */

static const char *af_method(const af_job_t *job) {
  if (job->opts->method != NULL)
    return job->opts->method;
  if (job->opts->head)
    return "HEAD";
  return job->body->data != NULL ? "POST" : "GET";
}

/* The -H headers, and the body with its default Content-Type. Headers the
 * session handles (removals, User-Agent) or refuses were dealt with when
 * it was set up. */
static int af_add_headers(af_transfer_t *t) {
  const af_job_t *job = t->job;
  const af_options_t *opts = job->opts;
  const char *value;
  int rv = 0;

  for (size_t i = 0; i < opts->headers.count && rv == 0; i++) {
    char name[256];
    int kind =
        af_header_parse(opts->headers.items[i], name, sizeof name, &value);

    if ((kind != AF_HEADER_ADD && kind != AF_HEADER_EMPTY) ||
        af_header_is_reserved(name) || strcasecmp(name, "User-Agent") == 0)
      continue;
    rv = async_request_add_header(t->request, name, value);
  }
  if (rv == 0 && job->body->data != NULL) {
    if (!af_headers_find(opts, "Content-Type", &value))
      rv = async_request_add_header(t->request, "Content-Type",
                                    "application/x-www-form-urlencoded");
    if (rv == 0)
      rv = async_request_set_body(t->request, job->body->data, job->body->len);
  }
  return rv;
}

/* Whether the method is an HTTP token (RFC 9110), as the library wants. */
static int af_method_is_token(const char *method) {
  static const char others[] = "!#$%&'*+-.^_`|~";

  for (const char *c = method; *c != '\0'; c++) {
    if (!isalnum((unsigned char)*c) && strchr(others, *c) == NULL)
      return 0;
  }
  return 1;
}

/* async_request_new() failed. */
static void af_fail_request(af_transfer_t *t, int rv) {
  if (rv == ASYNC_EINVAL && !af_method_is_token(t->method))
    af_transfer_fail(t, 2, rv, "bad request method '%s' for %s", t->method,
                     t->url);
  else if (rv == ASYNC_EURL || rv == ASYNC_EINVAL)
    af_transfer_fail(t, async_err_exit_code(ASYNC_EURL), ASYNC_EURL,
                     "malformed URL '%s'", t->url);
  else if (rv == ASYNC_ESCHEME)
    af_transfer_fail(t, async_err_exit_code(rv), rv,
                     "unsupported URL scheme in '%s'", t->url);
  else
    af_transfer_fail(t, async_err_exit_code(rv), rv, "%s for %s",
                     async_strerror(rv), t->url);
}

/* Makes the request. Returns 0, or -1 when the transfer has failed. */
static int af_build_request(af_transfer_t *t) {
  int rv = async_request_new(&t->request, t->method, t->url);

  if (rv < 0) {
    af_fail_request(t, rv);
    return -1;
  }
  rv = af_add_headers(t);
  if (rv == 0)
    rv = async_request_set_streaming(t->request, af_on_headers, af_on_data, t);
  if (rv < 0) {
    af_transfer_fail(t, async_err_exit_code(rv), rv,
                     "could not make the request for %s: %s (a -H header "
                     "the library refuses?)",
                     t->url, async_strerror(rv));
    return -1;
  }
  return 0;
}

void af_transfer_start(af_transfer_t *t) {
  af_job_t *job = t->job;
  int rv;

  t->method = af_method(job);
  t->expected = -1;
  t->start = async_loop_now(job->loop);
  if (af_build_request(t) < 0) {
    af_complete(t);
    return;
  }
  if (job->opts->verbose)
    af_output_verbose_request(t, t->method, job->body->len);
  rv = async_session_send(job->session, t->request, &t->future);
  if (rv == 0)
    rv = async_future_on_done(t->future, af_on_done, t);
  if (rv < 0) {
    if (t->future != NULL)
      async_future_cancel(t->future);
    af_fail_with(t, rv, NULL);
    af_complete(t);
  }
}

void af_transfer_free(af_transfer_t *t) {
  async_request_release(t->request);
  async_response_release(t->response);
  async_future_release(t->future);
  t->request = NULL;
  t->response = NULL;
  t->future = NULL;
  af_output_free(t);
}
