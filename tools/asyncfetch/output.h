/*
 * asyncfetch — where each transfer's output goes.
 *
 * Transfers run concurrently but their output appears in argument order,
 * never interleaved: the transfer whose turn it is (the first one whose
 * output is not all written) writes straight to standard output and
 * error; the others keep their text in memory until their turn comes.
 * Bodies sent to a file with -o go there at once.
 */
#ifndef ASYNCFETCH_OUTPUT_H
#define ASYNCFETCH_OUTPUT_H

#include <stddef.h>

#include "transfer.h"

/* Where a piece of output goes. */
enum af_channel {
  AF_BODY = 0,   /* the body's destination: the -o file, else stdout */
  AF_STDOUT = 1, /* standard output, whatever -o says (-w) */
  AF_STDERR = 2  /* standard error (-v, error messages) */
};

/*
 * Writes len bytes of t's output to `channel` (enum af_channel), or keeps
 * them until t's turn. Returns 0, or an errno value when the -o file could
 * not be opened or written, or standard output could not be written.
 */
int af_output_write(af_transfer_t *t, int channel, const char *data,
                    size_t len);

/* af_output_write() with printf formatting. */
int af_output_printf(af_transfer_t *t, int channel, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * t's turn has come: writes what it kept and lets its later output
 * through. Returns 0 or the errno of a failed write to standard output.
 */
int af_output_promote(af_transfer_t *t);

/* Flushes standard output. Returns 0 or an errno value. */
int af_output_flush(af_transfer_t *t);

/*
 * The status line and header fields of a response as -i and -I print
 * them ("HTTP/1.1 200 OK", "Name: value", a blank line; CRLF line ends),
 * to the body's destination. Returns as af_output_write().
 */
int af_output_head(af_transfer_t *t, const async_response_t *response);

/* The same, with "< " before each line, on standard error (-v). */
void af_output_verbose_head(af_transfer_t *t, const async_response_t *response);

/* The request as it is sent, "> " before each line (-v). */
void af_output_verbose_request(af_transfer_t *t, const char *method,
                               size_t body_len);

/* Closes the -o file (creating it, empty, when `create` and nothing was
 * written). Returns 0 or an errno value. */
int af_output_close(af_transfer_t *t, int create);

/* The number of bytes af_output_head() writes for a response. */
size_t af_output_head_size(const async_response_t *response);

/* Frees the text kept for t. */
void af_output_free(af_transfer_t *t);

#endif /* ASYNCFETCH_OUTPUT_H */
