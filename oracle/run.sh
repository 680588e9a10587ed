#!/usr/bin/env bash
# Oracle for leakproof: prints exact Netty 4.1.48.Final behaviour as key<TAB>value facts.
#   oracle/run.sh texts | texts-nounsafe | sizes [XMX] | copy-loop KIND SIZE COPIES RELEASE [VARIANT]
#                | leak LEVEL N | recycler | all      (all regenerates oracle/facts/*)
# Each scenario runs in its own JVM because Netty reads its system properties once.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/target"
FACTS="$HERE/facts"
CP_NETTY=/usr/share/java/netty-buffer.jar:/usr/share/java/netty-common.jar
BASE=(-XX:+UseSerialGC
      --add-opens java.base/java.nio=ALL-UNNAMED
      --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
      -Dio.netty.tryReflectionSetAccessible=true
      -Dio.netty.recycler.maxCapacityPerThread=0)
KINDS=(pooled-unsafe-direct pooled-direct pooled-unsafe-heap pooled-heap
       unpooled-direct unpooled-unsafe-direct unpooled-unsafe-nocleaner-direct
       unpooled-heap unpooled-unsafe-heap)

build() {
  mkdir -p "$OUT"
  javac -nowarn -d "$OUT" -cp "$CP_NETTY" "$HERE"/src/*.java
}

jrun() { java "${BASE[@]}" "$@"; }

# Flags that select each buffer kind through the allocators (see incident.md).
kind_flags() {
  case "$1" in
    pooled-unsafe-direct|pooled-unsafe-heap|unpooled-unsafe-nocleaner-direct|unpooled-unsafe-heap) ;;
    pooled-direct|pooled-heap|unpooled-heap) echo "-Dio.netty.noUnsafe=true" ;;
    unpooled-direct) echo "-Dio.netty.noUnsafe=true -Dio.netty.maxDirectMemory=0" ;;
    unpooled-unsafe-direct) echo "-Dio.netty.maxDirectMemory=0" ;;
    *) echo "unknown kind $1" >&2; exit 2 ;;
  esac
}

# incident: the experiment's flags; formula: no arena flags (defaults from the formula);
# maxorder9: incident + 4 MiB chunks; xint: incident + -Xint as the JDK 8 run used.
variant_flags() {
  case "$1" in
    incident) echo "-Xmx32M -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2" ;;
    formula)  echo "-Xmx32M" ;;
    maxorder9) echo "-Xmx32M -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2 -Dio.netty.allocator.maxOrder=9" ;;
    xint)     echo "-Xint -Xmx32M -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

texts()          { oracle -Dio.netty.leakDetection.level=disabled -Dio.netty.leakDetection.samplingInterval=1 -- texts; }
texts_nounsafe() { oracle -Dio.netty.noUnsafe=true -Dio.netty.leakDetection.level=disabled -Dio.netty.leakDetection.samplingInterval=1 -- texts; }
sizes()          { oracle "-Xmx${1:-1g}" -Dio.netty.leakDetection.level=disabled -- sizes; }
copy_loop() {   # KIND SIZE COPIES RELEASE [VARIANT]; exit status 1 when the program "died"
  local v="${5:-incident}"
  # shellcheck disable=SC2046
  oracle $(variant_flags "$v") $(kind_flags "$1") -- copy-loop "$1" "$2" "$3" "$4"
}
# The Recycler on (the later -D wins over BASE's maxCapacityPerThread=0).
recycler() { oracle -Xmx256m -Dio.netty.recycler.maxCapacityPerThread=4096 -Dio.netty.leakDetection.level=disabled -- recycler; }
leak() { oracle -Xmx256m --add-opens java.base/java.lang.ref=ALL-UNNAMED "-Dio.netty.leakDetection.level=$1" -- leak "$1" "$2"; }

# One summary row per copy-loop run: the program's last "allocate" line and exception line.
copy_matrix() {
  mkdir -p "$FACTS/copy-loop"
  printf 'variant\tkind\trelease\texit\tbuf.class\tcopy.class\tlast\texception\tcauses\truntime.maxMemory\tmaxDirectMemory\tusedDirectMemory\n'
  local v k r out rc
  for v in incident formula maxorder9 xint; do
    for k in "${KINDS[@]}"; do
      for r in false true; do
        out="$FACTS/copy-loop/$v.$k.release-$r.out"
        rc=0; copy_loop "$k" 1M 30 "$r" "$v" >"$out" 2>/dev/null || rc=$?
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$k" "$r" "$rc" \
          "$(field "$out" fact.buf.class)" "$(field "$out" fact.copy.class)" \
          "$(grep '^allocate - ' "$out" | tail -n1 || true)" \
          "$(grep '^Exception in thread' "$out" || true)" \
          "$(grep '^Caused by: ' "$out" | paste -sd'|' || true)" \
          "$(field "$out" fact.runtime.maxMemory)" "$(field "$out" fact.maxDirectMemory)" \
          "$(field "$out" fact.usedDirectMemory)"
      done
    done
  done
}
field() { awk -F'\t' -v k="$2" '$1==k {print $2}' "$1"; }

# Java's -- is not an option terminator: drop it before the class name.
oracle() {
  local args=() seen=0 a
  for a in "$@"; do
    if [[ $seen == 0 && $a == -- ]]; then seen=1; args+=(-cp "$OUT:$CP_NETTY" Oracle); else args+=("$a"); fi
  done
  jrun "${args[@]}"
}

cmd="${1:-}"; shift || true
build
case "$cmd" in
  texts) texts ;;
  texts-nounsafe) texts_nounsafe ;;
  sizes) sizes "$@" ;;
  copy-loop) [[ $# -ge 4 ]] || { echo "usage: run.sh copy-loop KIND SIZE COPIES RELEASE [VARIANT]" >&2; exit 2; }
             copy_loop "$@" ;;
  copy-matrix) copy_matrix ;;
  recycler) recycler ;;
  leak) [[ $# -eq 2 ]] || { echo "usage: run.sh leak LEVEL N" >&2; exit 2; }; leak "$@" ;;
  all)
    mkdir -p "$FACTS"
    texts >"$FACTS/texts.tsv"
    texts_nounsafe >"$FACTS/texts-nounsafe.tsv"
    sizes 32M >"$FACTS/sizes-xmx32m.tsv"
    sizes 1g >"$FACTS/sizes-xmx1g.tsv"
    copy_matrix >"$FACTS/copy-loop.tsv"
    recycler >"$FACTS/recycler.tsv"
    for l in simple advanced paranoid; do leak "$l" 2048 >"$FACTS/leak-$l.tsv"; done
    # SIMPLE/ADVANCED sample with an unseeded random: record a few runs' first-report index.
    { printf 'level\trun\tfirst_report_during_copy_index\treports\n'
      for l in simple advanced; do for r in 1 2 3 4 5; do
        o="$(leak "$l" 2048)"
        printf '%s\t%s\t%s\t%s\n' "$l" "$r" \
          "$(awk -F'\t' '$1=="leak.first_report_during_copy_index.random"{print $2}' <<<"$o")" \
          "$(awk -F'\t' '$1=="leak.reports.random"{print $2}' <<<"$o")"
      done; done; } >"$FACTS/leak-sampled-runs.tsv"
    ;;
  *) echo "usage: run.sh texts|texts-nounsafe|sizes [XMX]|copy-loop KIND SIZE COPIES RELEASE [VARIANT]|copy-matrix|leak LEVEL N|all" >&2; exit 2 ;;
esac
