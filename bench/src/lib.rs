//! The splitkit benchmarks, and what they share. They print figures; they pass or fail nothing.
//!
//! ```sh
//! cargo run --release -p splitkit-bench              # every benchmark (the `all` binary)
//! cargo run --release -p splitkit-bench --bin NAME   # one: requests, decode, stream,
//!                                                    # refresh, connections, webhooks, redis
//! ```
//!
//! Each benchmark is a module here and a binary in `src/bin/`. They share:
//!
//! - a loopback server with canned Zepto answers ([`server`]), in a process of its own so that
//!   only the client is measured, and the floor they compare the SDK with ([`floor`]: raw
//!   `reqwest` + `serde_json` into a hand-written struct);
//! - CPU time from the thread's or the process's CPU clock (time spent waiting for the CPU on
//!   a busy machine does not count), allocator calls from a counting global allocator
//!   ([`alloc`]), and instruction counts from `valgrind --tool=callgrind` ([`callgrind`]);
//!   the last two do not depend on load.

#![allow(clippy::print_stdout)] // printing figures is what a benchmark is for

use std::hint::black_box;
use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

pub mod alloc;
pub mod callgrind;
pub mod connections;
pub mod decode;
pub mod fixtures;
pub mod floor;
pub mod redis;
pub mod refresh;
pub mod requests;
pub mod server;
pub mod stream;
pub mod webhooks;

/// Any error of a benchmark.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The environment variable that gives a child process of a benchmark its role: `server`, or
/// `count` (a case run under callgrind, see [`callgrind`]).
pub const CHILD_ROLE: &str = "SPLITKIT_BENCH_CHILD";

/// Every benchmark binary calls this first: in a child process started by a benchmark (the
/// server, a callgrind run), it plays that part and exits; otherwise it returns at once.
pub fn child_role() {
    let Ok(role) = std::env::var(CHILD_ROLE) else {
        return;
    };
    let outcome = match role.as_str() {
        "server" => server::serve(),
        "count" => callgrind::run_case(),
        other => Err(format!("unknown role {other}").into()),
    };
    if let Err(e) = outcome {
        eprintln!("{role}: {e}");
        std::process::exit(1);
    }
    std::process::exit(0);
}

/// Runs a benchmark's `main`: its child roles first, then `run`, reporting an error.
pub fn main(run: impl FnOnce() -> Result<(), BoxError>) -> std::process::ExitCode {
    child_role();
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// CPU time used so far by every thread of this process.
pub fn process_cpu() -> Duration {
    to_duration(clock_gettime(ClockId::ProcessCPUTime))
}

/// The median of `values` (0 when empty).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// Seconds as microseconds or milliseconds, for a table.
pub fn micros(seconds: f64) -> String {
    format_duration(Duration::from_secs_f64(seconds.max(0.0)))
}

/// Bytes as KiB, for a table.
pub fn kib(bytes: i64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// A Markdown table, printed once all its rows are in.
#[derive(Debug)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: &[String]) {
        self.rows.push(cells.to_vec());
    }

    /// Prints the table: text left-aligned in the first column, figures right-aligned.
    pub fn print(&self) {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .chain([&self.header[i]])
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, &w)| {
                    let cell = cells.get(i).map_or("", String::as_str);
                    if i == 0 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(&self.header);
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                if i == 0 {
                    "-".repeat(w)
                } else {
                    format!("{}:", "-".repeat(w.saturating_sub(1)))
                }
            })
            .collect();
        println!("| {} |", rule.join(" | "));
        for row in &self.rows {
            line(row);
        }
    }
}

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
    to_duration(clock_gettime(ClockId::ThreadCPUTime))
}

fn to_duration(t: rustix::time::Timespec) -> Duration {
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
