#!/usr/bin/env bash
# Renders the master's status page (http://HOST:HTTP_PORT/) of a fresh local cluster to docs/status-page.png, for
# the README. Starts `bin/sluice local start` in a temporary state directory (no FUSE mount: the page does not need
# one) on ports 170xx so that a cluster already running on the defaults is left alone, puts two files and mounts
# nothing beyond the local cluster's /local, takes the screenshot with headless Chromium, then stops the cluster.
#
# Needs: what bin/sluice needs, curl, and Chromium (Debian: apt-get install -y chromium).
# Usage: docs/screenshot.sh [OUT.png]            (default: docs/status-page.png)
#        WIDTH=1280 HEIGHT=900 docs/screenshot.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
OUT="$(readlink -f "${1:-$ROOT/docs/status-page.png}")"
WIDTH="${WIDTH:-1280}"
HEIGHT="${HEIGHT:-900}"
MASTER=17070
HTTP=17072

die() { echo "screenshot: $*" >&2; exit 1; }
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$CHROMIUM" ] || die "chromium not found (Debian: apt-get install -y chromium)"
command -v curl >/dev/null || die "curl not found"

STATE="$(mktemp -d)"
stop() {
  "$ROOT/bin/sluice" local stop --dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap stop EXIT

"$ROOT/bin/sluice" local start --dir "$STATE" --no-fuse --master-port "$MASTER" --raft-port 17071 \
  --worker-port 17080 --master-http-port "$HTTP" --worker-http-port 17082 --worker-mem-dir "$STATE/mem"
conf=(--conf "sluice.master.addresses=localhost:$MASTER")
"$ROOT/bin/sluice" fs mkdir -p /demo "${conf[@]}"
"$ROOT/bin/sluice" fs put "$ROOT/README.md" /demo/README.md "${conf[@]}"
"$ROOT/bin/sluice" fs put "$ROOT/conf/sluice.properties" /demo/sluice.properties "${conf[@]}"

# The page answers 503 until the master has its status; the cluster is up by now, so this is at most a moment.
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$HTTP/")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$HTTP/")" = 200 ] || die "no status page on :$HTTP"

# --no-sandbox: Chromium refuses to run as root otherwise (containers, CI).
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$WIDTH,$HEIGHT" \
  --screenshot="$OUT" "http://localhost:$HTTP/" 2>/dev/null
[ -s "$OUT" ] || die "chromium wrote no screenshot"
echo "wrote $OUT"
