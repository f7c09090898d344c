/*
 * TCP connect with Happy Eyeballs (RFC 8305): the addresses are tried
 * interleaved by family, IPv6 first; the next attempt starts 250 ms after
 * the last one or at once when one fails; the first to connect wins and
 * the others are closed. Loop thread only.
 */
#ifndef ASYNC_NET_CONNECT_H
#define ASYNC_NET_CONNECT_H

#include <libasync/net.h>

typedef struct async__connect async__connect_t;

/*
 * The outcome: a connected, non-blocking socket (fd >= 0, the callee's to
 * close) and err 0, or fd -1 and ASYNC_ECONNECT / ASYNC_ETIMEDOUT /
 * ASYNC_ENOMEM with a message (borrowed, valid during the call) naming
 * the host and each address's reason. Runs once, never from inside
 * async__connect_start; the connect is freed after it returns.
 */
typedef void (*async__connect_cb)(int err, const char *message, int fd,
                                  void *userdata);

/* Seconds between attempts (RFC 8305's "Connection Attempt Delay"). */
#define ASYNC__CONNECT_STAGGER 0.250

/*
 * Starts connecting to the addresses of `addrs` (borrowed during the
 * call), within `timeout` seconds (ASYNC_FOREVER: no limit).
 * Returns NULL when memory ran out (cb is then never called).
 */
async__connect_t *async__connect_start(async_loop_t *loop,
                                       const async_addrinfo_t *addrs,
                                       double timeout, async__connect_cb cb,
                                       void *userdata);

/* Stops connecting and frees the connect; cb is never called. */
void async__connect_cancel(async__connect_t *c);

/* Sets the options every libasync socket has: TCP_NODELAY. */
void async__socket_tune(int fd);

#endif /* ASYNC_NET_CONNECT_H */
