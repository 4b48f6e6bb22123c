//! Signing in from outside (DESIGN.md §10-11) and the citizen's own use cases.
//!
//! Citizens sign in with the national e-identity (OpenID Connect, authorization code + PKCE): `begin_sign_in`
//! keeps the state, PKCE verifier and nonce and answers the provider's URL; `finish_sign_in` takes that row out
//! (single use, 10 minutes at most), redeems the code and checks the ID token. Only accounts of verified level 2
//! are let in: level 1 accounts are registered online without an in-person check, and every use case here
//! (submitting, withdrawing, reading results) is a public-service transaction in the citizen's name.
//!
//! Other systems (the national portal connector, other agencies) are service accounts: a client id, an argon2id
//! secret shown once, and scopes (OAuth 2.0 client credentials).
//!
//! A signed-in citizen submits online (status 1), reads their dossiers with a public history (no staff notes,
//! no internal steps), resubmits after a supplement request, withdraws while the domain allows it, and lists
//! the result papers once processing is complete.

use crate::domain::policy::{self, Access, Target};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::dossiers::IdempotencyKey;
use super::requests::OnlineSubmission;
use super::{FieldError, ServiceError, ServiceResult, Services};
use crate::domain::actor::Actor;
use crate::domain::calendar::Timeliness;
use crate::domain::dossier::{
    Action, Applicant, Channel, ComponentState, Context, Dossier, Event, Payment, PendingSupplement, Status, apply,
    decide,
};
use crate::domain::identity::{Caller, CitizenIdentity, ServiceIdentity};
use crate::ports::identity::{IdentityProvider, OidcError, VerifiedIdentity};
use crate::store::identity::{self as store, ApplicantCursor, ServiceAccount, SignInAttempt};
use crate::store::papers::{self, Paper};
use crate::store::{DbConnection, agencies, dossiers, events, from_db, idempotency, to_db};

/// How long a sign-in may take between the redirect to the provider and its callback.
pub const SIGN_IN_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// The verified level an e-identity account needs to sign in here.
pub const REQUIRED_LEVEL: u8 = 2;
/// Where the provider sends the citizen back, under the public URL.
pub const CALLBACK_PATH: &str = "/api/v1/auth/citizen/callback";

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

/// Why a citizen's sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("no identity provider is configured (MOTCUA_OIDC_ISSUER)")]
    NotConfigured,
    #[error("return_to must be a path of this site, e.g. /ho-so")]
    BadReturnTo,
    #[error("login_hint must be a 12-digit personal id")]
    BadLoginHint,
    #[error("this sign-in is unknown or was already completed")]
    UnknownState,
    #[error("this sign-in took longer than 10 minutes; start again")]
    Expired,
    #[error("{0}")]
    Provider(#[from] OidcError),
    /// The provider answered the callback with an error (the citizen cancelled, or it refused the request).
    #[error("the identity provider answered {0}")]
    ProviderAnswered(String),
    #[error("the e-identity account is of level {0}; level 2 is required")]
    LevelTooLow(u8),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::NotConfigured => "auth.provider_not_configured",
            SignInError::BadReturnTo => "auth.invalid_return_to",
            SignInError::BadLoginHint => "auth.invalid_login_hint",
            SignInError::UnknownState => "auth.sign_in_unknown",
            SignInError::Expired => "auth.sign_in_expired",
            SignInError::Provider(OidcError::Unavailable(_)) => "auth.provider_unavailable",
            SignInError::Provider(OidcError::Misconfigured(_)) => "auth.provider_misconfigured",
            SignInError::Provider(OidcError::Refused(_)) | SignInError::ProviderAnswered(_) => "auth.provider_refused",
            SignInError::Provider(OidcError::InvalidToken(_)) => "auth.id_token_invalid",
            SignInError::LevelTooLow(_) => "auth.level_too_low",
            SignInError::Service(e) => e.code(),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            SignInError::NotConfigured => 503,
            SignInError::BadReturnTo | SignInError::BadLoginHint | SignInError::UnknownState | SignInError::Expired => {
                400
            }
            SignInError::Provider(OidcError::Unavailable(_) | OidcError::Misconfigured(_)) => 502,
            SignInError::Provider(OidcError::Refused(_) | OidcError::InvalidToken(_))
            | SignInError::ProviderAnswered(_) => 401,
            SignInError::LevelTooLow(_) => 403,
            SignInError::Service(e) => e.http_status(),
        }
    }
}

