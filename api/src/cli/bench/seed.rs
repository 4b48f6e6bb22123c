//! `motcua bench seed`: fills a database with a province's worth of dossiers for the scale benchmarks.
//!
//! The demo dossiers, driven through the real use cases, are the templates; each seeded dossier is a copy of one,
//! given its own id, code, register number, applicant and commune, and moved back in time by whole weeks (so
//! working days stay working days). Finished templates are copied across the years of history; open ones only
//! into the last weeks, so the open backlog is what a province has in hand, not years of it (further back where
//! an agency's day has used its 9,999 dossier numbers). Copies are written
//! with the store's own functions: the columns, the state and the hash-chained events agree as if the use
//! cases had written them, with their indicator facts (`dossier_facts`) written in the same transaction. About
//! half the returned copies are rated by their applicants, mostly well, a few "not satisfied" with a comment; a
//! few copies had a portal message delivered late. Seeding appends up to the total asked, so one database grows
//! through 100 k, 1 M, …. Papers and results are not copied (their blobs are outside the database).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use motcua_engine::domain::codes::{AgencyId, DossierCode};
use motcua_engine::domain::dossier::{Dossier, Event, Status};
use motcua_engine::domain::facts::{DossierFacts, facts_of, paid_online};
use motcua_engine::service::{Config, SystemClock};
use motcua_engine::store::ratings::{self, Rating};
use motcua_engine::store::{Db, StoreError, agencies, dossiers, events, facts, identity, sizes};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::super::failure;
use super::storage;

#[derive(Args, Clone)]
pub struct SeedArgs {
    /// Total dossiers the database should hold when seeding ends (demo dossiers included).
    #[arg(long)]
    pub dossiers: u64,
    /// Database to fill (default: $DATABASE_URL). A fresh one gets the demo first.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Years of history the finished dossiers spread over.
    #[arg(long, default_value_t = 3)]
    pub years: u32,
    /// Communes: the demo's two and copies of them, each with its share of the communes' dossiers.
    #[arg(long, default_value_t = 100)]
    pub communes: u32,
    /// Seed of the generator, so that a run can be repeated.
    #[arg(long, default_value_t = 766)]
    pub seed: u64,
}

/// A demo dossier to copy, with its events as JSON.
struct Template {
    state: String,
    events: Vec<String>,
    dossier: Dossier,
    /// Copies of finished dossiers spread over the years; open ones stay recent.
    finished: bool,
}

/// How often a template is copied, by how it ended. Returned dossiers outnumber open ones as in a province's books
/// (about 5 % of dossiers open at a time); a refusal at the counter or a withdrawal is a copy in a hundred or so,
/// not one in five as among the demo's few templates.
fn weight(t: &Template) -> u32 {
    match t.dossier.status {
        Status::Returned => 100,
        Status::RefusedAtReception => 4,
        Status::Withdrawn => 2,
        _ => 1,
    }
}
const BATCH: usize = 500;

const FAMILY: [&str; 14] =
    ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"];
const MIDDLE: [&str; 12] = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh", "Hữu", "Quốc", "Thu", "Hoài", "Gia", "Bảo"];
const GIVEN: [&str; 40] = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hường", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân",
    "Thảo", "Anh", "Bảo", "Cường", "Duy", "Đạt", "Hạnh", "Hiếu", "Hoa", "Huy", "Khánh", "Linh", "Loan", "Minh", "Ngân",
    "Nhung", "Phương", "Quỳnh", "Sơn", "Tâm", "Thắng", "Trang", "Tuấn", "Vy", "Yến",
];

pub fn run(args: SeedArgs) -> ExitCode {
    match seed(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failure(e),
    }
}

