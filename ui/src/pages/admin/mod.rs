//! The leaders' dashboard and the administration pages.

use actix_web::web;

/// The dashboard (`/can-bo/thong-ke`) and administration (`/quan-tri`) routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
