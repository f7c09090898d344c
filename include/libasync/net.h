/*
 * libasync — asynchronous DNS.
 *
 * A resolver looks names up through c-ares, driven by the loop (no thread
 * per lookup): A and AAAA together, /etc/hosts first, then the configured
 * name servers. It keeps a cache that honours record TTLs (capped),
 * remembers failures briefly, evicts the least recently used names when
 * full, and merges concurrent lookups of one name into one query.
 *
 * A lookup's result is an async_addrinfo_t: a list of addresses read
 * through accessor functions, immutable once delivered, readable from any
 * thread.
 */
#ifndef LIBASYNC_NET_H
#define LIBASYNC_NET_H

#include "common.h"

typedef struct async_resolver async_resolver_t;
typedef struct async_addrinfo async_addrinfo_t;

/*
 * Option numbers encode their type, so the wrong setter is refused:
 * 10001 and up integers, 20001 and up doubles (seconds), 30001 and up
 * strings.
 */
typedef enum async_resolver_opt {
  /* Tries per name server before giving up: 1 to 16, default 2. */
  ASYNC_RESOLVER_ATTEMPTS = 10001,
  /* Most names kept in the cache: 0 (no cache) to 1,000,000, default
   * 1024. */
  ASYNC_RESOLVER_CACHE_SIZE = 10002,
  /* Seconds to wait for one answer before trying again: > 0, default 2. */
  ASYNC_RESOLVER_TIMEOUT = 20001,
  /* Longest a positive answer is cached, whatever its TTL: >= 0,
   * default 300. */
  ASYNC_RESOLVER_TTL_MAX = 20002,
  /* How long NXDOMAIN, SERVFAIL and empty answers are cached: >= 0,
   * default 5. */
  ASYNC_RESOLVER_NEGATIVE_TTL = 20003,
  /* The name servers to ask instead of the system's, as
   * "ADDR[:PORT][,...]" with IPv6 addresses in brackets:
   * "127.0.0.1:5353,[::1]:53". */
  ASYNC_RESOLVER_SERVERS = 30001,
  /* A static answer that skips DNS, as curl's --resolve:
   * "HOST:PORT:ADDR[,ADDR...]" adds one (IPv6 addresses may be in
   * brackets), "-HOST:PORT" removes one. PORT may be "*" for any port. */
  ASYNC_RESOLVER_OVERRIDE = 30002
} async_resolver_opt_t;

/* Flags of a lookup. */
typedef enum async_resolve_flag {
  ASYNC_RESOLVE_IPV4 = 1,    /* A records only */
  ASYNC_RESOLVE_IPV6 = 2,    /* AAAA records only */
  ASYNC_RESOLVE_NO_CACHE = 4 /* ask the servers even if the cache knows */
} async_resolve_flag_t;

/*
 * The callback form of a lookup. On success err is 0 and result lists at
 * least one address; otherwise result is NULL and message says what
 * happened. result and message are borrowed: valid during the call.
 * Runs on the loop's thread.
 */
typedef void (*async_resolve_cb)(int err, const char *message,
                                 const async_addrinfo_t *result,
                                 void *userdata);

ASYNC_BEGIN_DECLS

/*
 * Creates a resolver with the system's settings (/etc/resolv.conf,
 * /etc/hosts) and its own cache.
 * out: receives one reference; untouched on failure.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED, ASYNC_ENOMEM or ASYNC_EDNS (the
 * system's configuration could not be read). Any thread.
 */
ASYNC_EXTERN int async_resolver_new(async_resolver_t **out,
                                    async_loop_t *loop);

/* Adds a reference. Returns resolver. Any thread. */
ASYNC_EXTERN async_resolver_t *async_resolver_retain(async_resolver_t *resolver);

/* Drops a reference; the last one cancels its lookups and frees it.
 * Lookups in flight hold references. NULL is a no-op. Any thread. */
ASYNC_EXTERN void async_resolver_release(async_resolver_t *resolver);

/*
 * Set an option (see async_resolver_opt_t) with the setter of its type.
 * Options apply to lookups that start afterwards.
 * Returns 0, ASYNC_EINVAL (unknown option, wrong setter, bad value) or
 * ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_resolver_set_int(async_resolver_t *resolver, int opt,
                                        int64_t value);
ASYNC_EXTERN int async_resolver_set_double(async_resolver_t *resolver, int opt,
                                           double value);
ASYNC_EXTERN int async_resolver_set_str(async_resolver_t *resolver, int opt,
                                        const char *value);

/*
 * Looks up `host` for `port` (0 to 65535, copied into each address).
 * The future completes ASYNC_DONE with an async_addrinfo_t * as its value
 * (borrowed, valid while the future lives), or fails with ASYNC_EDNS and a
 * message naming the host and the reason ("could not resolve host
 * 'nosuch.test': NXDOMAIN"). Cancelling it completes it at once and stops
 * the query if no other lookup shares it.
 * host: copied. An IP literal resolves to itself.
 * flags: async_resolve_flag_t bits.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_resolver_resolve(async_resolver_t *resolver,
                                        const char *host, int port,
                                        uint32_t flags, async_future_t **out);

/*
 * The callback form of async_resolver_resolve(): cb runs once on the
 * loop's thread, unless this returns an error.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_resolver_resolve_cb(async_resolver_t *resolver,
                                           const char *host, int port,
                                           uint32_t flags, async_resolve_cb cb,
                                           void *userdata);

/*
 * async_resolver_resolve() with the loop's default resolver (system
 * settings, made on first use, closed with the loop).
 */
ASYNC_EXTERN int async_resolve(async_loop_t *loop, const char *host, int port,
                               uint32_t flags, async_future_t **out);

/* ---- results -------------------------------------------------------- */

/* The name that was looked up (borrowed). NULL for NULL. Any thread. */
ASYNC_EXTERN const char *async_addrinfo_host(const async_addrinfo_t *result);

/* How many addresses the result holds (0 for NULL). Any thread. */
ASYNC_EXTERN size_t async_addrinfo_count(const async_addrinfo_t *result);

/* Address i's family: 4 or 6, or ASYNC_EINVAL. Any thread. */
ASYNC_EXTERN int async_addrinfo_family(const async_addrinfo_t *result,
                                       size_t i);

/* Address i as text ("127.0.0.1", "::1"), borrowed; NULL when out of
 * range. Any thread. */
ASYNC_EXTERN const char *async_addrinfo_address(const async_addrinfo_t *result,
                                                size_t i);

/* Address i's port, or ASYNC_EINVAL. Any thread. */
ASYNC_EXTERN int async_addrinfo_port(const async_addrinfo_t *result, size_t i);

/* Seconds address i may still be cached (its record's TTL, less the time
 * it spent in the cache), or ASYNC_EINVAL. 0 for /etc/hosts, literals and
 * overrides. Any thread. */
ASYNC_EXTERN int64_t async_addrinfo_ttl(const async_addrinfo_t *result,
                                        size_t i);

ASYNC_END_DECLS

#endif /* LIBASYNC_NET_H */
