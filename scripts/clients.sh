#!/usr/bin/env bash
# The real official clients against a real gateai: Python `openai` and `anthropic` SDKs
# (pytest), the Node `openai` SDK (node --test) and the Claude Code CLI, all through the
# gateway to the upstream double (server/testkit). Installs what is missing (setup_clients in
# lib.sh), builds the two debug binaries when stale, starts both on free ports with a
# temporary SQLite database, makes the keys with the operator CLI, runs the tests, and stops
# what it started.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$(date +%s)
setup_rust
setup_clients

# GATEAI_BIN (set by test.sh: the binary cargo leptos built) is used as it is; otherwise the
# debug binary is built when stale. The double is always built when stale (a no-op after
# `cargo test --workspace`).
if [ -n "${GATEAI_BIN:-}" ]; then
  [ -x "$GATEAI_BIN" ] || die "GATEAI_BIN=$GATEAI_BIN is not an executable"
  BIN="$GATEAI_BIN"
else
  log "building gateai (debug, when stale)"
  cargo build -q -p server --bin gateai
  BIN="$ROOT/target/debug/gateai"
fi
log "building upstream-double (debug, when stale)"
cargo build -q -p testkit --bin upstream-double
DOUBLE_BIN="$ROOT/target/debug/upstream-double"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gateai-clients-XXXXXX")"
PIDS=()
cleanup() {
  local rc=$?
  # on failure keep what the double received (and the logs) for a look
  [ "$rc" = 0 ] || curl -fsS "${DOUBLE_URL:-http://127.0.0.1:1}/_double/requests" >"$RUN_DIR/double-requests.json" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" != 0 ]; then
    printf '\n--- gateai log (last 60 lines) ---\n' >&2; tail -n 60 "$RUN_DIR/gateai.log" >&2 || true
    printf -- '--- the double'"'"'s requests: curl %s/_double/requests (while it runs) ---\n' "${DOUBLE_URL:-}" >&2
    printf -- '--- kept %s ---\n' "$RUN_DIR" >&2
  else
    rm -rf "$RUN_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {
  # wait_http <url> <what> <log>
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$3" >&2; die "$2 did not start"
}

# The upstream double (answers every provider; key sk-upstream-test).
DOUBLE_PORT="$(free_port)"
"$DOUBLE_BIN" --addr "127.0.0.1:$DOUBLE_PORT" >"$RUN_DIR/double.log" 2>&1 &
PIDS+=($!)
export DOUBLE_URL="http://127.0.0.1:$DOUBLE_PORT"
wait_http "$DOUBLE_URL/_double/requests" "upstream-double" "$RUN_DIR/double.log"

# The gateway: every built-in provider points at the double. The provider variables go to
# the gateway process only (Claude Code reads ANTHROPIC_* too, with other values).
GW_PORT="$(free_port)"
export GATEAI_URL="http://127.0.0.1:$GW_PORT"
GW_ENV=(
  DATABASE_URL="sqlite://$RUN_DIR/gateai.db"
  GATEAI_DATA_DIR="$RUN_DIR"
  GATEAI_ADDR="127.0.0.1:$GW_PORT"
  GATEAI_SITE_ROOT="$ROOT/target/site"
  GATEAI_SECRET="clients-secret-clients-secret-0123456789"
  GATEAI_RETRY_BASE_MS=5
  GATEAI_LOG="${GATEAI_LOG:-warn}"
)
for p in OPENAI ANTHROPIC GEMINI DEEPSEEK XAI MOONSHOT ZAI MINIMAX; do
  GW_ENV+=("${p}_API_KEY=sk-upstream-test")
done
GW_ENV+=(
  OPENAI_BASE_URL="$DOUBLE_URL/v1" ANTHROPIC_BASE_URL="$DOUBLE_URL"
  GEMINI_BASE_URL="$DOUBLE_URL/v1" DEEPSEEK_BASE_URL="$DOUBLE_URL/v1" XAI_BASE_URL="$DOUBLE_URL/v1"
  MOONSHOT_BASE_URL="$DOUBLE_URL/v1" ZAI_BASE_URL="$DOUBLE_URL/v1" MINIMAX_BASE_URL="$DOUBLE_URL/v1"
)
gw() { env "${GW_ENV[@]}" "$BIN" "$@"; }
env "${GW_ENV[@]}" "$BIN" serve >"$RUN_DIR/gateai.log" 2>&1 &
PIDS+=($!)
wait_http "$GATEAI_URL/healthz" "gateai" "$RUN_DIR/gateai.log"

# A funded user with a key, and a user with no credit (402).
gw admin create-user --email clients@example.com --password 'clients-password-1' >/dev/null
gw admin credit --email clients@example.com --amount 100 >/dev/null
GATEAI_KEY="$(gw admin create-key --email clients@example.com --name clients)"
gw admin create-user --email broke@example.com --password 'clients-password-2' >/dev/null
GATEAI_KEY_BROKE="$(gw admin create-key --email broke@example.com --name broke)"
export GATEAI_KEY GATEAI_KEY_BROKE

log "Python SDKs (openai, anthropic)"
PYTHONDONTWRITEBYTECODE=1 "$CLIENTS_VENV/bin/python" -m pytest -q -p no:cacheprovider end2end/clients/test_python_sdks.py
log "Node openai SDK and Claude Code"
node --test --test-concurrency=1 end2end/clients/
log "client tests passed in $(( $(date +%s) - started ))s"
