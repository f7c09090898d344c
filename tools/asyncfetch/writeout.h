/*
 * asyncfetch — the -w (--write-out) text written after each transfer.
 */
#ifndef ASYNCFETCH_WRITEOUT_H
#define ASYNCFETCH_WRITEOUT_H

#include "transfer.h"

/*
 * Expands `format` for the transfer and writes it (to standard output, or
 * standard error after %{stderr}), in the transfer's turn. Variables are
 * curl's: %{http_code}, %{time_total}, %header{Name}, ... (see
 * asyncfetch(1)); "\n", "\r", "\t" and "%%" are understood. An unknown
 * variable gets a warning on standard error and expands to nothing.
 */
void af_writeout(af_transfer_t *t, const char *format);

#endif /* ASYNCFETCH_WRITEOUT_H */
