"""The C API of libasync, one to one, through ctypes.

This module loads ``libasync.so.1`` (by its SONAME, or the file named by
the environment variable ``LIBASYNC_LIBRARY``), checks that it is recent
enough, and declares every exported function with its C prototype on
:data:`lib`, so ``capi.lib.async_loop_new(ctypes.byref(p))`` is the C call.
The names, constants and callback types are those of the headers
(``include/libasync/*.h``), without the ``ASYNC_`` prefix for constants.

On top of the raw functions it offers two thin wrappers for Python code
that wants the C model rather than aiohttp's:

* :class:`Loop` owns an ``async_loop_t`` (``new``, ``start_thread``,
  ``run``, ``close``, ``call_soon``, ``call_later``, ``run_in_thread``,
  ``sleep``, ``gather``, ``wait``, ``wait_for``, promises, the completion
  queue).
* :class:`Future` owns one reference to an ``async_future_t`` (``state``,
  ``error``, ``message``, ``value``, ``cancel``, ``wait``) and is awaitable
  inside a running asyncio loop: completion arrives through the loop's
  completion queue, on the asyncio thread.

:func:`running_loop` gives the :class:`Loop` that serves the running asyncio
loop (the one the HTTP client uses), so ``await capi.sleep(1)``,
``await capi.gather(...)`` and ``await capi.call_soon(fn)`` work there.

Callbacks: a C task function (``TASK_FN``) runs on the loop's thread. A
Python callable given to ``call_soon``/``call_later``/``run_in_thread`` is
wrapped in one and therefore runs on the library's thread (with the GIL
held by ctypes), not on the asyncio thread; keep it short, or resolve a
promise and await that instead.
"""

import asyncio
import ctypes
import os
import weakref
from ctypes import (CFUNCTYPE, POINTER, byref, c_char_p, c_double, c_int,
                    c_int64, c_size_t, c_uint32, c_void_p)

__all__ = [
    "lib", "pylib", "LIBRARY", "REQUIRED_VERSION", "LibasyncError", "check",
    "strerror", "err_name", "version", "version_number", "features",
    "Loop", "Future", "running_loop", "sleep", "gather", "call_soon",
    "call_later", "run_in_thread",
]

# ---- loading ---------------------------------------------------------------

#: The oldest library this binding was written for (0xMMmmpp).
REQUIRED_VERSION = 0x000100

#: What is loaded: LIBASYNC_LIBRARY if set, else the SONAME.
LIBRARY = os.environ.get("LIBASYNC_LIBRARY") or "libasync.so.1"


def _hex_text(hex_version):
    return "%d.%d.%d" % (hex_version >> 16, (hex_version >> 8) & 0xFF,
                         hex_version & 0xFF)


def _load():
    try:
        handle = ctypes.CDLL(LIBRARY)
    except OSError as exc:
        raise ImportError(
            "libasync: cannot load %s (%s). Install libasync (the shared "
            "library libasync.so.1), or set LIBASYNC_LIBRARY to the path of "
            "the library file." % (LIBRARY, exc)) from None
    try:
        at_least = handle.async_version_at_least
        at_least.restype = c_int
        at_least.argtypes = [c_uint32]
        handle.async_version.restype = c_char_p
        handle.async_version.argtypes = []
    except AttributeError:
        raise ImportError(
            "libasync: %s is not libasync, or is older than %s: it has no "
            "async_version_at_least()"
            % (LIBRARY, _hex_text(REQUIRED_VERSION))) from None
    if not at_least(REQUIRED_VERSION):
        raise ImportError(
            "libasync: %s is version %s; this binding needs version %s or "
            "newer with the same major version" % (
                LIBRARY, handle.async_version().decode(),
                _hex_text(REQUIRED_VERSION)))
    return handle


lib = _load()

# ---- constants (include/libasync/*.h) ---------------------------------------

FOREVER = 1e300

# version.h
FEATURE_THREADS = 1 << 0
FEATURE_GUEST = 1 << 1
FEATURE_DNS = 1 << 2
FEATURE_TLS = 1 << 3
FEATURE_HTTP = 1 << 4
FEATURE_ZLIB = 1 << 5

