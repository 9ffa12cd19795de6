//! Configuration: typed, with defaults, overridable by environment variables or flags, checked
//! at start-up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use backend::Keys;
use clap::Args;
use economic::Secret;

/// Everything `serve` needs to know.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Database: `sqlite://path?mode=rwc` (default, created on first run) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/app.db?mode=rwc"
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// The address people and e-conomic reach this server at (default: `http://<site_addr>`).
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder holding the built front end (`pkg/` with the wasm, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Sub-folder of the site root with the wasm bundle.
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", default_value = "pkg")]
    pub site_pkg_dir: String,

    /// Base name of the wasm bundle files.
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "inventory-sync")]
    pub output_name: String,

    /// Whether the bundle's file names carry the content hashes listed in the hash file
    /// (default: yes when the hash file exists, as `scripts/release` lays it out).
    #[arg(long, env = "LEPTOS_HASH_FILES")]
    pub hash_files: Option<bool>,

    /// The hash file written by `scripts/release`, relative to the binary's folder (as Leptos
    /// reads it).
    #[arg(long, env = "LEPTOS_HASH_FILE_NAME", default_value = "hash.txt")]
    pub hash_file: PathBuf,

    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    #[arg(long, env = "TRUST_PROXY_HEADERS", default_value_t = false)]
    pub trust_proxy_headers: bool,

    /// Sign-ups and invite acceptances one client address may attempt per 15 minutes (each
    /// costs a password hash).
    #[arg(long, env = "SIGN_UPS_PER_IP", default_value_t = backend::throttle::MAX_ACTIONS_PER_IP)]
    pub sign_ups_per_ip: i64,

    /// Seconds a staff session lasts without a request before it ends by itself.
    #[arg(long, env = "STAFF_IDLE_SECS", default_value_t = 30 * 60)]
    pub staff_idle_secs: u64,

    /// Bearer token for `GET /metrics` (Prometheus); without it the route answers 404.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Minutes an impersonation lasts before it falls back to the staff session by itself.
    #[arg(long, env = "IMPERSONATION_MINUTES", default_value_t = 30)]
    pub impersonation_minutes: u32,

    /// Demo mode: create the demo company and user if they do not exist; without
    /// `ECONOMIC_BASE_URL`, start the bundled e-conomic simulator; without `APP_SECRET_KEY`, use
    /// (and create) the key in `--secret-key-file`.
    #[arg(long, env = "DEMO", default_value_t = false)]
    pub demo: bool,

    /// The master key (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) from which the
    /// keys for secrets at rest and webhook URL credentials are derived. Required outside demo
    /// mode; changing it invalidates every webhook URL and stored grant token.
    #[arg(long, env = "APP_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,

    /// Start even though `PUBLIC_URL` is plain http to a host other than this machine: session
    /// cookies are then not `Secure` and webhook URLs (credentials) travel in clear. Behind a
    /// proxy that terminates TLS, set `PUBLIC_URL` to the https address instead.
    #[arg(long, env = "ALLOW_INSECURE_PUBLIC_URL", default_value_t = false)]
    pub allow_insecure_public_url: bool,

    /// Demo mode only: where the generated master key is kept, so restarts keep URLs valid.
    #[arg(long, env = "SECRET_KEY_FILE", default_value = "data/secret.key")]
    pub secret_key_file: PathBuf,

    /// e-conomic's REST API (default: the real one, or the bundled simulator in demo mode).
    #[arg(long, env = "ECONOMIC_BASE_URL")]
    pub economic_base_url: Option<String>,

    /// e-conomic's Webhooks API (default: the real one with the real REST API, else
    /// `{ECONOMIC_BASE_URL}/webhooksapi/v1.0.0`, where the simulator serves it).
    #[arg(long, env = "ECONOMIC_WEBHOOKS_API_URL")]
    pub economic_webhooks_api_url: Option<String>,

    /// Seconds to wait for an answer from e-conomic before giving up on a call.
    #[arg(long, env = "ECONOMIC_TIMEOUT_SECS", default_value_t = 30)]
    pub economic_timeout_secs: u64,

    /// Our app's `X-AppSecretToken` for e-conomic.
    #[arg(
        long,
        env = "ECONOMIC_APP_SECRET_TOKEN",
        default_value = "demo",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub economic_app_secret_token: Secret,

    /// Demo mode: where the bundled e-conomic simulator listens.
    #[arg(long, env = "SIM_ADDR", default_value = "127.0.0.1:3100")]
    pub sim_addr: SocketAddr,

    /// Serve without sync workers (run them elsewhere with `server worker`).
    #[arg(long, env = "NO_WORKER", default_value_t = false)]
    pub no_worker: bool,

    /// The sync engine's settings.
    #[command(flatten)]
    pub workers: WorkerArgs,

    /// Outgoing mail.
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Outgoing mail (`serve` and `worker`): the SMTP server, the sender's address, the demo mail
/// catcher and the retry schedule.
#[derive(Args, Clone, Debug)]
pub struct MailArgs {
    /// The SMTP server, in lettre's URL form: `smtp://host:port`,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS; `tls=starttls` means the same),
    /// `smtps://user:pass@host:465`. Without it mails wait in the outbox (demo mode: the
    /// bundled mail catcher receives them).
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// The sender of every mail: `Name <address>` or an address (required with `SMTP_URL`;
    /// demo mode: `Inventory Sync <noreply@inventory-sync.localhost>`).
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Demo mode: where the mail catcher's page lists every mail sent.
    #[arg(long, env = "MAIL_CATCHER_ADDR", default_value = "127.0.0.1:3102")]
    pub mail_catcher_addr: SocketAddr,

