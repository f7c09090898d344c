#include "http/options.h"

#include <libasync/error.h>
#include <libasync/version.h>

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

typedef struct option_info {
  int id;
  const char *name;
  int per_request;
} option_info_t;

static const option_info_t options[] = {
    {ASYNC_SESSION_LIMIT, "limit", 0},
    {ASYNC_SESSION_LIMIT_PER_HOST, "limit_per_host", 0},
    {ASYNC_SESSION_MAX_REQUESTS_PER_CONNECTION,
     "max_requests_per_connection", 0},
    {ASYNC_SESSION_FOLLOW_REDIRECTS, "follow_redirects", 1},
    {ASYNC_SESSION_MAX_REDIRECTS, "max_redirects", 1},
    {ASYNC_SESSION_DECOMPRESS, "decompress", 1},
    {ASYNC_SESSION_VERIFY_PEER, "verify_peer", 0},
    {ASYNC_SESSION_MAX_HEADER_BYTES, "max_header_bytes", 1},
    {ASYNC_SESSION_MAX_HEADER_FIELDS, "max_header_fields", 1},
    {ASYNC_SESSION_MAX_BODY_BYTES, "max_body_bytes", 1},
    {ASYNC_SESSION_PROXY_FROM_ENV, "proxy_from_env", 0},
    {ASYNC_SESSION_TIMEOUT, "timeout", 1},
    {ASYNC_SESSION_CONNECT_TIMEOUT, "connect_timeout", 1},
    {ASYNC_SESSION_READ_TIMEOUT, "read_timeout", 1},
    {ASYNC_SESSION_QUEUE_TIMEOUT, "queue_timeout", 1},
    {ASYNC_SESSION_IDLE_TIMEOUT, "idle_timeout", 0},
    {ASYNC_SESSION_MAX_CONNECTION_AGE, "max_connection_age", 0},
    {ASYNC_SESSION_USER_AGENT, "user_agent", 1},
    {ASYNC_SESSION_HEADER, "header", 0},
    {ASYNC_SESSION_CA_FILE, "ca_file", 0},
    {ASYNC_SESSION_CA_DIR, "ca_dir", 0},
    {ASYNC_SESSION_CERT_FILE, "cert_file", 0},
    {ASYNC_SESSION_KEY_FILE, "key_file", 0},
    {ASYNC_SESSION_DNS_SERVERS, "dns_servers", 0},
    {ASYNC_SESSION_RESOLVE, "resolve", 0},
    {ASYNC_SESSION_PROXY, "proxy", 0},
    {ASYNC_SESSION_NO_PROXY, "no_proxy", 0},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const option_info_t *find(int opt) {
  size_t i;

  for (i = 0; i < NOPTIONS; i++) {
    if (options[i].id == opt)
      return &options[i];
  }
  return NULL;
}

int async__opt_type(int opt) {
  return find(opt) != NULL ? opt / 10000 : 0;
}

int async__opt_per_request(int opt) {
  const option_info_t *o = find(opt);

  return o != NULL && o->per_request;
}

ASYNC_EXTERN int async_session_option(const char *name) {
  static const char prefix[] = "ASYNC_SESSION_";
  size_t i;

  if (name == NULL)
    return ASYNC_EINVAL;
  if (strncasecmp(name, prefix, sizeof(prefix) - 1) == 0)
    name += sizeof(prefix) - 1;
  for (i = 0; i < NOPTIONS; i++) {
    if (strcasecmp(options[i].name, name) == 0)
      return options[i].id;
  }
  return ASYNC_EINVAL;
}

ASYNC_EXTERN const char *async_session_option_name(int opt) {
  const option_info_t *o = find(opt);

  return o != NULL ? o->name : NULL;
}

void async__options_defaults(async__http_options_t *o) {
  memset(o, 0, sizeof(*o));
  o->ints[ASYNC_SESSION_LIMIT % 10000 - 1] = 100;
  o->ints[ASYNC_SESSION_FOLLOW_REDIRECTS % 10000 - 1] = 1;
  o->ints[ASYNC_SESSION_MAX_REDIRECTS % 10000 - 1] = 10;
  o->ints[ASYNC_SESSION_DECOMPRESS % 10000 - 1] = 1;
  o->ints[ASYNC_SESSION_VERIFY_PEER % 10000 - 1] = 1;
  o->ints[ASYNC_SESSION_MAX_HEADER_BYTES % 10000 - 1] = 65536;
  o->ints[ASYNC_SESSION_MAX_HEADER_FIELDS % 10000 - 1] = 128;
  o->doubles[ASYNC_SESSION_TIMEOUT % 10000 - 1] = 300;
  o->doubles[ASYNC_SESSION_CONNECT_TIMEOUT % 10000 - 1] = ASYNC_FOREVER;
  o->doubles[ASYNC_SESSION_READ_TIMEOUT % 10000 - 1] = ASYNC_FOREVER;
  o->doubles[ASYNC_SESSION_QUEUE_TIMEOUT % 10000 - 1] = ASYNC_FOREVER;
  o->doubles[ASYNC_SESSION_IDLE_TIMEOUT % 10000 - 1] = 15;
  o->doubles[ASYNC_SESSION_MAX_CONNECTION_AGE % 10000 - 1] = 0;
}

int async__options_set_int(async__http_options_t *o, int opt, int64_t value) {
  int i = opt % 10000 - 1;
  int64_t min = 0, max = INT32_MAX;

  if (async__opt_type(opt) != ASYNC__OPT_INT)
    return ASYNC_EINVAL;
  switch (opt) {
  case ASYNC_SESSION_LIMIT:
    min = 1;
    break;
  case ASYNC_SESSION_FOLLOW_REDIRECTS:
  case ASYNC_SESSION_DECOMPRESS:
  case ASYNC_SESSION_VERIFY_PEER:
  case ASYNC_SESSION_PROXY_FROM_ENV:
    max = 1;
    break;
  case ASYNC_SESSION_MAX_HEADER_BYTES:
    min = 256;
    break;
  case ASYNC_SESSION_MAX_HEADER_FIELDS:
    min = 1;
    break;
  case ASYNC_SESSION_MAX_BODY_BYTES:
    max = INT64_MAX;
    break;
  default:
    break;
  }
  if (value < min || value > max)
    return ASYNC_EINVAL;
  o->ints[i] = value;
  o->int_set |= 1u << i;
  return 0;
}

int async__options_set_double(async__http_options_t *o, int opt,
                              double value) {
  int i = opt % 10000 - 1;

  if (async__opt_type(opt) != ASYNC__OPT_DOUBLE || isnan(value) || value < 0)
    return ASYNC_EINVAL;
  if (value == 0 && opt != ASYNC_SESSION_MAX_CONNECTION_AGE)
    return ASYNC_EINVAL;
  if (isinf(value))
    value = ASYNC_FOREVER;
  o->doubles[i] = value;
  o->double_set |= 1u << i;
  return 0;
}

int64_t async__opt_int(const async__http_options_t *request,
                       const async__http_options_t *session, int opt) {
  int i = opt % 10000 - 1;

  if (request != NULL && (request->int_set & (1u << i)))
    return request->ints[i];
  return session->ints[i];
}

double async__opt_double(const async__http_options_t *request,
                         const async__http_options_t *session, int opt) {
  int i = opt % 10000 - 1;

  if (request != NULL && (request->double_set & (1u << i)))
    return request->doubles[i];
  return session->doubles[i];
}
