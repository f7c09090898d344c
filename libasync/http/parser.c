#include "http/parser.h"

#include <libasync/error.h>

#include <string.h>

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

/* Appends to a growing string (field names and values arrive in pieces);
 * its capacity is kept, so most appends are a copy. */
static int grow(char **s, size_t *len, size_t *cap, const char *at,
                size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = *cap ? *cap : 64;
    char *t;
    while (c < *len + n + 1)
      c *= 2;
    if ((t = async__realloc(*s, c)) == NULL)
      return -1;
    *s = t;
    *cap = c;
  }
  memcpy(*s + *len, at, n);
  *len += n;
  (*s)[*len] = '\0';
  return 0;
}

static int on_message_begin(llhttp_t *l) {
  async__parser_t *p = self(l);

  p->in_head = 1;
  p->fields = 0;
  async__headers_free(&p->response->headers);
  return 0;
}

static int on_status(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);
  size_t len = p->response->reason ? strlen(p->response->reason) : 0;
  size_t cap = p->response->reason ? len + 1 : 0;

  return grow(&p->response->reason, &len, &cap, at, n) < 0
             ? fail(p, ASYNC_ENOMEM, NULL)
             : 0;
}

/*
 * A field's name or value, as llhttp hands it over: usually in one piece
 * that stays in the caller's bytes until the field is stored (no copy);
 * otherwise gathered in the parser's buffer. Before the caller's bytes go
 * away (the end of a feed), a piece still referenced is copied.
 */
static int take_piece(async__piece_t *piece, const char *at, size_t n) {
  if (piece->len == 0 && !piece->owned) {
    piece->ref = at;
    piece->len = n;
    return 0;
  }
  if (!piece->owned) {
    size_t len = 0;
    if (grow(&piece->buf, &len, &piece->cap, piece->ref, piece->len) < 0)
      return -1;
    piece->owned = 1;
  }
  return grow(&piece->buf, &piece->len, &piece->cap, at, n);
}

static int keep_piece(async__piece_t *piece) {
  size_t len = 0;

  if (piece->owned || piece->len == 0)
    return 0;
  if (grow(&piece->buf, &len, &piece->cap, piece->ref, piece->len) < 0)
    return -1;
  piece->owned = 1;
  return 0;
}

static const char *piece_text(const async__piece_t *piece) {
  return piece->owned ? piece->buf : piece->ref;
}

static void piece_reset(async__piece_t *piece) {
  piece->len = 0;
  piece->owned = 0;
}

static int on_header_field(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);

  return take_piece(&p->name, at, n) < 0 ? fail(p, ASYNC_ENOMEM, NULL) : 0;
}

static int on_header_value(llhttp_t *l, const char *at, size_t n) {
  async__parser_t *p = self(l);

  return take_piece(&p->value, at, n) < 0 ? fail(p, ASYNC_ENOMEM, NULL) : 0;
}

static int on_header_value_complete(llhttp_t *l) {
  async__parser_t *p = self(l);
  int rv;

  if (++p->fields > p->max_fields)
    return fail(p, ASYNC_ETOOLARGE,
                async__format("more than %zu header fields", p->max_fields));
  rv = async__headers_add(&p->response->headers,
                          p->name.len ? piece_text(&p->name) : "",
                          p->name.len,
                          p->value.len ? piece_text(&p->value) : "",
                          p->value.len);
  piece_reset(&p->name);
  piece_reset(&p->value);
  return rv < 0 ? fail(p, rv, NULL) : 0;
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

  if (status < 200) {
    /* Informational: start over for the real head. */
    async__free(p->response->reason);
    p->response->reason = NULL;
    return 0;
  }
  p->complete = 1;
  /* Stop here: whatever follows was not asked for. */
  return HPE_PAUSED;
}

void async__parser_init(async__parser_t *p, async_response_t *response,
                        int head_only, size_t max_head, size_t max_fields,
                        const async__parser_handler_t *handler,
                        void *userdata) {
  memset(p, 0, sizeof(*p));
  llhttp_settings_init(&p->settings);
  p->settings.on_message_begin = on_message_begin;
  p->settings.on_status = on_status;
  p->settings.on_header_field = on_header_field;
  p->settings.on_header_value = on_header_value;
  p->settings.on_header_value_complete = on_header_value_complete;
  p->settings.on_headers_complete = on_headers_complete;
  p->settings.on_body = on_body;
  p->settings.on_message_complete = on_message_complete;
  llhttp_init(&p->llhttp, HTTP_RESPONSE, &p->settings);
  p->llhttp.data = p;
  p->response = response;
  p->head_only = head_only;
  p->max_head = max_head;
  p->max_fields = max_fields;
  p->handler = handler;
  p->userdata = userdata;
  p->in_head = 1;
}

void async__parser_free(async__parser_t *p) {
  async__free(p->name.buf);
  async__free(p->value.buf);
  async__free(p->message);
  memset(&p->name, 0, sizeof(p->name));
  memset(&p->value, 0, sizeof(p->value));
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
    int was_head = p->in_head;
    llhttp_errno_t e;

    /* The head may grow to max_head bytes: feed one past it at most. */
    if (p->in_head && p->head_bytes + n > p->max_head)
      n = p->max_head - p->head_bytes + 1;
    e = llhttp_execute(&p->llhttp, data + done, n);
    /* A field cut by the end of these bytes is kept before they go. */
    if (keep_piece(&p->name) < 0 || keep_piece(&p->value) < 0)
      return fail(p, ASYNC_ENOMEM, NULL), p->err;
    if (e == HPE_PAUSED) {
      *used = (size_t)(llhttp_get_error_pos(&p->llhttp) - data);
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
