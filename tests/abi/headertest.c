/*
 * Compiled by headertest.sh as C89, C99, C11, C++11 and C++17 with
 * -Wall -Wextra -pedantic -Werror: the umbrella header alone must be
 * enough, and valid in each of them. Only compiled, never linked.
 */
#include <libasync.h>

/* The version macros are usable in the preprocessor. */
#if ASYNC_VERSION_HEX < 0x000100
#error "ASYNC_VERSION_HEX is wrong"
#endif

static int on_task(void *arg, void **result) {
  *result = arg;
  return ASYNC_OK;
}

static void on_done(async_future_t *future, void *userdata) {
  (void)future;
  (void)userdata;
}

int main(void) {
  async_loop_t *loop = 0;
  async_future_t *future = 0;
  async_task_fn task = on_task;
  async_future_cb cb = on_done;
  int state = ASYNC_PENDING;
  int err = ASYNC_ETIMEDOUT;
  double forever = ASYNC_FOREVER;
  uint32_t features = ASYNC_FEATURE_THREADS | ASYNC_FEATURE_HTTP;
  const char *version = ASYNC_VERSION_STRING;
  int (*sleep_fn)(async_loop_t *, double, async_future_t **) = async_sleep;

  (void)loop;
  (void)future;
  (void)task;
  (void)cb;
  (void)forever;
  (void)version;
  (void)sleep_fn;
  return state + err + (int)features + ASYNC_RUN_NOWAIT + ASYNC_LOOP_WORKERS +
         ASYNC_GATHER_RETURN_ERRORS + ASYNC_FIRST_COMPLETED;
}
