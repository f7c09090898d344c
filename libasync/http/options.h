/*
 * The options of sessions and requests: one table of names, types and
 * scopes, and the values a request runs with (its own where it set them,
 * else its session's).
 */
#ifndef ASYNC_HTTP_OPTIONS_H
#define ASYNC_HTTP_OPTIONS_H

#include <libasync/http.h>

#define ASYNC__OPT_INTS 11
#define ASYNC__OPT_DOUBLES 6

/* Values of the options a request can override. */
typedef struct async__http_options {
  int64_t ints[ASYNC__OPT_INTS];
  double doubles[ASYNC__OPT_DOUBLES];
  char *user_agent; /* NULL: unset (requests) */
  unsigned int_set;  /* bits: which ints a request set */
  unsigned double_set;
} async__http_options_t;

enum { ASYNC__OPT_INT = 1, ASYNC__OPT_DOUBLE = 2, ASYNC__OPT_STR = 3 };

/* The type of option opt (ASYNC__OPT_*), or 0 when unknown. */
int async__opt_type(int opt);

/* Whether opt may be set on a request. */
int async__opt_per_request(int opt);

/* The session's defaults. */
void async__options_defaults(async__http_options_t *o);

/* Checks and stores a value. Returns 0 or ASYNC_EINVAL. */
int async__options_set_int(async__http_options_t *o, int opt, int64_t value);
int async__options_set_double(async__http_options_t *o, int opt, double value);

/* Reads a value: the request's when set, else the session's. */
int64_t async__opt_int(const async__http_options_t *request,
                       const async__http_options_t *session, int opt);
double async__opt_double(const async__http_options_t *request,
                         const async__http_options_t *session, int opt);

#endif /* ASYNC_HTTP_OPTIONS_H */
