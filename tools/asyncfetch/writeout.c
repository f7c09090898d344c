/*
 * asyncfetch — expanding -w formats.
 */
#include "writeout.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "job.h"
#include "output.h"

/* Where the expansion goes: %{stdout} and %{stderr} switch it. */
typedef struct af_writer {
  af_transfer_t *t;
  int channel;
  int error; /* errno of a failed write to standard output */
} af_writer_t;

static void af_put(af_writer_t *w, const char *text, size_t len) {
  int err = af_output_write(w->t, w->channel, text, len);

  if (err != 0 && w->error == 0)
    w->error = err;
}

static void af_puts(af_writer_t *w, const char *text) {
  af_put(w, text, strlen(text));
}

/* ---- values -------------------------------------------------------------- */

static int af_is_https(const af_transfer_t *t) {
  const char *url = t->response ? async_response_url(t->response) : t->url;

  return url != NULL && strncasecmp(url, "https:", 6) == 0;
}

/* Not a phase of the library's: the end of connect, or of TLS for https. */
#define AF_TIME_PRETRANSFER (-1)

/* Seconds until the end of `phase`, 0 when unknown. Without a response
 * only the total is known: the time until the transfer failed. */
static double af_time(const af_transfer_t *t, int phase) {
  double value = -1;

  if (t->response != NULL) {
    if (phase == AF_TIME_PRETRANSFER)
      phase = af_is_https(t) ? ASYNC_TIME_TLS : ASYNC_TIME_CONNECT;
    else if (phase == ASYNC_TIME_TLS && !af_is_https(t))
      return 0; /* as curl: no TLS, no time for it */
    value = async_response_time(t->response, phase);
  }
  if (value < 0 && phase == ASYNC_TIME_TOTAL)
    value = t->end - t->start;
  return value < 0 ? 0 : value;
}

/* The value of the variable `name` into buf; returns 0, or -1 when the
 * name is unknown. */
static int af_variable(const af_transfer_t *t, const char *name, char *buf,
                       size_t size) {
  const async_response_t *r = t->response;
  static const struct {
    const char *name;
    int phase;
  } times[] = {{"time_queue", ASYNC_TIME_QUEUE},
               {"time_namelookup", ASYNC_TIME_DNS},
               {"time_connect", ASYNC_TIME_CONNECT},
               {"time_appconnect", ASYNC_TIME_TLS},
               {"time_pretransfer", AF_TIME_PRETRANSFER},
               {"time_starttransfer", ASYNC_TIME_FIRST_BYTE},
               {"time_total", ASYNC_TIME_TOTAL}};

  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    if (strcmp(name, times[i].name) == 0) {
      snprintf(buf, size, "%.6f", af_time(t, times[i].phase));
      return 0;
    }
  }
  if (strcmp(name, "http_code") == 0 || strcmp(name, "response_code") == 0)
    snprintf(buf, size, "%03d", r ? async_response_status(r) : 0);
  else if (strcmp(name, "size_download") == 0)
    snprintf(buf, size, "%" PRId64, t->received);
  else if (strcmp(name, "size_header") == 0)
    snprintf(buf, size, "%zu", r ? af_output_head_size(r) : 0);
  else if (strcmp(name, "size_upload") == 0 ||
           strcmp(name, "size_request_body") == 0)
    snprintf(buf, size, "%zu", t->job->body->len);
  else if (strcmp(name, "speed_download") == 0)
    snprintf(buf, size, "%.0f",
             af_time(t, ASYNC_TIME_TOTAL) > 0
                 ? (double)t->received / af_time(t, ASYNC_TIME_TOTAL)
                 : 0.0);
  else if (strcmp(name, "num_connects") == 0)
    snprintf(buf, size, "%d", r ? async_response_connections(r) : 0);
  else if (strcmp(name, "num_redirects") == 0)
    snprintf(buf, size, "%d", r ? async_response_redirects(r) : 0);
  else if (strcmp(name, "url_effective") == 0)
    snprintf(buf, size, "%s", r ? async_response_url(r) : t->url);
  else if (strcmp(name, "url") == 0)
    snprintf(buf, size, "%s", t->url);
  else if (strcmp(name, "exitcode") == 0)
    snprintf(buf, size, "%d", t->exit_code);
  else if (strcmp(name, "errormsg") == 0)
    snprintf(buf, size, "%s", t->message ? t->message : "");
  else if (strcmp(name, "content_type") == 0)
    snprintf(buf, size, "%s",
             r && async_response_header(r, "Content-Type")
                 ? async_response_header(r, "Content-Type")
                 : "");
  else if (strcmp(name, "http_version") == 0)
    snprintf(buf, size, "%s",
             r ? (async_response_version(r) == 10 ? "1" : "1.1") : "0");
  else if (strcmp(name, "method") == 0)
    snprintf(buf, size, "%s", t->method ? t->method : "");
  else if (strcmp(name, "scheme") == 0)
    snprintf(buf, size, "%s", af_is_https(t) ? "HTTPS" : "HTTP");
  else if (strcmp(name, "filename_effective") == 0)
    snprintf(buf, size, "%s", t->path ? t->path : "");
  else if (strcmp(name, "num_headers") == 0)
    snprintf(buf, size, "%zu", r ? async_response_header_count(r) : 0);
  else
    return -1;
  return 0;
}

