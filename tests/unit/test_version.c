/*
 * Versions: the macros of the headers against what the loaded library
 * reports, async_version_at_least() and async_features().
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#define VERSION_AT(major, minor, patch)                                        \
  (((uint32_t)(major) << 16) | ((uint32_t)(minor) << 8) | (uint32_t)(patch))

Test(version, string_matches_macros) {
  char expected[32];

  snprintf(expected, sizeof(expected), "%d.%d.%d", ASYNC_VERSION_MAJOR,
           ASYNC_VERSION_MINOR, ASYNC_VERSION_PATCH);
  cr_assert_str_eq(ASYNC_VERSION_STRING, expected);
  cr_assert_not_null(async_version());
  cr_assert_str_eq(async_version(), ASYNC_VERSION_STRING);
}

Test(version, number_matches_macros) {
  cr_assert_eq(ASYNC_VERSION_HEX,
               VERSION_AT(ASYNC_VERSION_MAJOR, ASYNC_VERSION_MINOR,
                          ASYNC_VERSION_PATCH));
  cr_assert_eq(async_version_number(), (uint32_t)ASYNC_VERSION_HEX,
               "library reports 0x%06x, headers say 0x%06x",
               (unsigned)async_version_number(), (unsigned)ASYNC_VERSION_HEX);
}

Test(version, at_least_equal_is_true) {
  cr_assert_eq(async_version_at_least(ASYNC_VERSION_HEX), 1);
}

Test(version, at_least_lower_is_true) {
  /* MAJOR.0.0 is the lowest version of the same major. */
  cr_assert_eq(async_version_at_least(VERSION_AT(ASYNC_VERSION_MAJOR, 0, 0)),
               1);
  if (ASYNC_VERSION_PATCH > 0)
    cr_assert_eq(async_version_at_least(ASYNC_VERSION_HEX - 1), 1);
  if (ASYNC_VERSION_MINOR > 0)
    cr_assert_eq(async_version_at_least(VERSION_AT(
                     ASYNC_VERSION_MAJOR, ASYNC_VERSION_MINOR - 1, 255)),
                 1);
}

Test(version, at_least_higher_is_false) {
  cr_assert_eq(async_version_at_least(
                   VERSION_AT(ASYNC_VERSION_MAJOR, ASYNC_VERSION_MINOR + 1, 0)),
               0);
  cr_assert_eq(async_version_at_least(ASYNC_VERSION_HEX + 1), 0);
}

Test(version, at_least_other_major_is_false) {
  /* A different major is a different ABI, older or newer. */
  cr_assert_eq(
      async_version_at_least(VERSION_AT(ASYNC_VERSION_MAJOR + 1, 0, 0)), 0);
  if (ASYNC_VERSION_MAJOR > 0)
    cr_assert_eq(
        async_version_at_least(VERSION_AT(ASYNC_VERSION_MAJOR - 1, 255, 255)),
        0);
}

Test(version, features_have_threads_and_guest) {
  uint32_t features = async_features();

  cr_assert(features & ASYNC_FEATURE_THREADS, "features 0x%x lack THREADS",
            (unsigned)features);
  cr_assert(features & ASYNC_FEATURE_GUEST, "features 0x%x lack GUEST",
            (unsigned)features);
}

Test(version, features_are_stable) {
  uint32_t first = async_features();

  for (int i = 0; i < 100; i++)
    cr_assert_eq(async_features(), first);
}
