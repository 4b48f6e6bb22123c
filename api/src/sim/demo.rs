//! The demo's outside world: every simulator on loopback, and the configuration that points motcua at them.
//! Fixed ports near 8080 make the simulators easy to open in a browser; a busy port falls back to a free one.

use std::net::TcpListener;

use motcua_engine::adapters::outside::{Endpoint, OidcProvider, Outside, PaymentEndpoint};

use super::Running;

const PORTAL_TOKEN: &str = "portal-demo-token";
const POPULATION_TOKEN: &str = "population-demo-token";
const PAYMENT_TOKEN: &str = "payment-demo-token";
const PAYMENT_MERCHANT: &str = "MOTCUA-DEMO";
const PAYMENT_SECRET: &str = "payment-demo-secret";
const SMS_TOKEN: &str = "sms-demo-token";
const OIDC_CLIENT: &str = "motcua";
const OIDC_SECRET: &str = "motcua-idp-demo-secret";

fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).or_else(|_| TcpListener::bind("127.0.0.1:0"))
}

fn url_of(listener: &TcpListener) -> std::io::Result<String> {
    Ok(format!("http://{}", listener.local_addr()?))
}

/// The simulators, started except the portal, which waits for its client secret at motcua (the service
/// account exists only once motcua's database is up).
pub struct DemoWorld {
    pub outside: Outside,
    /// (name, URL to open) of each simulator, for the start-up banner.
    pub urls: Vec<(&'static str, String)>,
    portal_listener: TcpListener,
    running: Vec<Running>,
    mail: Option<super::mail::MailSim>,
}

impl DemoWorld {
    /// Starts the identity provider, population database, payment platform, SMS gateway and mail relay, and
    /// reserves the portal's port. `public_url` is motcua's own address (callbacks and redirects).
    pub fn start(public_url: &str) -> std::io::Result<DemoWorld> {
        let public_url = public_url.trim_end_matches('/').to_string();
        let portal_listener = bind(8091)?;
        let portal_url = url_of(&portal_listener)?;

        let idp_listener = bind(8092)?;
        let idp_url = url_of(&idp_listener)?;
        let idp = super::spawn(
            idp_listener,
            super::idp::routes(super::idp::Settings {
                client_id: OIDC_CLIENT.into(),
                client_secret: OIDC_SECRET.into(),
                redirect_uris: vec![format!("{public_url}/api/v1/auth/citizen/callback")],
                issuer: Some(idp_url.clone()),
                level_one: Vec::new(),
                code_lifetime_secs: 60,
            }),
        )?;
        let population_listener = bind(8093)?;
        let population = super::spawn(
            population_listener,
            super::population::routes(super::population::Settings { token: POPULATION_TOKEN.into() }),
        )?;
        let payment_listener = bind(8094)?;
        let payment = super::spawn(
            payment_listener,
            super::payment::routes(super::payment::Settings {
                token: PAYMENT_TOKEN.into(),
                merchant: PAYMENT_MERCHANT.into(),
                secret: PAYMENT_SECRET.into(),
                callback_base: None,
            }),
        )?;
        let sms_listener = bind(8095)?;
        let sms = super::spawn(
            sms_listener,
            super::sms::routes(super::sms::Settings { token: SMS_TOKEN.into(), max_length: 306 }),
        )?;
        let smtp_listener = bind(2525)?;
        let mail = super::mail::spawn(
            smtp_listener,
            bind(8096)?,
            super::mail::Settings {
                smtp_bind: String::new(),
                hostname: "mail.sim.invalid".into(),
                max_size: 10 * 1024 * 1024,
            },
        )?;
        let outside = Outside {
            portal: Some(Endpoint { url: portal_url.clone(), token: PORTAL_TOKEN.into() }),
            population: Some(Endpoint { url: population.url.clone(), token: POPULATION_TOKEN.into() }),
            payment: Some(PaymentEndpoint {
                endpoint: Endpoint { url: payment.url.clone(), token: PAYMENT_TOKEN.into() },
                merchant: PAYMENT_MERCHANT.into(),
                secret: PAYMENT_SECRET.into(),
            }),
            sms: Some(Endpoint { url: sms.url.clone(), token: SMS_TOKEN.into() }),
            smtp_url: Some(mail.smtp_url.clone()),
            oidc: Some(OidcProvider {
                issuer: idp_url.clone(),
                client_id: OIDC_CLIENT.into(),
                client_secret: OIDC_SECRET.into(),
            }),
            ..Outside::default()
        };
        let urls = vec![
            ("national portal (DVCQG)", portal_url),
            ("e-identity (OIDC)", idp_url),
            ("population database", population.url.clone()),
            ("payment platform", format!("{}/_sim/orders", payment.url)),
            ("SMS gateway", format!("{}/messages", sms.url)),
            ("mail relay", format!("{}/messages", mail.http.url)),
        ];
        Ok(DemoWorld { outside, urls, portal_listener, running: vec![idp, population, payment, sms], mail: Some(mail) })
    }

    /// Starts the portal, which routes dossiers to `motcua_url` as `client_id` with `client_secret`.
    pub fn start_portal(&mut self, motcua_url: &str, client_id: &str, client_secret: &str) -> std::io::Result<()> {
        let listener = self.portal_listener.try_clone()?;
        let portal = super::spawn(
            listener,
            super::portal::routes(super::portal::Settings {
                token: PORTAL_TOKEN.into(),
                motcua_url: motcua_url.into(),
                client_id: client_id.into(),
                client_secret: client_secret.into(),
            }),
        )?;
        self.running.push(portal);
        Ok(())
    }

    pub fn stop(mut self) {
        for running in self.running.drain(..) {
            running.stop_blocking();
        }
        if let Some(mail) = self.mail.take() {
            mail.stop_blocking();
        }
    }
}
