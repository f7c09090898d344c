#include "http/decode.h"

#include <libasync/error.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"

int async__decoder_init(async__decoder_t *d, const char *encoding,
                        char **message) {
  int bits;

  memset(d, 0, sizeof(*d));
  *message = NULL;
  if (encoding == NULL || *encoding == '\0' ||
      strcasecmp(encoding, "identity") == 0)
    return 0;
  if (strcasecmp(encoding, "gzip") == 0 || strcasecmp(encoding, "x-gzip") == 0)
    bits = 15 + 16;
  else if (strcasecmp(encoding, "deflate") == 0)
    bits = 15;
  else {
    *message = async__format("unknown content encoding '%.40s'", encoding);
    return ASYNC_EDECODE;
  }
  snprintf(d->encoding, sizeof(d->encoding), "%s", encoding);
  if (inflateInit2(&d->z, bits) != Z_OK)
    return ASYNC_ENOMEM;
  d->active = 1;
  return 0;
}

static int broken(async__decoder_t *d, char **message) {
  *message = async__format("broken %s body: %s", d->encoding,
                           d->z.msg ? d->z.msg : "bad data");
  return ASYNC_EDECODE;
}

int async__decoder_feed(async__decoder_t *d, const char *data, size_t len,
                        async__decoded_fn out, void *userdata,
                        char **message) {
  char buf[16384];

  *message = NULL;
  if (!d->active)
    return len > 0 ? out(userdata, data, len) : 0;
  d->z.next_in = (Bytef *)data;
  d->z.avail_in = (uInt)len;
  while (d->z.avail_in > 0 && !d->ended) {
    int z, rv;
    d->z.next_out = (Bytef *)buf;
    d->z.avail_out = sizeof(buf);
    z = inflate(&d->z, Z_NO_FLUSH);
    if (z == Z_DATA_ERROR && !d->produced && !d->raw_tried &&
        strcasecmp(d->encoding, "deflate") == 0) {
      /* Some servers send raw deflate, without the zlib wrapper. */
      d->raw_tried = 1;
      inflateEnd(&d->z);
      memset(&d->z, 0, sizeof(d->z));
      if (inflateInit2(&d->z, -15) != Z_OK)
        return ASYNC_ENOMEM;
      d->z.next_in = (Bytef *)data;
      d->z.avail_in = (uInt)len;
      continue;
    }
    if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR)
      return broken(d, message);
    if (z == Z_STREAM_END)
      d->ended = 1;
    if (sizeof(buf) > d->z.avail_out) {
      d->produced = 1;
      if ((rv = out(userdata, buf, sizeof(buf) - d->z.avail_out)) < 0)
        return rv;
    }
    if (z == Z_BUF_ERROR)
      break;
  }
  return 0;
}

int async__decoder_finish(async__decoder_t *d, char **message) {
  *message = NULL;
  if (!d->active || d->ended)
    return 0;
  *message = async__format("%s body ends before its compressed stream does",
                           d->encoding);
  return ASYNC_EDECODE;
}

void async__decoder_free(async__decoder_t *d) {
  if (d->active)
    inflateEnd(&d->z);
  d->active = 0;
}
