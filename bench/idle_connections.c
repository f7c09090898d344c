/*
 * idle_connections [-n COUNT] [--cacert FILE] [-k] URL — what an idle
 * keep-alive connection costs in memory.
 *
 * Opens COUNT (default 10,000) connections to URL at once, one GET each
 * on a session whose limit is COUNT, so that every request gets a
 * connection of its own, and lets them go idle in the session's pool.
 * Reports the resident set size they add:
 *
 *   per connection = (RSS with COUNT idle - RSS with 1 idle) / (COUNT - 1)
 *
 * The baseline is taken after one request has completed, so the TLS
 * context, the CA store and the code paths the figures must not count are
 * already in it. Each RSS is read twice: as it is, and after
 * malloc_trim(0) has handed free heap back to the kernel (what remains
 * after trimming is what the idle connections hold; the difference is
 * heap that the requests used and freed).
 *
 * Raises RLIMIT_NOFILE to fit COUNT sockets. The last line is for scripts:
 *   RESULT connections=N errors=E base_kb=B idle_kb=I idle_trimmed_kb=T
 *     bytes_per_conn=X bytes_per_conn_trimmed=Y
 * Exits 1 if any request failed or fewer than COUNT connections stayed
 * open.
 */
#define _GNU_SOURCE

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libasync.h>

#include "common/proc_status.h"

#define DEFAULT_COUNT 10000L
#define SPARE_FDS 256 /* descriptors besides the sockets */

typedef struct idle_state {
  async_loop_t *loop;
  long target; /* responses to wait for */
  long done;
  long failed;
  int first_error;
  char first_message[256];
} idle_state_t;

static void die(const char *what, int err) {
  fprintf(stderr, "idle_connections: %s: %s\n", what, async_strerror(err));
  exit(1);
}

static int usage(void) {
  fprintf(stderr, "usage: idle_connections [-n COUNT] [--cacert FILE] [-k] "
                  "URL\n");
  return 2;
}


/* Room for n sockets: the soft limit raised, the hard one too if need be
 * (which takes root). */
static void raise_fd_limit(long n) {
  struct rlimit rl;
  rlim_t want = (rlim_t)n + SPARE_FDS;

  if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
    return;
  rl.rlim_cur = want;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
    rl.rlim_max = want;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
    perror("idle_connections: setrlimit(RLIMIT_NOFILE)");
    exit(1);
  }
}

static void on_response(async_response_t *response, int err,
                        const char *message, void *userdata) {
  idle_state_t *state = userdata;

  (void)response;
  if (err < 0 && state->failed++ == 0) {
    state->first_error = err;
    snprintf(state->first_message, sizeof(state->first_message), "%s",
             message ? message : "");
  }
  if (++state->done == state->target)
    async_loop_stop(state->loop);
}

/* Sends n GETs at once and runs the loop until all have completed. */
static void fetch(async_session_t *session, async_request_t *request, long n,
                  idle_state_t *state) {
  int rv;

  state->target = state->done + n;
  for (long i = 0; i < n; i++)
    if ((rv = async_session_send_cb(session, request, on_response, state)) < 0)
      die("async_session_send_cb", rv);
  if ((rv = async_loop_run(state->loop, ASYNC_RUN_DEFAULT)) < 0)
    die("async_loop_run", rv);
}

static async_session_t *make_session(async_loop_t *loop, long count,
                                     const char *cacert, int insecure) {
  async_session_t *s = NULL;
  int rv;

  if ((rv = async_session_new(&s, loop)) < 0)
    die("async_session_new", rv);
  if ((rv = async_session_set_int(s, ASYNC_SESSION_LIMIT, count)) < 0 ||
      (rv = async_session_set_int(s, ASYNC_SESSION_DECOMPRESS, 0)) < 0 ||
      (rv = async_session_set_int(s, ASYNC_SESSION_VERIFY_PEER, !insecure)) <
          0 ||
      /* Idle connections must outlive the measurement. */
      (rv = async_session_set_double(s, ASYNC_SESSION_IDLE_TIMEOUT, 600)) < 0 ||
      (cacert != NULL &&
       (rv = async_session_set_str(s, ASYNC_SESSION_CA_FILE, cacert)) < 0))
    die("setting the session's options", rv);
  return s;
}

int main(int argc, char **argv) {
  long count = DEFAULT_COUNT, base_kb, idle_kb, trimmed_kb;
  const char *url = NULL, *cacert = NULL;
  int insecure = 0, rv;
  idle_state_t state;
  async_session_t *session;
  async_request_t *request = NULL;
  int64_t opened = 0, open_now = 0;
  double per, per_trimmed;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      count = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
      cacert = argv[++i];
    else if (strcmp(argv[i], "-k") == 0)
      insecure = 1;
    else if (argv[i][0] != '-' && url == NULL)
      url = argv[i];
    else
      return usage();
  }
  if (url == NULL || count < 2)
    return usage();
  raise_fd_limit(count);

  memset(&state, 0, sizeof(state));
  if ((rv = async_loop_new(&state.loop)) < 0)
    die("async_loop_new", rv);
  session = make_session(state.loop, count, cacert, insecure);
  if ((rv = async_request_new(&request, "GET", url)) < 0)
    die(url, rv);

  fetch(session, request, 1, &state);
  malloc_trim(0);
  base_kb = bench_status_kb("VmRSS");

  /* One of these takes the idle connection; the others open their own. */
  fetch(session, request, count, &state);
  async_session_stats(session, &opened, &open_now);
  idle_kb = bench_status_kb("VmRSS");
  malloc_trim(0);
  trimmed_kb = bench_status_kb("VmRSS");

  per = (double)(idle_kb - base_kb) * 1024.0 / (double)(count - 1);
  per_trimmed = (double)(trimmed_kb - base_kb) * 1024.0 / (double)(count - 1);
  printf("idle_connections: %ld keep-alive connections to %s\n", count, url);
  printf("  requests       %ld, %ld failed\n", state.done, state.failed);
  if (state.failed > 0)
    printf("  first error    %s: %s\n", async_err_name(state.first_error),
           state.first_message);
  printf("  connections    %lld opened, %lld open and idle\n",
         (long long)opened, (long long)open_now);
  printf("  RSS            %ld KiB with 1 idle, %ld KiB with %lld "
         "(%ld KiB after malloc_trim)\n",
         base_kb, idle_kb, (long long)open_now, trimmed_kb);
  printf("  per connection %.0f bytes (%.2f KiB); %.0f bytes (%.2f KiB) "
         "after malloc_trim\n",
         per, per / 1024.0, per_trimmed, per_trimmed / 1024.0);
  printf("RESULT connections=%lld errors=%ld base_kb=%ld idle_kb=%ld "
         "idle_trimmed_kb=%ld bytes_per_conn=%.0f "
         "bytes_per_conn_trimmed=%.0f\n",
         (long long)open_now, state.failed, base_kb, idle_kb, trimmed_kb, per,
         per_trimmed);
  fflush(stdout);

  async_request_release(request);
  async_session_close(session);
  async_session_release(session);
  async_loop_close(state.loop);
  async_loop_release(state.loop);
  return state.failed == 0 && open_now >= count ? 0 : 1;
}
