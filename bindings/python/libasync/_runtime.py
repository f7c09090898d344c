"""The bridge between an asyncio loop and a libasync loop.

Each asyncio loop that uses libasync gets one :class:`Runtime`: a C loop
running in runtime mode (its own library thread, async_loop_start_thread)
whose completion queue's file descriptor is watched with
``asyncio_loop.add_reader``. An operation registers its future with
async_future_notify(future, token); when the fd turns readable, the
asyncio thread drains the tokens (async_loop_drain) and runs the handler
registered for each. So completions are handled on the asyncio thread and
no Python code runs on the library's thread for them.

A Runtime is closed (async_loop_close: pending operations are cancelled and
the thread joined) when its asyncio loop is garbage-collected, when a new
Runtime is made while its asyncio loop is already closed, or at
interpreter exit.
"""

import asyncio
import ctypes
import itertools
import threading
import weakref
from ctypes import byref, c_int, c_int64, c_void_p

from . import capi

_drain = capi.pylib.async_loop_drain
_notify = capi.pylib.async_future_notify
_BATCH = 256

# The library's thread calls into Python only through the streaming
# callbacks. Each such call would make and free a Python thread state
# (ctypes' PyGILState_Ensure on a thread Python does not know); taking one
# more PyGILState_Ensure on that thread once keeps its thread state for the
# thread's life, which makes the callbacks markedly cheaper. It is given
# back before the loop closes.
_pythonapi = getattr(ctypes, "pythonapi", None)
if _pythonapi is not None:
    _gilstate_ensure = _pythonapi.PyGILState_Ensure
    _gilstate_ensure.restype = c_int
    _gilstate_ensure.argtypes = []
    _gilstate_release = _pythonapi.PyGILState_Release
    _gilstate_release.restype = None
    _gilstate_release.argtypes = [c_int]


def _keep_thread_state(states):
    states.append(_gilstate_ensure())


def _drop_thread_state(states):
    while states:
        _gilstate_release(states.pop())


def _on_loop_thread(loop, fn, arg):
    """Runs fn(arg) on the loop's thread and waits for it (briefly)."""
    future = loop.call_soon(lambda: fn(arg))
    try:
        future.wait(5)
    finally:
        future.release()


class Runtime:
    __slots__ = ("loop", "ptr", "fd", "out", "out_ref", "_waiters",
                 "_next_token", "_tokens", "_aloop", "_finalizer",
                 "_thread_states", "__weakref__")

    def __init__(self, aloop):
        self.loop = capi.Loop()
        self._thread_states = []
        try:
            self.loop.start_thread()
            self.fd = self.loop.completion_fd()
            if _pythonapi is not None:
                _on_loop_thread(self.loop, _keep_thread_state,
                                self._thread_states)
        except BaseException:
            self.loop.close()
            self.loop.release()
            raise
        self.ptr = self.loop.ptr
        # Scratch out-parameter for calls made on the asyncio thread (one
        # Runtime per asyncio loop, so one thread at a time uses it).
        self.out = c_void_p()
        self.out_ref = byref(self.out)
        self._waiters = {}
        self._next_token = itertools.count(1).__next__
        self._tokens = (c_int64 * _BATCH)()
        self._aloop = weakref.ref(aloop)
        aloop.add_reader(self.fd, self._on_readable)
        self._finalizer = weakref.finalize(aloop, _shutdown, self.loop,
                                           self._waiters,
                                           self._thread_states)

    @property
    def aloop(self):
        return self._aloop()

    @property
    def closed(self):
        return not self._finalizer.alive

    def watch(self, future_ptr, handler):
        """Calls handler._complete() on the asyncio thread once the C
        future has completed. Raises LibasyncError (nothing will be
        called) if the loop is closed."""
        token = self._next_token()
        self._waiters[token] = handler
        rv = _notify(future_ptr, token)
        if rv < 0:
            del self._waiters[token]
            raise capi.LibasyncError(rv)

    def _on_readable(self):
        tokens = self._tokens
        pop = self._waiters.pop
        while True:
            n = _drain(self.ptr, tokens, _BATCH)
            if n <= 0:
                return
            for token in tokens[:n]:
                handler = pop(token, None)
                if handler is None:
                    continue
                try:
                    handler._complete()
                except Exception as exc:  # one handler must not stop others
                    aloop = self._aloop()
                    if aloop is not None:
                        aloop.call_exception_handler({
                            "message": "libasync: a completion handler "
                                       "failed",
                            "exception": exc})
            if n < _BATCH:
                return

    def close(self):
        """Closes the C loop now (cancelling what is pending)."""
        aloop = self._aloop()
        if aloop is not None and not aloop.is_closed():
            aloop.remove_reader(self.fd)
        self._finalizer()


def _shutdown(loop, waiters, thread_states):
    """Closes a C loop, then runs the handlers of what it cancelled so that
    they release their C references."""
    if thread_states:
        try:
            _on_loop_thread(loop, _drop_thread_state, thread_states)
        except capi.LibasyncError:  # on the loop's thread itself, or closed
            pass
    loop.close()
    tokens = (c_int64 * _BATCH)()
    while True:
        n = _drain(loop.ptr, tokens, _BATCH)
        if n <= 0:
            break
        for token in tokens[:n]:
            handler = waiters.pop(token, None)
            if handler is not None:
                try:
                    handler._complete()
                except Exception:  # the asyncio loop is gone: nothing to tell
                    pass
    loop.release()


_runtimes = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def get():
    """The Runtime of the running asyncio loop, made on first use.
    Raises RuntimeError when no asyncio loop is running."""
    aloop = asyncio.get_running_loop()
    runtime = _runtimes.get(aloop)
    if runtime is not None and not runtime.closed:
        return runtime
    with _lock:
        runtime = _runtimes.get(aloop)
        if runtime is None or runtime.closed:
            # Asyncio loops that were closed since do not need theirs.
            for other_loop, other in list(_runtimes.items()):
                if other_loop.is_closed():
                    other.close()
                    _runtimes.pop(other_loop, None)
            runtime = Runtime(aloop)
            _runtimes[aloop] = runtime
    return runtime
