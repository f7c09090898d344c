#!/usr/bin/env bash
# Self-test of the network test fixtures: runs with-servers.sh and checks
# from the outside that every server answers as the tests expect (nginx
# over HTTP and each HTTPS port, dnsmasq, dns_script.py, httpbin,
# hostile_server.py, proxy_server.py), that COMMAND's
# exit status comes back, and that no server outlives the script, whether
# the command ends, the script is sent SIGTERM, or it is killed outright.
#
#   test_fixtures.sh
#
# Prints one "ok" or "not ok" line per check; exits 1 if any failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
failures=0

ok() {
  echo "ok - $*"
}

not_ok() {
  echo "not ok - $*"
  failures=$((failures + 1))
}

# check DESCRIPTION COMMAND...: runs COMMAND, its output shown on failure.
check() {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    ok "$what"
  else
    not_ok "$what"
    printf '%s\n' "$out" | sed 's/^/    /'
  fi
}

# ---- inside with-servers.sh ------------------------------------------------

# alive PID: whether PID runs (a zombie does not).
alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != [ZX] ]]
}

# The servers' PIDs, their children's (nginx's worker) included.
server_pids() {
  local name pid entry stat
  for name in nginx dnsmasq dnsscript httpbin hostile proxy; do
    read -r pid <"$ASYNC_TEST_DIR/$name.pid"
    echo "$pid"
    for entry in /proc/[0-9]*/stat; do
      { read -r stat <"$entry"; } 2>/dev/null || continue
      stat=${stat##*) }
      stat=${stat#* }
      if [[ "${stat%% *}" == "$pid" ]]; then
        entry=${entry#/proc/}
        echo "${entry%/stat}"
      fi
    done
  done
}

http_get() {
  python3 - "$@" <<'EOF'
import os
import ssl
import sys
import urllib.request

url, expected = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=os.environ["ASYNC_TEST_CA"])
body = urllib.request.urlopen(url, timeout=10, context=ctx).read()
if expected.startswith("@"):
    with open(expected[1:], "rb") as f:
        want = f.read()
else:
    want = expected.encode()
if body != want:
    sys.exit("got %d bytes %r..., expected %d bytes" %
             (len(body), body[:40], len(want)))
EOF
}

http_gzip() {
  python3 - "$@" <<'EOF'
import gzip
import sys
import urllib.request

request = urllib.request.Request(sys.argv[1],
                                 headers={"Accept-Encoding": "gzip"})
response = urllib.request.urlopen(request, timeout=10)
encoding = response.headers.get("Content-Encoding")
body = response.read()
if encoding != "gzip" or gzip.decompress(body) != b"hello from nginx\n":
    sys.exit("Content-Encoding %r, body %r" % (encoding, body))
EOF
}

# s_client PORT [OPTIONS...]: a TLS handshake, verifying against the CA.
s_client() {
  local port=$1
  shift
  timeout 10 openssl s_client -connect "127.0.0.1:$port" \
    -CAfile "$ASYNC_TEST_CA" -verify_return_error -servername localhost \
    "$@" </dev/null 2>&1
}

# expect_output PATTERN COMMAND...: COMMAND's output matches PATTERN
# (grep -E), whatever its exit status.
expect_output() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1) || true
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    printf 'expected /%s/ in:\n%s\n' "$pattern" "$out"
    return 1
  fi
}

# fails COMMAND...: COMMAND exits non-zero.
fails() {
  if "$@" >/dev/null 2>&1; then
    echo "$* succeeded"
    return 1
  fi
}

server_names() {
  s_client "$ASYNC_TEST_HTTPS_WRONGHOST_PORT" -verify_return_error |
    openssl x509 -noout -subject -ext subjectAltName | paste -sd ' '
}

# https_get PORT [--cert] [--tls13]: prints "STATUS BODY" of GET / with
# Python's ssl module.
https_get() {
  python3 - "$@" <<'EOF'
import http.client
import os
import ssl
import sys

port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile=os.environ["ASYNC_TEST_CA"])
if "--cert" in sys.argv:
    ctx.load_cert_chain(os.environ["ASYNC_TEST_CLIENT_CERT"],
                        os.environ["ASYNC_TEST_CLIENT_KEY"])
if "--tls13" in sys.argv:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
conn.request("GET", "/")
response = conn.getresponse()
print(response.status, response.read().decode(errors="replace"), end="")
EOF
}

