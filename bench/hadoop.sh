#!/usr/bin/env bash
# Hadoop client benchmark (issue 7): a cached file read through the Hadoop FileSystem API (sluice://) and through
# client-java in the same run, sequential 1 MiB reads and 1 MiB positioned readFully, with the Hadoop/client ratio
# (target >= 0.95x); then a TestDFSIO-style write and read of N files through Hadoop.
# Usage: bench/hadoop.sh [size-MiB] [runs] [dfsio-files] [dfsio-MiB] [key=value ...]   (default: 1024 5 4 128)
#   e.g. bench/hadoop.sh 1024 5 4 128 sluice.user.short.circuit.enabled=false   (read through the worker's server)
# JAVA_OPTS adds JVM flags, e.g. JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/hadoop.jfr to profile a run.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl bench -am >/dev/null
exec java -Xmx2g ${JAVA_OPTS:-} -cp "bench/target/sluice-bench.jar:bench/target/lib/*" io.sluice.bench.HadoopBench "$@"
