/*
 * Byte streams: back-pressure (plain and TLS, whose decrypted bytes no
 * socket event announces), half-close, and a peer that resets the
 * connection (an error, never SIGPIPE).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial_helpers.h"

/* Reads a response body of a known size, pausing after the first chunk. */
typedef struct paced {
  async__stream_t *stream;
  size_t received;
  int chunks;
  int paused;
  int ended;
  int end_err;
} paced_t;

static void paced_data(async__stream_t *s, const char *data, size_t len,
                       void *userdata)
{
  paced_t *p = userdata;

  (void)data;
  cr_assert_eq(p->paused, 0, "data arrived while reading was stopped");
  p->received += len;
  if (p->chunks++ == 0) {
    p->paused = 1;
    async__stream_read_stop(s);
  }
}

static void paced_end(async__stream_t *s, int err, const char *message,
                      void *userdata)
{
  paced_t *p = userdata;

  (void)s;
  (void)message;
  p->ended = 1;
  p->end_err = err;
}

static const async__stream_handler_t paced_handler = {paced_data, paced_end,
                                                      NULL};

static void download_with_a_pause(async__tls_t *tls, const char *port_env)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  dialed_t d = dial(loop, r, "localhost", ts_env_int(port_env), tls, 10);
  const char *request = "GET /1m.bin HTTP/1.1\r\nHost: localhost\r\n"
                        "Connection: close\r\n\r\n";
  paced_t p;
  double until;

  cr_assert_eq(d.err, 0, "%s", d.message);
  memset(&p, 0, sizeof(p));
  async__stream_set_handler(d.stream, &paced_handler, &p);
  cr_assert_eq(async__stream_write(d.stream, request, strlen(request)), 0);
  async__stream_read_start(d.stream);
  until = net_now() + 10;
  while (p.chunks == 0 && net_now() < until)
    async_loop_run(loop, ASYNC_RUN_ONCE);
  cr_assert_eq(p.chunks, 1);
  /* Paused: the loop runs, the bytes wait in the kernel (or in TLS). */
  until = net_now() + 0.1;
  while (net_now() < until)
    async_loop_run(loop, ASYNC_RUN_NOWAIT);
  cr_assert_eq(p.chunks, 1, "reading did not stop");
  p.paused = 0;
  async__stream_read_start(d.stream);
  net_run_until_flag(loop, &p.ended, 20);
  cr_assert_eq(p.end_err, 0);
  cr_assert_gt(p.received, 1024 * 1024, "got %zu bytes", p.received);
  async__stream_close(d.stream);
  async_resolver_release(r);
  net_finish(loop);
}

Test(stream, plain_reading_stops_and_resumes, .timeout = 30)
{
  download_with_a_pause(NULL, "ASYNC_TEST_HTTP_PORT");
}

Test(stream, tls_reading_stops_and_resumes, .timeout = 30)
{
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);

  download_with_a_pause(tls, "ASYNC_TEST_HTTPS_PORT");
  async__tls_release(tls);
}

/* A listener of the test's own, to see what the stream sends. */
static int listen_local(int *port)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  cr_assert_eq(listen(fd, 4), 0);
  getsockname(fd, (struct sockaddr *)&sa, &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

Test(stream, shutdown_sends_what_was_written_then_fin, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  int port, listener = listen_local(&port), peer;
  dialed_t d = dial(loop, r, "127.0.0.1", port, NULL, 5);
  char buf[64];
  size_t got = 0;
  ssize_t n;

  cr_assert_eq(d.err, 0, "%s", d.message);
  peer = accept(listener, NULL, NULL);
  cr_assert_geq(peer, 0);
  cr_assert_eq(async__stream_write(d.stream, "hello", 5), 0);
  async__stream_shutdown(d.stream);
  async_loop_run(loop, ASYNC_RUN_NOWAIT);
  while ((n = recv(peer, buf + got, sizeof(buf) - got, 0)) > 0)
    got += (size_t)n;
  cr_assert_eq(n, 0, "no FIN after the bytes");
  cr_assert_eq(got, 5);
  cr_assert(memcmp(buf, "hello", 5) == 0);
  close(peer);
  close(listener);
  async__stream_close(d.stream);
  async_resolver_release(r);
  net_finish(loop);
}

Test(stream, peer_reset_is_an_error_not_sigpipe, .timeout = 30)
{
  async_loop_t *loop = net_loop();
  async_resolver_t *r = net_resolver(loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  int port, listener = listen_local(&port), peer;
  struct linger hard = {1, 0};
  dialed_t d = dial(loop, r, "127.0.0.1", port, NULL, 5);
  static char block[65536];
  exchange_t x;
  int i, rv = 0;

  cr_assert_eq(d.err, 0, "%s", d.message);
  peer = accept(listener, NULL, NULL);
  setsockopt(peer, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  close(peer); /* RST */
  memset(&x, 0, sizeof(x));
  async__stream_set_handler(d.stream, &exchange_handler, &x);
  async__stream_read_start(d.stream);
  /* Writing into a reset connection raises SIGPIPE unless every send
   * says MSG_NOSIGNAL; this process would die of it. */
  for (i = 0; i < 64 && rv == 0 && !x.ended; i++) {
    rv = async__stream_write(d.stream, block, sizeof(block));
    async_loop_run(loop, ASYNC_RUN_NOWAIT);
  }
  net_run_until_flag(loop, &x.ended, 5);
  cr_assert(x.end_err == ASYNC_ESEND || x.end_err == ASYNC_ERECV,
            "ended with %s", async_err_name(x.end_err));
  async__stream_close(d.stream);
  close(listener);
  async_resolver_release(r);
  net_finish(loop);
}
