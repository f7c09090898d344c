/*
 * asyncfetch — reading the request body.
 *
 * Files are read whole before any transfer starts, so that an unreadable
 * one fails the command (exit 26) without sending anything, as curl does.
 */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends len bytes to the body. Returns 0 or -1 (out of memory). */
static int af_body_append(af_body_t *body, const char *data, size_t len) {
  char *grown = realloc(body->data, body->len + len + 1);

  if (grown == NULL)
    return -1;
  memcpy(grown + body->len, data, len);
  body->data = grown;
  body->len += len;
  body->data[body->len] = '\0';
  return 0;
}

/*
 * Appends the contents of `in`, without CR and LF when `strip`.
 * Returns 0, or an errno value.
 */
static int af_body_read(af_body_t *body, FILE *in, int strip) {
  char chunk[65536];
  size_t n;

  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
    size_t kept = n;

    if (strip) {
      kept = 0;
      for (size_t i = 0; i < n; i++) {
        if (chunk[i] != '\r' && chunk[i] != '\n')
          chunk[kept++] = chunk[i];
      }
    }
    if (af_body_append(body, chunk, kept) < 0)
      return ENOMEM;
  }
  return ferror(in) ? (errno ? errno : EIO) : 0;
}

/* Appends the file at path ("-" for standard input). Returns 0 or errno. */
static int af_body_read_file(af_body_t *body, const char *path, int strip) {
  FILE *in;
  int err;

  if (strcmp(path, "-") == 0)
    return af_body_read(body, stdin, strip);
  in = fopen(path, "rb");
  if (in == NULL)
    return errno;
  err = af_body_read(body, in, strip);
  fclose(in);
  return err;
}

int af_body_load(af_body_t *body, const af_options_t *opts) {
  memset(body, 0, sizeof(*body));
  for (size_t i = 0; i < opts->n_data; i++) {
    const af_data_arg_t *arg = &opts->data[i];
    int err = 0;

    if (i > 0 && af_body_append(body, "&", 1) < 0)
      err = ENOMEM;
    else if (arg->kind != AF_DATA_RAW && arg->text[0] == '@')
      err = af_body_read_file(body, arg->text + 1, arg->kind == AF_DATA_ASCII);
    else if (af_body_append(body, arg->text, strlen(arg->text)) < 0)
      err = ENOMEM;
    if (err == 0 && body->data == NULL)
      err = af_body_append(body, "", 0) < 0 ? ENOMEM : 0;
    if (err != 0) {
      body->failed = err == ENOMEM ? NULL : arg->text + 1;
      body->error = err;
      return -1;
    }
  }
  return 0;
}

void af_body_free(af_body_t *body) {
  free(body->data);
  body->data = NULL;
  body->len = 0;
}