/// What the provider's redirect back carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    Error { error: String, description: Option<String> },
}

/// A completed sign-in: who, what the provider vouched for, and where the browser goes next.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub citizen: CitizenIdentity,
    pub verified: VerifiedIdentity,
    pub return_to: String,
}

/// A path of this site to return to after sign-in; anything else (another site, `//host`) is refused.
fn valid_return_to(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

/// A service account just created: its secret is shown this once and stored only as a hash.
#[derive(Debug, Clone)]
pub struct NewServiceAccount {
    pub account: ServiceAccount,
    pub secret: String,
}

fn valid_scope(scope: &str) -> bool {
    (1..=64).contains(&scope.len())
        && scope.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._:-".contains(&b))
}

fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| argon2::Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// A dossier as its applicant sees it: what was asked, where it stands, what is expected of them, and the
/// result; not who handles it inside the agency, drafts, consultations or alerts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDossier {
    pub id: String,
    pub code: Option<String>,
    pub procedure_code: String,
    /// The version of the procedure the dossier is handled under.
    pub procedure_version: u32,
    pub procedure_name: String,
    pub agency: String,
    pub agency_name: String,
    pub channel: Channel,
    pub summary: String,
    pub applicant: Applicant,
    pub status: Status,
    pub status_name: &'static str,
    pub components: Vec<ComponentState>,
    /// What the applicant filled in on the e-form (and other form data the portal sent).
    pub form_data: std::collections::BTreeMap<String, String>,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// What the agency asked to supplement, while it waits for it.
    pub supplement: Option<PendingSupplement>,
    pub payment: Option<Payment>,
    pub result_available: bool,
    pub result_number: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    pub can_withdraw: bool,
    pub can_resubmit: bool,
    /// For `If-Match` on resubmit and withdraw.
    pub version: u64,
    /// A member of an inter-agency bundle: the bundle's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_code: Option<String>,
    /// A bundle: where each of its procedures stands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<super::bundles::MemberView>,
}

/// One entry of the public history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyEvent {
    pub seq: usize,
    pub at: DateTime<Utc>,
    /// The change's name; `status_changed` for internal work that moved the status.
    pub kind: &'static str,
    /// `applicant`, `agency` or `system`.
    pub by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The change itself, for changes the applicant is told about (reasons, items, amounts, codes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<crate::domain::dossier::Change>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDossierDetail {
    #[serde(flatten)]
    pub dossier: MyDossier,
    pub history: Vec<MyEvent>,
}

/// What `submit_mine` answers: the new dossier, or the stored answer to an earlier request with the same key.
pub enum SubmittedMine {
    Created(Box<MyDossier>),
    Replayed { status: u16, body: String },
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyPage {
    pub items: Vec<MyDossier>,
    pub next_cursor: Option<String>,
}

/// Changes the applicant is told about with their details; other changes are internal work of the agency.
const PUBLIC_CHANGES: &[&str] = &[
    "submitted",
    "received",
    "reception_refused",
    "supplement_requested",
    "resubmitted",
    "paper_attached",
    "result_attached",
    "payment_requested",
    "payment_recorded",
    "stopped",
    "extended",
    "withdrawn",
    "returned",
];

fn public_history(events: Vec<Event>) -> Vec<MyEvent> {
    events
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let name = e.change.name();
            let public = PUBLIC_CHANGES.contains(&name);
            if !public && e.status.is_none() {
                return None;
            }
            let by = match e.actor {
                Actor::Citizen { .. } => "applicant",
                Actor::Staff { .. } => "agency",
                Actor::System { .. } => "system",
            };
            Some(MyEvent {
                seq: i + 1,
                at: e.at,
                kind: if public { name } else { "status_changed" },
                by,
                status: e.status,
                details: public.then_some(e.change),
            })
        })
        .collect()
}

