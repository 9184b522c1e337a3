//! Memory of a long stream: every item of a list of 10 thousand, 100 thousand and 1 million
//! Payments (100 per page: 100 to 10,000 pages), read one at a time through
//! `List::stream`. The heap's growth is tracked by the counting allocator from just before the
//! stream starts: its peak while streaming, and what the stream holds when the last item
//! arrives. Flat figures mean memory does not grow with the length of the list.

use std::time::Instant;

use futures_util::StreamExt;
use zepto_client::{Client, Environment};

use crate::alloc::PeakTracker;
use crate::server::Server;
use crate::{BoxError, Table};

/// The stream benchmark, printed as a table.
pub fn run(server: &Server) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!("\n## Streaming memory (100 items per page)\n");
    let mut table = Table::new(&[
        "items",
        "pages",
        "heap peak above start",
        "heap held at the last item",
        "wall",
    ]);
    for total in [10_000_u64, 100_000, 1_000_000] {
        let base = format!("{}/t/{total}", server.url());
        let client = Client::builder(Environment::custom(&base, &base))
            .personal_access_token("bench")
            .build()?;
        let started = Instant::now();
        let (items, peak, held) = runtime.block_on(async {
            let tracker = PeakTracker::start();
            let mut stream = std::pin::pin!(client.payments().list().per_page(100).stream());
            let (mut items, mut held) = (0_u64, 0);
            while let Some(item) = stream.next().await {
                drop(item?);
                items += 1;
                if items == total {
                    held = tracker.live();
                }
            }
            Ok::<_, BoxError>((items, tracker.peak(), held))
        })?;
        if items != total {
            return Err(format!("streamed {items} items of {total}").into());
        }
        table.row(&[
            total.to_string(),
            total.div_ceil(100).to_string(),
            crate::kib(peak),
            crate::kib(held),
            format!("{:.2} s", started.elapsed().as_secs_f64()),
        ]);
    }
    table.print();
    Ok(())
}
