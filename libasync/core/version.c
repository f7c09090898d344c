#include <libasync/version.h>

ASYNC_EXTERN const char *async_version(void) { return ASYNC_VERSION_STRING; }

ASYNC_EXTERN uint32_t async_version_number(void) { return ASYNC_VERSION_HEX; }

ASYNC_EXTERN int async_version_at_least(uint32_t hex) {
  /* A different major version breaks the ABI either way. */
  if ((hex >> 16) != ASYNC_VERSION_MAJOR)
    return 0;
  return ASYNC_VERSION_HEX >= hex;
}

ASYNC_EXTERN uint32_t async_features(void) {
  return ASYNC_FEATURE_THREADS | ASYNC_FEATURE_GUEST | ASYNC_FEATURE_DNS |
         ASYNC_FEATURE_TLS | ASYNC_FEATURE_HTTP | ASYNC_FEATURE_ZLIB;
}
