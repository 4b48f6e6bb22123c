//! The national public service portal (DVCQG), simulated.

use actix_web::web;
use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// The bearer token motcua must present.
    #[arg(long, default_value = "portal-demo-token")]
    pub token: String,
}

pub fn routes(_settings: Settings) -> impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static {
    move |_cfg: &mut web::ServiceConfig| {}
}
