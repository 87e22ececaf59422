#!/usr/bin/env bash
# Checks Cargo.lock against the RustSec advisory database with cargo audit:
# any known vulnerability in a dependency fails CI (.cargo/audit.toml lists the
# advisories that cannot apply, each with its reason, checked below).
# The database is a git repository on GitHub. Where GitHub cannot be reached, a
# local copy is used: $GOLDTHREAD_ADVISORY_DB, else $HOME/.cache/advisory-db,
# else one made from a mirror at /work/.mirror/rustsec+advisory-db/repo. With no
# copy at all it says loudly that the audit did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-audit >/dev/null 2>&1; then
  cargo install cargo-audit --locked --quiet
fi
DB="${GOLDTHREAD_ADVISORY_DB:-$HOME/.cache/advisory-db}"
if [ ! -d "$DB/crates" ]; then
  rm -rf "$DB"
  if ! timeout 60 git clone -q --depth 1 https://github.com/rustsec/advisory-db.git "$DB" 2>/dev/null; then
    MIRROR=/work/.mirror/rustsec+advisory-db/repo
    if [ -d "$MIRROR" ]; then
      git clone -q "$MIRROR" "$DB"
    else
      echo "WARNING: no RustSec advisory database is reachable (GitHub is not, and there is no local copy): cargo audit did NOT run" >&2
      exit 0
    fi
  fi
else
  timeout 60 git -C "$DB" pull -q --ff-only 2>/dev/null || true
fi
echo "advisory database: $DB, last changed $(git -C "$DB" log -1 --format=%cs)"
# The reason RUSTSEC-2023-0071 is ignored must still hold: rsa is not built.
if cargo tree -i rsa --target all -e all 2>/dev/null | grep -q rsa; then
  echo "rsa is now compiled into goldthread: RUSTSEC-2023-0071 may apply; remove its ignore in .cargo/audit.toml and deal with it" >&2
  exit 1
fi
cargo audit --db "$DB" --no-fetch
