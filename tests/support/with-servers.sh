#!/usr/bin/env bash
# Runs a command with the servers the network tests need, on 127.0.0.1
# ports chosen at run time, and stops them when the command ends:
#
#   with-servers.sh [--only nginx,dns,dnsscript,httpbin,hostile,proxy] \
#     -- COMMAND [ARGS...]
#
# --only starts a subset (default: all six). Everything lives in a fresh
# temporary directory, removed on exit (set ASYNC_TEST_KEEP_DIR=1 to keep
# it for a look at the logs). The exit status is COMMAND's.
#
#   nginx      HTTP, and HTTPS with certificates made now by make-certs.sh
#   dns        dnsmasq, serving the names below from its command line
#   dnsscript  dns_script.py, a scripted DNS server for failure cases
#              (its docstring lists the names it answers)
#   httpbin    httpbin_server.py: Debian's python3-httpbin, threaded,
#              HTTP/1.1 with keep-alive (run by a Python that can import
#              httpbin: python3 if it can, else /usr/bin/python3)
#   hostile    hostile_server.py, a scripted HTTP/1.1 server for malformed
#              and hostile replies, with connection and request counts
#              (its docstring lists the paths it answers)
#   proxy      proxy_server.py, a forward HTTP proxy (absolute-form
#              requests and CONNECT tunnels) that logs each request
#
# COMMAND gets these environment variables (those of a server that was not
# started are left unset):
#
#   ASYNC_TEST_DIR                    the temporary directory
#   ASYNC_TEST_CA                     CA certificate (PEM) that signed the
#                                     servers' and the client's certificates
#   ASYNC_TEST_OTHER_CA               a CA certificate that signed none
#   ASYNC_TEST_CLIENT_CERT            client certificate (PEM, CN
#   ASYNC_TEST_CLIENT_KEY               libasync-test-client) and its key
#   ASYNC_TEST_FREE_PORT              a 127.0.0.1 (and ::1) TCP port nothing
#                                     listens on
#   ASYNC_TEST_IPV6                   1 if ::1 is usable, else 0
#   ASYNC_TEST_WWW                    nginx's document root: index.html
#                                     ("hello from nginx\n"), 1k.bin, 1m.bin
#   ASYNC_TEST_HTTP_PORT              plain HTTP, on 127.0.0.1 and, if
#                                     ASYNC_TEST_IPV6 is 1, on [::1]
#   ASYNC_TEST_HTTPS_PORT             TLS 1.2 and 1.3, certificate for
#                                     localhost, 127.0.0.1 and ::1;
#                                     sessions resume (cache and tickets)
#   ASYNC_TEST_HTTPS_EXPIRED_PORT     an expired certificate
#   ASYNC_TEST_HTTPS_WRONGHOST_PORT   a certificate for wrong.example
#   ASYNC_TEST_HTTPS_SELFSIGNED_PORT  a self-signed certificate
#   ASYNC_TEST_HTTPS_CLIENT_PORT      requires a client certificate signed
#                                     by ASYNC_TEST_CA: "/" answers 200
#                                     "client ok\n", 400 without one
#   ASYNC_TEST_HTTPS_TLS12_PORT       TLS 1.2 only
#   ASYNC_TEST_DNS_PORT               dnsmasq (UDP and TCP), records
#                                     (TTL 60 unless said otherwise):
#                                       a.test          127.0.0.1, ::1
#                                       v4.test         127.0.0.1 only
#                                       localhost.test  127.0.0.1, ::1
#                                       he.test         ::1, 127.0.0.1
#                                       short.test      127.0.0.2, TTL 1
#                                       long.test       127.0.0.3, TTL 3600
#                                     other names under .test: NXDOMAIN;
#                                     anything else: REFUSED
#   ASYNC_TEST_DNSMASQ_LOG            dnsmasq's log (one line per query)
#   ASYNC_TEST_DNSSCRIPT_PORT         dns_script.py (UDP and TCP)
#   ASYNC_TEST_DNSSCRIPT_LOG          its log: "NAME TYPE PROTO" per question;
#                                     tests may truncate it
#   ASYNC_TEST_HTTPBIN_PORT           httpbin (plain HTTP, 127.0.0.1 only):
#                                     /get, /post, /status/N, /redirect/N,
#                                     /redirect-to, /absolute-redirect/N,
#                                     /delay/N, /stream/N, /bytes/N, /gzip,
#                                     /deflate, /headers, /anything, ...
#   ASYNC_TEST_HOSTILE_PORT           hostile_server.py (plain HTTP,
#                                     127.0.0.1 only): /ok, /bad-status,
#                                     /chunk-cut, /stats, ... (see there)
#   ASYNC_TEST_PROXY_PORT             proxy_server.py (127.0.0.1 only):
#                                     "GET http://HOST:PORT/..." and
#                                     "CONNECT HOST:PORT" to loopback
#                                     targets; "localhost" and names under
#                                     .test mean 127.0.0.1 (nx.test: 502)
#   ASYNC_TEST_PROXY_LOG              its log: "METHOD TARGET" per request
#                                     (the target as the client sent it),
#                                     written before the proxy acts on it;
#                                     tests may truncate it
#
# All HTTPS ports and the HTTP port serve the same document root (but "/"
# on the client-certificate port, which answers as above). Only the
# HTTP port listens on [::1]: connecting to he.test on any HTTPS port finds
# nothing on ::1 and a server on 127.0.0.1 (Happy Eyeballs).
#
# Stopping: the servers run in this script's process group (no setsid), so
# a signal to the group (Ctrl-C in a terminal, kill -- -PGID) reaches them
# too. On exit, normal or by SIGINT, SIGTERM or SIGHUP, the script sends
# SIGTERM to COMMAND if it still runs and then to each server by its PID,
# SIGKILL to whatever is left after 2 s, waits for them and removes the
# directory. Each server, and COMMAND, is started under
# `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM if this script
# dies without cleaning up (SIGKILL); the directory then stays behind.
#
# PID files: ASYNC_TEST_DIR/{nginx,dnsmasq,dnsscript,httpbin,hostile,
# proxy}.pid. Logs: error.log (nginx), dnsmasq.log, dnsscript.log,
# proxy.log, and NAME.out (each server's standard output and error: the
# port it chose, then httpbin's line per request and any error of the
# Python servers).
set -euo pipefail

