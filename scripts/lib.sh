# Shared helpers for the set-up, start and test scripts. Sourced, not run.
# Everything installed by hand goes to .tools/ (git-ignored); compiled tools are also kept in
# a per-user cache (~/.cache/gateai) so that a second clone on the same machine skips the
# long `cargo install` steps.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CACHE="${GATEAI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gateai}"
mkdir -p "$TOOLS/bin" "$CACHE"

CARGO_LEPTOS_VERSION=0.3.11
# Leptos reads this at compile time (option_env!) to name the wasm file the pages load: every
# cargo invocation must see the same value, or `cargo test` rebuilds the server with another.
export LEPTOS_OUTPUT_NAME=gateai
BINARYEN_VERSION=132.0.0

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else die "need root for: $*"; fi; }

APT_UPDATED=0
# Incremental build caches grow with every build (tens of GB over a few sessions); when the
# disk holding target/ has less than GATEAI_MIN_FREE_GB (default 20) free, they are dropped
# (the next build is a little slower, never wrong).
prune_target() {
  local free_gb
  mkdir -p "$ROOT/target"
  free_gb=$(df -Pk "$ROOT/target" | awk 'NR==2 {print int($4 / 1048576)}')
  # each crate's incremental cache grows a new directory per session (2+ GB for the server):
  # keep only the newest one of each crate
  local dir crate
  for dir in "$ROOT"/target/*/incremental "$ROOT"/target/*/*/incremental; do
    [ -d "$dir" ] || continue
    for crate in $(ls "$dir" | sed 's/-[^-]*$//' | sort -u); do
      ls -dt "$dir/$crate"-* 2>/dev/null | tail -n +2 | xargs -r rm -rf
    done
  done
  # a build from scratch takes ~20 GB (debug server and tests 14, the wasm console 4): make
  # room first from what the tests do not use (bench and profiling builds), then from caches
  if [ "${free_gb:-0}" -lt "${GATEAI_MIN_FREE_GB:-20}" ]; then
    log "only ${free_gb} GB free: dropping the release, profiling and bench builds and the incremental caches in target/"
    rm -rf "$ROOT"/target/release "$ROOT"/target/profiling "$ROOT"/target/criterion
    rm -rf "$ROOT"/target/*/incremental "$ROOT"/target/*/*/incremental
  fi
}

