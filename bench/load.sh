#!/usr/bin/env bash
# Load benchmark (not a test): the national synthetic set on SQLite and on
# PostgreSQL, each served by one `goldthread serve` (release build) and loaded
# by wrk with 64 connections for 30 s on five endpoints of council-01:
#   public home page   /p/council-01                 (anonymous)
#   public indicator   /p/council-01/indicators/<first indicator> (anonymous)
#   outcome dashboard  /dashboard                    (signed in)
#   indicator page     /indicators/<first indicator> (signed in)
#   status API         /api/v1/status                (API token)
# For each: requests/s, p50, p99, non-2xx; and for each database the server's
# peak memory (VmHWM), its most open file descriptors, and (PostgreSQL) the
# most connections it held, sampled every second while loaded.
# Usage: bench/load.sh [sqlite|postgres|both]   (default both)
# Env: COUNCILS (32), INDICATORS (1000), PERIODS (20), DURATION (30s),
#      CONNECTIONS (64), PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/goldthread-target}"
command -v wrk >/dev/null || { echo "wrk is needed (Debian: apt-get install wrk)" >&2; exit 2; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/goldthread"
WHICH="${1:-both}"
COUNCILS="${COUNCILS:-32}" INDICATORS="${INDICATORS:-1000}" PERIODS="${PERIODS:-20}"
DURATION="${DURATION:-30s}" CONNECTIONS="${CONNECTIONS:-64}" TODAY=2026-11-23
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK="$(mktemp -d)"
PGDB="goldthread_load_$$"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export GOLDTHREAD_LOG=warn

"$BIN" generate national --councils "$COUNCILS" --indicators "$INDICATORS" --periods "$PERIODS" \
  --seed 1 --out "$WORK/data" --today "$TODAY" >/dev/null
rows=$(cat "$WORK"/data/council-*/measurements.csv | grep -vc '^indicator,')

load() { # DB_URL: the whole national set, council by council
  local db="$1"
  "$BIN" --db "$db" migrate >/dev/null
  for dir in "$WORK"/data/council-*; do
    local code; code=$(basename "$dir")
    "$BIN" --db "$db" tenant add "$code" --name "Council ${code#council-}" >/dev/null
    "$BIN" --db "$db" import framework "$dir" --tenant "$code" >/dev/null
    for kind in localities indicators targets measurements; do
      "$BIN" --db "$db" import "$kind" "$dir/$kind.csv" --tenant "$code" >/dev/null
    done
  done
  echo "bench-password-1" | "$BIN" --db "$db" user add --tenant council-01 --email bench@example.org \
    --name Bench --role performance-officer --password-stdin >/dev/null
}

run() { # NAME DB_URL
  local name="$1" db="$2" port=18090
  local t0=$SECONDS; load "$db"; local loaded=$((SECONDS - t0))
  "$BIN" --db "$db" serve --addr "127.0.0.1:$port" & SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  local base="http://127.0.0.1:$port"
  local cookie token indicator
  cookie=$(curl -s -o /dev/null -D - -H "Origin: $base" --data-urlencode email=bench@example.org \
    --data-urlencode password=bench-password-1 "$base/login" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1)
  token=$("$BIN" --db "$db" token create --email bench@example.org --tenant council-01 | grep -oE 'gt_[A-Za-z0-9]+' | head -1)
  indicator=$(sed -n '2s/,.*//p' "$WORK/data/council-01/indicators.csv")
  local rss0; rss0=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$SERVER/status")
  # Sample open descriptors and (PostgreSQL) connections every second.
  : > "$WORK/$name.samples"
  ( while kill -0 "$SERVER" 2>/dev/null; do
      fds=$(ls "/proc/$SERVER/fd" 2>/dev/null | wc -l)
      conns=0
      [ "$name" = postgres ] && conns=$(psql -Atq "$PG_ADMIN_URL" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$PGDB'" 2>/dev/null || echo 0)
      echo "$fds $conns" >> "$WORK/$name.samples"; sleep 1
    done ) & SAMPLER=$!
  echo
  echo "== $name: $COUNCILS councils, $INDICATORS indicators each, $rows measurements (loaded in ${loaded} s); server RSS at start ${rss0} MB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-18s %10s %9s %9s %8s %s\n' endpoint "req/s" p50 p99 non-2xx "bytes/response"
  for spec in "public-home|/p/council-01|" "public-indicator|/p/council-01/indicators/$indicator|" "dashboard|/dashboard|Cookie: $cookie" \
              "indicator|/indicators/$indicator|Cookie: $cookie" "status-api|/api/v1/status|Authorization: Bearer $token"; do
    IFS='|' read -r label path header <<<"$spec"
    local size; size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' ${header:+-H "$header"} "$base$path")
    [ "${size%% *}" = 200 ] || { echo "$label: $path answered ${size%% *}" >&2; exit 1; }
    local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency ${header:+-H "$header"} "$base$path")
    printf '%-18s %10s %9s %9s %8s %s\n' "$label" \
      "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
      "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
      "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)" "${size#* }"
  done
  kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=
  echo "server peak memory (VmHWM) $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SERVER/status") MB, now $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$SERVER/status") MB;" \
    "open descriptors at most $(sort -n "$WORK/$name.samples" | tail -1 | cut -d' ' -f1);" \
    "database connections at most $(sort -k2 -n "$WORK/$name.samples" | tail -1 | cut -d' ' -f2) (PostgreSQL; the pool holds at most 8 connections on SQLite, 16 on PostgreSQL)"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

case "$WHICH" in sqlite|both) run sqlite "sqlite://$WORK/national.db" ;; esac
case "$WHICH" in postgres|both)
  psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PGDB" >/dev/null
  run postgres "${PG_ADMIN_URL%/*}/$PGDB" ;; esac
