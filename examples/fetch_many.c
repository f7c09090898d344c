/*
 * The seed's aiohttp examples in C: one GET whose body is printed, five
 * URLs fetched concurrently by five tasks, and five responses gathered in
 * order into a list.
 *
 * Usage: fetch_many [BASE_URL]
 *
 * BASE_URL (default http://127.0.0.1:8080/) plays the part of the seed's
 * "https://www.baidu.com/": the first part fetches it, the others fetch
 * url.format(i) for i in 0..4 with url = BASE_URL + "{}", that is
 * BASE_URL0 .. BASE_URL4. It prints, as the Python does:
 *
 *   b'hello from nginx\n'                    (the body, as Python bytes)
 *   Hello World:1536843566.0641490           (five times, as each arrives)
 *   Hello World:1536843488.6787790           (five times, as each arrives)
 *   [b'page 0\n', b'page 1\n', ...]          (the bodies, in order)
 *
 * Each part is headed by a line starting with "==". A request that fails
 * is reported on stderr and makes the exit status 1.
 *
 * The seed opens a ClientSession inside every call of hello(); aiohttp
 * recommends one session for the whole program, which is what this does:
 * the five concurrent requests then share its pool of connections.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libasync.h>

#define TASKS 5
#define DEFAULT_BASE "http://127.0.0.1:8080/"

/* Set when a request failed; the exit status. */
static int failed;

/* Ends the program on a library error, naming the call that failed. */
static void check(int rv, const char *call) {
  if (rv < 0) {
    fprintf(stderr, "fetch_many: %s: %s\n", call, async_strerror(rv));
    exit(1);
  }
}

