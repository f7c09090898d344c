#include "http/url.h"

#include <libasync/error.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "net/addrinfo.h"

void async__url_free(async__url_t *url) {
  if (url->block != NULL) {
    async__free(url->block);
  } else {
    /* Still being parsed: the pieces are separate. */
    async__free(url->text);
    async__free(url->host);
    async__free(url->target);
    async__free(url->authority);
    async__free(url->userinfo);
  }
  memset(url, 0, sizeof(*url));
}

/* Moves the pieces into one block. */
static int pack(async__url_t *url) {
  char **fields[] = {&url->text, &url->host, &url->target, &url->authority,
                     &url->userinfo};
  size_t len = 0, i, n;
  char *block, *at;

  for (i = 0; i < 5; i++)
    len += *fields[i] ? strlen(*fields[i]) + 1 : 0;
  if ((block = async__malloc(len)) == NULL)
    return ASYNC_ENOMEM;
  at = block;
  for (i = 0; i < 5; i++) {
    if (*fields[i] == NULL)
      continue;
    n = strlen(*fields[i]) + 1;
    memcpy(at, *fields[i], n);
    async__free(*fields[i]);
    *fields[i] = at;
    at += n;
  }
  url->block = block;
  return 0;
}

/* Bytes that never belong in a URL as sent: controls, space, non-ASCII
 * is left to the server (percent-encoding is the caller's). */
static int url_char_ok(unsigned char c) { return c > 0x20 && c != 0x7f; }

static int parse_port(const char *p, size_t len, int *port) {
  long value = 0;
  size_t i;

  if (len == 0 || len > 5)
    return -1;
  for (i = 0; i < len; i++) {
    if (!isdigit((unsigned char)p[i]))
      return -1;
    value = value * 10 + (p[i] - '0');
  }
  if (value < 1 || value > 65535)
    return -1;
  *port = (int)value;
  return 0;
}

static int parse_host(async__url_t *url, const char *p, size_t len,
                      const char **why) {
  size_t i;

  if (len > 0 && p[0] == '[') {
    async__addr_t a;
    if (p[len - 1] != ']' || async__addr_parse(&a, p, len) < 0 ||
        a.family != 6) {
      *why = "bad IPv6 address";
      return ASYNC_EURL;
    }
    url->host = async__format("%.*s", (int)(len - 2), p + 1);
    return url->host ? 0 : ASYNC_ENOMEM;
  }
  if (len == 0 || len > 253) {
    *why = len == 0 ? "no host" : "host name too long";
    return ASYNC_EURL;
  }
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)p[i];
    if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || c >= 0x80)) {
      *why = "bad character in host";
      return ASYNC_EURL;
    }
  }
  url->host = async__format("%.*s", (int)len, p);
  if (url->host != NULL) {
    for (i = 0; url->host[i]; i++)
      url->host[i] = (char)tolower((unsigned char)url->host[i]);
  }
  return url->host ? 0 : ASYNC_ENOMEM;
}

int async__url_parse(async__url_t *url, const char *text, const char **why) {
  const char *p, *auth, *auth_end, *host, *host_end, *at;
  size_t i, scheme_len;
  int default_port, rv;

  memset(url, 0, sizeof(*url));
  *why = NULL;
  for (i = 0; text[i]; i++) {
    if (!url_char_ok((unsigned char)text[i])) {
      *why = "space or control character";
      return ASYNC_EURL;
    }
  }
  p = strstr(text, "://");
  if (p == NULL || p == text) {
    *why = "not an absolute URL";
    return ASYNC_EURL;
  }
  scheme_len = (size_t)(p - text);
  for (i = 0; i < scheme_len; i++) {
    if (!isalnum((unsigned char)text[i]) && !strchr("+-.", text[i])) {
      *why = "bad scheme";
      return ASYNC_EURL;
    }
  }
  if (scheme_len == 4 && strncasecmp(text, "http", 4) == 0)
    url->https = 0;
  else if (scheme_len == 5 && strncasecmp(text, "https", 5) == 0)
    url->https = 1;
  else
    return ASYNC_ESCHEME;
  default_port = url->https ? 443 : 80;
  auth = p + 3;
  auth_end = auth + strcspn(auth, "/?#");
  at = NULL;
  for (p = auth; p < auth_end; p++) {
    if (*p == '@')
      at = p;
  }
  host = at ? at + 1 : auth;
  if (at != NULL &&
      (url->userinfo = async__format("%.*s", (int)(at - auth), auth)) == NULL)
    return ASYNC_ENOMEM;
  host_end = auth_end;
  if (host < auth_end && *host == '[') {
    const char *close = memchr(host, ']', (size_t)(auth_end - host));
    host_end = close ? close + 1 : auth_end;
  } else {
    const char *colon = memchr(host, ':', (size_t)(auth_end - host));
    if (colon != NULL)
      host_end = colon;
  }
  url->port = default_port;
  if (host_end < auth_end) {
    if (*host_end != ':' ||
        (host_end + 1 < auth_end &&
         parse_port(host_end + 1, (size_t)(auth_end - host_end - 1),
                    &url->port) < 0)) {
      *why = "bad port";
      async__url_free(url);
      return ASYNC_EURL;
    }
  }
  if ((rv = parse_host(url, host, (size_t)(host_end - host), why)) < 0) {
    async__url_free(url);
    return rv;
  }
  /* The fragment is the client's alone: never sent. */
  p = auth_end + strcspn(auth_end, "#");
  url->target = async__format("%s%.*s", *auth_end == '/' ? "" : "/",
                              (int)(p - auth_end), auth_end);
  url->authority = strchr(url->host, ':')
                       ? (url->port == default_port
                              ? async__format("[%s]", url->host)
                              : async__format("[%s]:%d", url->host, url->port))
                       : (url->port == default_port
                              ? async__format("%s", url->host)
                              : async__format("%s:%d", url->host, url->port));
  if (url->target == NULL || url->authority == NULL) {
    async__url_free(url);
    return ASYNC_ENOMEM;
  }
  url->text = async__format("%s://%s%s", url->https ? "https" : "http",
                            url->authority, url->target);
  if (url->text == NULL || pack(url) < 0) {
    async__url_free(url);
    return ASYNC_ENOMEM;
  }
  return 0;
}

char *async__url_resolve(const async__url_t *base, const char *ref) {
  const char *scheme = base->https ? "https" : "http";
  const char *slash;
  size_t dir_len;

  if (strstr(ref, "://") != NULL && strcspn(ref, "/?#") > strcspn(ref, ":"))
    return async__strdup(ref);
  if (ref[0] == '/' && ref[1] == '/')
    return async__format("%s:%s", scheme, ref);
  if (ref[0] == '/')
    return async__format("%s://%s%s", scheme, base->authority, ref);
  if (ref[0] == '?') {
    size_t path_len = strcspn(base->target, "?");
    return async__format("%s://%s%.*s%s", scheme, base->authority,
                         (int)path_len, base->target, ref);
  }
  /* A relative path: next to the base's last segment. */
  slash = base->target;
  dir_len = 0;
  while (*slash && *slash != '?') {
    if (*slash == '/')
      dir_len = (size_t)(slash - base->target) + 1;
    slash++;
  }
  return async__format("%s://%s%.*s%s", scheme, base->authority,
                       (int)dir_len, base->target, ref);
}

int async__url_same_origin(const async__url_t *a, const async__url_t *b) {
  return a->https == b->https && a->port == b->port &&
         strcmp(a->host, b->host) == 0;
}
