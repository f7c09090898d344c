/*
 * asyncbench — the load: CONNECTIONS requests in flight on one session,
 * each completion sending the next, on a loop run by the calling thread.
 */
#ifndef ASYNCBENCH_LOAD_H
#define ASYNCBENCH_LOAD_H

#include "options.h"
#include "stats.h"

/*
 * Runs the load that opts describe and fills stats (zeroed first;
 * stats->ran tells whether the load started). Returns 0 when the load
 * ran (requests may still have failed: see stats), or 1 after reporting
 * why it could not start or keep going.
 */
int ab_load_run(const ab_options_t *opts, ab_stats_t *stats);

/* Frees what ab_load_run() allocated in stats. */
void ab_stats_free(ab_stats_t *stats);

#endif /* ASYNCBENCH_LOAD_H */