/* ---- the format ---------------------------------------------------------- */

/* "%{name}" or "%header{name}" at *p; advances *p past it. Returns 0, or
 * -1 when it is not one (nothing consumed). */
static int af_expand(af_writer_t *w, const char **p) {
  const char *at = *p + 1, *close;
  int header = 0;
  char name[128], value[4096];

  if (strncmp(at, "header{", 7) == 0) {
    header = 1;
    at += 6;
  }
  if (*at != '{' || (close = strchr(at, '}')) == NULL ||
      (size_t)(close - at - 1) >= sizeof name)
    return -1;
  snprintf(name, sizeof name, "%.*s", (int)(close - at - 1), at + 1);
  *p = close + 1;
  if (header) {
    const char *v =
        w->t->response ? async_response_header(w->t->response, name) : NULL;

    if (v != NULL)
      af_puts(w, v);
  } else if (strcmp(name, "stdout") == 0) {
    w->channel = AF_STDOUT;
  } else if (strcmp(name, "stderr") == 0) {
    w->channel = AF_STDERR;
  } else if (af_variable(w->t, name, value, sizeof value) == 0) {
    af_puts(w, value);
  } else if (!w->t->job->opts->silent) {
    af_output_printf(
        w->t, AF_STDERR,
        "asyncfetch: warning: unknown --write-out variable: '%s'\n", name);
  }
  return 0;
}

void af_writeout(af_transfer_t *t, const char *format) {
  af_writer_t w = {t, AF_STDOUT, 0};
  const char *p = format;

  while (*p != '\0') {
    size_t plain = strcspn(p, "%\\");

    af_put(&w, p, plain);
    p += plain;
    if (*p == '\0')
      break;
    if (p[0] == '%' && p[1] == '%') {
      af_put(&w, "%", 1);
      p += 2;
    } else if (p[0] == '%' && af_expand(&w, &p) == 0) {
      continue;
    } else if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == 't')) {
      af_put(&w, p[1] == 'n' ? "\n" : p[1] == 'r' ? "\r" : "\t", 1);
      p += 2;
    } else if (p[0] == '\\' && p[1] == '\\') {
      af_put(&w, "\\", 1);
      p += 2;
    } else {
      af_put(&w, p, 1);
      p++;
    }
  }
  if (w.error != 0)
    af_transfer_fail(t, 23, ASYNC_EIO,
                     "could not write the output of %s to standard output",
                     t->url);
}
