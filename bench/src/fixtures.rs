//! The Zepto answers every benchmark uses: the documented Payment (`GET /payments/{ref}`), and
//! pages of distinct Payments shaped like it (`GET /payments`).

use std::fmt::Write as _;

/// One Payment as Zepto's reference documents it, numbered `n` (`PB.n`, payout `D.n`).
pub fn payment(n: u64) -> String {
    format!(
        concat!(
            r#"{{"ref":"PB.{n}","your_bank_account_id":"83623359-e86e-440c-9780-432a3bc3626f","#,
            r#""channels":["direct_entry"],"payouts":[{{"ref":"D.{n}","#,
            r#""recipient_contact_id":"48b89364-1577-4c81-ba02-96705895d457","#,
            r#""batch_description":"The SuperPackage","matures_at":"2016-09-13T23:50:44Z","#,
            r#""created_at":"2016-09-10T23:50:44Z","status":"maturing","amount":30000,"#,
            r#""description":"A tandem skydive jump SB23094","#,
            r#""from_id":"83623359-e86e-440c-9780-432a3bc3626f","#,
            r#""to_id":"21066764-c103-4e7f-b436-4cee7db5f400","metadata":{{"invoice_ref":"BILL-0001","#,
            r#""invoice_id":"c80a9958-e805-47c0-ac2a-c947d7fd778d","custom_key":"Custom string","#,
            r#""another_custom_key":"Maybe a URL"}}}}],"#,
            r#""metadata":{{"custom_key":"Custom string","another_custom_key":"Maybe a URL"}}}}"#
        ),
        n = n
    )
}

/// `GET /payments/PB.1`: `{"data": <payment>}`.
pub fn payment_response() -> String {
    format!(r#"{{"data":{}}}"#, payment(1))
}

/// A page of `count` Payments numbered from `first`: `{"data": [...]}`.
pub fn payment_page(first: u64, count: u64) -> String {
    let mut body = String::from(r#"{"data":["#);
    for n in first..first + count {
        if n > first {
            body.push(',');
        }
        let _ = write!(body, "{}", payment(n));
    }
    body.push_str("]}");
    body
}
