//! The token generation of each staff account, and whether each service account is enabled, as access tokens
//! are checked against them: read from the database at most once per account every few seconds per process,
//! so that signing out or disabling an account ends its tokens everywhere within that time without a query on
//! every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_engine::service::Services;

use super::blocking;
use super::problem::Problem;

/// How long a generation read is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct TokenGenerations {
    seen: Mutex<HashMap<String, (Option<i32>, Instant)>>,
}

impl TokenGenerations {
    /// Reads the account's generation again at its next request (it signed out through this process).
    pub fn forget(&self, staff_id: &str) {
        self.seen.lock().expect("not poisoned").remove(staff_id);
    }

    /// The account's current generation; `None` when the account is gone.
    pub async fn current(&self, services: &Arc<Services>, staff_id: &str) -> Result<Option<i32>, Problem> {
        let (services, id) = (services.clone(), staff_id.to_string());
        self.read(staff_id, move || services.identity().token_generation(&id)).await
    }

    /// Whether a service account (by name) exists and is enabled.
    pub async fn service_active(&self, services: &Arc<Services>, name: &str) -> Result<bool, Problem> {
        let (services, owned) = (services.clone(), name.to_string());
        let active = move || services.identity().service_account_active(&owned).map(|on| on.then_some(0));
        Ok(self.read(&format!("service:{name}"), active).await?.is_some())
    }

    async fn read(
        &self,
        key: &str,
        load: impl FnOnce() -> Result<Option<i32>, motcua_engine::service::ServiceError> + Send + 'static,
    ) -> Result<Option<i32>, Problem> {
        let now = Instant::now();
        if let Some((generation, read_at)) = self.seen.lock().expect("not poisoned").get(key)
            && now.duration_since(*read_at) < FRESH_FOR
        {
            return Ok(*generation);
        }
        let generation = blocking(load).await?;
        let mut seen = self.seen.lock().expect("not poisoned");
        // Bounded by the number of accounts; forget stale entries when it grows past them.
        if seen.len() > 100_000 {
            seen.retain(|_, (_, read_at)| now.duration_since(*read_at) < FRESH_FOR);
        }
        seen.insert(key.to_string(), (generation, now));
        Ok(generation)
    }
}
