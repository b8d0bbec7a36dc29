#!/usr/bin/env bash
# `npm run bench`: side-by-side measurements against the peer tools (aws cli, s3cmd, xarray,
# zarr-python) on the local RGW, printing times and ratios. Not tests: nothing here fails on speed.
#
#   npm run bench                 listing, download, upload and zarr (bench/<name>.ts)
#   npm run bench -- upload zarr  only those (bench/upload.ts, bench/zarr.ts)
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
names=("$@")
if ((${#names[@]} == 0)); then
  # The side-by-side benchmarks; other files in bench/ are harnesses and tuning probes.
  for n in listing download upload zarr; do [[ -f "bench/$n.ts" ]] && names+=("$n"); done
fi
npx vite build --logLevel warn || exit 1
rc=0
for n in "${names[@]}"; do
  printf '\n=== bench/%s.ts ===\n' "$n"
  npx tsx "bench/$n.ts" || rc=1
done
exit $rc
