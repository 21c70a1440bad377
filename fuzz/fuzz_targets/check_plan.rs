//! Feeds arbitrary bytes to `planpress::check_plan_bytes`, as if they were
//! `content/2019/<agency>.md`: whatever the input, checking must return
//! diagnostics, never panic, hang or exhaust memory.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let diagnostics = planpress::check_plan_bytes(data);
    // Every diagnostic points into the file (1-based positions).
    for d in &diagnostics {
        assert!(d.pos.line >= 1 && d.pos.col >= 1, "{d:?}");
    }
});