    /// Demo mode: where the mail catcher's SMTP listener takes the mails.
    #[arg(long, env = "MAIL_CATCHER_SMTP_ADDR", default_value = "127.0.0.1:3103")]
    pub mail_catcher_smtp_addr: SocketAddr,

    /// Milliseconds between two looks at the outbox when there is nothing to send.
    #[arg(long, env = "MAIL_POLL_MS", default_value_t = 1000)]
    pub mail_poll_ms: u64,

    /// Milliseconds before a mail the SMTP server did not take is tried again; doubling with
    /// each failure up to `MAIL_RETRY_CAP_SECS`.
    #[arg(long, env = "MAIL_RETRY_BASE_MS", default_value_t = 10_000)]
    pub mail_retry_base_ms: u64,

    /// The longest wait between two attempts of a mail, in seconds.
    #[arg(long, env = "MAIL_RETRY_CAP_SECS", default_value_t = 900)]
    pub mail_retry_cap_secs: u64,

    /// Hours after which a mail that could not be delivered is given up (failed).
    #[arg(long, env = "MAIL_GIVE_UP_HOURS", default_value_t = 72)]
    pub mail_give_up_hours: u64,
}

/// The sender of demo mode's mails when `MAIL_FROM` is not set.
pub const DEMO_MAIL_FROM: &str = "Inventory Sync <noreply@inventory-sync.localhost>";

impl MailArgs {
    /// `SMTP_URL` unless unset or blank.
    pub fn smtp_url_text(&self) -> Option<&str> {
        self.smtp_url
            .as_ref()
            .map(|url| url.expose().trim())
            .filter(|text| !text.is_empty())
    }

    /// `MAIL_FROM` unless unset or blank.
    pub fn mail_from_text(&self) -> Option<&str> {
        self.mail_from
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }

    /// The sender's settings, with links to `public_url`.
    pub fn sender(&self, public_url: &str) -> crate::mail::sender::SenderConfig {
        crate::mail::sender::SenderConfig {
            poll: std::time::Duration::from_millis(self.mail_poll_ms.max(10)),
            retry: worker::RetryPolicy {
                base: std::time::Duration::from_millis(self.mail_retry_base_ms.max(1)),
                cap: std::time::Duration::from_secs(self.mail_retry_cap_secs.max(1)),
                max_attempts: u32::MAX,
            },
            give_up_after: std::time::Duration::from_secs(self.mail_give_up_hours * 3600),
            public_url: public_url.to_owned(),
        }
    }
}

/// The sync engine's settings (`serve` and `worker`).
#[derive(Args, Clone, Debug)]
pub struct WorkerArgs {
    /// Sync workers in this process; each applies one tenant's queue of one entity at a time.
    #[arg(long = "workers", env = "WORKERS", default_value_t = 2)]
    pub count: usize,

