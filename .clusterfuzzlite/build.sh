#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds the cargo-fuzz targets alloc_sequence
# and trace_parse and installs them with their seed corpora into $OUT.
#
# In the build image $SRC/leakproof is the repository and $SANITIZER is set by the
# infrastructure. To run it directly (as docs/scale-out.md does):
#   LEAKPROOF_ROOT=. OUT=/tmp/cflite-out SANITIZER=none bash .clusterfuzzlite/build.sh
root="${LEAKPROOF_ROOT:-$SRC/leakproof}"
out="${OUT:?set OUT to the directory the fuzzers go to}"
targets=(alloc_sequence trace_parse)
cd "$root"
mkdir -p "$out"

# The image's cargo wrapper adds the sanitizer and coverage flags for "address",
# "undefined" and "coverage" builds; "none" (local runs) builds without a sanitizer.
sanitizer_args=()
if [[ "${SANITIZER:-address}" == "none" ]]; then
  sanitizer_args=(--sanitizer none)
fi
# Without a target name cargo-fuzz builds every target of a fuzz project: fuzz/
# (alloc_sequence) and fuzz/trace (trace_parse, a package of its own so that the trace
# reader in leakproof-sim keeps its coverage; .cargo/fuzz-coverage-scope).
cargo fuzz build -O --debug-assertions "${sanitizer_args[@]}"
cargo fuzz build --fuzz-dir fuzz/trace -O --debug-assertions "${sanitizer_args[@]}"

# fuzz/ is a member of the root workspace, so cargo-fuzz (and the image's coverage
# wrapper) put the binaries under the workspace's target directory, not fuzz/target.
target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
bin_dir="$target_dir/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
  cp "$bin_dir/$t" "$out/$t"
done
# Seed corpora: alloc_sequence's committed inputs; for trace_parse, the committed
# regression traces (executor, mutant and shuttle traces: every attachment kind).
rm -f "$out"/*_seed_corpus.zip
(cd fuzz/corpus/alloc_sequence && zip -q -j "$out/alloc_sequence_seed_corpus.zip" seed-*)
find tests/regressions -name '*.json' -print0 | sort -z |
  xargs -0 zip -q -j "$out/trace_parse_seed_corpus.zip"
echo "built ${targets[*]} into $out"
