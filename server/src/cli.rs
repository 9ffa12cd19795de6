//! The command line: `serve` (also what runs without a subcommand, as `cargo leptos` starts it),
//! `worker` (sync workers without the web server), `migrate`, and the staff accounts
//! (`create-staff`, `list-staff`, `disable-staff`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::staff_cli;
use crate::startup::{Application, shutdown_signal};
use crate::telemetry;

#[derive(Parser, Debug)]
#[command(name = "server", about = "Inventory ↔ e-conomic sync server", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once at start-up: the size of the `Serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server, with sync workers unless `--no-worker` (migrates the database first).
    Serve(Config),
    /// Run sync workers only, without the web server (any number of processes may share one
    /// PostgreSQL database).
    Worker(Config),
    /// Apply database migrations and exit.
    Migrate {
        /// Database URL.
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://data/app.db?mode=rwc"
        )]
        database_url: String,
    },
    /// Create a staff (support) account; the password is read from a prompt or stdin.
    CreateStaff(staff_cli::CreateStaff),
    /// List the staff accounts.
    ListStaff(staff_cli::Database),
    /// Disable a staff account (it can no longer log in).
    DisableStaff(staff_cli::DisableStaff),
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let command = match cli.command {
        Some(command) => command,
        // No subcommand: serve, configured by the environment alone.
        None => match Config::from_args(&[]) {
            Ok(config) => Command::Serve(config),
            Err(e) => e.exit(),
        },
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Serve(config) => serve(config).await,
            Command::Worker(config) => crate::startup::run_workers(config, shutdown_signal()).await,
            Command::Migrate { database_url } => migrate(&database_url).await,
            Command::CreateStaff(args) => staff_cli::create(args).await,
            Command::ListStaff(args) => staff_cli::list(args).await,
            Command::DisableStaff(args) => staff_cli::disable(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), crate::startup::Error> {
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    let app = Application::build(config, listener).await?;
    tracing::info!(url = %app.public_url(), "listening");
    app.run_until_stopped(shutdown_signal()).await
}

async fn migrate(database_url: &str) -> Result<(), crate::startup::Error> {
    let db = backend::Db::connect(database_url).await?;
    db.migrate().await?;
    tracing::info!(database = db.backend_name(), "migrations applied");
    Ok(())
}
