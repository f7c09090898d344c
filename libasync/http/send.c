/* Sending: the public forms, the conveniences, and fetch-many. */
#include "http/session.h"

#include <libasync/error.h>

#include <string.h>

#include "core/alloc.h"

ASYNC_EXTERN int async_session_send(async_session_t *session,
                                    async_request_t *request,
                                    async_future_t **out) {
  if (out == NULL)
    return ASYNC_EINVAL;
  return async__exchange_submit(session, request, NULL, NULL, out);
}

ASYNC_EXTERN int async_session_send_cb(async_session_t *session,
                                       async_request_t *request,
                                       async_response_cb cb, void *userdata) {
  if (cb == NULL)
    return ASYNC_EINVAL;
  return async__exchange_submit(session, request, cb, userdata, NULL);
}

static int simple(async_session_t *session, const char *method,
                  const char *url, const void *body, size_t len, int has_body,
                  async_future_t **out) {
  async_request_t *r = NULL;
  int rv;

  if (session == NULL || out == NULL)
    return ASYNC_EINVAL;
  if ((rv = async_request_new(&r, method, url)) < 0)
    return rv;
  if (has_body && (body != NULL || len > 0))
    rv = async_request_set_body(r, body, len);
  if (rv == 0)
    rv = async_session_send(session, r, out);
  async_request_release(r);
  return rv;
}

ASYNC_EXTERN int async_http_get(async_session_t *s, const char *url,
                                async_future_t **out) {
  return simple(s, "GET", url, NULL, 0, 0, out);
}

ASYNC_EXTERN int async_http_head(async_session_t *s, const char *url,
                                 async_future_t **out) {
  return simple(s, "HEAD", url, NULL, 0, 0, out);
}

ASYNC_EXTERN int async_http_delete(async_session_t *s, const char *url,
                                   async_future_t **out) {
  return simple(s, "DELETE", url, NULL, 0, 0, out);
}

ASYNC_EXTERN int async_http_options(async_session_t *s, const char *url,
                                    async_future_t **out) {
  return simple(s, "OPTIONS", url, NULL, 0, 0, out);
}

ASYNC_EXTERN int async_http_post(async_session_t *s, const char *url,
                                 const void *body, size_t len,
                                 async_future_t **out) {
  return simple(s, "POST", url, body, len, 1, out);
}

ASYNC_EXTERN int async_http_put(async_session_t *s, const char *url,
                                const void *body, size_t len,
                                async_future_t **out) {
  return simple(s, "PUT", url, body, len, 1, out);
}

ASYNC_EXTERN int async_http_patch(async_session_t *s, const char *url,
                                  const void *body, size_t len,
                                  async_future_t **out) {
  return simple(s, "PATCH", url, body, len, 1, out);
}
