//! Fuzzing, property-driven so that it runs in the test suite: every parser and calculator that takes what a
//! person or another system sends is fed random and mutated input, and must answer (accept or refuse) without
//! panicking. The suite runs a bounded number of cases per target; `PROPTEST_CASES=100000 cargo test -p
//! motcua-engine --test it fuzz` runs longer. A failing case is saved under `proptest-regressions/` and replayed
//! first by every later run, so a crash found once stays a regular test.

use std::io::Cursor;

use chrono::{DateTime, NaiveTime, Utc};
use motcua_engine::documents::blobs::{HEAD_LEN, TAIL_LEN, sniff};
use motcua_engine::domain::calendar::Calendar;
use motcua_engine::domain::deadline::{ProcessingTime, checked_due_instant};
use motcua_engine::domain::procedure::{Registry, parse_procedure};
use motcua_engine::service::requests::parse_action_body;
use motcua_engine::signing::Verifier;
use proptest::prelude::*;

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    // PROPTEST_CASES, when set, wins: the long runs.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn calendar() -> Calendar {
    Calendar::from_toml(include_str!("../../../fixtures/calendar.toml")).expect("the shipped calendar is valid")
}

/// A real input with a few bytes flipped, inserted or cut: the mutations a fuzzer starts from.
fn mutated(seed: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..12);
    edits.prop_map(move |edits| {
        let mut bytes = seed.to_vec();
        for (at, byte, kind) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                2 => {
                    bytes.remove(i);
                }
                _ => bytes.truncate(i),
            }
        }
        bytes
    })
}

/// Any instant chrono can hold, to the second; half of them in the years a person can write (1-9999).
fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let seconds = |from: DateTime<Utc>, to: DateTime<Utc>| {
        (from.timestamp()..=to.timestamp()).prop_map(|secs| DateTime::from_timestamp(secs, 0).expect("in range"))
    };
    let year = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
    prop_oneof![seconds(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC), seconds(year(1), year(10_000))]
}

fn any_processing_time() -> impl Strategy<Value = ProcessingTime> {
    prop_oneof![
        any::<u32>().prop_map(ProcessingTime::WorkingDays),
        (0u32..=40_000).prop_map(ProcessingTime::WorkingDays),
        any::<u32>().prop_map(ProcessingTime::WorkingHours),
        any::<u32>().prop_map(ProcessingTime::CalendarDays),
        (1u32..=40_000).prop_map(ProcessingTime::CalendarDays),
        (0u32..24, 0u32..60).prop_map(|(h, m)| ProcessingTime::SameDay { cutoff: NaiveTime::from_hms_opt(h, m, 0) }),
    ]
}

const PROCEDURE: &str = include_str!("../../../procedures/1.001193-birth-registration.toml");
const REGISTRY: &str = include_str!("../../../procedures/registry.toml");
const PDF: &[u8] = include_bytes!("../../../fixtures/papers/mau-giay-to.pdf");

/// A PDF with a signature dictionary whose byte range and contents are random: what the verifier's scanner
/// reads before any cryptography.
fn pdf_with_signature() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(any::<i64>(), 0..6), prop::collection::vec(any::<u8>(), 0..64), mutated(PDF)).prop_map(
        |(range, contents, mut pdf)| {
            let range: Vec<String> = range.iter().map(|n| n.to_string()).collect();
            let hex: String = contents.iter().map(|b| format!("{b:02X}")).collect();
            let dict = format!(
                "\n99 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [{}] \
                 /Contents <{hex}> >>\nendobj\n",
                range.join(" ")
            );
            pdf.extend_from_slice(dict.as_bytes());
            pdf
        },
    )
}

/// JSON values of any shape, and action bodies that are almost right.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "extend",
            "request_payment",
            "stop",
            "receive",
            "2026-12-01T17:00:00Z",
            "+262142-12-31T00:00:00Z"
        ])
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "action",
                    "note",
                    "new_due",
                    "reason",
                    "reasons",
                    "amount_vnd",
                    "charge",
                    "fee",
                    "units",
                    "items",
                    "proposal",
                    "kind",
                    "summary",
                    "assignee",
                    "number",
                    "method",
                    "x"
                ]),
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    /// Deadline arithmetic with extreme instants and limits: an answer or a refusal, never a panic; an answer is
    /// never before the reception.
    #[test]
    fn deadlines_never_panic(received in any_instant(), time in any_processing_time()) {
        let calendar = calendar();
        if let Some(due) = checked_due_instant(&calendar, received, time) {
            prop_assert!(due >= received || matches!(time, ProcessingTime::SameDay { .. }), "{received} {time:?} -> {due}");
        }
    }

    /// The procedure TOML parser, on mutated real definitions and on any text.
    #[test]
    fn procedure_parser_never_panics(bytes in mutated(PROCEDURE.as_bytes()), text in ".{0,200}") {
        let registry = Registry::from_toml(REGISTRY).expect("the shipped registry is valid");
        let _ = parse_procedure("fuzz.toml", &String::from_utf8_lossy(&bytes), &registry);
        let _ = parse_procedure("fuzz.toml", &text, &registry);
        let _ = Registry::from_toml(&String::from_utf8_lossy(&bytes));
    }

    /// Upload sniffing, on mutated real papers and on any bytes.
    #[test]
    fn sniffing_never_panics(pdf in mutated(PDF), noise in prop::collection::vec(any::<u8>(), 0..2048)) {
        for bytes in [pdf, noise] {
            let size = bytes.len();
            let head = &bytes[..HEAD_LEN.min(size)];
            let tail = &bytes[size - TAIL_LEN.min(size)..];
            let _ = sniff(head, tail, size as u64, &mut Cursor::new(&bytes));
        }
    }

    /// The signature verifier's PDF scanner, on signature dictionaries with random byte ranges and contents.
    #[test]
    fn signature_scanner_never_panics(pdf in pdf_with_signature()) {
        let reports = Verifier::new(Vec::new()).verify_pdf(&pdf);
        prop_assert!(reports.iter().all(|r| r.status != motcua_engine::signing::SignatureStatus::Valid), "nothing is valid without a trust anchor");
    }

    /// The JSON bodies of the actions.
    #[test]
    fn action_bodies_never_panic(body in any_json()) {
        let _ = parse_action_body(&body);
    }
}
