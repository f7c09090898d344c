/*
 * asyncfetch — the request headers of -H, read as curl reads them.
 */
#ifndef ASYNCFETCH_HEADERS_H
#define ASYNCFETCH_HEADERS_H

#include <stddef.h>

#include "options.h"

/* What one -H argument asks for. */
enum af_header_kind {
  AF_HEADER_ADD,    /* "Name: value": send it */
  AF_HEADER_REMOVE, /* "Name:": do not send the default header Name */
  AF_HEADER_EMPTY,  /* "Name;": send Name with an empty value */
  AF_HEADER_INVALID /* no ":" or ";" after a name */
};

/*
 * Reads one -H argument: copies its name into name (size bytes, NUL
 * terminated) and points *value at its value (leading blanks skipped).
 * Returns an enum af_header_kind.
 */
int af_header_parse(const char *arg, char *name, size_t size,
                    const char **value);

/*
 * Whether the -H arguments mention header `name` (any case), whether to
 * set, empty or remove it; *value receives the last one's value (NULL
 * when it removes the header). Returns 1 or 0.
 */
int af_headers_find(const af_options_t *opts, const char *name,
                    const char **value);

/* Whether header `name` is one the library sets itself (Host,
 * Content-Length, Transfer-Encoding). Returns 1 or 0. */
int af_header_is_reserved(const char *name);

#endif /* ASYNCFETCH_HEADERS_H */
