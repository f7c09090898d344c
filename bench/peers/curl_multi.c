/*
 * curl_multi — the libcurl peer of asyncbench, for bench/compare.sh.
 *
 *   curl_multi [-c CONNECTIONS] [-n REQUESTS | -d SECONDS]
 *              [--cacert FILE] [-k] URL
 *
 * libcurl used the way a program that wants throughput uses it: the multi
 * interface driven by curl_multi_socket_action() from an epoll loop (no
 * O(connections) poll() per wake-up), CONNECTIONS easy handles made once,
 * HTTP/1.1 with keep-alive, bodies counted and discarded, the request
 * wrk sends (no Accept header: libcurl's only default). When a transfer
 * completes its handle is removed and added again, which restarts it on
 * the same options and takes an idle connection from the multi's cache,
 * so CONNECTIONS requests stay in flight on CONNECTIONS connections.
 *
 * Prints requests/s, errors by CURLcode, bytes, the CPU time spent in the
 * request phase (getrusage) per request, the peak RSS (VmHWM), and last
 *   RESULT requests=OK errors=FAILED wall_s=W cpu_us_per_req=C rss_kb=R
 *     non2xx=N bytes=B
 * Exits 0 when every request succeeded, 1 otherwise, 2 on a bad command
 * line.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../common/proc_status.h"

#define MAX_EVENTS 256
#define CODES 128 /* CURLcode values counted one by one */

typedef struct options {
  long connections;
  long long requests; /* 0: run for duration */
  double duration;
  const char *cacert;
  int insecure;
  const char *url;
} options_t;

typedef struct bench {
  CURLM *multi;
  int epfd;
  double expire_at; /* when libcurl's timer fires (now_s); -1: none */
  long long limit, started, ok, failed, non2xx;
  unsigned long long bytes;
  long long errors[CODES];
  long active; /* handles with a transfer in flight */
  int stopping;
  double deadline;
  struct curl_slist *headers; /* "Accept:": no Accept header */
} bench_t;

static double now_s(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}


static int usage(const char *problem) {
  if (problem != NULL)
    fprintf(stderr, "curl_multi: %s\n", problem);
  fprintf(stderr, "usage: curl_multi [-c CONNECTIONS] [-n REQUESTS | -d "
                  "SECONDS] [--cacert FILE] [-k] URL\n");
  return 2;
}

static int parse(options_t *o, int argc, char **argv) {
  int i;

  o->connections = 10;
  o->requests = 0;
  o->duration = 10;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (strcmp(a, "-k") == 0 || strcmp(a, "--insecure") == 0) {
      o->insecure = 1;
      continue;
    }
    if (a[0] != '-') {
      if (o->url != NULL)
        return usage("one URL only");
      o->url = a;
      continue;
    }
    if (v == NULL)
      return usage("option needs an argument");
    i++;
    if (strcmp(a, "-c") == 0) {
      o->connections = atol(v);
    } else if (strcmp(a, "-n") == 0) {
      o->requests = atoll(v);
      o->duration = 0;
    } else if (strcmp(a, "-d") == 0) {
      o->duration = atof(v);
      o->requests = 0;
    } else if (strcmp(a, "--cacert") == 0) {
      o->cacert = v;
    } else {
      return usage("unknown option");
    }
  }
  if (o->url == NULL || o->connections < 1 ||
      (o->requests <= 0 && o->duration <= 0))
    return usage(o->url == NULL ? "no URL given" : "bad -c, -n or -d");
  return 0;
}

/* ---- libcurl's callbacks ---------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
  bench_t *b = userdata;

  (void)data;
  b->bytes += size * n;
  return size * n;
}

/* libcurl tells which sockets to watch for what: mirrored into epoll. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userdata,
                     void *socketp) {
  bench_t *b = userdata;
  struct epoll_event ev;

  (void)easy;
  (void)socketp;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(b->epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = fd;
  if (what & CURL_POLL_IN)
    ev.events |= EPOLLIN;
  if (what & CURL_POLL_OUT)
    ev.events |= EPOLLOUT;
  if (epoll_ctl(b->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
    epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
  return 0;
}

/* libcurl's one timer: a single-shot deadline, replaced by each call. */
static int on_timer(CURLM *multi, long timeout_ms, void *userdata) {
  bench_t *b = userdata;

  (void)multi;
  b->expire_at = timeout_ms < 0 ? -1 : now_s() + (double)timeout_ms / 1e3;
  return 0;
}

/* ---- the load --------------------------------------------------------- */

static CURL *make_handle(bench_t *b, const options_t *o) {
  CURL *e = curl_easy_init();

  if (e == NULL)
    return NULL;
  curl_easy_setopt(e, CURLOPT_URL, o->url);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, b->headers);
  if (o->cacert != NULL)
    curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
  if (o->insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  return e;
}

/* The handle is free: starts its next transfer, or retires it. */
static void start_next(bench_t *b, CURL *e) {
  if (!b->stopping && (b->limit == 0 || b->started < b->limit)) {
    b->started++;
    if (curl_multi_add_handle(b->multi, e) == CURLM_OK)
      return;
    fprintf(stderr, "curl_multi: curl_multi_add_handle failed\n");
    b->stopping = 1;
  }
  b->active--;
}

