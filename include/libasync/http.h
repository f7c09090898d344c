/*
 * libasync — the HTTP/1.1 client: aiohttp's ClientSession in C.
 *
 * A session (async_session_t) holds a pool of keep-alive connections keyed
 * by scheme, host and port, limits on how many it opens (in all and per
 * host, with a FIFO queue for the requests that wait), default headers,
 * timeouts, TLS settings, a DNS resolver and a redirect policy. A request
 * (async_request_t) is a method, a URL, headers and a body; it is built on
 * any thread without touching the loop, then sent through a session. The
 * answer is a response (async_response_t): status, headers, body (buffered,
 * or streamed to a callback with back-pressure), the URL it finally came
 * from, and how long each phase took. A response is immutable once
 * delivered and readable from any thread.
 *
 * Every function here may be called from any thread; callbacks run on
 * the loop's thread. Pointers that response accessors return are
 * borrowed: valid while the response lives.
 *
 * Every operation has a future form and a callback form. Every failure
 * completes with one async_err_t and a message naming the URL and what
 * happened: ASYNC_EURL, ASYNC_ESCHEME, ASYNC_EDNS, ASYNC_ECONNECT,
 * ASYNC_ETLS, ASYNC_ECERT, ASYNC_ETIMEDOUT (naming the phase that ran
 * out), ASYNC_EPROTO, ASYNC_EPARTIAL, ASYNC_EEMPTY, ASYNC_ESEND,
 * ASYNC_ERECV, ASYNC_EREDIRECTS, ASYNC_ETOOLARGE, ASYNC_EDECODE,
 * ASYNC_EPROXYDNS, ASYNC_EIO, ASYNC_ECANCELLED.
 */
#ifndef LIBASYNC_HTTP_H
#define LIBASYNC_HTTP_H

#include "common.h"

typedef struct async_session async_session_t;
typedef struct async_request async_request_t;
typedef struct async_response async_response_t;

/*
 * Options of sessions (async_session_set_*) and of single requests
 * (async_request_set_*, which override the session's for that request).
 * The number encodes the type: from 10001 integers, from 20001 doubles
 * (seconds; ASYNC_FOREVER for no limit), from 30001 strings.
 * async_session_option() finds one by name, so bindings need not copy this
 * table.
 */
typedef enum async_session_opt {
  /* Connections open at once, in all: >= 1, default 100. Session only. */
  ASYNC_SESSION_LIMIT = 10001,
  /* Connections open at once to one scheme+host+port: 0 (no limit,
   * the default) or more. Session only. */
  ASYNC_SESSION_LIMIT_PER_HOST = 10002,
  /* Requests one connection serves before it is closed: 0 (no limit,
   * the default) or more. Session only. */
  ASYNC_SESSION_MAX_REQUESTS_PER_CONNECTION = 10003,
  /* Follow redirects (1, the default) or return them (0). */
  ASYNC_SESSION_FOLLOW_REDIRECTS = 10004,
  /* Redirects followed at most: >= 0, default 10; more fails with
   * ASYNC_EREDIRECTS. */
  ASYNC_SESSION_MAX_REDIRECTS = 10005,
  /* Send Accept-Encoding: gzip, deflate and decode the body (1, the
   * default), or leave the body as it came (0). */
  ASYNC_SESSION_DECOMPRESS = 10006,
  /* Verify the server's certificate (1, the default) or not (0). Session
   * only. */
  ASYNC_SESSION_VERIFY_PEER = 10007,
  /* Largest response head (status line and headers) in bytes: default
   * 65536; more fails with ASYNC_ETOOLARGE. */
  ASYNC_SESSION_MAX_HEADER_BYTES = 10008,
  /* Most header fields in a response: default 128. */
  ASYNC_SESSION_MAX_HEADER_FIELDS = 10009,
  /* Largest body kept in memory (after decoding), in bytes: 0 (no limit,
   * the default) or more; more fails with ASYNC_ETOOLARGE. */
  ASYNC_SESSION_MAX_BODY_BYTES = 10010,
  /* Take the proxy from http_proxy, https_proxy and no_proxy (1) or not
   * (0, the default), as aiohttp's trust_env. Session only. */
  ASYNC_SESSION_PROXY_FROM_ENV = 10011,
  /* Deadline of the whole request: queue, DNS, connect, TLS, sending,
   * first byte and body. Default 300 s. */
  ASYNC_SESSION_TIMEOUT = 20001,
  /* Deadline of DNS + TCP + TLS when a connection is opened. Default
   * none (the whole request's deadline applies). */
  ASYNC_SESSION_CONNECT_TIMEOUT = 20002,
  /* Longest wait for the next bytes of the response. Default none. */
  ASYNC_SESSION_READ_TIMEOUT = 20003,
  /* Longest wait in the queue for a connection. Default none. */
  ASYNC_SESSION_QUEUE_TIMEOUT = 20004,
  /* How long an idle connection is kept: default 15 s, clamped below the
   * server's Keep-Alive: timeout= hint. Session only. */
  ASYNC_SESSION_IDLE_TIMEOUT = 20005,
  /* Age after which a connection is not reused: 0 (none, the default).
   * Session only. */
  ASYNC_SESSION_MAX_CONNECTION_AGE = 20006,
  /* The User-Agent header: default "libasync/VERSION"; "" sends none. */
  ASYNC_SESSION_USER_AGENT = 30001,
  /* A header sent with every request, "Name: value"; "Name:" removes
   * the default header Name, including those the library adds
   * (User-Agent, Accept, Accept-Encoding). Repeatable. Session only. */
  ASYNC_SESSION_HEADER = 30002,
  /* Trust the CA certificates of this PEM file instead of the system's.
   * Session only. */
  ASYNC_SESSION_CA_FILE = 30003,
  /* ... or of this hashed directory. Session only. */
  ASYNC_SESSION_CA_DIR = 30004,
  /* Client certificate chain (PEM) and its key. Session only. */
  ASYNC_SESSION_CERT_FILE = 30005,
  ASYNC_SESSION_KEY_FILE = 30006,
  /* Name servers, as ASYNC_RESOLVER_SERVERS. Session only. */
  ASYNC_SESSION_DNS_SERVERS = 30007,
  /* A static answer, as ASYNC_RESOLVER_OVERRIDE (curl's --resolve).
   * Repeatable. Session only. */
  ASYNC_SESSION_RESOLVE = 30008,
  /* HTTP proxy URL ("http://host:port"): absolute-form for http, a
   * CONNECT tunnel for https. "" for none. Session only. */
  ASYNC_SESSION_PROXY = 30009,
  /* Hosts reached without the proxy, as curl's --noproxy and no_proxy:
   * comma-separated names or domains, "*" for all. Session only. */
  ASYNC_SESSION_NO_PROXY = 30010
} async_session_opt_t;

