#include "net/dns_cache.h"

#include <string.h>

#include "core/alloc.h"

static size_t hash(const char *key) {
  size_t h = 2166136261u;

  while (*key != '\0')
    h = (h ^ (unsigned char)*key++) * 16777619u;
  return h;
}

void async__dns_cache_init(async__dns_cache_t *cache, size_t max) {
  memset(cache, 0, sizeof(*cache));
  async__list_init(&cache->lru);
  cache->max = max;
}

static void clear_answer(async__dns_entry_t *entry) {
  async__free(entry->addrs);
  async__free(entry->message);
  entry->addrs = NULL;
  entry->message = NULL;
  entry->count = 0;
  entry->err = 0;
}

static void free_entry(async__dns_entry_t *entry) {
  clear_answer(entry);
  async__free(entry->key);
  async__free(entry);
}

void async__dns_cache_free(async__dns_cache_t *cache) {
  size_t i;

  for (i = 0; i < cache->nbuckets; i++) {
    while (cache->buckets[i] != NULL) {
      async__dns_entry_t *next = cache->buckets[i]->next_in_bucket;
      free_entry(cache->buckets[i]);
      cache->buckets[i] = next;
    }
  }
  async__free(cache->buckets);
  async__dns_cache_init(cache, cache->max);
}

async__dns_entry_t *async__dns_cache_find(async__dns_cache_t *cache,
                                          const char *key) {
  async__dns_entry_t *entry;

  if (cache->nbuckets == 0)
    return NULL;
  entry = cache->buckets[hash(key) & (cache->nbuckets - 1)];
  while (entry != NULL && strcmp(entry->key, key) != 0)
    entry = entry->next_in_bucket;
  return entry;
}

static int grow(async__dns_cache_t *cache) {
  size_t n = cache->nbuckets ? cache->nbuckets * 2 : 64;
  async__dns_entry_t **buckets = async__calloc(n, sizeof(*buckets));
  size_t i;

  if (buckets == NULL)
    return -1;
  for (i = 0; i < cache->nbuckets; i++) {
    async__dns_entry_t *entry = cache->buckets[i];
    while (entry != NULL) {
      async__dns_entry_t *next = entry->next_in_bucket;
      size_t b = hash(entry->key) & (n - 1);
      entry->next_in_bucket = buckets[b];
      buckets[b] = entry;
      entry = next;
    }
  }
  async__free(cache->buckets);
  cache->buckets = buckets;
  cache->nbuckets = n;
  return 0;
}

async__dns_entry_t *async__dns_cache_add(async__dns_cache_t *cache,
                                         const char *key) {
  async__dns_entry_t *entry;
  size_t b;

  if (cache->count >= cache->nbuckets && grow(cache) < 0)
    return NULL;
  entry = async__calloc(1, sizeof(*entry));
  if (entry == NULL || (entry->key = async__strdup(key)) == NULL) {
    async__free(entry);
    return NULL;
  }
  async__list_init(&entry->lru);
  async__list_init(&entry->waiters);
  b = hash(key) & (cache->nbuckets - 1);
  entry->next_in_bucket = cache->buckets[b];
  cache->buckets[b] = entry;
  cache->count++;
  return entry;
}

void async__dns_cache_remove(async__dns_cache_t *cache,
                             async__dns_entry_t *entry) {
  async__dns_entry_t **link =
      &cache->buckets[hash(entry->key) & (cache->nbuckets - 1)];

  while (*link != entry)
    link = &(*link)->next_in_bucket;
  *link = entry->next_in_bucket;
  if (!async__list_empty(&entry->lru)) {
    async__list_remove(&entry->lru);
    cache->answered--;
  }
  cache->count--;
  free_entry(entry);
}

void async__dns_cache_forget(async__dns_cache_t *cache,
                             async__dns_entry_t *entry) {
  if (!async__list_empty(&entry->lru)) {
    async__list_remove(&entry->lru);
    cache->answered--;
  }
  clear_answer(entry);
}

void async__dns_cache_touch(async__dns_cache_t *cache,
                            async__dns_entry_t *entry) {
  if (async__list_empty(&entry->lru))
    return;
  async__list_remove(&entry->lru);
  async__list_push(&cache->lru, &entry->lru);
}

int async__dns_cache_answered(async__dns_cache_t *cache,
                              async__dns_entry_t *entry) {
  int kept = 1;

  if (async__list_empty(&entry->lru)) {
    async__list_push(&cache->lru, &entry->lru);
    cache->answered++;
  } else {
    async__dns_cache_touch(cache, entry);
  }
  while (cache->answered > cache->max) {
    async__dns_entry_t *oldest =
        async__container_of(cache->lru.next, async__dns_entry_t, lru);
    if (oldest == entry)
      kept = 0;
    async__dns_cache_remove(cache, oldest);
  }
  return kept;
}
