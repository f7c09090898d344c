#include "net/addrinfo.h"

#include <libasync/error.h>

#include <string.h>

#include "core/alloc.h"

async_addrinfo_t *async__addrinfo_new(const char *host, size_t count) {
  async_addrinfo_t *ai =
      async__calloc(1, sizeof(*ai) + count * sizeof(ai->addrs[0]));

  if (ai == NULL)
    return NULL;
  ai->host = async__strdup(host);
  if (ai->host == NULL) {
    async__free(ai);
    return NULL;
  }
  ai->count = count;
  return ai;
}

void async__addrinfo_free(void *result) {
  async_addrinfo_t *ai = result;

  if (ai == NULL)
    return;
  async__free(ai->host);
  async__free(ai);
}

int async__addr_from_sockaddr(async__addr_t *a, const struct sockaddr *sa,
                              uint32_t ttl) {
  const void *raw;

  memset(a, 0, sizeof(*a));
  if (sa->sa_family == AF_INET) {
    a->len = sizeof(struct sockaddr_in);
    a->family = 4;
    raw = &((const struct sockaddr_in *)sa)->sin_addr;
  } else if (sa->sa_family == AF_INET6) {
    a->len = sizeof(struct sockaddr_in6);
    a->family = 6;
    raw = &((const struct sockaddr_in6 *)sa)->sin6_addr;
  } else {
    return ASYNC_EINVAL;
  }
  memcpy(&a->sa, sa, a->len);
  a->ttl = ttl;
  inet_ntop(sa->sa_family, raw, a->text, sizeof(a->text));
  return 0;
}

int async__addr_parse(async__addr_t *a, const char *text, size_t len) {
  char buf[INET6_ADDRSTRLEN + 2];
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;

  if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
    text++;
    len -= 2;
  }
  if (len == 0 || len >= sizeof(buf))
    return ASYNC_EINVAL;
  memcpy(buf, text, len);
  buf[len] = '\0';
  memset(&v4, 0, sizeof(v4));
  memset(&v6, 0, sizeof(v6));
  if (inet_pton(AF_INET, buf, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return async__addr_from_sockaddr(a, (struct sockaddr *)&v4, 0);
  }
  if (inet_pton(AF_INET6, buf, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return async__addr_from_sockaddr(a, (struct sockaddr *)&v6, 0);
  }
  return ASYNC_EINVAL;
}

void async__addr_set_port(async__addr_t *a, int port) {
  if (a->family == 4)
    ((struct sockaddr_in *)&a->sa)->sin_port = htons((uint16_t)port);
  else
    ((struct sockaddr_in6 *)&a->sa)->sin6_port = htons((uint16_t)port);
}

ASYNC_EXTERN const char *async_addrinfo_host(const async_addrinfo_t *result) {
  return result != NULL ? result->host : NULL;
}

ASYNC_EXTERN size_t async_addrinfo_count(const async_addrinfo_t *result) {
  return result != NULL ? result->count : 0;
}

static const async__addr_t *addr_at(const async_addrinfo_t *result,
                                    size_t i) {
  return result != NULL && i < result->count ? &result->addrs[i] : NULL;
}

ASYNC_EXTERN int async_addrinfo_family(const async_addrinfo_t *result,
                                       size_t i) {
  const async__addr_t *a = addr_at(result, i);

  return a != NULL ? a->family : ASYNC_EINVAL;
}

ASYNC_EXTERN const char *async_addrinfo_address(const async_addrinfo_t *result,
                                                size_t i) {
  const async__addr_t *a = addr_at(result, i);

  return a != NULL ? a->text : NULL;
}

ASYNC_EXTERN int async_addrinfo_port(const async_addrinfo_t *result,
                                     size_t i) {
  const async__addr_t *a = addr_at(result, i);

  if (a == NULL)
    return ASYNC_EINVAL;
  if (a->family == 4)
    return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
}

ASYNC_EXTERN int64_t async_addrinfo_ttl(const async_addrinfo_t *result,
                                        size_t i) {
  const async__addr_t *a = addr_at(result, i);

  return a != NULL ? (int64_t)a->ttl : ASYNC_EINVAL;
}
