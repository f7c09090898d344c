/*
 * The response parser, sans-IO: scripted bytes fed in every possible
 * split (one piece, two pieces at each offset, byte by byte), with the
 * same outcome every time — the framing rules of RFC 9112 section 6.3
 * and the head's limits.
 */
#include <criterion/criterion.h>
#include <libasync.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/parser.h"

typedef struct outcome {
  int rv;        /* 1 complete, 0 needs more, < 0 error */
  int eof_rv;    /* after EOF when rv was 0 */
  int status;
  char body[4096];
  size_t body_len;
  size_t leftover; /* bytes after the response */
  char header[128];
  char head[16384]; /* reason, then every field, as "|name=value" */
} outcome_t;

static int on_head(async__parser_t *p, void *userdata) {
  outcome_t *o = userdata;
  const char *v = async__fields_get(p->response->fields,
                                    p->response->field_count, "X-Test");

  size_t i, n;

  o->status = p->response->status;
  snprintf(o->header, sizeof(o->header), "%s", v ? v : "");
  n = (size_t)snprintf(o->head, sizeof(o->head), "%s",
                       async_response_reason(p->response));
  for (i = 0; i < async_response_header_count(p->response); i++) {
    const char *name, *value;
    cr_assert_eq(async_response_header_at(p->response, i, &name, &value), 0);
    cr_assert_lt(n, sizeof(o->head));
    n += (size_t)snprintf(o->head + n, sizeof(o->head) - n, "|%s=%s", name,
                          value);
  }
  return 0;
}

static int on_body(async__parser_t *p, const char *data, size_t len,
                   void *userdata) {
  outcome_t *o = userdata;

  (void)p;
  cr_assert_leq(o->body_len + len, sizeof(o->body));
  memcpy(o->body + o->body_len, data, len);
  o->body_len += len;
  return 0;
}

static const async__parser_handler_t handler = {on_head, on_body};

/* Feeds `wire` cut at the given offsets (ascending, 0-terminated list
 * of cut points; NULL: byte by byte), then EOF if still incomplete. */
static outcome_t parse_cut(const char *wire, size_t len, const size_t *cuts,
                           int head_only, size_t max_head) {
  async__parser_t p;
  async_response_t *r = async__response_new();
  outcome_t o;
  size_t at = 0, used, next;
  int i = 0;

  memset(&o, 0, sizeof(o));
  async__parser_init(&p, r, head_only, max_head, 128, &handler, &o);
  o.rv = 0;
  while (at < len && o.rv == 0) {
    next = cuts ? (cuts[i] && cuts[i] < len ? cuts[i++] : len) : at + 1;
    o.rv = async__parser_feed(&p, wire + at, next - at, &used);
    if (o.rv == 1)
      o.leftover = (next - at - used) + (len - next);
    at = next;
  }
  o.eof_rv = o.rv == 0 ? async__parser_eof(&p) : o.rv;
  async__parser_free(&p);
  async_response_release(r);
  return o;
}

/* Every split gives what the whole gives. */
static outcome_t parse_all_ways(const char *wire, int head_only,
                                size_t max_head) {
  size_t len = strlen(wire), cut;
  outcome_t whole = parse_cut(wire, len, (size_t[]){0}, head_only, max_head);
  outcome_t bytes = parse_cut(wire, len, NULL, head_only, max_head);

  cr_assert_eq(bytes.eof_rv, whole.eof_rv, "byte by byte: %d vs %d",
               bytes.eof_rv, whole.eof_rv);
  for (cut = 1; cut < len; cut++) {
    size_t cuts[] = {cut, 0};
    outcome_t two = parse_cut(wire, len, cuts, head_only, max_head);
    cr_assert_eq(two.eof_rv, whole.eof_rv, "cut at %zu: %d vs %d", cut,
                 two.eof_rv, whole.eof_rv);
    cr_assert_eq(two.body_len, whole.body_len, "cut at %zu", cut);
    cr_assert(memcmp(two.body, whole.body, whole.body_len) == 0);
    cr_assert_eq(two.status, whole.status);
    cr_assert_str_eq(two.head, whole.head, "cut at %zu", cut);
    cr_assert_eq(two.leftover, whole.leftover, "cut at %zu", cut);
  }
  cr_assert_eq(bytes.body_len, whole.body_len);
  cr_assert_str_eq(bytes.head, whole.head, "byte by byte");
  return whole;
}

#define OK_HEAD "HTTP/1.1 200 OK\r\n"

