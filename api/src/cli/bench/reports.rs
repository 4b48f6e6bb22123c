//! `motcua bench reports`: the Decision 766 scorecard and the lists of lost points, for the whole system, the
//! province with every agency under it, and one commune, over a month, a quarter and a year; and the leader's
//! scorecard page (its twelve-month trend included); the one-stop shop's monthly report. Figures are the server's own time (`Server-Timing`),
//! against one dossier read by primary key on the same database in the same run. Run it on databases filled by
//! `motcua bench seed` at several sizes to see how the reports grow with the table.

use std::process::ExitCode;

use chrono::{Datelike, Months};
use clap::Args;
use motcua_api::http::auth;
use motcua_engine::service::Config;
use motcua_engine::store::{Db, dossiers};

use super::timing::{median, percentile, primary_key_read_ms, time_requests};

#[derive(Args, Clone)]
pub struct ReportsArgs {
    /// Requests per kind.
    #[arg(long, default_value_t = 20)]
    requests: usize,
    /// Database to measure (default: $DATABASE_URL); it must hold the demo, as `motcua bench seed` leaves it.
    #[arg(long)]
    database_url: Option<String>,
}

/// Who reads the reports, and the agencies scored (the demo's province and one of its communes; seeded
/// communes are copies under the same province).
const ADMIN: &str = "admin";
const PROVINCE: &str = "000.00.00.H26";
const COMMUNE: &str = "000.31.01.H26";
const DEMO_PASSWORD: &str = "motcua-demo";

