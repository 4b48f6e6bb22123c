//! Where the outside systems are (DESIGN.md §10): each is configured by a base URL and its credentials. A system
//! left unconfigured is simply not called: its outbox messages wait, visible, until it is.

use std::time::Duration;

/// A counterpart reached over HTTP with a bearer credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Base URL without a trailing slash, e.g. `https://dichvucong.gov.vn/api`.
    pub url: String,
    pub token: String,
}

impl Endpoint {
    pub fn join(&self, path: &str) -> String {
        format!("{}/{}", self.url.trim_end_matches('/'), path.trim_start_matches('/'))
    }
}

/// The payment platform: orders are created with the merchant code; callbacks are signed with the shared secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEndpoint {
    pub endpoint: Endpoint,
    pub merchant: String,
    /// HMAC-SHA256 key of the platform's callbacks.
    pub secret: String,
}

/// The identity provider (the national e-identity) for citizens' OpenID Connect sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// Issuer URL; its `/.well-known/openid-configuration` names the endpoints.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub portal: Option<Endpoint>,
    pub population: Option<Endpoint>,
    pub payment: Option<PaymentEndpoint>,
    pub sms: Option<Endpoint>,
    /// `smtp://host:port` (plain, for a local relay) or `smtps://user:pass@host:port`.
    pub smtp_url: Option<String>,
    /// The From address of notifications.
    pub mail_from: String,
    pub oidc: Option<OidcProvider>,
    /// Text recognition of papers (`MOTCUA_OCR`: `auto`, `off` or the `tesseract` command).
    pub ocr: crate::adapters::reader::OcrSetup,
    /// How long one call to an outside system may take before it counts as failed.
    pub timeout: Duration,
}

impl Default for Outside {
    fn default() -> Self {
        Outside {
            portal: None,
            population: None,
            payment: None,
            sms: None,
            smtp_url: None,
            mail_from: "Một cửa <motcua@localhost>".into(),
            oidc: None,
            ocr: crate::adapters::reader::OcrSetup::Auto,
            timeout: Duration::from_secs(10),
        }
    }
}

impl Outside {
    /// The environment variables that configure these systems, as [`Outside::from_env`] reads them: for
    /// starting another motcua process (a worker, a drill) pointed at the same systems.
    pub fn to_env(&self) -> Vec<(String, String)> {
        let mut vars = Vec::new();
        let mut endpoint = |prefix: &str, endpoint: &Endpoint| {
            vars.push((format!("MOTCUA_{prefix}_URL"), endpoint.url.clone()));
            vars.push((format!("MOTCUA_{prefix}_TOKEN"), endpoint.token.clone()));
        };
        let endpoints =
            [("PORTAL", self.portal.as_ref()), ("POPULATION", self.population.as_ref()), ("SMS", self.sms.as_ref())];
        for (prefix, configured) in endpoints {
            if let Some(configured) = configured {
                endpoint(prefix, configured);
            }
        }
        if let Some(payment) = &self.payment {
            endpoint("PAYMENT", &payment.endpoint);
            vars.push(("MOTCUA_PAYMENT_MERCHANT".into(), payment.merchant.clone()));
            vars.push(("MOTCUA_PAYMENT_SECRET".into(), payment.secret.clone()));
        }
        if let Some(smtp) = &self.smtp_url {
            vars.push(("MOTCUA_SMTP_URL".into(), smtp.clone()));
        }
        vars.push(("MOTCUA_MAIL_FROM".into(), self.mail_from.clone()));
        if let Some(oidc) = &self.oidc {
            vars.push(("MOTCUA_OIDC_ISSUER".into(), oidc.issuer.clone()));
            vars.push(("MOTCUA_OIDC_CLIENT_ID".into(), oidc.client_id.clone()));
            vars.push(("MOTCUA_OIDC_CLIENT_SECRET".into(), oidc.client_secret.clone()));
        }
        vars.push(("MOTCUA_OCR".into(), self.ocr.to_env()));
        vars.push(("MOTCUA_HTTP_TIMEOUT_MS".into(), self.timeout.as_millis().to_string()));
        vars
    }

    pub fn from_env() -> Outside {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let endpoint = |prefix: &str| {
            var(&format!("MOTCUA_{prefix}_URL"))
                .map(|url| Endpoint { url, token: var(&format!("MOTCUA_{prefix}_TOKEN")).unwrap_or_default() })
        };
        let defaults = Outside::default();
        Outside {
            portal: endpoint("PORTAL"),
            population: endpoint("POPULATION"),
            payment: endpoint("PAYMENT").map(|endpoint| PaymentEndpoint {
                endpoint,
                merchant: var("MOTCUA_PAYMENT_MERCHANT").unwrap_or_default(),
                secret: var("MOTCUA_PAYMENT_SECRET").unwrap_or_default(),
            }),
            sms: endpoint("SMS"),
            smtp_url: var("MOTCUA_SMTP_URL"),
            mail_from: var("MOTCUA_MAIL_FROM").unwrap_or(defaults.mail_from),
            oidc: var("MOTCUA_OIDC_ISSUER").map(|issuer| OidcProvider {
                issuer,
                client_id: var("MOTCUA_OIDC_CLIENT_ID").unwrap_or_default(),
                client_secret: var("MOTCUA_OIDC_CLIENT_SECRET").unwrap_or_default(),
            }),
            ocr: crate::adapters::reader::OcrSetup::parse(var("MOTCUA_OCR").as_deref()),
            timeout: var("MOTCUA_HTTP_TIMEOUT_MS")
                .and_then(|v| v.parse().ok())
                .map_or(defaults.timeout, Duration::from_millis),
        }
    }
}