Test(parser, content_length_body) {
  outcome_t o = parse_all_ways(OK_HEAD "Content-Length: 5\r\nX-Test: yes\r\n"
                                       "\r\nhello",
                               0, 65536);
  cr_assert_eq(o.rv, 1);
  cr_assert_eq(o.status, 200);
  cr_assert_str_eq(o.header, "yes");
  cr_assert_eq(o.body_len, 5);
  cr_assert(memcmp(o.body, "hello", 5) == 0);
  cr_assert_eq(o.leftover, 0);
}

Test(parser, every_field_and_the_reason_are_kept_in_order) {
  outcome_t o = parse_all_ways(
      "HTTP/1.1 200 All Fine Here\r\nServer: nginx\r\nX-Empty:\r\n"
      "Set-Cookie: a=1\r\nset-cookie: b=2\r\nX-Spaced:   padded value\r\n"
      "Content-Length: 2\r\n\r\nok",
      0, 65536);
  cr_assert_eq(o.rv, 1);
  cr_assert_str_eq(o.head, "All Fine Here|Server=nginx|X-Empty="
                           "|Set-Cookie=a=1|set-cookie=b=2"
                           "|X-Spaced=padded value|Content-Length=2");
}

Test(parser, no_reason_and_no_fields) {
  outcome_t bare = parse_all_ways("HTTP/1.1 200 \r\n\r\n", 0, 65536);
  outcome_t reason_only = parse_all_ways("HTTP/1.1 404 Gone\r\n\r\n", 0,
                                         65536);

  cr_assert_eq(bare.eof_rv, 1);
  cr_assert_str_eq(bare.head, "");
  cr_assert_eq(reason_only.status, 404);
  cr_assert_str_eq(reason_only.head, "Gone");
}

/* More fields than the parser counts inline, and a head longer than the
 * slices a saved head is parsed in. */
Test(parser, many_fields_and_a_long_head) {
  static char wire[16384];
  static char expected[16384];
  size_t n = 0, e = 0;
  int i;
  outcome_t *o = malloc(sizeof(*o));
  size_t cuts[] = {100, 5000, 9000, 0};

  n += (size_t)snprintf(wire + n, sizeof(wire) - n, OK_HEAD);
  e += (size_t)snprintf(expected + e, sizeof(expected) - e, "OK");
  for (i = 0; i < 60; i++) {
    n += (size_t)snprintf(wire + n, sizeof(wire) - n,
                          "X-Field-%d: %0*d\r\n", i, 100 + i, i);
    e += (size_t)snprintf(expected + e, sizeof(expected) - e,
                          "|X-Field-%d=%0*d", i, 100 + i, i);
  }
  n += (size_t)snprintf(wire + n, sizeof(wire) - n,
                        "Content-Length: 3\r\n\r\nend");
  e += (size_t)snprintf(expected + e, sizeof(expected) - e,
                        "|Content-Length=3");
  cr_assert_lt(n, sizeof(wire));
  cr_assert_lt(e, sizeof(expected));
  *o = parse_cut(wire, n, (size_t[]){0}, 0, 65536);
  cr_assert_eq(o->rv, 1);
  cr_assert_str_eq(o->head, expected);
  *o = parse_cut(wire, n, cuts, 0, 65536);
  cr_assert_eq(o->rv, 1);
  cr_assert_str_eq(o->head, expected);
  cr_assert_eq(o->body_len, 3);
  *o = parse_cut(wire, n, NULL, 0, 65536);
  cr_assert_str_eq(o->head, expected);
  free(o);
}

Test(parser, chunked_body_with_extensions_and_trailers) {
  outcome_t o = parse_all_ways(
      OK_HEAD "Transfer-Encoding: chunked\r\n\r\n"
              "5;name=x\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: t\r\n\r\n",
      0, 65536);
  cr_assert_eq(o.rv, 1);
  cr_assert_eq(o.body_len, 6);
  cr_assert(memcmp(o.body, "hello!", 6) == 0);
}

Test(parser, close_delimited_body_ends_at_eof) {
  outcome_t o = parse_all_ways(OK_HEAD "\r\nuntil the end", 0, 65536);
  cr_assert_eq(o.rv, 0);
  cr_assert_eq(o.eof_rv, 1);
  cr_assert_eq(o.body_len, 13);
}

