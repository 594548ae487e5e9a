#!/usr/bin/env bash
# Figures for the notes: release binary size, idle RSS of the server, and the key-lookup
# benchmark (criterion). Builds the release console and server first (slow: minutes).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
setup_rust
setup_web_tools
cargo leptos build --release >&2
bin="$ROOT/target/release/gateai"
echo "release binary: $(du -h "$bin" | cut -f1) ($(stat -c %s "$bin") bytes)"
echo "wasm bundle: $(du -h "$ROOT/target/site/pkg/gateai.wasm" | cut -f1)"
dir="$(mktemp -d)"
port=18089
GATEAI_DATA_DIR="$dir" GATEAI_ADDR="127.0.0.1:$port" GATEAI_SITE_ROOT="$ROOT/target/site" GATEAI_LOG=warn \
  "$bin" serve >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
for p in / /sign-in /sign-up; do curl -s -o /dev/null "http://127.0.0.1:$port$p"; done
sleep 2
echo "idle RSS after serving a few pages: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$dir"
cargo bench -p server --bench key_lookup -- --noplot 2>&1 | grep -E "^[a-z].*|time:" >&2
