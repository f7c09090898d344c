/*
 * asyncfetch — setting up the session.
 *
 * curl's defaults where they differ from the library's: no redirects
 * without -L, no decompression without --compressed, no overall deadline
 * without -m, the proxy from the environment unless -x is given.
 */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "headers.h"
#include "url.h"

/* Reports a value the library refused. Returns the exit status. */
static int af_refused(const char *option, const char *value, int rv) {
  char message[512];

  if (rv != ASYNC_EINVAL) {
    fprintf(stderr, "asyncfetch: (%d) could not set %s: %s\n",
            async_err_exit_code(rv), option, async_strerror(rv));
    return async_err_exit_code(rv);
  }
  snprintf(message, sizeof message, "bad value '%.400s'", value);
  af_options_usage_error(message, option);
  return 2;
}

static int af_set_int(async_session_t *s, int opt, int64_t value,
                      const char *option) {
  int rv = async_session_set_int(s, opt, value);
  char text[32];

  if (rv < 0) {
    snprintf(text, sizeof text, "%lld", (long long)value);
    return af_refused(option, text, rv);
  }
  return 0;
}

static int af_set_double(async_session_t *s, int opt, double value,
                         const char *option) {
  int rv = async_session_set_double(s, opt, value);
  char text[64];

  if (rv < 0) {
    snprintf(text, sizeof text, "%g", value);
    return af_refused(option, text, rv);
  }
  return 0;
}

static int af_set_str(async_session_t *s, int opt, const char *value,
                      const char *option) {
  int rv;

  if (value == NULL)
    return 0;
  rv = async_session_set_str(s, opt, value);
  return rv < 0 ? af_refused(option, value, rv) : 0;
}

const char *af_client_user_agent(const af_options_t *opts, char *buf,
                                 size_t size) {
  const char *value;

  if (af_headers_find(opts, "User-Agent", &value))
    return value && value[0] ? value : NULL;
  if (opts->user_agent != NULL)
    return opts->user_agent[0] ? opts->user_agent : NULL;
  snprintf(buf, size, "libasync/%s", async_version());
  return buf;
}

/* Redirects, limits, decoding and deadlines. */
static int af_set_behaviour(async_session_t *s, const af_options_t *opts) {
  int64_t redirs = opts->max_redirs < 0 ? INT32_MAX : opts->max_redirs;
  int rv;

  rv = af_set_int(s, ASYNC_SESSION_FOLLOW_REDIRECTS, opts->location,
                  "--location");
  if (rv == 0 && opts->location)
    rv = af_set_int(s, ASYNC_SESSION_MAX_REDIRECTS, redirs, "--max-redirs");
  if (rv == 0)
    rv = af_set_int(s, ASYNC_SESSION_DECOMPRESS, opts->compressed,
                    "--compressed");
  if (rv == 0 && opts->max_filesize > 0)
    rv = af_set_int(s, ASYNC_SESSION_MAX_BODY_BYTES, opts->max_filesize,
                    "--max-filesize");
  /* Room for every transfer that may run at once. */
  if (rv == 0 && opts->parallel_max > 100)
    rv = af_set_int(s, ASYNC_SESSION_LIMIT, opts->parallel_max,
                    "--parallel-max");
  if (rv == 0)
    rv = af_set_double(s, ASYNC_SESSION_TIMEOUT,
                       opts->max_time > 0 ? opts->max_time : ASYNC_FOREVER,
                       "--max-time");
  if (rv == 0 && opts->connect_timeout > 0)
    rv = af_set_double(s, ASYNC_SESSION_CONNECT_TIMEOUT, opts->connect_timeout,
                       "--connect-timeout");
  return rv;
}

