/*
 * URLs of the HTTP client: absolute http and https URLs parsed into their
 * parts, and Location values resolved against the URL they came from.
 */
#ifndef ASYNC_HTTP_URL_H
#define ASYNC_HTTP_URL_H

#include <stddef.h>

/* The strings share one block: one allocation, one free. */
typedef struct async__url {
  char *block;
  char *text;   /* the whole URL, normalised */
  int https;    /* scheme https (1) or http (0) */
  char *host;   /* without brackets */
  int port;
  char *target; /* path and query: the origin-form request target */
  char *authority; /* host[:port] as the Host header wants it */
  char *userinfo;  /* user:password, or NULL */
} async__url_t;

/*
 * Parses an absolute URL. Returns 0, ASYNC_EURL (malformed: *why says
 * what is wrong), ASYNC_ESCHEME (not http or https) or ASYNC_ENOMEM.
 */
int async__url_parse(async__url_t *url, const char *text, const char **why);

/* Resolves `ref` (a Location value) against base into an absolute URL
 * string, or NULL when memory ran out. */
char *async__url_resolve(const async__url_t *base, const char *ref);

/* Whether two URLs share scheme, host and port. */
int async__url_same_origin(const async__url_t *a, const async__url_t *b);

void async__url_free(async__url_t *url);

#endif /* ASYNC_HTTP_URL_H */
