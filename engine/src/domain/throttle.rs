//! How long sign-in waits after failures (security level 3 without a lock anyone could trigger): each failure
//! is counted under three keys, and each key waits longer the more failures it has, doubling from a free
//! allowance up to a ceiling. The account-and-address key stops guessing from one place; the address key stops
//! one place trying many accounts; the account key slows guessing from many places, with a ceiling of seconds,
//! so that no one can keep the owner out. Keys use the name as typed, known or not: the answers are the same.

use chrono::{DateTime, TimeDelta, Utc};

/// A failure older than this is forgotten: the count starts again.
pub const FORGET_AFTER: TimeDelta = TimeDelta::hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AccountFromAddress,
    Address,
    Account,
}

impl Key {
    /// Failures allowed before any wait, and the longest wait.
    fn rule(self) -> (i32, TimeDelta) {
        match self {
            Key::AccountFromAddress => (3, TimeDelta::minutes(15)),
            Key::Address => (30, TimeDelta::minutes(15)),
            Key::Account => (10, TimeDelta::seconds(30)),
        }
    }

    /// How long after its last failure a key with `failures` waits.
    pub fn wait(self, failures: i32) -> TimeDelta {
        let (free, ceiling) = self.rule();
        if failures < free {
            return TimeDelta::zero();
        }
        let doublings = (failures - free).min(20) as u32;
        TimeDelta::seconds(1i64 << doublings).min(ceiling)
    }
}

/// The stored names of the three keys of a sign-in.
pub fn keys(username: &str, address: &str) -> [(Key, String); 3] {
    let name = username.trim().to_lowercase();
    [
        (Key::AccountFromAddress, format!("account:{name}|address:{address}")),
        (Key::Address, format!("address:{address}")),
        (Key::Account, format!("account:{name}")),
    ]
}

/// How long until a sign-in may be tried, given each key's failures and last failure; `None`: now.
pub fn retry_after(counted: &[(Key, i32, DateTime<Utc>)], now: DateTime<Utc>) -> Option<TimeDelta> {
    counted
        .iter()
        .filter(|(_, _, last)| now - *last < FORGET_AFTER)
        .map(|(key, failures, last)| *last + key.wait(*failures) - now)
        .filter(|left| *left > TimeDelta::zero())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_allowance_up_to_the_ceiling() {
        assert_eq!(Key::AccountFromAddress.wait(2), TimeDelta::zero());
        assert_eq!(Key::AccountFromAddress.wait(3), TimeDelta::seconds(1));
        assert_eq!(Key::AccountFromAddress.wait(6), TimeDelta::seconds(8));
        assert_eq!(Key::AccountFromAddress.wait(1000), TimeDelta::minutes(15));
        // Many places guessing one account slow it by seconds at most: its owner is never kept out.
        assert_eq!(Key::Account.wait(i32::MAX), TimeDelta::seconds(30));
        assert_eq!(Key::Address.wait(29), TimeDelta::zero());
    }

    #[test]
    fn the_longest_wait_of_the_three_keys_applies_and_old_failures_are_forgotten() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z").unwrap().with_timezone(&Utc);
        let ago = |s| now - TimeDelta::seconds(s);
        let counted = [(Key::AccountFromAddress, 6, ago(3)), (Key::Account, 12, ago(1)), (Key::Address, 1, ago(1))];
        assert_eq!(retry_after(&counted, now), Some(TimeDelta::seconds(5)));
        assert_eq!(retry_after(&[(Key::AccountFromAddress, 50, ago(3601))], now), None);
        assert_eq!(retry_after(&[(Key::AccountFromAddress, 2, ago(0))], now), None);
    }

    #[test]
    fn names_are_keyed_as_typed_whatever_their_case() {
        assert_eq!(keys(" Admin ", "10.0.0.7")[0].1, "account:admin|address:10.0.0.7");
    }
}
