//! Runnable programs a merchant can copy (in `src/bin/`), and the tour's flows as a library so
//! that the end-to-end tests (`tests/`) drive exactly what the tour shows.

pub mod tour;