prog=with-servers.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
startup_timeout=10

usage() {
  echo "usage: $prog [--only nginx,dns,dnsscript,httpbin,hostile,proxy]" \
    "-- COMMAND [ARGS...]"
}

die() {
  echo "$prog: $*" >&2
  exit 1
}

only=nginx,dns,dnsscript,httpbin,hostile,proxy
while (($# > 0)); do
  case $1 in
    --only)
      (($# >= 2)) || die "--only needs a list of servers"
      only=$2
      shift 2
      ;;
    --only=*)
      only=${1#--only=}
      shift
      ;;
    --)
      shift
      break
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
done
if (($# == 0)); then
  usage >&2
  exit 2
fi

want_nginx=0
want_dns=0
want_dnsscript=0
want_httpbin=0
want_hostile=0
want_proxy=0
IFS=, read -r -a servers <<<"$only"
for server in "${servers[@]}"; do
  case $server in
    nginx) want_nginx=1 ;;
    dns) want_dns=1 ;;
    dnsscript) want_dnsscript=1 ;;
    httpbin) want_httpbin=1 ;;
    hostile) want_hostile=1 ;;
    proxy) want_proxy=1 ;;
    "") ;;
    *)
      die "unknown server \"$server\"" \
        "(use nginx, dns, dnsscript, httpbin, hostile, proxy)"
      ;;
  esac
done

# Debian installs both in /usr/sbin, which a user's PATH may lack.
find_tool() {
  local found
  found=$(PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null) ||
    die "$1 not found: install Debian's $2 (apt-get install $2)"
  printf '%s\n' "$found"
}
for tool in python3 openssl; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool not found: install Debian's $tool (apt-get install $tool)"
done
if ((want_nginx)); then
  nginx_bin=$(find_tool nginx nginx-light)
