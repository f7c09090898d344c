#include <libasync/error.h>

#define ASYNC_ERR_TEXT_CASE(name, value, exit_status, text)                    \
  case ASYNC_##name:                                                           \
    return text;
#define ASYNC_ERR_NAME_CASE(name, value, exit_status, text)                    \
  case ASYNC_##name:                                                           \
    return "ASYNC_" #name;
#define ASYNC_ERR_EXIT_CASE(name, value, exit_status, text)                    \
  case ASYNC_##name:                                                           \
    return exit_status;

ASYNC_EXTERN const char *async_strerror(int err) {
  if (err == 0)
    return "success";
  switch (err) { ASYNC_ERRNO_MAP(ASYNC_ERR_TEXT_CASE) }
  return "unknown error";
}

ASYNC_EXTERN const char *async_err_name(int err) {
  if (err == 0)
    return "ASYNC_OK";
  switch (err) { ASYNC_ERRNO_MAP(ASYNC_ERR_NAME_CASE) }
  return "ASYNC_EUNKNOWN";
}

ASYNC_EXTERN int async_err_exit_code(int err) {
  if (err == 0)
    return 0;
  switch (err) { ASYNC_ERRNO_MAP(ASYNC_ERR_EXIT_CASE) }
  return 1;
}
