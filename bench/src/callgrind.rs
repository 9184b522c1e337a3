//! Instruction counts from `valgrind --tool=callgrind`, which do not depend on what else the
//! machine is doing.
//!
//! A case (`request/sdk/get`, `decode/minimal`, ...) runs in a child process (this program
//! again, in its `count` role) under callgrind, once `short` and once `long` times; the
//! difference divided by `long - short` is the cost of one run, without start-up, set-up and
//! warm-up.

use std::process::Command;

use crate::BoxError;

const CASE: &str = "SPLITKIT_BENCH_CASE";
const RUNS: &str = "SPLITKIT_BENCH_RUNS";
const URL: &str = "SPLITKIT_BENCH_URL";

/// Whether `valgrind` can be run.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Instructions of one run of `case`, from callgrind runs of `short` and `long` runs; `url` is
/// the loopback server's, for the request cases.
pub fn per_run(case: &str, short: u64, long: u64, url: Option<&str>) -> Result<f64, BoxError> {
    let short_total = total(case, short, url)?;
    let long_total = total(case, long, url)?;
    Ok(long_total.saturating_sub(short_total) as f64 / (long - short) as f64)
}

fn total(case: &str, runs: u64, url: Option<&str>) -> Result<u64, BoxError> {
    let mut command = Command::new("valgrind");
    command
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(std::env::current_exe()?)
        .env(crate::CHILD_ROLE, "count")
        .env(CASE, case)
        .env(RUNS, runs.to_string());
    if let Some(url) = url {
        command.env(URL, url);
    }
    let output = command.output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("callgrind run of {case} failed: {stderr}").into());
    }
    stderr
        .lines()
        .find_map(|line| line.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("no instruction count from callgrind for {case}").into())
}

/// The `count` role: runs the case named in the environment.
pub(crate) fn run_case() -> Result<(), BoxError> {
    let case = std::env::var(CASE)?;
    let runs: u64 = std::env::var(RUNS)?.parse()?;
    let parts: Vec<&str> = case.split('/').collect();
    match parts.as_slice() {
        ["request", side, work] => crate::requests::counted(side, work, runs, &std::env::var(URL)?),
        ["decode", decoder] => crate::decode::counted(decoder, runs),
        _ => Err(format!("unknown case {case}").into()),
    }
}
