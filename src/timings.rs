//! Stage timings of a build, printed to stderr when `PLANPRESS_TIMINGS` is
//! set: how the benchmark's figures are broken down, without a profiler.

use std::time::Instant;

/// Prints how long each stage took since the previous mark.
pub(crate) struct Timer {
    last: Option<Instant>,
}

impl Timer {
    /// A timer that prints only when `PLANPRESS_TIMINGS` is set.
    pub(crate) fn start() -> Self {
        Timer {
            last: std::env::var_os("PLANPRESS_TIMINGS").map(|_| Instant::now()),
        }
    }

    /// Ends the stage called `name`.
    pub(crate) fn mark(&mut self, name: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            eprintln!(
                "timing: {name:<12} {:>7.1} ms",
                (now - last).as_secs_f64() * 1e3
            );
            self.last = Some(now);
        }
    }
}
