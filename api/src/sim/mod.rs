//! Strict simulators of the outside systems (DESIGN.md §10), inside the binary: `motcua sim <kind>`, the demo,
//! and the tests run them on loopback. Each rejects a malformed request exactly as its real counterpart would,
//! keeps the counterpart's view, and can be told to misbehave (`faults`).

pub mod demo;
pub mod faults;
pub mod idp;
pub mod mail;
pub mod papers;
pub mod payment;
pub mod population;
pub mod portal;
pub mod sms;

use std::net::TcpListener;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

pub use faults::Faults;

/// A citizen of the demo (`fixtures/demo.toml`), as the simulated national registers know them.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DemoCitizen {
    pub name: String,
    pub id_number: String,
    pub birth_date: chrono::NaiveDate,
    pub sex: motcua_engine::domain::codes::Sex,
    pub address: Option<String>,
}

/// The demo's citizens; the rest of the demo file is none of the registers' business.
pub fn demo_citizens() -> Vec<DemoCitizen> {
    #[derive(serde::Deserialize)]
    struct DemoFile {
        citizen: Vec<DemoCitizen>,
    }
    let demo: DemoFile =
        toml::from_str(motcua_engine::service::demo::DEMO_FIXTURE).expect("the demo fixture has citizens");
    demo.citizen
}

/// A simulator running on its own thread.
pub struct Running {
    /// `http://127.0.0.1:port`
    pub url: String,
    pub faults: Faults,
    handle: actix_web::dev::ServerHandle,
}

impl Running {
    pub async fn stop(self) {
        self.handle.stop(false).await;
    }

    /// Stops from outside any async runtime (command line, demo shutdown).
    pub fn stop_blocking(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
    }
}

/// Serves `routes` on `listener` with the fault middleware and `/_sim/faults`, on a thread of its own.
pub fn spawn<F>(listener: TcpListener, routes: F) -> std::io::Result<Running>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    spawn_with(listener, Faults::default(), true, routes)
}

/// Like [`spawn`], with a given fault plan; `intercept: false` serves `/_sim/faults` without applying the plan
/// to the routes (for a simulator whose faults strike elsewhere, as the mail simulator's SMTP side).
pub fn spawn_with<F>(listener: TcpListener, faults: Faults, intercept: bool, routes: F) -> std::io::Result<Running>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let url = format!("http://{}", listener.local_addr()?);
    let shared = web::Data::new(faults.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(shared.clone())
                    .wrap(actix_web::middleware::Condition::new(intercept, from_fn(faults::middleware)))
                    .configure(faults::routes)
                    .configure(routes.clone())
            })
            .workers(2)
            .disable_signals()
            .listen(listener);
            match server {
                Ok(server) => {
                    let server = server.run();
                    let _ = tx.send(Ok(server.handle()));
                    let _ = server.await;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        })
    });
    let handle = rx.recv().map_err(|_| std::io::Error::other("the simulator thread ended early"))??;
    Ok(Running { url, faults, handle })
}
