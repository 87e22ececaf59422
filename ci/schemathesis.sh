#!/usr/bin/env bash
# Runs schemathesis (PyPI) against /api/openapi.json of a running demo server,
# signed in as the administrator, with a bounded number of examples per
# operation: no operation may answer a server error. Usage: ci/schemathesis.sh BIN
set -euo pipefail
BIN="$1"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-10}"
WORK="$(mktemp -d)"
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check schemathesis
DB="sqlite://$WORK/demo.db"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GOLDTHREAD_LOG=warn "$BIN" --db "$DB" demo --addr "127.0.0.1:$PORT" >/dev/null 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
TOKEN=$("$BIN" --db "$DB" token create --email admin@demo.example --tenant clackmannanshire | grep -oE '[A-Za-z0-9_-]{30,}' | head -1)
"$WORK/venv/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error \
  --max-examples "$EXAMPLES" --phases examples,fuzzing --seed 1 -w 2
