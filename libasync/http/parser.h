/*
 * The response parser: llhttp in strict mode, fed bytes as they come, in
 * any split, with the framing rules of RFC 9112 section 6.3 and the
 * head's size limits. Sans-IO: it never reads or writes a socket.
 */
#ifndef ASYNC_HTTP_PARSER_H
#define ASYNC_HTTP_PARSER_H

#include <llhttp.h>
#include <stddef.h>
#include <stdint.h>

#include "http/message.h"

typedef struct async__parser async__parser_t;

/*
 * Where a field's name and value lie in the head's text, as offsets from
 * the parser's base (see parser.c): fields are not copied one by one but
 * the head once, when it is complete.
 */
typedef struct async__span {
  uint32_t name, name_len;
  uint32_t value, value_len;
} async__span_t;

/* Fields counted in the parser itself before it allocates: as many as a
 * common response has. (More would take the exchange that embeds the
 * parser to 1 KiB, past what malloc serves from its per-thread cache.) */
#define ASYNC__INLINE_SPANS 10

typedef struct async__parser_handler {
  /* The final head is in `response` (status, reason, version, headers).
   * Return 0, or a negative error to stop. */
  int (*on_head)(async__parser_t *p, void *userdata);
  /* A piece of the body, as framed (not decoded). */
  int (*on_body)(async__parser_t *p, const char *data, size_t len,
                 void *userdata);
} async__parser_handler_t;

struct async__parser {
  llhttp_t llhttp;
  const async__parser_handler_t *handler;
  void *userdata;
  async_response_t *response; /* the caller's: the head goes here */
  int head_only;        /* a response to HEAD: no body */
  size_t max_head;
  size_t max_fields;
  size_t head_bytes;
  int in_head;          /* the head is not complete yet */
  int got_bytes;        /* anything at all was received */
  int complete;         /* the final response is complete */
  int err;              /* a negative error once failed */
  char *message;        /* what failed */
  /* The head being read. Offsets count from `base`: the bytes being fed
   * while the head lies within one feed, else `saved`, where a head that
   * spans feeds is gathered. */
  const char *base;
  char *saved;
  size_t saved_len;
  size_t saved_cap;
  uint32_t reason, reason_len;
  async__span_t field;  /* the one being read */
  size_t fields;        /* complete fields of this head */
  async__span_t *spans; /* inline_spans, or allocated beyond them */
  size_t spans_cap;
  /* The fields the client acts on, in the response's head, or NULL. */
  const char *keep_alive;
  const char *content_encoding;
  const char *location;
  async__span_t inline_spans[ASYNC__INLINE_SPANS]; /* last: not cleared */
};

void async__parser_init(async__parser_t *p, async_response_t *response,
                        int head_only, size_t max_head, size_t max_fields,
                        const async__parser_handler_t *handler,
                        void *userdata);
void async__parser_free(async__parser_t *p);

/*
 * Feeds bytes. Returns 0 (more is needed), 1 (the response is complete:
 * *used says how many of the bytes it took; any left over are bytes the
 * server sent unasked), or a negative error (ASYNC_EPROTO, ASYNC_ETOOLARGE,
 * or the handler's) with p->message set.
 */
int async__parser_feed(async__parser_t *p, const char *data, size_t len,
                       size_t *used);

/* The connection ended. Returns 1 (a close-delimited body is complete),
 * or ASYNC_EEMPTY (nothing received), ASYNC_EPARTIAL (cut short). */
int async__parser_eof(async__parser_t *p);

/* Whether the connection may carry another request (a complete response
 * that did not ask to close it). */
int async__parser_keep_alive(async__parser_t *p);

#endif /* ASYNC_HTTP_PARSER_H */
