/*
 * asyncbench — the report: a few lines for people, then one for scripts.
 */
#ifndef ASYNCBENCH_REPORT_H
#define ASYNCBENCH_REPORT_H

#include "options.h"
#include "stats.h"

/*
 * Prints the run's figures to stdout, ending with
 *   RESULT requests=OK errors=FAILED wall_s=W cpu_us_per_req=C rss_kb=R
 *     non2xx=N bytes=B
 * (one line).
 */
void ab_report_print(const ab_options_t *opts, const ab_stats_t *stats);

#endif /* ASYNCBENCH_REPORT_H */
