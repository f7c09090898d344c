/*
 * asyncbench — a wrk-like load generator built on libasync's HTTP client.
 *
 *   asyncbench [-c CONNECTIONS] [-n REQUESTS | -d SECONDS] [-H "K: V"]
 *              [--cacert FILE] [-k] [--method M] [--data D] URL
 *
 * main() reads the command line, runs the load (load.c) and prints the
 * report (report.c). Exits 0 when every request succeeded, 1 when any
 * failed or the load could not run, 2 on a bad command line.
 */
#include <stdio.h>

#include "load.h"
#include "options.h"
#include "report.h"

int main(int argc, char **argv) {
  ab_options_t opts;
  ab_stats_t stats;
  int rv;

  rv = ab_options_parse(&opts, argc, argv);
  if (rv != AB_PARSE_OK) {
    ab_options_free(&opts);
    return rv == AB_PARSE_EXIT ? 0 : 2;
  }
  rv = ab_load_run(&opts, &stats);
  /* A load that could not start has been reported: no figures. */
  if (stats.ran)
    ab_report_print(&opts, &stats);
  ab_stats_free(&stats);
  ab_options_free(&opts);
  fflush(stdout);
  return rv != 0 || stats.failed > 0 ? 1 : 0;
}
