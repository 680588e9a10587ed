//! Arbitrary bytes into the trace reader: an error value, never a panic; whatever
//! parses also round-trips.
#![no_main]
use leakproof_sim::trace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = trace::parse(text) {
        let again = trace::parse(&t.to_json()).expect("a parsed trace re-parses");
        assert_eq!(again, t);
    }
});
