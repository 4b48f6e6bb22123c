//! The typed, validated form of a procedure definition.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::deadline::ProcessingTime;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    /// National procedure code (mã TTHC), e.g. `1.001193`.
    pub code: String,
    pub version: u32,
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// The field's code as the national portal knows it (`MaLinhVuc`), from the registry.
    pub field_code: String,
    pub level: Level,
    /// Kind of agency that receives and decides (a key of the registry's agency kinds).
    pub agency_kind: String,
    pub online: Online,
    pub processing_time: ProcessingTime,
    pub on_supplement: OnSupplement,
    pub return_methods: Vec<ReturnMethod>,
    pub legal_basis: Vec<String>,
    pub description: Option<String>,
    pub fees: Vec<Fee>,
    pub results: Vec<ResultSpec>,
    pub steps: Vec<Step>,
    pub components: Vec<Component>,
    /// The e-form filled in online (may be empty: then the paper declaration is the only way).
    pub form_fields: Vec<super::FormField>,
    /// The component the filled-in e-form stands for (the paper declaration, tờ khai).
    pub form_replaces: Option<String>,
    /// For an inter-agency bundle (Decree 63/2024): the procedures the applicant may choose among, each run at
    /// its own agency with its own steps and deadline; the bundle waits for them at its `bundle` step.
    pub members: Vec<Member>,
}

/// A procedure of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// Its national code; its definition is in the same catalogue.
    pub procedure: String,
    /// Always part of the bundle (the applicant cannot leave it out).
    pub required: bool,
    /// Which paper of the bundle stands for each of its components: member component id -> bundle component id.
    pub components: std::collections::BTreeMap<String, String>,
}

