//! Parses and validates a procedure definition, reporting every problem of a file at once, each with its key
//! path, line and column, and the rule it breaks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveTime;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::eform::{FieldKind, FormField, Prefill};
use super::locate::{KeyPath, Locator};
use super::model::*;
use super::registry::Registry;
use crate::domain::calendar::parse_time_of_day;
use crate::domain::deadline::ProcessingTime;

/// One broken rule in a definition file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line and column, when the place could be found.
    pub position: Option<(usize, usize)>,
    /// Key path, e.g. `steps[3].on_disagree`; empty for the whole file.
    pub path: String,
    /// Stable rule name, e.g. `shares_sum`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {} [{}]", self.message, self.rule)
    }
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "code",
    "version",
    "name",
    "field",
    "field_code",
    "level",
    "agency_kind",
    "online",
    "processing_time",
    "on_supplement",
    "return_methods",
    "legal_basis",
    "description",
    "fees",
    "results",
    "steps",
    "component",
    "form_field",
    "form_replaces",
    "member",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcessingTime {
    working_days: Option<u32>,
    working_hours: Option<u32>,
    calendar_days: Option<u32>,
    same_day_cutoff: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResult {
    kind: String,
    name: String,
    repository_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    procedure: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    components: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    kind: String,
    role: String,
    share: f64,
    on_disagree: Option<String>,
    agency_kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormField {
    name: String,
    label: String,
    kind: String,
    #[serde(default)]
    required: bool,
    prefill: Option<String>,
    #[serde(default)]
    choices: Vec<String>,
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    id: String,
    name: String,
    required: bool,
    copies: Option<String>,
    #[serde(default)]
    in_person_only: bool,
    #[serde(default)]
    applicant_signature: bool,
    #[serde(default)]
    reusable: Vec<String>,
    note: Option<String>,
    form: Option<String>,
}

/// Collects problems while reading one file.
struct Checker<'a> {
    file: &'a str,
    locator: Locator,
    registry: &'a Registry,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, path: &KeyPath, rule: &'static str, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            position: self.locator.locate(path),
            path: path.to_string(),
            rule,
            message: message.into(),
        });
    }

    /// Deserializes `table[key]`; reports a missing required key or a value of the wrong shape.
    fn field<T: DeserializeOwned>(
        &mut self,
        table: &toml::Table,
        path: &KeyPath,
        key: &str,
        required: bool,
    ) -> Option<T> {
        let at = path.key(key);
        match table.get(key) {
            None => {
                if required {
                    self.report(path, "missing_key", format!("`{key}` is required"));
                }
                None
            }
            Some(value) => match value.clone().try_into::<T>() {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    self.report(&at, "bad_value", e.message().trim().to_string());
                    None
                }
            },
        }
    }

    fn unknown_keys(&mut self, table: &toml::Table, path: &KeyPath, known: &[&str]) {
        for key in table.keys().filter(|k| !known.contains(&k.as_str())) {
            self.report(&path.key(key), "unknown_key", format!("unknown key `{key}`"));
        }
    }

    fn named<E: std::str::FromStr>(
        &mut self,
        text: &str,
        path: &KeyPath,
        rule: &'static str,
        what: &str,
        spellings: String,
    ) -> Option<E> {
        let parsed = text.parse::<E>().ok();
        if parsed.is_none() {
            self.report(path, rule, format!("unknown {what} `{text}` (expected one of: {spellings})"));
        }
        parsed
    }

    fn not_empty(&mut self, text: &Option<String>, path: &KeyPath) {
        if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
            self.report(path, "empty_text", "must not be empty");
        }
    }

    fn paper_types(&mut self, types: &[String], path: &KeyPath) {
        for (i, code) in types.iter().enumerate() {
            if !self.registry.has_paper_type(code) {
                self.report(&path.index(i), "unknown_paper_type", format!("unknown repository paper type `{code}`"));
            }
        }
    }
}

fn is_snake_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_national_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 8 && bytes[0].is_ascii_digit() && bytes[1] == b'.' && bytes[2..].iter().all(u8::is_ascii_digit)
}

