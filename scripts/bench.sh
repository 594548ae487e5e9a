#!/usr/bin/env bash
# Gateway overhead, measured in one run against the upstream test double: the double called
# directly, then the same call through the gateway with auth, admission, billing and logging
# on. Figures: added latency p50/p99 at concurrency 1 (wrk), requests per second at
# concurrency 32 (wrk), streaming time-to-first-byte overhead (curl, 300 calls), peak RSS.
# The "floor" column is the same call through floor-proxy (server/testkit): the gateway's HTTP
# stack forwarding bytes with nothing else, i.e. what the second HTTP leg alone costs here.
# Release builds (slow the first time). Usage: scripts/bench.sh [seconds per run, default 10]
# BENCH_PIN=1 pins the load generator and the double to CPU 0 and the gateway to CPU 1, so the
# gateway's own cost is not mixed with theirs (default: no pinning, everything shares the CPUs).
# BENCH_PIN=one, BENCH_SPIN=1, BENCH_HALTPOLL=ns, BENCH_ROUNDS=n, BENCH_C1_ONLY=1: see below.
# TOKIO_WORKER_THREADS sets the gateway's worker threads (tokio's default: one per CPU).
# BENCH_PROFILE=profiling uses the release build with symbols (`cargo build --profile profiling`).
# BENCH_PERF=1 (with it) records the gateway with `perf record -g` during the concurrency-1 run,
# into target/bench/gateway_c1.perf.data (read it with `perf report -i …`); the recording slows
# the gateway, so its figures are then not comparable.
# "CPU per request" is the process's user + system time during the concurrency-32 run divided
# by the requests it served (from /proc/PID/stat): the steadiest figure here.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
secs="${1:-10}"
setup_rust
have wrk || apt_install wrk
profile="${BENCH_PROFILE:-release}"
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then # BENCH_NO_BUILD=1: use the built binaries as they are
  log "building $profile binaries (gateai, upstream-double, floor-proxy)"
  cargo build --profile "$profile" -p server --bin gateai >&2
  cargo build --profile "$profile" -p testkit --bin upstream-double --bin floor-proxy >&2
fi
bin="$ROOT/target/$profile"
# the tests' PostgreSQL and Redis wake up now and then; unpinned, their work lands in the tail
if pgrep -x postgres >/dev/null || pgrep -x redis-server >/dev/null; then
  log "PostgreSQL or Redis is running beside the bench and will add to its tail (stop them: pg_ctlcluster 15 main stop; redis-cli shutdown)"
fi

work="$(mktemp -d)"
out="$ROOT/target/bench"; mkdir -p "$out"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port=$(free_port); gw_port=$(free_port); floor_port=$(free_port)
pin_load=(); pin_gw=()
if [ "${BENCH_PIN:-0}" = 1 ] && have taskset && [ "$(nproc)" -ge 2 ]; then pin_load=(taskset -c 0); pin_gw=(taskset -c 1); fi
# BENCH_PIN=one puts everything on CPU 0: no wake-up crosses CPUs (on a VM, waking an idle
# vCPU costs tens of µs per hop, which the two-leg paths pay and the direct call does not)
if [ "${BENCH_PIN:-0}" = one ] && have taskset; then pin_load=(taskset -c 0); pin_gw=(taskset -c 0); fi
pids=()
halt_poll=/sys/module/haltpoll/parameters/guest_halt_poll_ns
halt_poll_was=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
  if [ -n "$halt_poll_was" ]; then echo "$halt_poll_was" >"$halt_poll"; fi
}
trap cleanup EXIT
# BENCH_HALTPOLL=ns (a KVM guest with the haltpoll cpuidle driver, as root): an idle vCPU
# polls this long before it halts, for the run (restored after). A halted vCPU takes tens of
# µs to wake, and every request through a proxy wakes one four times; with guest_halt_poll_ns
# 0 (this VM's default) the two-leg paths pay it and the direct call does not.
if [ -n "${BENCH_HALTPOLL:-}" ]; then
  [ -w "$halt_poll" ] || die "BENCH_HALTPOLL needs the haltpoll cpuidle driver and root ($halt_poll)"
  halt_poll_was=$(cat "$halt_poll")
  echo "$BENCH_HALTPOLL" >"$halt_poll"
