#!/usr/bin/env bash
# Tessera's throw-away S3 server for tests and the demo store: a single-node Ceph
# (one ceph-mon, one ceph-osd, one radosgw) from Debian 12's packages.
#
# Debian's radosgw 16.2 (Pacific) has no standalone (dbstore) backend, so it needs a
# monitor and an OSD behind it. Everything is bound to 127.0.0.1, has no cephx, and
# keeps its whole state in one folder so it never touches /etc/ceph or /var/lib/ceph.
#
# Usage:
#   scripts/rgw.sh up [--bluestore]   start (or confirm "already up"); prints the start time
#   scripts/rgw.sh down               stop the daemons by their recorded PIDs, delete the state
#   scripts/rgw.sh status             exit 0 when up and answering HTTP, 1 otherwise
#   scripts/rgw.sh logs               print the last lines of each daemon log
#
# Environment:
#   TESSERA_RGW_DIR        state folder (default <repo>/.rgw, git-ignored). A relative path is
#                          taken relative to the repository root.
#   TESSERA_RGW_PORT       S3 port on 127.0.0.1 (default 7480)
#   TESSERA_RGW_MON_PORT   monitor port on 127.0.0.1 (default 3300, msgr2 only)
#   TESSERA_RGW_MEM_BYTES  memstore capacity in bytes (default 12 GiB; data lives in RAM until garbage collection)
#   TESSERA_RGW_BLUESTORE_BYTES  size of the sparse bluestore file (default 20 GiB)
#   TESSERA_RGW_TIMEOUT    seconds to wait for each start-up step (default 60)
#
# What `up` leaves in the state folder (the contract for tests, benches and the demo):
#   env              KEY=value lines, sourceable by sh and readable by dotenv-style parsers:
#                    TESSERA_S3_ENDPOINT, TESSERA_S3_REGION, TESSERA_S3_ACCESS_KEY,
#                    TESSERA_S3_SECRET_KEY, TESSERA_S3_OTHER_ACCESS_KEY, TESSERA_S3_OTHER_SECRET_KEY
#   s3cfg            s3cmd config of the main test user:  s3cmd -c .rgw/s3cfg ls
#   aws/config, aws/credentials
#                    aws cli profiles "default" (main test user) and "other" (second user). Debian's aws 2.9.19 ignores
#                    endpoint_url in the config file (it arrived in aws cli 2.13), so callers must
#                    pass it on the command line and call /usr/bin/aws explicitly:
#                      AWS_CONFIG_FILE=.rgw/aws/config AWS_SHARED_CREDENTIALS_FILE=.rgw/aws/credentials \
#                        /usr/bin/aws --endpoint-url http://127.0.0.1:7480 s3 ls
#                    That aws crashes while printing RGW's error bodies (empty <Message>), so
#                    assert on its exit code, not on its error text.
#   ceph.conf        for ceph/radosgw-admin:  ceph -c .rgw/ceph.conf osd stat
#   pids/{mon,osd,rgw}, log/*.log
#
# Users (created idempotently with radosgw-admin, 1000 buckets each):
#   tessera-test   TESSERATESTACCESSKEY01 / tessera-test-secret-0000000000000000000
#   tessera-other  TESSERAOTHERACCESSKEY  / tessera-other-secret-000000000000000000
#
# Must run as root (or a user that may run the Ceph daemons) on Debian 12 with the packages
# ceph-mon ceph-osd radosgw ceph-common installed (scripts/install-deps.sh does that).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

