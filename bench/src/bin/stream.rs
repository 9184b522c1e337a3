//! The `stream` benchmark (see `splitkit_bench::stream`):
//! `cargo run --release -p splitkit-bench --bin stream`.

use splitkit_bench::server::Server;

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| splitkit_bench::stream::run(&Server::start()?))
}
