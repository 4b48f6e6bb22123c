//! `motcua bench queries`: the requests that must stay fast however many dossiers the database holds (a
//! clerk's queue and its next page, a queue search by name and by id number, a citizen's dossiers, public
//! tracking, a dossier page, the staff work home), each over many different dossiers and citizens drawn at
//! random from the database, so that no answer comes from a warm cache of one row. Figures are the server's own
//! time (`Server-Timing`), against one dossier read by primary key on the same database in the same run. Run it on a database
//! filled by `motcua bench seed`, at several sizes, to see whether a request grows with the table.

use std::process::ExitCode;

use clap::Args;
use motcua_api::http::auth::{self, JwtKeys};
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::domain::identity::CitizenIdentity;
use motcua_engine::service::{Config, Services};
use motcua_engine::store::{Db, dossiers};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::storage;
use super::timing::{median, percentile, primary_key_read_ms, time_requests};

#[derive(Args, Clone)]
pub struct QueriesArgs {
    /// Requests per kind (each to another dossier or citizen where the kind allows).
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Database to measure (default: $DATABASE_URL); it must hold the demo, as `motcua bench seed` leaves it.
    #[arg(long)]
    database_url: Option<String>,
}

/// The clerk and the commune whose work is measured (one of the demo's; seeded copies land there too).
const CLERK: &str = "hongbang.tiepnhan";
const COMMUNE: &str = "000.31.01.H26";
const DEMO_PASSWORD: &str = "motcua-demo";

pub fn run(args: QueriesArgs) -> ExitCode {
    super::block_on(async { bench(args).await.map(|()| ExitCode::SUCCESS) })
}

