/*
 * asyncbench — a latency histogram in the manner of HdrHistogram: fixed
 * memory, O(1) recording, every value kept to within 1/64 (1.6 %) of
 * itself, from 1 ns to about 18 minutes.
 */
#ifndef ASYNCBENCH_HISTOGRAM_H
#define ASYNCBENCH_HISTOGRAM_H

#include <stdint.h>

/* 64 buckets per power of two, for values below 2^40 ns. */
#define AB_HIST_SUB_BITS 6
#define AB_HIST_SUB (1u << AB_HIST_SUB_BITS)
#define AB_HIST_MAX_BITS 40
#define AB_HIST_BUCKETS                                                        \
  (AB_HIST_SUB * (AB_HIST_MAX_BITS - AB_HIST_SUB_BITS + 1))

typedef struct ab_histogram {
  uint64_t counts[AB_HIST_BUCKETS];
  uint64_t total; /* values recorded */
  uint64_t max;   /* the largest, exactly */
} ab_histogram_t;

/* Empties h. */
void ab_histogram_init(ab_histogram_t *h);

/* Records one value, in nanoseconds (larger ones count as the largest
 * bucket, max keeps them exactly). */
void ab_histogram_record(ab_histogram_t *h, uint64_t ns);

/* The value at quantile q (0 < q <= 1): the upper end of the bucket where
 * the q * total'th value lies, never above max; 0 when h is empty. */
uint64_t ab_histogram_quantile(const ab_histogram_t *h, double q);

#endif /* ASYNCBENCH_HISTOGRAM_H */
