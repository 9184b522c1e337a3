//! Every benchmark, one after another: `cargo run --release -p splitkit-bench`.

#![allow(clippy::print_stdout)] // a benchmark prints its figures

use splitkit_bench::server::Server;
use splitkit_bench::{connections, decode, redis, refresh, requests, stream, webhooks};

fn main() -> std::process::ExitCode {
    splitkit_bench::main(|| {
        println!("# splitkit benchmarks");
        let server = Server::start()?;
        requests::run(&server)?;
        decode::run()?;
        connections::run(&server)?;
        refresh::run(&server)?;
        stream::run(&server)?;
        webhooks::run();
        redis::run()
    })
}
