//! Stage timings of a build, printed to stderr when `PLANPRESS_TIMINGS` is
//! set: how the benchmark's figures are broken down, without a profiler.

use std::time::Instant;

/// Prints how long each stage took since the previous mark.
pub(crate) struct Timer {
    last: Option<Instant>,
    cpu: u64,
}

/// CPU time of the whole process so far (user and system, every thread),
/// in milliseconds, from `/proc/self/stat` where there is one.
fn cpu_ms() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command name (which may hold spaces): utime and
    // stime are the 12th and 13th, in clock ticks of 10 ms.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (tick(11) + tick(12)) * 10
}

/// Peak resident memory of the process so far (`VmHWM`), in MiB, where
/// `/proc` has it: which stage raised the peak shows in the breakdown.
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

impl Timer {
    /// A timer that prints only when `PLANPRESS_TIMINGS` is set.
    pub(crate) fn start() -> Self {
        let last = std::env::var_os("PLANPRESS_TIMINGS").map(|_| Instant::now());
        Timer {
            cpu: if last.is_some() { cpu_ms() } else { 0 },
            last,
        }
    }

    /// Prints a figure of the build (`timing: {text}`) among the stages.
    pub(crate) fn note(&self, text: &str) {
        if self.last.is_some() {
            eprintln!("timing: {text}");
        }
    }

    /// Ends the stage called `name`.
    pub(crate) fn mark(&mut self, name: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            let cpu = cpu_ms();
            eprintln!(
                "timing: {name:<14} {:>7.1} ms wall, {:>5} ms cpu, peak {:>5} MiB",
                (now - last).as_secs_f64() * 1e3,
                cpu.saturating_sub(self.cpu),
                peak_mib()
            );
            self.last = Some(now);
            self.cpu = cpu;
        }
    }
}