/* Seconds since the epoch with fractions, like Python's time.time(). */
static double unix_time(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* print('Hello World:%s' % time.time()), flushed so a pipe sees it now. */
static void say_hello(void) {
  printf("Hello World:%.7f\n", unix_time());
  fflush(stdout);
}

/* Prints bytes as Python's repr() of a bytes object does: b'...', with
 * double quotes when the bytes hold a ' and no ". */
static void print_bytes(const char *data, size_t len) {
  char quote = memchr(data, '\'', len) && !memchr(data, '"', len) ? '"' : '\'';

  printf("b%c", quote);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];

    if (c == '\\' || c == (unsigned char)quote)
      printf("\\%c", c);
    else if (c == '\n')
      printf("\\n");
    else if (c == '\r')
      printf("\\r");
    else if (c == '\t')
      printf("\\t");
    else if (c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  putchar(quote);
}

/* url.format(i): the base URL with i in place of "{}". */
static char *url_format(const char *base, int i) {
  size_t size = strlen(base) + 16;
  char *url = malloc(size);

  if (url == NULL)
    check(ASYNC_ENOMEM, "malloc");
  snprintf(url, size, "%s%d", base, i);
  return url;
}

/* ---- (a) one GET --------------------------------------------------------- */

/*
 * async def hello(url):
 *     async with ClientSession() as session:
 *         async with session.get(url) as response:
 *             response = await response.read()
 *             print(response)
 *
 * loop.run_until_complete(hello(url))
 *
 * The seed passes its template itself, "{}" and all; here the base URL.
 */
static void fetch_one(async_loop_t *loop, async_session_t *session,
                      const char *url) {
  async_future_t *get = NULL;
  async_response_t *response;
  const char *body;
  size_t len;

  check(async_http_get(session, url, &get), "async_http_get");
  check(async_loop_run_until(loop, get), "async_loop_run_until");
  if (async_future_state(get) != ASYNC_DONE) {
    fprintf(stderr, "fetch_many: %s\n", async_future_message(get));
    failed = 1;
  } else {
    response = async_future_value(get);
    body = async_response_body(response, &len);
    print_bytes(body, len);
    putchar('\n');
  }
  async_future_release(get);
}

/* ---- the task: one running hello(url) ------------------------------------ */

/*
 * C has no coroutines, so hello() is cut in two at its `await`:
 * hello_start() sends the GET, and hello_resume() runs the rest when the
 * response has arrived. `done` is the promise that completes when hello()
 * returns — the task of asyncio.ensure_future, what asyncio.wait and
 * asyncio.gather wait for. Its value is the body, as hello() returns
 * `await response.read()`.
 */
struct hello_task {
  async_session_t *session;
  char *url;
  async_future_t *done;
  async_future_t *get; /* the GET being awaited */
};

/* A body of one task's, kept as the task's value. */
struct body {
  char *data;
  size_t len;
};

static void free_body(void *value) {
  struct body *body = value;

  free(body->data);
  free(body);
}

/*
 *             print('Hello World:%s' % time.time())
 *             return await response.read()
 */
static void hello_resume(async_future_t *get, void *userdata) {
  struct hello_task *task = userdata;
  async_response_t *response;
  struct body *body;
  const char *data;

  if (async_future_state(get) == ASYNC_CANCELLED) {
    check(async_future_cancel(task->done), "async_future_cancel");
    return;
  }
  if (async_future_state(get) != ASYNC_DONE) {
    check(async_future_reject(task->done, async_future_error(get),
                              async_future_message(get)),
          "async_future_reject");
    return;
  }
  say_hello();
  response = async_future_value(get);
  body = malloc(sizeof(*body));
  if (body == NULL)
    check(ASYNC_ENOMEM, "malloc");
  data = async_response_body(response, &body->len);
  body->data = malloc(body->len + 1);
  if (body->data == NULL)
    check(ASYNC_ENOMEM, "malloc");
  memcpy(body->data, data, body->len + 1);
  check(async_future_resolve(task->done, body, free_body),
        "async_future_resolve");
}

/*
 * async def hello(url):
 *     async with ClientSession() as session:
 *         async with session.get(url) as response:
 *
 * The first half of hello(): the GET is sent and its future gets a
 * callback that resumes the task; the loop meanwhile runs the others.
 */
static int hello_start(void *arg, void **result) {
  struct hello_task *task = arg;
  int rv;

  (void)result;
  rv = async_http_get(task->session, task->url, &task->get);
  if (rv == 0)
    rv = async_future_on_done(task->get, hello_resume, task);
  if (rv < 0) /* end the task, so that the wait below still ends */
    check(async_future_reject(task->done, rv, NULL), "async_future_reject");
  return rv;
}

/*
 * for i in range(5):
 *     task = asyncio.ensure_future(hello(url.format(i)))
 *     tasks.append(task)
 *
 * Each task starts on the loop's next step, as ensure_future schedules it.
 */
static void start_tasks(async_loop_t *loop, async_session_t *session,
                        const char *base, struct hello_task tasks[TASKS],
                        async_future_t *done[TASKS]) {
  for (int i = 0; i < TASKS; i++) {
    tasks[i] = (struct hello_task){session, url_format(base, i), NULL, NULL};
    check(async_future_new(&tasks[i].done, loop), "async_future_new");
    done[i] = tasks[i].done;
    check(async_loop_call_soon(loop, hello_start, &tasks[i], NULL),
          "async_loop_call_soon");
  }
}

/* Reports the tasks that failed; frees them all. */
static void end_tasks(struct hello_task tasks[TASKS]) {
  for (int i = 0; i < TASKS; i++) {
    if (async_future_state(tasks[i].done) != ASYNC_DONE) {
      /* The message names the URL. */
      fprintf(stderr, "fetch_many: %s\n", async_future_message(tasks[i].done));
      failed = 1;
    }
    async_future_release(tasks[i].get);
    async_future_release(tasks[i].done);
    free(tasks[i].url);
  }
}

/* ---- (b) five tasks, asyncio.wait ---------------------------------------- */

/*
 * def run():
 *     for i in range(5):
 *         task = asyncio.ensure_future(hello(url.format(i)))
 *         tasks.append(task)
 *
 * loop.run_until_complete(asyncio.wait(tasks))
 */
static void fetch_concurrently(async_loop_t *loop, async_session_t *session,
                               const char *base) {
  struct hello_task tasks[TASKS];
  async_future_t *done[TASKS], *all = NULL;

  start_tasks(loop, session, base, tasks, done);
  check(async_wait(loop, done, TASKS, ASYNC_ALL_COMPLETED, ASYNC_FOREVER, &all),
        "async_wait");
  check(async_loop_run_until(loop, all), "async_loop_run_until");
  async_future_release(all);
  end_tasks(tasks);
}

/* ---- (c) five tasks, asyncio.gather -------------------------------------- */

/*
 * def run():
 *     for i in range(5):
 *         task = asyncio.ensure_future(hello(url.format(i)))
 *         tasks.append(task)
 *     result = loop.run_until_complete(asyncio.gather(*tasks))
 *     print(result)
 *
 * gather's value is the tasks in the order given, whatever order they
 * completed in; each task's value is its body.
 */
static void fetch_gathered(async_loop_t *loop, async_session_t *session,
                           const char *base) {
  struct hello_task tasks[TASKS];
  async_future_t *done[TASKS], *all = NULL, **results;

  start_tasks(loop, session, base, tasks, done);
  check(async_gather(loop, done, TASKS, 0, &all), "async_gather");
  check(async_loop_run_until(loop, all), "async_loop_run_until");
  if (async_future_state(all) == ASYNC_DONE) {
    results = async_future_value(all);
    putchar('[');
    for (int i = 0; i < TASKS; i++) {
      struct body *body = async_future_value(results[i]);

      fputs(i ? ", " : "", stdout);
      print_bytes(body->data, body->len);
    }
    printf("]\n");
  } else {
    /* gather raises the first failure; let the others finish first. */
    async_future_t *rest = NULL;

    check(async_wait(loop, done, TASKS, ASYNC_ALL_COMPLETED, ASYNC_FOREVER,
                     &rest),
          "async_wait");
    check(async_loop_run_until(loop, rest), "async_loop_run_until");
    async_future_release(rest);
  }
  async_future_release(all);
  end_tasks(tasks);
}

int main(int argc, char **argv) {
  const char *base = argc > 1 ? argv[1] : DEFAULT_BASE;
  async_loop_t *loop = NULL;
  async_session_t *session = NULL;

  /* loop = asyncio.get_event_loop() */
  check(async_loop_new(&loop), "async_loop_new");
  /* async with ClientSession() as session: */
  check(async_session_new(&session, loop), "async_session_new");

  printf("== one GET, print(await response.read()): %s\n", base);
  fetch_one(loop, session, base);
  printf("== five tasks, asyncio.ensure_future + asyncio.wait: %s{0..4}\n",
         base);
  fflush(stdout);
  fetch_concurrently(loop, session, base);
  printf("== five tasks, asyncio.gather: %s{0..4}\n", base);
  fflush(stdout);
  fetch_gathered(loop, session, base);

  check(async_session_close(session), "async_session_close");
  async_session_release(session);
  /* loop.close() */
  check(async_loop_close(loop), "async_loop_close");
  async_loop_release(loop);
  return failed;
}