# resumes PORT VERSION: a second connection resumes the first's session.
resumes() {
  python3 - "$@" <<'EOF'
import os
import socket
import ssl
import sys

port, version = int(sys.argv[1]), getattr(ssl.TLSVersion, sys.argv[2])
ctx = ssl.create_default_context(cafile=os.environ["ASYNC_TEST_CA"])
ctx.minimum_version = ctx.maximum_version = version
session = None
for attempt in range(2):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost",
                             session=session) as tls:
            # TLS 1.3 tickets come after the handshake: read a response.
            tls.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            while tls.recv(4096):
                pass
            if attempt == 1 and not tls.session_reused:
                sys.exit("session not resumed")
            session = tls.session
EOF
}

refused() {
  python3 -c '
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit("connected")' "$1"
}

# dns PORT [dns_query.py OPTIONS...] NAME [TYPE]
dns() {
  local port=$1
  shift
  python3 "$here/dns_query.py" --port "$port" "$@"
}

# dns_is EXPECTED PORT [dns_query.py ARGUMENTS...]: the reply, answers
# sorted, one line each, is EXPECTED (lines separated by "|").
dns_is() {
  local expected=$1 out
  shift
  out=$(dns "$@" | { read -r first; echo "$first"; sort; } | paste -sd '|')
  if [[ "$out" != "$expected" ]]; then
    printf 'got      %s\nexpected %s\n' "$out" "$expected"
    return 1
  fi
}

delayed() {
  local start end
  start=${EPOCHREALTIME/[.,]/}
  dns "$ASYNC_TEST_DNSSCRIPT_PORT" count.test A >/dev/null
  end=${EPOCHREALTIME/[.,]/}
  if (((end - start) / 1000 < 200)); then
    echo "answered after $(((end - start) / 1000)) ms"
    return 1
  fi
}

logged() {
  local line
  for line in "nx.test A udp" "silent.test A udp" "trunc.test A tcp" \
    "v6only.test AAAA udp"; do
    if ! grep -qx "$line" "$ASYNC_TEST_DNSSCRIPT_LOG"; then
      echo "no line \"$line\" in:"
      cat "$ASYNC_TEST_DNSSCRIPT_LOG"
      return 1
    fi
  done
}

# http_check PORT CHECK [ARGS...]: one of the checks below, in Python,
# against the HTTP server on 127.0.0.1:PORT.
http_check() {
  python3 - "$@" <<'EOF'
import json
import os
import socket
import sys

port, check, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]


def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def exchange(sock, request):
    """Sends request; returns (status line, headers, body) of a response
    framed by Content-Length (none: no body)."""
    sock.sendall(request)
    f = sock.makefile("rb")
    status = f.readline().decode("latin-1").rstrip("\r\n")
    headers = {}
    while True:
        line = f.readline().decode("latin-1")
        if line in ("\r\n", ""):
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = f.read(int(headers.get("content-length", 0)))
    return status, headers, body


def get(sock, path, extra=""):
    return exchange(sock, ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n"
                           % (path, port, extra)).encode())


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def expect(what, got, want):
    if got != want:
        sys.exit("%s: got %r, expected %r" % (what, got, want))


def logged(line):
    with open(os.environ["ASYNC_TEST_PROXY_LOG"]) as log:
        lines = log.read().splitlines()
    if line not in lines:
        sys.exit("no line %r in the proxy's log: %r" % (line, lines))


if check == "httpbin-get":
    # JSON from /get, then a second request on the same connection.
    with connect() as s:
        status, headers, body = get(s, "/get?x=1")
        expect("status", status, "HTTP/1.1 200 OK")
        expect("args", json.loads(body)["args"], {"x": "1"})
        expect("Connection", headers.get("connection"), None)
        status = get(s, "/status/418")[0]
        expect("second request on the connection", status.split()[1], "418")
elif check == "hostile-ok":
    with connect() as s:
        for _ in range(3):
            status, _, body = get(s, "/ok")
            expect("status", status, "HTTP/1.1 200 OK")
            expect("body", body, b"ok\n")
elif check == "hostile-stats":
    # 3 connections of 5 requests each, counted exactly; the connections
    # that ask for the counts are not counted.
    def stats(path):
        with connect() as s:
            return json.loads(get(s, path, "Connection: close\r\n")[2])
    stats("/stats/reset")
    for _ in range(3):
        with connect() as s:
            for _ in range(5):
                get(s, "/ok")
    got = stats("/stats")
    expect("counts", (got["connections"], got["requests"]), (3, 15))
elif check == "raw":
    # raw PATH EXPECTED: the server's bytes, up to its close, are EXPECTED
    # (with backslash escapes).
    with connect() as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % args[0].encode())
        want = args[1].encode().decode("unicode_escape").encode("latin-1")
        expect("bytes", read_all(s), want)
