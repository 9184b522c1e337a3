//! Test support (feature `testing`): mutated deliveries for bounded randomized tests of a
//! provider's verifier.

use http::{HeaderMap, HeaderName, HeaderValue};

/// One mutation of a valid delivery.
#[derive(Debug, Clone)]
pub struct Mutant {
    /// The headers, maybe changed.
    pub headers: HeaderMap,
    /// The body, maybe changed.
    pub body: Vec<u8>,
    /// Whether the body differs from the original (an HMAC scheme must then reject it).
    pub body_changed: bool,
}

/// `count` mutations of the delivery (`headers`, `body`), the same for the same `seed`: bytes
/// flipped, cut, added or replaced in the body; header values flipped, emptied, repeated,
/// stuffed with separators, replaced with long or non-ASCII text; headers removed or doubled.
pub fn mutants(seed: u64, headers: &HeaderMap, body: &[u8], count: usize) -> Vec<Mutant> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let names: Vec<HeaderName> = headers.keys().cloned().collect();
    (0..count)
        .map(|_| {
            let mut mutant = Mutant {
                headers: headers.clone(),
                body: body.to_vec(),
                body_changed: false,
            };
            for _ in 0..rng.usize(1..=3) {
                if names.is_empty() || rng.bool() {
                    mutate_body(&mut rng, &mut mutant.body);
                } else {
                    let name = &names[rng.usize(..names.len())];
                    mutate_header(&mut rng, &mut mutant.headers, name);
                }
            }
            mutant.body_changed = mutant.body != body;
            mutant
        })
        .collect()
}

fn mutate_body(rng: &mut fastrand::Rng, body: &mut Vec<u8>) {
    match rng.u8(0..5) {
        0 if !body.is_empty() => {
            let at = rng.usize(..body.len());
            body[at] ^= 1 << rng.u8(0..8);
        }
        1 => body.truncate(rng.usize(..=body.len())),
        2 => body.extend((0..rng.usize(1..64)).map(|_| rng.u8(..))),
        3 => *body = (0..rng.usize(0..256)).map(|_| rng.u8(..)).collect(),
        _ => body.insert(rng.usize(..=body.len()), rng.u8(..)),
    }
}

fn mutate_header(rng: &mut fastrand::Rng, headers: &mut HeaderMap, name: &HeaderName) {
    let value = headers
        .get(name)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let new: Option<Vec<u8>> = match rng.u8(0..9) {
        0 => {
            headers.remove(name);
            None
        }
        1 => Some(Vec::new()),
        2 if !value.is_empty() => {
            let mut v = value.clone();
            let at = rng.usize(..v.len());
            v[at] = rng.u8(0x20..0x7f);
            Some(v)
        }
        3 => Some(value.repeat(rng.usize(2..200))),
        4 => {
            let mut v = value.clone();
            for _ in 0..rng.usize(1..20) {
                let at = rng.usize(..=v.len());
                v.insert(at, *rng.choice(b",.= ;:vt1").unwrap_or(&b','));
            }
            Some(v)
        }
        5 => Some(
            (0..rng.usize(0..8192))
                .map(|_| rng.u8(0x21..0x7f))
                .collect(),
        ),
        6 => Some((0..rng.usize(1..64)).map(|_| rng.u8(0x80..=0xff)).collect()),
        7 => {
            if let Some(v) = headers.get(name).cloned() {
                headers.append(name.clone(), v);
            }
            None
        }
        _ => Some(
            value
                .iter()
                .copied()
                .filter(|_| rng.u8(0..4) != 0)
                .collect(),
        ),
    };
    if let Some(new) = new
        && let Ok(v) = HeaderValue::from_bytes(&new)
    {
        headers.insert(name.clone(), v);
    }
}
