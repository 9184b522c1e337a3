//! Rust SDK for Ante group checkout sessions.
//!
//! The client, its models and its webhook verification are being built on
//! [`splitkit_common`]; this crate is a placeholder until then.

pub mod generated;

pub use splitkit_common;
