#!/usr/bin/env bash
# `npm run bench`: side-by-side measurements against the peer tools (aws cli, s3cmd, xarray,
# zarr-python) on the local RGW, printing times and ratios. Not tests: nothing here fails on speed.
#
#   npm run bench                 listing, download, upload and zarr (bench/<name>.ts)
#   npm run bench -- upload zarr  only those (bench/upload.ts, bench/zarr.ts)
#   npm run bench -- --net home   every client through the HTTPS front (scripts/net.sh; started
#                                 only when it is not up) and one shaper of this run's own with
#                                 profile lan|wan|home, measured first (bench/net-check.ts);
#                                 with TESSERA_BENCH_FRONT=h1 through the HTTP/1.1-only front
#                                 (a store without HTTP/2), Chromium included
#
# Benchmarks want a quiet machine: the client and the server share its cores.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh || exit $?
started_rgw=0
if ! bash scripts/rgw.sh status >/dev/null 2>&1; then
  # Bluestore on a sparse file: multi-GB benchmarks do not fit in a memstore.
  bash scripts/rgw.sh up --bluestore || exit 1
  started_rgw=1
fi
started_net=0
# Everything this run started is stopped on the way out, whatever way it ends.
cleanup() {
  [[ -n "${shaper_pid:-}" ]] && { kill "$shaper_pid" 2>/dev/null; sleep 0.2; printf '\nShaper (profile %s) for the whole run: %s\n' "$net" "$(tail -1 "$shaper_log")"; rm -f "$shaper_log"; }
  ((started_net)) && bash scripts/net.sh down
  ((started_rgw)) && bash scripts/rgw.sh down
}
trap cleanup EXIT
names=()
net=""
while (($#)); do
  case "$1" in
    --net) net="$2"; shift 2 ;;
    --net=*) net="${1#--net=}"; shift ;;
    *) names+=("$1"); shift ;;
  esac
done
if [[ -n "$net" ]]; then
  # The HTTPS fronts are shared (tests use them): never restarted here. One shaper of the run's
  # own, in front of nginx's HTTP/2 front, carries every client of every benchmark (bench/lib/net.ts).
  if ! bash scripts/net.sh status; then
    bash scripts/net.sh up --net "$net" || exit 1
    started_net=1
  fi
  case "$net" in
    lan) shape=(--rtt-ms 1 --down-mbit 1000 --up-mbit 1000) ;;
    wan) shape=(--rtt-ms 20 --down-mbit 1000 --up-mbit 1000) ;;
    home) shape=(--rtt-ms 40 --down-mbit 100 --up-mbit 20) ;;
    *) echo "unknown profile $net (lan, wan, home)" >&2; exit 2 ;;
  esac
  # TESSERA_BENCH_FRONT=h1: nginx's HTTP/1.1-only front instead (see bench/lib/net.ts).
  if [[ "${TESSERA_BENCH_FRONT:-}" == h1 ]]; then front_key=TESSERA_NET_NGINX_H1; else front_key=TESSERA_NET_NGINX_H2; fi
  front="$(sed -n "s/^$front_key=//p" .net/env)"
  shaper_log="$(mktemp)"
  node scripts/shaper.mjs --listen 0 --to "$front" "${shape[@]}" >"$shaper_log" 2>&1 &
  shaper_pid=$!
  port=""
  for _ in $(seq 50); do port="$(sed -n 's/.*"listening":\([0-9]*\).*/\1/p' "$shaper_log")"; [[ -n "$port" ]] && break; sleep 0.1; done
  [[ -n "$port" ]] || { cat "$shaper_log" >&2; exit 1; }
  export TESSERA_BENCH_NET="$net" TESSERA_BENCH_SHAPER_PORT="$port" TESSERA_BENCH_SHAPER_PID="$shaper_pid"
  printf '\n=== bench/net-check.ts ===\n'
  npx tsx bench/net-check.ts || exit 1
fi
if ((${#names[@]} == 0)); then
  # The side-by-side benchmarks; other files in bench/ are harnesses and tuning probes.
  for n in listing download upload zarr; do [[ -f "bench/$n.ts" ]] && names+=("$n"); done
fi
npx vite build --logLevel warn || exit 1
rc=0
for n in "${names[@]}"; do
  printf '\n=== bench/%s.ts ===\n' "$n"
  npx tsx "bench/$n.ts" || rc=1
  # The projected map redraw is part of the Zarr figures (no store needed).
  if [[ "$n" == zarr ]]; then
    printf '\n=== bench/zarr-projection.ts ===\n'
    npx tsx bench/zarr-projection.ts || rc=1
  fi
done
exit $rc
