/*
 * The seed's first example, examples/sleep: five sequential one-second
 * sleeps take about five seconds, five concurrent ones about one. Runs
 * the built example and reads what it prints.
 */
#include "helpers.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HELLO "Hello World:"
#define WOW "Hello wow World:"

/* What the example printed, in order. */
struct sleep_output {
  double hello[10]; /* 5 sequential, then 5 concurrent */
  double wow[5];
  int n_hello, n_wow;
  double sync_s, async_s;
  char kinds[32]; /* one letter per line: H, W, S (sync), A (async) */
  size_t n_kinds;
};

/*
 * Finds the example: the tests are built in <build>/ and the examples in
 * <build>/examples/, so look beside this executable and above it.
 */
static int find_example(char *path, size_t size) {
  static const char *const candidates[] = {
      "../examples/sleep", "examples/sleep", "../../examples/sleep"};
  char self[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  char *slash;

  if (len <= 0)
    return -1;
  self[len] = '\0';
  slash = strrchr(self, '/');
  if (slash)
    *slash = '\0';
  for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
    snprintf(path, size, "%s/%s", self, candidates[i]);
    if (access(path, X_OK) == 0)
      return 0;
  }
  return -1;
}

static void parse_line(struct sleep_output *out, const char *line) {
  char kind = '?';
  int tasks = 0;

  if (strncmp(line, HELLO, strlen(HELLO)) == 0 && out->n_hello < 10) {
    out->hello[out->n_hello++] = strtod(line + strlen(HELLO), NULL);
    kind = 'H';
  } else if (strncmp(line, WOW, strlen(WOW)) == 0 && out->n_wow < 5) {
    out->wow[out->n_wow++] = strtod(line + strlen(WOW), NULL);
    kind = 'W';
  } else if (sscanf(line, "synchronous: %d calls in %lf s", &tasks,
                    &out->sync_s) == 2 &&
             tasks == 5) {
    kind = 'S';
  } else if (sscanf(line, "asynchronous: %d tasks in %lf s", &tasks,
                    &out->async_s) == 2 &&
             tasks == 5) {
    kind = 'A';
  }
  cr_assert_neq(kind, '?', "unexpected output line: %s", line);
  if (out->n_kinds < sizeof(out->kinds) - 1)
    out->kinds[out->n_kinds++] = kind;
}

static void run_example(struct sleep_output *out) {
  char path[PATH_MAX + 32], line[256];
  FILE *pipe;
  int status;

  memset(out, 0, sizeof(*out));
  cr_assert_eq(find_example(path, sizeof(path)), 0,
               "examples/sleep not found near the test executable");
  pipe = popen(path, "r");
  cr_assert_not_null(pipe, "could not start %s", path);
  while (fgets(line, sizeof(line), pipe))
    parse_line(out, line);
  status = pclose(pipe);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "the example failed (status 0x%x)", (unsigned)status);
}

Test(example_sleep, sequential_then_concurrent, .timeout = 30) {
  struct sleep_output out;
  double spread_hello, spread_wow, first_wow = 1e300;

  run_example(&out);
  cr_assert_str_eq(out.kinds, "HHHHHHHHHHWWWWWSA",
                   "lines out of order (H hello, W wow, S/A summaries)");

  /* Sequential: a second between lines, five seconds in all. */
  for (int i = 1; i < 5; i++)
    cr_assert_geq(out.hello[i] - out.hello[i - 1], 0.99,
                  "sequential lines %d and %d %.4f s apart", i - 1, i,
                  out.hello[i] - out.hello[i - 1]);
  cr_assert_geq(out.sync_s, 4.9, "synchronous part took %.2f s", out.sync_s);
  cr_assert_lt(out.sync_s, 6.5, "synchronous part took %.2f s", out.sync_s);

  /* Concurrent: five hellos at once, five wows a second later. */
  spread_hello = out.hello[9] - out.hello[5];
  spread_wow = 0;
  for (int i = 0; i < 5; i++) {
    if (out.wow[i] < first_wow)
      first_wow = out.wow[i];
    if (out.wow[i] - out.wow[0] > spread_wow)
      spread_wow = out.wow[i] - out.wow[0];
  }
  cr_assert_geq(out.hello[5], out.hello[4]);
  cr_assert_lt(spread_hello, 0.2, "concurrent hellos %.4f s apart",
               spread_hello);
  cr_assert_lt(spread_wow, 0.2, "concurrent wows %.4f s apart", spread_wow);
  /* Each wow follows its own hello by a second; the first hello is the
   * earliest of them. */
  cr_assert_geq(first_wow - out.hello[5], 0.99,
                "first wow %.4f s after the first hello",
                first_wow - out.hello[5]);
  cr_assert_geq(out.async_s, 1.0, "asynchronous part took %.2f s", out.async_s);
  cr_assert_lt(out.async_s, 1.5, "asynchronous part took %.2f s", out.async_s);
}