STATE="${TESSERA_RGW_DIR:-$REPO_ROOT/.rgw}"
case "$STATE" in
  /*) ;;
  *) STATE="$REPO_ROOT/$STATE" ;;
esac
# The daemons are known by the config path on their command line: a state folder reached
# through a symbolic link (a second checkout sharing the store) must name the same path,
# or a running store would look like someone else's and `up` would wipe it.
if [[ -d "$STATE" ]]; then STATE="$(cd -P "$STATE" && pwd)"; fi
PORT="${TESSERA_RGW_PORT:-7480}"
MON_PORT="${TESSERA_RGW_MON_PORT:-3300}"
MEM_BYTES="${TESSERA_RGW_MEM_BYTES:-$((12 * 1024 * 1024 * 1024))}"
BLUESTORE_BYTES="${TESSERA_RGW_BLUESTORE_BYTES:-$((20 * 1024 * 1024 * 1024))}"
TIMEOUT="${TESSERA_RGW_TIMEOUT:-60}"

ENDPOINT="http://127.0.0.1:$PORT"
REGION="us-east-1"
MAIN_UID="tessera-test"
MAIN_ACCESS="TESSERATESTACCESSKEY01"
MAIN_SECRET="tessera-test-secret-0000000000000000000"
OTHER_UID="tessera-other"
OTHER_ACCESS="TESSERAOTHERACCESSKEY"
OTHER_SECRET="tessera-other-secret-000000000000000000"

CONF="$STATE/ceph.conf"
RGW_NAME="client.rgw.tessera"
DAEMONS=(mon osd rgw)
# Everything `up` creates inside the state folder; `down` deletes exactly these, so a
# TESSERA_RGW_DIR pointing at a folder with other files in it is never emptied.
STATE_ENTRIES=(ceph.conf monmap env s3cfg aws mon osd run log pids crash rgw mode)

log() { printf '[rgw] %s\n' "$*" >&2; }
die() { printf '[rgw] error: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- process bookkeeping

pid_of() { # daemon -> recorded pid (empty if none)
  local f="$STATE/pids/$1"
  [[ -s "$f" ]] && tr -dc '0-9' <"$f" || true
}

# A recorded PID counts as ours only while /proc says it still runs our binary with our
# ceph.conf: this guards against PID reuse after a reboot or a crash.
pid_is_ours() { # pid
  local pid="$1" cmd
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$CONF"* ]]
}

daemon_alive() { pid_is_ours "$(pid_of "$1")"; }

any_alive() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_alive "$d" && return 0; done
  return 1
}

all_alive() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_alive "$d" || return 1; done
  return 0
}

port_open() { # port -> 0 when something accepts TCP on 127.0.0.1:port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

http_answers() {
  # Any HTTP status means the beast frontend is serving; an anonymous ListBuckets gives 200.
  local code
  code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != "000" ]]
}

healthy() { all_alive && [[ -s "$STATE/env" ]] && http_answers; }

stop_pid() { # name pid : SIGTERM, wait up to 10 s, then SIGKILL
  local name="$1" pid="$2" i
  pid_is_ours "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    pid_is_ours "$pid" || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_is_ours "$pid" || return 0
    sleep 0.1
  done
  log "warning: $name (pid $pid) is still running"
}

stop_all() {
  # Reverse start order: the gateway first, so it does not hang on a vanished OSD.
  local d pid
  for d in rgw osd mon; do
    pid="$(pid_of "$d")"
    [[ -n "$pid" ]] && stop_pid "$d" "$pid"
  done
  return 0
}

wipe_state() {
  local e
  for e in "${STATE_ENTRIES[@]}"; do rm -rf "${STATE:?}/$e"; done
  rm -f "$STATE"/bluestore.img
  rmdir "$STATE" 2>/dev/null || true
}

print_logs() { # lines
  local n="${1:-40}" f
  shopt -s nullglob
  for f in "$STATE"/log/*.log "$STATE"/log/*.out; do
    [[ -s "$f" ]] || continue
    printf '\n===== %s (last %s lines) =====\n' "${f#"$STATE/"}" "$n" >&2
    tail -n "$n" "$f" >&2
  done
  shopt -u nullglob
}

fail_start() {
  log "start-up failed: $*"
  print_logs 40
  stop_all
  exit 1
}

STARTED=()

wait_for() { # description command... : poll every 50 ms until the command succeeds
  local what="$1" deadline d
  shift
  deadline=$(($(date +%s) + TIMEOUT))
  until "$@"; do
    for d in "${STARTED[@]}"; do
      daemon_alive "$d" || fail_start "$d exited while waiting for $what"
    done
    (($(date +%s) < deadline)) || fail_start "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.05
  done
}

# Start a daemon in the foreground of its own session (so a Ctrl-C or a test runner killing
# its process group does not take the store down) and record its PID. `setsid` does not fork
# here: a background job of a non-interactive shell is not a group leader, so $! is the daemon.
spawn() { # name logname command...
  local name="$1" out="$STATE/log/$2.out"
  shift 2
  # 9>&-: the daemons must not inherit the lock taken in main().
  setsid "$@" </dev/null >>"$out" 2>&1 9>&- &
  echo "$!" >"$STATE/pids/$name"
  STARTED+=("$name")
}

# ---------------------------------------------------------------- configuration

write_ceph_conf() { # objectstore
  local store="$1" fsid
  fsid="$(uuidgen)"
  cat >"$CONF" <<EOF
# Written by scripts/rgw.sh for Tessera's tests; deleted by \`scripts/rgw.sh down\`.
[global]
fsid = $fsid
mon_host = v2:127.0.0.1:$MON_PORT
public_addr = 127.0.0.1
public_network = 127.0.0.1/32
ms_bind_ipv4 = true
ms_bind_ipv6 = false
ms_bind_msgr1 = false
ms_bind_msgr2 = true

# No cephx, CRC-only messenger: a loopback-only throw-away cluster.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_cluster_mode = crc
ms_service_mode = crc
ms_client_mode = crc
ms_mon_cluster_mode = crc
ms_mon_service_mode = crc
ms_mon_client_mode = crc

run_dir = $STATE/run
crash_dir = $STATE/crash
mon_data = $STATE/mon/\$name
osd_data = $STATE/osd/\$name
keyring = $STATE/run/keyring
log_to_stderr = false
err_to_stderr = true
log_to_file = true
log_file = $STATE/log/\$name.log
mon_cluster_log_file = $STATE/log/cluster.log

# One OSD: pools of size 1 with few PGs, no autoscaler.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_allow_pool_delete = true
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000

# The default 1 s proposal interval turns a ~1 s start into ~11 s.
paxos_propose_interval = 0.01

[client]
# CLI clients (ceph, radosgw-admin) run concurrently: no fixed admin socket for them.
admin_socket =
log_file = $STATE/log/client.log

[mon]
admin_socket = $STATE/run/\$cluster-\$name.asok
# The state lives on whatever disk the checkout is on; do not shut down on a fullish disk.
mon_data_avail_warn = 1
mon_data_avail_crit = 0
mon_osd_down_out_interval = 0

[osd]
admin_socket = $STATE/run/\$cluster-\$name.asok
osd_objectstore = $store
EOF
  if [[ "$store" == memstore ]]; then
    # The OSD's fullness from the placement groups' byte counts, not memstore's own tally:
    # that tally can run below zero (seen here once, mid-run: "full status failsafe engaged,
    # now -2147483648% full"), and the OSD then refuses every write.
    cat >>"$CONF" <<EOF
memstore_device_bytes = $MEM_BYTES
fake_statfs_for_testing = $MEM_BYTES
EOF
  else
    cat >>"$CONF" <<EOF
bluestore_block_path = $STATE/bluestore.img
bluestore_block_create = true
bluestore_block_size = $BLUESTORE_BYTES
bluestore_block_db_create = false
bluestore_block_wal_create = false
bluestore_fsck_on_mkfs = false
osd_memory_target = 2147483648
EOF
  fi
  cat >>"$CONF" <<EOF

[$RGW_NAME]
admin_socket = $STATE/run/\$cluster-\$name.asok
log_file = $STATE/log/\$name.log
rgw_data = $STATE/rgw
# Path-style only (no rgw_dns_name), as on JASMIN.
rgw_frontends = beast endpoint=127.0.0.1:$PORT
rgw_thread_pool_size = 64
rgw_max_chunk_size = 4194304
rgw_enable_usage_log = false
rgw_enable_ops_log = false
rgw_user_max_buckets = 1000
rgw_cors_rules_max_num = 100
# Reclaim deleted data quickly: memstore keeps it in RAM until garbage collection.
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
rgw_gc_processor_max_time = 30
# Let big parallel uploads through the client-side throttles.
objecter_inflight_ops = 4096
objecter_inflight_op_bytes = 1073741824
EOF
}

write_client_configs() {
  local old_umask
  old_umask="$(umask)"
  umask 077
  cat >"$STATE/env" <<EOF
TESSERA_S3_ENDPOINT=$ENDPOINT
TESSERA_S3_REGION=$REGION
TESSERA_S3_ACCESS_KEY=$MAIN_ACCESS
TESSERA_S3_SECRET_KEY=$MAIN_SECRET
TESSERA_S3_OTHER_ACCESS_KEY=$OTHER_ACCESS
TESSERA_S3_OTHER_SECRET_KEY=$OTHER_SECRET
EOF
  cat >"$STATE/s3cfg" <<EOF
[default]
access_key = $MAIN_ACCESS
secret_key = $MAIN_SECRET
host_base = 127.0.0.1:$PORT
host_bucket = 127.0.0.1:$PORT
use_https = False
signature_v2 = False
bucket_location = $REGION
check_ssl_certificate = False
guess_mime_type = True
EOF
  mkdir -p "$STATE/aws"
  # endpoint_url is read by aws cli >= 2.13 only; Debian's 2.9.19 needs --endpoint-url.
  local profile
  : >"$STATE/aws/config"
  for profile in default "profile other"; do
    cat >>"$STATE/aws/config" <<EOF
[$profile]
region = $REGION
output = json
endpoint_url = $ENDPOINT
s3 =
    addressing_style = path

EOF
  done
  cat >"$STATE/aws/credentials" <<EOF
[default]
aws_access_key_id = $MAIN_ACCESS
aws_secret_access_key = $MAIN_SECRET

[other]
aws_access_key_id = $OTHER_ACCESS
aws_secret_access_key = $OTHER_SECRET
EOF
  umask "$old_umask"
}

# ---------------------------------------------------------------- start-up steps

osd_up() {
  local out
  out="$(ceph -c "$CONF" --connect-timeout 5 osd stat -f json 2>/dev/null)" || return 1
  [[ "$out" == *'"num_up_osds":1'* ]]
}

ensure_user() { # uid display access secret
  local uid="$1" name="$2" access="$3" secret="$4" out
  if out="$(radosgw-admin -c "$CONF" user create --uid="$uid" --display-name="$name" \
    --access-key="$access" --secret="$secret" --max-buckets=1000 2>&1)"; then
    return 0
  fi
  # Already there (a re-run): make sure the keys are the expected ones.
  if radosgw-admin -c "$CONF" user info --uid="$uid" >/dev/null 2>&1; then
    radosgw-admin -c "$CONF" user modify --uid="$uid" --access-key="$access" \
      --secret="$secret" --max-buckets=1000 >/dev/null 2>&1 ||
      fail_start "could not update user $uid"
    return 0
  fi
  printf '%s\n' "$out" >&2
  fail_start "could not create user $uid"
}

check_tools() {
  local t missing=()
  for t in ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool uuidgen curl setsid flock; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  ((${#missing[@]} == 0)) ||
    die "missing: ${missing[*]} (run scripts/install-deps.sh as root on Debian 12)"
}

cmd_up() {
  local store=memstore t0 uuid osd_id
  while (($#)); do
    case "$1" in
      --bluestore) store=bluestore ;;
      *) die "unknown option for up: $1" ;;
    esac
    shift
  done
  check_tools
  local p
  for p in "$PORT" "$MON_PORT"; do
    [[ "$p" =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "not a TCP port: $p"
  done
  t0="$(now)"

  if healthy; then
    local running
    running="$(cat "$STATE/mode" 2>/dev/null || echo '?')"
    [[ "$running" == "$store" ]] ||
      log "note: running with $running, not $store; run 'down' first to switch"
    echo "already up at $ENDPOINT (state in $STATE)"
    return 0
  fi
  if any_alive || [[ -e "$STATE/pids" ]]; then
    log "stale or unhealthy state in $STATE: stopping what is left and starting afresh"
    stop_all
  fi
  wipe_state

  port_open "$PORT" && die "port $PORT on 127.0.0.1 is in use by another program (set TESSERA_RGW_PORT)"
  port_open "$MON_PORT" &&
    die "port $MON_PORT on 127.0.0.1 is in use by another program (set TESSERA_RGW_MON_PORT)"

  mkdir -p "$STATE"/{run,log,pids,crash,rgw,mon,osd}
  : >"$STATE/run/keyring"
  echo "$store" >"$STATE/mode"
  write_ceph_conf "$store"

  # Monitor.
  monmaptool --create --clobber --fsid "$(sed -n 's/^fsid = //p' "$CONF")" \
    --addv a "[v2:127.0.0.1:$MON_PORT]" "$STATE/monmap" >"$STATE/log/mkfs.out" 2>&1 ||
    fail_start "monmaptool failed"
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" >>"$STATE/log/mkfs.out" 2>&1 ||
    fail_start "ceph-mon --mkfs failed"
  spawn mon mon.a ceph-mon -c "$CONF" -i a -f

  # OSD: register it, make its store, start it, and wait until the map shows it up;
  # a radosgw started before that stalls for ~5 s now and then.
  uuid="$(uuidgen)"
  osd_id="$(ceph -c "$CONF" --connect-timeout "$TIMEOUT" osd new "$uuid" 2>>"$STATE/log/mkfs.out")" ||
    fail_start "ceph osd new failed (monitor not reachable?)"
  [[ "$osd_id" =~ ^[0-9]+$ ]] || fail_start "ceph osd new returned '$osd_id'"
  mkdir -p "$STATE/osd/osd.$osd_id"
  ceph-osd -c "$CONF" -i "$osd_id" --mkfs --osd-uuid "$uuid" >>"$STATE/log/mkfs.out" 2>&1 ||
    fail_start "ceph-osd --mkfs failed"
  spawn osd "osd.$osd_id" ceph-osd -c "$CONF" -i "$osd_id" -f
  wait_for "the OSD to be up" osd_up

  # Gateway.
  spawn rgw "$RGW_NAME" radosgw -c "$CONF" -n "$RGW_NAME" -f
  wait_for "radosgw to answer on $ENDPOINT" http_answers
  all_alive || fail_start "a daemon exited during start-up"

  ensure_user "$MAIN_UID" "Tessera test user" "$MAIN_ACCESS" "$MAIN_SECRET"
  ensure_user "$OTHER_UID" "Tessera second user" "$OTHER_ACCESS" "$OTHER_SECRET"
  write_client_configs

  echo "RGW ready in $(elapsed_since "$t0")s at $ENDPOINT ($store, state in $STATE)"
}

cmd_down() {
  stop_all
  wipe_state
  echo "down (state removed)"
}

cmd_status() {
  if healthy; then
    echo "up at $ENDPOINT ($(cat "$STATE/mode" 2>/dev/null || echo '?'), state in $STATE)"
    return 0
  fi
  local d
  for d in "${DAEMONS[@]}"; do
    if daemon_alive "$d"; then echo "$d: running (pid $(pid_of "$d"))"; else echo "$d: not running"; fi
  done
  echo "not healthy (start with: bash scripts/rgw.sh up)"
  return 1
}

cmd_logs() {
  [[ -d "$STATE/log" ]] || { echo "no logs in $STATE/log"; return 0; }
  print_logs "${1:-40}" 2>&1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  (($#)) && shift
  case "$cmd" in
    up | down)
      if [[ "$cmd" == down && ! -d "$STATE" ]]; then
        echo "already down (no state in $STATE)"
        return 0
      fi
      # One up/down at a time per state folder (parallel test runners may race).
      mkdir -p "$STATE"
      exec 9>"$STATE/.lock"
      flock -w 120 9 || die "another rgw.sh holds $STATE/.lock"
      "cmd_$cmd" "$@"
      ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
