/*
 * libasync — error codes.
 *
 * Every function that can fail returns an int: 0 (or a count) on success,
 * a negative async_err_t on failure. A failed future carries one of these
 * codes (async_future_error) and a message naming what happened
 * (async_future_message). There is no thread-local "last error".
 *
 * The codes come from one table, ASYNC_ERRNO_MAP, which also yields their
 * names, their descriptions and the exit status that asyncfetch (like
 * curl) uses for each. Values are fixed: never renumbered, never reused.
 */
#ifndef LIBASYNC_ERROR_H
#define LIBASYNC_ERROR_H

#include "common.h"

/* X(NAME, value, exit status, description) */
#define ASYNC_ERRNO_MAP(X)                                                     \
  X(EINVAL, -1, 2, "invalid argument")                                         \
  X(ENOMEM, -2, 27, "out of memory")                                           \
  X(ECANCELLED, -3, 42, "operation cancelled")                                 \
  X(ETIMEDOUT, -4, 28, "operation timed out")                                  \
  X(ECLOSED, -5, 42, "loop or session is closed")                              \
  X(EURL, -6, 3, "malformed URL")                                              \
  X(ESCHEME, -7, 1, "unsupported URL scheme")                                  \
  X(EDNS, -8, 6, "could not resolve host")                                     \
  X(EPROXYDNS, -9, 5, "could not resolve proxy")                               \
  X(ECONNECT, -10, 7, "could not connect")                                     \
  X(ETLS, -11, 35, "TLS handshake failed")                                     \
  X(ECERT, -12, 60, "server certificate could not be verified")                \
  X(EPROTO, -13, 8, "invalid response from server")                            \
  X(EPARTIAL, -14, 18, "response body ended early")                            \
  X(EEMPTY, -15, 52, "server closed without sending anything")                 \
  X(ESEND, -16, 55, "sending failed")                                          \
  X(ERECV, -17, 56, "receiving failed")                                        \
  X(EREDIRECTS, -18, 47, "too many redirects")                                 \
  X(ETOOLARGE, -19, 63, "response exceeds a size limit")                       \
  X(EDECODE, -20, 61, "unknown or broken content encoding")                    \
  X(EIO, -21, 23, "local input or output failed")                              \
  X(EBUSY, -22, 43, "wrong thread or state for this call")

#define ASYNC_ERR_ENUM_ENTRY_(name, value, exit_status, text)                  \
  ASYNC_##name = value,

/* The error codes. ASYNC_OK (0) is success. */
typedef enum async_err {
  ASYNC_OK = 0,
  ASYNC_ERRNO_MAP(ASYNC_ERR_ENUM_ENTRY_)
  ASYNC_ERR_MIN_ = -23 /* one below the lowest code; not an error */
} async_err_t;

#undef ASYNC_ERR_ENUM_ENTRY_

ASYNC_BEGIN_DECLS

/*
 * A description of `err` in words ("operation timed out"); "success" for
 * 0 and "unknown error" for a value not in the table.
 * Returns a static string. Any thread.
 */
ASYNC_EXTERN const char *async_strerror(int err);

/*
 * The symbolic name of `err` ("ASYNC_ETIMEDOUT"); "ASYNC_OK" for 0 and
 * "ASYNC_EUNKNOWN" for a value not in the table.
 * Returns a static string. Any thread.
 */
ASYNC_EXTERN const char *async_err_name(int err);

/*
 * The exit status a command-line tool reports for `err`, using curl's
 * numbers (see asyncfetch(1)): 0 for 0, 1 for a value not in the table.
 * Any thread.
 */
ASYNC_EXTERN int async_err_exit_code(int err);

ASYNC_END_DECLS

#endif /* LIBASYNC_ERROR_H */
