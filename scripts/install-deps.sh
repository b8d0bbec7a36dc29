#!/usr/bin/env bash
# Installs what Tessera's tests, benches and demo store need, and nothing that is already there.
#
# Usage:
#   scripts/install-deps.sh              Debian packages (local Ceph RGW, Chromium, peer clients,
#                                        Python data producers) + npm packages
#   scripts/install-deps.sh --app-only   npm packages only (enough to build and unit-test the app)
#   scripts/install-deps.sh --check      report what is missing, install nothing
#                                        (exit 0 when complete, 1 otherwise)
#
# Debian packages are installed with apt-get as root on Debian (through `sudo -n` when that
# works without a password). npm packages: `npm ci` when node_modules is missing or older
# than package-lock.json.
#
# Exit status: 0 when everything asked for is present afterwards. Without --app-only, a machine
# that is not Debian, or a non-root user without password-less sudo, gets exit status 3 after
# the npm step, with the reason printed: the local S3 server (Ceph RGW) and the browser tests
# cannot run there, but the app can still be built and unit-tested.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DEBIAN_PACKAGES=(
  ceph-mon ceph-osd radosgw ceph-common # the throw-away S3 server (scripts/rgw.sh)
  chromium                              # browser tests
  s3cmd awscli                          # peer clients for interop tests and benches
  nginx libnss3-tools                   # the HTTPS/HTTP/2 front and its test CA (scripts/net.sh)
  python3-xarray python3-zarr python3-numcodecs python3-netcdf4 python3-numpy python3-dask
  python3-h5py python3-h5netcdf python3-scipy python3-aiohttp python3-fsspec # NetCDF/HDF5 fixtures, Zarr peers
  python3-cftime                        # CF calendars checked against cftime (unit tests)
)

APP_ONLY=false
CHECK_ONLY=false
for arg in "$@"; do
  case "$arg" in
    --app-only) APP_ONLY=true ;;
    --check) CHECK_ONLY=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-deps: unknown option $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

say() { printf '[install-deps] %s\n' "$*"; }

is_debian() { [[ -r /etc/debian_version ]] && command -v dpkg-query >/dev/null 2>&1; }

pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing_debian_packages() {
  local p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    pkg_installed "$p" || printf '%s\n' "$p"
  done
}

# ------------------------------------------------------------------ Debian packages

SYSTEM_STATUS=0
install_debian_packages() {
  local missing=() sudo=()
  if ! is_debian; then
    say "not Debian: cannot install ${DEBIAN_PACKAGES[*]}."
    say "The local Ceph RGW (scripts/rgw.sh) and the Chromium tests need Debian 12's packages;"
    say "build and unit tests still work (use --app-only)."
    SYSTEM_STATUS=3
    return 0
  fi
  mapfile -t missing < <(missing_debian_packages)
  if ((${#missing[@]} == 0)); then
    say "Debian packages: all ${#DEBIAN_PACKAGES[@]} present"
    return 0
  fi
  say "Debian packages missing: ${missing[*]}"
  if $CHECK_ONLY; then
    SYSTEM_STATUS=1
    return 0
  fi
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      say "not root and no password-less sudo: cannot install them. As root run:"
      say "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
      say "Without them the local Ceph RGW and the browser tests cannot run (build and unit tests can)."
      SYSTEM_STATUS=3
      return 0
    fi
  fi
  say "running apt-get update"
  "${sudo[@]}" apt-get update
  say "running apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
  mapfile -t missing < <(missing_debian_packages)
  if ((${#missing[@]})); then
    say "still missing after apt-get: ${missing[*]}"
    SYSTEM_STATUS=1
  else
    say "Debian packages: installed"
  fi
}

# ------------------------------------------------------------------ npm packages

APP_STATUS=0
install_npm_packages() {
  cd "$REPO_ROOT"
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: install Node.js >= 20.19 first"
    APP_STATUS=1
    return 0
  fi
  # npm writes node_modules/.package-lock.json on every install: its age tells whether
  # node_modules matches package-lock.json.
  local stamp="node_modules/.package-lock.json" why=""
  if [[ ! -d node_modules ]]; then
    why="node_modules is missing"
  elif [[ ! -e "$stamp" ]]; then
    why="node_modules was not installed by npm"
  elif [[ -e package-lock.json && package-lock.json -nt "$stamp" ]]; then
    why="package-lock.json is newer than node_modules"
  fi
  if [[ -z "$why" ]]; then
    say "npm packages: up to date"
    return 0
  fi
  say "npm packages: $why"
  if $CHECK_ONLY; then
    APP_STATUS=1
    return 0
  fi
  if [[ -e package-lock.json ]]; then
    say "running npm ci"
    npm ci --no-audit --no-fund
  else
    say "no package-lock.json: running npm install"
    npm install --no-audit --no-fund
  fi
}

if $APP_ONLY; then
  say "--app-only: skipping Debian packages"
else
  install_debian_packages
fi
install_npm_packages

if ((APP_STATUS != 0)); then
  exit "$APP_STATUS"
fi
exit "$SYSTEM_STATUS"
