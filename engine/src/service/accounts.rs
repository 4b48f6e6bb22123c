//! Staff accounts: argon2id passwords, lock-out after repeated failures, rotating refresh tokens.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::TimeDelta;

use super::Identity;
use super::{ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::procedure::Role;
use crate::domain::throttle;
use crate::store::{agencies, audit, sign_in, staff, tokens};

pub const REFRESH_LIFETIME: TimeDelta = TimeDelta::hours(10);
/// How long after its first use a refresh token still rotates (another tab of the same browser, refreshing at
/// the same moment with the same cookie) instead of being taken for a stolen one.
pub const REFRESH_REUSE_GRACE: TimeDelta = TimeDelta::seconds(30);
pub const MIN_PASSWORD_LENGTH: usize = 8;
/// The longest division name.
pub const MAX_POST_TEXT: usize = 200;

/// A role a person holds in an agency, with its post.
#[derive(Debug, Clone)]
pub struct StaffPost {
    pub agency: String,
    pub role: Role,
    pub division: Option<String>,
    pub deputy: bool,
    pub phone: Option<String>,
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn token_hash(token: &str) -> String {
    crate::random::token_digest(token)
}

impl Identity<'_> {
    /// Creates a staff account with one role in one agency (more roles: call again with the same username).
    pub fn create_user(
        &self,
        username: &str,
        full_name: &str,
        role: Role,
        agency: &str,
        password: &str,
    ) -> ServiceResult<StaffIdentity> {
        let now = self.now();
        let mut errors = Vec::new();
        if username.trim().is_empty() || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
            errors.push(super::FieldError::new("username", "field.required").with_detail("letters, digits, . _ -"));
        }
        if full_name.trim().is_empty() {
            errors.push(super::FieldError::new("full_name", "field.required"));
        }
        if password.chars().count() < MIN_PASSWORD_LENGTH {
            errors.push(super::FieldError::new("password", "field.required").with_detail("at least 8 characters"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        self.db.write(|conn| {
            if agencies::get(conn, agency)?.is_none() {
                return Err(ServiceError::Invalid(vec![super::FieldError::new("agency", "field.unknown_agency")]));
            }
            let id = match staff::by_username(conn, username)? {
                Some(existing) => existing.id,
                None => {
                    let id = uuid::Uuid::now_v7().to_string();
                    staff::insert(conn, &id, username, full_name, &hash_password(password), now)?;
                    id
                }
            };
            staff::add_role(conn, &id, agency, role.as_str())?;
            identity_of(conn, &id)
        })
    }

    /// Where a person holds a role: the division (absent: the agency as a whole), whether as a deputy, and
    /// their work phone (absent: left as it is). What official papers and the portal's rows print of them.
    pub fn set_post(&self, username: &str, post: &StaffPost) -> ServiceResult<()> {
        let mut errors = Vec::new();
        let division = post.division.as_deref().map(str::trim).filter(|d| !d.is_empty());
        if division.is_some_and(|d| d.chars().count() > MAX_POST_TEXT) {
            errors.push(super::FieldError::new("division", "field.too_long"));
        }
        let phone = post.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
        if phone.is_some_and(|p| !super::requests::is_phone(p)) {
            errors.push(super::FieldError::new("phone", "field.invalid_phone"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        self.db.write(|conn| {
            let user = staff::by_username(conn, username)?.ok_or(ServiceError::NotFound("request.not_found"))?;
            if !staff::set_post(conn, &user.id, &post.agency, post.role.as_str(), division, post.deputy)? {
                return Err(ServiceError::Invalid(vec![super::FieldError::new("role", "field.unknown_staff")]));
            }
            if let Some(phone) = phone {
                staff::set_phone(conn, &user.id, Some(phone))?;
            }
            audit::record(conn, self.now(), "admin", "set_post", username, "ok")?;
            Ok(())
        })
    }

    pub fn reset_password(&self, username: &str, password: &str) -> ServiceResult<()> {
        if password.chars().count() < MIN_PASSWORD_LENGTH {
            return Err(ServiceError::Invalid(vec![
                super::FieldError::new("password", "field.required").with_detail("at least 8 characters"),
            ]));
        }
        let hash = hash_password(password);
        self.db.write(|conn| {
            let user = staff::by_username(conn, username)?.ok_or(ServiceError::NotFound("request.not_found"))?;
            staff::set_password(conn, &user.id, &hash)?;
            // Whoever knew the old password may hold a session: every one ends.
            tokens::revoke_all_of(conn, &user.id)?;
            audit::record(conn, self.now(), "admin", "reset_password", username, "ok")?;
            Ok(())
        })
    }

    /// Checks a password from `address` (the client's IP). Failures slow further tries down (see
    /// `domain::throttle`), never lock; an unknown name and a wrong password get the same answer and the same
    /// work. Every outcome is audited.
    pub fn login(&self, username: &str, password: &str, address: &str) -> ServiceResult<StaffIdentity> {
        let now = self.now();
        let keys = throttle::keys(username, address);
        let names: Vec<String> = keys.iter().map(|(_, name)| name.clone()).collect();
        let (user, counted) = self.db.read(|conn| -> ServiceResult<_> {
            Ok((staff::by_username(conn, username)?, sign_in::failures(conn, &names)?))
        })?;
        let counted: Vec<_> = counted
            .into_iter()
            .filter_map(|(name, n, at)| keys.iter().find(|(_, k)| *k == name).map(|(key, _)| (*key, n, at)))
            .collect();
        if let Some(wait) = throttle::retry_after(&counted, now) {
            self.audit(username, "login", "throttled");
            return Err(ServiceError::Throttled(wait.num_seconds().max(1)));
        }
        // Same work with or without an account, so timing does not tell which usernames exist.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = || DUMMY.get_or_init(|| hash_password("not a password")).clone();
        let hash = user.as_ref().map_or_else(dummy, |u| u.password_hash.clone());
        let user = user.filter(|_| verify_password(password, &hash));
        let Some(user) = user else {
            let forget_before = now - throttle::FORGET_AFTER;
            self.db
                .write(|conn| sign_in::record_failure(conn, &names, now, forget_before).map_err(ServiceError::from))?;
            self.audit(username, "login", "bad_credentials");
            return Err(ServiceError::Unauthenticated("auth.invalid_credentials"));
        };
        self.db.write(|conn| {
            // The address keeps its count: one success does not excuse guessing at other accounts.
            sign_in::clear(conn, &names[0..1])?;
            sign_in::clear(conn, &names[2..3])?;
            audit::record(conn, now, username, "login", username, "ok")?;
            identity_of(conn, &user.id)
        })
    }

    /// The generation an access token of this account must carry; `None` when the account is gone.
    pub fn token_generation(&self, staff_id: &str) -> ServiceResult<Option<i32>> {
        self.db.read(|conn| staff::token_generation(conn, staff_id).map_err(ServiceError::from))
    }

    pub fn staff(&self, staff_id: &str) -> ServiceResult<StaffIdentity> {
        self.db.read(|conn| identity_of(conn, staff_id))
    }

    /// A new refresh token (a new family) for a signed-in staff member.
    pub fn issue_refresh_token(&self, staff_id: &str) -> ServiceResult<String> {
        let token = crate::random::token(32);
        let family = uuid::Uuid::now_v7().to_string();
        let expires = self.now() + REFRESH_LIFETIME;
        self.db.write(|conn| {
            tokens::insert(conn, &token_hash(&token), staff_id, &family, expires).map_err(ServiceError::from)
        })?;
        Ok(token)
    }

    /// Exchanges a refresh token for a new one of the same family. A token used again revokes its family
    /// (it was stolen), except within [`REFRESH_REUSE_GRACE`] of its first use: two tabs of one browser refresh
    /// at once with the same cookie, and the second must not sign the clerk out. It gets a token of its own.
    pub fn rotate_refresh_token(&self, token: &str) -> ServiceResult<(StaffIdentity, String)> {
        let now = self.now();
        let hash = token_hash(token);
        let invalid = || ServiceError::Unauthenticated("auth.invalid_token");
        let outcome = self.db.write(|conn| {
            let row = tokens::find(conn, &hash)?.ok_or_else(invalid)?;
            if row.revoked || row.expires_at <= now {
                return Err(invalid());
            }
            let first_use = row.used_at.is_none() && tokens::mark_used(conn, &hash, now)?;
            // Used a moment ago by another tab (already, or in the race just lost): read again to tell.
            let used_at = if first_use { None } else { tokens::find(conn, &hash)?.and_then(|r| r.used_at) };
            let within_grace = used_at.is_some_and(|at| now - at <= REFRESH_REUSE_GRACE);
            if !first_use && !within_grace {
                tokens::revoke_family(conn, &row.family)?;
                return Ok(Err(row.staff_id));
            }
            let next = crate::random::token(32);
            tokens::insert(conn, &token_hash(&next), &row.staff_id, &row.family, now + REFRESH_LIFETIME)?;
            Ok(Ok((identity_of(conn, &row.staff_id)?, next)))
        })?;
        outcome.map_err(|staff_id| {
            self.audit(&staff_id, "refresh", "token_reused_family_revoked");
            invalid()
        })
    }

    /// Signs out: the refresh token's family is revoked and every access token of the account ends. Answers
    /// whose account it was.
    pub fn revoke_refresh_token(&self, token: &str) -> ServiceResult<Option<String>> {
        let hash = token_hash(token);
        self.db.write(|conn| {
            let Some(row) = tokens::find(conn, &hash)? else { return Ok(None) };
            tokens::revoke_family(conn, &row.family)?;
            staff::next_token_generation(conn, &row.staff_id)?;
            Ok(Some(row.staff_id))
        })
    }
}

fn identity_of(conn: &mut crate::store::DbConnection, staff_id: &str) -> ServiceResult<StaffIdentity> {
    let user = staff::by_id(conn, staff_id)?.ok_or(ServiceError::Unauthenticated("auth.invalid_token"))?;
    let roles = staff::roles(conn, staff_id)?
        .into_iter()
        .filter_map(|(agency, role)| role.parse::<Role>().ok().map(|r| (agency, r)))
        .collect();
    Ok(StaffIdentity {
        id: user.id,
        username: user.username,
        full_name: user.full_name,
        roles,
        token_generation: user.token_generation,
    })
}

/// Shared by the use cases.
impl Services {
    /// Records a security event in its own transaction (denials happen in transactions that roll back).
    pub fn audit(&self, actor: &str, action: &str, outcome: &str) {
        let now = self.now();
        let written = self.db.write(|c| audit::record(c, now, actor, action, "", outcome).map_err(ServiceError::from));
        if let Err(e) = written {
            tracing::error!(error = %e, actor, action, outcome, "audit record lost");
        }
        tracing::info!(target: "audit", actor, action, outcome);
    }
}
