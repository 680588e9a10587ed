#!/usr/bin/env bash
# The real Netty 4.1.48 and the model, back to back: pooled direct allocate+release.
#
#   oracle/bench.sh [WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...]   (default: 10 15 1000000 256 32768)
#
# Both sides run the same loop on an event-loop thread, leak detection disabled, every
# allocation after the first a thread-cache hit: WARMUP_ROUNDS untimed rounds, then
# ROUNDS timed rounds of ITERATIONS `directBuffer(size, size)` + `release()`; each
# prints the median ns per pair. Java: oracle/bench/AllocBench.java on Netty's jars,
# JDK 17 flags as oracle/run.sh passes them (the recycler keeps its default, as the
# model's). Model: `cargo bench --bench alloc_loop` (virtual memory), which also times a
# zeroed Box<[u8]> of the same size. Prints one table: ns per pair and model / Netty,
# model / Box. Exit 3 when Java or the jars are missing (nothing is measured then).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$HERE/target/bench"
CP_NETTY=/usr/share/java/netty-buffer.jar:/usr/share/java/netty-common.jar
JAVA_FLAGS=(-XX:+UseSerialGC
            --add-opens java.base/java.nio=ALL-UNNAMED
            --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
            -Dio.netty.tryReflectionSetAccessible=true
            -Dio.netty.leakDetection.level=disabled)
ARGS=("$@")
[[ ${#ARGS[@]} -eq 0 ]] && ARGS=(10 15 1000000 256 32768)
if [[ ${#ARGS[@]} -lt 4 ]]; then
  echo "usage: oracle/bench.sh [WARMUP_ROUNDS ROUNDS ITERATIONS SIZE...]" >&2
  exit 2
fi

missing=()
command -v java >/dev/null 2>&1 || missing+=("java")
command -v javac >/dev/null 2>&1 || missing+=("javac")
for jar in ${CP_NETTY//:/ }; do [[ -f $jar ]] || missing+=("$jar"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "oracle/bench.sh: cannot run the real Netty, missing: ${missing[*]}" >&2
  echo "install them with: apt-get update && apt-get install -y default-jdk-headless libnetty-java" >&2
  echo "nothing was measured" >&2
  exit 3
fi

# Build both first so that the two measurements run back to back.
mkdir -p "$OUT"
javac -nowarn -d "$OUT" -cp "$CP_NETTY" "$HERE/bench/AllocBench.java"
(cd "$ROOT" && cargo bench --bench alloc_loop --no-run --quiet)

netty="$(java "${JAVA_FLAGS[@]}" -cp "$OUT:$CP_NETTY" AllocBench "${ARGS[@]}")"
model="$(cd "$ROOT" && cargo bench --bench alloc_loop --quiet -- "${ARGS[@]}")"

field() { awk -F'\t' -v k="$2" '$1==k {print $2}' <<<"$1"; }
echo "$netty" | grep -v '\.ns_per_op' || true
printf '%-8s %12s %12s %12s %14s %12s\n' size netty_ns model_ns box_ns model/netty model/box
for size in "${ARGS[@]:3}"; do
  n="$(field "$netty" "netty.$size.ns_per_op")"
  m="$(field "$model" "model.$size.ns_per_op")"
  b="$(field "$model" "box.$size.ns_per_op")"
  awk -v s="$size" -v n="$n" -v m="$m" -v b="$b" \
    'BEGIN { printf "%-8s %12.1f %12.1f %12.1f %14.2f %12.2f\n", s, n, m, b, m / n, m / b }'
done
