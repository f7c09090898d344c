#include "core/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Out of line, even where link-time optimisation could inline it: a malloc
 * followed by a memset of the block is what compilers turn into calloc,
 * and glibc's calloc does not use its per-thread cache, where the blocks a
 * request allocates and frees are kept warm.
 */
__attribute__((noinline)) void *async__malloc(size_t size) {
  return malloc(size);
}

void *async__calloc(size_t count, size_t size) {
  void *p;

  if (size != 0 && count > SIZE_MAX / size)
    return NULL;
  if ((p = async__malloc(count * size)) != NULL)
    memset(p, 0, count * size);
  return p;
}

void *async__realloc(void *ptr, size_t size) { return realloc(ptr, size); }

void async__free(void *ptr) { free(ptr); }

char *async__strdup(const char *s) {
  size_t len;
  char *copy;

  if (s == NULL)
    return NULL;
  len = strlen(s) + 1;
  copy = async__malloc(len);
  if (copy != NULL)
    memcpy(copy, s, len);
  return copy;
}

char *async__format(const char *format, ...) {
  va_list ap;
  int len;
  char *out;

  va_start(ap, format);
  len = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (len < 0)
    return NULL;
  out = async__malloc((size_t)len + 1);
  if (out == NULL)
    return NULL;
  va_start(ap, format);
  vsnprintf(out, (size_t)len + 1, format, ap);
  va_end(ap);
  return out;
}