/// Parses one definition file. `file` names it in messages. All problems are returned together.
pub fn parse_procedure(file: &str, text: &str, registry: &Registry) -> Result<Procedure, Vec<Problem>> {
    let mut check = Checker { file, locator: Locator::new(text), registry, problems: Vec::new() };
    let table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(e) => {
            let position = e.span().map(|s| check.locator.position(s.start));
            return Err(vec![Problem {
                file: file.to_string(),
                position,
                path: String::new(),
                rule: "syntax",
                message: format!("not valid TOML: {}", e.message().trim()),
            }]);
        }
    };
    let root = KeyPath::default();
    check.unknown_keys(&table, &root, TOP_LEVEL_KEYS);

    let code: Option<String> = check.field(&table, &root, "code", true);
    if let Some(code) = &code
        && !is_national_code(code)
    {
        check.report(&root.key("code"), "code_format", format!("`{code}` is not a procedure code like 1.001193"));
    }
    let version: Option<u32> = check.field(&table, &root, "version", true);
    if version == Some(0) {
        check.report(&root.key("version"), "version_positive", "versions start at 1");
    }
    let name: Option<String> = check.field(&table, &root, "name", true);
    check.not_empty(&name, &root.key("name"));
    let field: Option<String> = check.field(&table, &root, "field", true);
    check.not_empty(&field, &root.key("field"));
    let field_code: Option<String> = check.field(&table, &root, "field_code", true);
    if let Some(code) = &field_code {
        match registry.field_name(code) {
            None => check.report(&root.key("field_code"), "unknown_field", format!("unknown field code `{code}`")),
            Some(name) if field.as_deref().is_some_and(|f| f != name) => check.report(
                &root.key("field"),
                "field_name",
                format!("field code `{code}` is named \"{name}\" in the registry"),
            ),
            Some(_) => {}
        }
    }
    let level = check
        .field::<String>(&table, &root, "level", true)
        .and_then(|t| check.named::<Level>(&t, &root.key("level"), "unknown_level", "level", Level::spellings()));
    let agency_kind: Option<String> = check.field(&table, &root, "agency_kind", true);
    if let Some(kind) = &agency_kind
        && !registry.has_agency_kind(kind)
    {
        check.report(&root.key("agency_kind"), "unknown_agency_kind", format!("unknown agency kind `{kind}`"));
    }
    let online = check.field::<String>(&table, &root, "online", true).and_then(|t| {
        check.named::<Online>(&t, &root.key("online"), "unknown_online", "online mode", Online::spellings())
    });
    let processing_time = check
        .field::<RawProcessingTime>(&table, &root, "processing_time", true)
        .and_then(|raw| processing_time(&mut check, raw, &root.key("processing_time")));
    let on_supplement = check.field::<String>(&table, &root, "on_supplement", true).and_then(|t| {
        check.named::<OnSupplement>(
            &t,
            &root.key("on_supplement"),
            "unknown_on_supplement",
            "on_supplement",
            OnSupplement::spellings(),
        )
    });
    let return_methods = return_methods(&mut check, &table, &root);
    let legal_basis: Vec<String> = check.field(&table, &root, "legal_basis", false).unwrap_or_default();
    let description: Option<String> = check.field(&table, &root, "description", false);
    let fees = fees(&mut check, &table, &root);
    let results = results(&mut check, &table, &root);
    let steps = steps(&mut check, &table, &root);
    let components = components(&mut check, &table, &root);
    let form_fields = form_fields(&mut check, &table, &root);
    let form_replaces: Option<String> = check.field(&table, &root, "form_replaces", false);
    let members = members(&mut check, &table, &root, code.as_deref(), &components, &steps);
    if let Some(id) = &form_replaces {
        if !components.iter().any(|c| &c.id == id) {
            check.report(&root.key("form_replaces"), "unknown_component", format!("no component `{id}`"));
        }
        if form_fields.is_empty() {
            check.report(&root.key("form_replaces"), "no_form_fields", "an e-form without fields replaces nothing");
        }
    }

    if !check.problems.is_empty() {
        // In reading order; problems without a place (none today) come first.
        check.problems.sort_by_key(|p| p.position);
        return Err(check.problems);
    }
    // Every field above is `Some` when no problem was reported.
    Ok(Procedure {
        code: code.expect("checked"),
        version: version.expect("checked"),
        name: name.expect("checked"),
        field: field.expect("checked"),
        field_code: field_code.expect("checked"),
        level: level.expect("checked"),
        agency_kind: agency_kind.expect("checked"),
        online: online.expect("checked"),
        processing_time: processing_time.expect("checked"),
        on_supplement: on_supplement.expect("checked"),
        return_methods,
        legal_basis,
        description,
        fees,
        results,
        steps,
        components,
        form_fields,
        form_replaces,
        members,
    })
}

