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
# Without a target name cargo-fuzz builds every target of fuzz/Cargo.toml.
cargo fuzz build -O --debug-assertions "${sanitizer_args[@]}"

bin_dir="fuzz/target/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
  cp "$bin_dir/$t" "$out/$t"
  corpus="fuzz/corpus/$t"
  if [[ -d "$corpus" ]] && compgen -G "$corpus/*" >/dev/null; then
    (cd "$corpus" && zip -q -r -j "$out/${t}_seed_corpus.zip" .)
  fi
done
echo "built ${targets[*]} into $out"
