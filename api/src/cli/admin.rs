//! `motcua admin …`: accounts and agencies.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use motcua_engine::domain::procedure::Role;
use motcua_engine::service::accounts::StaffPost;
use motcua_engine::service::administration::NewAgency;
use motcua_engine::service::{Config, ServiceError, Services, SystemClock};

use super::{failure, usage_error};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a staff account (or add a role to an existing one); the password is read from standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// reception_clerk | division_head | specialist | agency_leader | records_clerk | admin
        #[arg(long)]
        role: String,
        /// Agency electronic id, e.g. 000.31.01.H26.
        #[arg(long)]
        agency: String,
    },
    /// Set where a person holds a role: division, deputy, work phone (printed on papers and sent to the portal).
    SetPost {
        #[arg(long)]
        username: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        role: String,
        /// The division (phòng, bộ phận) of the agency; absent: the agency as a whole.
        #[arg(long)]
        division: Option<String>,
        /// Held as a deputy (phó): papers are signed "KT. <head> / PHÓ <head>".
        #[arg(long)]
        deputy: bool,
        /// The work phone applicants may call.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set a new password (read from standard input) and unlock the account.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// List agencies: code, level, name.
    Agencies,
    /// API clients of other systems (client credentials with scopes).
    #[command(subcommand)]
    ServiceAccount(ServiceAccountCommand),
    /// Add an agency.
    AddAgency {
        #[arg(long)]
        id: String,
        /// province | department | commune
        #[arg(long)]
        level: String,
        /// An agency kind of procedures/registry.toml.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent: Option<String>,
        /// The area served: the province code, then the commune's after a dot (e.g. 31, 31.01).
        #[arg(long)]
        area: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ServiceAccountCommand {
    /// Create an account; prints its client id and a generated secret, shown this once.
    Create {
        #[arg(long)]
        name: String,
        /// Comma-separated, e.g. `portal` or `portal,dossiers:read`.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// The client id the other system is configured with (default: a generated one).
        #[arg(long)]
        client_id: Option<String>,
    },
    /// List accounts: client id, name, scopes, state.
    List,
    /// Refuse the account's credentials from now on.
    Disable {
        #[arg(long)]
        client_id: String,
    },
    /// Accept the account's credentials again.
    Enable {
        #[arg(long)]
        client_id: String,
    },
}

fn service_account(services: &Services, command: ServiceAccountCommand) -> ExitCode {
    match command {
        ServiceAccountCommand::Create { name, scopes, client_id } => {
            let scopes: Vec<String> = scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            match services.identity().create_service_account(&name, &scopes, client_id.as_deref()) {
                Ok(created) => {
                    println!("client_id: {}", created.account.client_id);
                    println!("client_secret: {}", created.secret);
                    println!("scopes: {}", created.account.scopes);
                    println!("(the secret is not stored and will not be shown again)");
                    ExitCode::SUCCESS
                }
                Err(e) => explain(e),
            }
        }
        ServiceAccountCommand::List => match services.identity().service_accounts() {
            Ok(accounts) => {
                for a in accounts {
                    let state = if a.disabled { "disabled" } else { "active" };
                    println!("{}\t{}\t{}\t{state}", a.client_id, a.name, a.scopes);
                }
                ExitCode::SUCCESS
            }
            Err(e) => failure(e),
        },
        ServiceAccountCommand::Disable { client_id } => toggle(services, &client_id, true),
        ServiceAccountCommand::Enable { client_id } => toggle(services, &client_id, false),
    }
}

fn toggle(services: &Services, client_id: &str, disabled: bool) -> ExitCode {
    match services.identity().set_service_account_disabled(client_id, disabled) {
        Ok(()) => {
            println!("{client_id} {}", if disabled { "disabled" } else { "enabled" });
            ExitCode::SUCCESS
        }
        Err(ServiceError::NotFound(_)) => usage_error(format!("no service account {client_id}")),
        Err(e) => failure(e),
    }
}

fn read_password() -> Result<String, ExitCode> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| failure(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn explain(e: ServiceError) -> ExitCode {
    let fields: Vec<String> = e.field_errors().iter().map(|f| format!("{}: {}", f.field, f.message_en)).collect();
    if fields.is_empty() { failure(e) } else { usage_error(fields.join("; ")) }
}

pub fn run(command: AdminCommand) -> ExitCode {
    let services = match motcua_engine::wiring::start(Config::from_env(), Arc::new(SystemClock)) {
        Ok(s) => s,
        Err(e) => return failure(format!("cannot start: {e}")),
    };
    match command {
        AdminCommand::CreateUser { username, full_name, role, agency } => {
            let Ok(role) = role.parse::<Role>() else {
                return usage_error(format!("unknown role `{role}` (one of {})", Role::spellings()));
            };
            let password = match read_password() {
                Ok(p) => p,
                Err(code) => return code,
            };
            match services.identity().create_user(&username, &full_name, role, &agency, &password) {
                Ok(identity) => {
                    println!(
                        "{} ({}) now holds: {}",
                        identity.username,
                        identity.id,
                        identity.roles.iter().map(|(a, r)| format!("{r}@{a}")).collect::<Vec<_>>().join(", ")
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => explain(e),
            }
        }
        AdminCommand::SetPost { username, agency, role, division, deputy, phone } => {
            let Ok(role) = role.parse::<Role>() else {
                return usage_error(format!("unknown role `{role}` (one of {})", Role::spellings()));
            };
            let post = StaffPost { agency, role, division, deputy, phone };
            match services.identity().set_post(&username, &post) {
                Ok(()) => {
                    println!("{username}: {role}@{} set", post.agency);
                    ExitCode::SUCCESS
                }
                Err(ServiceError::NotFound(_)) => usage_error(format!("no account {username}")),
                Err(e) => explain(e),
            }
        }
        AdminCommand::ResetPassword { username } => {
            let password = match read_password() {
                Ok(p) => p,
                Err(code) => return code,
            };
            match services.identity().reset_password(&username, &password) {
                Ok(()) => {
                    println!("password of {username} changed; the account is unlocked");
                    ExitCode::SUCCESS
                }
                Err(e) => explain(e),
            }
        }
        AdminCommand::ServiceAccount(command) => service_account(&services, command),
        AdminCommand::Agencies => match services.agencies() {
            Ok(list) => {
                for a in list {
                    println!("{}\t{}\t{}", a.id, a.level, a.name);
                }
                ExitCode::SUCCESS
            }
            Err(e) => failure(e),
        },
        AdminCommand::AddAgency { id, level, kind, name, parent, area } => {
            let input = NewAgency { id: id.clone(), level, kind, name, parent, area };
            match services.administration().add_agency_at_console(&input) {
                Ok(_) => {
                    println!("agency {id} added");
                    ExitCode::SUCCESS
                }
                Err(e) => explain(e),
            }
        }
    }
}
