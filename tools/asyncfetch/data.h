/*
 * asyncfetch — the request body of -d, --data-binary and --data-raw.
 */
#ifndef ASYNCFETCH_DATA_H
#define ASYNCFETCH_DATA_H

#include <stddef.h>

#include "options.h"

/* The body, and what went wrong reading it. */
typedef struct af_body {
  char *data; /* NUL-terminated; NULL when there is no body */
  size_t len;
  const char *failed; /* on failure: the file that could not be read */
  int error;          /* on failure: its errno */
} af_body_t;

/*
 * Builds the body from the data arguments, in order, joined by "&" as
 * curl does: "@FILE" reads FILE ("@-" standard input), with CR and LF
 * removed for -d. Returns 0, or -1 when a file could not be read (failed
 * and error say which and why) or memory ran out (failed NULL).
 */
int af_body_load(af_body_t *body, const af_options_t *opts);

void af_body_free(af_body_t *body);

#endif /* ASYNCFETCH_DATA_H */
