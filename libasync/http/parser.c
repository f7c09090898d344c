#include "http/parser.h"

#include <libasync/error.h>

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"

static async__parser_t *self(llhttp_t *l) {
  return (async__parser_t *)l->data;
}

static int fail(async__parser_t *p, int err, char *message) {
  if (p->err == 0) {
    p->err = err;
    p->message = message;
  } else {
    async__free(message);
  }
  return HPE_USER;
}

/*
 * How a head is read without copying each field: llhttp says where a
 * reason, name or value lies in the bytes it is given, and the parser
 * keeps offsets from `base`. While a head arrives within one feed, base is
 * the bytes fed, and the complete head is copied once, into the response.
 * A head cut by the end of a feed is saved, and its later bytes are
 * appended to the saved ones and parsed there, so that every offset
 * counts from one contiguous text.
 */

/* Bytes appended to a saved head at a time: what follows the head's end
 * is body, parsed from the copy, so the copy is kept short. */
#define SAVE_SLICE 4096

/* Appends bytes to the saved head. Returns 0 or -1 (no memory). */
static int save(async__parser_t *p, const char *at, size_t n) {
  if (p->saved_len + n > p->saved_cap) {
    size_t cap = p->saved_cap ? p->saved_cap : 512;
    char *t;
    while (cap < p->saved_len + n)
      cap *= 2;
    if ((t = async__realloc(p->saved, cap)) == NULL)
      return -1;
    p->saved = t;
    p->saved_cap = cap;
  }
  memcpy(p->saved + p->saved_len, at, n);
  p->saved_len += n;
  return 0;
}

static uint32_t offset(const async__parser_t *p, const char *at) {
  return (uint32_t)(at - p->base);
}

static int on_message_begin(llhttp_t *l) {
  async__parser_t *p = self(l);

  p->in_head = 1;
  p->fields = 0;
  p->reason_len = 0;
  memset(&p->field, 0, sizeof(p->field));
  return 0;
}

/* A reason, name or value may come in pieces (cut by the end of a feed):
 * they follow each other in the text, so the first says where it starts
 * and each adds to its length. */
static int on_status(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);

  if (p->reason_len == 0)
    p->reason = offset(p, at);
  p->reason_len += (uint32_t)n;
  return 0;
}

static int on_header_field(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);

  if (p->field.name_len == 0)
    p->field.name = offset(p, at);
  p->field.name_len += (uint32_t)n;
  return 0;
}

static int on_header_value(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);

  if (p->field.value_len == 0)
    p->field.value = offset(p, at);
  p->field.value_len += (uint32_t)n;
  return 0;
}

static int grow_spans(async__parser_t *p) {
  size_t cap = p->spans_cap * 2;
  async__span_t *spans;

  if (p->spans == p->inline_spans) {
    if ((spans = async__malloc(cap * sizeof(*spans))) == NULL)
      return -1;
    memcpy(spans, p->inline_spans, sizeof(p->inline_spans));
  } else if ((spans = async__realloc(p->spans, cap * sizeof(*spans))) ==
             NULL) {
    return -1;
  }
  p->spans = spans;
  p->spans_cap = cap;
  return 0;
}

static int on_header_value_complete(llhttp_t *l) {
  async__parser_t *p = self(l);

  if (p->fields == p->max_fields)
    return fail(p, ASYNC_ETOOLARGE,
                async__format("more than %zu header fields", p->max_fields));
  if (p->field.name_len == 0)
    return fail(p, ASYNC_EPROTO,
                async__strdup("invalid response: empty header field name"));
  if (p->field.value_len == 0) /* empty: it shares the name's NUL */
    p->field.value = p->field.name + p->field.name_len;
  if (p->fields == p->spans_cap && grow_spans(p) < 0)
    return fail(p, ASYNC_ENOMEM, NULL);
  p->spans[p->fields++] = p->field;
  memset(&p->field, 0, sizeof(p->field));
  return 0;
}

