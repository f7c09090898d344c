/*
 * libasync — shared definitions of the public headers: the export macro,
 * the deprecation attribute and the C linkage guards.
 *
 * Include <libasync.h> rather than this file.
 */
#ifndef LIBASYNC_COMMON_H
#define LIBASYNC_COMMON_H

#include <stddef.h>
#include <stdint.h>

/*
 * ASYNC_EXTERN marks every exported function. The library is built with
 * hidden visibility, so only what carries this macro (and is listed in the
 * linker version script) is part of the ABI. Define ASYNC_STATIC when
 * linking the static library on Windows.
 */
#if defined(_WIN32) && !defined(ASYNC_STATIC)
#if defined(ASYNC_BUILDING_LIBRARY)
#define ASYNC_EXTERN __declspec(dllexport)
#else
#define ASYNC_EXTERN __declspec(dllimport)
#endif
#elif defined(__GNUC__) && !defined(ASYNC_STATIC)
#define ASYNC_EXTERN __attribute__((visibility("default")))
#else
#define ASYNC_EXTERN
#endif

/* Marks a function kept for the SONAME's life, naming its replacement. */
#if defined(__GNUC__)
#define ASYNC_DEPRECATED_FOR(f) __attribute__((deprecated("use " #f)))
#else
#define ASYNC_DEPRECATED_FOR(f)
#endif

#ifdef __cplusplus
#define ASYNC_BEGIN_DECLS extern "C" {
#define ASYNC_END_DECLS }
#else
#define ASYNC_BEGIN_DECLS
#define ASYNC_END_DECLS
#endif

/* The opaque handles. Each is reference counted; see its header. */
typedef struct async_loop async_loop_t;
typedef struct async_future async_future_t;

/*
 * A task: a function the loop (or a worker thread) runs for a future.
 * It returns 0 and may set *result, which becomes the future's value (the
 * library never frees it), or returns a negative async_err_t, which fails
 * the future with that code. *result is NULL on entry.
 */
typedef int (*async_task_fn)(void *arg, void **result);

/*
 * A timeout, in seconds, long enough to mean "no timeout" (about 3e292
 * years). Every function that takes a timeout accepts it.
 */
#define ASYNC_FOREVER 1e300

#endif /* LIBASYNC_COMMON_H */
