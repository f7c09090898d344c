/*
 * libasync — asynchronous I/O for C and every language that can load a
 * shared library: an event loop, futures and tasks, timers, and (as the
 * library grows) asynchronous DNS, TLS and an HTTP/1.1 client.
 *
 * This umbrella header includes every public module. The API is documented
 * in each module's header, where every function is declared:
 *
 *   libasync/version.h  versions and run-time capabilities
 *   libasync/error.h    error codes (async_err_t)
 *   libasync/loop.h     the event loop, tasks and the worker pool
 *   libasync/future.h   futures, promises, sleep, gather, wait, task groups
 *   libasync/net.h      asynchronous DNS: resolvers and address lists
 *   libasync/http.h     the HTTP/1.1 client: sessions, requests, responses
 *
 * Link with `pkg-config --cflags --libs libasync`, or in CMake with
 * find_package(libasync) and the target libasync::async.
 */
#ifndef LIBASYNC_H
#define LIBASYNC_H

#include "libasync/common.h"
#include "libasync/version.h"
#include "libasync/error.h"
#include "libasync/loop.h"
#include "libasync/future.h"
#include "libasync/net.h"
#include "libasync/http.h"

#endif /* LIBASYNC_H */