apt_install() {
  # apt_install pkg...  (installs only the missing ones; Debian/Ubuntu only)
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  have apt-get || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  log "apt-get install ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Rust toolchain that can build both the server and the wasm console.
# Where rustup has (or can fetch) wasm32-unknown-unknown we use it; otherwise Debian's
# rustc-web with the standard library built from source (-Zbuild-std), see README.
# On Debian (these machines, CI) we use Debian's rustc-web 1.96 with the standard library's
# source (cargo-leptos 0.3.11 needs Rust 1.96); elsewhere rustup with the wasm target and rust-src.
setup_rust() {
  if have apt-get; then
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
    export PATH="/usr/bin:$PATH"
  elif have rustup; then
    rustup target add wasm32-unknown-unknown >/dev/null
    rustup component add rust-src >/dev/null
  else
    die "need either apt-get (Debian's rustc-web) or rustup"
  fi
  export PATH="$TOOLS/bin:$PATH"
  # The wasm build compiles the standard library from source (lib-cargo-args in Cargo.toml),
  # which needs RUSTC_BOOTSTRAP=1 on a stable compiler. Every cargo call gets it, not only
  # `cargo leptos`: proc-macro2's build script reruns when RUSTC_BOOTSTRAP changes, so a
  # `cargo test` without it after a `cargo leptos build` with it rebuilt nearly every crate.
  export RUSTC_BOOTSTRAP=1
}

# cargo install into the shared cache once, then link into .tools/bin
cached_cargo_install() {
  # cached_cargo_install <crate> <version> <binary> [extra cargo args...]
  local crate="$1" version="$2" bin="$3"; shift 3
  local root="$CACHE/cargo/$crate-$version"
  if [ ! -x "$root/bin/$bin" ]; then
    log "cargo install $crate $version (once per machine; cached in $root)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install "$crate" --version "$version" --root "$root" "$@" >&2
  fi
  ln -sf "$root/bin/$bin" "$TOOLS/bin/$bin"
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock"
}

setup_web_tools() {
  cached_cargo_install cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos --locked --features no_downloads
  local wbv; wbv="$(wasm_bindgen_version)"
  [ -n "$wbv" ] || die "no wasm-bindgen in Cargo.lock"
  cached_cargo_install wasm-bindgen-cli "$wbv" wasm-bindgen
  # wasm-opt from npm's binaryen (Debian's binaryen 108 produces broken wasm)
  if [ ! -x "$TOOLS/node/node_modules/binaryen/bin/wasm-opt" ]; then
    have npm || apt_install nodejs npm
    log "npm install binaryen@$BINARYEN_VERSION"
    npm install --silent --prefix "$TOOLS/node" "binaryen@$BINARYEN_VERSION" >&2
  fi
  ln -sf "$TOOLS/node/node_modules/binaryen/bin/wasm-opt" "$TOOLS/bin/wasm-opt"
}

# PostgreSQL and Redis for the test suite: honour TEST_DATABASE_URL / TEST_REDIS_URL; else
# install (Debian), start and prepare a local role and database.
setup_services() {
  if [ -z "${TEST_DATABASE_URL:-}" ]; then
    if ! have pg_ctlcluster || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql; fi
    local ver; ver="$(ls /etc/postgresql | sort -V | tail -1)"
    [ -n "$ver" ] || die "no PostgreSQL cluster found in /etc/postgresql"
    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
      log "starting PostgreSQL $ver"
      as_root pg_ctlcluster "$ver" main start || true
    fi
    # another process may have just started it: wait until it takes connections
    for _ in $(seq 1 100); do pg_isready -q 2>/dev/null && break; sleep 0.2; done
    local psql=(as_root su postgres -c)
    if ! "${psql[@]}" "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='gateai'\"" | grep -q 1; then
      "${psql[@]}" "psql -qc \"CREATE ROLE gateai LOGIN PASSWORD 'gateai' CREATEDB\""
    fi
    if ! "${psql[@]}" "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='gateai_test'\"" | grep -q 1; then
      "${psql[@]}" "createdb -O gateai gateai_test"
    fi
    local port; port="$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')"
    export TEST_DATABASE_URL="postgres://gateai:gateai@127.0.0.1:${port:-5432}/gateai_test"
  fi
  if [ -z "${TEST_REDIS_URL:-}" ]; then
    have redis-server || apt_install redis-server
    if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
      log "starting Redis"
      redis-server --daemonize yes --port 6379 --save "" --appendonly no >/dev/null
      for _ in $(seq 1 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    export TEST_REDIS_URL="redis://127.0.0.1:6379"
  fi
}

# pinned_venv <dir> <requirements file>: a Python venv with those pins (pip runs again only
# when the file changed).
pinned_venv() {
  local venv="$1" req="$2"
  if [ ! -x "$venv/bin/python" ]; then
    have python3 || apt_install python3
    log "python venv (${venv#"$ROOT"/})"
    # Debian's python3 needs python3-venv for ensurepip (venv fails without it)
    if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt_install python3-venv
      python3 -m venv --clear "$venv"
    fi
  fi
  if ! cmp -s "$req" "$venv/.requirements"; then
    log "pip install $(grep -v '^#' "$req" | tr '\n' ' ')(${req#"$ROOT"/})"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
    cp "$req" "$venv/.requirements"
  fi
}

# An S3-compatible server for the tests of videos kept in a bucket: moto's server (pinned in
# scripts/s3-server.requirements.txt, its own venv in .tools/s3), on 127.0.0.1:9400.
setup_s3() {
  [ -z "${TEST_S3_URL:-}" ] || return 0
  local venv="$TOOLS/s3" port=9400
  pinned_venv "$venv" "$ROOT/scripts/s3-server.requirements.txt"
  if ! curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/"; then
    log "starting the S3 test server (moto) on port $port"
    nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$TOOLS/s3.log" 2>&1 &
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/" && break; sleep 0.2; done
    curl -sf -o /dev/null "http://127.0.0.1:$port/moto-api/" || die "the S3 test server did not start (see .tools/s3.log)"
  fi
  export TEST_S3_URL="http://127.0.0.1:$port"
}

# The Rust tests make one PostgreSQL database each (gateai_t_*); drop those a previous run
# left, before a new run (never while tests run: they would lose theirs).
drop_test_databases() {
  [ -n "${TEST_DATABASE_URL:-}" ] || return 0
  local dbs
  dbs="$(as_root su postgres -c "psql -tAc \"SELECT datname FROM pg_database WHERE datname LIKE 'gateai\\_t\\_%'\"" 2>/dev/null || true)"
  [ -n "$dbs" ] || return 0
  log "dropping $(echo "$dbs" | wc -l) test databases of earlier runs"
  for db in $dbs; do as_root su postgres -c "dropdb --if-exists $db" >/dev/null 2>&1 || true; done
}

# Chromium and the Node packages of the browser tests.
setup_browser() {
  if [ -z "${CHROMIUM_PATH:-}" ]; then
    have chromium || apt_install chromium
    export CHROMIUM_PATH="$(command -v chromium)"
  fi
  if [ ! -d "$ROOT/end2end/node_modules/playwright-core" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    log "npm ci (end2end)"
    (cd "$ROOT/end2end" && npm ci --silent --no-audit --no-fund >&2)
  fi
}

# The real clients of scripts/clients.sh: a Python venv in .tools/venv with the pinned SDKs of
# end2end/clients/requirements.txt (pip runs only when the pins changed), and the Node
# packages of end2end (openai, @anthropic-ai/claude-code next to playwright-core).
setup_clients() {
  local venv="$TOOLS/venv"
  pinned_venv "$venv" "$ROOT/end2end/clients/requirements.txt"
  export CLIENTS_VENV="$venv"
  have curl || apt_install curl
  have npm || apt_install nodejs npm
  local nm="$ROOT/end2end/node_modules"
  if [ ! -d "$nm/openai" ] || [ ! -d "$nm/@anthropic-ai/claude-code" ] || [ ! -d "$nm/playwright-core" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$nm/.package-lock.json" ]; then
    log "npm ci (end2end)"
    (cd "$ROOT/end2end" && npm ci --silent --no-audit --no-fund >&2)
  fi
}
