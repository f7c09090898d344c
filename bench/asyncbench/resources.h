/*
 * asyncbench — what the process itself spends: CPU time and memory.
 */
#ifndef ASYNCBENCH_RESOURCES_H
#define ASYNCBENCH_RESOURCES_H

#include <stdint.h>

typedef struct ab_cpu {
  double user_s; /* user CPU seconds, all threads */
  double sys_s;  /* system CPU seconds, all threads */
} ab_cpu_t;

/* Nanoseconds on the monotonic clock. */
uint64_t ab_now_ns(void);

/* The process's CPU time so far (getrusage, RUSAGE_SELF). */
void ab_cpu_now(ab_cpu_t *cpu);

/* The process's peak resident set size in KiB (VmHWM), or -1. */
long ab_peak_rss_kb(void);

#endif /* ASYNCBENCH_RESOURCES_H */
