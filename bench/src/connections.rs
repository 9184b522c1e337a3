//! Connections at concurrency 32: 32 tasks make 50 calls each (`GET /payments/PB.1`), with a
//! fresh client per side, and the loopback server counts the TCP connections it accepted. A
//! pooled client opens at most one connection per call in flight.

use crate::requests::{Clients, Side, Work};
use crate::server::Server;
use crate::{BoxError, Table};

const CONCURRENCY: usize = 32;
const CALLS_EACH: usize = 50;

/// The connections benchmark, printed as a table.
pub fn run(server: &Server) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!("\n## Connections at concurrency {CONCURRENCY}\n");
    let mut table = Table::new(&["client", "calls", "connections opened"]);
    for (side, name) in [(Side::Sdk, "zepto-client"), (Side::Floor, "floor")] {
        let clients = Clients::new(server.url())?;
        let before = server.stats()?;
        runtime.block_on(clients.batch(side, Work::Get, CONCURRENCY, CONCURRENCY * CALLS_EACH))?;
        let after = server.stats()?;
        table.row(&[
            name.into(),
            (CONCURRENCY * CALLS_EACH).to_string(),
            // Less the connection that asked for `after`.
            (after.connections - before.connections - 1).to_string(),
        ]);
    }
    table.print();
    Ok(())
}