# error.h (ASYNC_ERRNO_MAP)
OK = 0
EINVAL = -1
ENOMEM = -2
ECANCELLED = -3
ETIMEDOUT = -4
ECLOSED = -5
EURL = -6
ESCHEME = -7
EDNS = -8
EPROXYDNS = -9
ECONNECT = -10
ETLS = -11
ECERT = -12
EPROTO = -13
EPARTIAL = -14
EEMPTY = -15
ESEND = -16
ERECV = -17
EREDIRECTS = -18
ETOOLARGE = -19
EDECODE = -20
EIO = -21
EBUSY = -22
ERR_MIN_ = -23

# loop.h
RUN_DEFAULT = 0
RUN_ONCE = 1
RUN_NOWAIT = 2
LOOP_WORKERS = 1

# future.h
PENDING = 0
DONE = 1
FAILED = 2
CANCELLED = 3
ALL_COMPLETED = 0
FIRST_COMPLETED = 1
FIRST_FAILED = 2
GATHER_RETURN_ERRORS = 1

# net.h
RESOLVER_ATTEMPTS = 10001
RESOLVER_CACHE_SIZE = 10002
RESOLVER_TIMEOUT = 20001
RESOLVER_TTL_MAX = 20002
RESOLVER_NEGATIVE_TTL = 20003
RESOLVER_SERVERS = 30001
RESOLVER_OVERRIDE = 30002
RESOLVE_IPV4 = 1
RESOLVE_IPV6 = 2
RESOLVE_NO_CACHE = 4

# http.h
SESSION_LIMIT = 10001
SESSION_LIMIT_PER_HOST = 10002
SESSION_MAX_REQUESTS_PER_CONNECTION = 10003
SESSION_FOLLOW_REDIRECTS = 10004
SESSION_MAX_REDIRECTS = 10005
SESSION_DECOMPRESS = 10006
SESSION_VERIFY_PEER = 10007
SESSION_MAX_HEADER_BYTES = 10008
SESSION_MAX_HEADER_FIELDS = 10009
SESSION_MAX_BODY_BYTES = 10010
SESSION_PROXY_FROM_ENV = 10011
SESSION_TIMEOUT = 20001
SESSION_CONNECT_TIMEOUT = 20002
SESSION_READ_TIMEOUT = 20003
SESSION_QUEUE_TIMEOUT = 20004
SESSION_IDLE_TIMEOUT = 20005
SESSION_MAX_CONNECTION_AGE = 20006
SESSION_USER_AGENT = 30001
SESSION_HEADER = 30002
SESSION_CA_FILE = 30003
SESSION_CA_DIR = 30004
SESSION_CERT_FILE = 30005
SESSION_KEY_FILE = 30006
SESSION_DNS_SERVERS = 30007
SESSION_RESOLVE = 30008
SESSION_PROXY = 30009
SESSION_NO_PROXY = 30010
TIME_QUEUE = 0
TIME_DNS = 1
TIME_CONNECT = 2
TIME_TLS = 3
TIME_FIRST_BYTE = 4
TIME_TOTAL = 5

# ---- callback types ---------------------------------------------------------

# Pointers cross as c_void_p (Python ints or None), data as c_void_p too so
# that ctypes does not stop at a NUL byte.
TASK_FN = CFUNCTYPE(c_int, c_void_p, POINTER(c_void_p))
FUTURE_CB = CFUNCTYPE(None, c_void_p, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p)
RESOLVE_CB = CFUNCTYPE(None, c_int, c_char_p, c_void_p, c_void_p)
RESPONSE_CB = CFUNCTYPE(None, c_void_p, c_int, c_char_p, c_void_p)
HEADERS_CB = CFUNCTYPE(None, c_void_p, c_void_p)
DATA_CB = CFUNCTYPE(None, c_void_p, c_void_p, c_size_t, c_void_p)
BODY_FN = CFUNCTYPE(c_int64, c_void_p, c_void_p, c_size_t)
FETCH_CB = CFUNCTYPE(None, c_size_t, c_void_p, c_void_p)

