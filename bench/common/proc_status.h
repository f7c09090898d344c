/*
 * What the benchmark programs read of their own memory: a field of
 * /proc/self/status. VmHWM is the peak of the program's own address space
 * (ru_maxrss would also count the image that exec replaced: the shell or
 * tool that started the program, a floor of megabytes under the figure).
 */
#ifndef LIBASYNC_BENCH_PROC_STATUS_H
#define LIBASYNC_BENCH_PROC_STATUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A "Vm...:" field of /proc/self/status ("VmHWM", "VmRSS"), in KiB, or
 * -1 when it cannot be read. */
static inline long bench_status_kb(const char *field) {
  FILE *status = fopen("/proc/self/status", "r");
  size_t len = strlen(field);
  char line[256];
  long kb = -1;

  if (status == NULL)
    return -1;
  while (fgets(line, sizeof(line), status) != NULL) {
    if (strncmp(line, field, len) == 0 && line[len] == ':') {
      kb = strtol(line + len + 1, NULL, 10);
      break;
    }
  }
  fclose(status);
  return kb;
}

#endif /* LIBASYNC_BENCH_PROC_STATUS_H */
