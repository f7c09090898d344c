/*
 * Dialing: DNS, then TCP (Happy Eyeballs), then TLS if asked — one
 * deadline over the three, and the time each phase took. What the HTTP
 * client opens connections with. Loop thread only.
 */
#ifndef ASYNC_NET_DIAL_H
#define ASYNC_NET_DIAL_H

#include <libasync/net.h>

#include "net/stream.h"
#include "net/tls.h"

typedef struct async__dial async__dial_t;

typedef struct async__dial_options {
  async_resolver_t *resolver; /* borrowed during the dial */
  async__tls_t *tls;          /* NULL: a plain connection */
  double timeout;             /* DNS + TCP + TLS; ASYNC_FOREVER: none */
  uint32_t resolve_flags;
} async__dial_options_t;

/* Seconds from the start of the dial to the end of each phase. */
typedef struct async__dial_times {
  double dns;
  double connect;
  double tls;
} async__dial_times_t;

/*
 * The outcome: a stream (the callee's) and err 0; or NULL and ASYNC_EDNS,
 * ASYNC_ECONNECT, ASYNC_ETIMEDOUT (its message names the phase),
 * ASYNC_ECERT, ASYNC_ETLS or ASYNC_ENOMEM with a message (borrowed). Runs
 * once, never from inside async__dial_start.
 */
typedef void (*async__dial_cb)(async__stream_t *stream, int err,
                               const char *message,
                               const async__dial_times_t *times,
                               void *userdata);

/* Returns NULL when memory ran out (cb is never called then). */
async__dial_t *async__dial_start(async_loop_t *loop, const char *host,
                                 int port,
                                 const async__dial_options_t *options,
                                 async__dial_cb cb, void *userdata);

/* The phase under way: "DNS lookup", "TCP connect" or "TLS handshake". */
const char *async__dial_phase(const async__dial_t *d);

/* Stops the dial; cb is never called. */
void async__dial_cancel(async__dial_t *d);

#endif /* ASYNC_NET_DIAL_H */
