//! The command line: `serve` (also what runs without a subcommand, as `cargo leptos` starts it),
//! `worker` (sync workers without the web server), `migrate`, `check-config`, `backup`, and the
//! staff accounts (`create-staff`, `list-staff`, `disable-staff`, `staff-enrolment-link`,
//! `unlock-staff`).

use std::process::ExitCode;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::startup::{Application, shutdown_signal};
use crate::telemetry;
use crate::{check_config, staff_cli};

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
    /// Check the configuration `serve` would use (the same flags and environment) and exit
    /// non-zero with one line per problem.
    CheckConfig(Config),
    /// Back up a SQLite database online (`VACUUM INTO`, safe while the server runs) into a
    /// new file; for PostgreSQL it prints the `pg_dump` command to use instead.
    Backup {
        /// Database URL.
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://data/app.db?mode=rwc"
        )]
        database_url: String,
        /// The backup file to create (must not exist yet).
        #[arg(long)]
        to: PathBuf,
    },
    /// Create a staff (support) account; the password is read from a prompt or stdin. Prints
    /// the one-time link for setting up the second factor.
    CreateStaff(staff_cli::CreateStaff),
    /// List the staff accounts.
    ListStaff(staff_cli::Database),
    /// Disable a staff account (it can no longer log in).
    DisableStaff(staff_cli::DisableStaff),
    /// Print a new one-time link for setting up a staff member's second factor.
    StaffEnrolmentLink(staff_cli::EnrolmentLink),
    /// Unlock a staff member's second factor after too many wrong codes.
    UnlockStaff(staff_cli::DisableStaff),
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
    if let Command::CheckConfig(config) = &command {
        return runtime.block_on(check(config));
    }
    let result = runtime.block_on(async {
        match command {
            Command::Serve(config) => serve(config).await,
            Command::Worker(config) => crate::startup::run_workers(config, shutdown_signal()).await,
            Command::Migrate { database_url } => migrate(&database_url).await,
            // Handled above: it reports problems itself rather than failing on the first.
            Command::CheckConfig(_) => Ok(()),
            Command::Backup { database_url, to } => backup(&database_url, &to).await,
            Command::CreateStaff(args) => staff_cli::create(args).await,
            Command::ListStaff(args) => staff_cli::list(args).await,
            Command::DisableStaff(args) => staff_cli::disable(args).await,
            Command::StaffEnrolmentLink(args) => staff_cli::enrolment_link(args).await,
            Command::UnlockStaff(args) => staff_cli::unlock(args).await,
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
    // Both: behind a proxy, the address bound and the URL people reach differ.
    let address = listener.local_addr()?;
    let app = Application::build(config, listener).await?;
    tracing::info!(%address, public_url = %app.public_url(), "listening");
    app.run_until_stopped(shutdown_signal()).await
}

async fn migrate(database_url: &str) -> Result<(), crate::startup::Error> {
    let db = backend::Db::connect(database_url).await?;
    db.migrate().await?;
    tracing::info!(database = db.backend_name(), "migrations applied");
    Ok(())
}

/// Prints every problem (one line each) and fails if there is any.
async fn check(config: &Config) -> ExitCode {
    let problems = check_config::problems(config).await;
    let warnings = check_config::warnings(config)
        .into_iter()
        .chain(check_config::database_warnings(config).await);
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    if problems.is_empty() {
        println!("configuration OK");
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problem(s) found", problems.len());
        ExitCode::FAILURE
    }
}

async fn backup(database_url: &str, to: &std::path::Path) -> Result<(), crate::startup::Error> {
    if !database_url.starts_with("sqlite:") {
        // A PostgreSQL server has its own online backup tool; this binary does not wrap it.
        return Err(crate::startup::Error::BackupPostgres);
    }
    let db = backend::Db::connect(database_url).await?;
    let result = db.backup_into(to).await;
    db.close().await;
    result?;
    println!("backup written to {}", to.display());
    Ok(())
}