elif check == "proxy-get":
    # proxy-get ORIGIN_PORT: GET /ok through the proxy, logged.
    origin = int(args[0])
    url = "http://127.0.0.1:%d/ok" % origin
    with connect() as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                   % (url, origin)).encode())
        reply = read_all(s)
    head, _, body = reply.partition(b"\r\n\r\n")
    expect("status", head.split(b"\r\n")[0], b"HTTP/1.1 200 OK")
    expect("Connection: close", b"\r\nConnection: close" in head, True)
    expect("body", body, b"ok\n")
    logged("GET " + url)
elif check == "proxy-connect":
    # proxy-connect ORIGIN_PORT: two requests through a CONNECT tunnel.
    target = "127.0.0.1:%s" % args[0]
    with connect() as s:
        status = exchange(s, ("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n"
                              % (target, target)).encode())[0]
        expect("CONNECT", status, "HTTP/1.1 200 Connection established")
        for _ in range(2):
            expect("tunnelled body", get(s, "/ok")[2], b"ok\n")
    logged("CONNECT " + target)
elif check == "proxy-connect-refused":
    # proxy-connect-refused PORT: CONNECT to a port nothing listens on.
    target = "127.0.0.1:%s" % args[0]
    with connect() as s:
        status = exchange(s, ("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n"
                              % (target, target)).encode())[0]
    expect("status", status, "HTTP/1.1 502 Bad Gateway")
else:
    sys.exit("unknown check " + check)
EOF
}

