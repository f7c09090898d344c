/* asyncbench — CPU time, peak memory and the clock, from the kernel. */
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

/*
 * VmHWM, the peak of this program's own address space. Not ru_maxrss,
 * which also counts the image that exec replaced (the shell or the tool
 * that started this program), a floor of megabytes under the figure.
 */
long ab_peak_rss_kb(void) {
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;

  if (status == NULL)
    return -1;
  while (fgets(line, sizeof(line), status) != NULL)
    if (strncmp(line, "VmHWM:", 6) == 0) {
      kb = strtol(line + 6, NULL, 10);
      break;
    }
  fclose(status);
  return kb;
}
