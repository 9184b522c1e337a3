//! What a call costs the client, the SDK beside the floor: `GET /payments/{ref}` (one Payment)
//! and `GET /payments?per_page=100` (a 100-item page), at concurrency 1 and 32.
//!
//! Per case: CPU time of the client process per request (the server runs in another process),
//! allocator calls per request, and instructions per request counted by callgrind (one
//! request after another on a single-threaded runtime). CPU time depends on what else the
//! machine is doing, so the SDK and the floor run in turns, 10 rounds each, and the ratio is the
//! median of the rounds' ratios; instructions and allocations do not depend on load.
//!
//! The SDK runs with its shipped defaults: retries, a 30 s attempt timeout and a 120 s deadline,
//! bearer auth, tracing spans (no subscriber installed), path-annotated decode errors and item
//! isolation. The floor also runs with a 30 s timeout on each request, the bound the SDK puts
//! on every attempt, so that the cost of a timer can be told from the SDK's own.

use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use zepto_client::{Client, Environment};

use crate::floor::Floor;
use crate::server::Server;
use crate::{BoxError, Table, alloc, callgrind, median, process_cpu};

/// The bearer token both clients send.
const TOKEN: &str = "bench-personal-access-token";
const ROUNDS: usize = 10;
/// The SDK's default per-attempt timeout, given to the floor that has one.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Which client makes the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `zepto-client`.
    Sdk,
    /// Hand-written `reqwest` + `serde_json` ([`Floor`]).
    Floor,
    /// The floor with a 30 s timeout on each request, the SDK's default attempt timeout.
    FloorWithTimeout,
}

/// What the call asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// `GET /payments/PB.1`.
    Get,
    /// `GET /payments?per_page=100`.
    List,
}

impl Work {
    fn name(self) -> &'static str {
        match self {
            Self::Get => "get one payment",
            Self::List => "list a 100-item page",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::List => "list",
        }
    }

    /// Requests per measured round at `concurrency`.
    fn requests(self, concurrency: usize) -> usize {
        match (self, concurrency) {
            (Self::Get, 1) => 2000,
            (Self::Get, _) => 3200,
            (Self::List, 1) => 200,
            (Self::List, _) => 320,
        }
    }
}

/// Both clients, aimed at one server.
#[derive(Debug, Clone)]
pub struct Clients {
    sdk: Client,
    floor: Floor,
    floor_with_timeout: Floor,
}

impl Clients {
    /// The SDK with its defaults and a personal access token, and the floor, both aimed at
    /// `url`.
    pub fn new(url: &str) -> Result<Self, BoxError> {
        let floor = Floor::new(url, TOKEN)?;
        Ok(Self {
            sdk: Client::builder(Environment::custom(url, url))
                .personal_access_token(TOKEN)
                .build()?,
            floor_with_timeout: floor.clone().with_timeout(ATTEMPT_TIMEOUT),
            floor,
        })
    }

    /// The SDK client.
    pub fn sdk(&self) -> &Client {
        &self.sdk
    }

