//! motcua's HTTP API (actix-web) and the command line that runs it.

pub mod chaos;
pub mod flow;
pub mod http;
pub mod scale_out;
pub mod sim;
