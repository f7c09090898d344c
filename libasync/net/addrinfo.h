/*
 * Address lists: what a lookup delivers (async_addrinfo_t) and what the
 * resolver's cache and the connector work with.
 */
#ifndef ASYNC_NET_ADDRINFO_H
#define ASYNC_NET_ADDRINFO_H

#include <libasync/net.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct async__addr {
  struct sockaddr_storage sa;
  socklen_t len;
  int family;   /* 4 or 6 */
  uint32_t ttl; /* seconds */
  char text[INET6_ADDRSTRLEN];
} async__addr_t;

struct async_addrinfo {
  char *host;
  size_t count;
  async__addr_t addrs[];
};

/* An empty list for `count` addresses, or NULL. */
async_addrinfo_t *async__addrinfo_new(const char *host, size_t count);

/* Frees a list (an async_free_fn). */
void async__addrinfo_free(void *result);

/* Fills a from a socket address. Returns 0 or ASYNC_EINVAL. */
int async__addr_from_sockaddr(async__addr_t *a, const struct sockaddr *sa,
                              uint32_t ttl);

/* Parses an IP literal, with or without [brackets]. Returns 0 or
 * ASYNC_EINVAL. */
int async__addr_parse(async__addr_t *a, const char *text, size_t len);

void async__addr_set_port(async__addr_t *a, int port);

#endif /* ASYNC_NET_ADDRINFO_H */
