#!/usr/bin/env bash
# FUSE benchmark (issue 6): the same fio jobs on a Sluice FUSE mount (`sluice local start`: master, worker and
# mount on this machine) and on bindfs, a C passthrough FUSE file system, over tmpfs, in one run. The jobs run in
# rounds, each round every job on each mount in turn, so a drift of the machine's speed (large on this VM) hits both
# alike; prints per job the median figure of each mount and the median and range of the per-round ratios.
# Usage: bench/fuse.sh [file-MiB] [seconds-per-random-job] [rounds] [KEY=VALUE ...]   (default: 1024 10 3)
# Each KEY=VALUE is a Sluice configuration key for the local cluster and its mount, e.g.
# sluice.user.short.circuit.skip.checksum=true.
# VARIANT="KEY=VALUE ..." in the environment adds a second Sluice mount of the same cluster with those keys, run in
# the same turns (its own file), for an A/B of a mount setting, e.g. VARIANT="sluice.fuse.read.threads=1".
# Needs fio, bindfs and python3 (installed with apt-get when run as root), and /dev/fuse.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1024}
SECS=${2:-10}
ROUNDS=3
shift $(($# < 2 ? $# : 2))
if [ $# -gt 0 ] && [[ $1 != *=* ]]; then ROUNDS=$1; shift; fi
CONF=()
for kv in "$@"; do CONF+=(--conf "$kv"); done
ALT=()
for kv in ${VARIANT:-}; do ALT+=(--conf "$kv"); done

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
VMNT=$WORK/variant
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  fusermount -u "$PASS" 2>/dev/null || true
  if [ -f "$WORK/vrun/fuse.pid" ]; then
    fusermount -u "$VMNT" 2>/dev/null || true
    kill "$(cat "$WORK/vrun/fuse.pid")" 2>/dev/null || true
  fi
  bin/sluice local stop --dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT

# Like for like: the passthrough serves tmpfs, so Sluice's MEM tier (tmpfs) is made large enough to hold the file
# (twice over: the old blocks of a rewritten file go as the new ones come); with the default 1g it would spill part
# of it to the disk tier, whose page cache reads cost the daemon about 1.6x the kernel time of tmpfs reads (measured
# with a C passthrough over each).
FILES=$((1 + (${#ALT[@]} > 0)))
mkdir -p "$PASS" "$SHM/data"
# big_writes as Sluice mounts: without it libfuse2 splits writes into 4 KiB requests (bindfs wrote 60-68 MiB/s so,
# against 631-717 with it, measured by hand on 2026-12-03: the write ratios recorded before that date were flattered).
bindfs -o big_writes "$SHM/data" "$PASS"
MASTER_PORT=$(free_port)
bin/sluice local start --dir "$STATE" --master-port "$MASTER_PORT" --raft-port "$(free_port)" \
  --worker-port "$(free_port)" --master-http-port "$(free_port)" --worker-http-port "$(free_port)" \
  --worker-capacity "$((SIZE * (2 * FILES + 1)))m" --worker-mem-capacity "$((SIZE * 2 * FILES))m" \
  --worker-mem-dir "$SHM/sluice-mem" ${CONF[@]+"${CONF[@]}"} >/dev/null
TARGETS=(sluice passthrough)
declare -A DIRS=([sluice]=$STATE/mnt/bench [passthrough]=$PASS/bench)
if [ ${#ALT[@]} -gt 0 ]; then
  SLUICE_PID_DIR=$WORK/vrun SLUICE_LOG_DIR=$WORK/vlogs bin/sluice fuse mount --daemon \
    --conf "sluice.master.addresses=localhost:$MASTER_PORT" --conf "sluice.fuse.http.port=$(free_port)" \
    ${CONF[@]+"${CONF[@]}"} "${ALT[@]}" "$VMNT" >/dev/null
  TARGETS+=(variant)
  DIRS[variant]=$VMNT/bench-variant
fi

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

# Creates, stats and deletes N empty files in DIR, and between the stats and the deletes lists them as ls -l does
# (the listing, then an lstat and an xattr probe of each entry); then writes N small files (create, 4 KiB, close) in
# another directory; prints "create/s stat/s delete/s ls-l-entries/s small-files/s".
meta_rates() {
  python3 - "$1" 2000 <<'EOF'
import os, shutil, sys, time
d, n = os.path.join(sys.argv[1], "meta"), int(sys.argv[2])
os.mkdir(d)
names = [os.path.join(d, "f%05d" % i) for i in range(n)]
small_dir = os.path.join(sys.argv[1], "meta-small")
os.mkdir(small_dir)
small = [os.path.join(small_dir, "s%05d" % i) for i in range(n)]
block = os.urandom(4096)

def write_small(p):
    fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, block)
    os.close(fd)

def list_long(_):
    for e in os.listdir(d):
        p = os.path.join(d, e)
        os.lstat(p)
        try:
            os.getxattr(p, "security.selinux", follow_symlinks=False)
        except OSError:
            pass

rates = {}
for key, op, each in (("create", lambda p: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)), True),
                      ("stat", os.stat, True), ("ls", list_long, False), ("delete", os.unlink, True),
                      ("small", write_small, True)):
    time.sleep(1.5)  # past the kernel's (and Sluice's) 1 s attribute caches: each step starts from nothing cached
    t = time.perf_counter()
    for p in (small if key == "small" else names if each else [None]):
        op(p)
    rates[key] = n / (time.perf_counter() - t)
os.rmdir(d)
shutil.rmtree(small_dir)
print(" ".join("%.0f" % rates[k] for k in ("create", "stat", "delete", "ls", "small")))
EOF
}

# Memory this VM handed back to its host since the last call (free page reporting, where the kernel has it), in
# REPORTED_NOTE as ", N MiB reported to the host", printed per round: the host must back such pages again when they
# are reused, a likely cause of rounds whose kernel copies ran ~6x slower than usual (bench/RESULTS.md), on Sluice
# and bindfs alike. A figure to judge a round by, not a correction.
REPORTED=/sys/module/page_reporting/parameters/reported_kib
LAST_REPORTED=$(cat "$REPORTED" 2>/dev/null || echo 0)
REPORTED_NOTE=""
reported_since() {
  [ -r "$REPORTED" ] || return 0
  local now
  now=$(cat "$REPORTED")
  REPORTED_NOTE=", $(( (now - LAST_REPORTED) / 1024 )) MiB reported to the host"
  LAST_REPORTED=$now
}

[ ${#CONF[@]} -gt 0 ] && echo "Sluice configured with: $*"
[ ${#ALT[@]} -gt 0 ] && echo "variant: a second Sluice mount with: $VARIANT"
JOBS=(write read1 read4 rand rewrite meta)
declare -A R
for target in "${TARGETS[@]}"; do
  mkdir -p "${DIRS[$target]}"
done
for round in $(seq "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    dir=${DIRS[$target]}
    # A new file each round, as cp, tar and a job's output write one. Writing over an existing file in place (fio
    # opens it without O_TRUNC) is another path in Sluice (its blocks are versioned, the changes staged until the
    # close), timed on its own below.
    rm -f "$dir/bench.bin"
    R[$target.write]+="$(fio_job "$dir" seqwrite --rw=write --bs=1M --end_fsync=1);"
    if [ "$round" = 1 ]; then
      # Untimed: two passes warm the JVM daemon's read path (its JIT compiles after ~10k calls, 8k per pass); fio
      # drops the file's page cache before each job, so the timed reads still go through the daemon.
      for _ in 1 2; do fio_job "$dir" warmup --rw=read --bs=1M >/dev/null; done
    fi
    R[$target.read1]+="$(fio_job "$dir" seqread1 --rw=read --bs=1M --numjobs=1);"
    R[$target.read4]+="$(fio_job "$dir" seqread4 --rw=read --bs=1M --numjobs=4 --group_reporting);"
    R[$target.rand]+="$(fio_job "$dir" randread --rw=randread --bs=4k --numjobs=1 --time_based --runtime="$SECS");"
    R[$target.rewrite]+="$(fio_job "$dir" rewrite --rw=write --bs=1M --end_fsync=1);"
    R[$target.meta]+="$(meta_rates "$dir");"
  done
  reported_since
  echo "round $round of $ROUNDS done$REPORTED_NOTE" >&2
done

args=("$SIZE" "$ROUNDS")
for target in "${TARGETS[@]}"; do
  for job in "${JOBS[@]}"; do args+=("$target.$job=${R[$target.$job]}"); done
done
python3 - "${args[@]}" <<'EOF'
import statistics, sys
size, rounds, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = {}
for a in rest:
    key, _, val = a.partition("=")
    runs[key] = [[float(x) for x in r.split()] for r in val.split(";") if r]
targets = [t for t in ("sluice", "variant") if t + ".write" in runs]
rows = (("sequential write 1 MiB, 1 job", "write", 0, "MiB/s"),
        ("sequential read 1 MiB, 1 job (cached)", "read1", 0, "MiB/s"),
        ("sequential read 1 MiB, 4 jobs (cached)", "read4", 0, "MiB/s"),
        ("random read 4 KiB, 1 job (cached)", "rand", 1, "IOPS"),
        ("rewrite in place 1 MiB, 1 job (the file exists, no O_TRUNC)", "rewrite", 0, "MiB/s"),
        ("create (open O_CREAT + close)", "meta", 0, "ops/s"),
        ("stat", "meta", 1, "ops/s"),
        ("delete", "meta", 2, "ops/s"),
        ("ls -l of those files (list, lstat, xattr probe)", "meta", 3, "entries/s"),
        ("small files written (create, 4 KiB, close)", "meta", 4, "files/s"))
print("FUSE bench, %s MiB file, %s rounds: Sluice (sluice local start) vs bindfs passthrough over tmpfs" %
      (size, rounds))
print("Medians over the rounds; a ratio is the median of the per-round ratios [lowest-highest].")
head = "| job | passthrough |"
for t in targets:
    head += " %s | %s / passthrough |" % (t, t)
print(head + " unit |")
print("| --- | ---: |" + " ---: | ---: |" * len(targets) + " --- |")
for label, job, col, unit in rows:
    p = [r[col] for r in runs["passthrough." + job]]
    line = "| %s | %.0f |" % (label, statistics.median(p))
    for t in targets:
        s = [r[col] for r in runs[t + "." + job]]
        ratios = [a / b for a, b in zip(s, p) if b]
        line += " %.0f | %.2f [%.2f-%.2f] |" % (statistics.median(s), statistics.median(ratios), min(ratios),
                                              max(ratios))
    print(line + " %s |" % unit)
EOF