# ---- prototypes -------------------------------------------------------------

_P = c_void_p
_PP = POINTER(c_void_p)
_PROTOTYPES = {
    # version.h
    "async_version": (c_char_p, []),
    "async_version_number": (c_uint32, []),
    "async_version_at_least": (c_int, [c_uint32]),
    "async_features": (c_uint32, []),
    # error.h
    "async_strerror": (c_char_p, [c_int]),
    "async_err_name": (c_char_p, [c_int]),
    "async_err_exit_code": (c_int, [c_int]),
    # loop.h
    "async_loop_new": (c_int, [_PP]),
    "async_loop_retain": (_P, [_P]),
    "async_loop_release": (None, [_P]),
    "async_loop_set_userdata": (c_int, [_P, _P]),
    "async_loop_userdata": (_P, [_P]),
    "async_loop_run": (c_int, [_P, c_int]),
    "async_loop_run_until": (c_int, [_P, _P]),
    "async_loop_stop": (c_int, [_P]),
    "async_loop_start_thread": (c_int, [_P]),
    "async_loop_close": (c_int, [_P]),
    "async_loop_is_closed": (c_int, [_P]),
    "async_loop_set_int": (c_int, [_P, c_int, c_int64]),
    "async_loop_get_int": (c_int, [_P, c_int, POINTER(c_int64)]),
    "async_loop_now": (c_double, [_P]),
    "async_loop_backend_fd": (c_int, [_P]),
    "async_loop_next_timeout": (c_int, [_P, POINTER(c_double)]),
    "async_loop_completion_fd": (c_int, [_P]),
    "async_loop_drain": (c_int, [_P, POINTER(c_int64), c_size_t]),
    "async_loop_call_soon": (c_int, [_P, TASK_FN, _P, _PP]),
    "async_loop_call_later": (c_int, [_P, c_double, TASK_FN, _P, _PP]),
    "async_loop_run_in_thread": (c_int, [_P, TASK_FN, _P, _PP]),
    # future.h
    "async_future_new": (c_int, [_PP, _P]),
    "async_future_resolve": (c_int, [_P, _P, FREE_FN]),
    "async_future_reject": (c_int, [_P, c_int, c_char_p]),
    "async_future_retain": (_P, [_P]),
    "async_future_release": (None, [_P]),
    "async_future_state": (c_int, [_P]),
    "async_future_error": (c_int, [_P]),
    "async_future_message": (c_char_p, [_P]),
    "async_future_value": (_P, [_P]),
    "async_future_loop": (_P, [_P]),
    "async_future_set_userdata": (c_int, [_P, _P]),
    "async_future_userdata": (_P, [_P]),
    "async_future_on_done": (c_int, [_P, FUTURE_CB, _P]),
    "async_future_notify": (c_int, [_P, c_int64]),
    "async_future_wait": (c_int, [_P, c_double]),
    "async_future_cancel": (c_int, [_P]),
    "async_sleep": (c_int, [_P, c_double, _PP]),
    "async_gather": (c_int, [_P, _PP, c_size_t, c_uint32, _PP]),
    "async_wait": (c_int, [_P, _PP, c_size_t, c_int, c_double, _PP]),
    "async_wait_for": (c_int, [_P, c_double, _PP]),
    "async_group_new": (c_int, [_PP, _P]),
    "async_group_add": (c_int, [_P, _P]),
    "async_group_seal": (c_int, [_P]),
    # net.h
    "async_resolver_new": (c_int, [_PP, _P]),
    "async_resolver_retain": (_P, [_P]),
    "async_resolver_release": (None, [_P]),
    "async_resolver_set_int": (c_int, [_P, c_int, c_int64]),
    "async_resolver_set_double": (c_int, [_P, c_int, c_double]),
    "async_resolver_set_str": (c_int, [_P, c_int, c_char_p]),
    "async_resolver_resolve": (c_int, [_P, c_char_p, c_int, c_uint32, _PP]),
    "async_resolver_resolve_cb": (c_int, [_P, c_char_p, c_int, c_uint32,
                                          RESOLVE_CB, _P]),
    "async_resolve": (c_int, [_P, c_char_p, c_int, c_uint32, _PP]),
    "async_addrinfo_host": (c_char_p, [_P]),
    "async_addrinfo_count": (c_size_t, [_P]),
    "async_addrinfo_family": (c_int, [_P, c_size_t]),
    "async_addrinfo_address": (c_char_p, [_P, c_size_t]),
    "async_addrinfo_port": (c_int, [_P, c_size_t]),
    "async_addrinfo_ttl": (c_int64, [_P, c_size_t]),
    # http.h
    "async_session_new": (c_int, [_PP, _P]),
    "async_session_retain": (_P, [_P]),
    "async_session_release": (None, [_P]),
    "async_session_close": (c_int, [_P]),
    "async_session_set_int": (c_int, [_P, c_int, c_int64]),
    "async_session_set_double": (c_int, [_P, c_int, c_double]),
    "async_session_set_str": (c_int, [_P, c_int, c_char_p]),
    "async_session_option": (c_int, [c_char_p]),
    "async_session_option_name": (c_char_p, [c_int]),
    "async_session_stats": (c_int, [_P, POINTER(c_int64), POINTER(c_int64)]),
    "async_request_new": (c_int, [_PP, c_char_p, c_char_p]),
    "async_request_retain": (_P, [_P]),
    "async_request_release": (None, [_P]),
    "async_request_add_header": (c_int, [_P, c_char_p, c_char_p]),
    "async_request_set_body": (c_int, [_P, c_char_p, c_size_t]),
    "async_request_set_body_file": (c_int, [_P, c_char_p]),
    "async_request_set_body_producer": (c_int, [_P, BODY_FN, _P, c_int64]),
    "async_request_set_streaming": (c_int, [_P, HEADERS_CB, DATA_CB, _P]),
    "async_request_set_int": (c_int, [_P, c_int, c_int64]),
    "async_request_set_double": (c_int, [_P, c_int, c_double]),
    "async_request_set_str": (c_int, [_P, c_int, c_char_p]),
    "async_session_send": (c_int, [_P, _P, _PP]),
    "async_session_send_cb": (c_int, [_P, _P, RESPONSE_CB, _P]),
    "async_http_get": (c_int, [_P, c_char_p, _PP]),
    "async_http_head": (c_int, [_P, c_char_p, _PP]),
    "async_http_delete": (c_int, [_P, c_char_p, _PP]),
    "async_http_options": (c_int, [_P, c_char_p, _PP]),
    "async_http_post": (c_int, [_P, c_char_p, c_char_p, c_size_t, _PP]),
    "async_http_put": (c_int, [_P, c_char_p, c_char_p, c_size_t, _PP]),
    "async_http_patch": (c_int, [_P, c_char_p, c_char_p, c_size_t, _PP]),
    "async_http_fetch_many": (c_int, [_P, POINTER(c_char_p), c_size_t,
                                      c_size_t, c_size_t, FETCH_CB, _P, _PP]),
    "async_response_retain": (_P, [_P]),
    "async_response_release": (None, [_P]),
    "async_response_status": (c_int, [_P]),
    "async_response_reason": (c_char_p, [_P]),
    "async_response_version": (c_int, [_P]),
    "async_response_header": (c_char_p, [_P, c_char_p]),
    "async_response_header_count": (c_size_t, [_P]),
    "async_response_header_at": (c_int, [_P, c_size_t, POINTER(c_char_p),
                                         POINTER(c_char_p)]),
    "async_response_body": (c_void_p, [_P, POINTER(c_size_t)]),
    "async_response_url": (c_char_p, [_P]),
    "async_response_redirects": (c_int, [_P]),
    "async_response_time": (c_double, [_P, c_int]),
    "async_response_reused": (c_int, [_P]),
    "async_response_connections": (c_int, [_P]),
    "async_response_pause": (c_int, [_P]),
    "async_response_resume": (c_int, [_P]),
}

