//! Properties take their names from the model's one invariant table.

use leakproof_model::{check, Violation};

/// The invariant table's name for `name` (panics when a model is built with a
/// property naming an invariant the table does not have).
pub fn named(name: &'static str) -> &'static str {
    check::by_name(name)
        .unwrap_or_else(|| panic!("`{name}` is not in the invariant table"))
        .name
}

/// True when an invariant function found nothing wrong.
pub fn holds(r: Result<(), Violation>) -> bool {
    r.is_ok()
}
