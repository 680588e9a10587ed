//! The `leakproof` binary: a thin main over `leakproof-sim`.

fn main() {
    println!("leakproof");
}
