"""End-to-end tests of asyncfetch, the command-line tool: every exit status
of its contract (curl's numbers), and its output rules, against the servers
of tests/support/with-servers.sh on 127.0.0.1 and a few small servers the
tests start themselves.

    ASYNCFETCH=<build>/tools/asyncfetch/asyncfetch \\
        tests/support/with-servers.sh -- python3 -m pytest -q tests/cli

(CTest runs it that way as the test cli.asyncfetch.) A test whose server
was not started (its ASYNC_TEST_* variable is unset) is skipped.
"""

import json
import os
import pty
import re
import select
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import env

TIMEOUT = 60

# ---- helpers -----------------------------------------------------------------


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("ASYNCFETCH")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("ASYNCFETCH must name the asyncfetch program (ctest sets "
                    "it); it is %r" % path)
    return path


@pytest.fixture
def run(binary):
    """run(*args, input=None, env=None) -> CompletedProcess (bytes)."""

    def run(*args, input=None, env=None, stdout=subprocess.PIPE):
        return subprocess.run([binary, *args], input=input, env=env,
                              stdout=stdout, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)

    return run


def error_lines(result):
    return [line for line in result.stderr.decode(errors="replace")
            .splitlines() if line.startswith("asyncfetch: (")]


def assert_fails(result, code, url):
    """Exit status `code` and the one error line that names the URL."""
    assert result.returncode == code, result.stderr
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("asyncfetch: (%d) " % code), lines[0]
    assert url in lines[0], lines[0]


@pytest.fixture
def nginx():
    return "http://127.0.0.1:%s" % env("ASYNC_TEST_HTTP_PORT")


@pytest.fixture
def hostile():
    return "http://127.0.0.1:%s" % env("ASYNC_TEST_HOSTILE_PORT")


@pytest.fixture
def www():
    return env("ASYNC_TEST_WWW")


# ---- a server that resets ----------------------------------------------------------


