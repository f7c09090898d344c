"""Shared helpers of the Python binding's tests.

The tests talk to the servers of tests/support/with-servers.sh (nginx,
httpbin, the hostile server, the proxy, dnsmasq) on 127.0.0.1 and load the
library named by LIBASYNC_LIBRARY (by default libasync.so.1 from the
system). CTest runs them as the test python.binding:

    LIBASYNC_LIBRARY=<build>/libasync.so.1 PYTHONPATH=bindings/python \\
        tests/support/with-servers.sh -- \
        python3 -m pytest -q bindings/python/tests

A coroutine test function runs in a fresh asyncio loop (asyncio.run) with
a time limit. A session that passes no test fails, so that a run which
collected or selected nothing cannot pass.
"""

import asyncio
import inspect

import pytest

from support import TEST_TIMEOUT


def pytest_pyfunc_call(pyfuncitem):
    """Runs `async def` tests in asyncio.run, with a time limit."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}

    async def limited():
        return await asyncio.wait_for(function(**kwargs), TEST_TIMEOUT)

    asyncio.run(limited())
    return True


@pytest.fixture
def run_async():
    """run_async(coro): asyncio.run with the tests' time limit, for
    synchronous tests that need more than one loop."""

    def run(coro):
        return asyncio.run(asyncio.wait_for(coro, TEST_TIMEOUT))

    return run


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    if exitstatus == 0 and passed == 0:
        if reporter is not None:
            reporter.write_line("python.binding: no test passed (all were "
                                "skipped or none was selected): failing")
        session.exitstatus = 1
