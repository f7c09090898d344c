/*
 * Error codes: every entry of ASYNC_ERRNO_MAP against async_strerror(),
 * async_err_name() and async_err_exit_code(), success, unknown values and
 * the command-line tool's exit statuses.
 */
#include "helpers.h"

#include <limits.h>
#include <string.h>

struct err_entry {
  const char *name; /* "ASYNC_" #NAME */
  int value;
  int exit_status;
  const char *text;
};

#define ERR_ENTRY_(name, value, exit_status, text)                             \
  {"ASYNC_" #name, value, exit_status, text},

static const struct err_entry err_table[] = {ASYNC_ERRNO_MAP(ERR_ENTRY_)};

#undef ERR_ENTRY_

#define ERR_COUNT (sizeof(err_table) / sizeof(err_table[0]))

Test(error, table_values_are_negative_and_distinct) {
  cr_assert_gt(ERR_COUNT, 0);
  for (size_t i = 0; i < ERR_COUNT; i++) {
    cr_assert_lt(err_table[i].value, 0, "%s is not negative",
                 err_table[i].name);
    cr_assert_gt(err_table[i].value, ASYNC_ERR_MIN_,
                 "%s is below ASYNC_ERR_MIN_", err_table[i].name);
    for (size_t j = i + 1; j < ERR_COUNT; j++)
      cr_assert_neq(err_table[i].value, err_table[j].value,
                    "%s and %s share a value", err_table[i].name,
                    err_table[j].name);
  }
}

Test(error, strerror_describes_every_code) {
  for (size_t i = 0; i < ERR_COUNT; i++) {
    const char *text = async_strerror(err_table[i].value);

    cr_assert_not_null(text, "no text for %s", err_table[i].name);
    cr_assert_str_not_empty(text, "empty text for %s", err_table[i].name);
    cr_assert_str_eq(text, err_table[i].text, "text of %s", err_table[i].name);
  }
}

Test(error, err_name_is_the_symbol) {
  for (size_t i = 0; i < ERR_COUNT; i++) {
    const char *name = async_err_name(err_table[i].value);

    cr_assert_not_null(name, "no name for %d", err_table[i].value);
    cr_assert_str_eq(name, err_table[i].name);
  }
}

Test(error, exit_code_matches_table) {
  for (size_t i = 0; i < ERR_COUNT; i++)
    cr_assert_eq(async_err_exit_code(err_table[i].value),
                 err_table[i].exit_status, "exit status of %s",
                 err_table[i].name);
}

Test(error, zero_is_success) {
  cr_assert_str_eq(async_strerror(0), "success");
  cr_assert_str_eq(async_err_name(0), "ASYNC_OK");
  cr_assert_eq(async_err_exit_code(0), 0);
}

Test(error, unknown_values_are_unknown) {
  static const int unknown[] = {-999, 5, 1, ASYNC_ERR_MIN_, INT_MIN, INT_MAX};

  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
    cr_assert_str_eq(async_strerror(unknown[i]), "unknown error", "value %d",
                     unknown[i]);
    cr_assert_str_eq(async_err_name(unknown[i]), "ASYNC_EUNKNOWN", "value %d",
                     unknown[i]);
    cr_assert_eq(async_err_exit_code(unknown[i]), 1, "value %d", unknown[i]);
  }
}

Test(error, exit_codes_follow_the_cli_contract) {
  /* The numbers asyncfetch shares with curl (CLI.md). */
  cr_assert_eq(async_err_exit_code(ASYNC_EDNS), 6);
  cr_assert_eq(async_err_exit_code(ASYNC_ECONNECT), 7);
  cr_assert_eq(async_err_exit_code(ASYNC_ETIMEDOUT), 28);
  cr_assert_eq(async_err_exit_code(ASYNC_ECERT), 60);
  cr_assert_eq(async_err_exit_code(ASYNC_EPARTIAL), 18);
  cr_assert_eq(async_err_exit_code(ASYNC_EPROTO), 8);
  cr_assert_eq(async_err_exit_code(ASYNC_EURL), 3);
  cr_assert_eq(async_err_exit_code(ASYNC_ESCHEME), 1);
}