    /// Seconds a worker's claim on a queue lasts without a heartbeat; a crashed worker's
    /// events wait this long before another worker takes them.
    #[arg(
        long = "worker-lease-secs",
        env = "WORKER_LEASE_SECS",
        default_value_t = 60
    )]
    pub lease_secs: u64,

    /// Milliseconds an idle worker sleeps when no notification arrives (due retries are found
    /// then).
    #[arg(
        long = "worker-poll-ms",
        env = "WORKER_POLL_MS",
        default_value_t = 2000
    )]
    pub poll_ms: u64,

    /// Most events one worker takes at once (a larger backlog is several batches).
    #[arg(long = "worker-batch", env = "WORKER_BATCH", default_value_t = 20_000)]
    pub batch: u32,

    /// Milliseconds before the first retry of a failed event; each further failure doubles it.
    #[arg(long, env = "RETRY_BASE_MS", default_value_t = 10_000)]
    pub retry_base_ms: u64,

    /// The longest wait between two attempts, in seconds.
    #[arg(long, env = "RETRY_CAP_SECS", default_value_t = 3600)]
    pub retry_cap_secs: u64,

    /// Attempts before an event is dead (replayable by hand).
    #[arg(long, env = "RETRY_MAX_ATTEMPTS", default_value_t = 12)]
    pub retry_max_attempts: u32,

    /// Seconds between two runs of the hourly sync of a tenant's entity (tests use seconds).
    #[arg(long, env = "SYNC_INTERVAL_SECS", default_value_t = 3600)]
    pub sync_interval_secs: u64,

    /// Seconds between two reconciliations (every record number compared) of a tenant's
    /// customers and products, also for tenants on webhooks.
    #[arg(long, env = "RECONCILE_INTERVAL_SECS", default_value_t = 86_400)]
    pub reconcile_interval_secs: u64,

    /// e-conomic calls a tenant may make in 24 hours (e-conomic's fair use is 50,000 per
    /// agreement); background work stops at 80%, the hourly sync at 95%, webhooks at 100%.
    #[arg(long, env = "ECONOMIC_DAILY_CALL_LIMIT", default_value_t = backend::sync::budget::DAILY_LIMIT)]
    pub daily_call_limit: u32,

    /// How many days of booked invoices the first import brings (without moving stock for
    /// invoices dated before the connection).
    #[arg(long, env = "INVOICE_IMPORT_DAYS", default_value_t = 90)]
    pub invoice_import_days: u32,
}

impl WorkerArgs {
    /// As the `worker` crate takes it.
    pub fn config(&self) -> worker::WorkerConfig {
        worker::WorkerConfig {
            workers: self.count,
            lease: std::time::Duration::from_secs(self.lease_secs.max(1)),
            poll: std::time::Duration::from_millis(self.poll_ms.max(10)),
            batch: self.batch.max(1),
            retry: worker::RetryPolicy {
                base: std::time::Duration::from_millis(self.retry_base_ms),
                cap: std::time::Duration::from_secs(self.retry_cap_secs),
                max_attempts: self.retry_max_attempts.max(1),
            },
            sync: worker::SyncConfig {
                hourly: std::time::Duration::from_secs(self.sync_interval_secs.max(1)),
                reconcile: std::time::Duration::from_secs(self.reconcile_interval_secs.max(1)),
                daily_call_limit: self.daily_call_limit.max(1),
                invoice_import_days: self.invoice_import_days,
            },
            ..worker::WorkerConfig::default()
        }
    }
}