/* The phases of a request, for async_response_time(). */
typedef enum async_http_phase {
  ASYNC_TIME_QUEUE = 0,      /* until a connection was free */
  ASYNC_TIME_DNS = 1,        /* until the name was resolved */
  ASYNC_TIME_CONNECT = 2,    /* until TCP was connected */
  ASYNC_TIME_TLS = 3,        /* until the TLS handshake ended */
  ASYNC_TIME_FIRST_BYTE = 4, /* until the first response byte */
  ASYNC_TIME_TOTAL = 5       /* until the response was complete */
} async_http_phase_t;

/*
 * A response arrived, or the request failed (response NULL, err < 0,
 * message naming what happened). Both are borrowed: retain the response
 * to keep it. Runs on the loop's thread.
 */
typedef void (*async_response_cb)(async_response_t *response, int err,
                                  const char *message, void *userdata);

/*
 * Streaming: the status and headers arrived (body still to come). Call
 * async_response_pause() here to stop the body until resumed.
 */
typedef void (*async_headers_cb)(async_response_t *response, void *userdata);

/*
 * Streaming: a piece of the body (decoded if the session decodes),
 * borrowed for the call. The body is then not kept in the response.
 */
typedef void (*async_data_cb)(async_response_t *response, const char *data,
                              size_t len, void *userdata);

/*
 * A request body of unknown or large size, produced on the loop's thread:
 * fill buf with up to `size` bytes and return how many; 0 at the end; a
 * negative async_err_t to fail the request (ASYNC_EIO).
 */
typedef int64_t (*async_body_fn)(void *userdata, char *buf, size_t size);

/* fetch-many: URL `index` has completed (in the order they complete). */
typedef void (*async_fetch_cb)(size_t index, async_future_t *future,
                               void *userdata);

ASYNC_BEGIN_DECLS

/* ---- sessions ------------------------------------------------------- */

/*
 * Creates a session on a loop.
 * out: receives one reference; untouched on failure.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_session_new(async_session_t **out, async_loop_t *loop);

/* Adds a reference. Returns session. Any thread. */
ASYNC_EXTERN async_session_t *async_session_retain(async_session_t *session);

/* Drops a reference; the last one closes the session. NULL is a no-op.
 * Requests in flight hold references. Any thread. */
ASYNC_EXTERN void async_session_release(async_session_t *session);

/*
 * Closes the session: cancels its requests (each completes with
 * ASYNC_ECANCELLED) and closes its connections. Afterwards sending
 * returns ASYNC_ECLOSED. Closing twice is harmless.
 * Returns 0 or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_session_close(async_session_t *session);

/*
 * Set an option (async_session_opt_t) with the setter of its type. A
 * session's TLS, DNS and proxy options must be set before its first
 * request (ASYNC_EBUSY after).
 * Returns 0, ASYNC_EINVAL (unknown option, wrong setter, bad value),
 * ASYNC_EBUSY or ASYNC_ECLOSED. Any thread.
 */
