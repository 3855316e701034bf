# Shared by the CLI benchmarks in scripts/bench/: a release `zd`, and a `zd sim` started
# in the background (its URL in $SIM_URL, stopped on exit). Source it; not a benchmark.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
target="${CARGO_TARGET_DIR:-$root/target}"
zd="${ZD_BIN:-$target/release/zd}"
if [ -z "${ZD_BIN:-}" ]; then
  cargo build -q --release -p zd
fi
scratch=$(mktemp -d)
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# start_sim ARGS...: `zd sim --port 0 ARGS`, waits for its URL.
start_sim() {
  "$zd" sim --port 0 "$@" >"$scratch/sim.log" 2>&1 &
  sim_pid=$!
  SIM_URL=""
  for _ in $(seq 1 300); do
    SIM_URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$scratch/sim.log" | head -n1)
    [ -n "$SIM_URL" ] && break
    kill -0 "$sim_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$SIM_URL" ]; then
    echo "zd sim did not start:" >&2
    cat "$scratch/sim.log" >&2
    exit 1
  fi
  export SIM_URL
  export ZENDESK_BASE_URL="$SIM_URL" ZENDESK_EMAIL=admin@example.com ZENDESK_API_TOKEN=zd-sim-token
}

# timed CMD...: runs CMD under /usr/bin/time (only CMD: not what its output is piped to).
timed() {
  /usr/bin/time -o "$scratch/time" -f "%U %S %e %M" "$@"
}

# report NAME: user, sys, wall and peak RSS of the last `timed` command.
report() {
  local name=$1
  read -r user sys wall rss <"$scratch/time"
  awk -v n="$name" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
    printf "%s: cpu %.2f s (user %.2f + sys %.2f), wall %.2f s, cpu/wall %.1f %%, peak RSS %.1f MB\n",
      n, u + s, u, s, w, (w > 0 ? 100 * (u + s) / w : 0), r / 1024 }'
}

context() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg), nproc $(nproc)"
}
