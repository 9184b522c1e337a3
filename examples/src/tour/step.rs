//! Printing steps and turning failures into one readable line.

use std::fmt::Display;

/// A failed step, as the line the tour prints.
pub type Outcome<T = ()> = Result<T, String>;

/// Prints the heading of a provider's flow.
pub fn heading(text: &str) {
    println!("\n== {text}");
}

/// Prints a step that happened.
pub fn done(text: impl Display) {
    println!("  - {text}");
}

/// Fails the flow with `what` unless `ok`.
pub fn check(ok: bool, what: impl Display) -> Outcome {
    if ok {
        println!("  ok: {what}");
        Ok(())
    } else {
        Err(format!("expected: {what}"))
    }
}

/// Adds what the tour was doing to an error.
pub trait Context<T> {
    /// `Err(e)` becomes `Err("<doing>: <e>")`.
    fn doing(self, doing: &str) -> Outcome<T>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn doing(self, doing: &str) -> Outcome<T> {
        self.map_err(|e| format!("{doing}: {e}"))
    }
}
