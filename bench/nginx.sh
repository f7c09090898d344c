# A private nginx for the benchmark scripts (compare.sh, memory.sh), and
# the helpers they share. Source it, don't run it.
# shellcheck shell=bash
#
#   bench_nginx_start DIR WORKER_CONNECTIONS
#       Serves DIR/www (1k.bin: 1 KiB, 64k.bin: 64 KiB, random bytes) on
#       127.0.0.1, plain HTTP on BENCH_HTTP_PORT and HTTPS (TLS 1.2 and
#       1.3, a certificate for 127.0.0.1 and localhost made now by
#       tests/support/make-certs.sh, signed by the CA in BENCH_CA) on
#       BENCH_HTTPS_PORT, both ports ephemeral. One worker, no access log,
#       keep-alive for 1,000,000 requests or 300 s idle. On a machine with
#       two or more CPUs the worker is pinned to CPU 1, so that a client
#       pinned to CPU BENCH_CLIENT_CPU (0) does not share its core.
#   bench_nginx_stop
#       Stops it (by its PID) and waits for it.
#   bench_section_replace FILE TITLE BODY_FILE
#       Replaces the section "## TITLE" of the Markdown FILE (up to the
#       next "## " heading) with TITLE and BODY_FILE's text, or appends it
#       if FILE has none.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_NGINX_PID=""
BENCH_CLIENT_CPU=""
if (($(nproc) >= 2)) && command -v taskset >/dev/null 2>&1; then
  BENCH_CLIENT_CPU=0
fi

bench_die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

# Two free TCP ports on 127.0.0.1, held together so they differ.
bench_free_ports() {
  python3 - <<'PY'
import socket
held = [socket.socket() for _ in range(2)]
for s in held:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))
PY
}

bench_write_nginx_conf() {
  local dir=$1 connections=$2 user="" affinity="" nofile hard
  # Two descriptors per connection at most (a file being sent), within
  # the hard limit, which the worker cannot raise without CAP_SYS_RESOURCE.
  nofile=$((2 * connections + 256))
  hard=$(ulimit -Hn)
  if [[ "$hard" != unlimited ]] && ((hard < nofile)); then
    nofile=$hard
  fi
  if [[ "$(id -u)" == 0 ]]; then
    # Otherwise the worker would run as nobody, who cannot read DIR.
    user="user root;"
  fi
  if [[ -n "$BENCH_CLIENT_CPU" ]]; then
    affinity="worker_cpu_affinity 10;"
  fi
  cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
$affinity
worker_rlimit_nofile $nofile;
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    worker_connections $((connections + 64));
}

http {
    access_log off;
    client_body_temp_path $dir/nginx-tmp/client_body;
    proxy_temp_path $dir/nginx-tmp/proxy;
    fastcgi_temp_path $dir/nginx-tmp/fastcgi;
    uwsgi_temp_path $dir/nginx-tmp/uwsgi;
    scgi_temp_path $dir/nginx-tmp/scgi;
    default_type application/octet-stream;
    root $dir/www;
    sendfile on;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 600s;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;

    server {
        listen 127.0.0.1:$BENCH_HTTP_PORT backlog=4096;
    }

    server {
        listen 127.0.0.1:$BENCH_HTTPS_PORT ssl backlog=4096;
        ssl_certificate $dir/valid.pem;
        ssl_certificate_key $dir/valid.key;
    }
}
CONF
}

# Whether something accepts connections on 127.0.0.1:PORT.
bench_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

bench_nginx_start() {
  local dir=$1 connections=$2 nginx_bin attempt i
  nginx_bin=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx) ||
    bench_die "nginx not found: apt-get install nginx-light"
  mkdir -p "$dir/www" "$dir/nginx-tmp"
  head -c 1024 /dev/urandom >"$dir/www/1k.bin"
  head -c 65536 /dev/urandom >"$dir/www/64k.bin"
  bash "$BENCH_ROOT/tests/support/make-certs.sh" "$dir" ||
    bench_die "could not make the certificates"
  # shellcheck disable=SC2034 # for the scripts that source this file
  BENCH_CA="$dir/ca.pem"
  for attempt in 1 2 3; do
    read -r BENCH_HTTP_PORT BENCH_HTTPS_PORT < <(bench_free_ports)
    bench_write_nginx_conf "$dir" "$connections"
    : >"$dir/error.log"
    "$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
      -g 'daemon off;' >"$dir/nginx.out" 2>&1 &
    BENCH_NGINX_PID=$!
    for ((i = 0; i < 500; i++)); do
      if bench_port_open "$BENCH_HTTP_PORT" &&
        bench_port_open "$BENCH_HTTPS_PORT"; then
        return 0
      fi
      kill -0 "$BENCH_NGINX_PID" 2>/dev/null || break
      sleep 0.02
    done
    bench_nginx_stop
    # A port taken since it was chosen: try others.
    if ((attempt == 3)) ||
      ! grep -qs "Address already in use" "$dir/error.log" "$dir/nginx.out"; then
      break
    fi
  done
  cat "$dir/error.log" "$dir/nginx.out" >&2
  bench_die "nginx did not start"
}

bench_nginx_stop() {
  if [[ -n "$BENCH_NGINX_PID" ]]; then
    kill "$BENCH_NGINX_PID" 2>/dev/null || true
    wait "$BENCH_NGINX_PID" 2>/dev/null || true
    BENCH_NGINX_PID=""
  fi
}

bench_section_replace() {
  local file=$1 title=$2 body=$3 tmp
  tmp=$(mktemp "$file.XXXXXX")
  python3 - "$file" "$title" "$body" >"$tmp" <<'PY'
import sys
path, title, body_path = sys.argv[1:]
heading = "## " + title
with open(path) as f:
    lines = f.read().split("\n")
with open(body_path) as f:
    body = f.read().rstrip("\n")
section = [heading, "", body, ""]
if heading in lines:
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("## ")), len(lines))
    lines[start:end] = section
else:
    while lines and lines[-1] == "":
        lines.pop()
    lines += [""] + section
sys.stdout.write("\n".join(lines).rstrip("\n") + "\n")
PY
  cat "$tmp" >"$file"
  rm -f "$tmp"
}
