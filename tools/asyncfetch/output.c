/*
 * asyncfetch — writing each transfer's output in turn.
 *
 * A transfer that must wait for its turn keeps its output in one buffer of
 * segments, each a channel byte, a length and that many bytes, so that
 * standard output and standard error text come out later in the order
 * they were written.
 */
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "headers.h"
#include "job.h"
#include "url.h"

#define AF_SEGMENT_HEADER (1 + sizeof(size_t))

/* ---- kept output --------------------------------------------------------- */

static int af_buffer_reserve(af_buffer_t *buffer, size_t more) {
  size_t capacity = buffer->capacity ? buffer->capacity : 4096;
  char *data;

  if (buffer->len + more <= buffer->capacity)
    return 0;
  while (capacity < buffer->len + more)
    capacity *= 2;
  data = realloc(buffer->data, capacity);
  if (data == NULL)
    return ENOMEM;
  buffer->data = data;
  buffer->capacity = capacity;
  return 0;
}

/* Appends to the last segment when it has the same channel, else starts a
 * new one. Returns 0 or ENOMEM. */
static int af_keep(af_transfer_t *t, int channel, const char *data,
                   size_t len) {
  af_buffer_t *kept = &t->kept;
  size_t segment_len;

  if (len == 0)
    return 0;
  if (kept->len > 0 && kept->data[t->last_segment] == (char)channel) {
    if (af_buffer_reserve(kept, len) != 0)
      return ENOMEM;
    memcpy(&segment_len, kept->data + t->last_segment + 1, sizeof(size_t));
    segment_len += len;
    memcpy(kept->data + t->last_segment + 1, &segment_len, sizeof(size_t));
  } else {
    if (af_buffer_reserve(kept, AF_SEGMENT_HEADER + len) != 0)
      return ENOMEM;
    t->last_segment = kept->len;
    kept->data[kept->len] = (char)channel;
    memcpy(kept->data + kept->len + 1, &len, sizeof(size_t));
    kept->len += AF_SEGMENT_HEADER;
  }
  memcpy(kept->data + kept->len, data, len);
  kept->len += len;
  return 0;
}

/* ---- writing out --------------------------------------------------------- */

/* Writes to standard output or error now. Returns 0 or the errno of a
 * failed write to standard output (errors on standard error are not
 * reported: there is nowhere left to report them). */
static int af_emit(af_job_t *job, int channel, const char *data, size_t len) {
  if (channel == AF_STDERR) {
    /* What went to standard output before comes first on a terminal. */
    if (job->stdout_error == 0 && fflush(stdout) != 0)
      job->stdout_error = errno ? errno : EIO;
    af_progress_clear(&job->progress);
    /* On a terminal, a message starts on a line of its own even after a
     * body that did not end with a newline. */
    if (job->one_terminal && job->stdout_last != 0 && job->stdout_last != '\n')
      fputc('\n', stderr);
    job->stdout_last = 0;
    fwrite(data, 1, len, stderr);
    return 0;
  }
  if (job->stdout_error != 0)
    return job->stdout_error;
  if (len > 0 && fwrite(data, 1, len, stdout) != len)
    job->stdout_error = errno ? errno : EIO;
  if (len > 0)
    job->stdout_last = data[len - 1];
  return job->stdout_error;
}

/* Writes body bytes to the -o file, opening it on the first write. */
static int af_file_write(af_transfer_t *t, const char *data, size_t len) {
  if (t->file == NULL) {
    t->file = fopen(t->path, "wb");
    if (t->file == NULL)
      return errno ? errno : EIO;
  }
  if (len > 0 && fwrite(data, 1, len, t->file) != len)
    return errno ? errno : EIO;
  return 0;
}

int af_output_write(af_transfer_t *t, int channel, const char *data,
                    size_t len) {
  if (channel == AF_BODY) {
    if (t->path != NULL)
      return af_file_write(t, data, len);
    channel = AF_STDOUT;
  }
  if (channel == AF_STDOUT && len > 0)
    t->stdout_used = 1;
  if (!t->live)
    return af_keep(t, channel, data, len);
  return af_emit(t->job, channel, data, len);
}

int af_output_printf(af_transfer_t *t, int channel, const char *format, ...) {
  char small[1024], *text = small;
  va_list ap;
  int len, rv;

  va_start(ap, format);
  len = vsnprintf(small, sizeof small, format, ap);
  va_end(ap);
  if (len < 0)
    return EINVAL;
  if ((size_t)len >= sizeof small) {
    text = malloc((size_t)len + 1);
    if (text == NULL)
      return ENOMEM;
    va_start(ap, format);
    vsnprintf(text, (size_t)len + 1, format, ap);
    va_end(ap);
  }
  rv = af_output_write(t, channel, text, (size_t)len);
  if (text != small)
    free(text);
  return rv;
}

int af_output_promote(af_transfer_t *t) {
  af_buffer_t *kept = &t->kept;
  size_t at = 0;
  int rv = 0;

  t->live = 1;
  while (at + AF_SEGMENT_HEADER <= kept->len) {
    int channel = kept->data[at];
    size_t len;
    int err;

    memcpy(&len, kept->data + at + 1, sizeof(size_t));
    err = af_emit(t->job, channel, kept->data + at + AF_SEGMENT_HEADER, len);
    if (rv == 0)
      rv = err;
    at += AF_SEGMENT_HEADER + len;
  }
  af_output_free(t);
  return rv;
}