/// The headers of a request: its token, as a bearer or a cookie.
type Headers = [(&'static str, String)];

pub fn run(args: ReportsArgs) -> ExitCode {
    super::block_on(async { bench(args).await.map(|()| ExitCode::SUCCESS) })
}

async fn bench(args: ReportsArgs) -> Result<(), String> {
    let mut config = Config::from_env();
    if let Some(url) = &args.database_url {
        config.database_url = url.clone();
    }
    let db = Db::connect(&config.database_url, 2).map_err(|e| e.to_string())?;
    let super::InProcess { services, keys, base, server: _server } = super::InProcess::start(config, 2).await?;
    let admin = services.identity().login(ADMIN, DEMO_PASSWORD, "bench").map_err(|e| format!("{ADMIN}: {e}"))?;
    let token = auth::issue_access_token(&keys, &admin);
    let bearer = [("Authorization", format!("Bearer {token}"))];
    let cookie = [("Cookie", format!("{}={token}", motcua_ui::ACCESS_COOKIE))];

    // The last whole month, its quarter and its year: periods the seed fills.
    let today = services.calendar.local_date(services.now());
    let month = today.with_day(1).and_then(|d| d.checked_sub_months(Months::new(1))).ok_or("no last month")?;
    let (m, q, y) =
        (month.format("%Y-%m").to_string(), format!("{}-Q{}", month.year(), month.month0() / 3 + 1), month.year());
    let kinds: Vec<(String, String, &Headers)> = vec![
        (format!("scorecard, whole system, {m}"), format!("/api/v1/reports/scorecard?period={m}"), &bearer),
        (
            format!("scorecard, province, {m}"),
            format!("/api/v1/reports/scorecard?period={m}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("scorecard, province, {q}"),
            format!("/api/v1/reports/scorecard?period={q}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("scorecard, province, {y}"),
            format!("/api/v1/reports/scorecard?period={y}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("scorecard, one commune, {m}"),
            format!("/api/v1/reports/scorecard?period={m}&agency={COMMUNE}"),
            &bearer,
        ),
        (
            format!("scorecard, one commune, {y}"),
            format!("/api/v1/reports/scorecard?period={y}&agency={COMMUNE}"),
            &bearer,
        ),
        (
            format!("lost points, province, {m}"),
            format!("/api/v1/reports/scorecard/lost?period={m}&agency={PROVINCE}&set=not_reused"),
            &bearer,
        ),
        (
            format!("lost points, one commune, {m}"),
            format!("/api/v1/reports/scorecard/lost?period={m}&agency={COMMUNE}&set=not_reused"),
            &bearer,
        ),
        (
            format!("trend, province, 12 months to {m}"),
            format!("/api/v1/reports/scorecard/trend?month={m}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("breakdown by officer, province, {m}"),
            format!("/api/v1/reports/scorecard/breakdown?by=officer&period={m}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("breakdown by procedure, province, {y}"),
            format!("/api/v1/reports/scorecard/breakdown?by=procedure&period={y}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("monthly report, province, {m}"),
            format!("/api/v1/reports/monthly?month={m}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("monthly report PDF, province, {m}"),
            format!("/api/v1/reports/monthly/pdf?month={m}&agency={PROVINCE}"),
            &bearer,
        ),
        (
            format!("monthly report, one commune, {m}"),
            format!("/api/v1/reports/monthly?month={m}&agency={COMMUNE}"),
            &bearer,
        ),
        (
            format!("scorecard page, one commune, {m} (card, trend, detail)"),
            format!("/can-bo/diem-766?ky={m}&co-quan={COMMUNE}"),
            &cookie,
        ),
        (
            format!("scorecard page, province, {m} (card, trend, detail)"),
            format!("/can-bo/diem-766?ky={m}&co-quan={PROVINCE}"),
            &cookie,
        ),
    ];

    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let count = db.read(dossiers::count).map_err(|e| e.to_string())?;
    // The baseline: one dossier read by its primary key, the first of the commune, 200 times.
    let first = db
        .read(|conn| dossiers::at_or_after(conn, Some(COMMUNE), ""))
        .map_err(|e| e.to_string())?
        .ok_or("the database holds no dossier: run `motcua bench seed` first")?;
    let base_median = primary_key_read_ms(&db, std::iter::repeat_n(&first.id, 200))?;
    let n = args.requests.max(2);
    println!("bench reports: {count} dossiers, {} ({})", base, db.backend().name());
    println!(
        "baseline: a dossier read by primary key, median {base_median:.3} ms; server time of {n} requests per kind"
    );
    println!("{:<58} {:>8} {:>9} {:>9} {:>10}", "request", "answers", "p50 ms", "max ms", "p50/base");
    for (name, path, headers) in kinds {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let timed =
            time_requests(&http, &base, std::iter::repeat_n((path.as_str(), headers.as_slice()), n + 1)).await?;
        let times = &timed.times;
        println!(
            "{:<58} {:>8} {:>9.2} {:>9.2} {:>10.1}",
            name,
            timed.answers(),
            median(times),
            percentile(times, 100.0),
            median(times) / base_median
        );
        if timed.statuses.keys().any(|s| *s != 200) {
            return Err(format!("{name}: answered {}", timed.answers()));
        }
    }

    // Downloads stream after the server has answered: timed whole, by the client, once each.
    println!(
        "{:<58} {:>10} {:>9} {:>10} {:>8}",
        "download (whole body, client time)", "rows", "seconds", "rows/s", "MB"
    );
    // The CSV's lines give the rows of both (the workbook holds the same).
    let mut rows = 0;
    for format in ["csv", "xlsx"] {
        let path =
            format!("/api/v1/reports/scorecard/lost?period={y}&agency={PROVINCE}&set=not_reused&format={format}");
        let started = std::time::Instant::now();
        let response = http.get(format!("{base}{path}")).header("Authorization", &bearer[0].1).send().await;
        let body = match response {
            Ok(r) if r.status().is_success() => r.bytes().await.map_err(|e| format!("{path}: {e}"))?,
            Ok(r) => return Err(format!("{path}: answered {}", r.status())),
            Err(e) => return Err(format!("{path}: {e}")),
        };
        let seconds = started.elapsed().as_secs_f64();
        if format == "csv" {
            rows = body.iter().filter(|b| **b == b'\n').count().saturating_sub(1);
        }
        println!(
            "{:<58} {:>10} {:>9.2} {:>10.0} {:>8.1}",
            format!("lost points not_reused, province, {y}, {format}"),
            rows,
            seconds,
            rows as f64 / seconds.max(1e-9),
            body.len() as f64 / 1e6
        );
    }
    Ok(())
}
