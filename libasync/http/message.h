/*
 * Requests and responses inside the library: their fields, header lists,
 * and how a request's head is written.
 */
#ifndef ASYNC_HTTP_MESSAGE_H
#define ASYNC_HTTP_MESSAGE_H

#include <libasync/http.h>

#include <stdatomic.h>

#include "http/options.h"
#include "http/url.h"

typedef struct async__header {
  char *name; /* in the list's arena, followed by its value */
  char *value;
} async__header_t;

/* A piece of a header list's arena: field text is bump-allocated here,
 * so a response's fields cost a couple of allocations, not one each. */
typedef struct async__arena_chunk {
  struct async__arena_chunk *next;
  size_t used;
  size_t size;
  char data[];
} async__arena_chunk_t;

typedef struct async__headers {
  async__header_t *items;
  size_t count;
  size_t cap;
  async__arena_chunk_t *chunks; /* the newest first */
} async__headers_t;

/* Adds a copy. Returns 0 or ASYNC_ENOMEM. */
int async__headers_add(async__headers_t *h, const char *name, size_t name_len,
                       const char *value, size_t value_len);
/* The first value of name (any case), or NULL. */
const char *async__headers_get(const async__headers_t *h, const char *name);
/* The same, in an array of fields. */
const char *async__fields_get(const async__header_t *fields, size_t count,
                              const char *name);
/* Removes every field called name. */
void async__headers_remove(async__headers_t *h, const char *name);
void async__headers_free(async__headers_t *h);

/* Whether s is an HTTP token (a method or a field name). */
int async__http_token(const char *s);

/* A request's head as written, and what it was written for. */
typedef struct async__head_cache {
  uint64_t session; /* the session's id (addresses are reused) */
  unsigned generation;
  int absolute;
  size_t len;
  char data[];
} async__head_cache_t;

enum { ASYNC__BODY_NONE, ASYNC__BODY_BUFFER, ASYNC__BODY_FILE,
       ASYNC__BODY_PRODUCER };

struct async_request {
  atomic_uint refs;
  atomic_int sent; /* once sent, it no longer changes */
  char *method;
  async__url_t url;
  async__headers_t headers;
  int body_kind;
  char *body; /* buffer, or the file's path */
  size_t body_len;
  async_body_fn producer;
  void *producer_userdata;
  int64_t producer_length; /* -1: unknown, chunked */
  async_headers_cb on_headers;
  async_data_cb on_data;
  void *stream_userdata;
  async__http_options_t options; /* only what the request set */
  /* The head as first written, for later sends of the same request
   * through the same session with the same settings: set once, then read
   * by any loop without a lock, freed with the request. */
  _Atomic(async__head_cache_t *) head;
};

struct async_response {
  atomic_uint refs;
  int status;
  int version;
  /* The final head, in one block (the parser's): its fields, then their
   * text, where the reason is too. */
  char *head;
  async__header_t *fields; /* in head */
  size_t field_count;
  const char *reason; /* in head; NULL: "" */
  char *body; /* NUL-terminated; NULL: "" */
  size_t body_len;
  size_t body_cap;
  /* The final URL: the request's own (the response holds the request),
   * or, after redirects, the last one's strings, taken from the exchange. */
  const char *url;
  async_request_t *request;
  char *url_block;
  int redirects;
  int connections;
  int reused;
  double times[ASYNC_TIME_TOTAL + 1];
  /* While the body streams: the loop and the exchange that pause and
   * resume act on (loop thread). */
  async_loop_t *loop;
  void *exchange;
};

async_response_t *async__response_new(void);

/* Drops the head (a retry or a redirect starts another). */
void async__response_clear_head(async_response_t *r);

/* Makes room for a body of `len` bytes (its Content-Length) at once,
 * rather than growing by doubling. Returns 0 or ASYNC_ENOMEM. */
int async__response_reserve(async_response_t *r, size_t len);

/* Appends body bytes. Returns 0 or ASYNC_ENOMEM. */
int async__response_append(async_response_t *r, const char *data, size_t len);

/* The async_free_fn that drops a future's reference to its response. */
void async__response_free_value(void *response);

#endif /* ASYNC_HTTP_MESSAGE_H */
