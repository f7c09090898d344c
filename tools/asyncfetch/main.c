/*
 * asyncfetch — fetch URLs concurrently, the seed's "fetch many URLs and
 * gather the results" as a command-line tool that speaks curl.
 *
 *   asyncfetch [OPTIONS] URL [URL ...]
 *
 * main() reads the command line and the request body, then hands over to
 * the job (job.c), whose exit status it returns. See asyncfetch(1).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "job.h"
#include "options.h"

/* Whether failures are reported: not with -s, unless -S. */
static int af_loud(const af_options_t *opts) {
  return !opts->silent || opts->show_error;
}

/* The -w format: the argument, or the file it names after "@". Returns
 * 0, or the exit status after reporting the failure. */
static int af_load_write_out(const af_options_t *opts, char **format) {
  af_options_t one;
  af_data_arg_t arg = {opts->write_out, AF_DATA_BINARY};
  af_body_t text;

  *format = NULL;
  if (opts->write_out == NULL)
    return 0;
  /* A -w file is read as --data-binary reads one. */
  memset(&one, 0, sizeof(one));
  one.data = &arg;
  one.n_data = 1;
  if (af_body_load(&text, &one) < 0) {
    if (af_loud(opts))
      fprintf(stderr,
              "asyncfetch: (26) could not read the -w format from '%s': %s\n",
              text.failed ? text.failed : "memory", strerror(text.error));
    af_body_free(&text);
    return 26;
  }
  *format = text.data;
  return 0;
}

/* The request body. Returns 0, or the exit status after reporting. */
static int af_load_body(const af_options_t *opts, af_body_t *body) {
  if (af_body_load(body, opts) == 0)
    return 0;
  if (body->failed == NULL) {
    if (af_loud(opts))
      fprintf(stderr,
              "asyncfetch: (27) out of memory reading the request body\n");
    return 27;
  }
  if (af_loud(opts))
    fprintf(stderr,
            "asyncfetch: (26) could not read the request body for %s from "
            "'%s': %s\n",
            opts->urls.items[0],
            strcmp(body->failed, "-") == 0 ? "standard input" : body->failed,
            strerror(body->error));
  return 26;
}

int main(int argc, char **argv) {
  af_options_t opts;
  af_body_t body;
  char *write_out = NULL;
  int status;

  /* A closed pipe on standard output is a write error (exit 23), not a
   * reason to die; the library itself never raises SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  memset(&body, 0, sizeof(body));
  if (af_options_parse(&opts, argc, argv) != AF_PARSE_OK) {
    af_options_free(&opts);
    return 2;
  }
  if (opts.help || opts.version) {
    if (opts.help)
      af_options_help();
    else
      af_options_version();
    af_options_free(&opts);
    return fflush(stdout) == 0 ? 0 : 23;
  }
  status = af_load_write_out(&opts, &write_out);
  if (status == 0)
    status = af_load_body(&opts, &body);
  if (status == 0)
    status = af_job_run(&opts, &body, write_out);
  if (fflush(stdout) != 0 && status == 0)
    status = 23;
  free(write_out);
  af_body_free(&body);
  af_options_free(&opts);
  return status;
}
