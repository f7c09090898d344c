/*
 * asyncfetch — the command line: what the user asked for, parsed from argv
 * with curl's spelling of each option (see asyncfetch(1)).
 */
#ifndef ASYNCFETCH_OPTIONS_H
#define ASYNCFETCH_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* A growable list of strings borrowed from argv (never freed one by one). */
typedef struct af_list {
  const char **items;
  size_t count;
  size_t capacity;
} af_list_t;

/* How a request body argument is read. */
enum {
  AF_DATA_ASCII = 0,  /* -d: "@file" read with CR and LF removed */
  AF_DATA_BINARY = 1, /* --data-binary: "@file" read as it is */
  AF_DATA_RAW = 2     /* --data-raw: no "@" meaning */
};

/* One -d, --data, --data-binary or --data-raw argument. */
typedef struct af_data_arg {
  const char *text; /* the argument: data, "@file" or "@-" */
  int kind;         /* AF_DATA_* */
} af_data_arg_t;

typedef struct af_options {
  af_list_t urls;      /* in argument order */
  af_list_t outputs;   /* -o, one per URL in order; "-" is stdout */
  af_list_t headers;   /* -H */
  af_list_t resolve;   /* --resolve */
  af_data_arg_t *data; /* -d, --data, --data-binary, in order */
  size_t n_data;

  const char *method;     /* -X, or NULL */
  const char *write_out;  /* -w, or NULL; "@file" reads it from a file */
  const char *user_agent; /* -A, or NULL for the default */
  const char *cacert, *cert, *key;
  const char *dns_servers;
  const char *proxy, *noproxy; /* NULL when not given */

  double max_time;        /* -m; 0 for none */
  double connect_timeout; /* 0 for none */
  int64_t max_filesize;   /* -1 for none */
  int64_t max_redirs;     /* -1 for no limit */
  int64_t parallel_max;

  int include, head, location, insecure, compressed, fail;
  int silent, show_error, verbose;
  int help, version;
} af_options_t;

/* What af_options_parse() found. */
enum {
  AF_PARSE_OK = 0,   /* go on and fetch */
  AF_PARSE_ERROR = 1 /* bad command line: the message is already printed */
};

/*
 * Parses argv into opts (zeroed and given defaults first). On a bad
 * command line prints one line naming the problem to stderr and returns
 * AF_PARSE_ERROR. Strings point into argv.
 */
int af_options_parse(af_options_t *opts, int argc, char **argv);

/* Frees the lists (not the strings, which belong to argv). */
void af_options_free(af_options_t *opts);

/* Prints the --help text to stdout. */
void af_options_help(void);

/* Prints the --version text to stdout. */
void af_options_version(void);

/* Prints "asyncfetch: MESSAGE" and the hint to try --help, on stderr. */
void af_options_usage_error(const char *message, const char *arg);

#endif /* ASYNCFETCH_OPTIONS_H */
