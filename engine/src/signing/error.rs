//! What can go wrong while loading keys or signing. Messages never carry key material.

/// An error of signing or of loading a signer's key and certificates.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key or certificate could not be read or does not fit.
    #[error("key or certificate: {0}")]
    Key(String),
    /// The PKCS#12 file could not be opened.
    #[error("PKCS#12: {0}")]
    Pkcs12(String),
    /// The PDF cannot be signed (unreadable, encrypted, no page…).
    #[error("PDF: {0}")]
    Pdf(String),
    /// Building the CMS signature failed.
    #[error("CMS: {0}")]
    Cms(String),
    /// The CMS signature does not fit the space reserved for it in the PDF.
    #[error("the signature ({needed} bytes) does not fit the reserved space ({reserved} bytes)")]
    TooLarge { needed: usize, reserved: usize },
    /// Reading or writing a file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl SignError {
    pub(crate) fn cms(e: impl std::fmt::Display) -> Self {
        SignError::Cms(e.to_string())
    }
}
