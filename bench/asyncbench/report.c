/* asyncbench — printing what a run measured. */
#include "report.h"

#include <stdio.h>

#include <libasync.h>

/* A latency, in the unit that reads best. */
static void print_latency(const char *label, uint64_t ns) {
  if (ns < 1000000)
    printf("  %s %7.1f us", label, (double)ns / 1e3);
  else if (ns < 1000000000)
    printf("  %s %7.2f ms", label, (double)ns / 1e6);
  else
    printf("  %s %7.2f s ", label, (double)ns / 1e9);
}

static void print_errors(const ab_stats_t *stats) {
  int kind;

  if (stats->failed == 0) {
    printf("  errors        none\n");
    return;
  }
  printf("  errors        %llu\n", (unsigned long long)stats->failed);
  for (kind = 1; kind < AB_ERROR_KINDS; kind++) {
    if (stats->errors[kind] == 0)
      continue;
    printf("    %-16s %llu", async_err_name(-kind),
           (unsigned long long)stats->errors[kind]);
    if (stats->first_message[kind] != NULL)
      printf("  (first: %s)", stats->first_message[kind]);
    printf("\n");
  }
}

void ab_report_print(const ab_options_t *opts, const ab_stats_t *stats) {
  uint64_t done = stats->ok + stats->failed;
  double cpu_s = stats->cpu.user_s + stats->cpu.sys_s;
  double rate = stats->wall_s > 0 ? (double)stats->ok / stats->wall_s : 0;
  double cpu_us = done > 0 ? cpu_s * 1e6 / (double)done : 0;

  printf("asyncbench %s: %ld connections, ", async_version(),
         opts->connections);
  if (opts->requests > 0)
    printf("%ld requests", opts->requests);
  else
    printf("%g s", opts->duration);
  printf(", %s %s\n", opts->method, opts->url);
  printf("  requests      %llu ok, %llu failed in %.3f s\n",
         (unsigned long long)stats->ok, (unsigned long long)stats->failed,
         stats->wall_s);
  printf("  requests/s    %.1f\n", rate);
  printf("  latency      ");
  print_latency("p50", ab_histogram_quantile(&stats->latency, 0.50));
  print_latency("p90", ab_histogram_quantile(&stats->latency, 0.90));
  print_latency("p99", ab_histogram_quantile(&stats->latency, 0.99));
  print_latency("max", stats->latency.max);
  printf("\n");
  printf("  received      %llu body bytes (%.1f MiB/s)\n",
         (unsigned long long)stats->bytes,
         stats->wall_s > 0 ? (double)stats->bytes / 1048576.0 / stats->wall_s
                           : 0);
  if (stats->non2xx > 0)
    printf("  status >= 400 %llu responses\n",
           (unsigned long long)stats->non2xx);
  printf("  CPU           %.3f s (user %.3f, sys %.3f): %.2f us per request\n",
         cpu_s, stats->cpu.user_s, stats->cpu.sys_s, cpu_us);
  printf("  peak RSS      %ld KiB\n", stats->peak_rss_kb);
  print_errors(stats);
  printf("RESULT requests=%llu errors=%llu wall_s=%.6f cpu_us_per_req=%.3f "
         "rss_kb=%ld non2xx=%llu bytes=%llu\n",
         (unsigned long long)stats->ok, (unsigned long long)stats->failed,
         stats->wall_s, cpu_us, stats->peak_rss_kb,
         (unsigned long long)stats->non2xx, (unsigned long long)stats->bytes);
}
