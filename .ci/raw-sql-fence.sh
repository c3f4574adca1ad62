#!/usr/bin/env bash
# The raw-SQL fence: fails when SQL written as text (clippy.toml `disallowed-methods`) is used
# outside crates/store/src/dialect.rs and crates/store/src/migration/. Only that lint is turned
# on, so the rest of clippy's opinions never fail CI through this script.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
exec </dev/null
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if ! cargo clippy --version >/dev/null 2>&1; then
  echo "installing the clippy component"
  rustup component add clippy
fi

if cargo clippy --workspace --all-targets -- -A clippy::all -D clippy::disallowed_methods; then
  echo "raw-SQL fence: no SQL written as text outside store/src/dialect.rs and store/src/migration/"
else
  echo "raw-SQL fence: SQL written as text outside store/src/dialect.rs and store/src/migration/ (see above);" \
    "build it with sea-query through crates/store/src/query.rs, or put backend-only SQL in a named function of dialect.rs" >&2
  exit 1
fi