Test(parser, head_204_304_have_no_body) {
  outcome_t head = parse_all_ways(OK_HEAD "Content-Length: 50\r\n\r\n", 1,
                                  65536);
  outcome_t no_content =
      parse_all_ways("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                     0, 65536);
  outcome_t not_modified = parse_all_ways(
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 0, 65536);

  cr_assert_eq(head.rv, 1);
  cr_assert_eq(head.body_len, 0);
  cr_assert_eq(no_content.rv, 1);
  cr_assert_eq(no_content.body_len, 0);
  cr_assert_eq(not_modified.rv, 1);
  cr_assert_eq(not_modified.body_len, 0);
}

Test(parser, informational_heads_are_skipped) {
  outcome_t o = parse_all_ways("HTTP/1.1 100 Continue\r\n\r\n"
                               "HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                               OK_HEAD "Content-Length: 2\r\n\r\nok",
                               0, 65536);
  cr_assert_eq(o.rv, 1);
  cr_assert_eq(o.status, 200);
  cr_assert_eq(o.body_len, 2);
}

Test(parser, bytes_after_the_response_are_left_over) {
  outcome_t o = parse_all_ways(OK_HEAD "Content-Length: 2\r\n\r\nokextra", 0,
                               65536);
  cr_assert_eq(o.rv, 1);
  cr_assert_eq(o.leftover, 5);
}

static void expect_error(const char *wire, int err) {
  outcome_t o = parse_all_ways(wire, 0, 65536);
  cr_assert_eq(o.eof_rv, err, "%s: got %d", wire, o.eof_rv);
}

Test(parser, framing_errors_are_protocol_errors) {
  expect_error("HTTP/1.1 abc OK\r\n\r\n", ASYNC_EPROTO);
  expect_error("SSH-2.0-hello\r\n", ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
               ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                       "\r\n5\r\nhello\r\n0\r\n\r\n",
               ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: -5\r\n\r\n", ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: +5\r\n\r\nhello", ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: 99999999999999999999999\r\n\r\n",
               ASYNC_EPROTO);
  expect_error(OK_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
               ASYNC_EPROTO);
  expect_error("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
               ASYNC_EPROTO);
  expect_error(OK_HEAD "Content-Length: 1x\r\n\r\n", ASYNC_EPROTO);
}

Test(parser, early_end_is_partial_and_nothing_is_empty) {
  outcome_t cut = parse_all_ways(OK_HEAD "Content-Length: 10\r\n\r\nabc", 0,
                                 65536);
  outcome_t chunk =
      parse_all_ways(OK_HEAD "Transfer-Encoding: chunked\r\n\r\n5\r\nhe", 0,
                     65536);
  outcome_t head = parse_all_ways("HTTP/1.1 200 O", 0, 65536);
  outcome_t none = parse_cut("", 0, (size_t[]){0}, 0, 65536);

  cr_assert_eq(cut.eof_rv, ASYNC_EPARTIAL);
  cr_assert_eq(chunk.eof_rv, ASYNC_EPARTIAL);
  cr_assert_eq(head.eof_rv, ASYNC_EPARTIAL);
  cr_assert_eq(none.eof_rv, ASYNC_EEMPTY);
}

Test(parser, head_larger_than_the_limit_is_too_large) {
  char wire[2048];
  outcome_t o;

  snprintf(wire, sizeof(wire), OK_HEAD "X-Big: %0600d\r\n\r\n", 0);
  o = parse_all_ways(wire, 0, 512);
  cr_assert_eq(o.eof_rv, ASYNC_ETOOLARGE);
  o = parse_all_ways(wire, 0, 4096);
  cr_assert_eq(o.eof_rv, 1, "under a larger limit it parses: got %d",
               o.eof_rv);
}

Test(parser, too_many_fields_is_too_large) {
  char wire[8192];
  size_t n = 0;
  int i;
  async__parser_t p;
  async_response_t *r = async__response_new();
  outcome_t o;
  size_t used;

  n += (size_t)snprintf(wire + n, sizeof(wire) - n, OK_HEAD);
  for (i = 0; i < 200; i++)
    n += (size_t)snprintf(wire + n, sizeof(wire) - n, "X-%d: v\r\n", i);
  n += (size_t)snprintf(wire + n, sizeof(wire) - n, "\r\n");
  memset(&o, 0, sizeof(o));
  async__parser_init(&p, r, 0, 65536, 128, &handler, &o);
  cr_assert_eq(async__parser_feed(&p, wire, n, &used), ASYNC_ETOOLARGE);
  cr_assert(strstr(p.message, "128") != NULL, "%s", p.message);
  async__parser_free(&p);
  async_response_release(r);
}