/// Result papers are the applicant's once processing is complete: the papers attached as the result, and the
/// rendered result document once signed electronically. An unsigned draft never is: on the paper route the
/// signed result is scanned and attached.
fn result_papers(conn: &mut DbConnection, dossier: &Dossier) -> ServiceResult<Vec<Paper>> {
    if !matches!(dossier.status, Status::ResultReady | Status::Stopped | Status::Returned) {
        return Ok(Vec::new());
    }
    let current = dossier.result_document.as_deref();
    Ok(papers::of_dossier(conn, &dossier.id)?
        .into_iter()
        .filter(|p| dossier.result_papers.contains(&p.id) || (Some(p.id.as_str()) == current && p.source != "draft"))
        .collect())
}

impl Services {
    fn identity_provider(&self) -> Result<&dyn IdentityProvider, SignInError> {
        self.ports.identity.as_deref().ok_or(SignInError::NotConfigured)
    }

    /// The redirect URI registered with the provider: the callback under the public URL.
    pub fn citizen_redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.config.public_url.trim_end_matches('/'))
    }

    /// Starts a sign-in: stores its state, PKCE verifier and nonce, and answers the provider's URL to send the
    /// browser to.
    pub fn begin_sign_in(&self, return_to: Option<&str>, login_hint: Option<&str>) -> Result<String, SignInError> {
        let return_to = return_to.filter(|r| !r.is_empty());
        if return_to.is_some_and(|r| !valid_return_to(r)) {
            return Err(SignInError::BadReturnTo);
        }
        if login_hint.is_some_and(|h| h.len() != 12 || !h.bytes().all(|b| b.is_ascii_digit())) {
            return Err(SignInError::BadLoginHint);
        }
        let authorization = self.identity_provider()?.authorize(&self.citizen_redirect_uri(), login_hint)?;
        let now = self.now();
        let attempt = SignInAttempt {
            state: authorization.state,
            code_verifier: authorization.verifier,
            nonce: authorization.nonce,
            return_to: return_to.map(str::to_string),
            created_at: to_db(now),
        };
        self.db.write(|conn| -> ServiceResult<()> {
            store::delete_attempts_before(conn, now - SIGN_IN_LIFETIME)?;
            store::insert_attempt(conn, &attempt)?;
            Ok(())
        })?;
        Ok(authorization.url)
    }

    /// Completes a sign-in from the provider's redirect back. The state is spent whatever happens next, so a
    /// callback cannot be replayed.
    pub fn finish_sign_in(&self, state: &str, callback: Callback) -> Result<SignedIn, SignInError> {
        let outcome = self.complete_sign_in(state, callback);
        match &outcome {
            Ok(signed_in) => self.audit(&Caller::Citizen(signed_in.citizen.clone()).label(), "sign_in", "ok"),
            Err(e) => self.audit("citizen:?", "sign_in", &format!("denied:{}", e.code())),
        }
        outcome
    }

    fn complete_sign_in(&self, state: &str, callback: Callback) -> Result<SignedIn, SignInError> {
        let provider = self.identity_provider()?;
        let attempt = self
            .db
            .write(|conn| store::take_attempt(conn, state).map_err(ServiceError::from))?
            .ok_or(SignInError::UnknownState)?;
        if from_db(attempt.created_at) + SIGN_IN_LIFETIME < self.now() {
            return Err(SignInError::Expired);
        }
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Error { error, description } => {
                return Err(SignInError::ProviderAnswered(match description {
                    Some(d) => format!("{error}: {d}"),
                    None => error,
                }));
            }
        };
        let verified = provider.sign_in(&code, &self.citizen_redirect_uri(), &attempt.code_verifier, &attempt.nonce)?;
        if verified.level < REQUIRED_LEVEL {
            return Err(SignInError::LevelTooLow(verified.level));
        }
        Ok(SignedIn {
            citizen: CitizenIdentity { id_number: verified.personal_id.clone(), name: verified.name.clone() },
            verified,
            return_to: attempt.return_to.unwrap_or_else(|| "/".into()),
        })
    }

    /// Creates a service account with its scopes (and the client id the other system is configured with, or a
    /// fresh one); answers it with its secret, which is not kept.
    pub fn create_service_account(
        &self,
        name: &str,
        scopes: &[String],
        client_id: Option<&str>,
    ) -> ServiceResult<NewServiceAccount> {
        let name = name.trim();
        let mut errors = Vec::new();
        if client_id.is_some_and(|id| {
            !(1..=100).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        }) {
            errors.push(FieldError::new("client_id", "field.required").with_detail("letters, digits, . _ -"));
        }
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new("name", "field.required"));
        }
        if scopes.is_empty() {
            errors.push(FieldError::new("scopes", "field.required"));
        }
        for scope in scopes.iter().filter(|s| !valid_scope(s)) {
            errors.push(FieldError::new("scopes", "field.invalid_scope").with_detail(scope));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let mut unique: Vec<String> = Vec::new();
        for scope in scopes {
            if !unique.contains(scope) {
                unique.push(scope.clone());
            }
        }
        let secret = crate::random::token(32);
        let account = ServiceAccount {
            client_id: client_id.map_or_else(|| format!("svc_{}", crate::random::token(8)), str::to_string),
            name: name.to_string(),
            secret_hash: super::accounts::hash_password(&secret),
            scopes: unique.join(" "),
            created_at: to_db(self.now()),
            disabled: false,
        };
        self.db.write(|conn| {
            let existing = store::accounts(conn)?;
            if existing.iter().any(|a| a.name == account.name) {
                return Err(ServiceError::Invalid(vec![FieldError::new("name", "field.name_taken")]));
            }
            if existing.iter().any(|a| a.client_id == account.client_id) {
                return Err(ServiceError::Invalid(vec![FieldError::new("client_id", "field.name_taken")]));
            }
            store::insert_account(conn, &account)?;
            crate::store::audit::record(conn, self.now(), "admin", "create_service_account", &account.client_id, "ok")?;
            Ok(())
        })?;
        Ok(NewServiceAccount { account, secret })
    }

    pub fn service_accounts(&self) -> ServiceResult<Vec<ServiceAccount>> {
        self.db.read(|conn| store::accounts(conn).map_err(ServiceError::from))
    }

    /// Disables (or enables again) a service account; its tokens stop being issued at once.
    pub fn set_service_account_disabled(&self, client_id: &str, disabled: bool) -> ServiceResult<()> {
        self.db.write(|conn| {
            if !store::set_disabled(conn, client_id, disabled)? {
                return Err(ServiceError::NotFound("request.not_found"));
            }
            let action = if disabled { "disable_service_account" } else { "enable_service_account" };
            crate::store::audit::record(conn, self.now(), "admin", action, client_id, "ok")?;
            Ok(())
        })
    }

    /// Client credentials: the account's identity with its scopes, or `auth.invalid_client` (unknown, wrong
    /// secret, or disabled alike).
    pub fn authenticate_client(&self, client_id: &str, secret: &str) -> ServiceResult<ServiceIdentity> {
        let account = self.db.read(|conn| store::account(conn, client_id).map_err(ServiceError::from))?;
        let label = format!("client:{client_id}");
        let Some(account) = account else {
            // Same work as a real check, so timing does not tell which client ids exist.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let _ = verify_secret(secret, DUMMY.get_or_init(|| super::accounts::hash_password("not a secret")));
            self.audit(&label, "client_credentials", "unknown_client");
            return Err(ServiceError::Unauthenticated("auth.invalid_client"));
        };
        if !verify_secret(secret, &account.secret_hash) {
            self.audit(&label, "client_credentials", "bad_secret");
            return Err(ServiceError::Unauthenticated("auth.invalid_client"));
        }
        if account.disabled {
            self.audit(&label, "client_credentials", "disabled");
            return Err(ServiceError::Unauthenticated("auth.invalid_client"));
        }
        self.audit(&label, "client_credentials", "ok");
        Ok(ServiceIdentity { scopes: account.scope_list(), name: account.name })
    }

    /// The applicant's view of a dossier.
    fn my_view(&self, conn: &mut DbConnection, dossier: &Dossier) -> ServiceResult<MyDossier> {
        let procedure = &*self.procedure_of(dossier)?;
        let agency_name = agencies::get(conn, &dossier.agency)?.map(|a| a.name).unwrap_or_default();
        let d = dossier.clone();
        let open_supplement = d.status == Status::SupplementRequested;
        let members = self.member_views(conn, dossier)?;
        Ok(MyDossier {
            bundle_code: d.bundle.as_ref().map(|b| b.code.clone()),
            members,
            result_available: !result_papers(conn, dossier)?.is_empty(),
            can_withdraw: matches!(d.status, Status::Submitted | Status::SupplementRequested),
            can_resubmit: open_supplement,
            procedure_name: procedure.name.clone(),
            agency_name,
            status_name: d.status.name_vi(),
            id: d.id,
            code: d.code,
            procedure_code: d.procedure_code,
            procedure_version: d.procedure_version,
            agency: d.agency,
            channel: d.channel,
            summary: d.summary,
            applicant: d.applicant,
            status: d.status,
            components: d.components,
            form_data: d.form_data,
            submitted_at: d.submitted_at,
            received_at: d.received_at,
            due_at: d.due_at,
            supplement: d.supplement,
            payment: d.payment,
            result_number: d.result_number,
            completed_at: d.completed_at,
            returned_at: d.returned_at,
            timeliness: d.timeliness,
            version: d.version,
        })
    }

    /// A dossier of the citizen's; another's is not found.
    fn mine(&self, conn: &mut DbConnection, citizen: &CitizenIdentity, id: &str, lock: bool) -> ServiceResult<Dossier> {
        let dossier = if lock { dossiers::load_for_update(conn, id)? } else { dossiers::get(conn, id)? };
        let caller = Caller::Citizen(citizen.clone());
        dossier
            .filter(|d| policy::may(&caller, Access::SeeDossier, Target::Dossier(d)))
            .ok_or(ServiceError::NotFound("dossier.not_found"))
    }

    /// Audits a refusal (after its transaction, which rolled back).
    fn audited<T>(&self, citizen: &CitizenIdentity, what: &str, outcome: ServiceResult<T>) -> ServiceResult<T> {
        if let Err(e) = &outcome
            && matches!(e.http_status(), 403 | 404)
        {
            self.audit(&Caller::Citizen(citizen.clone()).label(), what, &format!("denied:{}", e.code()));
        }
        outcome
    }

    /// Submits online as the signed-in citizen (status 1). With an `Idempotency-Key`, a retry gets the first
    /// answer; the key is stored in the submission's own transaction.
    pub fn submit_mine(
        &self,
        citizen: &CitizenIdentity,
        input: OnlineSubmission,
        key: Option<IdempotencyKey>,
    ) -> ServiceResult<SubmittedMine> {
        let owner = Caller::Citizen(citizen.clone()).label();
        let replay = |key: &IdempotencyKey| -> ServiceResult<Option<SubmittedMine>> {
            let stored = self.db.read(|conn| idempotency::find(conn, &owner, &key.key).map_err(ServiceError::from))?;
            match stored {
                None => Ok(None),
                Some(s) if s.request_hash == key.request_hash => {
                    Ok(Some(SubmittedMine::Replayed { status: s.status, body: s.body }))
                }
                Some(_) => Err(ServiceError::Conflict("request.idempotency_key_reused", key.key.clone())),
            }
        };
        if let Some(key) = &key
            && let Some(answer) = replay(key)?
        {
            return Ok(answer);
        }
        let actor = Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
        let mut view = None;
        let origin = super::dossiers::Origin { portal_id: None, signed_in_with_vneid: true };
        let outcome =
            self.submit_online_as(&Caller::Citizen(citizen.clone()), actor, input, origin, |conn, dossier| {
                let mine = self.my_view(conn, dossier)?;
                if let Some(key) = &key {
                    let body = serde_json::to_string(&mine).expect("views serialize");
                    let answer =
                        idempotency::StoredAnswer { request_hash: key.request_hash.clone(), status: 201, body };
                    idempotency::insert(conn, &owner, &key.key, &answer, self.now())?;
                }
                view = Some(mine);
                Ok(())
            });
        match outcome {
            Ok(_) => Ok(SubmittedMine::Created(Box::new(view.expect("set in the transaction")))),
            // Two requests with one key raced: the loser's insert failed; the winner's answer is stored now.
            Err(e) if e.is_unique_violation() && key.is_some() => {
                let key = key.expect("checked");
                replay(&key)?.ok_or(ServiceError::Conflict("request.idempotency_key_reused", key.key))
            }
            Err(e) => Err(e),
        }
    }

    /// The citizen's dossiers, newest first, a page at a time.
    pub fn my_dossiers(
        &self,
        citizen: &CitizenIdentity,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> ServiceResult<MyPage> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let after = match cursor {
            None => None,
            Some(text) => Some(
                super::cursor::decode(text)
                    .and_then(|(at, id)| Some(ApplicantCursor { submitted_at: to_db(at?), id }))
                    .ok_or_else(|| {
                        ServiceError::Invalid(vec![
                            FieldError::new("cursor", "field.required").with_detail("unreadable cursor"),
                        ])
                    })?,
            ),
        };
        self.db.read(|conn| {
            let mut found = store::dossiers_of_applicant(conn, &citizen.id_number, after.as_ref(), limit + 1)?;
            let next_cursor = if found.len() as i64 > limit {
                found.truncate(limit as usize);
                found.last().map(|d| super::cursor::encode(Some(d.submitted_at), &d.id))
            } else {
                None
            };
            let items = found.iter().map(|d| self.my_view(conn, d)).collect::<ServiceResult<Vec<_>>>()?;
            Ok(MyPage { items, next_cursor })
        })
    }

    /// One dossier of the citizen's with its public history.
    pub fn my_dossier(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<MyDossierDetail> {
        let outcome = self.db.read(|conn| {
            let dossier = self.mine(conn, citizen, id, false)?;
            let history = public_history(events::history(conn, id)?);
            Ok(MyDossierDetail { dossier: self.my_view(conn, &dossier)?, history })
        });
        self.audited(citizen, &format!("read {id}"), outcome)
    }

    fn act_as_applicant(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
        action: Action,
    ) -> ServiceResult<MyDossier> {
        let now = self.now();
        let what = format!("{} {id}", action.name());
        let outcome = self.db.write(|conn| {
            let before = self.mine(conn, citizen, id, true)?;
            let procedure = &*self.procedure_of(&before)?;
            let actor = Actor::Citizen { id: citizen.id_number.clone(), name: citizen.name.clone() };
            let ctx = Context::new(now, actor, &self.calendar).expecting(expected_version);
            let events = decide(&before, procedure, action, &ctx)?;
            let after = events.iter().fold(before.clone(), apply);
            self.persist(conn, Some(&before), &after, &events, procedure, now)?;
            self.my_view(conn, &after)
        });
        self.audited(citizen, &what, outcome)
    }

    /// Sends the dossier back after a supplement request, once its new papers are attached.
    pub fn resubmit_mine(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
    ) -> ServiceResult<MyDossier> {
        self.act_as_applicant(citizen, id, expected_version, Action::Resubmit)
    }

    /// Withdraws the dossier, while the domain allows it (before reception, or while a supplement is awaited).
    pub fn withdraw_mine(
        &self,
        citizen: &CitizenIdentity,
        id: &str,
        expected_version: u64,
        reason: String,
    ) -> ServiceResult<MyDossier> {
        self.act_as_applicant(citizen, id, expected_version, Action::Withdraw { reason })
    }

    /// The result papers of a dossier of the citizen's, once processing is complete (empty before).
    pub fn my_results(&self, citizen: &CitizenIdentity, id: &str) -> ServiceResult<Vec<Paper>> {
        let outcome = self.db.read(|conn| {
            let dossier = self.mine(conn, citizen, id, false)?;
            result_papers(conn, &dossier)
        });
        self.audited(citizen, &format!("results {id}"), outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_stays_on_this_site() {
        for good in ["/", "/ho-so", "/ho-so?trang=2#ket-qua"] {
            assert!(valid_return_to(good), "{good}");
        }
        for bad in ["", "ho-so", "//evil.example", "https://evil.example/", "/\\evil.example", "/a b", "/a\nb"] {
            assert!(!valid_return_to(bad), "{bad:?}");
        }
    }

    #[test]
    fn scopes_are_plain_words() {
        assert!(valid_scope("portal") && valid_scope("dossiers:read"));
        assert!(!valid_scope("") && !valid_scope("Portal") && !valid_scope("a b"));
    }
}
