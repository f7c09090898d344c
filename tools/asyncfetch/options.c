/*
 * asyncfetch — parsing the command line.
 *
 * Options follow curl: short ones may be bundled ("-sSL") and take their
 * argument attached or as the next word ("-oFILE", "-o FILE"); long ones
 * take it as the next word or after "=" ("--max-time 2", "--max-time=2").
 * "--" ends the options. Every other word is a URL.
 */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libasync.h>

/* The default of --parallel-max, and the most it accepts. */
#define AF_PARALLEL_DEFAULT 50
#define AF_PARALLEL_MAX 100000

enum af_option_id {
  O_REQUEST,
  O_HEADER,
  O_DATA,
  O_DATA_BINARY,
  O_DATA_RAW,
  O_OUTPUT,
  O_INCLUDE,
  O_HEAD,
  O_LOCATION,
  O_MAX_REDIRS,
  O_MAX_TIME,
  O_CONNECT_TIMEOUT,
  O_INSECURE,
  O_CACERT,
  O_CERT,
  O_KEY,
  O_RESOLVE,
  O_DNS_SERVERS,
  O_COMPRESSED,
  O_FAIL,
  O_SILENT,
  O_SHOW_ERROR,
  O_VERBOSE,
  O_WRITE_OUT,
  O_MAX_FILESIZE,
  O_USER_AGENT,
  O_PROXY,
  O_NOPROXY,
  O_PARALLEL_MAX,
  O_URL,
  O_HELP,
  O_VERSION
};

typedef struct af_option_spec {
  const char *name; /* long name, without "--" */
  char letter;      /* short name, or 0 */
  int takes_value;
  enum af_option_id id;
} af_option_spec_t;

static const af_option_spec_t af_specs[] = {
    {"request", 'X', 1, O_REQUEST},
    {"header", 'H', 1, O_HEADER},
    {"data", 'd', 1, O_DATA},
    {"data-ascii", 0, 1, O_DATA},
    {"data-binary", 0, 1, O_DATA_BINARY},
    {"data-raw", 0, 1, O_DATA_RAW},
    {"output", 'o', 1, O_OUTPUT},
    {"include", 'i', 0, O_INCLUDE},
    {"head", 'I', 0, O_HEAD},
    {"location", 'L', 0, O_LOCATION},
    {"max-redirs", 0, 1, O_MAX_REDIRS},
    {"max-time", 'm', 1, O_MAX_TIME},
    {"connect-timeout", 0, 1, O_CONNECT_TIMEOUT},
    {"insecure", 'k', 0, O_INSECURE},
    {"cacert", 0, 1, O_CACERT},
    {"cert", 'E', 1, O_CERT},
    {"key", 0, 1, O_KEY},
    {"resolve", 0, 1, O_RESOLVE},
    {"dns-servers", 0, 1, O_DNS_SERVERS},
    {"compressed", 0, 0, O_COMPRESSED},
    {"fail", 'f', 0, O_FAIL},
    {"silent", 's', 0, O_SILENT},
    {"show-error", 'S', 0, O_SHOW_ERROR},
    {"verbose", 'v', 0, O_VERBOSE},
    {"write-out", 'w', 1, O_WRITE_OUT},
    {"max-filesize", 0, 1, O_MAX_FILESIZE},
    {"user-agent", 'A', 1, O_USER_AGENT},
    {"proxy", 'x', 1, O_PROXY},
    {"noproxy", 0, 1, O_NOPROXY},
    {"parallel-max", 0, 1, O_PARALLEL_MAX},
    {"url", 0, 1, O_URL},
    {"help", 'h', 0, O_HELP},
    {"version", 'V', 0, O_VERSION},
};

#define AF_N_SPECS (sizeof(af_specs) / sizeof(af_specs[0]))

/* ---- small helpers ------------------------------------------------------- */

void af_options_usage_error(const char *message, const char *arg) {
  if (arg != NULL)
    fprintf(stderr, "asyncfetch: option %s: %s\n", arg, message);
  else
    fprintf(stderr, "asyncfetch: %s\n", message);
  fprintf(stderr, "asyncfetch: try 'asyncfetch --help' for more information\n");
}

static int af_list_add(af_list_t *list, const char *item) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 8;
    const char **items = realloc(list->items, capacity * sizeof(*items));

    if (items == NULL)
      return -1;
    list->items = items;
    list->capacity = capacity;
  }
  list->items[list->count++] = item;
  return 0;
}