fi
# BENCH_SPIN=1 keeps every CPU awake with a busy loop at SCHED_IDLE (a woken thread takes the
# CPU from it at once): a wake-up then costs what it costs on hardware whose CPUs wake fast,
# instead of waking a halted vCPU (on a VM without idle polling, see BENCH_HALTPOLL)
if [ "${BENCH_SPIN:-0}" = 1 ] && have chrt; then
  for c in $(seq 0 $(( $(nproc) - 1 ))); do
    taskset -c "$c" chrt --idle 0 sh -c 'while :; do :; done' & pids+=($!)
  done
fi

"${pin_load[@]}" "$bin/upstream-double" --addr "127.0.0.1:$up_port" --max-recorded 1000 >"$work/double.log" 2>&1 &
pids+=($!)
export GATEAI_DATA_DIR="$work/data" GATEAI_ADDR="127.0.0.1:$gw_port" GATEAI_LOG=warn RUST_LOG=warn \
  DEEPSEEK_API_KEY=sk-upstream-test DEEPSEEK_BASE_URL="http://127.0.0.1:$up_port/v1"
gateai="$bin/gateai"
"$gateai" admin create-user --email bench@example.com --password "bench-password-1" >/dev/null
"$gateai" admin credit --email bench@example.com --amount 1000000 >/dev/null
key=$("$gateai" admin create-key --email bench@example.com --name bench)
"${pin_gw[@]}" "$gateai" serve >"$work/gateway.log" 2>&1 &
gw_pid=$!; pids+=($gw_pid)
"${pin_gw[@]}" "$bin/floor-proxy" --addr "127.0.0.1:$floor_port" --upstream "http://127.0.0.1:$up_port" >"$work/floor.log" 2>&1 &
floor_pid=$!; pids+=($floor_pid)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$gw_port/healthz" >/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$up_port/v1/models" -H "authorization: Bearer sk-upstream-test" && break; sleep 0.1; done

direct_url="http://127.0.0.1:$up_port/v1/chat/completions"
floor_url="http://127.0.0.1:$floor_port/v1/chat/completions"
gw_url="http://127.0.0.1:$gw_port/openai/v1/chat/completions"
body_direct='{"model":"deepseek-chat","max_tokens":16,"messages":[{"role":"user","content":"hello, how are you today?"}]}'
body_gw='{"model":"deepseek/deepseek-v3.2","max_tokens":16,"messages":[{"role":"user","content":"hello, how are you today?"}]}'
stream_direct='{"model":"deepseek-chat","max_tokens":16,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]}'
stream_gw='{"model":"deepseek/deepseek-v3.2","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hello"}]}'

lua() { # lua <file> <auth value> <body>
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $2"
wrk.body = [[$3]]
LUA
}
lua "$work/direct.lua" sk-upstream-test "$body_direct"
lua "$work/gw.lua" "$key" "$body_gw"

to_us() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000000} else print v}'; }
pct() { grep -E "^ +$2%" "$1" | awk '{print $2}' | to_us; }
rps() { grep "Requests/sec" "$1" | awk '{print $2}'; }
check_errors() { if grep -qE "Non-2xx|Socket errors" "$1"; then echo "errors during $1:" >&2; cat "$1" >&2; exit 1; fi; }