inside() {
  local work=$1
  server_pids >"$work/pids"
  echo "$ASYNC_TEST_DIR" >"$work/dir"
  echo "# servers: $(paste -sd ' ' "$work/pids")"

  local http=$ASYNC_TEST_HTTP_PORT www=$ASYNC_TEST_WWW
  check "http: index.html" http_get "http://127.0.0.1:$http/" \
    "hello from nginx"$'\n'
  check "http: 1k.bin" http_get "http://127.0.0.1:$http/1k.bin" "@$www/1k.bin"
  check "http: 1m.bin" http_get "http://127.0.0.1:$http/1m.bin" "@$www/1m.bin"
  check "http: gzip" http_gzip "http://127.0.0.1:$http/"
  if [[ "$ASYNC_TEST_IPV6" == 1 ]]; then
    check "http: on [::1]" http_get "http://[::1]:$http/" \
      "hello from nginx"$'\n'
  else
    ok "http: on [::1] # SKIP no IPv6 loopback"
  fi
  check "free port: connection refused" refused "$ASYNC_TEST_FREE_PORT"

  check "https: verifies" expect_output 'Verify return code: 0 \(ok\)' \
    s_client "$ASYNC_TEST_HTTPS_PORT" -verify_hostname localhost
  check "https: TLS 1.3" expect_output '^New, TLSv1\.3,' \
    s_client "$ASYNC_TEST_HTTPS_PORT" -tls1_3
  check "https: TLS 1.2" expect_output '^New, TLSv1\.2,' \
    s_client "$ASYNC_TEST_HTTPS_PORT" -tls1_2
  check "https: serves 1m.bin" http_get \
    "https://127.0.0.1:$ASYNC_TEST_HTTPS_PORT/1m.bin" "@$www/1m.bin"
  check "https: TLS 1.3 session resumes" resumes \
    "$ASYNC_TEST_HTTPS_PORT" TLSv1_3
  check "https: TLS 1.2 session resumes" resumes \
    "$ASYNC_TEST_HTTPS_PORT" TLSv1_2
  check "https expired: certificate has expired" \
    expect_output 'certificate has expired' \
    s_client "$ASYNC_TEST_HTTPS_EXPIRED_PORT"
  check "https wronghost: names wrong.example" \
    expect_output 'subject=CN = wrong.example.*DNS:wrong.example' \
    server_names
  check "https wronghost: hostname mismatch" \
    expect_output 'hostname mismatch' \
    s_client "$ASYNC_TEST_HTTPS_WRONGHOST_PORT" -verify_hostname localhost
  check "https selfsigned: self-signed certificate" \
    expect_output 'self[- ]signed certificate' \
    s_client "$ASYNC_TEST_HTTPS_SELFSIGNED_PORT"
  check "https: not trusted with the other CA" \
    expect_output 'Verify return code: [1-9]' \
    timeout 10 openssl s_client \
    -connect "127.0.0.1:$ASYNC_TEST_HTTPS_PORT" -CAfile "$ASYNC_TEST_OTHER_CA"
  check "https client: 400 without a certificate" \
    expect_output '^400 ' https_get "$ASYNC_TEST_HTTPS_CLIENT_PORT"
  check "https client: 200 with one" \
    expect_output '^200 client ok$' \
    https_get "$ASYNC_TEST_HTTPS_CLIENT_PORT" --cert
  check "https tls12: TLS 1.2 works" expect_output '^200 ' \
    https_get "$ASYNC_TEST_HTTPS_TLS12_PORT"
  check "https tls12: TLS 1.3 fails" fails \
    https_get "$ASYNC_TEST_HTTPS_TLS12_PORT" --tls13

  local dns=$ASYNC_TEST_DNS_PORT
  check "dnsmasq: a.test A" dns_is \
    "rcode=0 tc=0 answers=1|a.test A 60 127.0.0.1" "$dns" a.test A
  check "dnsmasq: a.test AAAA" dns_is \
    "rcode=0 tc=0 answers=1|a.test AAAA 60 ::1" "$dns" a.test AAAA
  check "dnsmasq: a.test over TCP" dns_is \
    "rcode=0 tc=0 answers=1|a.test A 60 127.0.0.1" "$dns" --tcp a.test
  check "dnsmasq: v4.test has no AAAA" dns_is \
    "rcode=0 tc=0 answers=0" "$dns" v4.test AAAA
  check "dnsmasq: localhost.test AAAA" dns_is \
    "rcode=0 tc=0 answers=1|localhost.test AAAA 60 ::1" "$dns" \
    localhost.test AAAA
  check "dnsmasq: he.test AAAA" dns_is \
    "rcode=0 tc=0 answers=1|he.test AAAA 60 ::1" "$dns" he.test AAAA
  check "dnsmasq: he.test A" dns_is \
    "rcode=0 tc=0 answers=1|he.test A 60 127.0.0.1" "$dns" he.test A
  check "dnsmasq: short.test TTL 1" dns_is \
    "rcode=0 tc=0 answers=1|short.test A 1 127.0.0.2" "$dns" short.test
  check "dnsmasq: long.test TTL 3600" dns_is \
    "rcode=0 tc=0 answers=1|long.test A 3600 127.0.0.3" "$dns" long.test
  check "dnsmasq: other .test names NXDOMAIN" dns_is \
    "rcode=3 tc=0 answers=0" "$dns" nothing.test
  check "dnsmasq: logs queries" grep -q 'query\[AAAA\] a.test' \
    "$ASYNC_TEST_DNSMASQ_LOG"

  local script=$ASYNC_TEST_DNSSCRIPT_PORT many
  many="rcode=0 tc=0 answers=16"
  for i in $(seq 10 25); do
    many+="|many.test A 60 127.0.0.$i"
  done
  check "dns_script: starts with an empty log" \
    test ! -s "$ASYNC_TEST_DNSSCRIPT_LOG"
  check "dns_script: nx.test NXDOMAIN" dns_is \
    "rcode=3 tc=0 answers=0" "$script" nx.test
  check "dns_script: servfail.test SERVFAIL" dns_is \
    "rcode=2 tc=0 answers=0" "$script" servfail.test
  check "dns_script: many.test 16 answers (with EDNS)" dns_is \
    "$many" "$script" --edns many.test
  check "dns_script: silent.test times out" expect_output '^timeout$' \
    dns "$script" --timeout 1 silent.test
  check "dns_script: v6only.test AAAA" dns_is \
    "rcode=0 tc=0 answers=1|v6only.test AAAA 60 ::1" "$script" \
    v6only.test AAAA
  check "dns_script: v6only.test no A" dns_is \
    "rcode=0 tc=0 answers=0" "$script" v6only.test A
  check "dns_script: ttl.test TTL 2" dns_is \
    "rcode=0 tc=0 answers=1|ttl.test A 2 127.0.0.1" "$script" ttl.test
  check "dns_script: trunc.test truncated over UDP" dns_is \
    "rcode=0 tc=1 answers=0" "$script" trunc.test
  check "dns_script: trunc.test 40 answers over TCP" expect_output \
    '^rcode=0 tc=0 answers=40$' dns "$script" --tcp trunc.test
  check "dns_script: count.test answered after 200 ms" delayed
  check "dns_script: unknown names NXDOMAIN" dns_is \
    "rcode=3 tc=0 answers=0" "$script" example.com
  check "dns_script: logs questions" logged

  local httpbin=$ASYNC_TEST_HTTPBIN_PORT hostile=$ASYNC_TEST_HOSTILE_PORT
  local proxy=$ASYNC_TEST_PROXY_PORT
  check "httpbin: /get JSON, keep-alive" http_check "$httpbin" httpbin-get
  check "hostile: /ok, keep-alive" http_check "$hostile" hostile-ok
  check "hostile: /stats counts connections and requests exactly" \
    http_check "$hostile" hostile-stats
  check "hostile: /bad-status bytes" http_check "$hostile" raw /bad-status \
    'HTTP/1.1 abc OK\r\nContent-Length: 3\r\n\r\nok\n'
  local cut='HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
  cut+='5\r\nhello\r\n10\r\nhello'
  check "hostile: /chunk-cut bytes" http_check "$hostile" raw /chunk-cut \
    "$cut"
  check "proxy: starts with an empty log" test ! -s "$ASYNC_TEST_PROXY_LOG"
  check "proxy: forwards a GET" http_check "$proxy" proxy-get "$hostile"
  check "proxy: CONNECT tunnel" http_check "$proxy" proxy-connect "$hostile"
  check "proxy: CONNECT to a closed port is 502" \
    http_check "$proxy" proxy-connect-refused "$ASYNC_TEST_FREE_PORT"

  ((failures == 0))
}