/* Notes the first of the fields the client acts on, comparing names only
 * when their lengths and first letters match. */
static void spot(async__parser_t *p, const async__header_t *f, size_t len) {
  int first = f->name[0] | 0x20; /* lower case, for a letter */
  const char **slot = NULL;

  if (len == 10 && first == 'k' && strcasecmp(f->name, "Keep-Alive") == 0)
    slot = &p->keep_alive;
  else if (len == 16 && first == 'c' &&
           strcasecmp(f->name, "Content-Encoding") == 0)
    slot = &p->content_encoding;
  else if (len == 8 && first == 'l' && strcasecmp(f->name, "Location") == 0)
    slot = &p->location;
  if (slot != NULL && *slot == NULL)
    *slot = f->value;
}

/*
 * Copies the complete head into the response as one block: the fields'
 * array, then the text from the reason (or first name) to the end of the
 * last value. The byte after each name (its colon), value and reason (a
 * line's end) becomes its NUL.
 */
static int keep_head(async__parser_t *p) {
  async_response_t *r = p->response;
  const async__span_t *s = p->spans;
  size_t n = p->fields, i, lo, hi, array = n * sizeof(async__header_t);
  async__header_t *f;
  char *block, *text;

  async__response_clear_head(r);
  p->keep_alive = p->content_encoding = p->location = NULL;
  if (n == 0 && p->reason_len == 0)
    return 0;
  lo = p->reason_len ? p->reason : s[0].name;
  hi = n ? (size_t)s[n - 1].value + s[n - 1].value_len
         : (size_t)p->reason + p->reason_len;
  if ((block = async__malloc(array + hi - lo + 1)) == NULL)
    return ASYNC_ENOMEM;
  f = (async__header_t *)(void *)block;
  text = block + array;
  memcpy(text, p->base + lo, hi - lo);
  text[hi - lo] = '\0';
  for (i = 0; i < n; i++) {
    f[i].name = text + (s[i].name - lo);
    f[i].name[s[i].name_len] = '\0';
    f[i].value = text + (s[i].value - lo);
    f[i].value[s[i].value_len] = '\0';
    spot(p, &f[i], s[i].name_len);
  }
  if (p->reason_len) {
    text[p->reason - lo + p->reason_len] = '\0';
    r->reason = text;
  }
  r->head = block;
  r->fields = f;
  r->field_count = n;
  return 0;
}

static int on_headers_complete(llhttp_t *l) {
  async__parser_t *p = self(l);
  int status = llhttp_get_status_code(l);
  int rv;

  p->response->status = status;
  p->response->version = l->http_major * 10 + l->http_minor;
  if (status < 200) {
    /* An informational head: another head follows. 101 was not asked
     * for. */
    if (status == 101)
      return fail(p, ASYNC_EPROTO,
                  async__strdup("unexpected 101 Switching Protocols"));
    return 1;
  }
  if ((rv = keep_head(p)) < 0)
    return fail(p, rv, NULL);
  p->in_head = 0;
  if ((rv = p->handler->on_head(p, p->userdata)) < 0)
    return fail(p, rv, NULL);
  /* 1: no body — a response to HEAD, a 204 or a 304, whatever length it
   * announces (llhttp would wait for a Content-Length's bytes). */
  return p->head_only || status == 204 || status == 304 ? 1 : 0;
}

static int on_body(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);
  int rv = p->handler->on_body(p, at, n, p->userdata);

  return rv < 0 ? fail(p, rv, NULL) : 0;
}

