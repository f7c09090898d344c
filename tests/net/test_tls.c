/*
 * TLS against nginx with certificates made at test time: verification
 * (each way a certificate can be wrong), verification off, a TLS client
 * on a plain port, session resumption and client certificates.
 */
#include "dial_helpers.h"

typedef struct tls_case {
  async_loop_t *loop;
  async_resolver_t *resolver;
} tls_case_t;

static tls_case_t open_case(void)
{
  tls_case_t c;

  c.loop = net_loop();
  c.resolver = net_resolver(c.loop, "ASYNC_TEST_DNSSCRIPT_PORT");
  return c;
}

static void close_case(tls_case_t *c)
{
  async_resolver_release(c->resolver);
  net_finish(c->loop);
}

static dialed_t dial_tls(tls_case_t *c, const char *host, const char *port_env,
                         async__tls_t *tls)
{
  return dial(c->loop, c->resolver, host, ts_env_int(port_env), tls, 10);
}

static void expect_cert_error(dialed_t *d, const char *reason)
{
  cr_assert_eq(d->err, ASYNC_ECERT, "%s: %s", async_err_name(d->err),
               d->message);
  cr_assert_null(d->stream);
  cr_assert(strstr(d->message, reason) != NULL, "'%s' lacks '%s'", d->message,
            reason);
}

Test(tls, valid_certificate_with_the_test_ca, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_PORT", tls);
  exchange_t x;

  cr_assert_eq(d.err, 0, "%s", d.message);
  cr_assert_geq(d.times.tls, d.times.connect);
  cr_assert_str_eq(async__stream_alpn(d.stream), "http/1.1");
  http_get(c.loop, d.stream, "/", &x);
  cr_assert(strncmp(x.response, "HTTP/1.1 200", 12) == 0, "%s", x.response);
  cr_assert(strstr(x.response, "hello from nginx") != NULL);
  cr_assert_eq(x.end_err, 0, "nginx ends with close_notify");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, ip_literal_is_checked_against_the_certificate, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t ok = dial_tls(&c, "127.0.0.1", "ASYNC_TEST_HTTPS_PORT", tls);
  dialed_t bad = dial_tls(&c, "127.0.0.1", "ASYNC_TEST_HTTPS_WRONGHOST_PORT",
                          tls);

  cr_assert_eq(ok.err, 0, "%s", ok.message);
  async__stream_close(ok.stream);
  expect_cert_error(&bad, "mismatch");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, expired_certificate, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_EXPIRED_PORT", tls);

  expect_cert_error(&d, "expired");
  cr_assert(strstr(d.message, "localhost") != NULL, "%s", d.message);
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, wrong_host_name, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t d =
      dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_WRONGHOST_PORT", tls);

  expect_cert_error(&d, "hostname mismatch");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, self_signed_certificate, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t d =
      dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_SELFSIGNED_PORT", tls);

  expect_cert_error(&d, "self-signed");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, unknown_ca, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_OTHER_CA"), 1, NULL, NULL);
  dialed_t d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_PORT", tls);

  expect_cert_error(&d, "local issuer");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, system_store_does_not_trust_the_test_ca, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(NULL, 1, NULL, NULL);
  dialed_t d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_PORT", tls);

  expect_cert_error(&d, "local issuer");
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, verification_off_accepts_any_certificate, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(NULL, 0, NULL, NULL);
  const char *ports[] = {"ASYNC_TEST_HTTPS_SELFSIGNED_PORT",
                         "ASYNC_TEST_HTTPS_EXPIRED_PORT",
                         "ASYNC_TEST_HTTPS_WRONGHOST_PORT"};
  int i;

  for (i = 0; i < 3; i++) {
    dialed_t d = dial_tls(&c, "localhost", ports[i], tls);
    exchange_t x;
    cr_assert_eq(d.err, 0, "%s: %s", ports[i], d.message);
    http_get(c.loop, d.stream, "/", &x);
    cr_assert(strncmp(x.response, "HTTP/1.1 200", 12) == 0, "%s", x.response);
  }
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, plain_http_port_is_a_handshake_failure, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTP_PORT", tls);

  cr_assert_eq(d.err, ASYNC_ETLS, "%s: %s", async_err_name(d.err), d.message);
  cr_assert(strstr(d.message, "TLS handshake with localhost failed") != NULL,
            "%s", d.message);
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, second_connection_resumes_the_session, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  dialed_t first = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_PORT", tls);
  dialed_t second;
  exchange_t x;

  cr_assert_eq(first.err, 0, "%s", first.message);
  cr_assert_eq(async__stream_resumed(first.stream), 0);
  /* TLS 1.3 tickets come after the handshake: read a reply first. */
  http_get(c.loop, first.stream, "/", &x);
  second = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_PORT", tls);
  cr_assert_eq(second.err, 0, "%s", second.message);
  cr_assert_eq(async__stream_resumed(second.stream), 1,
               "the second connection did a full handshake");
  http_get(c.loop, second.stream, "/", &x);
  cr_assert(strncmp(x.response, "HTTP/1.1 200", 12) == 0);
  async__tls_release(tls);
  close_case(&c);
}