fn seed(args: &SeedArgs) -> Result<(), String> {
    let mut config = Config::from_env();
    if let Some(url) = &args.database_url {
        config.database_url = url.clone();
    }
    config.pool_size = 4;
    let db = Db::connect(&config.database_url, 4).map_err(|e| e.to_string())?;
    let services =
        motcua_engine::wiring::start(config, Arc::new(SystemClock)).map_err(|e| format!("cannot start: {e}"))?;
    if services.administration().load_demo().map_err(|e| e.to_string())?.is_some() {
        println!("demo loaded into the empty database");
    }
    let have = db.read(dossiers::count).map_err(|e| e.to_string())? as u64;
    let templates = templates(&db)?;
    let communes = communes(&db, &templates, args.communes)?;
    let started = Instant::now();
    let mut seeder = Seeder::new(args, templates, communes, have, &db)?;
    let mut written = 0u64;
    while have + written < args.dossiers {
        let n = (args.dossiers - have - written).min(BATCH as u64) as usize;
        let batch: Vec<(Dossier, Vec<Event>)> = (0..n).map(|_| seeder.copy()).collect::<Result<_, _>>()?;
        let (all, histories): (Vec<Dossier>, Vec<Vec<Event>>) = batch.into_iter().unzip();
        let mut indicator_facts = Vec::with_capacity(n);
        for (d, history) in all.iter().zip(&histories) {
            let procedure = services.catalogue.version(&d.procedure_code, d.procedure_version).ok_or_else(|| {
                format!("procedure {} v{} is not in the catalogue", d.procedure_code, d.procedure_version)
            })?;
            indicator_facts.push(facts_of(d, &procedure, d.payment.is_some() && paid_online(history)));
        }
        let rated: Vec<Rating> = all.iter().filter_map(|d| seeder.rating(d)).collect();
        let synced_late: Vec<&str> = all.iter().filter(|d| seeder.synced_late(d)).map(|d| d.id.as_str()).collect();
        let now = Utc::now();
        db.write(|conn| -> Result<(), StoreError> {
            dossiers::insert_all(conn, &all, now)?;
            let chains: Vec<(&str, &[Event])> =
                all.iter().zip(&histories).map(|(d, h)| (d.id.as_str(), h.as_slice())).collect();
            events::insert_histories(conn, &chains)?;
            write_facts(conn, &indicator_facts, &synced_late)?;
            ratings::insert_all(conn, &rated)
        })
        .map_err(|e| e.to_string())?;
        written += n as u64;
        if written.is_multiple_of(50_000) {
            let rate = written as f64 / started.elapsed().as_secs_f64();
            println!("  {} dossiers ({rate:.0}/s)", have + written);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "seeded {written} dossiers in {elapsed:.1} s ({:.0}/s); the database holds {}",
        written as f64 / elapsed.max(1e-9),
        have + written
    );
    sizes::settle(&db).map_err(|e| e.to_string())?;
    storage::report(&db).map_err(|e| e.to_string())
}

/// The facts of a batch, and the mark of those whose portal message went late.
fn write_facts(
    conn: &mut motcua_engine::store::DbConnection,
    all: &[DossierFacts],
    synced_late: &[&str],
) -> Result<(), StoreError> {
    facts::insert_all(conn, all)?;
    for id in synced_late {
        facts::mark_sync_late(conn, id)?;
    }
    Ok(())
}

/// Of the returned dossiers, those whose applicants rate them (in per mille), and how the scores fall: 5 to 1.
const RATED_PER_MILLE: u32 = 550;
const SCORES_PER_MILLE: [(i32, u32); 5] = [(5, 620), (4, 240), (3, 80), (2, 40), (1, 20)];
/// Of ratings of 3, those not satisfied with one of the portal's three questions (in per mille).
const NOT_SATISFIED_WITH_ONE_PER_MILLE: u32 = 200;
const LOW_COMMENTS: [&str; 3] =
    ["Thời gian chờ ở quầy quá lâu", "Cán bộ hướng dẫn chưa rõ ràng", "Phải đi lại nhiều lần để bổ sung giấy tờ"];
/// Received dossiers with a portal message delivered late or given up (in per mille).
const SYNCED_LATE_PER_MILLE: u32 = 15;

/// Seeded applicants' id numbers start with this, which no demo citizen's does: the demo's own dossiers stay
/// the templates however many copies the database holds.
const SEEDED_ID_PREFIX: &str = "0319";

/// The demo's dossiers that stand alone (bundles link dossiers to one another and are not copied), found by
/// their applicants.
fn templates(db: &Db) -> Result<Vec<Template>, String> {
    let applicants = motcua_engine::service::demo::demo_applicant_ids();
    if let Some(clash) = applicants.iter().find(|id| id.starts_with(SEEDED_ID_PREFIX)) {
        return Err(format!("demo citizen {clash} has the seeded id prefix {SEEDED_ID_PREFIX}"));
    }
    let all = db
        .read(|conn| -> Result<Vec<(Dossier, Vec<String>)>, StoreError> {
            let mut out = Vec::new();
            for applicant in &applicants {
                for d in identity::dossiers_of_applicant(conn, applicant, None, 1000)? {
                    if d.bundle.is_some() || !d.member_dossiers.is_empty() {
                        continue;
                    }
                    let history = events::history(conn, &d.id)?;
                    let payloads =
                        history.iter().map(|e| serde_json::to_string(e).expect("events serialize")).collect();
                    out.push((d, payloads));
                }
            }
            Ok(out)
        })
        .map_err(|e| e.to_string())?;
    if all.is_empty() {
        return Err("no demo dossier to copy: seed a fresh database or one holding the demo".into());
    }
    Ok(all
        .into_iter()
        .map(|(dossier, events)| Template {
            state: serde_json::to_string(&dossier).expect("dossiers serialize"),
            events,
            finished: dossier.status.is_terminal(),
            dossier,
        })
        .collect())
}

/// For each agency of a template: the agencies its copies go to. Communes (the demo's agencies at commune
/// level) get copies of themselves up to `wanted` communes in all, made once and found again on later runs.
fn communes(db: &Db, templates: &[Template], wanted: u32) -> Result<BTreeMap<String, Vec<String>>, String> {
    let all = db.read(agencies::all).map_err(|e| e.to_string())?;
    let demo: Vec<&agencies::Agency> =
        all.iter().filter(|a| a.level == "commune" && !a.name.contains("(bản sao")).collect();
    let mut targets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in templates {
        targets.entry(t.dossier.agency.clone()).or_insert_with(|| vec![t.dossier.agency.clone()]);
    }
    if demo.is_empty() {
        return Ok(targets);
    }
    let mut copies = Vec::new();
    for n in 0..wanted.saturating_sub(demo.len() as u32) {
        let model = demo[n as usize % demo.len()];
        // Electronic ids 000.5x.yy.H26 are free in the demo's province.
        let id = format!("000.{}.{:02}.H26", 50 + n / 99, 1 + n % 99);
        let agency =
            agencies::Agency { id: id.clone(), name: format!("{} (bản sao {})", model.name, n + 1), ..model.clone() };
        db.write(|conn| agencies::insert_if_absent(conn, &agency)).map_err(|e| e.to_string())?;
        copies.push((model.id.clone(), id));
    }
    for (model, copy) in copies {
        if let Some(list) = targets.get_mut(&model) {
            list.push(copy);
        }
    }
    Ok(targets)
}

struct Seeder {
    rng: StdRng,
    templates: Vec<Template>,
    targets: BTreeMap<String, Vec<String>>,
    /// Next sequence number per (agency, day) for codes, and per (agency, year) for the register.
    codes: BTreeMap<(String, chrono::NaiveDate), u32>,
    register: BTreeMap<(String, i32), u32>,
    weeks_of_history: u32,
    citizens: u64,
}

impl Seeder {
    fn new(
        args: &SeedArgs,
        templates: Vec<Template>,
        targets: BTreeMap<String, Vec<String>>,
        have: u64,
        db: &Db,
    ) -> Result<Seeder, String> {
        let mut seeder = Seeder {
            // A new run continues with other numbers than the last one.
            rng: StdRng::seed_from_u64(args.seed ^ have),
            templates,
            targets,
            codes: BTreeMap::new(),
            register: BTreeMap::new(),
            weeks_of_history: args.years.max(1) * 52,
            // About two dossiers per citizen over the years, some with many.
            citizens: (args.dossiers / 2).max(1),
        };
        seeder.resume(db)?;
        Ok(seeder)
    }

    /// Codes and register numbers already given by earlier runs: the highest per agency and day (or year).
    fn resume(&mut self, db: &Db) -> Result<(), String> {
        let mut after: Option<String> = None;
        loop {
            let page = db.read(|conn| dossiers::page_by_id(conn, after.as_deref(), 5000)).map_err(|e| e.to_string())?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for d in &page {
                if let Some(code) = d.code.as_deref().and_then(|c| c.parse::<DossierCode>().ok()) {
                    let slot = self.codes.entry((code.agency.to_string(), code.date)).or_default();
                    *slot = (*slot).max(u32::from(code.sequence));
                }
                if let (Some(entry), Some(at)) = (d.register_entry, d.received_at) {
                    let slot = self.register.entry((d.agency.clone(), local_year(at))).or_default();
                    *slot = (*slot).max(entry);
                }
            }
        }
        Ok(())
    }

    fn pick(&mut self) -> usize {
        let total: u32 = self.templates.iter().map(weight).sum();
        let mut roll = self.rng.gen_range(0..total);
        for (i, t) in self.templates.iter().enumerate() {
            let w = weight(t);
            if roll < w {
                return i;
            }
            roll -= w;
        }
        self.templates.len() - 1
    }

    fn copy(&mut self) -> Result<(Dossier, Vec<Event>), String> {
        let t = self.pick();
        let agencies = &self.targets[&self.templates[t].dossier.agency];
        let agency = agencies[self.rng.gen_range(0..agencies.len())].clone();
        let shift = Duration::weeks(i64::from(self.week(t, &agency)));
        let template = &self.templates[t];
        let citizen = self.rng.gen_range(0..self.citizens);
        let name = format!(
            "{} {} {}",
            FAMILY[(citizen % 14) as usize],
            MIDDLE[(citizen / 14 % 12) as usize],
            GIVEN[(citizen / 168 % 40) as usize]
        );
        // Twelve digits: a province code, a century-and-sex digit, then the citizen's number.
        let id_number = format!("{SEEDED_ID_PREFIX}{:08}", citizen % 100_000_000);
        let id = uuid::Uuid::now_v7().to_string();
        let mut replacements = vec![
            (template.dossier.id.clone(), id.clone()),
            (template.dossier.applicant.id_number.clone(), id_number),
            (template.dossier.applicant.name.clone(), name),
        ];
        if agency != template.dossier.agency {
            replacements.push((template.dossier.agency.clone(), agency.clone()));
        }
        let code = match (&template.dossier.code, template.dossier.received_at) {
            (Some(old), Some(received)) => {
                let day = (received - shift).with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
                let next = self.codes.entry((agency.clone(), day)).or_default();
                *next += 1;
                let agency_id = AgencyId::parse(&agency).map_err(|e| e.to_string())?;
                let code =
                    DossierCode::new(agency_id, day, *next).map_err(|e| format!("{agency} on {day}: {e}"))?.to_string();
                replacements.push((old.clone(), code.clone()));
                Some(code)
            }
            _ => None,
        };
        let state = rewrite(&template.state, &replacements, shift)?;
        let mut dossier: Dossier = serde_json::from_value(state).map_err(|e| format!("copied state: {e}"))?;
        dossier.code = code;
        if let (Some(_), Some(at)) = (dossier.register_entry, dossier.received_at) {
            let next = self.register.entry((agency, local_year(at))).or_default();
            *next += 1;
            dossier.register_entry = Some(*next);
        }
        let history = template
            .events
            .iter()
            .map(|e| {
                serde_json::from_value::<Event>(rewrite(e, &replacements, shift)?)
                    .map_err(|e| format!("copied event: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((dossier, history))
    }
}

impl Seeder {
    /// How many weeks back a copy of template `t` for `agency` goes: any of the years of history for a finished
    /// template, the last four weeks for an open one (the backlog in hand), widening while the day it lands on has
    /// no dossier number left for the agency (a department not spread over communes takes many copies of one
    /// template, all on its weekday and time).
    fn week(&mut self, t: usize, agency: &str) -> u32 {
        let template = &self.templates[t];
        let mut span = if template.finished { self.weeks_of_history } else { 4 };
        loop {
            let weeks = self.rng.gen_range(0..span);
            let Some(received) = template.dossier.received_at else { return weeks };
            let day = (received - Duration::weeks(i64::from(weeks)))
                .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
                .date_naive();
            let taken = self.codes.get(&(agency.to_string(), day)).copied().unwrap_or(0);
            if taken < u32::from(DossierCode::MAX_SEQUENCE) || span >= self.weeks_of_history * 4 {
                return weeks;
            }
            span = (span * 2).min(self.weeks_of_history * 4);
        }
    }

    /// The applicant's rating of a returned copy, a day or two after its return, or none.
    fn rating(&mut self, d: &Dossier) -> Option<Rating> {
        let returned = d.returned_at.filter(|_| d.status == Status::Returned)?;
        if self.rng.gen_range(0..1000) >= RATED_PER_MILLE {
            return None;
        }
        let mut roll = self.rng.gen_range(0..1000);
        let mut score = 1;
        for (s, share) in SCORES_PER_MILLE {
            if roll < share {
                score = s;
                break;
            }
            roll -= share;
        }
        let comment = (score <= 2).then(|| LOW_COMMENTS[self.rng.gen_range(0..LOW_COMMENTS.len())].to_string());
        let rated_at = returned + Duration::minutes(self.rng.gen_range(10..3 * 24 * 60));
        // The portal's questions: a low score is not satisfied with something; a middling one now and then.
        let mut answers = [Some(score >= 3); 3];
        if score == 3 && self.rng.gen_range(0..1000) < NOT_SATISFIED_WITH_ONE_PER_MILLE {
            answers[self.rng.gen_range(0..3)] = Some(false);
        }
        Some(Rating {
            dossier_id: d.id.clone(),
            applicant_id: d.applicant.id_number.clone(),
            agency_id: d.agency.clone(),
            procedure_code: d.procedure_code.clone(),
            score,
            comment,
            rated_at: rated_at.naive_utc(),
            reception_satisfied: answers[0],
            result_satisfied: answers[1],
            officer_satisfied: answers[2],
            via: if self.rng.gen_range(0..2) == 0 { ratings::VIA_PAGE } else { ratings::VIA_LINK }.to_string(),
        })
    }

    /// Whether a received copy had a message to the national portal delivered late.
    fn synced_late(&mut self, d: &Dossier) -> bool {
        d.received_at.is_some() && self.rng.gen_range(0..1000) < SYNCED_LATE_PER_MILLE
    }
}

fn local_year(at: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).year()
}

/// The template's JSON with its identities replaced and every instant moved back by `shift`.
fn rewrite(json: &str, replacements: &[(String, String)], shift: Duration) -> Result<Value, String> {
    let mut text = json.to_string();
    for (from, to) in replacements {
        if !from.is_empty() {
            text = text.replace(from.as_str(), to);
        }
    }
    let mut value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    shift_instants(&mut value, shift);
    Ok(value)
}

/// Moves every RFC 3339 instant in the JSON back by `shift`; dates without a time (birth dates) stay.
fn shift_instants(value: &mut Value, shift: Duration) {
    match value {
        Value::String(s) if s.len() >= 20 && s.as_bytes()[10] == b'T' => {
            if let Ok(at) = DateTime::parse_from_rfc3339(s) {
                *s = (at.with_timezone(&Utc) - shift).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift_instants(v, shift)),
        Value::Object(fields) => fields.values_mut().for_each(|v| shift_instants(v, shift)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_move_back_whole_weeks_and_dates_stay() {
        let mut v = serde_json::json!({"at": "2026-12-04T02:30:00Z", "birth": "1990-05-01", "n": [{"t": "2026-12-04T02:30:00.5Z"}]});
        shift_instants(&mut v, Duration::weeks(2));
        assert_eq!(v["at"], "2026-11-20T02:30:00Z");
        assert_eq!(v["birth"], "1990-05-01");
        assert_eq!(v["n"][0]["t"], "2026-11-20T02:30:00.500Z");
    }
}
