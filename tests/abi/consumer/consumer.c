/*
 * A program built against an installed libasync, the way its users build
 * theirs: with pkg-config or with find_package(libasync). It sleeps 10 ms
 * on a loop and checks the library's version.
 */
#include <libasync.h>

#include <stdio.h>

int main(void) {
  async_loop_t *loop = NULL;
  async_future_t *f = NULL;
  int rv;

  if (!async_version_at_least(ASYNC_VERSION_HEX)) {
    fprintf(stderr, "consumer: library %s is older than headers %s\n",
            async_version(), ASYNC_VERSION_STRING);
    return 1;
  }
  rv = async_loop_new(&loop);
  if (rv < 0) {
    fprintf(stderr, "consumer: async_loop_new: %s\n", async_strerror(rv));
    return 1;
  }
  rv = async_sleep(loop, 0.01, &f);
  if (rv == 0)
    rv = async_loop_run_until(loop, f);
  if (rv < 0)
    fprintf(stderr, "consumer: %s\n", async_err_name(rv));
  else if (async_future_state(f) != ASYNC_DONE)
    rv = -1;
  if (rv == 0)
    printf("consumer: libasync %s (headers %s): sleep done\n", async_version(),
           ASYNC_VERSION_STRING);
  else
    fprintf(stderr, "consumer: sleep did not complete\n");
  async_future_release(f);
  async_loop_close(loop);
  async_loop_release(loop);
  return rv == 0 ? 0 : 1;
}
