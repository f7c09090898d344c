/*
 * Lets Criterion run under ThreadSanitizer. Linked into the test programs
 * of a LIBASYNC_SANITIZE=thread build only.
 *
 * Criterion (through BoxFort) maps its shared arena at a random 16 MiB
 * slot between 0x200000000000 and 0x600000000000, picked with rand_r(),
 * and gives up after ten slots that are already mapped. Under TSan nearly
 * all of that range is shadow memory or reserved, so Criterion aborts with
 * "Could not initialize inheritable arena" (Criterion issue #274). This
 * rand_r() steers the pick, for calls made from libcriterion only, into
 * 0x566000000000-0x568000000000: application memory in the layouts of
 * both the TSan runtimes that GCC ships (v2 and v3), above where the kernel
 * places position-independent executables. Every other caller gets the
 * C library's rand_r() unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef int (*rand_r_fn)(unsigned int *seed);

/* BoxFort's slot index: base = 0x200000000000 + (value & mask) * 16 MiB. */
#define BOXFORT_SLOT_MASK 0x3fffff
#define TSAN_APP_SLOT_FIRST 0x366000 /* 0x566000000000 */
#define TSAN_APP_SLOT_SPAN 0x2000    /* 128 GiB of slots */

static int called_from_criterion(const void *caller) {
  Dl_info info;

  if (!dladdr(caller, &info) || !info.dli_fname)
    return 0;
  return strstr(info.dli_fname, "libcriterion") != NULL;
}

int rand_r(unsigned int *seed) {
  /* Atomic so that TSan sees no race when threads look it up at once. */
  static rand_r_fn next_rand_r;
  rand_r_fn next = __atomic_load_n(&next_rand_r, __ATOMIC_ACQUIRE);
  int value;

  if (!next) {
    next = (rand_r_fn)dlsym(RTLD_NEXT, "rand_r");
    __atomic_store_n(&next_rand_r, next, __ATOMIC_RELEASE);
  }
  value = next(seed);
  if (called_from_criterion(__builtin_return_address(0)))
    value = (value & ~BOXFORT_SLOT_MASK) |
            (TSAN_APP_SLOT_FIRST + (value & (TSAN_APP_SLOT_SPAN - 1)));
  return value;
}