cpu_ticks() { # utime + stime of process $1 in clock ticks (0 without a pid)
  if [ -n "$1" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi
}
run() { # run <name> <lua> <url> <connections> [pid whose CPU per request to measure]
  "${pin_load[@]}" wrk -t1 -c1 -d2s -s "$2" "$3" >/dev/null # warm up
  local perf_pid=""
  if [ "${BENCH_PERF:-0}" = 1 ] && [ "$1" = gateway_c1 ] && have perf; then
    perf ${BENCH_PERF_CMD:-record -g} -o "$out/gateway_c1.perf.data" -p "$gw_pid" -- sleep "$secs" 2>/dev/null &
    perf_pid=$!
  fi
  local cpu_before; cpu_before=$(cpu_ticks "${5:-}")
  "${pin_load[@]}" wrk -t"$([ "$4" -gt 1 ] && echo 2 || echo 1)" -c"$4" -d"${secs}s" --latency -s "$2" "$3" >"$out/$1.txt"
  if [ -n "${5:-}" ]; then # CPU µs per request of process $5
    awk -v t="$(( $(cpu_ticks "$5") - cpu_before ))" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.0f\n", t / hz * 1e6 / $1}' "$out/$1.txt" >"$out/$1.cpu"
  fi
  [ -n "$perf_pid" ] && wait "$perf_pid"
  check_errors "$out/$1.txt"
}
# BENCH_ROUNDS=n runs the three concurrency-1 runs n times, one after the other (direct,
# floor, gateway; n rounds): this VM's tail moves by several hundred µs from one 10 s run to
# the next, so the report takes the median of the rounds and lists each. BENCH_C1_ONLY=1 stops
# after them (an A/B of two builds or settings wants only these).
median() { awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' "$1"; } # of a sorted file
rounds="${BENCH_ROUNDS:-1}"
log "concurrency 1, ${secs}s each, $rounds round(s)"
: >"$out/c1_rounds.txt"
for _ in $(seq 1 "$rounds"); do
  run direct_c1 "$work/direct.lua" "$direct_url" 1
  run floor_c1 "$work/direct.lua" "$floor_url" 1
  run gateway_c1 "$work/gw.lua" "$gw_url" 1
  echo "$(pct "$out/direct_c1.txt" 50) $(pct "$out/floor_c1.txt" 50) $(pct "$out/gateway_c1.txt" 50) $(pct "$out/direct_c1.txt" 99) $(pct "$out/floor_c1.txt" 99) $(pct "$out/gateway_c1.txt" 99)" >>"$out/c1_rounds.txt"
done
col_median() { median <(awk -v c="$1" '{print $c}' "$out/c1_rounds.txt" | sort -g); }
# each round: gateway's added p50 / p99 (the floor's in brackets)
round_list=$(awk '{printf "%s+%g/+%g (+%g/+%g)", (NR>1 ? "; " : ""), $3-$1, $6-$4, $2-$1, $5-$4}' "$out/c1_rounds.txt")
if [ "${BENCH_C1_ONLY:-0}" = 1 ]; then
  echo "concurrency 1, $rounds round(s) of ${secs}s, median: direct p50 $(col_median 1) p99 $(col_median 4), floor p50 $(col_median 2) p99 $(col_median 5), gateway p50 $(col_median 3) p99 $(col_median 6) µs" | tee "$out/report.txt"
  echo "rounds, gateway added p50/p99 (floor's): $round_list" | tee -a "$out/report.txt"
  exit 0
fi
log "concurrency 32, ${secs}s each"
run direct_c32 "$work/direct.lua" "$direct_url" 32
run floor_c32 "$work/direct.lua" "$floor_url" 32 "$floor_pid"
run gateway_c32 "$work/gw.lua" "$gw_url" 32 "$gw_pid"
peak_rss=$(awk '/VmHWM/ {print $2, $3}' /proc/$gw_pid/status)

log "streaming time to first byte, 300 calls each (one kept-alive connection, as SDKs do; and a new connection per call)"
ttfb() { # ttfb <url> <auth> <body> → sorted µs values, 300 calls on one kept-alive connection
  local args=()
  for _ in $(seq 1 300); do args+=("$1" -o /dev/null); done
  "${pin_load[@]}" curl -s -w '%{time_starttransfer}\n' -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3" "${args[@]}" \
    | awk '{printf "%d\n", $1*1000000}' | sort -n
}
ttfb_new() { # the same, a new connection per call (curl run 300 times)
  for _ in $(seq 1 300); do
    "${pin_load[@]}" curl -s -o /dev/null -w '%{time_starttransfer}\n' -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3" "$1"
  done | awk '{printf "%d\n", $1*1000000}' | sort -n
}
ttfb "$direct_url" sk-upstream-test "$stream_direct" >"$out/ttfb_direct.txt"
ttfb "$floor_url" sk-upstream-test "$stream_direct" >"$out/ttfb_floor.txt"
ttfb "$gw_url" "$key" "$stream_gw" >"$out/ttfb_gateway.txt"
ttfb_new "$direct_url" sk-upstream-test "$stream_direct" >"$out/ttfb_new_direct.txt"
ttfb_new "$gw_url" "$key" "$stream_gw" >"$out/ttfb_new_gateway.txt"
p99() { awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; print a[i]}' "$1"; }

d50=$(col_median 1); f50=$(col_median 2); g50=$(col_median 3)
d99=$(col_median 4); f99=$(col_median 5); g99=$(col_median 6)
drps=$(rps "$out/direct_c32.txt"); grps=$(rps "$out/gateway_c32.txt"); frps=$(rps "$out/floor_c32.txt")
t_d=$(median "$out/ttfb_direct.txt"); t_g=$(median "$out/ttfb_gateway.txt"); t_f=$(median "$out/ttfb_floor.txt")
n_d=$(median "$out/ttfb_new_direct.txt"); n_g=$(median "$out/ttfb_new_gateway.txt")
# every request logged and charged
sleep 1
usage=$(curl -s "http://127.0.0.1:$gw_port/api/v1/credits" -H "authorization: Bearer $key")
{
  echo "gateway bench ($(date -u +%F), $(nproc) cores, ${secs}s per wrk run, pinned: ${BENCH_PIN:-0}, spin: ${BENCH_SPIN:-0}, guest halt poll: $(cat "$halt_poll" 2>/dev/null || echo -) ns, gateway workers: ${TOKIO_WORKER_THREADS:-one per CPU})"
  printf '%-38s %12s %12s %12s %12s %12s\n' "" direct floor gateway "added/ratio" "floor added"
  printf '%-38s %10sµs %10sµs %10sµs %10sµs %10sµs\n' "latency p50, concurrency 1" "$d50" "$f50" "$g50" "$(awk "BEGIN{print $g50-$d50}")" "$(awk "BEGIN{print $f50-$d50}")"
  printf '%-38s %10sµs %10sµs %10sµs %10sµs %10sµs\n' "latency p99, concurrency 1" "$d99" "$f99" "$g99" "$(awk "BEGIN{print $g99-$d99}")" "$(awk "BEGIN{print $f99-$d99}")"
  if [ "$rounds" -gt 1 ]; then echo "  (medians of $rounds rounds; each round's gateway added p50/p99, the floor's in brackets: $round_list)"; fi
  printf '%-38s %12s %12s %12s %11sx %11sx\n' "requests/s, concurrency 32" "$drps" "$frps" "$grps" "$(awk "BEGIN{printf \"%.2f\", $grps/$drps}")" "$(awk "BEGIN{printf \"%.2f\", $frps/$drps}")"
  printf '%-38s %12s %10sµs %10sµs %10sµs\n' "CPU per request, c32 (added: over floor)" "" "$(cat "$out/floor_c32.cpu")" "$(cat "$out/gateway_c32.cpu")" "$(( $(cat "$out/gateway_c32.cpu") - $(cat "$out/floor_c32.cpu") ))"
  printf '%-38s %10sµs %10sµs %10sµs %10sµs %10sµs\n' "stream TTFB median, kept-alive" "$t_d" "$t_f" "$t_g" "$((t_g - t_d))" "$((t_f - t_d))"
  printf '%-38s %10sµs %10sµs %10sµs\n' "stream TTFB p99, kept-alive" "$(p99 "$out/ttfb_direct.txt")" "$(p99 "$out/ttfb_floor.txt")" "$(p99 "$out/ttfb_gateway.txt")"
  printf '%-38s %10sµs %12s %10sµs %10sµs\n' "stream TTFB median, new connection" "$n_d" "" "$n_g" "$((n_g - n_d))"
  echo "gateway peak RSS during the run: $peak_rss"
  echo "credits after the run: $usage"
} | tee "$out/report.txt"
