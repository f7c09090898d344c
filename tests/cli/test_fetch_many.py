"""The seed's aiohttp examples in C, examples/fetch_many: one GET printed,
five URLs fetched concurrently, five responses gathered in order.

The program comes from the environment variable ASYNC_EXAMPLE_FETCH_MANY
(ctest sets it when the examples are built); without it the tests are
skipped.
"""

import os
import re
import subprocess

import pytest

from conftest import env

TIMEOUT = 60
HELLO = re.compile(r"^Hello World:(\d+\.\d+)$")


@pytest.fixture
def program():
    path = os.environ.get("ASYNC_EXAMPLE_FETCH_MANY")
    if not path:
        pytest.skip("ASYNC_EXAMPLE_FETCH_MANY is not set: examples not built")
    return path


def sections(stdout):
    """The output's lines, split at the "==" headings."""
    parts = []
    for line in stdout.decode().splitlines():
        if line.startswith("== "):
            parts.append([])
        else:
            parts[-1].append(line)
    return parts


def test_fetch_many_against_nginx(program):
    www = env("ASYNC_TEST_WWW")
    for i in range(5):
        with open(os.path.join(www, str(i)), "w") as f:
            f.write("page %d\n" % i)
    base = "http://127.0.0.1:%s/" % env("ASYNC_TEST_HTTP_PORT")
    result = subprocess.run([program, base], capture_output=True,
                            timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    one, waited, gathered = sections(result.stdout)
    assert one == [r"b'hello from nginx\n'"]
    assert len(waited) == 5 and all(HELLO.match(x) for x in waited)
    assert len(gathered) == 6 and all(HELLO.match(x) for x in gathered[:5])
    assert gathered[5] == ", ".join(r"b'page %d\n'" % i
                                    for i in range(5)).join("[]")


def test_fetch_many_is_concurrent(program, local):
    # Each answer takes 0.5 s: five in a row would take 2.5 s.
    base, server = local
    result = subprocess.run([program, base + "/delay/0.5/"],
                            capture_output=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    one, waited, gathered = sections(result.stdout)
    assert one == [r"b'\n'"]
    stamps = [float(HELLO.match(x).group(1)) for x in waited]
    assert max(stamps) - min(stamps) < 0.4, stamps
    assert gathered[5] == "[b'0\\n', b'1\\n', b'2\\n', b'3\\n', b'4\\n']"
    assert server.most == 5


def test_fetch_many_reports_failures(program):
    base = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    result = subprocess.run([program, base], capture_output=True,
                            timeout=TIMEOUT)
    assert result.returncode == 1
    assert base.encode() in result.stderr
