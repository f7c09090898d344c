#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *async__malloc(size_t size) { return malloc(size); }

void *async__calloc(size_t count, size_t size) { return calloc(count, size); }

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
