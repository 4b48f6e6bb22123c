//! `motcua bench papers`: the staff's search of read papers at scale. It first gives dossiers of the database,
//! in id order, the read text of their applicant's id card (a paper and its reading, as the reader would have
//! left them) until the database holds `--fill` readings; then it times the commune clerk's searches: a word
//! on nearly every paper, a name, an id number, a word on none, and a later page, against one dossier read
//! by primary key in the same run; and prints PostgreSQL's plan of each kind.

use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use motcua_api::http::auth;
use motcua_engine::domain::dossier::Dossier;
use motcua_engine::service::Config;
use motcua_engine::store::papers::Paper;
use motcua_engine::store::readings::{self, Reading};
use motcua_engine::store::{Db, dossiers, papers, sizes, to_db};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::Digest;

use super::queries::samples;
use super::timing::{median, percentile, primary_key_read_ms, time_requests};

#[derive(Args, Clone)]
pub struct PapersArgs {
    /// Requests per kind (names and id numbers each of another dossier of the commune).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Readings the database should hold before the searches are timed (none are added if it holds as many).
    #[arg(long, default_value_t = 0)]
    fill: i64,
    /// Database to measure (default: $DATABASE_URL); it must hold the demo, as `motcua bench seed` leaves it.
    #[arg(long)]
    database_url: Option<String>,
}

/// The clerk whose searches are timed, her commune, and a word that is on every card (it is in its title).
const CLERK: &str = "hongbang.tiepnhan";
const COMMUNE: &str = "000.31.01.H26";
const DEMO_PASSWORD: &str = "motcua-demo";
const ON_EVERY_CARD: &str = "cong dan";

pub fn run(args: PapersArgs) -> ExitCode {
    super::block_on(async { bench(args).await.map(|()| ExitCode::SUCCESS) })
}

async fn bench(args: PapersArgs) -> Result<(), String> {
    let mut config = Config::from_env();
    if let Some(url) = &args.database_url {
        config.database_url = url.clone();
    }
    let db = Db::connect(&config.database_url, 2).map_err(|e| e.to_string())?;
    let super::InProcess { services, keys, base, server: _server } = super::InProcess::start(config, 2).await?;
    let filled = {
        let (db, target) = (db.clone(), args.fill);
        tokio::task::spawn_blocking(move || fill(&db, target)).await.map_err(|e| e.to_string())??
    };
    if filled > 0 {
        // As autovacuum would after a while: fresh statistics for the planner's choice of plan, and the GIN
        // index's pending entries merged.
        sizes::settle(&db).map_err(|e| e.to_string())?;
    }
    let readings = db.read(readings::count).map_err(|e| e.to_string())?;
    let count = db.read(dossiers::count).map_err(|e| e.to_string())?;

    let clerk = services.identity().login(CLERK, DEMO_PASSWORD, "bench").map_err(|e| format!("{CLERK}: {e}"))?;
    let bearer = format!("Bearer {}", auth::issue_access_token(&keys, &clerk));
    let n = args.requests.max(2);
    let mut rng = StdRng::seed_from_u64(18);
    let commune = samples(&db, Some(COMMUNE), n, &mut rng)?;
    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let path = |q: &str| format!("/api/v1/papers/search?limit=20&q={}", encode(q));
    // The cursor of the common word's fifth page, as a clerk scrolling would reach it.
    let mut cursor = None;
    for _ in 0..4 {
        let (_, next) =
            services.readings().search(&clerk, ON_EVERY_CARD, cursor.as_deref(), 20).map_err(|e| e.to_string())?;
        cursor = next;
    }
    let later = cursor.map_or_else(|| path(ON_EVERY_CARD), |c| format!("{}&after={c}", path(ON_EVERY_CARD)));
    let kinds: Vec<(&str, Vec<String>)> = vec![
        ("a word on every card", vec![path(ON_EVERY_CARD); n]),
        ("a word on every card, page 5", vec![later; n]),
        ("an applicant's name", commune.iter().map(|d| path(&d.applicant.name)).collect()),
        ("an applicant's id number", commune.iter().map(|d| path(&d.applicant.id_number)).collect()),
        ("a word on no paper", vec![path("khongcogiayto"); n]),
    ];

    let base_median = primary_key_read_ms(&db, commune.iter().map(|d| &d.id))?;
    println!(
        "bench papers: {count} dossiers, {readings} read papers ({filled} added now), {base} ({})",
        db.backend().name()
    );
    println!(
        "baseline: a dossier read by primary key, median {base_median:.3} ms; server time of {n} searches per kind"
    );
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>10}",
        "search (one commune)", "answers", "p50 ms", "p95 ms", "max ms", "p50/base"
    );
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let headers = [("Authorization", bearer.as_str())];
    for (name, paths) in &kinds {
        let timed = time_requests(&http, &base, paths.iter().map(|p| (p.as_str(), &headers[..]))).await?;
        let times = &timed.times;
        println!(
            "{:<34} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>10.1}",
            name,
            timed.answers(),
            median(times),
            percentile(times, 95.0),
            percentile(times, 100.0),
            median(times) / base_median
        );
        if timed.statuses.keys().any(|s| *s != 200) {
            return Err(format!("{name}: answered {}", timed.answers()));
        }
    }
    if db.backend() == motcua_engine::store::Backend::Postgres {
        // The two steps' plans for an id number (a word the planner has no statistics on).
        let sample = commune.first().ok_or("no dossier in the commune")?;
        let words = motcua_engine::text::words(&sample.applicant.id_number);
        let (newest, indexed) =
            db.read(|conn| readings::explain_search(conn, &words, COMMUNE, None)).map_err(|e| e.to_string())?;
        println!("plan of the newest papers:\n{newest}\nplan of the word index (when they hold too few):\n{indexed}");
    }
    Ok(())
}

