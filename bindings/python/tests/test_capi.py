"""libasync.capi: loading the library, the C API one to one, and C futures
awaited in asyncio."""

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import libasync
from libasync import capi


# ---- loading ---------------------------------------------------------------


def _import_in_child(library, tmp_path=None):
    """Imports libasync in a child Python with LIBASYNC_LIBRARY=library."""
    child_env = dict(os.environ, LIBASYNC_LIBRARY=library)
    return subprocess.run(
        [sys.executable, "-c", "import libasync"], env=child_env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        universal_newlines=True)


def test_library_is_loaded_from_LIBASYNC_LIBRARY():
    wanted = os.environ.get("LIBASYNC_LIBRARY")
    if not wanted:
        pytest.skip("LIBASYNC_LIBRARY is not set: the system's library "
                    "is used")
    assert capi.LIBRARY == wanted
    assert libasync.library_version == capi.version()
    assert capi.version_number() >= capi.REQUIRED_VERSION


def test_a_missing_library_fails_the_import_clearly(tmp_path):
    result = _import_in_child(str(tmp_path / "nothing-here.so.1"))
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "LIBASYNC_LIBRARY" in result.stderr
    assert "nothing-here.so.1" in result.stderr


def test_a_library_that_is_not_libasync_fails_the_import_clearly():
    result = _import_in_child("libc.so.6")
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "async_version_at_least" in result.stderr


def test_a_too_old_library_fails_the_import_clearly(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build a fake old library")
    source = tmp_path / "old.c"
    source.write_text(textwrap.dedent("""\
        int async_version_at_least(unsigned hex) { (void)hex; return 0; }
        const char *async_version(void) { return "0.0.1"; }
        """))
    library = tmp_path / "libasync-old.so.1"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(library), str(source)],
                   check=True, timeout=60)
    result = _import_in_child(str(library))
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "version 0.0.1" in result.stderr
    assert "needs version 0.1.0 or newer" in result.stderr


# ---- versions and errors ---------------------------------------------------


def test_version_and_features():
    major, minor, patch = (int(p) for p in capi.version().split("."))
    assert capi.version_number() == major << 16 | minor << 8 | patch
    assert capi.lib.async_version_at_least(capi.version_number()) == 1
    assert capi.lib.async_version_at_least(capi.version_number() + 1) == 0
    needed = capi.FEATURE_THREADS | capi.FEATURE_HTTP
    assert capi.features() & needed == needed


def test_error_table_matches_the_library():
    codes = {name: value for name, value in vars(capi).items()
             if name.startswith("E") and isinstance(value, int)
             and name.isupper() and not name.endswith("_")}
    assert len(codes) == 22
    for name, value in codes.items():
        assert capi.err_name(value) == "ASYNC_" + name
        assert capi.strerror(value) != "unknown error"
    assert capi.err_name(capi.ERR_MIN_) == "ASYNC_EUNKNOWN"
    assert capi.strerror(0) == "success"


def test_check_raises_LibasyncError_with_code_and_name():
    assert capi.check(3) == 3
    with pytest.raises(capi.LibasyncError) as info:
        capi.check(capi.ETIMEDOUT)
    assert info.value.errno == capi.ETIMEDOUT
    assert info.value.name == "ASYNC_ETIMEDOUT"
    assert "operation timed out" in str(info.value)


def test_session_options_are_introspectable():
    assert capi.lib.async_session_option(b"timeout") == capi.SESSION_TIMEOUT
    assert capi.lib.async_session_option(b"ASYNC_SESSION_LIMIT") == \
        capi.SESSION_LIMIT
    assert capi.lib.async_session_option(b"no-such-option") == capi.EINVAL
    assert capi.lib.async_session_option_name(capi.SESSION_CA_FILE) == \
        b"ca_file"


# ---- loops and futures, blocking style -------------------------------------


@pytest.fixture
def loop():
    loop = capi.Loop()
    loop.start_thread()
    yield loop
    loop.close()
    loop.release()


def test_sleep_completes_after_its_time(loop):
    start = time.monotonic()
    future = loop.sleep(0.1)
    assert future.wait(5)
    assert time.monotonic() - start >= 0.09
    assert future.state() == capi.DONE
    assert future.result() is None
    future.release()


def test_five_sleeps_run_concurrently(loop):
    # The seed's first lesson: five 1 s sleeps take 1 s, not 5, as tasks.
    start = time.monotonic()
    futures = [loop.sleep(0.2) for _ in range(5)]
    everything = loop.gather(futures)
    assert everything.wait(5)
    assert everything.result() == [None] * 5
    assert time.monotonic() - start < 0.6


def test_call_soon_runs_on_the_loop_thread(loop):
    seen = []
    future = loop.call_soon(lambda: seen.append(threading.get_ident()) or 42)
    assert future.wait(5)
    assert future.result() == 42
    assert seen and seen[0] != threading.get_ident()


def test_call_soon_with_a_c_task_function(loop):
    @capi.TASK_FN
    def task(arg, result):
        result[0] = arg + 1
        return 0

    future = loop.call_soon(task, 41)
    assert future.wait(5)
    assert future.value() == 42


def test_a_failing_task_fails_its_future(loop):
    def boom():
        raise RuntimeError("boom")

    future = loop.call_soon(boom)
    assert future.wait(5)
    assert future.state() == capi.FAILED
    assert future.error() == capi.EIO
    with pytest.raises(capi.LibasyncError) as info:
        future.result()
    assert info.value.errno == capi.EIO


