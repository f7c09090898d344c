/*
 * asyncbench — the latency histogram.
 *
 * Values below 2 * SUB have a bucket each. Above, a value v whose top bit
 * is bit k keeps its SUB_BITS + 1 leading bits: shift = k - SUB_BITS drops
 * the rest, and (v >> shift) lies in [SUB, 2 * SUB). Each power of two
 * thus gets SUB buckets, placed after those of the powers below it.
 */
#include "histogram.h"

#include <math.h>
#include <string.h>

static unsigned top_bit(uint64_t v) {
  return 63u - (unsigned)__builtin_clzll(v);
}

static unsigned bucket_of(uint64_t v) {
  unsigned shift;

  if (v < 2 * AB_HIST_SUB)
    return (unsigned)v;
  if (top_bit(v) >= AB_HIST_MAX_BITS)
    return AB_HIST_BUCKETS - 1;
  shift = top_bit(v) - AB_HIST_SUB_BITS;
  return 2 * AB_HIST_SUB + (shift - 1) * AB_HIST_SUB +
         (unsigned)((v >> shift) - AB_HIST_SUB);
}

/* The largest value that falls in bucket i. */
static uint64_t bucket_top(unsigned i) {
  unsigned shift;
  uint64_t lead;

  if (i < 2 * AB_HIST_SUB)
    return i;
  shift = (i - 2 * AB_HIST_SUB) / AB_HIST_SUB + 1;
  lead = AB_HIST_SUB + (i - 2 * AB_HIST_SUB) % AB_HIST_SUB;
  return ((lead + 1) << shift) - 1;
}

void ab_histogram_init(ab_histogram_t *h) { memset(h, 0, sizeof(*h)); }

void ab_histogram_record(ab_histogram_t *h, uint64_t ns) {
  h->counts[bucket_of(ns)]++;
  h->total++;
  if (ns > h->max)
    h->max = ns;
}

uint64_t ab_histogram_quantile(const ab_histogram_t *h, double q) {
  uint64_t rank, seen = 0, top;
  unsigned i;

  if (h->total == 0)
    return 0;
  rank = (uint64_t)ceil(q * (double)h->total);
  if (rank < 1)
    rank = 1;
  for (i = 0; i < AB_HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank)
      break;
  }
  top = i < AB_HIST_BUCKETS ? bucket_top(i) : h->max;
  return top < h->max ? top : h->max;
}
