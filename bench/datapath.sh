#!/usr/bin/env bash
# Data-path benchmark (issue 4): the Java client reading a cached file remotely (worker in another JVM, zero-copy
# and copy) and short-circuit, 1 and 4 threads, beside raw loopback TCP between two JVMs (plain writes and
# transferTo) and a plain FileChannel read of the block files; and the sequential write, cold and warm.
# Usage: bench/datapath.sh [size-MiB] [rounds] [warm-up-s] [tier-dir]   (default: 1024 3 30 /dev/shm/sluice-datapath-PID)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx2g -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.DataPathBench "$@"
