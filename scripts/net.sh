#!/usr/bin/env bash
# The network users reach their store over, in front of the local Ceph RGW:
# HTTPS from Debian's nginx (HTTP/2 and HTTP/1.1 by ALPN on one port, HTTP/1.1
# only on another), with a throw-away CA and certificate made at start, and a
# user-space shaper (scripts/shaper.mjs: round-trip delay and rate per
# direction) between the clients and nginx.
#
#   client ──► shaper :8443 (profile) ──► nginx :7443 TLS, h2 + http/1.1 ──► RGW :7480
#   client ──► shaper :8444 (profile) ──► nginx :7444 TLS, http/1.1 only ──► RGW :7480
#
# Usage:
#   scripts/net.sh up [--net lan|wan|home|none]   start (the RGW must be up: scripts/rgw.sh up)
#   scripts/net.sh down                           stop nginx and the shapers by their PIDs
#   scripts/net.sh status                         exit 0 when both fronts answer
#
# Profiles (round trip; rate down / up):
#   lan   1 ms;  1000 / 1000 Mbit/s
#   wan   20 ms; 1000 / 1000 Mbit/s      (the default)
#   home  40 ms;  100 /   20 Mbit/s
#   none  no shaping (the fronts still go through the relay)
#
# What `up` leaves in the state folder (<repo>/.net, or $TESSERA_NET_DIR):
#   env       TESSERA_NET_H2=https://127.0.0.1:8443  TESSERA_NET_H1=https://127.0.0.1:8444
#             TESSERA_NET_CA=<ca.pem>  TESSERA_NET_SPKI=<base64 SHA-256 of the server key>
#             TESSERA_NET_PROFILE, TESSERA_NET_RTT_MS, TESSERA_NET_DOWN_MBIT, TESSERA_NET_UP_MBIT
#   ca.pem    trust it: curl --cacert, aws --ca-bundle, s3cmd --ca-certs,
#             Chromium through an NSS database (see test/helpers/browser.ts)
#   nss/      that NSS database (HOME for Chromium: nss/.pki/nssdb)
#   access.log  nginx's log: "<protocol> <method> <uri> <status>" per request
# Nothing here is committed: the keys are made anew at every start.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${TESSERA_NET_DIR:-$REPO_ROOT/.net}"
case "$STATE" in /*) ;; *) STATE="$REPO_ROOT/$STATE" ;; esac
# One path for the state however it is reached (a symbolic link from a second checkout).
if [[ -d "$STATE" ]]; then STATE="$(cd -P "$STATE" && pwd)"; fi
RGW_ENV="${TESSERA_RGW_DIR:-$REPO_ROOT/.rgw}/env"
case "$RGW_ENV" in /*) ;; *) RGW_ENV="$REPO_ROOT/$RGW_ENV" ;; esac
H2_PORT="${TESSERA_NET_H2_PORT:-8443}"
H1_PORT="${TESSERA_NET_H1_PORT:-8444}"
NGINX_H2_PORT="${TESSERA_NET_NGINX_H2_PORT:-7443}"
NGINX_H1_PORT="${TESSERA_NET_NGINX_H1_PORT:-7444}"

say() { printf '[net] %s\n' "$*"; }
die() { printf '[net] %s\n' "$*" >&2; exit 1; }

stop_pid() {
  local f="$1"
  [[ -f "$f" ]] || return 0
  local pid
  pid="$(cat "$f")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  [[ -d "$STATE" ]] || { say "not running"; return 0; }
  stop_pid "$STATE/pids/shaper-h2"
  stop_pid "$STATE/pids/shaper-h1"
  if [[ -f "$STATE/nginx.pid" ]]; then stop_pid "$STATE/nginx.pid"; fi
  rm -rf "$STATE"
  say "stopped"
}

status() {
  [[ -f "$STATE/env" ]] || return 1
  # shellcheck disable=SC1091
  source "$STATE/env"
  curl -s -o /dev/null --max-time 5 --cacert "$TESSERA_NET_CA" "$TESSERA_NET_H2/" && curl -s -o /dev/null --max-time 5 --cacert "$TESSERA_NET_CA" "$TESSERA_NET_H1/"
}

profile() {
  case "$1" in
    lan) echo "1 1000 1000" ;;
    wan) echo "20 1000 1000" ;;
    home) echo "40 100 20" ;;
    none) echo "0 0 0" ;;
    *) die "unknown profile $1 (lan, wan, home, none)" ;;
  esac
}

up() {
  local prof=wan
  while (($#)); do
    case "$1" in
      --net) prof="$2"; shift 2 ;;
      --net=*) prof="${1#--net=}"; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  read -r rtt downm upm <<<"$(profile "$prof")"
  if status 2>/dev/null; then say "already up ($(grep PROFILE "$STATE/env"))"; return 0; fi
  [[ -f "$RGW_ENV" ]] || die "the local RGW is not up: run scripts/rgw.sh up first"
  command -v nginx >/dev/null || die "nginx is missing: run scripts/install-deps.sh"
  command -v certutil >/dev/null || die "certutil is missing (Debian libnss3-tools): run scripts/install-deps.sh"
  # shellcheck disable=SC1090
  source "$RGW_ENV"
  local rgw="${TESSERA_S3_ENDPOINT#http://}"
  down >/dev/null
  mkdir -p "$STATE/pids" "$STATE/nginx-tmp" "$STATE/nss/.pki/nssdb"

  # A throw-away CA and a server certificate for 127.0.0.1 and localhost.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=Tessera test CA" \
    -keyout "$STATE/ca.key" -out "$STATE/ca.pem" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" -keyout "$STATE/server.key" -out "$STATE/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$STATE/ext.cnf"
  openssl x509 -req -in "$STATE/server.csr" -CA "$STATE/ca.pem" -CAkey "$STATE/ca.key" -CAcreateserial -days 2 -extfile "$STATE/ext.cnf" -out "$STATE/server.pem" 2>/dev/null
  local spki
  spki="$(openssl x509 -in "$STATE/server.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
  certutil -N -d "sql:$STATE/nss/.pki/nssdb" --empty-password
  certutil -A -d "sql:$STATE/nss/.pki/nssdb" -t "C,," -n "Tessera test CA" -i "$STATE/ca.pem"

  cat >"$STATE/nginx.conf" <<EOF
daemon on;
pid $STATE/nginx.pid;
error_log $STATE/error.log warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  log_format proto '\$server_protocol \$request_method \$request_uri \$status';
  access_log $STATE/access.log proto;
  client_body_temp_path $STATE/nginx-tmp/body;
  proxy_temp_path $STATE/nginx-tmp/proxy;
  fastcgi_temp_path $STATE/nginx-tmp/fastcgi;
  uwsgi_temp_path $STATE/nginx-tmp/uwsgi;
  scgi_temp_path $STATE/nginx-tmp/scgi;
  upstream rgw { server $rgw; keepalive 64; }
  ssl_certificate $STATE/server.pem;
  ssl_certificate_key $STATE/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  # Uploads over a long link: a large HTTP/2 receive window, bodies streamed to the store.
  http2_body_preread_size 1m;
  http2_max_concurrent_streams 256;
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_http_version 1.1;
  proxy_read_timeout 600s;
  proxy_send_timeout 600s;
  server {
    listen 127.0.0.1:$NGINX_H2_PORT ssl http2;
    location / { proxy_pass http://rgw; proxy_set_header Host \$http_host; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$NGINX_H1_PORT ssl;
    location / { proxy_pass http://rgw; proxy_set_header Host \$http_host; proxy_set_header Connection ""; }
  }
}
EOF
  nginx -c "$STATE/nginx.conf" -p "$STATE" 2>"$STATE/nginx-start.log" || { cat "$STATE/nginx-start.log" >&2; die "nginx did not start"; }

  local shaper="$REPO_ROOT/scripts/shaper.mjs"
  nohup node "$shaper" --listen "$H2_PORT" --to "127.0.0.1:$NGINX_H2_PORT" --rtt-ms "$rtt" --down-mbit "$downm" --up-mbit "$upm" >"$STATE/shaper-h2.log" 2>&1 &
  echo $! >"$STATE/pids/shaper-h2"
  nohup node "$shaper" --listen "$H1_PORT" --to "127.0.0.1:$NGINX_H1_PORT" --rtt-ms "$rtt" --down-mbit "$downm" --up-mbit "$upm" >"$STATE/shaper-h1.log" 2>&1 &
  echo $! >"$STATE/pids/shaper-h1"

  cat >"$STATE/env" <<EOF
TESSERA_NET_H2=https://127.0.0.1:$H2_PORT
TESSERA_NET_H1=https://127.0.0.1:$H1_PORT
TESSERA_NET_CA=$STATE/ca.pem
TESSERA_NET_NGINX_H2=127.0.0.1:$NGINX_H2_PORT
TESSERA_NET_NGINX_H1=127.0.0.1:$NGINX_H1_PORT
TESSERA_NET_SPKI=$spki
TESSERA_NET_NSS_HOME=$STATE/nss
TESSERA_NET_ACCESS_LOG=$STATE/access.log
TESSERA_NET_PROFILE=$prof
TESSERA_NET_RTT_MS=$rtt
TESSERA_NET_DOWN_MBIT=$downm
TESSERA_NET_UP_MBIT=$upm
EOF
  for _ in $(seq 100); do status && break; sleep 0.1; done
  status || die "the HTTPS fronts do not answer (see $STATE/*.log)"
  say "up: https://127.0.0.1:$H2_PORT (h2 + http/1.1), https://127.0.0.1:$H1_PORT (http/1.1), profile $prof: ${rtt} ms, ${downm}/${upm} Mbit/s; CA $STATE/ca.pem"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