static int af_data_add(af_options_t *opts, const char *text, int kind) {
  af_data_arg_t *data = realloc(opts->data, (opts->n_data + 1) * sizeof(*data));

  if (data == NULL)
    return -1;
  opts->data = data;
  opts->data[opts->n_data].text = text;
  opts->data[opts->n_data].kind = kind;
  opts->n_data++;
  return 0;
}

/* Seconds: a finite number >= 0, fractions allowed ("0.5"). */
static int af_parse_seconds(const char *text, double *out) {
  char *end;
  double value;

  errno = 0;
  value = strtod(text, &end);
  if (end == text || *end != '\0' || errno != 0 || !isfinite(value) ||
      value < 0)
    return -1;
  *out = value;
  return 0;
}

/*
 * An integer in [min, max], with an optional k, M or G suffix (powers of
 * 1024) when `units` is set, as curl's --max-filesize takes.
 */
static int af_parse_int(const char *text, int units, int64_t min, int64_t max,
                        int64_t *out) {
  char *end;
  long long value;
  int64_t scale = 1;

  errno = 0;
  value = strtoll(text, &end, 10);
  if (end == text || errno != 0)
    return -1;
  if (units && *end != '\0' && end[1] == '\0') {
    switch (*end) {
    case 'k':
    case 'K':
      scale = 1024;
      break;
    case 'm':
    case 'M':
      scale = 1024 * 1024;
      break;
    case 'g':
    case 'G':
      scale = 1024 * 1024 * 1024;
      break;
    default:
      return -1;
    }
    end++;
  }
  if (*end != '\0' || value < min || value > max / scale)
    return -1;
  *out = (int64_t)value * scale;
  return 0;
}

/* ---- one option ---------------------------------------------------------- */

/* Applies an option that takes a value. Returns 0, or -1 for a bad value
 * (the caller names the option). */
static int af_apply_value(af_options_t *opts, enum af_option_id id,
                          const char *value) {
  switch (id) {
  case O_REQUEST:
    opts->method = value;
    return 0;
  case O_HEADER:
    return af_list_add(&opts->headers, value);
  case O_DATA:
    return af_data_add(opts, value, AF_DATA_ASCII);
  case O_DATA_BINARY:
    return af_data_add(opts, value, AF_DATA_BINARY);
  case O_DATA_RAW:
    return af_data_add(opts, value, AF_DATA_RAW);
  case O_OUTPUT:
    return af_list_add(&opts->outputs, value);
  case O_RESOLVE:
    return af_list_add(&opts->resolve, value);
  case O_URL:
    return af_list_add(&opts->urls, value);
  case O_MAX_REDIRS:
    return af_parse_int(value, 0, -1, INT32_MAX, &opts->max_redirs);
  case O_MAX_TIME:
    return af_parse_seconds(value, &opts->max_time);
  case O_CONNECT_TIMEOUT:
    return af_parse_seconds(value, &opts->connect_timeout);
  case O_MAX_FILESIZE:
    return af_parse_int(value, 1, 0, INT64_MAX, &opts->max_filesize);
  case O_PARALLEL_MAX:
    return af_parse_int(value, 0, 1, AF_PARALLEL_MAX, &opts->parallel_max);
  case O_CACERT:
    opts->cacert = value;
    return 0;
  case O_CERT:
    opts->cert = value;
    return 0;
  case O_KEY:
    opts->key = value;
    return 0;
  case O_DNS_SERVERS:
    opts->dns_servers = value;
    return 0;
  case O_WRITE_OUT:
    opts->write_out = value;
    return 0;
  case O_USER_AGENT:
    opts->user_agent = value;
    return 0;
  case O_PROXY:
    opts->proxy = value;
    return 0;
  case O_NOPROXY:
    opts->noproxy = value;
    return 0;
  default:
    return -1;
  }
}

static void af_apply_flag(af_options_t *opts, enum af_option_id id) {
  switch (id) {
  case O_INCLUDE:
    opts->include = 1;
    break;
  case O_HEAD:
    opts->head = 1;
    break;
  case O_LOCATION:
    opts->location = 1;
    break;
  case O_INSECURE:
    opts->insecure = 1;
    break;
  case O_COMPRESSED:
    opts->compressed = 1;
    break;
  case O_FAIL:
    opts->fail = 1;
    break;
  case O_SILENT:
    opts->silent = 1;
    break;
  case O_SHOW_ERROR:
    opts->show_error = 1;
    break;
  case O_VERBOSE:
    opts->verbose = 1;
    break;
  case O_HELP:
    opts->help = 1;
    break;
  case O_VERSION:
    opts->version = 1;
    break;
  default:
    break;
  }
}

