/* The loop's clock: CLOCK_MONOTONIC in seconds. */
#ifndef ASYNC_CORE_CLOCK_H
#define ASYNC_CORE_CLOCK_H

#include <time.h>

static inline double async__clock_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif /* ASYNC_CORE_CLOCK_H */