static void collect(bench_t *b) {
  CURLMsg *msg;
  int left;
  long status;

  while ((msg = curl_multi_info_read(b->multi, &left)) != NULL) {
    CURL *e = msg->easy_handle;
    CURLcode rc = msg->data.result;

    if (msg->msg != CURLMSG_DONE)
      continue;
    if (rc == CURLE_OK) {
      b->ok++;
      status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 400)
        b->non2xx++;
    } else {
      b->failed++;
      b->errors[(unsigned)rc < CODES ? (unsigned)rc : CODES - 1]++;
    }
    curl_multi_remove_handle(b->multi, e);
    start_next(b, e);
  }
}

/* Milliseconds until libcurl's timer fires (rounded up), at most 100. */
static int wait_ms(const bench_t *b) {
  double left;

  if (b->expire_at < 0)
    return 100;
  left = (b->expire_at - now_s()) * 1e3;
  return left <= 0 ? 0 : left >= 100 ? 100 : (int)left + 1;
}

/* One wait for events, then libcurl's work on them and on its timer. */
static void turn(bench_t *b) {
  struct epoll_event events[MAX_EVENTS];
  int n, i, running;

  n = epoll_wait(b->epfd, events, MAX_EVENTS, wait_ms(b));
  if (n > 0) {
    for (i = 0; i < n; i++) {
      int flags = 0;
      if (events[i].events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
      curl_multi_socket_action(b->multi, events[i].data.fd, flags, &running);
    }
  }
  if (b->expire_at >= 0 && now_s() >= b->expire_at) {
    /* The timer is single-shot: libcurl sets it again if it wants. */
    b->expire_at = -1;
    curl_multi_socket_action(b->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  collect(b);
  if (b->deadline > 0 && now_s() >= b->deadline)
    b->stopping = 1;
}

static void report(const options_t *o, const bench_t *b, double wall,
                   double cpu) {
  long long done = b->ok + b->failed;
  double us = done > 0 ? cpu * 1e6 / (double)done : 0;
  int i;

  printf("curl_multi (%s): %ld connections, %s\n", curl_version(),
         o->connections, o->url);
  printf("  requests      %lld ok, %lld failed in %.3f s\n", b->ok, b->failed,
         wall);
  printf("  requests/s    %.1f\n", wall > 0 ? (double)b->ok / wall : 0);
  printf("  received      %llu body bytes\n", b->bytes);
  printf("  CPU           %.3f s: %.2f us per request\n", cpu, us);
  printf("  peak RSS      %ld KiB\n", bench_status_kb("VmHWM"));
  for (i = 0; i < CODES; i++)
    if (b->errors[i] > 0)
      printf("  error         %s: %lld\n", curl_easy_strerror((CURLcode)i),
             b->errors[i]);
  printf("RESULT requests=%lld errors=%lld wall_s=%.6f cpu_us_per_req=%.3f "
         "rss_kb=%ld non2xx=%lld bytes=%llu\n",
         b->ok, b->failed, wall, us, bench_status_kb("VmHWM"), b->non2xx, b->bytes);
}

int main(int argc, char **argv) {
  options_t o;
  bench_t b;
  CURL **handles;
  double start, cpu0;
  long i;
  int rv;

  memset(&o, 0, sizeof(o));
  if ((rv = parse(&o, argc, argv)) != 0)
    return rv;
  memset(&b, 0, sizeof(b));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  b.multi = curl_multi_init();
  b.epfd = epoll_create1(EPOLL_CLOEXEC);
  b.expire_at = -1;
  b.limit = o.requests;
  b.headers = curl_slist_append(NULL, "Accept:");
  handles = calloc((size_t)o.connections, sizeof(*handles));
  if (b.multi == NULL || b.epfd < 0 || handles == NULL || b.headers == NULL) {
    fprintf(stderr, "curl_multi: could not set up libcurl\n");
    return 1;
  }
  curl_multi_setopt(b.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(b.multi, CURLMOPT_SOCKETDATA, &b);
  curl_multi_setopt(b.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(b.multi, CURLMOPT_TIMERDATA, &b);
  /* Keep every connection: the cache must hold one per handle. */
  curl_multi_setopt(b.multi, CURLMOPT_MAXCONNECTS, o.connections);
  for (i = 0; i < o.connections; i++)
    if ((handles[i] = make_handle(&b, &o)) == NULL) {
      fprintf(stderr, "curl_multi: curl_easy_init failed\n");
      return 1;
    }

  cpu0 = cpu_s();
  start = now_s();
  if (o.duration > 0)
    b.deadline = start + o.duration;
  b.active = o.connections;
  for (i = 0; i < o.connections; i++)
    start_next(&b, handles[i]);
  while (b.active > 0)
    turn(&b);
  report(&o, &b, now_s() - start, cpu_s() - cpu0);

  for (i = 0; i < o.connections; i++)
    curl_easy_cleanup(handles[i]);
  free(handles);
  curl_multi_cleanup(b.multi);
  curl_slist_free_all(b.headers);
  close(b.epfd);
  curl_global_cleanup();
  return b.failed > 0 ? 1 : 0;
}
