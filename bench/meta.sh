#!/usr/bin/env bash
# Metadata benchmark: create/stat/list/rename/delete against 1 and 3 masters, beside raw RocksDB on this machine;
# then small files (create, 4 KiB, close) through one master and a worker, beside the same files on /dev/shm.
# Usage: bench/meta.sh [threads] [ops-per-thread] [masters,...]   (default: 4 5000 1,3)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx2g -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.MetaBench "$@"