    /// Makes one call and checks its answer.
    pub async fn call(&self, side: Side, work: Work) -> Result<(), BoxError> {
        let ok = match (side, work) {
            (Side::Sdk, Work::Get) => self.sdk.payments().get("PB.1").await?.ref_ == "PB.1",
            (Side::Sdk, Work::List) => {
                let page = self.sdk.payments().list().per_page(100).send().await?;
                page.items.len() == 100 && page.has_next()
            }
            (Side::Floor | Side::FloorWithTimeout, work) => {
                let floor = if side == Side::Floor {
                    &self.floor
                } else {
                    &self.floor_with_timeout
                };
                match work {
                    Work::Get => floor.get_payment("PB.1").await?.reference == "PB.1",
                    Work::List => floor.list_payments(100).await?.len() == 100,
                }
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{side:?} {work:?}: unexpected answer").into())
        }
    }

    /// `requests` calls, `concurrency` at a time.
    pub async fn batch(
        &self,
        side: Side,
        work: Work,
        concurrency: usize,
        requests: usize,
    ) -> Result<(), BoxError> {
        if concurrency <= 1 {
            for _ in 0..requests {
                self.call(side, work).await?;
            }
            return Ok(());
        }
        let mut tasks = JoinSet::new();
        for _ in 0..concurrency {
            let clients = self.clone();
            let each = requests / concurrency;
            tasks.spawn(async move {
                for _ in 0..each {
                    clients.call(side, work).await?;
                }
                Ok::<(), BoxError>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        Ok(())
    }
}

/// One round's cost per request.
#[derive(Debug, Clone, Copy)]
struct Sample {
    cpu: Duration,
    wall: Duration,
    allocations: f64,
}

fn round(
    runtime: &Runtime,
    clients: &Clients,
    side: Side,
    work: Work,
    concurrency: usize,
) -> Result<Sample, BoxError> {
    let requests = work.requests(concurrency);
    let (cpu, wall, calls) = (process_cpu(), Instant::now(), alloc::calls());
    runtime.block_on(clients.batch(side, work, concurrency, requests))?;
    let n = requests as u32;
    Ok(Sample {
        cpu: process_cpu().saturating_sub(cpu) / n,
        wall: wall.elapsed() / n,
        allocations: (alloc::calls() - calls) as f64 / requests as f64,
    })
}

/// The request benchmarks, printed as tables.
pub fn run(server: &Server) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let clients = Clients::new(server.url())?;
    println!("\n## Per request: zepto-client against the floor (raw reqwest + serde_json)\n");
    println!(
        "CPU time of the client process per request (median of {ROUNDS} interleaved rounds; ratio: median of the rounds' ratios), allocator calls per request. The last two columns: the floor with a 30 s timeout on each request, as the SDK bounds each attempt.\n"
    );
    let mut table = Table::new(&[
        "work",
        "concurrency",
        "SDK CPU/req",
        "floor CPU/req",
        "CPU ratio",
        "SDK wall/req",
        "floor wall/req",
        "SDK allocs/req",
        "floor allocs/req",
        "allocs ratio",
        "floor+timeout CPU/req",
        "CPU ratio to it",
    ]);
    for work in [Work::Get, Work::List] {
        for concurrency in [1, 32] {
            // Warm up connections and caches on both sides.
            for side in [Side::Sdk, Side::Floor, Side::FloorWithTimeout] {
                runtime.block_on(clients.batch(side, work, concurrency, concurrency * 4))?;
            }
            let mut sdk = Vec::new();
            let mut floor = Vec::new();
            let mut timed = Vec::new();
            // The three take turns, each round in another order, so that none always runs
            // right after the same other one.
            for i in 0..ROUNDS {
                let mut order = [Side::Sdk, Side::Floor, Side::FloorWithTimeout];
                order.rotate_left(i % 3);
                for side in order {
                    let sample = round(&runtime, &clients, side, work, concurrency)?;
                    match side {
                        Side::Sdk => sdk.push(sample),
                        Side::Floor => floor.push(sample),
                        Side::FloorWithTimeout => timed.push(sample),
                    }
                }
            }
            let ratios = |to: &[Sample]| -> f64 {
                median(
                    sdk.iter()
                        .zip(to)
                        .map(|(s, f)| s.cpu.as_secs_f64() / f.cpu.as_secs_f64().max(1e-12))
                        .collect(),
                )
            };
            let cpu = |v: &[Sample]| median(v.iter().map(|s| s.cpu.as_secs_f64()).collect());
            let wall = |v: &[Sample]| median(v.iter().map(|s| s.wall.as_secs_f64()).collect());
            let allocs = |v: &[Sample]| median(v.iter().map(|s| s.allocations).collect());
            table.row(&[
                work.name().into(),
                concurrency.to_string(),
                crate::micros(cpu(&sdk)),
                crate::micros(cpu(&floor)),
                format!("{:.2}×", ratios(&floor)),
                crate::micros(wall(&sdk)),
                crate::micros(wall(&floor)),
                format!("{:.1}", allocs(&sdk)),
                format!("{:.1}", allocs(&floor)),
                format!("{:.2}×", allocs(&sdk) / allocs(&floor).max(1e-12)),
                crate::micros(cpu(&timed)),
                format!("{:.2}×", ratios(&timed)),
            ]);
        }
    }
    table.print();
    instructions(server)
}

fn instructions(server: &Server) -> Result<(), BoxError> {
    println!(
        "\nInstructions per request (callgrind; concurrency 1 on a single-threaded runtime; the difference between two run lengths, so start-up is not counted):\n"
    );
    if !callgrind::available() {
        println!("(valgrind is not installed: `apt-get install valgrind` to count instructions)");
        return Ok(());
    }
    let mut table = Table::new(&["work", "SDK instr/req", "floor instr/req", "ratio"]);
    for (work, short, long) in [(Work::Get, 50, 250), (Work::List, 10, 50)] {
        let count = |side: &str| {
            callgrind::per_run(
                &format!("request/{side}/{}", work.key()),
                short,
                long,
                Some(server.url()),
            )
        };
        let (sdk, floor) = (count("sdk")?, count("floor")?);
        table.row(&[
            work.name().into(),
            format!("{sdk:.0}"),
            format!("{floor:.0}"),
            format!("{:.2}×", sdk / floor.max(1.0)),
        ]);
    }
    table.print();
    Ok(())
}

/// The callgrind child: `n` calls one after another on a single-threaded runtime.
pub(crate) fn counted(side: &str, work: &str, n: u64, url: &str) -> Result<(), BoxError> {
    let side = match side {
        "sdk" => Side::Sdk,
        _ => Side::Floor,
    };
    let work = match work {
        "get" => Work::Get,
        _ => Work::List,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let clients = Clients::new(url)?;
    runtime.block_on(async {
        clients.call(side, work).await?;
        for _ in 0..n {
            clients.call(side, work).await?;
        }
        Ok(())
    })
}
