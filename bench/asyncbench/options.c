/*
 * asyncbench — parsing the command line.
 *
 * Short options take their argument as the next word or attached
 * ("-c64"); long ones as the next word or after "=" ("--method=POST").
 * The one word that is not an option is the URL.
 */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AB_DEFAULT_CONNECTIONS 10
#define AB_DEFAULT_DURATION 10.0
#define AB_MAX_CONNECTIONS 1000000L

static const char usage_text[] =
    "usage: asyncbench [-c CONNECTIONS] [-n REQUESTS | -d SECONDS]\n"
    "                  [-H \"Name: value\"]... [--cacert FILE] [-k]\n"
    "                  [--method METHOD] [--data DATA] URL\n"
    "\n"
    "Keeps CONNECTIONS requests to URL in flight on one libasync session\n"
    "(as many connections), each completion sending the next, until\n"
    "REQUESTS have completed or SECONDS have passed (default: -c 10\n"
    "-d 10). Reports requests/s, latency percentiles, errors by kind,\n"
    "bytes received and the CPU time spent; the last line is\n"
    "  RESULT requests=OK errors=FAILED wall_s=SECONDS ...\n"
    "\n"
    "  -c, --connections N  requests in flight at once (default 10)\n"
    "  -n, --requests N     stop after N completed requests\n"
    "  -d, --duration S     stop sending after S seconds (default 10)\n"
    "  -H, --header H       add header H (repeatable)\n"
    "      --cacert FILE    trust the CA certificates in FILE (PEM)\n"
    "  -k, --insecure       do not verify the server's certificate\n"
    "      --method M       request method (default GET, POST with --data)\n"
    "      --data D         request body\n"
    "  -h, --help           print this text\n";

static int usage_error(const char *message, const char *arg) {
  fprintf(stderr, "asyncbench: %s%s%s\n", message, arg ? ": " : "",
          arg ? arg : "");
  fprintf(stderr, "Try 'asyncbench --help'.\n");
  return AB_PARSE_ERROR;
}

/* A whole number in [min, max], or -1. */
static long parse_count(const char *text, long min, long max) {
  char *end;
  long value;

  errno = 0;
  value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
    return -1;
  return value;
}

/* Seconds: a finite number > 0, with an optional "s" ("3", "2.5s"). */
static double parse_seconds(const char *text) {
  char *end;
  double value;

  errno = 0;
  value = strtod(text, &end);
  if (*end == 's')
    end++;
  if (errno != 0 || end == text || *end != '\0' || !isfinite(value) ||
      value <= 0)
    return -1;
  return value;
}

static int add_header(ab_options_t *opts, const char *header) {
  const char **grown;

  if (strchr(header, ':') == NULL || header[0] == ':')
    return usage_error("a header is \"Name: value\"", header);
  grown = realloc(opts->headers, (opts->n_headers + 1) * sizeof(*grown));
  if (grown == NULL)
    return usage_error("out of memory", NULL);
  opts->headers = grown;
  opts->headers[opts->n_headers++] = header;
  return AB_PARSE_OK;
}

/*
 * The argument of option argv[*i] ("-c", "-c64", "--method", "--method=M"),
 * stepping *i over it; NULL (reported) when it is missing. name_len: the
 * length of the option's name as given ("-c" 2, "--method" 8).
 */
static const char *option_value(int argc, char **argv, int *i,
                                size_t name_len) {
  const char *word = argv[*i];

  if (word[name_len] == '=' && word[1] == '-')
    return word + name_len + 1;
  if (word[name_len] != '\0' && word[1] != '-')
    return word + name_len;
  if (*i + 1 >= argc) {
    usage_error("option needs an argument", word);
    return NULL;
  }
  return argv[++*i];
}

/* Whether argv word `word` is option -SHORT or --LONG (maybe with its
 * argument attached); *len receives the length of its name. */
static int is_option(const char *word, char short_name, const char *long_name,
                     size_t *len) {
  size_t n = strlen(long_name);

  if (short_name != 0 && word[0] == '-' && word[1] == short_name) {
    *len = 2;
    return 1;
  }
  if (strncmp(word, "--", 2) == 0 && strncmp(word + 2, long_name, n) == 0 &&
      (word[2 + n] == '\0' || word[2 + n] == '=')) {
    *len = 2 + n;
    return 1;
  }
  return 0;
}

/* Handles the option at argv[*i]. Returns an AB_PARSE_* value. */
static int parse_one(ab_options_t *opts, int argc, char **argv, int *i) {
  const char *word = argv[*i];
  const char *value;
  size_t len;

  if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
    fputs(usage_text, stdout);
    return AB_PARSE_EXIT;
  }
  if (strcmp(word, "-k") == 0 || strcmp(word, "--insecure") == 0) {
    opts->insecure = 1;
    return AB_PARSE_OK;
  }
  if (is_option(word, 'c', "connections", &len)) {
    if ((value = option_value(argc, argv, i, len)) == NULL)
      return AB_PARSE_ERROR;
    opts->connections = parse_count(value, 1, AB_MAX_CONNECTIONS);
    return opts->connections < 0 ? usage_error("bad -c", value) : AB_PARSE_OK;
  }
  if (is_option(word, 'n', "requests", &len)) {
    if ((value = option_value(argc, argv, i, len)) == NULL)
      return AB_PARSE_ERROR;
    opts->requests = parse_count(value, 1, 1000000000000L);
    opts->duration = 0;
    return opts->requests < 0 ? usage_error("bad -n", value) : AB_PARSE_OK;
  }
  if (is_option(word, 'd', "duration", &len)) {
    if ((value = option_value(argc, argv, i, len)) == NULL)
      return AB_PARSE_ERROR;
    opts->duration = parse_seconds(value);
    opts->requests = 0;
    return opts->duration < 0 ? usage_error("bad -d", value) : AB_PARSE_OK;
  }
  if (is_option(word, 'H', "header", &len)) {
    if ((value = option_value(argc, argv, i, len)) == NULL)
      return AB_PARSE_ERROR;
    return add_header(opts, value);
  }
  if (is_option(word, 0, "cacert", &len)) {
    opts->cacert = option_value(argc, argv, i, len);
    return opts->cacert == NULL ? AB_PARSE_ERROR : AB_PARSE_OK;
  }
  if (is_option(word, 0, "method", &len)) {
    opts->method = option_value(argc, argv, i, len);
    return opts->method == NULL ? AB_PARSE_ERROR : AB_PARSE_OK;
  }
  if (is_option(word, 0, "data", &len)) {
    opts->data = option_value(argc, argv, i, len);
    return opts->data == NULL ? AB_PARSE_ERROR : AB_PARSE_OK;
  }
  return usage_error("unknown option", word);
}

int ab_options_parse(ab_options_t *opts, int argc, char **argv) {
  int i, rv;

  memset(opts, 0, sizeof(*opts));
  opts->connections = AB_DEFAULT_CONNECTIONS;
  opts->duration = AB_DEFAULT_DURATION;
  for (i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      if ((rv = parse_one(opts, argc, argv, &i)) != AB_PARSE_OK)
        return rv;
    } else if (opts->url == NULL) {
      opts->url = argv[i];
    } else {
      return usage_error("one URL only", argv[i]);
    }
  }
  if (opts->url == NULL)
    return usage_error("no URL given", NULL);
  if (opts->method == NULL)
    opts->method = opts->data != NULL ? "POST" : "GET";
  return AB_PARSE_OK;
}

void ab_options_free(ab_options_t *opts) {
  free(opts->headers);
  opts->headers = NULL;
  opts->n_headers = 0;
}
