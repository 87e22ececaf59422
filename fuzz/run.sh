#!/usr/bin/env bash
# Runs goldthread's fuzz targets with libFuzzer (cargo fuzz), JOBS at a time,
# each for SECONDS, and prints each run's last status line. See docs/fuzzing.md.
# Usage: fuzz/run.sh [TARGET…]   (default: every target)
# Env: SECONDS_EACH (600), JOBS (2), LOGS (a temporary directory).
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1   # cargo fuzz passes -Z flags; the stable toolchain accepts them so
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/goldthread-target-fuzz}"
SECONDS_EACH="${SECONDS_EACH:-600}" JOBS="${JOBS:-2}"
LOGS="${LOGS:-$(mktemp -d)}"; mkdir -p "$LOGS"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
cargo fuzz build --sanitizer none -O >/dev/null
run() {
  local t="$1"
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  nice -n 10 cargo fuzz run --sanitizer none -O "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$LOGS/$t.log" 2>&1 && status=ok || status="FAILED (see $LOGS/$t.log and fuzz/artifacts/$t)"
  printf '%-22s %s | %s\n' "$t" "$status" "$(grep -E '^#[0-9]+' "$LOGS/$t.log" | tail -1)"
}
export -f run; export SECONDS_EACH LOGS
printf '%s\n' "${targets[@]}" | xargs -P "$JOBS" -I{} bash -c 'run {}'
echo "logs: $LOGS"
