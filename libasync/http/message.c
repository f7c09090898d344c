#include "http/message.h"

#include <libasync/error.h>

#include <string.h>
#include <strings.h>

#include "core/alloc.h"

/* ---- header lists ---------------------------------------------------- */

#define ARENA_CHUNK 1024

static char *arena_take(async__headers_t *h, size_t n) {
  async__arena_chunk_t *c = h->chunks;

  if (c == NULL || c->size - c->used < n) {
    size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    if ((c = async__malloc(sizeof(*c) + size)) == NULL)
      return NULL;
    c->used = 0;
    c->size = size;
    c->next = h->chunks;
    h->chunks = c;
  }
  c->used += n;
  return c->data + c->used - n;
}

int async__headers_add(async__headers_t *h, const char *name, size_t name_len,
                       const char *value, size_t value_len) {
  async__header_t *f;

  if (h->count == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 16;
    async__header_t *items = async__realloc(h->items, cap * sizeof(*items));
    if (items == NULL)
      return ASYNC_ENOMEM;
    h->items = items;
    h->cap = cap;
  }
  /* Name, NUL, value, NUL, from the arena. */
  f = &h->items[h->count];
  if ((f->name = arena_take(h, name_len + value_len + 2)) == NULL)
    return ASYNC_ENOMEM;
  memcpy(f->name, name, name_len);
  f->name[name_len] = '\0';
  f->value = f->name + name_len + 1;
  memcpy(f->value, value, value_len);
  f->value[value_len] = '\0';
  h->count++;
  return 0;
}

const char *async__headers_get(const async__headers_t *h, const char *name) {
  return async__fields_get(h->items, h->count, name);
}

const char *async__fields_get(const async__header_t *fields, size_t count,
                              const char *name) {
  size_t i;

  for (i = 0; i < count; i++) {
    if (strcasecmp(fields[i].name, name) == 0)
      return fields[i].value;
  }
  return NULL;
}

void async__headers_remove(async__headers_t *h, const char *name) {
  size_t i = 0;

  while (i < h->count) {
    if (strcasecmp(h->items[i].name, name) == 0) {
      /* Its text stays in the arena until the list is freed. */
      memmove(&h->items[i], &h->items[i + 1],
              (h->count - i - 1) * sizeof(h->items[0]));
      h->count--;
    } else {
      i++;
    }
  }
}

void async__headers_free(async__headers_t *h) {
  while (h->chunks != NULL) {
    async__arena_chunk_t *next = h->chunks->next;
    async__free(h->chunks);
    h->chunks = next;
  }
  async__free(h->items);
  memset(h, 0, sizeof(*h));
}

int async__http_token(const char *s) {
  if (s == NULL || *s == '\0')
    return 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
      return 0;
  }
  return 1;
}

/* ---- responses ------------------------------------------------------- */

async_response_t *async__response_new(void) {
  async_response_t *r = async__calloc(1, sizeof(*r));

  if (r == NULL)
    return NULL;
  atomic_init(&r->refs, 1);
  return r;
}

void async__response_clear_head(async_response_t *r) {
  async__free(r->head);
  r->head = NULL;
  r->fields = NULL;
  r->field_count = 0;
  r->reason = NULL;
}

int async__response_reserve(async_response_t *r, size_t len) {
  char *body;

  if (len + 1 <= r->body_cap)
    return 0;
  if ((body = async__realloc(r->body, len + 1)) == NULL)
    return ASYNC_ENOMEM;
  r->body = body;
  r->body_cap = len + 1;
  r->body[r->body_len] = '\0';
  return 0;
}

int async__response_append(async_response_t *r, const char *data,
                           size_t len) {
  if (r->body_len + len + 1 > r->body_cap) {
    size_t cap = r->body_cap < 1024 ? 1024 : r->body_cap;
    char *body;
    while (cap < r->body_len + len + 1)
      cap *= 2;
    if ((body = async__realloc(r->body, cap)) == NULL)
      return ASYNC_ENOMEM;
    r->body = body;
    r->body_cap = cap;
  }
  memcpy(r->body + r->body_len, data, len);
  r->body_len += len;
  r->body[r->body_len] = '\0';
  return 0;
}

void async__response_free_value(void *response) {
  async_response_release(response);
}

ASYNC_EXTERN async_response_t *async_response_retain(async_response_t *r) {
  if (r != NULL)
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  return r;
}

ASYNC_EXTERN void async_response_release(async_response_t *r) {
  if (r == NULL ||
      atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
    return;
  async__free(r->head);
  async__free(r->body);
  async__free(r->url_block);
  async_request_release(r->request);
  async__free(r);
}

ASYNC_EXTERN int async_response_status(const async_response_t *r) {
  return r != NULL ? r->status : ASYNC_EINVAL;
}

ASYNC_EXTERN const char *async_response_reason(const async_response_t *r) {
  if (r == NULL)
    return NULL;
  return r->reason != NULL ? r->reason : "";
}

ASYNC_EXTERN int async_response_version(const async_response_t *r) {
  return r != NULL ? r->version : ASYNC_EINVAL;
}

ASYNC_EXTERN const char *async_response_header(const async_response_t *r,
                                               const char *name) {
  return r != NULL && name != NULL
             ? async__fields_get(r->fields, r->field_count, name)
             : NULL;
}

ASYNC_EXTERN size_t async_response_header_count(const async_response_t *r) {
  return r != NULL ? r->field_count : 0;
}

ASYNC_EXTERN int async_response_header_at(const async_response_t *r, size_t i,
                                          const char **name,
                                          const char **value) {
  if (r == NULL || i >= r->field_count)
    return ASYNC_EINVAL;
  if (name != NULL)
    *name = r->fields[i].name;
  if (value != NULL)
    *value = r->fields[i].value;
  return 0;
}

ASYNC_EXTERN const char *async_response_body(const async_response_t *r,
                                             size_t *len) {
  if (r == NULL) {
    if (len != NULL)
      *len = 0;
    return NULL;
  }
  if (len != NULL)
    *len = r->body_len;
  return r->body != NULL ? r->body : "";
}

ASYNC_EXTERN const char *async_response_url(const async_response_t *r) {
  return r != NULL ? r->url : NULL;
}

ASYNC_EXTERN int async_response_redirects(const async_response_t *r) {
  return r != NULL ? r->redirects : ASYNC_EINVAL;
}

ASYNC_EXTERN double async_response_time(const async_response_t *r,
                                        int phase) {
  if (r == NULL || phase < 0 || phase > ASYNC_TIME_TOTAL)
    return -1;
  return r->times[phase];
}

ASYNC_EXTERN int async_response_reused(const async_response_t *r) {
  return r != NULL ? r->reused : ASYNC_EINVAL;
}

ASYNC_EXTERN int async_response_connections(const async_response_t *r) {
  return r != NULL ? r->connections : ASYNC_EINVAL;
}
