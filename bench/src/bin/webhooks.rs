//! The `webhooks` benchmark (see `splitkit_bench::webhooks`):
//! `cargo run --release -p splitkit-bench --bin webhooks`.

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| {
        splitkit_bench::webhooks::run();
        Ok(())
    })
}
