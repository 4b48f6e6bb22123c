//! Texts of the citizen pages (submission, my dossiers, repository).

/// (code, Vietnamese, English).
pub(super) const TEXTS: &[(&str, &str, &str)] = &[];
