//! Shared measuring for the benchmarks in `src/bin/`: the CPU time a piece of code costs per
//! run, read from the thread's CPU clock (so time spent waiting for the CPU on a busy machine
//! does not count), and a table to print it in.
//!
//! Benchmarks print figures; they pass or fail nothing. Run them in release mode:
//! `cargo run --release -p splitkit-bench --bin <name>`.

#![allow(clippy::print_stdout)] // printing figures is what a benchmark is for

use std::hint::black_box;
use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

/// What one case cost per run.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    /// Runs measured.
    pub runs: u32,
    /// CPU time of this thread per run.
    pub cpu: Duration,
    /// Wall-clock time per run.
    pub wall: Duration,
}

fn thread_cpu() -> Duration {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or_default(),
        u32::try_from(t.tv_nsec).unwrap_or_default(),
    )
}

/// Runs `f` a few times to warm up, then `runs` times, and returns the cost per run.
pub fn measure<T>(runs: u32, mut f: impl FnMut() -> T) -> Measurement {
    for _ in 0..runs.div_ceil(10).max(1) {
        black_box(f());
    }
    let (cpu, wall) = (thread_cpu(), Instant::now());
    for _ in 0..runs {
        black_box(f());
    }
    let runs = runs.max(1);
    Measurement {
        runs,
        cpu: thread_cpu().saturating_sub(cpu) / runs,
        wall: wall.elapsed() / runs,
    }
}

/// Prints a table header for [`row`].
pub fn header(title: &str) {
    println!("\n{title}\n");
    println!(
        "| {:<10} | {:<58} | {:>6} | {:>12} | {:>12} |",
        "provider", "case", "runs", "CPU/request", "wall/request"
    );
    println!(
        "|{:-<12}|{:-<60}|{:->8}|{:->14}|{:->14}|",
        "", "", ":", ":", ":"
    );
}

/// Prints one measurement as a table row.
pub fn row(provider: &str, case: &str, m: Measurement) {
    println!(
        "| {provider:<10} | {case:<58} | {:>6} | {:>12} | {:>12} |",
        m.runs,
        format_duration(m.cpu),
        format_duration(m.wall)
    );
}

fn format_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 1000.0 {
        format!("{:.3} ms", micros / 1000.0)
    } else {
        format!("{micros:.2} µs")
    }
}
