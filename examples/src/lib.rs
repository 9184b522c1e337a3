//! Runnable programs a merchant can copy (in `src/bin/`), and the tour's flows as a library so
//! that the end-to-end tests (`tests/`) drive exactly what the tour shows.

pub mod neutral;
pub mod receiving;
pub mod tour;

/// The README's code, compiled as doctests (its "Receiving webhooks" handlers and "Testing your
/// integration" tests).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