static int on_message_complete(llhttp_t *l) {
  async__parser_t *p = self(l);
  int status = llhttp_get_status_code(l);

  if (status < 200)
    return 0; /* informational: the real head follows */
  p->complete = 1;
  /* Stop here: whatever follows was not asked for. */
  return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_status = on_status,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void async__parser_init(async__parser_t *p, async_response_t *response,
                        int head_only, size_t max_head, size_t max_fields,
                        const async__parser_handler_t *handler,
                        void *userdata) {
  /* The inline spans are written before they are read. */
  memset(p, 0, offsetof(async__parser_t, inline_spans));
  llhttp_init(&p->llhttp, HTTP_RESPONSE, &settings);
  p->llhttp.data = p;
  p->response = response;
  p->head_only = head_only;
  /* Offsets in the head are 32 bits: no head limit comes near. */
  p->max_head = max_head < UINT32_MAX / 2 ? max_head : UINT32_MAX / 2;
  p->max_fields = max_fields;
  p->handler = handler;
  p->userdata = userdata;
  p->in_head = 1;
  p->spans = p->inline_spans;
  p->spans_cap = ASYNC__INLINE_SPANS;
}

void async__parser_free(async__parser_t *p) {
  if (p->spans != p->inline_spans)
    async__free(p->spans);
  async__free(p->saved);
  async__free(p->message);
  p->spans = p->inline_spans;
  p->spans_cap = ASYNC__INLINE_SPANS;
  p->saved = NULL;
  p->saved_len = p->saved_cap = 0;
  p->message = NULL;
}

static int protocol_error(async__parser_t *p, llhttp_errno_t e) {
  const char *reason = llhttp_get_error_reason(&p->llhttp);

  (void)e;
  return fail(p, ASYNC_EPROTO,
              async__format("invalid response: %s",
                            reason && *reason ? reason : "parse error"));
}

int async__parser_feed(async__parser_t *p, const char *data, size_t len,
                       size_t *used) {
  size_t done = 0;

  *used = 0;
  if (p->err < 0)
    return p->err;
  if (p->complete)
    return 1;
  if (len > 0)
    p->got_bytes = 1;
  while (done < len) {
    size_t n = len - done;
    const char *at = data + done;
    int was_head = p->in_head;
    llhttp_errno_t e;

    /* The head may grow to max_head bytes: feed one past it at most. */
    if (p->in_head && p->head_bytes + n > p->max_head)
      n = p->max_head - p->head_bytes + 1;
    if (p->saved_len > 0) {
      /* The rest of a head cut by an earlier feed: parse it after the
       * saved part. */
      if (n > SAVE_SLICE)
        n = SAVE_SLICE;
      if (save(p, at, n) < 0)
        return fail(p, ASYNC_ENOMEM, NULL), p->err;
      at = p->saved + p->saved_len - n;
    }
    p->base = p->saved_len > 0 ? p->saved : at;
    e = llhttp_execute(&p->llhttp, at, n);
    if (e == HPE_PAUSED) {
      *used = done + (size_t)(llhttp_get_error_pos(&p->llhttp) - at);
      return 1;
    }
    if (p->err < 0)
      return p->err;
    if (e != HPE_OK)
      return protocol_error(p, e), p->err;
    if (was_head)
      p->head_bytes += n;
    if (p->in_head && p->head_bytes > p->max_head) {
      fail(p, ASYNC_ETOOLARGE,
           async__format("response head larger than %zu bytes", p->max_head));
      return p->err;
    }
    if (!p->in_head) {
      p->saved_len = 0;
    } else if (p->saved_len == 0 && save(p, at, n) < 0) {
      /* The head goes on in the next feed: keep what came of it. */
      return fail(p, ASYNC_ENOMEM, NULL), p->err;
    }
    done += n;
  }
  *used = len;
  return 0;
}

int async__parser_eof(async__parser_t *p) {
  llhttp_errno_t e;

  if (p->complete)
    return 1;
  if (!p->got_bytes)
    return ASYNC_EEMPTY;
  if (!p->in_head && llhttp_message_needs_eof(&p->llhttp)) {
    e = llhttp_finish(&p->llhttp);
    if (e == HPE_OK || e == HPE_PAUSED || p->complete) {
      p->complete = 1;
      return 1;
    }
  }
  return ASYNC_EPARTIAL;
}

int async__parser_keep_alive(async__parser_t *p) {
  return p->complete && llhttp_should_keep_alive(&p->llhttp);
}