ASYNC_EXTERN int async_session_set_int(async_session_t *session, int opt,
                                       int64_t value);
ASYNC_EXTERN int async_session_set_double(async_session_t *session, int opt,
                                          double value);
ASYNC_EXTERN int async_session_set_str(async_session_t *session, int opt,
                                       const char *value);

/*
 * The option named `name` ("ASYNC_SESSION_TIMEOUT" or "timeout", any
 * case): its number, whose range gives its type (see async_session_opt_t),
 * or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_session_option(const char *name);

/* The name of option `opt` ("timeout"), or NULL. Static. Any thread. */
ASYNC_EXTERN const char *async_session_option_name(int opt);

/*
 * How many connections the session has opened since it was made, and
 * how many are open now. Returns 0 or ASYNC_EINVAL. Any thread.
 */
ASYNC_EXTERN int async_session_stats(async_session_t *session,
                                     int64_t *opened, int64_t *open_now);

/* ---- requests ------------------------------------------------------- */

/*
 * Creates a request. method: a token ("GET", "POST", ...); url: an
 * absolute http or https URL. Both are copied and checked: CR, LF, NUL
 * or spaces where they do not belong fail with ASYNC_EINVAL, a malformed
 * URL with ASYNC_EURL, another scheme with ASYNC_ESCHEME.
 * out: receives one reference. Any thread, without the loop.
 */
ASYNC_EXTERN int async_request_new(async_request_t **out, const char *method,
                                   const char *url);

ASYNC_EXTERN async_request_t *async_request_retain(async_request_t *request);
ASYNC_EXTERN void async_request_release(async_request_t *request);

/*
 * Adds a header (repeatable; copied). A request's Host, Content-Length
 * and Transfer-Encoding are the library's to set.
 * Returns 0, ASYNC_EINVAL (a bad name, CR/LF/NUL in the value, or one of
 * those three) or ASYNC_ENOMEM. Not once the request was sent
 * (ASYNC_EBUSY). Any thread.
 */
ASYNC_EXTERN int async_request_add_header(async_request_t *request,
                                          const char *name, const char *value);

/* The body, copied. Returns 0, ASYNC_EINVAL, ASYNC_ENOMEM, ASYNC_EBUSY. */
ASYNC_EXTERN int async_request_set_body(async_request_t *request,
                                        const void *data, size_t len);

/*
 * The body is the file at `path`, read when the request is sent (its size
 * then gives Content-Length). An unreadable file fails the request with
 * ASYNC_EIO. Returns 0, ASYNC_EINVAL, ASYNC_ENOMEM, ASYNC_EBUSY.
 */
ASYNC_EXTERN int async_request_set_body_file(async_request_t *request,
                                             const char *path);

/*
 * The body comes from fn, called on the loop's thread as the connection
 * takes it. length: its size in bytes, or -1 when unknown (sent chunked).
 * A request with such a body is not retried and not redirected with its
 * body. Returns 0, ASYNC_EINVAL, ASYNC_EBUSY.
 */
ASYNC_EXTERN int async_request_set_body_producer(async_request_t *request,
                                                 async_body_fn fn,
                                                 void *userdata,
                                                 int64_t length);

/*
 * Streams the response: on_headers when the head arrives, on_data for
 * each piece of the body; either may be NULL. The response's buffered
 * body is then empty. Returns 0, ASYNC_EINVAL, ASYNC_EBUSY.
 */
ASYNC_EXTERN int async_request_set_streaming(async_request_t *request,
                                             async_headers_cb on_headers,
                                             async_data_cb on_data,
                                             void *userdata);

/* Per-request options: the session's options marked neither "session
 * only" (see async_session_opt_t). Returns as the session setters. */
ASYNC_EXTERN int async_request_set_int(async_request_t *request, int opt,
                                       int64_t value);
ASYNC_EXTERN int async_request_set_double(async_request_t *request, int opt,
                                          double value);
ASYNC_EXTERN int async_request_set_str(async_request_t *request, int opt,
                                       const char *value);

/* ---- sending -------------------------------------------------------- */

/*
 * Sends a request through a session. The future completes ASYNC_DONE with
 * an async_response_t * as its value (borrowed, valid while the future
 * lives) for any status, or fails (see the top of this header).
 * Cancelling it stops the request and closes its connection.
 * The request is retained; sending it twice sends it twice.
 * Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM. Any thread.
 */
ASYNC_EXTERN int async_session_send(async_session_t *session,
                                    async_request_t *request,
                                    async_future_t **out);