fi
if ((want_dns)); then
  dnsmasq_bin=$(find_tool dnsmasq dnsmasq-base)
fi
# Debian's httpbin is a module of Debian's Python, which need not be the
# python3 first on PATH.
if ((want_httpbin)); then
  httpbin_python=""
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import importlib.util, sys
sys.exit(importlib.util.find_spec("httpbin") is None)' 2>/dev/null; then
      httpbin_python=$(command -v "$candidate")
      break
    fi
  done
  [[ -n "$httpbin_python" ]] ||
    die "no python3 can import httpbin: install Debian's python3-httpbin" \
      "(apt-get install python3-httpbin)"
fi
launcher=()
if command -v setpriv >/dev/null 2>&1 &&
  setpriv --pdeathsig TERM -- true >/dev/null 2>&1; then
  launcher=(setpriv --pdeathsig TERM --)
fi
is_root=0
if [[ "$(id -u)" == 0 ]]; then
  is_root=1
fi

# ---- cleanup -----------------------------------------------------------------

dir=""
cmd_pid=""
declare -A pid_of=()

# alive PID: whether PID runs (an exited child not yet waited for does not).
alive() {
  local stat
  if [[ -r /proc/$$/stat ]]; then
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != [ZX] ]]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

# children PID: the PIDs of PID's children (nginx's worker, dnsmasq's TCP
# helpers), found in /proc.
children() {
  local entry stat
  for entry in /proc/[0-9]*/stat; do
    { read -r stat <"$entry"; } 2>/dev/null || continue
    # "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
    stat=${stat##*) }
    stat=${stat#* }
    if [[ "${stat%% *}" == "$1" ]]; then
      entry=${entry#/proc/}
      printf '%s\n' "${entry%/stat}"
    fi
  done
}

# stop PID...: SIGTERM, then SIGKILL (children first) to what is left
# after 2 s; reaps them.
stop() {
  local pid i left child
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < 100; i++)); do
    left=0
    for pid in "$@"; do
      if alive "$pid"; then
        left=1
      fi
    done
    ((left)) || break
    sleep 0.02
  done
  for pid in "$@"; do
    if alive "$pid"; then
      echo "$prog: process $pid ignored SIGTERM for 2 s; killing it" >&2
      for child in $(children "$pid"); do
        kill -KILL "$child" 2>/dev/null || true
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in "$@"; do
    wait "$pid" 2>/dev/null || true
  done
}

# shellcheck disable=SC2317 # run by the trap below
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n "$cmd_pid" ]] && alive "$cmd_pid"; then
    stop "$cmd_pid"
  fi
  if ((${#pid_of[@]} > 0)); then
    stop "${pid_of[@]}"
  fi
  if [[ -n "$dir" && -d "$dir" ]]; then
    if [[ "${ASYNC_TEST_KEEP_DIR:-0}" == 1 ]]; then
      echo "$prog: kept $dir" >&2
    else
      rm -rf "$dir"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

dir=$(mktemp -d -t libasync-test.XXXXXX)

# ---- helpers -----------------------------------------------------------------

# launch NAME COMMAND [ARGS...]: starts a server in the background with its
# output in DIR/NAME.out; its PID goes to pid_of[NAME]. It must be called
# from this shell, not a subshell, for --pdeathsig to refer to this script.
launch() {
  local name=$1
  shift
  "${launcher[@]}" "$@" </dev/null >"$dir/$name.out" 2>&1 &
  pid_of[$name]=$!
}

# forget NAME: stops the server NAME (after a failed start).
forget() {
  stop "${pid_of[$1]}"
  unset "pid_of[$1]"
}

# fail NAME PID LOG...: the server NAME (process PID) did not start; shows
# the end of its logs (the directory is about to go) and exits.
fail() {
  local name=$1 pid=$2 log why
  shift 2
  why="did not answer within $startup_timeout s"
  if ! alive "$pid"; then
    why="exited"
  fi
  {
    echo "$prog: $name failed to start ($why); its logs ($*) end with:"
    for log in "$@"; do
      if [[ -s "$log" ]]; then
        echo "--- $log"
        tail -n 20 "$log"
      fi
    done
  } >&2
  exit 1
}

# in_use FILE...: whether the logs report a port already in use.
in_use() {
  grep -qs "Address already in use" "$@"
}

# Whether ::1 is usable, then N ports free on 127.0.0.1 for TCP and UDP
# (and on ::1 if usable), held together so they are distinct:
#   probe N  ->  "IPV6 PORT..."
probe() {
  python3 - "$1" <<'EOF'
import socket
import sys

try:
    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
    ipv6 = True
except OSError:
    ipv6 = False
binds = [(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")]
if ipv6:
    binds += [(socket.AF_INET6, socket.SOCK_STREAM, "::1"),
              (socket.AF_INET6, socket.SOCK_DGRAM, "::1")]
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.append(s)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    try:
        for family, kind, address in binds:
            t = socket.socket(family, kind)
            held.append(t)
            t.bind((address, port))
    except OSError:
        continue
    ports.append(port)
print(int(ipv6), *ports)
EOF
}

# wait_nginx PID PORT...: waits until nginx (PID) has opened all its
# listening sockets (it logs "start worker processes" only then: another
# process could be the one accepting on a port) and every port accepts a
# connection on 127.0.0.1. Exits 0 when they do, 1 on timeout, 3 if nginx
# exited, 4 if a port is in use (nginx would retry for 2.5 s first).
wait_nginx() {
  python3 - "$startup_timeout" "$dir/error.log" "$@" <<'EOF'
import socket
import sys
import time

deadline = time.monotonic() + float(sys.argv[1])
log, pid = sys.argv[2], int(sys.argv[3])
ports = [int(p) for p in sys.argv[4:]]


def alive():
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def logged(text):
    try:
        with open(log, errors="replace") as f:
            return text in f.read()
    except OSError:
        return False


while time.monotonic() < deadline:
    if logged("Address already in use"):
        sys.exit(4)
    if not alive():
        sys.exit(3)
    if logged("start worker processes"):
        break
    time.sleep(0.02)
while ports and time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", ports[0]), timeout=1).close()
        ports.pop(0)
    except OSError:
        if not alive():
            sys.exit(3)
        time.sleep(0.02)
sys.exit(1 if ports else 0)
EOF
}

# ---- dns_script.py -----------------------------------------------------------

start_dnsscript() {
  launch dnsscript python3 "$here/dns_script.py" --port 0 \
    --log "$dir/dnsscript.log"
  echo "${pid_of[dnsscript]}" >"$dir/dnsscript.pid"
}

ready_dnsscript() {
  local i port="" pid=${pid_of[dnsscript]}
  for ((i = 0; i < startup_timeout * 50; i++)); do
    if [[ -s "$dir/dnsscript.out" ]]; then
      # A complete line (read succeeds) holding a number.
      if read -r port <"$dir/dnsscript.out" && [[ "$port" =~ ^[0-9]+$ ]]; then
        break
      fi
      port=""
    fi
    alive "$pid" || break
    sleep 0.02
  done
  if [[ -z "$port" ]] ||
    ! python3 "$here/dns_query.py" --port "$port" --pid "$pid" \
      --timeout "$startup_timeout" nx.test A >/dev/null; then
    fail dns_script.py "$pid" "$dir/dnsscript.out"
  fi
  dnsscript_port=$port
  # The readiness query is not one of the tests'.
  : >"$dir/dnsscript.log"
}

# ---- the HTTP servers: httpbin, hostile, proxy -------------------------------

# Each binds a free port itself and prints it on the first line of its
# standard output once it listens, so no other process can be the one that
# answers there.

start_httpbin() {
  launch httpbin "$httpbin_python" "$here/httpbin_server.py" --port 0
  echo "${pid_of[httpbin]}" >"$dir/httpbin.pid"
}

start_hostile() {
  launch hostile python3 "$here/hostile_server.py" --port 0
  echo "${pid_of[hostile]}" >"$dir/hostile.pid"
}

start_proxy() {
  : >"$dir/proxy.log"
  launch proxy python3 "$here/proxy_server.py" --port 0 \
    --log "$dir/proxy.log"
  echo "${pid_of[proxy]}" >"$dir/proxy.pid"
}

# ready_port NAME SCRIPT VAR: waits until the server NAME has printed its
# port (a complete line holding a number, its first such line: a Python
# warning could come before it) and sets VAR to it; fails if it exits or
# takes longer than startup_timeout.
ready_port() {
  local name=$1 script=$2 pid=${pid_of[$1]} i line port=""
  for ((i = 0; i < startup_timeout * 50; i++)); do
    if [[ -s "$dir/$name.out" ]]; then
      # read fails on a last line without its newline: still being
      # written.
      while IFS= read -r line; do
        if [[ "$line" =~ ^[0-9]+$ ]]; then
          port=$line
          break
        fi
      done <"$dir/$name.out"
      [[ -n "$port" ]] && break
    fi
    alive "$pid" || break
    sleep 0.02
  done
  if [[ -z "$port" ]] || ! alive "$pid"; then
    fail "$script" "$pid" "$dir/$name.out"
  fi
  printf -v "$3" '%s' "$port"
}

# ---- dnsmasq -------------------------------------------------------------------

start_dnsmasq() {
  # shellcheck disable=SC2054 # the commas are dnsmasq's
  local args=(
    --keep-in-foreground
    --conf-file=/dev/null
    "--port=$dns_port"
    --listen-address=127.0.0.1
    --bind-interfaces
    --no-resolv
    --no-hosts
    --no-poll
    --log-queries
    "--log-facility=$dir/dnsmasq.log"
    "--pid-file=$dir/dnsmasq.pid"
    # Names under .test that no record below names are NXDOMAIN; nothing
    # is forwarded anywhere.
    --local=/test/
    --local-ttl=60
    --host-record=a.test,127.0.0.1,::1,60
    --host-record=v4.test,127.0.0.1,60
    --host-record=localhost.test,127.0.0.1,::1,60
    --host-record=he.test,127.0.0.1,::1,60
    --host-record=short.test,127.0.0.2,1
    --host-record=long.test,127.0.0.3,3600
  )
  if ((is_root)); then
    # Otherwise it would switch to an unprivileged user that cannot write
    # to the directory.
    args+=(--user=root --group=root)
  fi
  launch dnsmasq "$dnsmasq_bin" "${args[@]}"
}

ready_dnsmasq() {
  local attempt
  for attempt in 1 2 3 4 5; do
    # A reply could come from another server on the port, if dnsmasq
    # failed to bind it: dnsmasq must still run after it.
    if python3 "$here/dns_query.py" --port "$dns_port" \
      --pid "${pid_of[dnsmasq]}" --timeout "$startup_timeout" \
      a.test A >/dev/null 2>&1 && alive "${pid_of[dnsmasq]}"; then
      return 0
    fi
    # Someone took the port since we chose it: try another.
    if ! alive "${pid_of[dnsmasq]}" && ((attempt < 5)) &&
      in_use "$dir/dnsmasq.out" "$dir/dnsmasq.log"; then
      forget dnsmasq
      dns_port=$(probe 1)
      dns_port=${dns_port#* }
      start_dnsmasq
      continue
    fi
    break
  done
  fail dnsmasq "${pid_of[dnsmasq]}" "$dir/dnsmasq.log" "$dir/dnsmasq.out"
}

# ---- nginx -------------------------------------------------------------------

make_www() {
  mkdir -p "$dir/www"
  printf 'hello from nginx\n' >"$dir/www/index.html"
  head -c 1024 /dev/urandom >"$dir/www/1k.bin"
  head -c 1048576 /dev/urandom >"$dir/www/1m.bin"
}

write_nginx_conf() {
  local user="" ipv6_listen=""
  if ((is_root)); then
    user="user root;"
  fi
  if ((ipv6)); then
    ipv6_listen="listen [::1]:$http_port;"
  fi
  mkdir -p "$dir/nginx-tmp"
  cat >"$dir/nginx.conf" <<EOF
$user
worker_processes 1;
pid $dir/nginx.pid;
# Level info: handshake failures are logged; ready_nginx looks for a notice.
error_log $dir/error.log info;

events {
    worker_connections 1024;
}

http {
    access_log off;
    client_body_temp_path $dir/nginx-tmp/client_body;
    proxy_temp_path $dir/nginx-tmp/proxy;
    fastcgi_temp_path $dir/nginx-tmp/fastcgi;
    uwsgi_temp_path $dir/nginx-tmp/uwsgi;
    scgi_temp_path $dir/nginx-tmp/scgi;

    types {
        text/html html;
        text/plain txt;
        application/json json;
        application/octet-stream bin;
    }
    default_type application/octet-stream;
    root $dir/www;
    sendfile on;
    keepalive_timeout 60s;
    keepalive_requests 1000;

    gzip on;
    gzip_min_length 1;
    gzip_types text/plain application/json;

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    ssl_session_timeout 1h;
    ssl_session_tickets on;

    server {
        listen 127.0.0.1:$http_port;
        $ipv6_listen
        server_name localhost;
    }

    server {
        listen 127.0.0.1:$https_port ssl;
        server_name localhost;
        ssl_certificate $dir/valid.pem;
        ssl_certificate_key $dir/valid.key;
    }

    server {
        listen 127.0.0.1:$https_expired_port ssl;
        server_name localhost;
        ssl_certificate $dir/expired.pem;
        ssl_certificate_key $dir/expired.key;
    }

    server {
        listen 127.0.0.1:$https_wronghost_port ssl;
        server_name wrong.example;
        ssl_certificate $dir/wronghost.pem;
        ssl_certificate_key $dir/wronghost.key;
    }

    server {
        listen 127.0.0.1:$https_selfsigned_port ssl;
        server_name localhost;
        ssl_certificate $dir/selfsigned.pem;
        ssl_certificate_key $dir/selfsigned.key;
    }

    server {
        listen 127.0.0.1:$https_client_port ssl;
        server_name localhost;
        ssl_certificate $dir/valid.pem;
        ssl_certificate_key $dir/valid.key;
        # Without a certificate signed by the CA nginx answers 400.
        ssl_verify_client on;
        ssl_client_certificate $dir/ca.pem;
        location = / {
            default_type text/plain;
            return 200 "client ok\n";
        }
    }

    server {
        listen 127.0.0.1:$https_tls12_port ssl;
        server_name localhost;
        ssl_protocols TLSv1.2;
        ssl_certificate $dir/valid.pem;
        ssl_certificate_key $dir/valid.key;
    }
}
EOF
}

start_nginx() {
  write_nginx_conf
  : >"$dir/error.log"
  launch nginx "$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" \
    -e "$dir/error.log" -g 'daemon off;'
}

nginx_ports() {
  echo "$http_port" "$https_port" "$https_expired_port" \
    "$https_wronghost_port" "$https_selfsigned_port" "$https_client_port" \
    "$https_tls12_port"
}

set_nginx_ports() {
  read -r http_port https_port https_expired_port https_wronghost_port \
    https_selfsigned_port https_client_port https_tls12_port <<<"$*"
}

ready_nginx() {
  local attempt rc fresh
  for attempt in 1 2 3; do
    rc=0
    # shellcheck disable=SC2046 # one argument per port
    wait_nginx "${pid_of[nginx]}" $(nginx_ports) || rc=$?
    if ((rc == 0)); then
      return 0
    fi
    # Someone took a port since we chose it: try others.
    if ((attempt < 3)) && { ((rc == 4)) ||
      in_use "$dir/error.log" "$dir/nginx.out"; }; then
      forget nginx
      fresh=$(probe 7)
      set_nginx_ports "${fresh#* }"
      start_nginx
      continue
    fi
    break
  done
  fail nginx "${pid_of[nginx]}" "$dir/error.log" "$dir/nginx.out"
}

# ---- start -----------------------------------------------------------------------

start_us=${EPOCHREALTIME/[.,]/}
probed=$(probe 9)
read -r ipv6 free_port dns_port ports <<<"$probed"
set_nginx_ports "$ports"

if ((want_dnsscript)); then
  start_dnsscript
fi
if ((want_dns)); then
  start_dnsmasq
fi
# Python takes a moment to start (httpbin's Flask most): they start now
# and come up while the certificates are made.
if ((want_httpbin)); then
  start_httpbin
fi
if ((want_hostile)); then
  start_hostile
fi
if ((want_proxy)); then
  start_proxy
fi
# The certificates are wanted by TLS tests even without nginx.
bash "$here/make-certs.sh" "$dir"
if ((want_nginx)); then
  make_www
  start_nginx
fi

summary=()
if ((want_dnsscript)); then
  ready_dnsscript
  summary+=("dns_script.py=$dnsscript_port")
fi
if ((want_dns)); then
  ready_dnsmasq
  summary+=("dnsmasq=$dns_port")
fi
if ((want_nginx)); then
  ready_nginx
  summary+=("nginx=$(nginx_ports | tr ' ' ',')")
fi
if ((want_httpbin)); then
  ready_port httpbin httpbin_server.py httpbin_port
  summary+=("httpbin=$httpbin_port")
fi
if ((want_hostile)); then
  ready_port hostile hostile_server.py hostile_port
  summary+=("hostile=$hostile_port")
fi
if ((want_proxy)); then
  ready_port proxy proxy_server.py proxy_port
  summary+=("proxy=$proxy_port")
fi
elapsed_ms=$(((${EPOCHREALTIME/[.,]/} - start_us) / 1000))
echo "$prog: servers ready in $elapsed_ms ms: ${summary[*]}" \
  "(free port $free_port)" >&2

# ---- run -------------------------------------------------------------------------

export ASYNC_TEST_DIR="$dir"
export ASYNC_TEST_CA="$dir/ca.pem"
export ASYNC_TEST_OTHER_CA="$dir/otherca.pem"
export ASYNC_TEST_CLIENT_CERT="$dir/client.pem"
export ASYNC_TEST_CLIENT_KEY="$dir/client.key"
export ASYNC_TEST_FREE_PORT="$free_port"
export ASYNC_TEST_IPV6="$ipv6"
if ((want_nginx)); then
  export ASYNC_TEST_WWW="$dir/www"
  export ASYNC_TEST_HTTP_PORT="$http_port"
  export ASYNC_TEST_HTTPS_PORT="$https_port"
  export ASYNC_TEST_HTTPS_EXPIRED_PORT="$https_expired_port"
  export ASYNC_TEST_HTTPS_WRONGHOST_PORT="$https_wronghost_port"
  export ASYNC_TEST_HTTPS_SELFSIGNED_PORT="$https_selfsigned_port"
  export ASYNC_TEST_HTTPS_CLIENT_PORT="$https_client_port"
  export ASYNC_TEST_HTTPS_TLS12_PORT="$https_tls12_port"
fi
if ((want_dns)); then
  export ASYNC_TEST_DNS_PORT="$dns_port"
  export ASYNC_TEST_DNSMASQ_LOG="$dir/dnsmasq.log"
fi
if ((want_dnsscript)); then
  export ASYNC_TEST_DNSSCRIPT_PORT="$dnsscript_port"
  export ASYNC_TEST_DNSSCRIPT_LOG="$dir/dnsscript.log"
fi
if ((want_httpbin)); then
  export ASYNC_TEST_HTTPBIN_PORT="$httpbin_port"
fi
if ((want_hostile)); then
  export ASYNC_TEST_HOSTILE_PORT="$hostile_port"
fi
if ((want_proxy)); then
  export ASYNC_TEST_PROXY_PORT="$proxy_port"
  export ASYNC_TEST_PROXY_LOG="$dir/proxy.log"
fi

# In the background so that a signal to this script runs its trap at once
# (bash runs traps only between foreground commands); the explicit <&0
# keeps COMMAND's standard input, which bash would otherwise replace with
# /dev/null for a background command. Like the servers, COMMAND gets
# SIGTERM if this script is killed outright.
"${launcher[@]}" "$@" <&0 &
cmd_pid=$!
status=0
wait "$cmd_pid" || status=$?
cmd_pid=""
exit "$status"
