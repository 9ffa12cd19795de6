//! Configuration: typed, with defaults, overridable by environment variables or flags, checked
//! at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

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

    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    #[arg(long, env = "TRUST_PROXY_HEADERS", default_value_t = false)]
    pub trust_proxy_headers: bool,

    /// Demo mode: create the demo company and user if they do not exist.
    #[arg(long, env = "DEMO", default_value_t = false)]
    pub demo: bool,
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

    /// Whether session cookies must be `Secure`: everywhere but plain-HTTP local addresses.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }
}