def test_call_later_and_cancel(loop):
    ran = []
    future = loop.call_later(10, lambda: ran.append(1))
    future.cancel()
    assert future.wait(5)
    assert future.state() == capi.CANCELLED
    assert future.error() == capi.ECANCELLED
    assert ran == []


def test_run_in_thread(loop):
    future = loop.run_in_thread(lambda: time.sleep(0.05) or 7)
    assert future.wait(5)
    assert future.result() == 7


def test_promises(loop):
    promise = loop.future()
    assert promise.state() == capi.PENDING
    assert not promise.wait(0.01)
    capi.Loop.reject(promise, capi.EPROTO, "bad things")
    assert promise.wait(5)
    assert promise.state() == capi.FAILED
    assert promise.message() == "bad things"
    other = loop.future()
    capi.Loop.resolve(other, 5)
    assert other.wait(5)
    assert other.value() == 5


def test_wait_for_times_out_and_cancels(loop):
    slow = loop.sleep(10)
    bounded = capi.Loop.wait_for(slow, 0.05)
    assert bounded.wait(5)
    assert bounded.error() == capi.ETIMEDOUT
    assert slow.wait(5)
    assert slow.state() == capi.CANCELLED


def test_wait_first_completed(loop):
    fast, slow = loop.sleep(0.01), loop.sleep(10)
    waited = loop.wait([fast, slow], capi.FIRST_COMPLETED)
    assert waited.wait(5)
    assert fast.done() and not slow.done()
    slow.cancel()


def test_gather_fails_fast_or_returns_errors(loop):
    good = loop.sleep(0)
    bad = loop.future()
    capi.Loop.reject(bad, capi.ECONNECT, "no")
    fail_fast = loop.gather([good, bad])
    assert fail_fast.wait(5)
    assert fail_fast.error() == capi.ECONNECT
    collected = loop.gather([good, bad], return_errors=True)
    assert collected.wait(5)
    values = collected.result()
    assert values[0] is None
    assert isinstance(values[1], capi.LibasyncError)
    assert values[1].errno == capi.ECONNECT


def test_completion_queue_by_hand(loop):
    future = loop.sleep(0)
    capi.check(capi.lib.async_future_notify(future.ptr, 1234))
    assert future.wait(5)
    deadline = time.monotonic() + 5
    tokens = []
    while not tokens and time.monotonic() < deadline:
        tokens = loop.drain()
    assert tokens == [1234]
    assert loop.drain() == []


def test_embedded_mode_runs_until_a_future_completes():
    loop = capi.Loop()
    future = loop.sleep(0.01)
    assert loop.run_until(future) is None
    assert loop.run() == 0  # nothing left
    loop.close()
    assert loop.is_closed()
    with pytest.raises(capi.LibasyncError) as info:
        loop.sleep(1)
    assert info.value.errno == capi.ECLOSED
    loop.release()


def test_closing_cancels_what_is_pending():
    loop = capi.Loop()
    loop.start_thread()
    future = loop.sleep(100)
    loop.close()
    assert future.state() == capi.CANCELLED
    loop.release()


# ---- C futures in asyncio --------------------------------------------------


async def test_await_capi_sleep_in_asyncio():
    start = time.monotonic()
    assert await capi.sleep(0.05) is None
    assert time.monotonic() - start >= 0.045


async def test_await_capi_gather_in_asyncio():
    # Five 0.2 s sleeps as C futures, gathered: 0.2 s, not 1 s.
    start = time.monotonic()
    result = await capi.gather(*[capi.sleep(0.2) for _ in range(5)])
    assert result == [None] * 5
    assert time.monotonic() - start < 0.6


async def test_await_capi_call_soon_in_asyncio():
    assert await capi.call_soon(lambda: 9) == 9
    assert await capi.run_in_thread(lambda: 10) == 10
    assert await capi.call_later(0.01, lambda: 11) == 11


async def test_a_failed_capi_future_raises():
    loop = capi.running_loop()
    promise = loop.future()
    capi.Loop.reject(promise, capi.EDNS, "no such host")
    with pytest.raises(capi.LibasyncError) as info:
        await promise
    assert info.value.errno == capi.EDNS
    assert info.value.message == "no such host"


async def test_cancelling_the_task_cancels_the_capi_future():
    future = capi.sleep(100)
    task = asyncio.ensure_future(future)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline = time.monotonic() + 5
    while future.state() == capi.PENDING and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert future.state() == capi.CANCELLED


async def test_the_completion_fd_is_watched_on_the_asyncio_thread():
    asyncio_thread = threading.get_ident()
    seen = []
    runtime_loop = capi.running_loop()
    future = runtime_loop.sleep(0)

    await future
    seen.append(threading.get_ident())
    assert seen == [asyncio_thread]
    assert runtime_loop.completion_fd() >= 0


def test_each_asyncio_loop_gets_its_own_runtime_and_closes_it(run_async):
    async def which():
        return capi.running_loop()

    first = run_async(which())
    second = run_async(which())
    assert first is not second
    # Making the second closed the first, whose asyncio loop had closed.
    assert first.is_closed()
    assert first.ptr is None  # released


def test_pointers_are_plain_ints():
    loop = capi.Loop()
    assert isinstance(loop.ptr, int)
    assert isinstance(capi.lib.async_loop_now(loop.ptr), float)
    loop.close()
    loop.release()
    assert loop.is_closed()
