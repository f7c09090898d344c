/*
 * asyncbench — driving the load.
 *
 * One request object is built once and sent over and over (sending a
 * request twice sends it twice). Each of the CONNECTIONS slots holds one
 * request in flight: its completion records the latency and sends the
 * slot's next request from the callback, so exactly CONNECTIONS are in
 * flight until the end, and the session's limit of CONNECTIONS makes each
 * slot a connection of its own. The loop is run on this thread
 * (embedded mode) and stopped when the last slot has nothing left to send.
 */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libasync.h>

typedef struct ab_load ab_load_t;

typedef struct ab_slot {
  ab_load_t *load;
} ab_slot_t;

struct ab_load {
  async_loop_t *loop;
  async_session_t *session;
  async_request_t *request;
  ab_stats_t *stats;
  ab_slot_t *slots;
  uint64_t limit;   /* requests to send in all; 0: until time is up */
  uint64_t started; /* requests sent */
  long active;      /* slots with a request in flight */
  int stopping;     /* time is up, or sending failed: send no more */
  int fatal;        /* sending failed */
  uint64_t first_ns, last_ns; /* the first request sent, the last done */
};

static void on_response(async_response_t *response, int err,
                        const char *message, void *userdata);

static void report_failure(const char *what, int err) {
  fprintf(stderr, "asyncbench: %s: %s (%s)\n", what, async_strerror(err),
          async_err_name(err));
}

/* The slot's request is done: sends its next one, or retires it. */
static void send_next(ab_slot_t *slot) {
  ab_load_t *load = slot->load;
  int rv;

  if (!load->stopping && (load->limit == 0 || load->started < load->limit)) {
    load->started++;
    rv = async_session_send_cb(load->session, load->request, on_response, slot);
    if (rv == 0)
      return;
    report_failure("async_session_send_cb", rv);
    load->stopping = load->fatal = 1;
  }
  if (--load->active == 0) {
    load->last_ns = ab_now_ns();
    async_loop_stop(load->loop);
  }
}

static void count_error(ab_stats_t *stats, int err, const char *message) {
  int kind = -err;

  if (kind <= 0 || kind >= AB_ERROR_KINDS)
    kind = AB_ERROR_KINDS - 1;
  stats->failed++;
  if (stats->errors[kind]++ == 0 && message != NULL)
    stats->first_message[kind] = strdup(message);
}

/* Bodies stream through here and are counted, not kept: wrk and the
 * libcurl peer discard them too. */
static void count_body(async_response_t *response, const char *data,
                       size_t len, void *userdata) {
  ab_stats_t *stats = userdata;

  (void)response;
  (void)data;
  stats->bytes += len;
}

/* A response's latency is the library's own measure, from the request's
 * start to its last byte (async_response_time): the library reads the
 * clock for it anyway. Failures count as errors, without a latency, as in
 * wrk. */
static void on_response(async_response_t *response, int err,
                        const char *message, void *userdata) {
  ab_slot_t *slot = userdata;
  ab_stats_t *stats = slot->load->stats;

  if (err < 0) {
    count_error(stats, err, message);
  } else {
    ab_histogram_record(
        &stats->latency,
        (uint64_t)(async_response_time(response, ASYNC_TIME_TOTAL) * 1e9));
    stats->ok++;
    if (async_response_status(response) >= 400)
      stats->non2xx++;
  }
  send_next(slot);
}

static int on_time_up(void *arg, void **result) {
  ab_load_t *load = arg;

  (void)result;
  load->stopping = 1;
  return 0;
}

/* The request, built once: method, URL, headers, body. */
static int make_request(const ab_options_t *opts, ab_stats_t *stats,
                        async_request_t **out) {
  async_request_t *r = NULL;
  char name[256];
  const char *colon, *value;
  size_t i, n;
  int rv;

  if ((rv = async_request_new(&r, opts->method, opts->url)) < 0) {
    report_failure(opts->url, rv);
    return rv;
  }
  for (i = 0; i < opts->n_headers && rv == 0; i++) {
    colon = strchr(opts->headers[i], ':');
    n = (size_t)(colon - opts->headers[i]);
    if (n >= sizeof(name))
      n = sizeof(name) - 1;
    memcpy(name, opts->headers[i], n);
    name[n] = '\0';
    for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
      ;
    if ((rv = async_request_add_header(r, name, value)) < 0)
      report_failure(opts->headers[i], rv);
  }
  if (rv == 0 && opts->data != NULL &&
      (rv = async_request_set_body(r, opts->data, strlen(opts->data))) < 0)
    report_failure("--data", rv);
  if (rv == 0 &&
      (rv = async_request_set_streaming(r, NULL, count_body, stats)) < 0)
    report_failure("async_request_set_streaming", rv);
  if (rv < 0) {
    async_request_release(r);
    return rv;
  }
  *out = r;
  return 0;
}

