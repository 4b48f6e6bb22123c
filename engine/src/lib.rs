//! motcua's engine: the pure domain (`domain`) and, at its edges, what reads and stores it.

pub mod definitions;
pub mod domain;
