#!/usr/bin/env bash
# Journal benchmark (issue 6's metadata rows): a journaled metadata call with the journal's disk sync (the default)
# and with sluice.master.journal.sync=false, two sole masters in one JVM in alternating rounds, beside a 4 KiB
# append + fdatasync on the same disk and an RPC round trip.
# Usage: bench/journal.sh [rounds] [files-per-round]   (default: 16 500)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx2g -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.JournalBench "$@"
