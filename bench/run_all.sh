#!/usr/bin/env bash
# Every benchmark of bench/ in one go: (a)-(c) with bench/ingest.py, side by side with Debian's
# Alertmanager, then (d) with bench/escalation_lateness.py. Each stops by itself and everything
# it starts; `timeout` bounds them all the same.
#
#   bench/run_all.sh [--database postgres://postgres@127.0.0.1:5432/warroom_bench]
#                    [--redis redis://127.0.0.1:6379/14] [other bench/ingest.py options]
#
# --database and --redis apply to both scripts; the other options only to ingest.py.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}

shared=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --database | --redis) shared+=("${args[$i]}" "${args[$((i + 1))]}") ;;
        --database=* | --redis=*) shared+=("${args[$i]}") ;;
    esac
done

echo "== bench/ingest.py $*"
timeout --kill-after=30 1200 "$python" bench/ingest.py "$@"
echo
echo "== bench/escalation_lateness.py ${shared[*]:-}"
timeout --kill-after=30 300 "$python" bench/escalation_lateness.py "${shared[@]}"
