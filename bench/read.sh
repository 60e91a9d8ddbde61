#!/usr/bin/env bash
# Read benchmark (issue 5): a file read straight from the UFS vs cold (read-through) and warm (cached) through
# Sluice, for a local directory and a real S3 server (S3Proxy), in one run on this machine.
# Usage: bench/read.sh [size-MiB] [rounds] [worker-tiers]   (default: 256 3 MEM:/dev/shm/sluice-bench-PID:6g)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx3g -Dsluice.test.s3proxy.jar=bench/target/s3proxy/s3proxy.jar \
  -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.ReadBench "$@"