/// One kind of request: a name and the (path, headers) of each request to send.
struct Kind {
    name: &'static str,
    requests: Vec<(String, Vec<(&'static str, String)>)>,
}

async fn bench(args: QueriesArgs) -> Result<(), String> {
    let mut config = Config::from_env();
    if let Some(url) = &args.database_url {
        config.database_url = url.clone();
    }
    let db = Db::connect(&config.database_url, 2).map_err(|e| e.to_string())?;
    let super::InProcess { services, keys, base, server: _server } = super::InProcess::start(config, 2).await?;
    let n = args.requests.max(1);
    let (sampler, sample_db) = (services.clone(), db.clone());
    let (kinds, ids) = tokio::task::spawn_blocking(move || kinds(&sampler, &sample_db, &keys, n))
        .await
        .map_err(|e| e.to_string())??;

    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let count = db.read(dossiers::count).map_err(|e| e.to_string())?;
    // The baseline: one dossier read by its primary key on the same database.
    let base_median = primary_key_read_ms(&db, &ids)?;
    println!("bench queries: {count} dossiers, {} ({})", base, db.backend().name());
    println!(
        "baseline: a dossier read by primary key, median {base_median:.3} ms; server time of {n} requests per kind, \
         one at a time"
    );
    println!("{:<34} {:>8} {:>9} {:>9} {:>9} {:>10}", "request", "answers", "p50 ms", "p95 ms", "p99 ms", "p50/base");
    let mut worst: Vec<(String, f64)> = Vec::new();
    for kind in kinds {
        let headers: Vec<Vec<(&str, &str)>> =
            kind.requests.iter().map(|(_, h)| h.iter().map(|(k, v)| (*k, v.as_str())).collect()).collect();
        let requests = kind.requests.iter().zip(&headers).map(|((path, _), h)| (path.as_str(), h.as_slice()));
        let timed = time_requests(&http, &base, requests).await?;
        let times = &timed.times;
        let p99 = percentile(times, 99.0);
        println!(
            "{:<34} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            kind.name,
            timed.answers(),
            median(times),
            percentile(times, 95.0),
            p99,
            median(times) / base_median
        );
        if timed.statuses.keys().any(|s| *s >= 500) {
            return Err(format!("{}: the server failed ({})", kind.name, timed.answers()));
        }
        worst.push((kind.name.to_string(), p99));
    }
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some((name, p99)) = worst.first() {
        println!("slowest p99: {p99:.2} ms ({name})");
    }
    storage::report(&db).map_err(|e| e.to_string())
}

/// Dossiers drawn at random: a random id between the smallest and the largest, then the first at or after it.
pub(super) fn samples(db: &Db, agency: Option<&str>, n: usize, rng: &mut StdRng) -> Result<Vec<Dossier>, String> {
    let first = db.read(|conn| dossiers::at_or_after(conn, agency, "")).map_err(|e| e.to_string())?;
    let Some(first) = first else { return Err("the database holds no dossier: run `motcua bench seed` first".into()) };
    let low = uuid::Uuid::parse_str(&first.id).map_err(|e| e.to_string())?.as_u128();
    let high = uuid::Uuid::now_v7().as_u128();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let probe = uuid::Uuid::from_u128(rng.gen_range(low..=high)).to_string();
        let found = db
            .read(|conn| dossiers::at_or_after(conn, agency, &probe))
            .map_err(|e| e.to_string())?
            .unwrap_or_else(|| first.clone());
        out.push(found);
    }
    Ok(out)
}

/// The kinds of request, and the ids of the dossiers drawn (for the baseline).
fn kinds(services: &Services, db: &Db, keys: &JwtKeys, n: usize) -> Result<(Vec<Kind>, Vec<String>), String> {
    let mut rng = StdRng::seed_from_u64(15);
    let clerk = services.identity().login(CLERK, DEMO_PASSWORD, "bench").map_err(|e| format!("{CLERK}: {e}"))?;
    let token = auth::issue_access_token(keys, &clerk);
    let bearer = vec![("Authorization", format!("Bearer {token}"))];
    let cookie = vec![("Cookie", format!("{}={token}", motcua_ui::ACCESS_COOKIE))];
    let anywhere = samples(db, None, n, &mut rng)?;
    let commune = samples(db, Some(COMMUNE), n, &mut rng)?;
    let coded: Vec<&Dossier> = anywhere.iter().filter(|d| d.code.is_some()).collect();
    let repeat = |path: &str, headers: &Vec<(&'static str, String)>| vec![(path.to_string(), headers.clone()); n];
    // The queue's second page, through the cursor of the first, as a clerk scrolls.
    let first_page = services
        .dossiers()
        .queue(&clerk, motcua_engine::service::dossiers::QueueQuery { limit: Some(50), ..Default::default() })
        .map_err(|e| e.to_string())?;
    let next = first_page.next_cursor.map_or_else(String::new, |c| format!("&cursor={c}"));
    let citizen = |d: &Dossier| {
        let who = CitizenIdentity {
            id_number: d.applicant.id_number.clone(),
            name: d.applicant.name.clone(),
            birth_date: None,
        };
        auth::issue_citizen_token(keys, &who)
    };
    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let ids = anywhere.iter().map(|d| d.id.clone()).collect();
    let kinds = vec![
        Kind { name: "clerk queue (API, open)", requests: repeat("/api/v1/dossiers?status=1,2,4&limit=50", &bearer) },
        Kind {
            name: "clerk queue (API, all, page 2)",
            requests: repeat(&format!("/api/v1/dossiers?limit=50{next}"), &bearer),
        },
        Kind { name: "clerk queue page (to receive)", requests: repeat("/can-bo/ho-so?hang=receive", &cookie) },
        Kind {
            name: "queue search by name",
            requests: commune
                .iter()
                .map(|d| (format!("/api/v1/dossiers?limit=50&q={}", encode(&d.applicant.name)), bearer.clone()))
                .collect(),
        },
        Kind {
            name: "queue search by id number",
            requests: anywhere
                .iter()
                .map(|d| (format!("/api/v1/dossiers?limit=50&q={}", d.applicant.id_number), bearer.clone()))
                .collect(),
        },
        Kind {
            name: "citizen's dossiers (API)",
            requests: anywhere
                .iter()
                .map(|d| ("/api/v1/me/dossiers".to_string(), vec![("Authorization", format!("Bearer {}", citizen(d)))]))
                .collect(),
        },
        Kind {
            name: "citizen's home page",
            requests: anywhere
                .iter()
                .map(|d| {
                    ("/cong-dan".to_string(), vec![("Cookie", format!("{}={}", motcua_ui::ACCESS_COOKIE, citizen(d)))])
                })
                .collect(),
        },
        Kind {
            name: "tracking by code (API)",
            requests: coded
                .iter()
                .map(|d| {
                    let code = d.code.clone().unwrap_or_default();
                    (format!("/api/v1/track?code={code}&id={}", d.applicant.id_number), Vec::new())
                })
                .collect(),
        },
        Kind {
            name: "tracking page",
            requests: coded
                .iter()
                .map(|d| {
                    let code = d.code.clone().unwrap_or_default();
                    (format!("/tra-cuu?ma={code}&id={}", d.applicant.id_number), Vec::new())
                })
                .collect(),
        },
        Kind {
            name: "dossier page",
            requests: commune.iter().map(|d| (format!("/can-bo/ho-so/{}", d.id), cookie.clone())).collect(),
        },
        Kind {
            name: "dossier (API, with history)",
            requests: commune.iter().map(|d| (format!("/api/v1/dossiers/{}/history", d.id), bearer.clone())).collect(),
        },
        Kind { name: "staff work home", requests: repeat("/can-bo", &cookie) },
    ];
    Ok((kinds, ids))
}
