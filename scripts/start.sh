#!/usr/bin/env bash
# Set up what is missing, build the console and the server (release), migrate, and serve
# console + API on http://127.0.0.1:8080 with SQLite in ./data. A second run skips every
# step already done. Pass-through: any argument goes to `gateai serve`.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
prune_target
setup_rust
setup_web_tools
log "building (release)"
cargo leptos build --release
export GATEAI_SITE_ROOT="$ROOT/target/site"
log "migrating"
"$ROOT/target/release/gateai" migrate
exec "$ROOT/target/release/gateai" serve "$@"