/* The callback form: cb runs once on the loop's thread, unless this
 * returns an error. */
ASYNC_EXTERN int async_session_send_cb(async_session_t *session,
                                       async_request_t *request,
                                       async_response_cb cb, void *userdata);

/*
 * Conveniences: a request made, sent and released in one call. body may
 * be NULL (len 0); it is copied.
 */
ASYNC_EXTERN int async_http_get(async_session_t *session, const char *url,
                                async_future_t **out);
ASYNC_EXTERN int async_http_head(async_session_t *session, const char *url,
                                 async_future_t **out);
ASYNC_EXTERN int async_http_delete(async_session_t *session, const char *url,
                                   async_future_t **out);
ASYNC_EXTERN int async_http_options(async_session_t *session, const char *url,
                                    async_future_t **out);
ASYNC_EXTERN int async_http_post(async_session_t *session, const char *url,
                                 const void *body, size_t len,
                                 async_future_t **out);
ASYNC_EXTERN int async_http_put(async_session_t *session, const char *url,
                                const void *body, size_t len,
                                async_future_t **out);
ASYNC_EXTERN int async_http_patch(async_session_t *session, const char *url,
                                  const void *body, size_t len,
                                  async_future_t **out);

/*
 * Fetches n URLs with GET, at most `concurrency` at once (0: the
 * session's limit) and at most `per_host` at once to one host (0: no
 * more than the session's). The future completes ASYNC_DONE once every
 * fetch has completed, whatever their outcome; its value is an array of
 * the n fetches' futures in the order of urls (async_future_t **,
 * borrowed, valid while it lives). each, if not NULL, is called as each
 * fetch completes. Cancelling it cancels the fetches.
 * urls: copied. Returns 0, ASYNC_EINVAL, ASYNC_ECLOSED or ASYNC_ENOMEM.
 * Any thread.
 */
ASYNC_EXTERN int async_http_fetch_many(async_session_t *session,
                                       const char *const *urls, size_t n,
                                       size_t concurrency, size_t per_host,
                                       async_fetch_cb each, void *userdata,
                                       async_future_t **out);

/* ---- responses ------------------------------------------------------ */

ASYNC_EXTERN async_response_t *
async_response_retain(async_response_t *response);
ASYNC_EXTERN void async_response_release(async_response_t *response);

/* The status code (200), or ASYNC_EINVAL. */
ASYNC_EXTERN int async_response_status(const async_response_t *response);

/* The reason phrase ("OK"; may be ""), borrowed. */
ASYNC_EXTERN const char *async_response_reason(const async_response_t *r);

/* The HTTP version: 10 for HTTP/1.0, 11 for HTTP/1.1. */
ASYNC_EXTERN int async_response_version(const async_response_t *response);

/* The first value of header `name` (any case), or NULL. Borrowed. */
ASYNC_EXTERN const char *async_response_header(const async_response_t *r,
                                               const char *name);

/* Header fields, in the order received, repeats kept. */
ASYNC_EXTERN size_t async_response_header_count(const async_response_t *r);

/* Field i's name and value (borrowed). Returns 0 or ASYNC_EINVAL. */
ASYNC_EXTERN int async_response_header_at(const async_response_t *r,
                                          size_t i, const char **name,
                                          const char **value);

/* The body (decoded), borrowed; *len receives its size. Never NULL: ""
 * when empty or streamed. A NUL follows the last byte. */
ASYNC_EXTERN const char *async_response_body(const async_response_t *r,
                                             size_t *len);

/* The URL the response came from, after redirects. Borrowed. */
ASYNC_EXTERN const char *async_response_url(const async_response_t *r);

/* How many redirects were followed. */
ASYNC_EXTERN int async_response_redirects(const async_response_t *r);

/* Seconds from the start of the request to the end of `phase`
 * (async_http_phase_t), or a negative value for an unknown phase. */
ASYNC_EXTERN double async_response_time(const async_response_t *r,
                                        int phase);

/* Whether the (final) connection was reused from the pool: 1 or 0. */
ASYNC_EXTERN int async_response_reused(const async_response_t *r);

/* How many connections this request opened (redirects included). */
ASYNC_EXTERN int async_response_connections(const async_response_t *r);

/*
 * Streaming back-pressure: stop reading the body (the server is slowed
 * by TCP), and go on. What the current read already took is still
 * delivered after a pause. While paused, the read timeout does not run.
 * Any thread. Returns 0, ASYNC_EINVAL, or ASYNC_EBUSY when the response
 * is not streaming or is complete.
 */
ASYNC_EXTERN int async_response_pause(async_response_t *response);
ASYNC_EXTERN int async_response_resume(async_response_t *response);

ASYNC_END_DECLS

#endif /* LIBASYNC_HTTP_H */