#: The same library through ctypes.PyDLL: its functions are called without
#: releasing the GIL, which saves a little on each call. Only for functions
#: that never wait for the loop's thread (which may itself wait for the GIL
#: in a streaming callback): not async_loop_run, async_loop_run_until,
#: async_loop_close, async_loop_release or async_future_wait.
pylib = ctypes.PyDLL(LIBRARY)

_BLOCKING = frozenset(("async_loop_run", "async_loop_run_until",
                       "async_loop_close", "async_loop_release",
                       "async_future_wait"))

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    for _handle in (lib, pylib):
        if _handle is pylib and _name in _BLOCKING:
            continue
        _fn = getattr(_handle, _name)
        _fn.restype = _restype
        _fn.argtypes = _argtypes
del _name, _restype, _argtypes, _fn, _handle

_features = lib.async_features()
_NEEDED = FEATURE_THREADS | FEATURE_HTTP
if _features & _NEEDED != _NEEDED:
    raise ImportError(
        "libasync: %s was built without threads or without the HTTP client "
        "(async_features() = %#x); this binding needs both" % (LIBRARY,
                                                               _features))

# ---- errors -----------------------------------------------------------------


def strerror(err):
    """async_strerror(err) as str."""
    return lib.async_strerror(err).decode()


def err_name(err):
    """async_err_name(err) as str ("ASYNC_ETIMEDOUT")."""
    return lib.async_err_name(err).decode()


