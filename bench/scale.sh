#!/usr/bin/env bash
# Namespace scale: bulk-load N files into a master's RocksDB, restart the master on it, report time to serve, heap,
# RocksDB size and stat latency, beside a 10,000-file namespace.  Usage: bench/scale.sh [files] [stats-per-thread]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx2g -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.NamespaceScaleBench "$@"
