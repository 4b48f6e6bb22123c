//! Texts of the staff pages (sign-in, queues, reception, dossier, signing, return).

/// (code, Vietnamese, English).
pub(super) const TEXTS: &[(&str, &str, &str)] = &[];
