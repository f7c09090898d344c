/* Content decoding: gzip and deflate bodies, decoded as they stream. */
#ifndef ASYNC_HTTP_DECODE_H
#define ASYNC_HTTP_DECODE_H

#include <stddef.h>
#include <zlib.h>

typedef int (*async__decoded_fn)(void *userdata, const char *data,
                                 size_t len);

typedef struct async__decoder {
  z_stream z;
  int active; /* 0: identity, bytes pass through */
  int raw_tried;
  int produced;
  int ended;
  char encoding[32];
} async__decoder_t;

/*
 * Prepares for a Content-Encoding (NULL or "identity": pass through).
 * Returns 0, ASYNC_EDECODE (an encoding not known; *message names it) or
 * ASYNC_ENOMEM.
 */
int async__decoder_init(async__decoder_t *d, const char *encoding,
                        char **message);

/* Decodes bytes, handing the output to out. Returns 0, ASYNC_EDECODE
 * (with *message), ASYNC_ENOMEM, or out's error. */
int async__decoder_feed(async__decoder_t *d, const char *data, size_t len,
                        async__decoded_fn out, void *userdata,
                        char **message);

/* The body ended: returns 0, or ASYNC_EDECODE when the compressed stream
 * was cut short. */
int async__decoder_finish(async__decoder_t *d, char **message);

void async__decoder_free(async__decoder_t *d);

#endif /* ASYNC_HTTP_DECODE_H */
