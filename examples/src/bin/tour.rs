//! The examples tour (placeholder until the provider crates land).
fn main() {}
