//! The `connections` benchmark (see `splitkit_bench::connections`):
//! `cargo run --release -p splitkit-bench --bin connections`.

use splitkit_bench::server::Server;

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| splitkit_bench::connections::run(&Server::start()?))
}
