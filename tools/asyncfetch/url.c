/*
 * asyncfetch — completing URLs and naming their parts.
 */
#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The length of "scheme://" at the start of url, or 0. */
static size_t af_scheme_length(const char *url) {
  size_t i = 0;

  if (!isalpha((unsigned char)url[0]))
    return 0;
  while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' ||
         url[i] == '.')
    i++;
  return strncmp(url + i, "://", 3) == 0 ? i + 3 : 0;
}

static char *af_concat(const char *a, const char *b, const char *c) {
  size_t len = strlen(a) + strlen(b) + strlen(c) + 1;
  char *out = malloc(len);

  if (out != NULL)
    snprintf(out, len, "%s%s%s", a, b, c);
  return out;
}

char *af_url_complete(const char *url) {
  return af_concat(af_scheme_length(url) ? "" : "http://", url, "");
}

char *af_url_proxy(const char *proxy) {
  size_t skip = af_scheme_length(proxy);
  const char *scheme = skip ? "" : "http://";
  const char *host = proxy + skip;
  size_t len = strcspn(host, "/?#");
  const char *at = memchr(host, '@', len);
  const char *bracket, *port;
  size_t size;
  char *out;

  if (at != NULL) {
    len -= (size_t)(at + 1 - host);
    host = at + 1;
  }
  bracket = memchr(host, ']', len);
  port = bracket ? memchr(bracket, ':', len - (size_t)(bracket - host))
                 : memchr(host, ':', len);
  if (port != NULL || len == 0)
    return af_concat(scheme, proxy, "");
  /* ":1080" goes after the authority, before any path. */
  size = strlen(scheme) + strlen(proxy) + sizeof(":1080");
  out = malloc(size);
  if (out != NULL)
    snprintf(out, size, "%s%.*s:1080%s", scheme, (int)(host + len - proxy),
             proxy, host + len);
  return out;
}

int af_url_parts(const char *url, int *https, char *authority,
                 size_t authority_size, char *target, size_t target_size) {
  size_t scheme = af_scheme_length(url);
  const char *host, *end, *at;
  size_t len;

  if (scheme == 0)
    return -1;
  *https = scheme == 8 && strncasecmp(url, "https", 5) == 0;
  host = url + scheme;
  len = strcspn(host, "/?#");
  end = host + len;
  at = memchr(host, '@', len);
  if (at != NULL)
    host = at + 1;
  snprintf(authority, authority_size, "%.*s", (int)(end - host), host);
  len = strcspn(end, "#");
  if (len == 0 || end[0] == '?')
    snprintf(target, target_size, "/%.*s", (int)len, end);
  else
    snprintf(target, target_size, "%.*s", (int)len, end);
  return 0;
}