static const af_option_spec_t *af_find_long(const char *name, size_t len) {
  for (size_t i = 0; i < AF_N_SPECS; i++) {
    if (strlen(af_specs[i].name) == len &&
        strncmp(af_specs[i].name, name, len) == 0)
      return &af_specs[i];
  }
  return NULL;
}

static const af_option_spec_t *af_find_short(char letter) {
  for (size_t i = 0; i < AF_N_SPECS; i++) {
    if (af_specs[i].letter == letter)
      return &af_specs[i];
  }
  return NULL;
}

/*
 * Applies option `spec` as spelled `shown` (for messages). value is its
 * attached value, or NULL to take argv[*i + 1].
 */
static int af_apply(af_options_t *opts, const af_option_spec_t *spec,
                    const char *shown, const char *value, int argc, char **argv,
                    int *i) {
  if (!spec->takes_value) {
    if (value != NULL) {
      af_options_usage_error("does not take a value", shown);
      return AF_PARSE_ERROR;
    }
    af_apply_flag(opts, spec->id);
    return AF_PARSE_OK;
  }
  if (value == NULL) {
    if (*i + 1 >= argc) {
      af_options_usage_error("requires parameter", shown);
      return AF_PARSE_ERROR;
    }
    value = argv[++*i];
  }
  if (af_apply_value(opts, spec->id, value) < 0) {
    char message[256];

    snprintf(message, sizeof message, "bad value '%.200s'", value);
    af_options_usage_error(message, shown);
    return AF_PARSE_ERROR;
  }
  return AF_PARSE_OK;
}

/* "--name" or "--name=value". */
static int af_parse_long(af_options_t *opts, int argc, char **argv, int *i) {
  const char *arg = argv[*i] + 2;
  const char *eq = strchr(arg, '=');
  size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
  const af_option_spec_t *spec = af_find_long(arg, len);

  if (spec == NULL) {
    af_options_usage_error("is unknown", argv[*i]);
    return AF_PARSE_ERROR;
  }
  return af_apply(opts, spec, argv[*i], eq ? eq + 1 : NULL, argc, argv, i);
}

/* "-abc", "-oFILE", "-o FILE". */
static int af_parse_short(af_options_t *opts, int argc, char **argv, int *i) {
  const char *arg = argv[*i];

  for (size_t k = 1; arg[k] != '\0'; k++) {
    const af_option_spec_t *spec = af_find_short(arg[k]);
    char shown[3] = {'-', arg[k], '\0'};

    if (spec == NULL) {
      af_options_usage_error("is unknown", shown);
      return AF_PARSE_ERROR;
    }
    if (spec->takes_value) {
      const char *rest = arg[k + 1] != '\0' ? arg + k + 1 : NULL;

      return af_apply(opts, spec, shown, rest, argc, argv, i);
    }
    af_apply_flag(opts, spec->id);
  }
  return AF_PARSE_OK;
}

/* Checks that combine options. */
static int af_check(const af_options_t *opts) {
  if (opts->head && opts->n_data > 0) {
    af_options_usage_error(
        "-I and -d cannot be combined: only one HTTP method can be used", NULL);
    return AF_PARSE_ERROR;
  }
  if (opts->method != NULL && opts->method[0] == '\0') {
    af_options_usage_error("needs a method name", "-X");
    return AF_PARSE_ERROR;
  }
  if (!opts->help && !opts->version && opts->urls.count == 0) {
    af_options_usage_error("no URL specified", NULL);
    return AF_PARSE_ERROR;
  }
  return AF_PARSE_OK;
}

