//! Random allocator programs (`leakproof_model::op`) against the model, checked by the
//! shadow model and the invariant checker after every op. Set `LEAKPROOF_MUTANT` (e.g.
//! `uncoalesced-free-runs`) to fuzz a deliberately broken allocator. On a failure the
//! target writes a trace to `LEAKPROOF_TRACE_DIR` and panics with the violation.
#![no_main]
use leakproof_model::pool::SizeTables;
use leakproof_model::Mutant;
use leakproof_sim::exec::{run_with_tables, Quiet};
use leakproof_sim::fuzz_input;
use leakproof_sim::trace::{trace_dir, write_trace, ExpectedFailure, Trace};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn mutant() -> Mutant {
    static M: OnceLock<Mutant> = OnceLock::new();
    *M.get_or_init(|| fuzz_input::mutant_from_env().unwrap_or_else(|e| panic!("{e}")))
}

/// Size-class tables shared by every input's allocator (built once per geometry; a
/// table never changes, so inputs still share no state that affects behaviour).
fn tables() -> &'static SizeTables {
    static T: OnceLock<SizeTables> = OnceLock::new();
    T.get_or_init(SizeTables::new)
}

/// AddressSanitizer's defaults for this target, read once at start-up (an `ASAN_OPTIONS`
/// variable still overrides each; unused when built with `--sanitizer none`). The model
/// and the harness forbid `unsafe` code, so neither a pointer to a dead stack frame nor
/// one to freed heap memory can be formed outside std's and the dependencies' own unsafe
/// code. So, measured in docs/throughput/tenth-pass.md and twelfth-pass.md:
/// - no fake stacks for use-after-return (on by default, a third of an execution);
/// - no quarantine (`quarantine_size_mb=0`): freed memory is reused at once instead of
///   being held poisoned in a 256 MB queue to catch a later use (a fifth of an
///   execution, and 420 MB resident instead of 80);
/// - no allocation and free stacks in reports (`malloc_context_size=0`): every malloc
///   and free unwound and stored its stack for them (a tenth). A report still shows
///   the faulting access; `ASAN_OPTIONS=malloc_context_size=30` brings them back.
///
/// Heap redzones (bounds), frees of memory not allocated (or freed and not yet reused) and
/// leak checks stay as they are.
#[no_mangle]
pub extern "C" fn __asan_default_options() -> *const std::ffi::c_char {
    c"detect_stack_use_after_return=0:quarantine_size_mb=0:malloc_context_size=0".as_ptr()
}

fuzz_target!(|data: &[u8]| {
    let Some((config, program)) = fuzz_input::decode(data, mutant()) else {
        return;
    };
    let report = run_with_tables(&program, &config, &mut Quiet, tables());
    if let Some(v) = report.violation() {
        let trace = Trace::new(
            &config,
            &report.resolved,
            Some(ExpectedFailure {
                invariant: v.name().to_string(),
                message: v.message.clone(),
            }),
        );
        let path = write_trace(&trace_dir(), &trace)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|e| format!("(trace not written: {e})"));
        panic!("{v}\ntrace: {path}");
    }
});