@pytest.fixture
def resetting():
    """A server that reads a little of each request, then resets the
    connection (RST) while the client is still sending: its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            time.sleep(0.05)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield "http://127.0.0.1:%d/upload" % listener.getsockname()[1]
    stop.set()
    listener.close()


# ---- exit status 0 ----------------------------------------------------------------


def test_exit_0_nginx_index(run, nginx):
    result = run(nginx + "/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    assert result.stderr == b""


def test_exit_0_for_any_status_without_fail(run, hostile):
    result = run(hostile + "/status/404")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"status 404\n"


def test_url_without_scheme_is_http(run, nginx):
    result = run(nginx[len("http://"):] + "/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"


def test_help_and_version(run):
    result = run("--help")
    assert result.returncode == 0
    assert b"Usage: asyncfetch" in result.stdout
    for option in (b"--max-time", b"--write-out", b"--parallel-max",
                   b"--compressed", b"--resolve", b"--noproxy"):
        assert option in result.stdout
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith(b"asyncfetch ")
    assert b"libasync" in result.stdout


# ---- exit status: every code of the contract ---------------------------------------


def test_exit_1_unsupported_scheme(run):
    assert_fails(run("ftp://127.0.0.1/file"), 1, "ftp://127.0.0.1/file")


@pytest.mark.parametrize("args", [
    ["--no-such-option", "http://127.0.0.1/"],
    ["-Q", "http://127.0.0.1/"],
    ["http://127.0.0.1/", "-o"],
    ["--max-time", "soon", "http://127.0.0.1/"],
    ["--parallel-max", "0", "http://127.0.0.1/"],
    ["-I", "-d", "x", "http://127.0.0.1/"],
    [],
    ["-s"],
])
def test_exit_2_bad_command_line(run, args):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"asyncfetch: " in result.stderr
    assert b"--help" in result.stderr


def test_exit_3_malformed_url(run):
    assert_fails(run("http://[::1"), 3, "http://[::1")


def test_exit_5_proxy_not_resolved(run, nginx):
    dns = "127.0.0.1:" + env("ASYNC_TEST_DNSSCRIPT_PORT")
    result = run("--dns-servers", dns, "-x", "http://nx.test:1",
                 nginx + "/")
    assert_fails(result, 5, nginx + "/")
    assert "nx.test" in error_lines(result)[0]


def test_exit_6_host_not_resolved(run):
    dns = "127.0.0.1:" + env("ASYNC_TEST_DNSSCRIPT_PORT")
    result = run("--dns-servers", dns, "http://nx.test/")
    assert_fails(result, 6, "http://nx.test/")
    assert "nx.test" in error_lines(result)[0]


def test_exit_7_connection_refused(run):
    url = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    assert_fails(run(url), 7, url)


def test_exit_8_invalid_status_line(run, hostile):
    assert_fails(run(hostile + "/bad-status"), 8, hostile + "/bad-status")


@pytest.mark.parametrize("path", ["/not-http", "/conflicting-length",
                                  "/length-and-chunked", "/bad-chunk"])
def test_exit_8_unparsable_reply(run, hostile, path):
    assert_fails(run(hostile + path), 8, hostile + path)


def test_exit_18_short_body(run, hostile):
    result = run(hostile + "/short-body")
    assert_fails(result, 18, hostile + "/short-body")


def test_exit_22_fail_on_http_error(run, hostile):
    result = run("-f", hostile + "/status/404")
    assert_fails(result, 22, hostile + "/status/404")
    assert "404" in error_lines(result)[0]
    assert result.stdout == b""  # no body with -f


def test_fail_on_success_is_0(run, hostile):
    result = run("-f", hostile + "/ok")
    assert result.returncode == 0
    assert result.stdout == b"ok\n"


def test_exit_23_output_in_missing_directory(run, nginx, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out"
    result = run("-o", str(target), nginx + "/")
    assert_fails(result, 23, nginx + "/")
    assert str(target) in error_lines(result)[0]
    assert not target.exists()


def test_exit_23_stdout_full(run, nginx):
    with open("/dev/full", "wb") as full:
        result = run(nginx + "/", stdout=full)
    assert_fails(result, 23, nginx + "/")


def test_exit_26_unreadable_data_file(run, nginx):
    result = run("-d", "@/nonexistent/data", nginx + "/")
    assert result.returncode == 26
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("asyncfetch: (26) ")
    assert "/nonexistent/data" in lines[0]
    assert nginx in lines[0]


def test_exit_26_unreadable_stdin(binary, nginx):
    # A directory as standard input: opening works, reading fails.
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        result = subprocess.run([binary, "-d", "@-", nginx + "/"], stdin=fd,
                                capture_output=True, timeout=TIMEOUT)
    finally:
        os.close(fd)
    assert result.returncode == 26, result.stderr
    assert error_lines(result)[0].startswith("asyncfetch: (26) ")


def test_exit_28_max_time(run, hostile):
    start = time.monotonic()
    result = run("-m", "0.5", hostile + "/silence")
    elapsed = time.monotonic() - start
    assert_fails(result, 28, hostile + "/silence")
    assert 0.4 < elapsed < 5, elapsed


def test_exit_28_connect_timeout(run):
    # DNS counts as part of connecting; silent.test is never answered.
    dns = "127.0.0.1:" + env("ASYNC_TEST_DNSSCRIPT_PORT")
    start = time.monotonic()
    result = run("--dns-servers", dns, "--connect-timeout", "0.5",
                 "http://silent.test/")
    elapsed = time.monotonic() - start
    assert_fails(result, 28, "http://silent.test/")
    assert elapsed < 5, elapsed


def test_exit_35_tls_to_plain_http(run):
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTP_PORT")
    assert_fails(run("--cacert", env("ASYNC_TEST_CA"), url), 35, url)


def test_exit_47_too_many_redirects(run, hostile):
    url = hostile + "/redirect-loop"
    result = run("-L", "--max-redirs", "1", url)
    assert_fails(result, 47, url)


def test_exit_52_empty_reply(run, hostile):
    assert_fails(run(hostile + "/empty-reply"), 52, hostile + "/empty-reply")


def test_exit_55_send_failed(run, resetting, tmp_path):
    # 32 MiB cannot all be in flight when the server resets: sending fails.
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(32 << 20)
    result = run("--data-binary", "@%s" % big, resetting)
    assert_fails(result, 55, resetting)


def test_exit_56_reset_while_receiving(run, hostile):
    assert_fails(run(hostile + "/reset-body"), 56, hostile + "/reset-body")


def test_exit_60_unknown_ca(run):
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTPS_PORT")
    assert_fails(run(url), 60, url)


@pytest.mark.parametrize("port", ["ASYNC_TEST_HTTPS_EXPIRED_PORT",
                                  "ASYNC_TEST_HTTPS_WRONGHOST_PORT",
                                  "ASYNC_TEST_HTTPS_SELFSIGNED_PORT"])
def test_exit_60_bad_certificate(run, port):
    url = "https://127.0.0.1:%s/" % env(port)
    assert_fails(run("--cacert", env("ASYNC_TEST_CA"), url), 60, url)


def test_exit_61_broken_gzip(run, hostile):
    result = run("--compressed", hostile + "/broken-gzip")
    assert_fails(result, 61, hostile + "/broken-gzip")


def test_exit_63_max_filesize_by_length(run, nginx):
    result = run("--max-filesize", "10", nginx + "/1k.bin")
    assert_fails(result, 63, nginx + "/1k.bin")
    assert result.stdout == b""


def test_exit_63_max_filesize_while_streaming(run, hostile):
    # An endless chunked body: no length to check first.
    result = run("--max-filesize", "100k", "-o", "/dev/null",
                 hostile + "/endless")
    assert_fails(result, 63, hostile + "/endless")


def test_max_filesize_not_reached(run, nginx):
    result = run("--max-filesize", "1k", nginx + "/1k.bin")
    assert result.returncode == 0
    assert len(result.stdout) == 1024


# ---- several URLs ----------------------------------------------------------------------


def test_output_in_argument_order(run, local):
    base, server = local
    # The first answers last; the output still comes in argument order.
    urls = [base + "/delay/0.6/first", base + "/delay/0.3/second",
            base + "/delay/0/third"]
    start = time.monotonic()
    result = run(*urls)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"first\nsecond\nthird\n"
    assert server.most == 3  # concurrently
    assert elapsed < 3, elapsed


def test_parallel_max(run, local):
    base, server = local
    urls = [base + "/delay/0.2/%d" % i for i in range(4)]
    result = run("--parallel-max", "1", *urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"0\n1\n2\n3\n"
    assert server.most == 1


def test_parallel_max_two(run, local):
    base, server = local
    urls = [base + "/delay/0.3/%d" % i for i in range(6)]
    result = run("--parallel-max", "2", *urls)
    assert result.returncode == 0, result.stderr
    assert server.most == 2


def test_first_failing_url_decides_the_exit_status(run, nginx, hostile):
    free = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    result = run(nginx + "/", hostile + "/bad-status", free)
    assert result.returncode == 8
    assert result.stdout == b"hello from nginx\n"
    lines = error_lines(result)
    assert len(lines) == 2
    assert lines[0].startswith("asyncfetch: (8) ")
    assert lines[1].startswith("asyncfetch: (7) ")
    result = run(free, hostile + "/bad-status")
    assert result.returncode == 7


def test_output_per_url(run, nginx, hostile, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    result = run("-o", str(first), "-o", str(second), nginx + "/",
                 hostile + "/ok", hostile + "/status/201")
    assert result.returncode == 0, result.stderr
    assert first.read_bytes() == b"hello from nginx\n"
    assert second.read_bytes() == b"ok\n"
    assert result.stdout == b"status 201\n"  # the third: no -o left


def test_output_dash_is_stdout(run, nginx, tmp_path):
    result = run("-o", "-", nginx + "/")
    assert result.stdout == b"hello from nginx\n"


def test_output_empty_body_creates_file(run, hostile, tmp_path):
    target = tmp_path / "empty"
    result = run("-o", str(target), hostile + "/status/204")
    assert result.returncode == 0
    assert target.exists() and target.read_bytes() == b""


def test_output_large_body(run, nginx, www, tmp_path):
    target = tmp_path / "1m"
    result = run("-o", str(target), nginx + "/1m.bin")
    assert result.returncode == 0
    with open(os.path.join(www, "1m.bin"), "rb") as f:
        assert target.read_bytes() == f.read()
    result = run(nginx + "/1m.bin", nginx + "/1k.bin")
    with open(os.path.join(www, "1m.bin"), "rb") as f:
        big = f.read()
    with open(os.path.join(www, "1k.bin"), "rb") as f:
        small = f.read()
    assert result.stdout == big + small


# ---- headers and methods ----------------------------------------------------------------


def test_include(run, nginx):
    result = run("-i", nginx + "/")
    assert result.returncode == 0
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert b"Content-Length: 17" in lines
    assert body == b"hello from nginx\n"


def test_head(run, hostile):
    result = run("-I", hostile + "/ok")
    assert result.returncode == 0
    assert result.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    assert result.stdout.endswith(b"\r\n\r\n")
    assert b"ok\n" not in result.stdout.split(b"\r\n\r\n")[1]


def test_method_data_and_headers(run, hostile):
    result = run("-X", "PUT", "-H", "X-Test: yes", "-H", "X-Empty;",
                 "-d", "a=1", "-d", "b=2", hostile + "/echo")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert text.startswith("PUT /echo HTTP/1.1\r\n")
    assert "\r\nX-Test: yes\r\n" in text
    assert re.search(r"\r\nX-Empty: ?\r\n", text)
    assert "\r\nContent-Type: application/x-www-form-urlencoded\r\n" in text
    assert text.endswith("\r\n\r\na=1&b=2")


def test_data_is_post(run, hostile):
    result = run("-d", "x", hostile + "/echo")
    assert result.stdout.startswith(b"POST /echo HTTP/1.1\r\n")


def test_data_from_file_and_stdin(run, hostile, tmp_path):
    data = tmp_path / "data"
    data.write_bytes(b"line1\r\nline2\n")
    result = run("-d", "@%s" % data, hostile + "/echo")
    assert result.stdout.endswith(b"\r\n\r\nline1line2")
    result = run("--data-binary", "@%s" % data, hostile + "/echo")
    assert result.stdout.endswith(b"\r\n\r\nline1\r\nline2\n")
    result = run("--data-binary", "@-", hostile + "/echo", input=b"from\nstdin")
    assert result.stdout.endswith(b"\r\n\r\nfrom\nstdin")
    result = run("-H", "Content-Type: text/plain", "--data-raw", "@x",
                 hostile + "/echo")
    assert b"\r\nContent-Type: text/plain\r\n" in result.stdout
    assert result.stdout.endswith(b"\r\n\r\n@x")


def test_user_agent(run, hostile):
    result = run(hostile + "/echo")
    assert re.search(rb"\r\nUser-Agent: libasync/\d+\.\d+\.\d+\r\n",
                     result.stdout)
    result = run("-A", "agent/1", hostile + "/echo")
    assert b"\r\nUser-Agent: agent/1\r\n" in result.stdout
    result = run("-H", "User-Agent: other/2", hostile + "/echo")
    assert b"\r\nUser-Agent: other/2\r\n" in result.stdout
    assert result.stdout.count(b"User-Agent:") == 1


def test_location(run, local):
    base, _ = local
    result = run(base + "/redirect/2")
    assert result.returncode == 0
    assert result.stdout == b"moved\n"  # not followed without -L
    result = run("-L", "-w", "%{num_redirects} %{url_effective}",
                 base + "/redirect/2")
    assert result.returncode == 0
    assert result.stdout == b"landed\n2 " + base.encode() + b"/redirect/0"
    result = run("-L", "--max-redirs", "1", base + "/redirect/2")
    assert result.returncode == 47


def test_compressed(run, hostile):
    result = run(hostile + "/gzip")
    assert result.stdout[:2] == b"\x1f\x8b"  # as sent: curl decodes nothing
    result = run("--compressed", hostile + "/gzip")
    assert result.returncode == 0
    assert result.stdout == b"hello gzip\n" * 100


# ---- TLS, DNS and proxies ---------------------------------------------------------------------


def test_https_with_cacert_and_insecure(run):
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTPS_PORT")
    result = run("--cacert", env("ASYNC_TEST_CA"), url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    result = run("-k", url)
    assert result.returncode == 0, result.stderr
    result = run("-k", "https://127.0.0.1:%s/"
                 % env("ASYNC_TEST_HTTPS_EXPIRED_PORT"))
    assert result.returncode == 0, result.stderr


def test_client_certificate(run):
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTPS_CLIENT_PORT")
    ca = env("ASYNC_TEST_CA")
    result = run("--cacert", ca, "--cert", env("ASYNC_TEST_CLIENT_CERT"),
                 "--key", env("ASYNC_TEST_CLIENT_KEY"), url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"client ok\n"
    result = run("--cacert", ca, "-f", url)
    assert result.returncode == 22  # nginx answers 400 without one


def test_resolve(run):
    port = env("ASYNC_TEST_HTTP_PORT")
    url = "http://nowhere.test:%s/" % port
    result = run("--resolve", "nowhere.test:%s:127.0.0.1" % port,
                 "--resolve", "other.test:1:127.0.0.1", url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    result = run("--resolve", "https://127.0.0.1/", url)
    assert result.returncode == 2


def test_dns_servers(run):
    port = env("ASYNC_TEST_HTTP_PORT")
    dns = "127.0.0.1:" + env("ASYNC_TEST_DNS_PORT")
    result = run("--dns-servers", dns, "http://v4.test:%s/" % port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"


def proxy_log():
    """What the proxy has been asked since the last call."""
    path = env("ASYNC_TEST_PROXY_LOG")
    with open(path, "r+") as f:
        lines = f.read().splitlines()
        f.truncate(0)
    return lines


def test_proxy(run, nginx):
    proxy = "127.0.0.1:" + env("ASYNC_TEST_PROXY_PORT")
    proxy_log()
    result = run("-x", proxy, nginx + "/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    assert proxy_log() == ["GET %s/" % nginx]
    port = env("ASYNC_TEST_HTTPS_PORT")
    result = run("-x", "http://" + proxy, "--cacert", env("ASYNC_TEST_CA"),
                 "https://127.0.0.1:%s/" % port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    assert proxy_log() == ["CONNECT 127.0.0.1:%s" % port]
    result = run("-x", proxy, "--noproxy", "127.0.0.1", nginx + "/")
    assert result.returncode == 0, result.stderr
    assert proxy_log() == []


def test_proxy_names_the_host(run):
    # The proxy resolves .test names itself; nx.test it cannot (502).
    proxy = "127.0.0.1:" + env("ASYNC_TEST_PROXY_PORT")
    port = env("ASYNC_TEST_HTTP_PORT")
    result = run("-x", proxy, "http://a.test:%s/" % port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"hello from nginx\n"
    result = run("-x", proxy, "-w", "%{http_code}", "-o", "/dev/null",
                 "http://nx.test:%s/" % port)
    assert result.stdout == b"502"


def test_proxy_from_environment(run, nginx):
    base = {k: v for k, v in os.environ.items()
            if k.lower() not in ("http_proxy", "https_proxy", "no_proxy",
                                 "all_proxy")}
    proxy = "http://127.0.0.1:" + env("ASYNC_TEST_PROXY_PORT")
    proxy_log()
    result = run(nginx + "/", env=dict(base, http_proxy=proxy))
    assert result.returncode == 0, result.stderr
    assert proxy_log() == ["GET %s/" % nginx]
    https = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTPS_PORT")
    result = run("--cacert", env("ASYNC_TEST_CA"), https,
                 env=dict(base, https_proxy=proxy))
    assert result.returncode == 0, result.stderr
    assert len(proxy_log()) == 1
    # A proxy where nothing listens proves the variable is used.
    dead = "http://127.0.0.1:%s" % env("ASYNC_TEST_FREE_PORT")
    result = run(nginx + "/", env=dict(base, http_proxy=dead))
    assert result.returncode == 7, result.stderr
    result = run("--noproxy", "*", nginx + "/", env=dict(base, http_proxy=dead))
    assert result.returncode == 0, result.stderr
    result = run(nginx + "/", env=dict(base, http_proxy=dead,
                                       no_proxy="127.0.0.1"))
    assert result.returncode == 0, result.stderr


def test_httpbin_post(run):
    url = "http://127.0.0.1:%s/post" % env("ASYNC_TEST_HTTPBIN_PORT")
    result = run("-d", "name=value", "-H", "X-Check: 1", url)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["form"] == {"name": "value"}
    assert body["headers"]["X-Check"] == "1"


# ---- -w, -s, -S, -v ---------------------------------------------------------------------------


def test_write_out_variables(run, nginx):
    fmt = ("code=%{http_code} dns=%{time_namelookup} "
           "connect=%{time_connect} tls=%{time_appconnect} "
           "first=%{time_starttransfer} total=%{time_total} "
           "size=%{size_download} connects=%{num_connects} "
           "url=%{url_effective} exit=%{exitcode} msg=[%{errormsg}] "
           "pct=%%\\n")
    result = run("--parallel-max", "1", "-w", fmt, nginx + "/", nginx + "/")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    pattern = (r"hello from nginx\ncode=200 dns=(\d+\.\d{6}) "
               r"connect=(\d+\.\d{6}) tls=0\.000000 first=(\d+\.\d{6}) "
               r"total=(\d+\.\d{6}) size=17 connects=(\d) url=(\S+) "
               r"exit=0 msg=\[\] pct=%\n")
    matches = re.findall(pattern, out)
    assert len(matches) == 2, out
    for dns, connect, first, total, _, url in matches:
        assert float(dns) <= float(connect) <= float(first) <= float(total)
        assert url == nginx + "/"
    # The second reuses the first one's connection.
    assert [m[4] for m in matches] == ["1", "0"]


def test_write_out_on_failure(run):
    url = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    result = run("-s", "-w", "%{http_code} %{exitcode} %{errormsg}", url)
    assert result.returncode == 7
    assert result.stderr == b""
    out = result.stdout.decode()
    assert out.startswith("000 7 ")
    assert url in out


def test_write_out_https_and_file(run, tmp_path):
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTPS_PORT")
    fmt = tmp_path / "format"
    fmt.write_text("%{time_connect} %{time_appconnect} %{time_total}\n")
    result = run("--cacert", env("ASYNC_TEST_CA"), "-o", "/dev/null",
                 "-w", "@%s" % fmt, url)
    assert result.returncode == 0, result.stderr
    connect, tls, total = (float(x) for x in result.stdout.split())
    assert 0 < connect <= tls <= total


def test_write_out_unknown_variable(run, nginx):
    result = run("-o", "/dev/null", "-w", "[%{nope}]", nginx + "/")
    assert result.returncode == 0
    assert result.stdout == b"[]"
    assert b"nope" in result.stderr


def test_silent_and_show_error(run):
    url = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    result = run("-s", url)
    assert result.returncode == 7
    assert result.stderr == b""
    result = run("-sS", url)
    assert result.returncode == 7
    assert_fails(result, 7, url)
    result = run("-s", "-S", url)
    assert_fails(result, 7, url)


def test_verbose(run, nginx):
    result = run("-v", nginx + "/")
    assert result.returncode == 0
    assert result.stdout == b"hello from nginx\n"
    lines = result.stderr.decode().splitlines()
    assert lines[0] == "> GET / HTTP/1.1\r" or lines[0] == "> GET / HTTP/1.1"
    assert any(line.startswith("> Host: 127.0.0.1:") for line in lines)
    assert any(line.startswith("> User-Agent: libasync/") for line in lines)
    assert any(line.startswith("< HTTP/1.1 200 OK") for line in lines)
    assert any(line.startswith("< Content-Length: 17") for line in lines)
    for line in lines:
        assert line[:2] in ("> ", "< ", "* ") or line in (">", "<"), line


def test_verbose_does_not_interleave(run, local):
    base, _ = local
    result = run("-v", base + "/delay/0.4/a", base + "/delay/0/b")
    text = result.stderr.decode()
    # The first transfer's request and response come before the second's.
    assert text.index("GET /delay/0.4/a") < text.index("GET /delay/0/b")
    first_response = text.index("< HTTP/1.0 200") \
        if "< HTTP/1.0 200" in text else text.index("< HTTP/1.1 200")
    assert first_response < text.index("GET /delay/0/b")


# ---- the progress bar ---------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(run, local):
    base, _ = local
    result = run(base + "/delay/1/a", base + "/delay/1/b")
    assert result.returncode == 0
    assert result.stderr == b""
    result = run("-o", "/dev/null", base + "/delay/1/a")
    assert result.stderr == b""


def test_progress_bar_on_a_terminal(binary, local, tmp_path):
    base, _ = local
    master, slave = pty.openpty()
    out = tmp_path / "out"
    with open(out, "wb") as stdout:
        proc = subprocess.Popen([binary, base + "/delay/1.2/a",
                                 base + "/delay/1.2/b"],
                                stdout=stdout, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(TIMEOUT)
    os.close(master)
    assert proc.returncode == 0
    assert out.read_bytes() == b"a\nb\n"
    assert b"%" in seen and b"2/2" in seen, seen
