//! Citizen pages: online submission, my dossiers (supplement, withdrawal, payment, result, rating), my
//! repository.

use actix_web::web;

/// The citizen routes (under `/cong-dan`, and submission under `/thu-tuc/{code}/nop`).
pub fn configure(_cfg: &mut web::ServiceConfig) {}
