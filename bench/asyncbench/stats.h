/*
 * asyncbench — what a run measured: counts, latencies, bytes, time.
 */
#ifndef ASYNCBENCH_STATS_H
#define ASYNCBENCH_STATS_H

#include <stdint.h>

#include "histogram.h"
#include "resources.h"

/* Error kinds are indexed by -async_err_t; codes beyond get the last slot. */
#define AB_ERROR_KINDS 32

typedef struct ab_stats {
  int ran;         /* the load started: the figures below mean something */
  uint64_t ok;     /* responses received, whatever their status */
  uint64_t failed; /* requests that completed with an error */
  uint64_t non2xx; /* responses with a status of 400 or more */
  uint64_t bytes;  /* response body bytes received */
  uint64_t errors[AB_ERROR_KINDS];     /* failed, by kind */
  char *first_message[AB_ERROR_KINDS]; /* the first message of each kind */
  ab_histogram_t latency;              /* of responses: start to end, ns */
  double wall_s;                       /* first send to last completion */
  ab_cpu_t cpu;                        /* CPU time spent in that span */
  long peak_rss_kb;                    /* the process's peak RSS at the end */
} ab_stats_t;

#endif /* ASYNCBENCH_STATS_H */
