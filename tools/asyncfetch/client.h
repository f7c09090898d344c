/*
 * asyncfetch — the session every transfer goes through, set up from the
 * command line.
 */
#ifndef ASYNCFETCH_CLIENT_H
#define ASYNCFETCH_CLIENT_H

#include <stddef.h>

#include <libasync.h>

#include "options.h"

/*
 * Creates the session on `loop` and sets its options from opts. Prints a
 * warning for each -H it cannot send (unless -s). On failure prints what
 * went wrong and returns the exit status (2 for a value the library
 * refuses); returns 0 on success.
 */
int af_client_new(async_session_t **out, async_loop_t *loop,
                  const af_options_t *opts);

/*
 * The User-Agent the requests carry: -A, a -H User-Agent, or
 * "libasync/VERSION" into buf; NULL when it is removed.
 */
const char *af_client_user_agent(const af_options_t *opts, char *buf,
                                 size_t size);

#endif /* ASYNCFETCH_CLIENT_H */
