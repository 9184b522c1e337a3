//! The `decode` benchmark (see `splitkit_bench::decode`):
//! `cargo run --release -p splitkit-bench --bin decode`.

fn main() -> std::process::ExitCode {
    splitkit_bench::main(splitkit_bench::decode::run)
}
