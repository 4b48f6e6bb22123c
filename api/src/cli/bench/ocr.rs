//! `motcua bench ocr`: how well the paper reader reads. Generated id cards and birth certificates (with what each
//! truly says) are scanned under each condition (clean, tilted, noisy, low resolution), read by Tesseract as the
//! background job reads them, and their fields found; each field found is held against the truth. Also: whether
//! the scans that should be called poor were (and the good ones not), and the seconds a page takes, against
//! reading the same paper's embedded text in the same run.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use motcua_api::sim::papers::{self, Condition, Specimen};
use motcua_engine::adapters::reader::{OcrSetup, Tesseract};
use motcua_engine::domain::reading::{self, Found};
use motcua_engine::ports::reader::PaperReader;
use rand::SeedableRng;
use rand::rngs::StdRng;

#[derive(Args, Clone)]
pub struct OcrArgs {
    /// Papers generated (half id cards, half birth certificates); each is scanned under every condition.
    #[arg(long, default_value_t = 10)]
    papers: usize,
    /// Seed of the generated people and noise (the same seed, the same papers).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Keep the scans (PNG) and what each truly says (JSON) in this folder.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

/// Per condition: per field, (read right, read right ignoring accents and case, present on the paper).
#[derive(Default)]
struct Tally {
    fields: BTreeMap<&'static str, (usize, usize, usize)>,
    flagged_as_expected: usize,
    false_alarms: usize,
    scans: usize,
    seconds: Vec<f64>,
}

fn field_values(found: &Found) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("name", found.name.clone()),
        ("id_number", found.id_number.clone()),
        ("birth_date", found.birth_date.map(reading::day)),
        ("sex", found.sex.map(|s| format!("{s:?}"))),
        ("address", found.address.clone()),
        ("certificate_number", found.certificate_number.clone()),
        ("mother_name", found.mother_name.clone()),
        ("father_name", found.father_name.clone()),
    ]
}

pub fn run(args: OcrArgs) -> ExitCode {
    let Some(reader) = Tesseract::from_setup(&OcrSetup::Auto) else {
        return super::failure(
            "tesseract with its Vietnamese model is not installed (Debian: tesseract-ocr tesseract-ocr-vie)",
        );
    };
    let scratch = args.keep.clone().unwrap_or_else(|| super::scratch_folder("ocr"));
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        return super::failure(format!("{}: {e}", scratch.display()));
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let specimens: Vec<Specimen> = (0..args.papers.max(1))
        .map(|i| if i % 2 == 0 { papers::id_card(&mut rng) } else { papers::birth_certificate(&mut rng) })
        .collect();
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut embedded_seconds = Vec::new();
    for (n, specimen) in specimens.iter().enumerate() {
        // The baseline: the same paper read from its embedded text (no recognition).
        let started = Instant::now();
        if let Err(e) = reader.read("application/pdf", &specimen.pdf) {
            return super::failure(format!("reading a generated PDF: {e}"));
        }
        embedded_seconds.push(started.elapsed().as_secs_f64());
        for condition in Condition::ALL {
            let png = match papers::scan(&specimen.pdf, condition, &mut rng, &scratch) {
                Ok(png) => png,
                Err(e) => return super::failure(e),
            };
            if args.keep.is_some() {
                let stem = format!("{n:03}-{:?}-{}", specimen.kind, condition.name().replace([' ', '°', '.'], ""));
                let _ = std::fs::write(scratch.join(format!("{stem}.png")), &png);
                let truth = serde_json::to_string_pretty(&specimen.truth).expect("found serialises");
                let _ = std::fs::write(scratch.join(format!("{stem}.json")), truth);
            }
            let started = Instant::now();
            let recognised = match reader.read("image/png", &png) {
                Ok(r) => r,
                Err(e) => return super::failure(format!("reading a scan: {e}")),
            };
            let tally = tallies.entry(condition.name()).or_default();
            tally.seconds.push(started.elapsed().as_secs_f64());
            tally.scans += 1;
            let found = reading::find_fields(&recognised.text);
            let problems: Vec<&str> =
                recognised.pages.iter().flat_map(|p| reading::assess(p)).map(|p| p.code()).collect();
            match condition.expected_problem() {
                Some(code) if problems.contains(&code) => tally.flagged_as_expected += 1,
                Some(_) => {}
                None if !problems.is_empty() => tally.false_alarms += 1,
                None => {}
            }
            for ((field, truth), (_, read)) in field_values(&specimen.truth).into_iter().zip(field_values(&found)) {
                let Some(truth) = truth else { continue };
                let entry = tally.fields.entry(field).or_default();
                entry.2 += 1;
                if let Some(read) = read {
                    if read.to_lowercase() == truth.to_lowercase() {
                        entry.0 += 1;
                    }
                    if motcua_engine::text::words(&read) == motcua_engine::text::words(&truth) {
                        entry.1 += 1;
                    }
                }
            }
        }
        eprintln!("read {} of {} papers", n + 1, specimens.len());
    }
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    report(&tallies, &embedded_seconds, specimens.len());
    ExitCode::SUCCESS
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

fn report(tallies: &BTreeMap<&'static str, Tally>, embedded: &[f64], papers: usize) {
    let baseline = median(embedded);
    println!("# motcua bench ocr: {papers} generated papers, each scanned under {} conditions", tallies.len());
    println!();
    println!("Field read right, exactly (ignoring accents and case), of the papers that carry it:");
    println!();
    let fields: Vec<&str> = tallies
        .values()
        .flat_map(|t| t.fields.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    print!("| condition |");
    for field in &fields {
        print!(" {field} |");
    }
    println!(" all fields | poor scan called | false alarms | s/page | ÷ embedded text |");
    println!("|{}", " --- |".repeat(fields.len() + 6));
    for condition in Condition::ALL {
        let Some(tally) = tallies.get(condition.name()) else { continue };
        print!("| {} |", condition.name());
        let (mut right, mut loose, mut all) = (0, 0, 0);
        for field in &fields {
            let (r, l, n) = tally.fields.get(field).copied().unwrap_or_default();
            right += r;
            loose += l;
            all += n;
            if n == 0 {
                print!(" - |");
            } else {
                print!(" {:.0} % ({:.0} %) |", 100.0 * r as f64 / n as f64, 100.0 * l as f64 / n as f64);
            }
        }
        // A scan that should be called poor is counted in the first column, one that should not in the second.
        let (flagged, false_alarms) = match condition.expected_problem() {
            Some(_) => (format!("{}/{}", tally.flagged_as_expected, tally.scans), "-".to_string()),
            None => ("-".to_string(), format!("{}/{}", tally.false_alarms, tally.scans)),
        };
        let seconds = median(&tally.seconds);
        println!(
            " {:.1} % ({:.1} %) | {flagged} | {false_alarms} | {seconds:.2} | {:.0} × |",
            100.0 * right as f64 / all.max(1) as f64,
            100.0 * loose as f64 / all.max(1) as f64,
            seconds / baseline.max(1e-6)
        );
    }
    println!();
    println!("Baseline: the same papers' embedded text read from their PDF, median {:.3} s.", baseline);
}
