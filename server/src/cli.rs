//! The operator's command line. Each command reads the same configuration as the server,
//! is safe while the server runs (everything goes through the database), prints only its
//! result on stdout and exits non-zero with a one-line reason on bad input.

use crate::accounts::users::{self, NewUserError};
use crate::billing::{ledger, redemption};
use crate::config::Config;
use crate::state::AppState;
use crate::storage::Appended;
use app::types::{LedgerKind, Usd};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "gateai", version, about = "Gate.AI: one API key, many models")]
pub struct Cli {
    /// Optional TOML configuration file (environment variables override it).
    #[arg(long, global = true, env = "GATEAI_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate the database and serve the console and the API (the default).
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Administration.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand, Debug)]
pub enum Admin {
    /// Create a user (with a personal organization).
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// Make the user an instance administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Create an API key in the user's personal organization; prints the key alone.
    CreateKey {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Optional USD budget of the key.
        #[arg(long, allow_hyphen_values = true)]
        budget: Option<String>,
        /// When the budget starts again: daily, weekly or monthly (UTC); never by default.
        #[arg(long, requires = "budget")]
        budget_reset: Option<String>,
        /// A management key (for /api/v1/keys, guardrails and settings; cannot call models).
        #[arg(long)]
        management: bool,
    },
    /// Grant credit to the user's personal organization, or to the guest pool that pays for
    /// guests in the console playground.
    Credit {
        #[arg(long, required_unless_present = "guest_pool", conflicts_with = "guest_pool")]
        email: Option<String>,
        /// Credit the guest pool instead of a user.
        #[arg(long)]
        guest_pool: bool,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Make redemption codes; prints one code a line.
    RedeemCode {
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = crate::storage::connect(&config.database_url()).await?;
            db.migrate().await?;
            eprintln!("migrations applied ({})", db.backend_name());
            Ok(())
        }
        Command::Admin(a) => admin(config, a).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let state = AppState::build(config).await?;
    if let Some(link) = crate::accounts::setup::on_start(&state.db, &state.hasher, &state.config).await? {
        println!("\nNo users yet. Create the first administrator with this one-time link:\n\n    {link}\n");
    }
    let running = crate::http::start(state).await?;
    tracing::info!("Gate.AI listening on http://{}", running.addr);
    eprintln!("Gate.AI is listening on http://{} ({})", running.addr, running.state.db.backend_name());
    shutdown_signal().await;
    eprintln!("shutting down");
    running.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn admin(config: Config, cmd: Admin) -> anyhow::Result<()> {
    let state = AppState::build(config).await?;
    let db = &state.db;
    let find = |email: String| {
        let db = db.clone();
        async move {
            let e = crate::accounts::passwords::parse_email(&email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
            let u = db.user_by_email(&e).await?.ok_or_else(|| anyhow::anyhow!("no user with email {e}"))?;
            let org = db.personal_org(&u.id).await?.ok_or_else(|| anyhow::anyhow!("user {e} has no personal organization"))?;
            anyhow::Ok((u, org))
        }
    };
    match cmd {
        Admin::CreateUser { email, password, admin } => {
            let u = users::create_user(db, &email, Some(&password), admin).await.map_err(|e| match e {
                NewUserError::Email(m) => anyhow::anyhow!("--email: {m}"),
                NewUserError::Password(m) => anyhow::anyhow!("--password: {m}"),
                other => anyhow::anyhow!("{other}"),
            })?;
            println!("{}", u.id);
        }
        Admin::CreateKey { email, name, budget, budget_reset, management } => {
            let budget = budget.map(|b| Usd::parse_positive(&b).map_err(|e| anyhow::anyhow!("--budget: {e}"))).transpose()?;
            let budget_reset = match budget_reset {
                None => None,
                Some(r) => match crate::controls::Period::parse(&r) {
                    Some(p) if !r.trim().is_empty() => Some(p),
                    _ => anyhow::bail!("--budget-reset: must be daily, weekly, monthly or never"),
                },
            };
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 80 {
                anyhow::bail!("--name: must be 1 to 80 characters");
            }
            let (u, org) = find(email).await?;
            let options = crate::accounts::api_keys::KeyOptions { expires_at: None, budget, budget_reset, management };
            let (_, secret) = state.keys.create_with(&org.id, &u.id, &name, options).await?;
            println!("{secret}");
        }
        Admin::Credit { email, guest_pool, amount, note } => {
            let amount = Usd::parse_positive(&amount).map_err(|e| anyhow::anyhow!("--amount: {e}"))?;
            let org_id = match email {
                Some(email) if !guest_pool => find(email).await?.1.id,
                _ => crate::playground::caller::GUEST_POOL_ORG.to_string(),
            };
            let reference = format!("admin-grant:{}", uuid::Uuid::now_v7());
            let note = if note.trim().is_empty() { "admin grant".to_string() } else { note.trim().to_string() };
            match ledger::book(db, &org_id, LedgerKind::AdminGrant, amount, reference, note, None).await? {
                Appended::New(row) => println!("{}", Usd::from_units(row.balance_after_units)),
                Appended::Duplicate(_) => anyhow::bail!("this grant was already booked"),
            }
        }
        Admin::RedeemCode { amount, count } => {
            let amount = Usd::parse_positive(&amount).map_err(|e| anyhow::anyhow!("--amount: {e}"))?;
            if count == 0 || count > redemption::MAX_COUNT {
                anyhow::bail!("--count: must be between 1 and {}", redemption::MAX_COUNT);
            }
            for c in redemption::create(db, &state.hasher, amount, count, None).await? {
                println!("{}", c.code);
            }
        }
    }
    Ok(())
}
