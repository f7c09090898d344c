"""Helpers of the Python binding's tests: where the servers are."""

import os

import pytest

# A test coroutine that runs longer than this fails.
TEST_TIMEOUT = 60


def env(name):
    """The value of a with-servers.sh variable; skips the test if its
    server was not started, fails if no server was started at all."""
    value = os.environ.get(name)
    if not value:
        if "ASYNC_TEST_DIR" not in os.environ:
            pytest.fail("%s is not set: run the tests through "
                        "tests/support/with-servers.sh (ctest does)" % name)
        pytest.skip("%s is not set: its server was not started" % name)
    return value


def http_url(path="/"):
    return "http://127.0.0.1:%s%s" % (env("ASYNC_TEST_HTTP_PORT"), path)


def https_url(path="/", port_var="ASYNC_TEST_HTTPS_PORT", host="localhost"):
    return "https://%s:%s%s" % (host, env(port_var), path)


def httpbin_url(path="/"):
    return "http://127.0.0.1:%s%s" % (env("ASYNC_TEST_HTTPBIN_PORT"), path)


def hostile_url(path="/"):
    return "http://127.0.0.1:%s%s" % (env("ASYNC_TEST_HOSTILE_PORT"), path)


def rss_bytes():
    """The process's resident set size now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")