/// The members of a bundle: national codes, each once and not the bundle itself, at least two, the bundle's
/// papers they map to existing; a bundle has exactly one `bundle` step, and only a bundle has one. Whether each
/// member is defined, and has the components named, is checked over the whole catalogue
/// (`check_bundle_members`).
fn members(
    check: &mut Checker,
    table: &toml::Table,
    root: &KeyPath,
    code: Option<&str>,
    components: &[Component],
    steps: &[Step],
) -> Vec<Member> {
    let path = root.key("member");
    let raw: Vec<toml::Value> = check.field(table, root, "member", false).unwrap_or_default();
    let mut members = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, value) in raw.into_iter().enumerate() {
        let at = path.index(i);
        let r = match value.try_into::<RawMember>() {
            Ok(r) => r,
            Err(e) => {
                check.report(&at, "bad_value", e.message().trim().to_string());
                continue;
            }
        };
        if !is_national_code(&r.procedure) {
            let message = format!("`{}` is not a procedure code like 1.001193", r.procedure);
            check.report(&at.key("procedure"), "code_format", message);
        } else if Some(r.procedure.as_str()) == code {
            check.report(&at.key("procedure"), "bundle_member", "a bundle is not its own member");
        } else if !seen.insert(r.procedure.clone()) {
            check.report(&at.key("procedure"), "duplicate_id", format!("member `{}` is listed twice", r.procedure));
        }
        for (theirs, ours) in &r.components {
            if !components.iter().any(|c| &c.id == ours) {
                let message = format!("`{ours}` (for the member's `{theirs}`) is not a component of this bundle");
                check.report(&at.key("components").key(theirs), "unknown_component", message);
            }
        }
        members.push(Member { procedure: r.procedure, required: r.required, components: r.components });
    }
    let bundle_steps = steps.iter().filter(|s| s.kind == StepKind::Bundle).count();
    match (members.len(), bundle_steps) {
        (0, 0) => {}
        (0, _) => check.report(&root.key("steps"), "bundle_member", "a bundle step needs [[member]] procedures"),
        (1, _) => check.report(&path, "bundle_member", "a bundle has at least two member procedures"),
        (_, 1) => {}
        (_, _) => check.report(&root.key("steps"), "bundle_member", "a bundle has exactly one bundle step"),
    }
    members
}

fn processing_time(check: &mut Checker, raw: RawProcessingTime, path: &KeyPath) -> Option<ProcessingTime> {
    let cutoff: Option<NaiveTime> = match &raw.same_day_cutoff {
        None => None,
        Some(text) => match parse_time_of_day(text) {
            Some(t) => Some(t),
            None => {
                check.report(&path.key("same_day_cutoff"), "processing_time", format!("`{text}` is not a time HH:MM"));
                return None;
            }
        },
    };
    let cutoff_misplaced = |check: &mut Checker| {
        check.report(
            &path.key("same_day_cutoff"),
            "processing_time",
            "same_day_cutoff applies only to working_days = 0",
        );
    };
    match (raw.working_days, raw.working_hours, raw.calendar_days) {
        (Some(days), None, None) if days > 0 && cutoff.is_some() => {
            cutoff_misplaced(check);
            None
        }
        (Some(days), None, None) => Some(ProcessingTime::from_working_days(days, cutoff)),
        (None, Some(0), None) => {
            check.report(&path.key("working_hours"), "processing_time", "working_hours must be more than 0");
            None
        }
        (None, Some(hours), None) if cutoff.is_none() => Some(ProcessingTime::WorkingHours(hours)),
        (None, None, Some(0)) => {
            check.report(&path.key("calendar_days"), "processing_time", "calendar_days must be more than 0");
            None
        }
        (None, None, Some(days)) if cutoff.is_none() => Some(ProcessingTime::CalendarDays(days)),
        (None, Some(_), None) | (None, None, Some(_)) => {
            cutoff_misplaced(check);
            None
        }
        _ => {
            check.report(path, "processing_time", "give exactly one of working_days, working_hours or calendar_days");
            None
        }
    }
}

