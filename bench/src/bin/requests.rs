//! The `requests` benchmark (see `splitkit_bench::requests`):
//! `cargo run --release -p splitkit-bench --bin requests`.

use splitkit_bench::server::Server;

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| splitkit_bench::requests::run(&Server::start()?))
}
