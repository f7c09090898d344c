/* Requests: built and checked on any thread, without the loop. */
#include "http/request.h"

#include <libasync/error.h>

#include <string.h>
#include <strings.h>

#include "core/alloc.h"

ASYNC_EXTERN int async_request_new(async_request_t **out, const char *method,
                                   const char *url) {
  async_request_t *r;
  const char *why;
  int rv;

  if (out == NULL || url == NULL || !async__http_token(method))
    return ASYNC_EINVAL;
  if ((r = async__calloc(1, sizeof(*r))) == NULL)
    return ASYNC_ENOMEM;
  atomic_init(&r->refs, 1);
  atomic_init(&r->sent, 0);
  atomic_init(&r->head, NULL);
  r->producer_length = -1;
  if ((rv = async__url_parse(&r->url, url, &why)) < 0 ||
      (r->method = async__strdup(method)) == NULL) {
    async_request_release(r);
    return rv < 0 ? rv : ASYNC_ENOMEM;
  }
  *out = r;
  return 0;
}

ASYNC_EXTERN async_request_t *async_request_retain(async_request_t *r) {
  if (r != NULL)
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  return r;
}

ASYNC_EXTERN void async_request_release(async_request_t *r) {
  if (r == NULL ||
      atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
    return;
  async__free(r->method);
  async__url_free(&r->url);
  async__headers_free(&r->headers);
  async__free(r->body);
  async__free(r->options.user_agent);
  async__free(atomic_load_explicit(&r->head, memory_order_acquire));
  async__free(r);
}

/* Requests change only until they are sent. */
static int editable(async_request_t *r) {
  if (r == NULL)
    return ASYNC_EINVAL;
  return atomic_load(&r->sent) ? ASYNC_EBUSY : 0;
}

int async__header_value_ok(const char *value) {
  return value != NULL && strpbrk(value, "\r\n") == NULL;
}

ASYNC_EXTERN int async_request_add_header(async_request_t *r, const char *name,
                                          const char *value) {
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (!async__http_token(name) || !async__header_value_ok(value) ||
      strcasecmp(name, "Host") == 0 || strcasecmp(name, "Content-Length") == 0 ||
      strcasecmp(name, "Transfer-Encoding") == 0)
    return ASYNC_EINVAL;
  return async__headers_add(&r->headers, name, strlen(name), value,
                            strlen(value));
}

static void clear_body(async_request_t *r) {
  async__free(r->body);
  r->body = NULL;
  r->body_len = 0;
  r->producer = NULL;
  r->body_kind = ASYNC__BODY_NONE;
}

ASYNC_EXTERN int async_request_set_body(async_request_t *r, const void *data,
                                        size_t len) {
  char *copy;
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (data == NULL && len > 0)
    return ASYNC_EINVAL;
  if ((copy = async__malloc(len + 1)) == NULL)
    return ASYNC_ENOMEM;
  if (len > 0)
    memcpy(copy, data, len);
  clear_body(r);
  r->body = copy;
  r->body_len = len;
  r->body_kind = ASYNC__BODY_BUFFER;
  return 0;
}

ASYNC_EXTERN int async_request_set_body_file(async_request_t *r,
                                             const char *path) {
  char *copy;
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (path == NULL || path[0] == '\0')
    return ASYNC_EINVAL;
  if ((copy = async__strdup(path)) == NULL)
    return ASYNC_ENOMEM;
  clear_body(r);
  r->body = copy;
  r->body_kind = ASYNC__BODY_FILE;
  return 0;
}

ASYNC_EXTERN int async_request_set_body_producer(async_request_t *r,
                                                 async_body_fn fn,
                                                 void *userdata,
                                                 int64_t length) {
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (fn == NULL || length < -1)
    return ASYNC_EINVAL;
  clear_body(r);
  r->producer = fn;
  r->producer_userdata = userdata;
  r->producer_length = length;
  r->body_kind = ASYNC__BODY_PRODUCER;
  return 0;
}

ASYNC_EXTERN int async_request_set_streaming(async_request_t *r,
                                             async_headers_cb on_headers,
                                             async_data_cb on_data,
                                             void *userdata) {
  int rv = editable(r);

  if (rv < 0)
    return rv;
  r->on_headers = on_headers;
  r->on_data = on_data;
  r->stream_userdata = userdata;
  return 0;
}

ASYNC_EXTERN int async_request_set_int(async_request_t *r, int opt,
                                       int64_t value) {
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (!async__opt_per_request(opt))
    return ASYNC_EINVAL;
  return async__options_set_int(&r->options, opt, value);
}

ASYNC_EXTERN int async_request_set_double(async_request_t *r, int opt,
                                          double value) {
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (!async__opt_per_request(opt))
    return ASYNC_EINVAL;
  return async__options_set_double(&r->options, opt, value);
}

ASYNC_EXTERN int async_request_set_str(async_request_t *r, int opt,
                                       const char *value) {
  char *copy;
  int rv = editable(r);

  if (rv < 0)
    return rv;
  if (opt != ASYNC_SESSION_USER_AGENT || !async__header_value_ok(value))
    return ASYNC_EINVAL;
  if ((copy = async__strdup(value)) == NULL)
    return ASYNC_ENOMEM;
  async__free(r->options.user_agent);
  r->options.user_agent = copy;
  return 0;
}

/* ---- the head on the wire -------------------------------------------- */

static int append(async__buf_t *b, const char *s, size_t len) {
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 512;
    char *data;
    while (cap < b->len + len + 1)
      cap *= 2;
    if ((data = async__realloc(b->data, cap)) == NULL)
      return ASYNC_ENOMEM;
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

static int append_field(async__buf_t *b, const char *name, const char *value) {
  int rv = append(b, name, strlen(name));

  if (rv == 0)
    rv = append(b, ": ", 2);
  if (rv == 0)
    rv = append(b, value, strlen(value));
  if (rv == 0)
    rv = append(b, "\r\n", 2);
  return rv;
}

unsigned async__head_suppress_bit(const char *name) {
  if (strcasecmp(name, "User-Agent") == 0)
    return ASYNC__NO_USER_AGENT;
  if (strcasecmp(name, "Accept") == 0)
    return ASYNC__NO_ACCEPT;
  if (strcasecmp(name, "Accept-Encoding") == 0)
    return ASYNC__NO_ACCEPT_ENCODING;
  return 0;
}

int async__request_head(async__buf_t *b, const async__head_t *h) {
  const async_request_t *r = h->request;
  const async__url_t *url = h->url;
  size_t i;
  int rv = 0;

  /* Through a proxy, plain http asks for the absolute URL. */
  rv |= append(b, h->method, strlen(h->method));
  rv |= append(b, " ", 1);
  if (h->absolute_form)
    rv |= append(b, url->text, strlen(url->text));
  else
    rv |= append(b, url->target, strlen(url->target));
  rv |= append(b, " HTTP/1.1\r\n", 11);
  rv |= append_field(b, "Host", url->authority);
  for (i = 0; h->defaults != NULL && i < h->defaults->count; i++) {
    const async__header_t *f = &h->defaults->items[i];
    if (async__headers_get(&r->headers, f->name) == NULL &&
        !(h->drop_credentials && (strcasecmp(f->name, "Authorization") == 0 ||
                                  strcasecmp(f->name, "Cookie") == 0)))
      rv |= append_field(b, f->name, f->value);
  }
  if (async__headers_get(&r->headers, "User-Agent") == NULL &&
      h->user_agent != NULL && h->user_agent[0] != '\0' &&
      !(h->suppressed & ASYNC__NO_USER_AGENT))
    rv |= append_field(b, "User-Agent", h->user_agent);
  if (h->decompress &&
      async__headers_get(&r->headers, "Accept-Encoding") == NULL &&
      !(h->suppressed & ASYNC__NO_ACCEPT_ENCODING))
    rv |= append_field(b, "Accept-Encoding", "gzip, deflate");
  if (async__headers_get(&r->headers, "Accept") == NULL &&
      !(h->suppressed & ASYNC__NO_ACCEPT))
    rv |= append_field(b, "Accept", "*/*");
  for (i = 0; i < r->headers.count; i++) {
    const async__header_t *f = &r->headers.items[i];
    if (h->drop_credentials && (strcasecmp(f->name, "Authorization") == 0 ||
                                strcasecmp(f->name, "Cookie") == 0))
      continue;
    rv |= append_field(b, f->name, f->value);
  }
  if (h->authorization != NULL)
    rv |= append_field(b, "Authorization", h->authorization);
  if (h->body_length >= 0) {
    char len[32];
    /* A bodiless GET says nothing; other methods say 0. */
    if (h->body_length > 0 || (strcmp(h->method, "GET") != 0 &&
                               strcmp(h->method, "HEAD") != 0)) {
      snprintf(len, sizeof(len), "%lld", (long long)h->body_length);
      rv |= append_field(b, "Content-Length", len);
    }
  } else {
    rv |= append_field(b, "Transfer-Encoding", "chunked");
  }
  rv |= append(b, "\r\n", 2);
  return rv < 0 ? ASYNC_ENOMEM : 0;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *async__basic_auth(const char *userinfo) {
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t len = strlen(userinfo), n = 0, i;
  unsigned char *raw = async__malloc(len + 1);
  char *out, *o;

  if (raw == NULL)
    return NULL;
  for (i = 0; i < len; i++) {
    if (userinfo[i] == '%' && i + 2 < len + 0 + 1 &&
        hex_value(userinfo[i + 1]) >= 0 && hex_value(userinfo[i + 2]) >= 0) {
      raw[n++] = (unsigned char)(hex_value(userinfo[i + 1]) * 16 +
                                 hex_value(userinfo[i + 2]));
      i += 2;
    } else {
      raw[n++] = (unsigned char)userinfo[i];
    }
  }
  out = async__malloc(6 + (n + 2) / 3 * 4 + 1);
  if (out == NULL) {
    async__free(raw);
    return NULL;
  }
  memcpy(out, "Basic ", 6);
  o = out + 6;
  for (i = 0; i < n; i += 3) {
    unsigned v = raw[i] << 16 | (i + 1 < n ? raw[i + 1] << 8 : 0) |
                 (i + 2 < n ? raw[i + 2] : 0);
    *o++ = b64[(v >> 18) & 63];
    *o++ = b64[(v >> 12) & 63];
    *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    *o++ = i + 2 < n ? b64[v & 63] : '=';
  }
  *o = '\0';
  async__free(raw);
  return out;
}
