#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests against SQLite and PostgreSQL, then
# the browser tests in Chromium. Installs and starts what is missing (see lib.sh).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
prune_target
started=$(date +%s)
setup_rust
setup_web_tools
setup_services
setup_s3
drop_test_databases
setup_browser
log "building the console and the server (debug)"
cargo leptos build
log "Rust tests (SQLite and PostgreSQL: $TEST_DATABASE_URL)"
# every test server has its own pool: keep them small so parallel tests stay within
# PostgreSQL's 100 connections
export GATEAI_DB_POOL="${GATEAI_DB_POOL:-8}"
cargo test --workspace --exclude frontend 2>&1 | tee "$ROOT/target/rust-tests.log"
log "browser tests"
export GATEAI_BIN="$ROOT/target/debug/gateai" GATEAI_SITE_ROOT="$ROOT/target/site"
node --test --test-concurrency=1 end2end/tests/
bash "$ROOT/scripts/clients.sh"   # the real SDKs and Claude Code through the gateway
log "all tests passed in $(( $(date +%s) - started ))s"
