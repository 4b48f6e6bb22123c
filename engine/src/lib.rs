//! motcua's engine: the pure domain (`domain`) and, at its edges, what reads and stores it.

pub mod adapters;
pub mod config;
pub mod definitions;
pub mod documents;
pub mod domain;
pub mod files;
pub mod jobs;
pub mod messages;
pub mod ports;
pub mod random;
pub mod service;
pub mod signing;
pub mod store;
pub mod text;
pub mod wiring;
