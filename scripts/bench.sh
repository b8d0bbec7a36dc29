#!/usr/bin/env bash
# `npm run bench`: side-by-side measurements against the peer tools (aws cli, s3cmd, xarray,
# zarr-python) on the local RGW, printing times and ratios. Not tests: nothing here fails on speed.
#
#   npm run bench                 listing, download, upload and zarr (bench/<name>.ts)
#   npm run bench -- upload zarr  only those (bench/upload.ts, bench/zarr.ts)
#   npm run bench -- --net home   bring up the HTTPS front and shaped network (scripts/net.sh,
#                                 profile lan|wan|home) and check it first (bench/net-check.ts)
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
trap '((started_rgw)) && bash scripts/rgw.sh down' EXIT
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
  bash scripts/net.sh down >/dev/null
  bash scripts/net.sh up --net "$net" || exit 1
  trap '((started_rgw)) && bash scripts/rgw.sh down; bash scripts/net.sh down' EXIT
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
