//! Other systems (the national portal connector, other agencies) call as service accounts: a client id, an
//! argon2id secret shown once, and scopes (OAuth 2.0 client credentials).

use argon2::password_hash::{PasswordHash, PasswordVerifier};

use super::Identity;
use super::{FieldError, ServiceError, ServiceResult};
use crate::domain::identity::ServiceIdentity;
use crate::store::identity::{self as store, ServiceAccount};
use crate::store::to_db;

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

impl Identity<'_> {
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

    /// Whether the service account a token names still exists and is enabled.
    pub fn service_account_active(&self, name: &str) -> ServiceResult<bool> {
        let account = self.db.read(|conn| store::account_named(conn, name).map_err(ServiceError::from))?;
        Ok(account.is_some_and(|a| !a.disabled))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_plain_words() {
        assert!(valid_scope("portal") && valid_scope("dossiers:read"));
        assert!(!valid_scope("") && !valid_scope("Portal") && !valid_scope("a b"));
    }
}
