#!/usr/bin/env bash
# `npm start`: installs what is missing, starts a local Ceph RGW demo store on 127.0.0.1 with a
# demo bucket (CORS for the app's origin, a little sample data), builds and serves the app,
# and prints the URL and the demo keys. Ctrl-C stops the app and the demo store.
# Where the demo store cannot run (not root, not Debian), it serves the app alone and says why.
#
#   npm start -- --net wan   the demo store also over HTTPS (HTTP/2) through a shaped network
#                            (scripts/net.sh; profiles lan, wan, home)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[start] %s\n' "$*"; }
PORT="${TESSERA_APP_PORT:-5173}"
ORIGINS=("http://127.0.0.1:$PORT" "http://localhost:$PORT")
DEMO_BUCKET=tessera-demo
PUBLIC_BUCKET=tessera-public
net=""
while (($#)); do
  case "$1" in
    --net) net="${2:-wan}"; shift 2 ;;
    --net=*) net="${1#--net=}"; shift ;;
    *) say "unknown option $1"; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
deps=$?
demo=1
if ((deps == 3)); then
  demo=0
  say "The demo store needs root on Debian 12 (see above): serving the app alone."
elif ((deps != 0)); then
  say "installing dependencies failed (exit $deps)"
  exit "$deps"
fi

started_rgw=0
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null
  if [[ -n "$net" ]]; then bash scripts/net.sh down; fi
  if ((started_rgw)); then bash scripts/rgw.sh down; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ((demo)); then
  if ! bash scripts/rgw.sh status >/dev/null 2>&1; then
    bash scripts/rgw.sh up || { say "the demo store did not start; serving the app alone"; demo=0; }
    ((demo)) && started_rgw=1
  fi
fi

if ((demo)); then
  # shellcheck disable=SC1091
  source .rgw/env
  cfg=(-c .rgw/s3cfg)
  data=$(mktemp -d)
  rules=$(mktemp)
  {
    echo '<CORSConfiguration><CORSRule>'
    for o in "${ORIGINS[@]}"; do echo "<AllowedOrigin>$o</AllowedOrigin>"; done
    for m in GET HEAD PUT POST DELETE; do echo "<AllowedMethod>$m</AllowedMethod>"; done
    echo '<AllowedHeader>*</AllowedHeader>'
    for h in ETag Content-Length Content-Range Content-Type Last-Modified Date x-amz-request-id x-amz-version-id x-amz-meta-sha256; do
      echo "<ExposeHeader>$h</ExposeHeader>"
    done
    echo '<MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>'
  } >"$rules"
  /usr/bin/python3 scripts/demo-data.py "$data" || say "demo data generation had problems (see above)"
  for b in "$DEMO_BUCKET" "$PUBLIC_BUCKET"; do
    s3cmd "${cfg[@]}" info "s3://$b" >/dev/null 2>&1 || s3cmd "${cfg[@]}" mb "s3://$b" >/dev/null
    s3cmd "${cfg[@]}" setcors "$rules" "s3://$b" >/dev/null
  done
  s3cmd "${cfg[@]}" sync --quiet --no-preserve "$data/" "s3://$DEMO_BUCKET/" >/dev/null
  s3cmd "${cfg[@]}" sync --quiet --no-preserve "$data/climate/" "s3://$PUBLIC_BUCKET/climate/" >/dev/null
  # JASMIN's "read-only for everyone" shape: objects readable by anyone, the bucket not listable.
  policy=$(mktemp)
  printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}' "$PUBLIC_BUCKET" >"$policy"
  s3cmd "${cfg[@]}" setpolicy "$policy" "s3://$PUBLIC_BUCKET" >/dev/null
  rm -rf "$data" "$rules" "$policy"
fi

if ((demo)) && [[ -n "$net" ]]; then
  bash scripts/net.sh up --net "$net" || { say "the HTTPS front did not start"; net=""; }
fi

say "building the app"
npx vite build --logLevel warn || exit 1
npx vite preview --host 127.0.0.1 --port "$PORT" --strictPort --logLevel warn &
server_pid=$!
sleep 1

cat <<MSG

  Tessera is running at  http://127.0.0.1:$PORT/
MSG
if ((demo)); then
  cat <<MSG

  Demo store (local Ceph RGW):
    Endpoint     $TESSERA_S3_ENDPOINT
    Access key   $TESSERA_S3_ACCESS_KEY
    Secret key   $TESSERA_S3_SECRET_KEY
    Buckets      $DEMO_BUCKET (private: use the keys)
                 $PUBLIC_BUCKET (public reads, no listing: open
                 $TESSERA_S3_ENDPOINT/$PUBLIC_BUCKET/climate/surface-temperature.zarr anonymously)
MSG
fi
if ((demo)) && [[ -n "$net" ]]; then
  # shellcheck disable=SC1091
  source .net/env
  cat <<MSG

  Over HTTPS (profile $TESSERA_NET_PROFILE: ${TESSERA_NET_RTT_MS} ms, ${TESSERA_NET_DOWN_MBIT}/${TESSERA_NET_UP_MBIT} Mbit/s):
    Endpoint     $TESSERA_NET_H2   (HTTP/2; $TESSERA_NET_H1 for HTTP/1.1 only)
    Its certificate is signed by a throw-away CA made at start: $TESSERA_NET_CA
    Trust it in your browser for this session, e.g. Chromium on Linux:
      HOME=$TESSERA_NET_NSS_HOME chromium http://127.0.0.1:$PORT/
MSG
fi
printf '\n  Press Ctrl-C to stop.\n\n'
wait "$server_pid"
