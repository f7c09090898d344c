"""asyncbench, the load generator of bench/, against the fixtures' nginx
and the tests' own slow server: what it counts, what it reports, how it
fails."""

import os
import re
import subprocess

import pytest

from conftest import env


@pytest.fixture
def bench():
    binary = os.environ.get("ASYNCBENCH")
    if not binary:
        pytest.skip("ASYNCBENCH is not set: the bench programs were not built")

    def run(*args, timeout=60):
        return subprocess.run([binary, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              timeout=timeout)
    return run


def result(out):
    """The fields of the RESULT line, as numbers."""
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, out
    return {key: float(value)
            for key, value in re.findall(r"(\w+)=(\S+)", lines[0])}


def nginx(path):
    return "http://127.0.0.1:%s%s" % (env("ASYNC_TEST_HTTP_PORT"), path)


def test_a_fixed_count_of_requests(bench):
    p = bench("-c", "4", "-n", "300", nginx("/1k.bin"))
    assert p.returncode == 0, p.stderr
    r = result(p.stdout)
    assert r["requests"] == 300 and r["errors"] == 0
    assert r["bytes"] == 300 * 1024
    assert r["non2xx"] == 0
    assert r["cpu_us_per_req"] > 0 and r["wall_s"] > 0
    assert "requests/s" in p.stdout and "p99" in p.stdout


def test_https_with_the_test_ca(bench):
    url = "https://localhost:%s/1k.bin" % env("ASYNC_TEST_HTTPS_PORT")
    p = bench("-c", "2", "-n", "50", "--cacert", env("ASYNC_TEST_CA"), url)
    assert p.returncode == 0, p.stderr
    r = result(p.stdout)
    assert r["requests"] == 50 and r["errors"] == 0


def test_a_duration_bounds_the_run(bench):
    p = bench("-c", "2", "-d", "1", nginx("/"))
    assert p.returncode == 0, p.stderr
    r = result(p.stdout)
    assert r["requests"] > 0 and r["errors"] == 0
    assert 0.9 <= r["wall_s"] < 5


def test_latency_is_the_time_each_response_took(bench, local):
    base, server = local
    p = bench("-c", "2", "-n", "4", base + "/delay/0.3/slow")
    assert p.returncode == 0, p.stderr
    r = result(p.stdout)
    assert r["requests"] == 4
    # Two at a time, 0.3 s each: 0.6 s in all, each response 0.3 s.
    assert 0.55 <= r["wall_s"] < 3
    p50 = re.search(r"p50\s+([\d.]+) (\w+)", p.stdout)
    assert p50, p.stdout
    value, unit = float(p50.group(1)), p50.group(2)
    seconds = value * {"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    assert 0.29 <= seconds < 1.5, p.stdout


def test_errors_are_counted_by_kind_and_fail_the_run(bench):
    p = bench("-c", "2", "-n", "6", "http://127.0.0.1:1/")
    assert p.returncode == 1
    r = result(p.stdout)
    assert r["requests"] == 0 and r["errors"] == 6
    assert "ASYNC_ECONNECT   6" in p.stdout
    assert "127.0.0.1 port 1" in p.stdout


def test_non_2xx_responses_are_counted(bench):
    p = bench("-c", "1", "-n", "5", nginx("/no-such-file"))
    r = result(p.stdout)
    assert r["requests"] == 5 and r["non2xx"] == 5


def test_method_data_and_headers_are_sent(bench, local):
    base, server = local
    cases = [
        (("--data", "hello"), "/expect/POST/hello"),
        (("--method", "PUT", "--data", "hello"), "/expect/PUT/hello"),
        (("--method", "DELETE"), "/expect/DELETE/"),
        (("-H", "X-Bench: yes"), "/expect-header/X-Bench/yes"),
    ]
    for args, path in cases:
        p = bench("-c", "1", "-n", "3", *args, base + path)
        r = result(p.stdout)
        assert r["requests"] == 3 and r["non2xx"] == 0, (args, p.stdout)
        # The same URL without the option gets a 400: the test can fail.
        p = bench("-c", "1", "-n", "1", base + path)
        assert result(p.stdout)["non2xx"] == 1, (path, p.stdout)


def test_insecure_skips_certificate_checks(bench):
    url = "https://localhost:%s/" % env("ASYNC_TEST_HTTPS_EXPIRED_PORT")
    p = bench("-c", "1", "-n", "2", "--cacert", env("ASYNC_TEST_CA"), url)
    assert p.returncode == 1
    assert result(p.stdout)["errors"] == 2
    assert "ASYNC_ECERT" in p.stdout
    p = bench("-c", "1", "-n", "2", "-k", url)
    assert p.returncode == 0, p.stdout
    assert result(p.stdout)["requests"] == 2
