#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis against its own OpenAPI document.
#
#   bench/fuzz_api.sh [MAX_EXAMPLES]        (default 50 per operation)
#
# schemathesis pins a jsonschema-rs that clashes with langgraph-api's, so it lives in its own virtualenv
# (FUZZ_VENV, default ~/.cache/optiinfra-fuzz-venv). The API runs against the simulated account with a
# store filled by one real collection. Every check schemathesis has (--checks all: no 5xx, documented status
# codes, content types, headers and response schemas, schema-invalid input refused, schema-valid input
# accepted, auth enforced, 405 for undeclared methods ...) over every phase (examples, coverage, fuzzing,
# stateful). The one exception is written down in schemathesis.toml below, with its reason. The schema is
# fetched without the key, as any client may. Exit status is schemathesis's.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES="${1:-50}"
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
FUZZ_VENV="${FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/optiinfra-fuzz-venv}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$FUZZ_VENV/bin/schemathesis" ]; then
  echo "# creating $FUZZ_VENV with schemathesis"
  python3 -m venv "$FUZZ_VENV"
  "$FUZZ_VENV/bin/pip" install -q --upgrade pip
  "$FUZZ_VENV/bin/pip" install -q 'schemathesis>=4.0,<5'
fi

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export XDG_DATA_HOME="$WORK/data" COST_AGENT_CONFIG="$WORK/no-config.yaml"
echo "# starting the simulated account"
"$BIN/cost-agent" sandbox --out "$WORK" --ready-file "$WORK/ready.json" >"$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do [ -f "$WORK/ready.json" ] && break; sleep 0.5; done
[ -f "$WORK/ready.json" ] || { echo "sandbox did not start:"; cat "$WORK/sandbox.log"; exit 1; }
eval "$("$BIN/python" -c 'import json,shlex,sys; e=json.load(open(sys.argv[1]))["env"]; print("\n".join(f"export {k}={shlex.quote(str(v))}" for k,v in e.items()))' "$WORK/ready.json")"

echo "# filling the store with one collection"
"$BIN/cost-agent" run --json "$WORK/report.json" >"$WORK/run.log" 2>&1 || test $? -eq 3

PORT="$(free_port)"
export API_KEY="fuzz-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "# serving on 127.0.0.1:$PORT"
"$BIN/cost-agent" serve --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$PORT/openapi.json" -o "$WORK/openapi.json"

# JSON Schema cannot say "start_date <= end_date" or "at most 13 months apart" between two query
# parameters: a pair valid one by one is still refused with a 422 that names the rule. Only for that
# operation is 422 an accepted answer to schema-valid input; everything else stays as strict as the default.
cat >"$WORK/schemathesis.toml" <<'TOML'
[[operations]]
include-path = "/api/v1/aws/costs"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "404", "422"]
TOML

echo "# schemathesis: $MAX_EXAMPLES examples per operation"
set +e
# From $WORK, so schemathesis's .schemathesis/ cache stays out of the repository.
(cd "$WORK" && "$FUZZ_VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$WORK/openapi.json" \
  --url "http://127.0.0.1:$PORT" -H "X-API-Key: $API_KEY" --checks all \
  --phases examples,coverage,fuzzing,stateful --max-examples "$MAX_EXAMPLES" --no-color)
status=$?
set -e
if grep -q " 500 " "$WORK/serve.log"; then echo "# server log shows 500s:"; grep " 500 " "$WORK/serve.log" | head; fi
exit "$status"