int af_options_parse(af_options_t *opts, int argc, char **argv) {
  int only_urls = 0, rv = AF_PARSE_OK;

  memset(opts, 0, sizeof(*opts));
  opts->max_filesize = -1;
  opts->max_redirs = 10;
  opts->parallel_max = AF_PARALLEL_DEFAULT;

  for (int i = 1; i < argc && rv == AF_PARSE_OK; i++) {
    const char *arg = argv[i];

    if (only_urls || arg[0] != '-' || arg[1] == '\0') {
      if (af_list_add(&opts->urls, arg) < 0) {
        af_options_usage_error("out of memory", NULL);
        rv = AF_PARSE_ERROR;
      }
    } else if (strcmp(arg, "--") == 0) {
      only_urls = 1;
    } else if (arg[1] == '-') {
      rv = af_parse_long(opts, argc, argv, &i);
    } else {
      rv = af_parse_short(opts, argc, argv, &i);
    }
  }
  /* As in curl, a limit of 0 is no limit. */
  if (opts->max_filesize == 0)
    opts->max_filesize = -1;
  if (rv == AF_PARSE_OK)
    rv = af_check(opts);
  return rv;
}

void af_options_free(af_options_t *opts) {
  free(opts->urls.items);
  free(opts->outputs.items);
  free(opts->headers.items);
  free(opts->resolve.items);
  free(opts->data);
  memset(opts, 0, sizeof(*opts));
}

/* ---- help and version ---------------------------------------------------- */

static const char af_help_text[] =
    "Usage: asyncfetch [OPTIONS] URL [URL ...]\n"
    "Fetch URLs concurrently over HTTP/1.1 and HTTPS; bodies go to stdout\n"
    "in the order the URLs were given.\n"
    "\n"
    "  -X, --request METHOD        request method (GET; POST with -d)\n"
    "  -H, --header 'Name: value'  extra request header (repeatable)\n"
    "  -d, --data DATA             request body; @FILE reads a file, @- stdin\n"
    "      --data-binary DATA      the same, without stripping newlines\n"
    "      --data-raw DATA         the same, without @ meaning a file\n"
    "  -o, --output FILE           write the body to FILE (one per URL)\n"
    "  -i, --include               print the status line and headers too\n"
    "  -I, --head                  send HEAD and print the headers\n"
    "  -L, --location              follow redirects\n"
    "      --max-redirs N          at most N redirects (10; -1: no limit)\n"
    "  -m, --max-time SECONDS      deadline of each whole transfer\n"
    "      --connect-timeout SECONDS   deadline of DNS + TCP + TLS\n"
    "  -k, --insecure              do not verify the server's certificate\n"
    "      --cacert FILE           trust the CA certificates in FILE (PEM)\n"
    "  -E, --cert FILE             TLS client certificate (PEM)\n"
    "      --key FILE              its private key (PEM)\n"
    "      --resolve HOST:PORT:ADDR    use ADDR for HOST:PORT (repeatable)\n"
    "      --dns-servers ADDR[:PORT][,...]   DNS servers to ask\n"
    "      --compressed            ask for gzip or deflate, decode the body\n"
    "  -f, --fail                  exit 22 on HTTP status >= 400, no body\n"
    "  -s, --silent                no progress bar, no error messages\n"
    "  -S, --show-error            error messages even with -s\n"
    "  -v, --verbose               request and response heads on stderr\n"
    "  -w, --write-out FORMAT      print FORMAT after each transfer\n"
    "                              (@FILE: read it from FILE)\n"
    "      --max-filesize BYTES    fail (63) on a larger body (k, M, G)\n"
    "  -A, --user-agent STRING     User-Agent (default libasync/VERSION)\n"
    "  -x, --proxy URL             HTTP proxy (CONNECT tunnel for https)\n"
    "      --noproxy LIST          hosts reached directly ('*': all)\n"
    "      --parallel-max N        most transfers at once (default 50)\n"
    "      --url URL               a URL (also one that starts with -)\n"
    "  -h, --help                  this help\n"
    "  -V, --version               versions of asyncfetch and libasync\n"
    "\n"
    "Exit status: 0 when every transfer succeeded, else that of the first\n"
    "URL (in argument order) that failed, with curl's numbers. See\n"
    "asyncfetch(1).\n";

void af_options_help(void) { fputs(af_help_text, stdout); }

void af_options_version(void) {
  uint32_t features = async_features();

  printf("asyncfetch %s (libasync %s)\n", ASYNC_VERSION_STRING,
         async_version());
  printf("Protocols: http%s\n", (features & ASYNC_FEATURE_TLS) ? " https" : "");
  printf("Features:%s%s%s\n",
         (features & ASYNC_FEATURE_DNS) ? " AsynchDNS" : "",
         (features & ASYNC_FEATURE_TLS) ? " SSL" : "",
         (features & ASYNC_FEATURE_ZLIB) ? " libz" : "");
}
