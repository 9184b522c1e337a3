//! The `refresh` benchmark (see `splitkit_bench::refresh`):
//! `cargo run --release -p splitkit-bench --bin refresh`.

use splitkit_bench::server::Server;

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| splitkit_bench::refresh::run(&Server::start()?))
}