/// Adds read id cards to dossiers in id order, after the last dossier given one, until the database holds
/// `target` readings; answers how many were added.
fn fill(db: &Db, target: i64) -> Result<i64, String> {
    let mut added = 0;
    let mut after = db.read(|conn| papers::last_dossier_with_title(conn, CARD_TITLE)).map_err(|e| e.to_string())?;
    loop {
        let have = db.read(readings::count).map_err(|e| e.to_string())?;
        if have >= target {
            return Ok(added);
        }
        let batch = (target - have).min(1000);
        let page = db.read(|conn| dossiers::page_by_id(conn, after.as_deref(), batch)).map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { return Ok(added) };
        after = Some(last.id.clone());
        let (cards, read): (Vec<Paper>, Vec<Reading>) = page.iter().map(card_of).unzip();
        // The readings first: each paper then takes its words as it is inserted (on PostgreSQL, migration 23).
        db.write(|conn| {
            readings::insert_all(conn, &read)?;
            papers::insert_all(conn, &cards)
        })
        .map_err(|e| e.to_string())?;
        added += i64::try_from(page.len()).unwrap_or(0);
        if added % 100_000 < 1000 {
            eprintln!("  {added} read papers added");
        }
    }
}

/// The title of the papers the fill adds (how a later run finds where the last one stopped).
const CARD_TITLE: &str = "Căn cước công dân (bench papers)";

/// The applicant's id card of a dossier, as a paper of it and the text read from it.
fn card_of(d: &Dossier) -> (Paper, Reading) {
    let a = &d.applicant;
    let born = a.birth_date.map_or_else(String::new, |b| b.format("%d/%m/%Y").to_string());
    let sex = match a.sex {
        Some(motcua_engine::domain::codes::Sex::Female) => "Nữ",
        Some(_) => "Nam",
        None => "",
    };
    let body = format!(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nCĂN CƯỚC CÔNG DÂN\n\
         Số / No.: {}\nHọ và tên / Full name:\n{}\nNgày sinh / Date of birth: {born}\nGiới tính / Sex: {sex}\n\
         Nơi thường trú / Place of residence: {}",
        a.id_number,
        a.name.to_uppercase(),
        a.address.as_deref().unwrap_or("Hải Phòng"),
    );
    let blob = hex::encode(sha2::Sha256::digest(format!("bench papers {}", d.id)));
    let now = to_db(Utc::now());
    let paper = Paper {
        id: uuid::Uuid::now_v7().to_string(),
        dossier_id: d.id.clone(),
        component_id: None,
        kind: "component".into(),
        source: "scan".into(),
        blob_sha256: blob.clone(),
        size_bytes: 250_000,
        media_type: "image/png".into(),
        file_name: "can-cuoc.png".into(),
        title: CARD_TITLE.into(),
        repository_item_id: None,
        added_by: "bench papers".into(),
        added_at: to_db(d.submitted_at),
        keep: false,
    };
    let reading = Reading {
        blob_sha256: blob,
        read_at: now,
        paper_kind: "id_card".into(),
        found: "{}".into(),
        problems: "[]".into(),
        pages: 1,
        search_text: motcua_engine::text::words(&body).join(" "),
        body,
    };
    (paper, reading)
}