/* TLS, DNS and proxy: fixed before the first request. */
static int af_set_network(async_session_t *s, const af_options_t *opts) {
  int rv;

  rv = af_set_int(s, ASYNC_SESSION_VERIFY_PEER, !opts->insecure, "--insecure");
  if (rv == 0)
    rv = af_set_str(s, ASYNC_SESSION_CA_FILE, opts->cacert, "--cacert");
  if (rv == 0)
    rv = af_set_str(s, ASYNC_SESSION_CERT_FILE, opts->cert, "--cert");
  if (rv == 0)
    rv = af_set_str(s, ASYNC_SESSION_KEY_FILE, opts->key, "--key");
  if (rv == 0)
    rv = af_set_str(s, ASYNC_SESSION_DNS_SERVERS, opts->dns_servers,
                    "--dns-servers");
  for (size_t i = 0; rv == 0 && i < opts->resolve.count; i++)
    rv = af_set_str(s, ASYNC_SESSION_RESOLVE, opts->resolve.items[i],
                    "--resolve");
  if (rv == 0 && opts->proxy != NULL) {
    char *proxy = af_url_proxy(opts->proxy);

    rv = proxy ? af_set_str(s, ASYNC_SESSION_PROXY, proxy, "--proxy")
               : af_refused("--proxy", opts->proxy, ASYNC_ENOMEM);
    free(proxy);
  } else if (rv == 0) {
    rv = af_set_int(s, ASYNC_SESSION_PROXY_FROM_ENV, 1, "--proxy");
  }
  if (rv == 0)
    rv = af_set_str(s, ASYNC_SESSION_NO_PROXY, opts->noproxy, "--noproxy");
  return rv;
}

/* The session's User-Agent, and the default headers that -H "Name:"
 * removes. The other -H headers go on each request. (The library sends
 * "Accept: *" "/" "*" unless a request has its own Accept, as curl does.) */
static int af_set_headers(async_session_t *s, const af_options_t *opts) {
  char agent[64], line[300];
  const char *value = af_client_user_agent(opts, agent, sizeof agent);
  int rv;

  rv = af_set_str(s, ASYNC_SESSION_USER_AGENT, value ? value : "",
                  "--user-agent");
  for (size_t i = 0; rv == 0 && i < opts->headers.count; i++) {
    char name[256];
    int kind =
        af_header_parse(opts->headers.items[i], name, sizeof name, &value);

    if (kind != AF_HEADER_REMOVE || strcasecmp(name, "User-Agent") == 0)
      continue;
    snprintf(line, sizeof line, "%s:", name);
    rv = af_set_str(s, ASYNC_SESSION_HEADER, line, "--header");
  }
  return rv;
}

/* Warns about the -H arguments that will not be sent. */
static void af_check_headers(const af_options_t *opts) {
  for (size_t i = 0; i < opts->headers.count; i++) {
    const char *arg = opts->headers.items[i], *value;
    char name[256];
    int kind = af_header_parse(arg, name, sizeof name, &value);

    if (opts->silent)
      return;
    if (kind == AF_HEADER_INVALID)
      fprintf(stderr,
              "asyncfetch: warning: ignoring header '%s': not 'Name: value'\n",
              arg);
    else if (af_header_is_reserved(name))
      fprintf(stderr,
              "asyncfetch: warning: ignoring header '%s': the library sets %s "
              "itself\n",
              arg, name);
  }
}

int af_client_new(async_session_t **out, async_loop_t *loop,
                  const af_options_t *opts) {
  async_session_t *session = NULL;
  int rv = async_session_new(&session, loop);

  if (rv < 0) {
    fprintf(stderr, "asyncfetch: (%d) could not make a session: %s\n",
            async_err_exit_code(rv), async_strerror(rv));
    return async_err_exit_code(rv);
  }
  af_check_headers(opts);
  rv = af_set_behaviour(session, opts);
  if (rv == 0)
    rv = af_set_network(session, opts);
  if (rv == 0)
    rv = af_set_headers(session, opts);
  if (rv != 0) {
    async_session_close(session);
    async_session_release(session);
    return rv;
  }
  *out = session;
  return 0;
}
