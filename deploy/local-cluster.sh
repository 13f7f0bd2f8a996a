#!/usr/bin/env bash
# Starts a multi-process ActorTrain cluster on this machine: one parameter-server node and N worker nodes, each a
# separate `actortrain node` process on 127.0.0.1 (the same commands you run on separate machines, see
# deploy/README.md). Waits for the run to finish and exits with the parameter server's exit code.
#
#   deploy/local-cluster.sh [--workers N] [--port P] [--logs DIR] [-- training options for the parameter server]
#
# Example: deploy/local-cluster.sh --workers 3 -- --model mlp --epochs 1 --json result.json
# The executable defaults to a Release build of src/Nodes; set ACTORTRAIN=/path/to/actortrain to use another.
set -euo pipefail

workers=2
port=4053
logs="${TMPDIR:-/tmp}/actortrain-local-cluster"
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --logs) logs="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "local-cluster.sh: unknown option $1 (training options go after --)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${ACTORTRAIN:-}" ]; then
  dotnet build "$here/src/Nodes" -c Release -v q -nologo >/dev/null
  ACTORTRAIN="$here/src/Nodes/bin/Release/net10.0/actortrain"
fi
mkdir -p "$logs"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

"$ACTORTRAIN" node --role ps --port "$port" --min-workers "$workers" "$@" > "$logs/ps.log" 2>&1 &
ps_pid=$!
pids+=("$ps_pid")
echo "parameter server: pid $ps_pid, 127.0.0.1:$port, log $logs/ps.log"
for i in $(seq 1 "$workers"); do
  "$ACTORTRAIN" node --role worker --seed "127.0.0.1:$port" --workers 1 > "$logs/worker-$i.log" 2>&1 &
  pids+=("$!")
  echo "worker $i: pid $!, log $logs/worker-$i.log"
done

status=0
wait "$ps_pid" || status=$?
for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
pids=()
tail -n 1 "$logs/ps.log"
exit "$status"
