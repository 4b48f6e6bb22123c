//! Staff accounts: argon2id passwords, lock-out after repeated failures, rotating refresh tokens.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::TimeDelta;
use sha2::{Digest, Sha256};

use super::Identity;
use super::{ServiceError, ServiceResult, Services, StaffIdentity};
use crate::domain::procedure::Role;
use crate::store::{agencies, audit, settings, staff, tokens};

/// Failed sign-ins in a row before the account locks.
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_DURATION: TimeDelta = TimeDelta::minutes(15);
pub const REFRESH_LIFETIME: TimeDelta = TimeDelta::hours(10);
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
    hex::encode(Sha256::digest(token.as_bytes()))
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
            audit::record(conn, self.now(), "admin", "reset_password", username, "ok")?;
            Ok(())
        })
    }

    /// Checks a password. Five failures in a row lock the account for 15 minutes; every outcome is audited.
    pub fn login(&self, username: &str, password: &str) -> ServiceResult<StaffIdentity> {
        let now = self.now();
        let user = self.db.read(|conn| staff::by_username(conn, username).map_err(ServiceError::from))?;
        let Some(user) = user else {
            // Same work as a real check, so timing does not tell which usernames exist.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let _ = verify_password(password, DUMMY.get_or_init(|| hash_password("not a password")));
            self.audit(username, "login", "unknown_user");
            return Err(ServiceError::Unauthenticated("auth.invalid_credentials"));
        };
        if user.locked_at(now) {
            self.audit(username, "login", "locked");
            return Err(ServiceError::Unauthenticated("auth.locked"));
        }
        if !verify_password(password, &user.password_hash) {
            let lock = (user.failed_logins + 1 >= MAX_FAILED_LOGINS).then(|| now + LOCK_DURATION);
            self.db.write(|conn| staff::record_failed_login(conn, &user.id, lock).map_err(ServiceError::from))?;
            self.audit(username, "login", if lock.is_some() { "locked_now" } else { "bad_password" });
            return Err(ServiceError::Unauthenticated(if lock.is_some() {
                "auth.locked"
            } else {
                "auth.invalid_credentials"
            }));
        }
        self.db.write(|conn| {
            if user.failed_logins > 0 || user.locked_until.is_some() {
                staff::reset_failed_logins(conn, &user.id)?;
            }
            audit::record(conn, now, username, "login", username, "ok")?;
            identity_of(conn, &user.id)
        })
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

    /// Exchanges a refresh token for a new one of the same family. A token used twice revokes its family.
    pub fn rotate_refresh_token(&self, token: &str) -> ServiceResult<(StaffIdentity, String)> {
        let now = self.now();
        let hash = token_hash(token);
        let invalid = || ServiceError::Unauthenticated("auth.invalid_token");
        let outcome = self.db.write(|conn| {
            let row = tokens::find(conn, &hash)?.ok_or_else(invalid)?;
            if row.revoked || row.expires_at <= now {
                return Err(invalid());
            }
            if row.used || !tokens::mark_used(conn, &hash, now)? {
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

    pub fn revoke_refresh_token(&self, token: &str) -> ServiceResult<()> {
        let hash = token_hash(token);
        self.db.write(|conn| {
            if let Some(row) = tokens::find(conn, &hash)? {
                tokens::revoke_family(conn, &row.family)?;
            }
            Ok(())
        })
    }

    /// The secret access tokens are signed with, shared by every process on the database: the one stored, or
    /// `fresh` when none is yet (the first process to start stores it).
    pub fn token_secret(&self, fresh: &str) -> ServiceResult<String> {
        self.db.write(|conn| Ok(settings::get_or_insert(conn, "jwt_secret", fresh)?))
    }
}

fn identity_of(conn: &mut crate::store::DbConnection, staff_id: &str) -> ServiceResult<StaffIdentity> {
    let user = staff::by_id(conn, staff_id)?.ok_or(ServiceError::Unauthenticated("auth.invalid_token"))?;
    let roles = staff::roles(conn, staff_id)?
        .into_iter()
        .filter_map(|(agency, role)| role.parse::<Role>().ok().map(|r| (agency, r)))
        .collect();
    Ok(StaffIdentity { id: user.id, username: user.username, full_name: user.full_name, roles })
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
