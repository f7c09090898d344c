/*
 * asyncfetch — reading -H arguments.
 */
#include "headers.h"

#include <string.h>
#include <strings.h>

int af_header_parse(const char *arg, char *name, size_t size,
                    const char **value) {
  size_t len = strcspn(arg, ":;");
  const char *rest = arg + len;

  *value = "";
  if (len == 0 || len >= size || *rest == '\0')
    return AF_HEADER_INVALID;
  memcpy(name, arg, len);
  name[len] = '\0';
  /* Trailing blanks belong to neither the name nor the value. */
  while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
    name[--len] = '\0';
  if (len == 0)
    return AF_HEADER_INVALID;
  rest++;
  while (*rest == ' ' || *rest == '\t')
    rest++;
  if (arg[strcspn(arg, ":;")] == ';')
    return *rest == '\0' ? AF_HEADER_EMPTY : AF_HEADER_INVALID;
  *value = rest;
  return *rest == '\0' ? AF_HEADER_REMOVE : AF_HEADER_ADD;
}

int af_headers_find(const af_options_t *opts, const char *name,
                    const char **value) {
  int found = 0;

  for (size_t i = 0; i < opts->headers.count; i++) {
    char got[256];
    const char *v;
    int kind = af_header_parse(opts->headers.items[i], got, sizeof got, &v);

    if (kind == AF_HEADER_INVALID || strcasecmp(got, name) != 0)
      continue;
    found = 1;
    *value = kind == AF_HEADER_REMOVE ? NULL : v;
  }
  return found;
}

int af_header_is_reserved(const char *name) {
  return strcasecmp(name, "Host") == 0 ||
         strcasecmp(name, "Content-Length") == 0 ||
         strcasecmp(name, "Transfer-Encoding") == 0;
}
