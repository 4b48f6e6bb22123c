//! Adapters at the engine's edge (DESIGN.md §2, §10): the PDF forms of Circular 01/2018/TT-VPCP and the outside
//! systems, each implementing a trait of `ports` over HTTP (or SMTP), configured in `outside`. An adapter
//! knows the ports and the domain, never the service, the store or the jobs.

pub mod forms;
pub mod http;
pub mod mail;
pub mod oidc;
pub mod outside;
pub mod payment;
pub mod population;
pub mod portal;
pub mod reader;
pub mod sheets;
pub mod sms;