/// A configuration problem found at start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No master key outside demo mode.
    #[error(
        "APP_SECRET_KEY is required outside demo mode: set it to base64 of 32 random bytes \
         (e.g. `openssl rand -base64 32`) and keep it; or run with DEMO=true"
    )]
    MissingSecretKey,
    /// The master key is not base64 of 32 bytes (the value is never shown).
    #[error("APP_SECRET_KEY (or {0}) is not base64 of exactly 32 bytes")]
    InvalidSecretKey(String),
    /// The master key decodes but looks typed or patterned, not random.
    #[error(
        "APP_SECRET_KEY looks weak (typed or patterned, not 32 random bytes): generate one \
         with `openssl rand -base64 32`"
    )]
    WeakSecretKey,
    /// `PUBLIC_URL` is plain http to a host other than this machine.
    #[error(
        "PUBLIC_URL {0} is plain http to a host other than this machine: use https (webhook \
         URLs carry credentials, and session cookies need it), or start with \
         --allow-insecure-public-url (ALLOW_INSECURE_PUBLIC_URL=true)"
    )]
    InsecurePublicUrl(String),
    /// A URL setting does not parse or has the wrong scheme.
    #[error("{name} is not a usable URL: {reason}")]
    InvalidUrl {
        /// The setting.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The e-conomic app secret token was left at its demo default outside demo mode.
    #[error(
        "ECONOMIC_APP_SECRET_TOKEN is not set: e-conomic refuses every call without our app's \
         secret token"
    )]
    DemoAppSecretToken,
    /// The database could not be opened (the URL is never shown: it may hold a password).
    #[error("DATABASE_URL: cannot open the database: {0}")]
    Database(String),
    /// A file of the browser bundle is missing from the site root.
    #[error("the browser bundle is incomplete: {0} not found (check LEPTOS_SITE_ROOT)")]
    MissingBundle(String),
    /// `SMTP_URL` does not parse (the value is never shown: it may hold a password).
    #[error(
        "SMTP_URL is not a usable SMTP URL: {0} (use smtp://host:port, \
         smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465)"
    )]
    InvalidSmtpUrl(String),
    /// `MAIL_FROM` is not an address.
    #[error("MAIL_FROM is not a usable sender: {0} (use `Name <address>` or an address)")]
    InvalidMailFrom(String),
    /// `SMTP_URL` without `MAIL_FROM` outside demo mode.
    #[error(
        "MAIL_FROM is required with SMTP_URL: the sender of every mail, e.g. `Inventory Sync <noreply@example.com>`"
    )]
    MissingMailFrom,
    /// The demo key file could not be read or written.
    #[error("cannot use the demo key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Parses a [`Config`] from flags alone (plus the environment), for tests and tools.
#[derive(clap::Parser)]
struct Standalone {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// A config from command-line style flags, e.g. `["--database-url", url]`; the rest defaults.
    pub fn from_args(args: &[&str]) -> Result<Config, clap::Error> {
        use clap::Parser as _;
        let argv = std::iter::once("server").chain(args.iter().copied());
        Standalone::try_parse_from(argv).map(|s| s.config)
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.site_addr),
        }
    }

    /// The server's keys: from `APP_SECRET_KEY`; in demo mode without it, from
    /// `--secret-key-file` (generated and written on first run); otherwise an error.
    pub fn keys(&self) -> Result<Keys, ConfigError> {
        match (self.secret_key_text(), self.demo) {
            (Some(text), _) => Keys::from_base64(text)
                .map_err(|_| ConfigError::InvalidSecretKey("the value given".into())),
            (None, true) => demo_keys(&self.secret_key_file),
            (None, false) => Err(ConfigError::MissingSecretKey),
        }
    }

    /// `APP_SECRET_KEY` unless unset or blank (an env file's `APP_SECRET_KEY=` line).
    pub fn secret_key_text(&self) -> Option<&str> {
        self.secret_key
            .as_ref()
            .map(|key| key.expose().trim())
            .filter(|text| !text.is_empty())
    }

    /// The hash file's path: Leptos looks for it beside the running binary.
    pub fn hash_file_path(&self) -> PathBuf {
        let dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        dir.join(&self.hash_file)
    }

    /// Whether the page links the bundle under content-hashed names.
    pub fn hash_files(&self) -> bool {
        self.hash_files
            .unwrap_or_else(|| self.hash_file_path().is_file())
    }

    /// Whether session cookies must be `Secure`: everywhere but plain-HTTP local addresses.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}

/// Read the demo master key from `path`, or generate it and write it there (mode 0600).
fn demo_keys(path: &Path) -> Result<Keys, ConfigError> {
    let key_file_error = |source| ConfigError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = Keys::generate_master_base64();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(key_file_error)?;
            }
            write_private(path, &text).map_err(key_file_error)?;
            tracing::info!(path = %path.display(), "demo mode: generated a master key");
            text
        }
        Err(e) => return Err(key_file_error(e)),
    };
    Keys::from_base64(&text).map_err(|_| ConfigError::InvalidSecretKey(path.display().to_string()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    // create_new: two processes starting at once must not overwrite each other's key.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
