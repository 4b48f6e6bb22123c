//! The engine's integration tests, as one test binary (one link instead of seven). `blobs_streaming` stays a
//! binary of its own: it measures the peak memory of its whole process.

mod blobs;
mod calendar_properties;
mod common;
mod deadline_sweep;
mod forms;
mod fuzz;
mod layering;
mod results;
mod signing;
mod statutory;
mod validation_golden;