def version():
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return lib.async_version().decode()


def version_number():
    """The loaded library's version as 0xMMmmpp."""
    return lib.async_version_number()


def features():
    """The ASYNC_FEATURE_* bits of the loaded library."""
    return lib.async_features()


class LibasyncError(Exception):
    """A libasync call failed. ``errno`` is the (negative) async_err_t,
    ``name`` its symbolic name, ``message`` what happened."""

    def __init__(self, errno, message=None):
        self.errno = errno
        self.name = err_name(errno)
        self.message = message or strerror(errno)
        super().__init__("%s: %s" % (self.name, self.message))


def check(rv):
    """Returns rv, or raises LibasyncError if it is a negative code."""
    if rv < 0:
        raise LibasyncError(rv)
    return rv


# ---- futures ----------------------------------------------------------------

_future_state = pylib.async_future_state
_future_error = pylib.async_future_error
_future_message = pylib.async_future_message
_future_value = pylib.async_future_value
_future_release = pylib.async_future_release
_future_cancel = pylib.async_future_cancel


def future_failure(ptr):
    """(code, message) of a completed future that is not ASYNC_DONE."""
    code = _future_error(ptr)
    message = _future_message(ptr)
    return code, (message.decode("utf-8", "replace") if message
                  else strerror(code))


class Future:
    """One reference to an async_future_t, released when this object is
    (or by :meth:`release`). Awaitable in the asyncio loop that
    :func:`running_loop` serves, when the future belongs to that loop:
    the result is :attr:`value` (a pointer as an int, or None);
    a failure raises :class:`LibasyncError`; cancelling the awaiting task
    cancels the C future."""

    __slots__ = ("_ptr", "_keep", "_transform", "__weakref__")

    def __init__(self, ptr, keep=None, transform=None):
        self._ptr = ptr
        # Objects C may still use (ctypes callbacks, arrays) live as long.
        self._keep = keep
        self._transform = transform

    @property
    def ptr(self):
        """The async_future_t * (borrowed), as an int."""
        return self._ptr

    def state(self):
        return _future_state(self._ptr)

    def done(self):
        return self.state() != PENDING

    def error(self):
        return _future_error(self._ptr)

    def message(self):
        message = _future_message(self._ptr)
        return message.decode("utf-8", "replace") if message else None

    def value(self):
        return _future_value(self._ptr)

    def cancel(self):
        return check(_future_cancel(self._ptr))

    def wait(self, timeout=None):
        """Blocks this thread until the future completes (another thread
        must drive its loop). Returns True if it completed in time."""
        rv = lib.async_future_wait(self._ptr,
                                   FOREVER if timeout is None else timeout)
        if rv == ETIMEDOUT:
            return False
        check(rv)
        return True

    def result(self):
        """The value if done; raises LibasyncError if failed or
        cancelled, or if still pending (ASYNC_EBUSY)."""
        state = self.state()
        if state == DONE:
            value = self.value()
            return self._transform(value) if self._transform else value
        if state == PENDING:
            raise LibasyncError(EBUSY, "the future is still pending")
        raise LibasyncError(*future_failure(self._ptr))

    def release(self):
        ptr, self._ptr = self._ptr, None
        self._keep = None
        if ptr:
            _future_release(ptr)

    def __del__(self):
        if self._ptr and _future_release is not None:
            _future_release(self._ptr)

    def __await__(self):
        from . import _runtime

        runtime = _runtime.get()
        if lib.async_future_loop(self._ptr) != runtime.loop.ptr:
            raise LibasyncError(EINVAL, "the future belongs to another loop "
                                "than the running asyncio loop's")
        waiter = _Waiter(runtime.aloop.create_future())
        runtime.watch(self._ptr, waiter)
        try:
            yield from waiter.future
        except asyncio.CancelledError:
            _future_cancel(self._ptr)
            raise
        return self.result()

    def __repr__(self):
        names = {PENDING: "pending", DONE: "done", FAILED: "failed",
                 CANCELLED: "cancelled"}
        if not self._ptr:
            return "<libasync.capi.Future released>"
        return "<libasync.capi.Future %s>" % names.get(self.state(), "?")