Test(tls, client_certificate_required_by_nginx, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *without = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  async__tls_t *with =
      tls_context(ts_env("ASYNC_TEST_CA"), 1, ts_env("ASYNC_TEST_CLIENT_CERT"),
                  ts_env("ASYNC_TEST_CLIENT_KEY"));
  dialed_t d;
  exchange_t x;

  d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_CLIENT_PORT", without);
  cr_assert_eq(d.err, 0, "%s", d.message);
  http_get(c.loop, d.stream, "/", &x);
  cr_assert(strncmp(x.response, "HTTP/1.1 400", 12) == 0, "%s", x.response);

  d = dial_tls(&c, "localhost", "ASYNC_TEST_HTTPS_CLIENT_PORT", with);
  cr_assert_eq(d.err, 0, "%s", d.message);
  http_get(c.loop, d.stream, "/", &x);
  cr_assert(strncmp(x.response, "HTTP/1.1 200", 12) == 0, "%s", x.response);
  cr_assert(strstr(x.response, "client ok") != NULL, "%s", x.response);
  async__tls_release(without);
  async__tls_release(with);
  close_case(&c);
}

Test(tls, unreadable_files_are_named, .timeout = 30)
{
  async__tls_config_t bad_ca = {1, "/nonexistent/ca.pem", NULL, NULL, NULL};
  async__tls_config_t bad_cert = {1, NULL, NULL, "/nonexistent/cert.pem",
                                  NULL};
  async__tls_t *tls = NULL;
  char *error = NULL;

  cr_assert_eq(async__tls_new(&tls, &bad_ca, &error), ASYNC_ETLS);
  cr_assert(strstr(error, "/nonexistent/ca.pem") != NULL, "%s", error);
  free(error);
  cr_assert_eq(async__tls_new(&tls, &bad_cert, &error), ASYNC_ETLS);
  cr_assert(strstr(error, "/nonexistent/cert.pem") != NULL, "%s", error);
  free(error);
  cr_assert_null(tls);
}

Test(tls, closing_the_loop_mid_handshake_frees_everything, .timeout = 30)
{
  tls_case_t c = open_case();
  async__tls_t *tls = tls_context(ts_env("ASYNC_TEST_CA"), 1, NULL, NULL);
  async__dial_options_t options = {c.resolver, tls, 10, 0};
  async__dial_t *d;
  dialed_t result;

  memset(&result, 0, sizeof(result));
  d = async__dial_start(c.loop, "localhost",
                        ts_env_int("ASYNC_TEST_HTTPS_PORT"), &options,
                        on_dialed, &result);
  cr_assert_not_null(d);
  /* Let DNS and TCP finish; the handshake is under way. */
  for (int i = 0; i < 3 && !result.done; i++)
    async_loop_run(c.loop, ASYNC_RUN_NOWAIT);
  if (!result.done)
    async__dial_cancel(d);
  else
    async__stream_close(result.stream);
  async__tls_release(tls);
  close_case(&c);
}