/* A session for the benchmark: CONNECTIONS connections, bodies as they
 * come (no decoding), redirects returned rather than followed, and the
 * request wrk sends: the library's User-Agent and Accept are left out
 * (a -H of either still sends it), so that the server does the same work
 * for every client compared. */
static int make_session(const ab_options_t *opts, async_loop_t *loop,
                        async_session_t **out) {
  async_session_t *s = NULL;
  int rv;

  if ((rv = async_session_new(&s, loop)) < 0) {
    report_failure("async_session_new", rv);
    return rv;
  }
  if ((rv = async_session_set_int(s, ASYNC_SESSION_LIMIT, opts->connections)) ==
          0 &&
      (rv = async_session_set_int(s, ASYNC_SESSION_DECOMPRESS, 0)) == 0 &&
      (rv = async_session_set_int(s, ASYNC_SESSION_FOLLOW_REDIRECTS, 0)) == 0 &&
      (rv = async_session_set_str(s, ASYNC_SESSION_HEADER, "User-Agent:")) ==
          0 &&
      (rv = async_session_set_str(s, ASYNC_SESSION_HEADER, "Accept:")) == 0 &&
      (rv = async_session_set_int(s, ASYNC_SESSION_VERIFY_PEER,
                                  !opts->insecure)) == 0 &&
      opts->cacert != NULL)
    rv = async_session_set_str(s, ASYNC_SESSION_CA_FILE, opts->cacert);
  if (rv < 0) {
    report_failure("setting the session's options", rv);
    async_session_release(s);
    return rv;
  }
  *out = s;
  return 0;
}

/* Starts every slot, runs the loop until the last one retires. */
static int drive(ab_load_t *load, const ab_options_t *opts) {
  ab_cpu_t before, after;
  long i;
  int rv;

  if (opts->duration > 0 &&
      (rv = async_loop_call_later(load->loop, opts->duration, on_time_up, load,
                                  NULL)) < 0) {
    report_failure("async_loop_call_later", rv);
    return 1;
  }
  load->stats->ran = 1;
  ab_cpu_now(&before);
  load->first_ns = load->last_ns = ab_now_ns();
  load->active = opts->connections;
  for (i = 0; i < opts->connections; i++) {
    load->slots[i].load = load;
    send_next(&load->slots[i]);
  }
  if (load->active > 0 &&
      (rv = async_loop_run(load->loop, ASYNC_RUN_DEFAULT)) < 0) {
    report_failure("async_loop_run", rv);
    return 1;
  }
  ab_cpu_now(&after);
  load->stats->cpu.user_s = after.user_s - before.user_s;
  load->stats->cpu.sys_s = after.sys_s - before.sys_s;
  load->stats->wall_s = (double)(load->last_ns - load->first_ns) / 1e9;
  load->stats->peak_rss_kb = ab_peak_rss_kb();
  return load->fatal || load->active > 0;
}

int ab_load_run(const ab_options_t *opts, ab_stats_t *stats) {
  ab_load_t load;
  int rv, status = 1;

  memset(stats, 0, sizeof(*stats));
  ab_histogram_init(&stats->latency);
  memset(&load, 0, sizeof(load));
  load.stats = stats;
  load.limit = (uint64_t)opts->requests;
  load.slots = calloc((size_t)opts->connections, sizeof(*load.slots));
  if (load.slots == NULL) {
    fprintf(stderr, "asyncbench: out of memory\n");
    return 1;
  }
  if ((rv = async_loop_new(&load.loop)) < 0)
    report_failure("async_loop_new", rv);
  else if (make_session(opts, load.loop, &load.session) == 0 &&
           make_request(opts, stats, &load.request) == 0)
    status = drive(&load, opts);
  async_request_release(load.request);
  if (load.session != NULL)
    async_session_close(load.session);
  async_session_release(load.session);
  if (load.loop != NULL)
    async_loop_close(load.loop);
  async_loop_release(load.loop);
  free(load.slots);
  return status;
}

void ab_stats_free(ab_stats_t *stats) {
  int i;

  for (i = 0; i < AB_ERROR_KINDS; i++) {
    free(stats->first_message[i]);
    stats->first_message[i] = NULL;
  }
}
