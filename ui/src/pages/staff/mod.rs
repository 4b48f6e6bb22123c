//! Staff pages: the work home with queue counts, queues, the reception desk, the dossier page with its
//! actions, batch approval and signing, the return desk.

use actix_web::web;

/// The staff routes (under `/can-bo`).
pub fn configure(_cfg: &mut web::ServiceConfig) {}