case ${1:-} in
  --inside)
    inside "$2"
    exit
    ;;
  --pids)
    server_pids >"$2/pids"
    echo "$ASYNC_TEST_DIR" >"$2/dir"
    exit
    ;;
esac

# ---- outside ---------------------------------------------------------------

work=$(mktemp -d -t libasync-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT

# gone WHAT: none of the PIDs in $work/pids runs and the directory in
# $work/dir is gone.
gone() {
  local pid i left="" pids
  mapfile -t pids <"$work/pids"
  # A server killed outright by the kernel (parent death) may take a
  # moment; one the script stopped is already reaped.
  for ((i = 0; i < 100; i++)); do
    left=""
    for pid in "${pids[@]}"; do
      if alive "$pid"; then
        left+=" $pid"
      fi
    done
    [[ -z "$left" ]] && break
    sleep 0.02
  done
  if [[ -n "$left" ]]; then
    echo "still running:$left"
    return 1
  fi
  if [[ "${1:-}" != keepdir && -e "$(cat "$work/dir")" ]]; then
    echo "$(cat "$work/dir") is still there"
    return 1
  fi
}

# wrapper_in_background: starts with-servers.sh on a command that records
# the PIDs and waits; returns when they are recorded.
wrapper_in_background() {
  rm -f "$work/pids" "$work/dir" "$work/ready"
  bash "$here/with-servers.sh" -- bash -c '
    bash "$1" --pids "$2" && touch "$2/ready" && exec sleep 60' \
    sh "$self" "$work" 2>"$work/wrapper.err" &
  wrapper=$!
  local i
  for ((i = 0; i < 1000; i++)); do
    [[ -e "$work/ready" ]] && return 0
    alive "$wrapper" || break
    sleep 0.02
  done
  echo "with-servers.sh did not start:"
  cat "$work/wrapper.err"
  return 1
}

start=${EPOCHREALTIME/[.,]/}
rc=0
bash "$here/with-servers.sh" -- bash "$self" --inside "$work" || rc=$?
end=${EPOCHREALTIME/[.,]/}
if ((rc == 0)); then
  ok "with-servers.sh ran the checks ($(((end - start) / 1000)) ms)"
else
  not_ok "with-servers.sh ran the checks: exit status $rc"
fi
if [[ -s "$work/pids" ]]; then
  check "after exit: no server runs, directory removed" gone
fi

rc=0
bash "$here/with-servers.sh" --only dnsscript -- sh -c 'exit 3' \
  2>/dev/null || rc=$?
if ((rc == 3)); then
  ok "exit status of the command comes back"
else
  not_ok "exit status of the command comes back: got $rc, expected 3"
fi

if wrapper_in_background; then
  kill -TERM "$wrapper"
  rc=0
  wait "$wrapper" || rc=$?
  if ((rc == 143)); then
    ok "SIGTERM: with-servers.sh exits 143"
  else
    not_ok "SIGTERM: with-servers.sh exits 143: got $rc"
  fi
  check "SIGTERM: no server runs, directory removed" gone
else
  not_ok "SIGTERM: with-servers.sh started"
fi

if command -v setpriv >/dev/null 2>&1; then
  if wrapper_in_background; then
    kill -KILL "$wrapper"
    wait "$wrapper" 2>/dev/null || true
    check "SIGKILL: no server runs" gone keepdir
    rm -rf "$(cat "$work/dir")"
  else
    not_ok "SIGKILL: with-servers.sh started"
  fi
else
  ok "SIGKILL: no server runs # SKIP no setpriv"
fi

if ((failures > 0)); then
  echo "test_fixtures.sh: $failures check(s) failed"
  exit 1
fi
echo "test_fixtures.sh: all checks passed"
