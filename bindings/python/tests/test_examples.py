"""The seed's aiohttp programs (examples/), run as they are against nginx,
and the package installed with pip, offline."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from support import env, http_url

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
EXAMPLES = os.path.join(PACKAGE, "examples")
HELLO = re.compile(r"^Hello World:\d+\.\d+$")


@pytest.fixture(scope="module")
def pages():
    """The pages the examples ask for: base URL + "{}" (the first one does
    not fill in its "{}"), and + "0" .. "4"."""
    www = env("ASYNC_TEST_WWW")
    for page in ["{}", "0", "1", "2", "3", "4"]:
        with open(os.path.join(www, page), "w") as f:
            f.write("page %s\n" % page)
    return http_url("/")


def run_example(name, *args, extra_env=None):
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    child_env.update(extra_env or {})
    result = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, name), *args], env=child_env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
        universal_newlines=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_fetch_one(pages):
    assert run_example("fetch_one.py", pages) == ["b'page {}\\n'"]


def test_fetch_one_takes_the_url_from_the_environment(pages):
    lines = run_example("fetch_one.py",
                        extra_env={"LIBASYNC_EXAMPLE_URL": pages})
    assert lines == ["b'page {}\\n'"]


def test_fetch_wait(pages):
    lines = run_example("fetch_wait.py", pages)
    assert len(lines) == 5
    assert all(HELLO.match(line) for line in lines)


def test_fetch_gather(pages):
    lines = run_example("fetch_gather.py", pages)
    assert len(lines) == 6
    assert all(HELLO.match(line) for line in lines[:5])
    assert lines[5] == repr([b"page %d\n" % i for i in range(5)])


def test_the_examples_are_the_seeds_with_two_changes():
    """Each differs from the seed's aiohttp program only by its import
    and its URL (and the comment that says so)."""
    for name in ("fetch_one.py", "fetch_wait.py", "fetch_gather.py"):
        with open(os.path.join(EXAMPLES, name)) as f:
            code = [line for line in f.read().splitlines()
                    if line and not line.startswith("#")]
        assert "from libasync import ClientSession" in code
        assert not any("aiohttp" in line for line in code)
        urls = [line for line in code if line.startswith("url =")]
        assert len(urls) == 1 and urls[0].endswith('+ "{}"')


def _installer():
    """A Python that can build the package offline: setuptools >= 61,
    and wheel unless setuptools has bdist_wheel itself (70.1)."""
    script = ("import setuptools, sys\n"
              "v = tuple(int(p) for p in "
              "setuptools.__version__.split('.')[:2])\n"
              "if v < (61, 0): sys.exit(1)\n"
              "if v < (70, 1): import wheel\n"
              "import pip\n")
    for python in (sys.executable, "/usr/bin/python3"):
        if shutil.which(python) and subprocess.run(
                [python, "-c", script], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return python
    return None


def test_pip_installs_the_package_offline(tmp_path, pages):
    python = _installer()
    if python is None:
        pytest.skip("no Python here has setuptools >= 61, wheel and pip")
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, str(source),
                    ignore=shutil.ignore_patterns("__pycache__", "tests"))
    target = tmp_path / "site"
    child_env = dict(os.environ, PIP_NO_INDEX="1")
    child_env.pop("PYTHONPATH", None)
    subprocess.run([python, "-m", "pip", "install", "-q",
                    "--no-build-isolation", "--no-deps", "--target",
                    str(target), str(source)],
                   check=True, env=child_env, timeout=120,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert (target / "libasync" / "capi.py").exists()
    child_env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [python, os.path.join(EXAMPLES, "fetch_one.py"), pages],
        env=child_env, stdout=subprocess.PIPE, timeout=60,
        universal_newlines=True, cwd=str(tmp_path))
    assert result.stdout.splitlines() == ["b'page {}\\n'"]
