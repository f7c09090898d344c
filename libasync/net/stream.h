/*
 * A byte stream over a connected socket, plain or TLS: what the HTTP
 * client reads and writes. Reading can be stopped and restarted
 * (back-pressure); writes are buffered and flushed as the socket allows;
 * shutdown sends TLS close_notify, then FIN. Loop thread only.
 */
#ifndef ASYNC_NET_STREAM_H
#define ASYNC_NET_STREAM_H

#include <stddef.h>

#include <libasync/loop.h>

#include "net/tls.h"

typedef struct async__stream async__stream_t;

typedef struct async__stream_handler {
  /* Bytes arrived (borrowed, valid during the call). */
  void (*on_data)(async__stream_t *s, const char *data, size_t len,
                  void *userdata);
  /* The stream ended: err 0 for an orderly end (EOF; for TLS, with
   * close_notify), ASYNC_EPARTIAL for a TLS end without close_notify,
   * ASYNC_ERECV / ASYNC_ESEND / ASYNC_ETLS when it failed. message is
   * borrowed. Nothing is read after it. */
  void (*on_end)(async__stream_t *s, int err, const char *message,
                 void *userdata);
  /* Everything written has reached the kernel. May be NULL. */
  void (*on_drain)(async__stream_t *s, void *userdata);
} async__stream_handler_t;

/* Called once when a TLS handshake ends: err 0, or ASYNC_ECERT /
 * ASYNC_ETLS and a message (borrowed). On error the stream is closed and
 * freed after the call. */
typedef void (*async__stream_ready_cb)(async__stream_t *s, int err,
                                       const char *message, void *userdata);

/* Wraps a connected socket (taken over). Returns NULL when memory ran
 * out (the socket is then closed). */
async__stream_t *async__stream_new(async_loop_t *loop, int fd);

/*
 * Starts a TLS client handshake with host:port over the stream.
 * ready runs once, never from inside this call. Returns 0 or ASYNC_ENOMEM.
 */
int async__stream_start_tls(async__stream_t *s, async__tls_t *tls,
                            const char *host, int port,
                            async__stream_ready_cb ready, void *userdata);

void async__stream_set_handler(async__stream_t *s,
                               const async__stream_handler_t *handler,
                               void *userdata);

/* Starts or resumes delivering data; stops (back-pressure). */
void async__stream_read_start(async__stream_t *s);
void async__stream_read_stop(async__stream_t *s);

/* Queues bytes (copied) and flushes what the socket takes.
 * Returns 0, ASYNC_ENOMEM or ASYNC_ECLOSED (the stream has ended). */
int async__stream_write(async__stream_t *s, const void *data, size_t len);

/* Whether bytes were received that nobody has read yet (held by TLS,
 * decrypted or read ahead): a connection with such bytes cannot be
 * reused. */
int async__stream_buffered(async__stream_t *s);

/* Gives back the memory an idle stream need not hold: TLS's record
 * buffers (16 KiB or more each; made again by the next read or write)
 * and an empty write queue's buffer. Nothing is lost: what is held back
 * unread or unwritten keeps its buffer. */
void async__stream_trim(async__stream_t *s);

/* Bytes queued but not yet written. */
size_t async__stream_pending(async__stream_t *s);

/* Once the queue is written: close_notify (TLS) and FIN. */
void async__stream_shutdown(async__stream_t *s);

/* A weak stream (an idle pooled connection) does not keep
 * async_loop_run(DEFAULT) going. */
void async__stream_set_weak(async__stream_t *s, int weak);

/* Closes the socket and frees the stream; no callback runs after this.
 * Safe from inside the stream's own callbacks. */
void async__stream_close(async__stream_t *s);

/* Whether the TLS session was resumed (0 for plain streams). */
int async__stream_resumed(async__stream_t *s);

/* The ALPN protocol agreed ("http/1.1"), or NULL. Borrowed. */
const char *async__stream_alpn(async__stream_t *s);

#endif /* ASYNC_NET_STREAM_H */
