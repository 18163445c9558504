#!/usr/bin/env bash
# A local Airflow 3 for Hotpass: SQLite metadata, LocalExecutor, api-server bound to 127.0.0.1,
# scheduler and dag-processor - each in its own process group so `stop` ends them and every
# child they spawned.
#
#   infra/airflow/local-airflow.sh start    # migrate the DB, start the three components
#   infra/airflow/local-airflow.sh status   # which components run, and the api-server health
#   infra/airflow/local-airflow.sh stop     # TERM each process group, KILL what is left
#
# Environment: AIRFLOW_HOME (default ./.hotpass/airflow), AIRFLOW_BIN (default `airflow` on
# PATH; may be a command such as "python -m airflow"), AIRFLOW_PORT (default 8080), HOTPASS_* settings for the DAG (workspace, landing,
# start date). The DAGs folder is src/python/hotpass_dags of this checkout unless
# AIRFLOW__CORE__DAGS_FOLDER is set.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$root/.hotpass/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$root/src/python/hotpass_dags}"
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-2}"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:${AIRFLOW__API__PORT}/execution/"
# AIRFLOW_BIN may be several words, e.g. "/opt/venv/bin/python -m airflow".
read -r -a airflow_cmd <<<"${AIRFLOW_BIN:-airflow}"
run_dir="$AIRFLOW_HOME/run"
components=(api-server scheduler dag-processor)

pid_of() { cat "$run_dir/$1.pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

start() {
  mkdir -p "$run_dir" "$AIRFLOW_HOME/logs"
  echo "airflow: home $AIRFLOW_HOME, DAGs $AIRFLOW__CORE__DAGS_FOLDER"
  "${airflow_cmd[@]}" db migrate >"$AIRFLOW_HOME/logs/db-migrate.log" 2>&1 ||
    { echo "airflow: db migrate failed; see $AIRFLOW_HOME/logs/db-migrate.log" >&2; exit 1; }
  for component in "${components[@]}"; do
    if alive "$(pid_of "$component")"; then
      echo "airflow: $component already running (pid $(pid_of "$component"))"
      continue
    fi
    setsid "${airflow_cmd[@]}" "$component" >"$AIRFLOW_HOME/logs/$component.log" 2>&1 &
    echo $! >"$run_dir/$component.pid"
    echo "airflow: started $component (pid $!, log $AIRFLOW_HOME/logs/$component.log)"
  done
  local url="http://127.0.0.1:${AIRFLOW__API__PORT}/api/v2/monitor/health"
  for _ in $(seq 1 120); do
    if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$url" >/dev/null 2>&1; then
      echo "airflow: api-server healthy at http://127.0.0.1:${AIRFLOW__API__PORT}"
      return 0
    fi
    sleep 1
  done
  echo "airflow: api-server not healthy after 120 s; see $AIRFLOW_HOME/logs/api-server.log" >&2
  exit 1
}

stop() {
  for component in "${components[@]}"; do
    local pid
    pid="$(pid_of "$component")"
    if alive "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || true  # the whole process group
      for _ in $(seq 1 30); do alive "$pid" || break; sleep 1; done
      alive "$pid" && kill -KILL -- "-$pid" 2>/dev/null || true
      echo "airflow: stopped $component"
    fi
    rm -f "$run_dir/$component.pid"
  done
}

status() {
  local code=0
  for component in "${components[@]}"; do
    if alive "$(pid_of "$component")"; then
      echo "$component: running (pid $(pid_of "$component"))"
    else
      echo "$component: stopped"
      code=1
    fi
  done
  return $code
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