int af_output_flush(af_transfer_t *t) {
  af_job_t *job = t->job;

  if (job->stdout_error == 0 && fflush(stdout) != 0)
    job->stdout_error = errno ? errno : EIO;
  return job->stdout_error;
}

int af_output_close(af_transfer_t *t, int create) {
  int rv = 0;

  if (t->path == NULL)
    return 0;
  if (t->file == NULL && create)
    rv = af_file_write(t, "", 0);
  if (t->file != NULL && fclose(t->file) != 0 && rv == 0)
    rv = errno ? errno : EIO;
  t->file = NULL;
  return rv;
}

void af_output_free(af_transfer_t *t) {
  free(t->kept.data);
  memset(&t->kept, 0, sizeof(t->kept));
  t->last_segment = 0;
}

/* ---- response heads ------------------------------------------------------ */

/* "HTTP/1.1 200 OK" into line. */
static void af_status_line(char *line, size_t size,
                           const async_response_t *response) {
  int version = async_response_version(response);
  const char *reason = async_response_reason(response);

  snprintf(line, size, "HTTP/%d.%d %03d%s%s", version / 10, version % 10,
           async_response_status(response), reason && reason[0] ? " " : "",
           reason ? reason : "");
}

/* Writes the head, each line after `prefix`, to `channel`. */
static int af_write_head(af_transfer_t *t, int channel, const char *prefix,
                         const async_response_t *response) {
  size_t count = async_response_header_count(response);
  char line[512];
  int rv;

  af_status_line(line, sizeof line, response);
  rv = af_output_printf(t, channel, "%s%s\r\n", prefix, line);
  for (size_t i = 0; i < count && rv == 0; i++) {
    const char *name, *value;

    if (async_response_header_at(response, i, &name, &value) == 0)
      rv = af_output_printf(t, channel, "%s%s: %s\r\n", prefix, name, value);
  }
  if (rv == 0)
    rv = af_output_printf(t, channel, "%s\r\n", prefix);
  return rv;
}

int af_output_head(af_transfer_t *t, const async_response_t *response) {
  return af_write_head(t, AF_BODY, "", response);
}

void af_output_verbose_head(af_transfer_t *t,
                            const async_response_t *response) {
  af_write_head(t, AF_STDERR, "< ", response);
}

size_t af_output_head_size(const async_response_t *response) {
  size_t count = async_response_header_count(response);
  char line[512];
  size_t size;

  af_status_line(line, sizeof line, response);
  size = strlen(line) + 2 + 2;
  for (size_t i = 0; i < count; i++) {
    const char *name, *value;

    if (async_response_header_at(response, i, &name, &value) == 0)
      size += strlen(name) + 2 + strlen(value) + 2;
  }
  return size;
}

/* ---- the request, for -v ------------------------------------------------- */

/* The -H arguments that are sent, as "> Name: value" lines. */
static void af_verbose_user_headers(af_transfer_t *t) {
  const af_options_t *opts = t->job->opts;

  for (size_t i = 0; i < opts->headers.count; i++) {
    char name[256];
    const char *value;
    int kind =
        af_header_parse(opts->headers.items[i], name, sizeof name, &value);

    if ((kind != AF_HEADER_ADD && kind != AF_HEADER_EMPTY) ||
        af_header_is_reserved(name) || strcasecmp(name, "User-Agent") == 0)
      continue;
    af_output_printf(t, AF_STDERR, "> %s: %s\r\n", name, value);
  }
}

void af_output_verbose_request(af_transfer_t *t, const char *method,
                               size_t body_len) {
  const af_options_t *opts = t->job->opts;
  char authority[1024], target[8192];
  char agent_buf[64];
  const char *agent = af_client_user_agent(opts, agent_buf, sizeof agent_buf);
  const char *value;
  int https;

  if (af_url_parts(t->url, &https, authority, sizeof authority, target,
                   sizeof target) < 0)
    return;
  /* Plain http through a proxy asks for the absolute URL. */
  af_output_printf(t, AF_STDERR, "> %s %s HTTP/1.1\r\n", method,
                   opts->proxy && !https ? t->url : target);
  af_output_printf(t, AF_STDERR, "> Host: %s\r\n", authority);
  if (agent != NULL)
    af_output_printf(t, AF_STDERR, "> User-Agent: %s\r\n", agent);
  if (opts->compressed && !af_headers_find(opts, "Accept-Encoding", &value))
    af_output_printf(t, AF_STDERR, "> Accept-Encoding: gzip, deflate\r\n");
  if (!af_headers_find(opts, "Accept", &value))
    af_output_printf(t, AF_STDERR, "> Accept: */*\r\n");
  af_verbose_user_headers(t);
  if (t->job->body->data != NULL &&
      !af_headers_find(opts, "Content-Type", &value))
    af_output_printf(t, AF_STDERR,
                     "> Content-Type: application/x-www-form-urlencoded\r\n");
  /* As the library frames it: a bodiless GET or HEAD says nothing. */
  if (body_len > 0 ||
      (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
    af_output_printf(t, AF_STDERR, "> Content-Length: %zu\r\n", body_len);
  af_output_printf(t, AF_STDERR, "> \r\n");
}