class _Waiter:
    """Completes an asyncio future when a C future completes."""

    __slots__ = ("future",)

    def __init__(self, future):
        self.future = future

    def _complete(self):
        if not self.future.done():
            self.future.set_result(None)


def _out_future(rv, out, keep=None, transform=None):
    check(rv)
    return Future(out.value, keep, transform)


# ---- loops ------------------------------------------------------------------


def _python_task(fn):
    """A TASK_FN running fn() on the loop's thread; an int or None result
    becomes the future's value, an exception fails it with ASYNC_EIO."""

    def task(arg, result):
        try:
            value = fn()
        except BaseException:  # noqa: B902 - nothing may cross into C
            return EIO
        if value is not None:
            result[0] = value
        return 0

    return TASK_FN(task)


class Loop:
    """An async_loop_t. ``Loop()`` makes a new one (async_loop_new);
    ``Loop(ptr, owned=False)`` wraps one without taking a reference.
    The reference is released with the object, or by :meth:`release`."""

    def __init__(self, ptr=None, owned=True):
        if ptr is None:
            out = c_void_p()
            check(lib.async_loop_new(byref(out)))
            ptr = out.value
        self.ptr = ptr
        self._owned = owned
        self._finalizer = (weakref.finalize(self, lib.async_loop_release, ptr)
                           if owned else None)
        if self._finalizer is not None:
            self._finalizer.atexit = False

    def release(self):
        """Drops the reference; the object is then unusable (its calls
        get NULL: ASYNC_EINVAL)."""
        if self._finalizer is not None:
            self._finalizer()
        self.ptr = None

    def start_thread(self):
        check(lib.async_loop_start_thread(self.ptr))

    def run(self, mode=RUN_DEFAULT):
        return check(lib.async_loop_run(self.ptr, mode))

    def run_until(self, future):
        check(lib.async_loop_run_until(self.ptr, future.ptr))
        return future.result()

    def stop(self):
        check(lib.async_loop_stop(self.ptr))

    def close(self):
        """Cancels everything pending and joins the runtime thread."""
        check(lib.async_loop_close(self.ptr))

    def is_closed(self):
        if self.ptr is None:
            return True
        return bool(check(lib.async_loop_is_closed(self.ptr)))

    def set_int(self, opt, value):
        check(lib.async_loop_set_int(self.ptr, opt, value))

    def get_int(self, opt):
        out = c_int64()
        check(lib.async_loop_get_int(self.ptr, opt, byref(out)))
        return out.value

    def now(self):
        return lib.async_loop_now(self.ptr)

    def backend_fd(self):
        return check(lib.async_loop_backend_fd(self.ptr))

    def next_timeout(self):
        out = c_double()
        check(lib.async_loop_next_timeout(self.ptr, byref(out)))
        return out.value

    def completion_fd(self):
        return check(lib.async_loop_completion_fd(self.ptr))

    def drain(self, max_tokens=256):
        """Pops up to max_tokens tokens of the completion queue."""
        tokens = (c_int64 * max_tokens)()
        n = check(lib.async_loop_drain(self.ptr, tokens, max_tokens))
        return tokens[:n]

    def _task(self, fn):
        return fn if isinstance(fn, TASK_FN) else _python_task(fn)

    def call_soon(self, fn, arg=None):
        """async_loop_call_soon: fn is a TASK_FN (called with arg) or a
        Python callable (called with no argument, on the loop's thread)."""
        task, out = self._task(fn), c_void_p()
        return _out_future(lib.async_loop_call_soon(self.ptr, task, arg,
                                                    byref(out)), out, task)

    def call_later(self, seconds, fn, arg=None):
        task, out = self._task(fn), c_void_p()
        return _out_future(lib.async_loop_call_later(self.ptr, seconds, task,
                                                     arg, byref(out)),
                           out, task)

    def run_in_thread(self, fn, arg=None):
        task, out = self._task(fn), c_void_p()
        return _out_future(lib.async_loop_run_in_thread(self.ptr, task, arg,
                                                        byref(out)),
                           out, task)

    def sleep(self, seconds):
        out = c_void_p()
        return _out_future(lib.async_sleep(self.ptr, seconds, byref(out)),
                           out)

    def future(self):
        """A promise: complete it with resolve() or reject()."""
        out = c_void_p()
        return _out_future(lib.async_future_new(byref(out), self.ptr), out)

    @staticmethod
    def resolve(future, value=None):
        check(lib.async_future_resolve(future.ptr, value, FREE_FN()))

    @staticmethod
    def reject(future, err, message=None):
        check(lib.async_future_reject(
            future.ptr, err, message.encode() if message else None))

    def gather(self, futures, return_errors=False):
        """async_gather: awaiting it gives the list of the futures' values.
        With return_errors, each failed one gives a LibasyncError in its
        place instead of failing the whole."""
        futures = list(futures)
        array = (c_void_p * len(futures))(*[f.ptr for f in futures])
        out = c_void_p()
        flags = GATHER_RETURN_ERRORS if return_errors else 0
        rv = lib.async_gather(self.ptr, array, len(futures), flags, byref(out))

        def values(_value, futures=futures):
            result = []
            for f in futures:
                if f.state() == DONE:
                    result.append(f.value())
                else:
                    result.append(LibasyncError(*future_failure(f.ptr)))
            return result

        return _out_future(rv, out, (array, futures), values)

    def wait(self, futures, mode=ALL_COMPLETED, timeout=None):
        futures = list(futures)
        array = (c_void_p * len(futures))(*[f.ptr for f in futures])
        out = c_void_p()
        rv = lib.async_wait(self.ptr, array, len(futures), mode,
                            FOREVER if timeout is None else timeout,
                            byref(out))
        return _out_future(rv, out, (array, futures))

    @staticmethod
    def wait_for(future, timeout):
        out = c_void_p()
        return _out_future(lib.async_wait_for(future.ptr, timeout,
                                              byref(out)), out, future)


def running_loop():
    """The Loop (runtime mode, its own thread) that serves the running
    asyncio loop; made on first use, closed when that asyncio loop is
    garbage-collected or the interpreter exits."""
    from . import _runtime

    return _runtime.get().loop


def sleep(seconds):
    """``await capi.sleep(s)``: async_sleep on the running loop's Loop."""
    return running_loop().sleep(seconds)


def gather(*futures, return_errors=False):
    return running_loop().gather(futures, return_errors)


def call_soon(fn, arg=None):
    return running_loop().call_soon(fn, arg)


def call_later(seconds, fn, arg=None):
    return running_loop().call_later(seconds, fn, arg)


def run_in_thread(fn, arg=None):
    return running_loop().run_in_thread(fn, arg)
