/*
 * The library's allocation functions. Every allocation goes through them,
 * so that an allocator hook can be added in one place.
 */
#ifndef ASYNC_CORE_ALLOC_H
#define ASYNC_CORE_ALLOC_H

#include <stddef.h>

void *async__malloc(size_t size);
void *async__calloc(size_t count, size_t size);
void *async__realloc(void *ptr, size_t size);
void async__free(void *ptr);

/* A copy of s, or NULL when s is NULL or memory ran out. */
char *async__strdup(const char *s);

/* A formatted string, or NULL when memory ran out. */
char *async__format(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* ASYNC_CORE_ALLOC_H */
