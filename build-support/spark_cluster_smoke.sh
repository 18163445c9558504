#!/usr/bin/env bash
# The cluster recipe of docs/how-to/run-on-spark.md, on one machine: a real Spark standalone
# master and worker on 127.0.0.1 (from the pyspark inside hotpass-spark.pex), the PEX shipped to
# the executors with spark.files as their Python, and a refine of the samples on that cluster.
# Usage: build-support/spark_cluster_smoke.sh [DUCKDB_EXPORT]   (after ./pants package)
# With DUCKDB_EXPORT (the export directory of a DuckDB refine of the samples), the golden
# tables must be identical to it.
set -euo pipefail
pex="$(pwd)/dist/hotpass-spark.pex"
scratch="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"' EXIT

# pyspark's launch scripts, as the PEX unpacked them (venv mode)
spark_home="$(PEX_INTERPRETER=1 python3.11 "$pex" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$scratch/logs"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 > "$scratch/master.log" 2>&1 &
"$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --cores 2 --memory 2g --webui-port 0 --work-dir "$scratch/work" \
  "spark://127.0.0.1:$port" > "$scratch/worker.log" 2>&1 &
for _ in $(seq 60); do
  grep -q "Registering worker" "$scratch/master.log" 2>/dev/null && break
  sleep 1
done
grep -q "Registering worker" "$scratch/master.log" || { cat "$scratch/master.log" "$scratch/worker.log"; exit 1; }

mkdir -p "$scratch/conf"
cat > "$scratch/conf/spark-defaults.conf" <<EOF
spark.files                       $pex
spark.executorEnv.PEX_INTERPRETER 1
spark.executor.memory             1g
spark.checkpoint.dir              $scratch/checkpoints
EOF
SPARK_CONF_DIR="$scratch/conf" HOTPASS_ENGINE=spark \
  HOTPASS_SPARK_MASTER="spark://127.0.0.1:$port" HOTPASS_SPARK_PYTHON=./hotpass-spark.pex \
  HOTPASS_DEBUG=1 python3.11 "$pex" refine samples/ --workspace "$scratch/ws" --quiet \
  --summary-json "$scratch/summary.json"
# The executors ran Python from the shipped PEX: their work directories hold it.
find "$scratch/work" -name hotpass-spark.pex | grep -q . || { echo "no executor got the PEX"; exit 1; }
PEX_INTERPRETER=1 python3.11 "$pex" - "$scratch/summary.json" "$scratch/ws/export" "${1:-}" <<'PY'
import json, sys
from pathlib import Path

import pyarrow.parquet as pq

summary = json.load(open(sys.argv[1]))
assert summary["status"] == "published", summary["status"]
print("spark cluster run:", summary["status"], summary["rows"], summary["tables"])
if sys.argv[3]:
    for name in ("organisations", "contacts", "addresses"):
        spark, duck = (pq.read_table(Path(d) / f"{name}.parquet") for d in sys.argv[2:4])
        drop = [c for c in spark.column_names if c in {"run_id", "published_at", "refined_at"}]
        assert spark.drop_columns(drop).equals(duck.drop_columns(drop)), name
    print("golden organisations, contacts and addresses identical to the DuckDB run")
PY
