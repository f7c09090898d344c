/*
 * asyncbench — the command line: what to load, how hard and for how long.
 */
#ifndef ASYNCBENCH_OPTIONS_H
#define ASYNCBENCH_OPTIONS_H

#include <stddef.h>

typedef struct ab_options {
  long connections;     /* -c: requests kept in flight, >= 1 */
  long requests;        /* -n: requests to complete, or 0 with -d */
  double duration;      /* -d: seconds of sending, or 0 with -n */
  const char **headers; /* -H "Name: value", borrowed from argv */
  size_t n_headers;
  const char *cacert; /* --cacert, or NULL for the system's CAs */
  int insecure;       /* -k: do not verify the server's certificate */
  const char *method; /* --method, or NULL: GET, or POST with --data */
  const char *data;   /* --data, or NULL */
  const char *url;
} ab_options_t;

/* What ab_options_parse() found. */
enum {
  AB_PARSE_OK = 0,   /* go on and run */
  AB_PARSE_EXIT = 1, /* --help was printed: exit 0 */
  AB_PARSE_ERROR = 2 /* bad command line, already reported: exit 2 */
};

/*
 * Parses argv into opts (zeroed and given defaults first: 10 connections,
 * 10 seconds). Strings point into argv. Returns an AB_PARSE_* value.
 */
int ab_options_parse(ab_options_t *opts, int argc, char **argv);

/* Frees what ab_options_parse() allocated (not argv's strings). */
void ab_options_free(ab_options_t *opts);

#endif /* ASYNCBENCH_OPTIONS_H */
