//! The `redis` benchmark (see `splitkit_bench::redis`):
//! `cargo run --release -p splitkit-bench --bin redis`.

fn main() -> std::process::ExitCode {
    splitkit_bench::main(splitkit_bench::redis::run)
}
