/* asyncbench — CPU time, peak memory and the clock, from the kernel. */
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../common/proc_status.h"

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

uint64_t ab_now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ab_cpu_now(ab_cpu_t *cpu) {
  struct rusage ru;

  cpu->user_s = cpu->sys_s = 0;
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    cpu->user_s = seconds(ru.ru_utime);
    cpu->sys_s = seconds(ru.ru_stime);
  }
}

/* VmHWM: see common/proc_status.h. */
long ab_peak_rss_kb(void) { return bench_status_kb("VmHWM"); }
