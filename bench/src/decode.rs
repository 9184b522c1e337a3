//! Decoding a 100-item page of Payments four ways: the SDK's page decoder (what every list call
//! runs: typed in one pass, isolation of bad items only on failure, path-annotated errors),
//! the generated models alone (`serde_json::from_slice`), a minimal hand-written struct, and
//! `serde_json::Value`.

use std::hint::black_box;

use splitkit_common::decode;
use zepto_client::models::{Payment, PaymentListResponse};

use crate::floor::{Envelope, MinimalPayment};
use crate::{BoxError, Table, alloc, callgrind, fixtures, measure};

const RUNS: u32 = 2000;

/// The ways of decoding a page.
const CASES: [(&str, &str); 4] = [
    ("sdk", "SDK page decoder (`decode::list`)"),
    ("model", "generated model alone (`serde_json::from_slice`)"),
    ("minimal", "minimal hand-written struct"),
    ("value", "`serde_json::Value`"),
];

/// Decodes `body` one way; whether it read 100 items.
fn decode_once(case: &str, body: &[u8]) -> Result<bool, BoxError> {
    Ok(match case {
        "sdk" => {
            decode::list::<Payment>("listPayments", body, &["signature_secret"], "data")?
                .items
                .len()
                == 100
        }
        "model" => {
            serde_json::from_slice::<PaymentListResponse>(body)?
                .data
                .len()
                == 100
        }
        "minimal" => {
            serde_json::from_slice::<Envelope<Vec<MinimalPayment>>>(body)?
                .data
                .len()
                == 100
        }
        _ => {
            serde_json::from_slice::<serde_json::Value>(body)?["data"]
                .as_array()
                .map_or(0, Vec::len)
                == 100
        }
    })
}

/// The decode benchmark, printed as a table.
pub fn run() -> Result<(), BoxError> {
    let body = fixtures::payment_page(1, 100).into_bytes();
    println!(
        "\n## Decoding a 100-item page ({} KiB)\n",
        body.len().div_ceil(1024)
    );
    let with_instructions = callgrind::available();
    let mut rows = Vec::new();
    for (case, name) in CASES {
        if !decode_once(case, &body)? {
            return Err(format!("{case}: the page did not decode to 100 items").into());
        }
        let calls = alloc::calls();
        decode_once(case, &body)?;
        let allocations = alloc::calls() - calls;
        let m = measure(RUNS, || {
            black_box(decode_once(case, black_box(&body))).is_ok()
        });
        let instructions = if with_instructions {
            Some(callgrind::per_run(
                &format!("decode/{case}"),
                20,
                120,
                None,
            )?)
        } else {
            None
        };
        rows.push((name, m.cpu.as_secs_f64(), allocations, instructions));
    }
    let minimal = rows[2];
    let mut table = Table::new(&[
        "decoder",
        "CPU/page",
        "vs minimal",
        "instructions/page",
        "vs minimal",
        "allocs/page",
    ]);
    for (name, cpu, allocations, instructions) in rows {
        let (ins, ins_ratio) = match (instructions, minimal.3) {
            (Some(i), Some(m)) => (format!("{i:.0}"), format!("{:.2}×", i / m)),
            _ => ("n/a".into(), "n/a".into()),
        };
        table.row(&[
            name.into(),
            crate::micros(cpu),
            format!("{:.2}×", cpu / minimal.1),
            ins,
            ins_ratio,
            allocations.to_string(),
        ]);
    }
    table.print();
    Ok(())
}

/// The callgrind child: `n` decodes of the page.
pub(crate) fn counted(case: &str, n: u64) -> Result<(), BoxError> {
    let body = fixtures::payment_page(1, 100).into_bytes();
    for _ in 0..n {
        black_box(decode_once(case, black_box(&body))?);
    }
    Ok(())
}