fn return_methods(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<ReturnMethod> {
    let path = root.key("return_methods");
    let texts: Vec<String> = check.field(table, root, "return_methods", true).unwrap_or_default();
    if table.contains_key("return_methods") && texts.is_empty() {
        check.report(&path, "return_methods", "list at least one way to return results");
    }
    let mut methods = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if let Some(method) = check.named::<ReturnMethod>(
            text,
            &path.index(i),
            "unknown_return_method",
            "return method",
            ReturnMethod::spellings(),
        ) {
            if methods.contains(&method) {
                check.report(&path.index(i), "duplicate_id", format!("`{text}` is listed twice"));
            }
            methods.push(method);
        }
    }
    methods
}

fn fees(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<Fee> {
    let path = root.key("fees");
    let fees: Vec<Fee> = check.field(table, root, "fees", false).unwrap_or_default();
    for (i, fee) in fees.iter().enumerate() {
        if let (Some(from), Some(until)) = (fee.free_from, fee.free_until)
            && until < from
        {
            check.report(&path.index(i).key("free_until"), "free_period", "free_until is before free_from");
        }
        let per_unit = [("first_units", fee.first_units.is_some()), ("then_vnd", fee.then_vnd.is_some())];
        for (key, given) in per_unit {
            if given && fee.unit.is_none() {
                check.report(&path.index(i).key(key), "fee_schedule", format!("{key} needs a unit"));
            }
        }
        if fee.first_units.is_some() != fee.then_vnd.is_some() {
            check.report(&path.index(i), "fee_schedule", "first_units and then_vnd go together");
        }
        if fee.unit.as_deref().is_some_and(|u| u.trim().is_empty()) {
            check.report(&path.index(i).key("unit"), "empty_text", "must not be empty");
        }
        if fee.first_units == Some(0) {
            check.report(&path.index(i).key("first_units"), "fee_schedule", "first_units must be more than 0");
        }
    }
    fees
}

fn results(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<ResultSpec> {
    let path = root.key("results");
    let raw: Vec<toml::Value> = check.field(table, root, "results", true).unwrap_or_default();
    if table.contains_key("results") && raw.is_empty() {
        check.report(&path, "no_results", "a procedure produces at least one result");
    }
    let mut results = Vec::new();
    for (i, value) in raw.into_iter().enumerate() {
        let at = path.index(i);
        match value.try_into::<RawResult>() {
            Err(e) => check.report(&at, "bad_value", e.message().trim().to_string()),
            Ok(r) => {
                let kind = check.named::<ResultKind>(
                    &r.kind,
                    &at.key("kind"),
                    "unknown_result_kind",
                    "result kind",
                    ResultKind::spellings(),
                );
                if let Some(t) = r.repository_type.as_ref().filter(|t| !registry_has(check, t)) {
                    check.report(
                        &at.key("repository_type"),
                        "unknown_paper_type",
                        format!("unknown repository paper type `{t}`"),
                    );
                }
                if let Some(kind) = kind {
                    results.push(ResultSpec { kind, name: r.name, repository_type: r.repository_type });
                }
            }
        }
    }
    results
}

fn registry_has(check: &Checker, paper_type: &str) -> bool {
    check.registry.has_paper_type(paper_type)
}

fn steps(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<Step> {
    let path = root.key("steps");
    let raw: Vec<toml::Value> = check.field(table, root, "steps", true).unwrap_or_default();
    let mut steps: Vec<(usize, Step)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut unreadable = false;
    for (i, value) in raw.into_iter().enumerate() {
        let at = path.index(i);
        let r = match value.try_into::<RawStep>() {
            Ok(r) => r,
            Err(e) => {
                check.report(&at, "bad_value", e.message().trim().to_string());
                unreadable = true;
                continue;
            }
        };
        if !is_snake_id(&r.id) {
            check.report(&at.key("id"), "id_format", format!("step id `{}` must be lowercase snake_case", r.id));
        }
        if !seen.insert(r.id.clone()) {
            check.report(&at.key("id"), "duplicate_id", format!("step id `{}` is used twice", r.id));
        }
        let kind =
            check.named::<StepKind>(&r.kind, &at.key("kind"), "unknown_step_kind", "step kind", StepKind::spellings());
        let role = check.named::<Role>(&r.role, &at.key("role"), "unknown_role", "role", Role::spellings());
        if role == Some(Role::Admin) {
            check.report(&at.key("role"), "unknown_role", "admin is not a role that handles dossiers");
        }
        if !(r.share > 0.0 && r.share <= 1.0) {
            check.report(
                &at.key("share"),
                "share_range",
                format!("share {} must be more than 0 and at most 1", r.share),
            );
        }
        match (&r.agency_kind, kind) {
            (None, Some(StepKind::Consult)) => {
                check.report(&at, "consult_agency", "a consult step names the consulted agency_kind");
            }
            (Some(_), Some(k)) if k != StepKind::Consult => {
                check.report(&at.key("agency_kind"), "consult_agency", "only consult steps name an agency_kind");
            }
            (Some(a), _) if !check.registry.has_agency_kind(a) => {
                check.report(&at.key("agency_kind"), "unknown_agency_kind", format!("unknown agency kind `{a}`"));
            }
            _ => {}
        }
        match (kind, role) {
            (Some(kind), Some(role)) => steps.push((
                i,
                Step { id: r.id, kind, role, share: r.share, on_disagree: r.on_disagree, agency_kind: r.agency_kind },
            )),
            _ => unreadable = true,
        }
    }
    // The flow rules need every step readable; with a step missing they would only report its absence again.
    if !unreadable {
        flow_rules(check, &steps, &path);
    }
    steps.into_iter().map(|(_, s)| s).collect()
}

/// Rules over the whole flow: where receive and return stand, reachability, disagreement targets, order of
/// signature and seal, and the shares of the legal time.
fn flow_rules(check: &mut Checker, steps: &[(usize, Step)], path: &KeyPath) {
    if steps.is_empty() {
        check.report(path, "no_return", "the flow has no steps");
        return;
    }
    let index_of: BTreeMap<&str, usize> = steps.iter().enumerate().map(|(pos, (_, s))| (s.id.as_str(), pos)).collect();
    if steps[0].1.kind != StepKind::Receive {
        check.report(&path.index(steps[0].0), "first_step_receive", "the flow starts with a receive step");
    }
    for (i, step) in steps.iter().skip(1).filter(|(_, s)| s.kind == StepKind::Receive) {
        check.report(
            &path.index(*i).key("kind"),
            "single_receive",
            format!("step `{}`: only the first step receives", step.id),
        );
    }
    match steps.iter().position(|(_, s)| s.kind == StepKind::Return) {
        None => check.report(path, "no_return", "the flow has no return step"),
        Some(1) => check.report(path, "no_processing_step", "at least one step must come between receive and return"),
        Some(first_return) => {
            for (i, step) in &steps[first_return + 1..] {
                check.report(
                    &path.index(*i),
                    "unreachable_step",
                    format!("step `{}` comes after the return and is never reached", step.id),
                );
            }
        }
    }
    let mut signed = false;
    for (pos, (i, step)) in steps.iter().enumerate() {
        match step.kind {
            StepKind::Sign => signed = true,
            StepKind::Seal if !signed => {
                check.report(
                    &path.index(*i),
                    "seal_before_sign",
                    format!("seal step `{}` comes before any sign step", step.id),
                );
            }
            _ => {}
        }
        let Some(target) = &step.on_disagree else {
            continue;
        };
        let at = path.index(*i).key("on_disagree");
        if !matches!(step.kind, StepKind::Approve | StepKind::Sign) {
            check.report(
                &at,
                "on_disagree_kind",
                format!("only approve and sign steps can disagree; `{}` is a {} step", step.id, step.kind),
            );
            continue;
        }
        match index_of.get(target.as_str()) {
            None => check.report(&at, "on_disagree_target", format!("`{target}` is not a step of this flow")),
            Some(&t) if t >= pos => {
                check.report(&at, "on_disagree_target", format!("`{target}` is not an earlier step than `{}`", step.id))
            }
            Some(&t) if steps[t].1.kind == StepKind::Receive => {
                check.report(&at, "on_disagree_target", "disagreement cannot send a dossier back to reception")
            }
            Some(_) => {}
        }
    }
    let sum: f64 = steps.iter().map(|(_, s)| s.share).sum();
    if (sum - 1.0).abs() > 1e-9 {
        check.report(path, "shares_sum", format!("step shares add up to {}, not 1", (sum * 1e6).round() / 1e6));
    }
}

fn components(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<Component> {
    let path = root.key("component");
    let raw: Vec<toml::Value> = check.field(table, root, "component", true).unwrap_or_default();
    if table.contains_key("component") && raw.is_empty() {
        check.report(&path, "no_components", "a procedure lists at least one component");
    }
    let mut components = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, value) in raw.into_iter().enumerate() {
        let at = path.index(i);
        let r = match value.try_into::<RawComponent>() {
            Ok(r) => r,
            Err(e) => {
                check.report(&at, "bad_value", e.message().trim().to_string());
                continue;
            }
        };
        if !is_snake_id(&r.id) {
            check.report(&at.key("id"), "id_format", format!("component id `{}` must be lowercase snake_case", r.id));
        }
        if !seen.insert(r.id.clone()) {
            check.report(&at.key("id"), "duplicate_id", format!("component id `{}` is used twice", r.id));
        }
        check.not_empty(&Some(r.name.clone()), &at.key("name"));
        check.paper_types(&r.reusable, &at.key("reusable"));
        let copies = match &r.copies {
            None => None,
            Some(text) => {
                check.named::<Copies>(text, &at.key("copies"), "unknown_copies", "copies", Copies::spellings())
            }
        };
        components.push(Component {
            id: r.id,
            name: r.name,
            required: r.required,
            copies,
            in_person_only: r.in_person_only,
            applicant_signature: r.applicant_signature,
            reusable: r.reusable,
            note: r.note,
            form: r.form,
        });
    }
    components
}

fn form_fields(check: &mut Checker, table: &toml::Table, root: &KeyPath) -> Vec<FormField> {
    let path = root.key("form_field");
    let raw: Vec<toml::Value> = check.field(table, root, "form_field", false).unwrap_or_default();
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, value) in raw.into_iter().enumerate() {
        let at = path.index(i);
        let r = match value.try_into::<RawFormField>() {
            Ok(r) => r,
            Err(e) => {
                check.report(&at, "bad_value", e.message().trim().to_string());
                continue;
            }
        };
        if !is_snake_id(&r.name) {
            check.report(&at.key("name"), "id_format", format!("field name `{}` must be lowercase snake_case", r.name));
        }
        if !seen.insert(r.name.clone()) {
            check.report(&at.key("name"), "duplicate_id", format!("field name `{}` is used twice", r.name));
        }
        check.not_empty(&Some(r.label.clone()), &at.key("label"));
        let kind = FieldKind::parse(&r.kind);
        if kind.is_none() {
            let message = format!("unknown field kind `{}` (expected one of: {})", r.kind, FieldKind::SPELLINGS);
            check.report(&at.key("kind"), "unknown_field_kind", message);
        }
        if (kind == Some(FieldKind::Choice)) == r.choices.is_empty() {
            check.report(&at.key("choices"), "choices", "a choice field lists its choices, other kinds none");
        }
        let prefill = r.prefill.as_deref().map(|text| (text, Prefill::parse(text)));
        if let Some((text, None)) = prefill {
            let message = format!("unknown prefill `{text}` (expected one of: {})", Prefill::SPELLINGS);
            check.report(&at.key("prefill"), "unknown_prefill", message);
        }
        if let Some(kind) = kind {
            fields.push(FormField {
                name: r.name,
                label: r.label,
                kind,
                required: r.required,
                prefill: prefill.and_then(|(_, p)| p),
                choices: r.choices,
                hint: r.hint,
            });
        }
    }
    fields
}
