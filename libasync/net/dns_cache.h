/*
 * The resolver's cache: names (with the families asked for) mapped to
 * their answer — addresses or a failure — until it expires, and to the
 * lookup in flight that every concurrent asker joins. Bounded: the least
 * recently used answers go first; a name being looked up is never
 * evicted. Loop thread only.
 */
#ifndef ASYNC_NET_DNS_CACHE_H
#define ASYNC_NET_DNS_CACHE_H

#include <stddef.h>

#include "core/list.h"
#include "net/addrinfo.h"

typedef struct async__dns_entry {
  struct async__dns_entry *next_in_bucket;
  async__list_t lru;     /* answered entries, least recent first */
  async__list_t waiters; /* lookups waiting for the answer */
  char *key;  /* "<flags>:<host>" */
  void *owner; /* the resolver */
  int resolving;
  double expires; /* monotonic; the answer is stale from then on */
  double stored;  /* when the answer came */
  int err;        /* 0, or the failure's code */
  char *message;  /* the failure's message */
  async__addr_t *addrs;
  size_t count;
} async__dns_entry_t;

typedef struct async__dns_cache {
  async__dns_entry_t **buckets;
  size_t nbuckets;
  size_t count;    /* entries, answered or not */
  size_t max;      /* answered entries kept */
  async__list_t lru;
  size_t answered; /* entries on the LRU list */
} async__dns_cache_t;

void async__dns_cache_init(async__dns_cache_t *cache, size_t max);
void async__dns_cache_free(async__dns_cache_t *cache);

/* The entry for key, or NULL. */
async__dns_entry_t *async__dns_cache_find(async__dns_cache_t *cache,
                                          const char *key);

/* A new entry for key (not yet answered), or NULL when memory ran out. */
async__dns_entry_t *async__dns_cache_add(async__dns_cache_t *cache,
                                         const char *key);

/* Removes and frees an entry (its waiters must be gone). */
void async__dns_cache_remove(async__dns_cache_t *cache,
                             async__dns_entry_t *entry);

/* Marks an entry as most recently used. */
void async__dns_cache_touch(async__dns_cache_t *cache,
                            async__dns_entry_t *entry);

/* Records an answer and evicts what no longer fits. The entry itself may
 * be evicted at once (a cache of size 0): returns 0 if so. */
int async__dns_cache_answered(async__dns_cache_t *cache,
                              async__dns_entry_t *entry);

/* Drops the answer an entry holds, keeping the entry (about to be looked
 * up again: off the LRU list, so it cannot be evicted meanwhile). */
void async__dns_cache_forget(async__dns_cache_t *cache,
                             async__dns_entry_t *entry);

#endif /* ASYNC_NET_DNS_CACHE_H */
