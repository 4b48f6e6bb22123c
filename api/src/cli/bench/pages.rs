//! `motcua bench pages`: the server time of every main page, as each role sees it with the demo data, read from
//! the `Server-Timing` header. The baseline is `/healthz` through the same server, middleware and HTTP stack in
//! the same run, because absolute figures on shared machines mean little.

use std::process::ExitCode;

use clap::Args;
use motcua_api::http::auth;
use motcua_engine::domain::identity::CitizenIdentity;
use motcua_engine::service::Config;
use motcua_engine::service::dossiers::QueueQuery;

use super::timing::{self, median, percentile};

#[derive(Args, Clone)]
pub struct PagesArgs {
    /// Requests per page (the first of each is not counted: it warms caches).
    #[arg(long, default_value_t = 40)]
    rounds: usize,
    /// Database for the in-process server (default: a fresh SQLite file).
    #[arg(long)]
    database_url: Option<String>,
}

/// The demo citizen whose pages are measured (she has dossiers and repository items).
const CITIZEN: (&str, &str) = ("031190012345", "Nguyễn Thị Hường");

pub fn run(args: PagesArgs) -> ExitCode {
    super::block_on(async { bench(args).await.map(|()| ExitCode::SUCCESS) })
}

/// One page to measure: who asks (a cookie), and the path.
struct Probe {
    who: &'static str,
    cookie: String,
    path: String,
}

async fn bench(args: PagesArgs) -> Result<(), String> {
    let database_url = args.database_url.clone().unwrap_or_else(|| {
        let dir = std::env::temp_dir().join(format!("motcua-bench-pages-{}", std::process::id()));
        format!("sqlite://{}/motcua.db", dir.display())
    });
    let config = Config { database_url, ..Config::from_env() };
    let super::InProcess { services, keys, base, server: _server } = super::InProcess::start(config, 2).await?;

    // Sessions as the pages keep them: the access token in the session cookie.
    let probes = tokio::task::spawn_blocking(move || -> Result<Vec<Probe>, String> {
        let session = |token: String| format!("{}={token}", motcua_ui::ACCESS_COOKIE);
        let staff = |username: &str| -> Result<(String, motcua_engine::service::StaffIdentity), String> {
            let who =
                services.identity().login(username, "motcua-demo", "bench").map_err(|e| format!("{username}: {e}"))?;
            Ok((session(auth::issue_access_token(&keys, &who)), who))
        };
        let (clerk, clerk_id) = staff("hongbang.tiepnhan")?;
        let (leader, _) = staff("hongbang.lanhdao")?;
        let (admin, _) = staff("admin")?;
        let citizen_id = CitizenIdentity { id_number: CITIZEN.0.into(), name: CITIZEN.1.into(), birth_date: None };
        let citizen = session(auth::issue_citizen_token(&keys, &citizen_id));
        let queue = services.dossiers().queue(&clerk_id, QueueQuery::default()).map_err(|e| e.to_string())?;
        let dossier = queue.items.first().ok_or("the demo has no dossier for the clerk")?;
        let tracked = queue.items.iter().find(|d| d.code.is_some()).ok_or("no coded dossier")?;
        let mine = services.citizens().my_dossiers(&citizen_id, None, None).map_err(|e| e.to_string())?;
        let my_dossier = mine.items.first().ok_or("the demo citizen has no dossier")?;
        let probe = |who: &'static str, cookie: &str, path: String| Probe { who, cookie: cookie.to_string(), path };
        Ok(vec![
            probe("public", "", "/".into()),
            probe("public", "", "/?q=khai+sinh".into()),
            probe("public", "", "/thu-tuc/1.001612".into()),
            probe(
                "public",
                "",
                format!("/tra-cuu?ma={}&id={}", tracked.code.clone().unwrap_or_default(), tracked.applicant.id_number),
            ),
            probe("clerk", &clerk, "/can-bo".into()),
            probe("clerk", &clerk, "/can-bo/ho-so?hang=receive".into()),
            probe("clerk", &clerk, format!("/can-bo/ho-so/{}", dossier.id)),
            probe("clerk", &clerk, "/can-bo/tiep-nhan".into()),
            probe("clerk", &clerk, "/can-bo/tra-ket-qua".into()),
            probe("leader", &leader, "/can-bo/ky-duyet".into()),
            probe("leader", &leader, "/can-bo/thong-ke".into()),
            probe("admin", &admin, "/quan-tri".into()),
            probe("admin", &admin, "/quan-tri/hop-thu-di".into()),
            probe("citizen", &citizen, "/cong-dan".into()),
            probe("citizen", &citizen, format!("/cong-dan/ho-so/{}", my_dossier.id)),
            probe("citizen", &citizen, "/cong-dan/kho".into()),
            probe("citizen", &citizen, "/thu-tuc/1.001193/nop".into()),
        ])
    })
    .await
    .map_err(|e| e.to_string())??;

    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let measure = |cookie: String, path: String| {
        let (http, url) = (http.clone(), format!("{base}{path}"));
        async move {
            let mut times = Vec::with_capacity(args.rounds);
            let mut status = 0;
            for round in 0..=args.rounds {
                let (answered, server_ms) = timing::server_time(&http, &url, &[("Cookie", cookie.as_str())]).await?;
                status = answered;
                if round > 0 {
                    times.push(server_ms);
                }
            }
            times.sort_by(f64::total_cmp);
            Ok::<_, String>((status, times))
        }
    };
    let (_, baseline) = measure(String::new(), "/healthz".into()).await?;
    let base_median = median(&baseline);
    println!(
        "server time per page, {} requests each, one at a time; baseline /healthz median {base_median:.2} ms",
        args.rounds
    );
    println!("{:<8} {:<44} {:>6} {:>10} {:>10} {:>10}", "who", "page", "status", "median ms", "p95 ms", "x healthz");
    let mut slowest: f64 = 0.0;
    for probe in probes {
        let (status, times) = measure(probe.cookie, probe.path.clone()).await?;
        let (m, p95) = (median(&times), percentile(&times, 95.0));
        slowest = slowest.max(p95);
        let shown: String = probe.path.chars().take(44).collect();
        println!("{:<8} {:<44} {:>6} {:>10.2} {:>10.2} {:>10.1}", probe.who, shown, status, m, p95, m / base_median);
    }
    println!("slowest p95: {slowest:.2} ms");
    Ok(())
}
