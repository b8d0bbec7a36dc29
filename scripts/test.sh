#!/usr/bin/env bash
# `npm test`: everything Tessera's tests need, then every test.
#
#   1. installs what is missing (Debian packages when root: Ceph, Chromium, s3cmd, awscli,
#      python3-xarray/zarr; npm packages),
#   2. starts the local Ceph RGW and its HTTPS fronts with the shaped `wan` network
#      (scripts/net.sh) unless they are already up (and then stops them again at the end,
#      even when tests fail),
#   3. runs type-check, lint, the dependency audit (scripts/audit.sh), unit, integration and
#      end-to-end tests; every stage runs even
#      when an earlier one failed, and the summary says which failed.
#
# Options: pass stage names to run only those, e.g. `npm test -- unit integration`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n[test] %s\n' "$*"; }
t0=$(date +%s)

bash scripts/install-deps.sh
deps=$?
if ((deps != 0)); then
  say "install-deps failed (exit $deps): the real S3 server and browser tests cannot run here."
  exit "$deps"
fi

started_rgw=0
if ! bash scripts/rgw.sh status >/dev/null 2>&1; then
  bash scripts/rgw.sh up || { say "the local Ceph RGW did not start"; exit 1; }
  started_rgw=1
fi
# The HTTPS fronts (nginx, HTTP/2 and HTTP/1.1) and the shaped `wan` network in front of the
# RGW, for the tests of Tessera as users reach their store (scripts/net.sh).
started_net=0
if ! bash scripts/net.sh status >/dev/null 2>&1; then
  bash scripts/net.sh up --net "${TESSERA_TEST_NET:-wan}" || { say "the HTTPS front did not start"; ((started_rgw)) && bash scripts/rgw.sh down; exit 1; }
  started_net=1
fi
stop_rgw() {
  if ((started_net)); then bash scripts/net.sh down || true; fi
  if ((started_rgw)); then bash scripts/rgw.sh down || true; fi
}
trap stop_rgw EXIT INT TERM

stages=("$@")
((${#stages[@]})) || stages=(check lint audit unit integration e2e)
failed=()
for stage in "${stages[@]}"; do
  say "stage: $stage"
  s0=$(date +%s)
  case "$stage" in
    check) npm run --silent check ;;
    lint) npm run --silent lint ;;
    audit) bash scripts/audit.sh ;;
    unit | integration | e2e) npx vitest run --project "$stage" ;;
    *) echo "unknown stage $stage"; false ;;
  esac
  rc=$?
  say "stage $stage: $( ((rc == 0)) && echo passed || echo "FAILED (exit $rc)") in $(($(date +%s) - s0)) s"
  ((rc == 0)) || failed+=("$stage")
done

say "total $(($(date +%s) - t0)) s"
if ((${#failed[@]})); then
  say "FAILED stages: ${failed[*]}"
  exit 1
fi
say "all stages passed: ${stages[*]}"
