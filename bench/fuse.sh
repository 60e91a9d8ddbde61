#!/usr/bin/env bash
# FUSE benchmark (issue 6): the same fio jobs on a Sluice FUSE mount (`sluice local start`: master, worker and
# mount on this machine) and on bindfs, a C passthrough FUSE file system, over tmpfs, in one run. Prints each
# figure beside the passthrough's and the ratio.
# Usage: bench/fuse.sh [file-MiB] [seconds-per-timed-job] [KEY=VALUE ...]   (default: 1024 10)
# Each KEY=VALUE is a Sluice configuration key for the local cluster and its mount, e.g.
# sluice.user.short.circuit.skip.checksum=true.
# Needs fio, bindfs and python3 (installed with apt-get when run as root), and /dev/fuse.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1024}
SECS=${2:-10}
CONF=()
for kv in "${@:3}"; do CONF+=(--conf "$kv"); done

need=()
command -v fio >/dev/null 2>&1 || need+=(fio)
command -v bindfs >/dev/null 2>&1 || need+=(bindfs)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/fuse.sh: needs ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/sluice-fuse-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/sluice-fuse-bench.XXXXXX)
STATE=$WORK/state
PASS=$WORK/passthrough
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  fusermount -u "$PASS" 2>/dev/null || true
  bin/sluice local stop --dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT

# Like for like: the passthrough serves tmpfs, so Sluice's MEM tier (tmpfs) is made large enough to hold the file;
# with the default 1g it would spill part of it to the disk tier, whose page cache reads cost the daemon about 1.6x
# the kernel time of tmpfs reads (measured with a C passthrough over each).
mkdir -p "$PASS" "$SHM/data"
bindfs "$SHM/data" "$PASS"
bin/sluice local start --dir "$STATE" --master-port "$(free_port)" --raft-port "$(free_port)" \
  --worker-port "$(free_port)" --master-http-port "$(free_port)" --worker-http-port "$(free_port)" \
  --worker-capacity "$((SIZE * 3))m" --worker-mem-capacity "$((SIZE * 2))m" --worker-mem-dir "$SHM/sluice-mem" \
  ${CONF[@]+"${CONF[@]}"} >/dev/null
SLUICE=$STATE/mnt

# One fio job on DIR; prints "bandwidth-MiB/s iops" from its JSON.
fio_job() {
  local dir=$1 name=$2; shift 2
  fio --name="$name" --directory="$dir" --filename=bench.bin --size="${SIZE}M" --ioengine=psync \
    --output-format=json "$@" | python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"]
bw = sum(x["read"]["bw_bytes"] + x["write"]["bw_bytes"] for x in j) / 2**20
iops = sum(x["read"]["iops"] + x["write"]["iops"] for x in j)
print("%.1f %.0f" % (bw, iops))'
}

# Creates, stats and deletes N empty files in DIR; prints "create/s stat/s delete/s".
meta_rates() {
  python3 - "$1" 2000 <<'EOF'
import os, sys, time
d, n = os.path.join(sys.argv[1], "meta"), int(sys.argv[2])
os.mkdir(d)
names = [os.path.join(d, "f%05d" % i) for i in range(n)]
rates = []
for op in (lambda p: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)), os.stat, os.unlink):
    t = time.perf_counter()
    for p in names:
        op(p)
    rates.append(n / (time.perf_counter() - t))
os.rmdir(d)
print(" ".join("%.0f" % r for r in rates))
EOF
}

[ ${#CONF[@]} -gt 0 ] && echo "Sluice configured with: ${*:3}"
declare -A R
for target in sluice passthrough; do
  dir=$SLUICE; [ "$target" = passthrough ] && dir=$PASS
  dir=$dir/bench && mkdir -p "$dir"
  R[$target.write]=$(fio_job "$dir" seqwrite --rw=write --bs=1M --end_fsync=1)
  # Untimed: two passes warm the JVM daemon's read path (its JIT compiles after ~10k calls, 8k per pass); fio drops
  # the file's page cache before each job, so the timed reads still go through the daemon.
  for _ in 1 2; do fio_job "$dir" warmup --rw=read --bs=1M >/dev/null; done
  R[$target.read1]=$(fio_job "$dir" seqread1 --rw=read --bs=1M --numjobs=1)
  R[$target.read4]=$(fio_job "$dir" seqread4 --rw=read --bs=1M --numjobs=4 --group_reporting)
  R[$target.rand]=$(fio_job "$dir" randread --rw=randread --bs=4k --numjobs=1 --time_based --runtime="$SECS")
  R[$target.meta]=$(meta_rates "$dir")
  rm -f "$dir/bench.bin"
done

python3 - "$SIZE" "${R[sluice.write]}" "${R[passthrough.write]}" "${R[sluice.read1]}" "${R[passthrough.read1]}" \
  "${R[sluice.read4]}" "${R[passthrough.read4]}" "${R[sluice.rand]}" "${R[passthrough.rand]}" \
  "${R[sluice.meta]}" "${R[passthrough.meta]}" <<'EOF'
import sys
a = sys.argv[1:]
size = a[0]
def pair(i):
    return [float(x) for x in a[i].split()], [float(x) for x in a[i + 1].split()]
rows = []
for label, i, col, unit in (("sequential write 1 MiB, 1 job", 1, 0, "MiB/s"),
                            ("sequential read 1 MiB, 1 job (cached)", 3, 0, "MiB/s"),
                            ("sequential read 1 MiB, 4 jobs (cached)", 5, 0, "MiB/s"),
                            ("random read 4 KiB, 1 job (cached)", 7, 1, "IOPS")):
    s, p = pair(i)
    rows.append((label, s[col], p[col], unit))
s, p = pair(9)
for label, c in (("create (open O_CREAT + close)", 0), ("stat", 1), ("delete", 2)):
    rows.append((label, s[c], p[c], "ops/s"))
print("FUSE bench, %s MiB file: Sluice (sluice local start) vs bindfs passthrough over tmpfs" % size)
print("| job | Sluice | passthrough | unit | Sluice / passthrough |")
print("| --- | ---: | ---: | --- | ---: |")
for label, s, p, unit in rows:
    print("| %s | %.0f | %.0f | %s | %.2f |" % (label, s, p, unit, s / p if p else 0))
EOF
