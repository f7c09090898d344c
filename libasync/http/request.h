/* Writing a request's head. */
#ifndef ASYNC_HTTP_REQUEST_H
#define ASYNC_HTTP_REQUEST_H

#include <stdint.h>
#include <stdio.h>

#include "http/message.h"

typedef struct async__buf {
  char *data;
  size_t len;
  size_t cap;
} async__buf_t;

/* What one attempt of a request sends (the method and URL change along
 * redirects). */
typedef struct async__head {
  const async_request_t *request;
  const char *method;
  const async__url_t *url;
  const async__headers_t *defaults; /* the session's headers */
  const char *user_agent;
  const char *authorization; /* from the URL's user:password, or NULL */
  int decompress;
  int absolute_form;    /* through an HTTP proxy */
  int drop_credentials; /* redirected to another origin */
  int64_t body_length;  /* -1: chunked */
  unsigned suppressed;  /* ASYNC__NO_* bits */
} async__head_t;

/* Headers the library adds that a session can take back ("Name:"). */
enum {
  ASYNC__NO_USER_AGENT = 1,
  ASYNC__NO_ACCEPT = 2,
  ASYNC__NO_ACCEPT_ENCODING = 4
};

/* The ASYNC__NO_* bit for a header name, or 0. */
unsigned async__head_suppress_bit(const char *name);

/* Appends the head. Returns 0 or ASYNC_ENOMEM. */
int async__request_head(async__buf_t *b, const async__head_t *head);

/* "Basic <base64 of user:password>" (percent-escapes decoded), or NULL
 * when memory ran out. */
char *async__basic_auth(const char *userinfo);

/* Whether a header value has no CR or LF (NUL cannot occur in a C
 * string). */
int async__header_value_ok(const char *value);

#endif /* ASYNC_HTTP_REQUEST_H */