/// Enums whose TOML spelling is their snake_case name; `FromStr` gives the validator precise messages.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The accepted spellings, for error messages.
            pub fn spellings() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(text: &str) -> Result<Self, ()> {
                match text { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// Government level that handles the procedure (two-level local government since 1/7/2025).
    Level { Province = "province", Department = "department", Commune = "commune" }
);
named_enum!(
    /// Online availability: full (toàn trình), partial (một phần), none.
    Online { Full = "full", Partial = "partial", None = "none" }
);
named_enum!(
    /// What the legal clock does while waiting for a supplement (rule 5).
    OnSupplement { Pause = "pause", Restart = "restart" }
);
named_enum!(
    /// How a result goes back to the applicant.
    ReturnMethod { Counter = "counter", Post = "post", Electronic = "electronic" }
);
named_enum!(
    StepKind {
        Receive = "receive",
        Assign = "assign",
        Appraise = "appraise",
        Approve = "approve",
        Sign = "sign",
        Seal = "seal",
        Consult = "consult",
        Pay = "pay",
        Bundle = "bundle",
        Return = "return",
    }
);
named_enum!(
    /// Staff roles (DESIGN.md §1). `admin` holds no step.
    Role {
        ReceptionClerk = "reception_clerk",
        DivisionHead = "division_head",
        Specialist = "specialist",
        AgencyLeader = "agency_leader",
        RecordsClerk = "records_clerk",
        Admin = "admin",
    }
);
named_enum!(
    ResultKind {
        Certificate = "certificate",
        Licence = "licence",
        Decision = "decision",
        CertifiedCopy = "certified_copy",
        Extract = "extract",
        Card = "card",
        Notice = "notice",
    }
);
named_enum!(
    /// The form in which a paper is handed over.
    Copies {
        Original = "original",
        CertifiedCopy = "certified_copy",
        CopyWithOriginal = "copy_with_original",
        Electronic = "electronic",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Fee {
    pub name: String,
    /// The amount of the whole fee, or with `unit` the amount of each unit (of the first `first_units`).
    pub amount_vnd: u64,
    /// What the fee is counted in, as the schedule words it (e.g. "trang", "bản"); absent: a flat fee.
    #[serde(default)]
    pub unit: Option<String>,
    /// With `then_vnd`: the first this many units cost `amount_vnd` each, every further one `then_vnd`.
    #[serde(default)]
    pub first_units: Option<u32>,
    #[serde(default)]
    pub then_vnd: Option<u64>,
    /// The most the fee can come to, whatever the units.
    #[serde(default)]
    pub max_vnd: Option<u64>,
    #[serde(default)]
    pub note: Option<String>,
    /// An official zero-fee period, inclusive.
    #[serde(default)]
    pub free_from: Option<NaiveDate>,
    #[serde(default)]
    pub free_until: Option<NaiveDate>,
}

impl Fee {
    /// The amount due on a date for one unit (or the flat fee), honouring a zero-fee period.
    pub fn amount_on(&self, date: NaiveDate) -> u64 {
        if self.is_free_on(date) { 0 } else { self.amount_vnd }
    }

    fn is_free_on(&self, date: NaiveDate) -> bool {
        let after_start = self.free_from.is_none_or(|from| date >= from);
        let before_end = self.free_until.is_none_or(|until| date <= until);
        let has_period = self.free_from.is_some() || self.free_until.is_some();
        has_period && after_start && before_end
    }

    /// What the fee comes to on a date for `units` units (a flat fee ignores them): the first `first_units` at
    /// `amount_vnd`, the rest at `then_vnd`, capped at `max_vnd`. Saturates instead of overflowing.
    pub fn charge(&self, date: NaiveDate, units: u32) -> u64 {
        if self.is_free_on(date) {
            return 0;
        }
        let total = match &self.unit {
            None => self.amount_vnd,
            Some(_) => {
                let first = self.first_units.map_or(units, |n| units.min(n));
                let rest = units - first;
                let then = self.then_vnd.unwrap_or(self.amount_vnd);
                self.amount_vnd.saturating_mul(first.into()).saturating_add(then.saturating_mul(rest.into()))
            }
        };
        self.max_vnd.map_or(total, |max| total.min(max))
    }

    /// The schedule in words, e.g. "2.000 đồng/trang (trang thứ 1-2), 1.000 đồng/trang từ trang thứ 3, tối đa
    /// 200.000 đồng"; `None` for a flat fee (its amount says it all).
    pub fn schedule_vi(&self) -> Option<String> {
        let unit = self.unit.as_deref()?;
        let vnd = crate::text::dong;
        let mut words = match (self.first_units, self.then_vnd) {
            (Some(n), Some(then)) => format!(
                "{}/{unit} ({unit} thứ 1-{n}), {}/{unit} từ {unit} thứ {}",
                vnd(self.amount_vnd),
                vnd(then),
                n + 1
            ),
            _ => format!("{}/{unit}", vnd(self.amount_vnd)),
        };
        if let Some(max) = self.max_vnd {
            words.push_str(&format!(", tối đa {}", vnd(max)));
        }
        Some(words)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultSpec {
    pub kind: ResultKind,
    pub name: String,
    pub repository_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub id: String,
    pub kind: StepKind,
    pub role: Role,
    pub share: f64,
    pub on_disagree: Option<String>,
    /// The consulted agency's kind, for `consult` steps.
    pub agency_kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Component {
    pub id: String,
    pub name: String,
    pub required: bool,
    pub copies: Option<Copies>,
    /// Shown at the counter only: not kept, so never missing.
    pub in_person_only: bool,
    /// Submitted online, the paper must be a PDF carrying the applicant's valid digital signature (USB token,
    /// SIM PKI or remote signing); a scan at the counter is of a paper signed by hand.
    pub applicant_signature: bool,
    pub reusable: Vec<String>,
    pub note: Option<String>,
    pub form: Option<String>,
}

impl Procedure {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// The step after `id` in the flow.
    pub fn next_step(&self, id: &str) -> Option<&Step> {
        self.step_index(id).and_then(|i| self.steps.get(i + 1))
    }

    /// Share of the legal time used once step `id` is done: the sum of shares up to and including it.
    pub fn cumulative_share(&self, id: &str) -> f64 {
        match self.step_index(id) {
            Some(i) if i + 1 == self.steps.len() => 1.0,
            Some(i) => self.steps[..=i].iter().map(|s| s.share).sum(),
            None => 1.0,
        }
    }

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// An inter-agency bundle of procedures (Decree 63/2024).
    pub fn is_bundle(&self) -> bool {
        !self.members.is_empty()
    }

    pub fn member(&self, code: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.procedure == code)
    }
}
