//! Building and running the application: `Application::build(config, listener)` gives a server
//! with a known port (tests bind port 0), `run_until_stopped` serves until the shutdown signal.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::ssr::state::AppState;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::{routes, sessions};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding or serving failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Backend(#[from] backend::Error),
    /// The session store could not be prepared.
    #[error("session store: {0}")]
    Sessions(#[from] tower_sessions::session_store::Error),
    /// The session table could not be created.
    #[error("session table: {0}")]
    SessionTable(#[from] tower_sessions_sqlx_store::sqlx::Error),
    /// The configuration is incomplete or invalid.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The e-conomic client could not be built.
    #[error("e-conomic client: {0}")]
    Economic(#[from] economic::ClientError),
    /// The bundled simulator could not start (demo mode).
    #[error("e-conomic simulator: {0}")]
    Simulator(#[from] economic_sim::SimError),
}

/// A built server, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: backend::Db,
    public_url: String,
    simulator: Option<economic_sim::SimHandle>,
}

/// Seed data of the bundled simulator in demo mode.
const DEMO_SIM_PRODUCTS: usize = 50;
const DEMO_SIM_CUSTOMERS: usize = 20;

impl Application {
    /// Opens and migrates the database, prepares sessions and routes, and takes `listener`.
    /// Fails at once without a master key outside demo mode (`APP_SECRET_KEY`).
    pub async fn build(config: Config, listener: TcpListener) -> Result<Application, Error> {
        let keys = config.keys()?;
        let db = backend::Db::connect(&config.database_url).await?;
        Self::build_with_keys(config, db, listener, keys).await
    }

    /// Like [`Application::build`] on an already open database (tests use a fresh one each);
    /// `config.database_url` is ignored. Without a configured master key (and not in demo
    /// mode) it uses a random one, so webhook URLs only live as long as this process.
    pub async fn build_with_db(
        config: Config,
        db: backend::Db,
        listener: TcpListener,
    ) -> Result<Application, Error> {
        let keys = match config.keys() {
            Ok(keys) => keys,
            Err(ConfigError::MissingSecretKey) => {
                tracing::warn!("no APP_SECRET_KEY: using a random key for this process only");
                backend::Keys::generate()
            }
            Err(e) => return Err(e.into()),
        };
        Self::build_with_keys(config, db, listener, keys).await
    }

    async fn build_with_keys(
        config: Config,
        db: backend::Db,
        listener: TcpListener,
        keys: backend::Keys,
    ) -> Result<Application, Error> {
        db.migrate().await?;
        if config.demo {
            crate::demo::ensure_demo_company(&db).await?;
        }
        let sessions = sessions::layer(&db, config.secure_cookies()).await?;

        let addr = listener.local_addr()?;
        let public_url = match &config.public_url {
            Some(_) => config.public_url(),
            // Port 0 in tests: the real port is only known now.
            None => format!("http://{addr}"),
        };
        let leptos_options = LeptosOptions::builder()
            .output_name(config.output_name.as_str())
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir(config.site_pkg_dir.as_str())
            .site_addr(addr)
            .build();
        let (economic_base_url, simulator) = match (&config.economic_base_url, config.demo) {
            (Some(url), _) => (url.clone(), None),
            (None, true) => {
                let sim = start_simulator(&config).await?;
                (sim.base_url(), Some(sim))
            }
            (None, false) => (economic::client::PRODUCTION_BASE_URL.to_owned(), None),
        };
        let mut economic_config = economic::ClientConfig::new(
            economic_base_url,
            config.economic_app_secret_token.clone(),
        );
        economic_config.timeout = Duration::from_secs(config.economic_timeout_secs.max(1));
        economic_config.connect_timeout =
            economic_config.connect_timeout.min(economic_config.timeout);
        let economic = economic::Client::new(economic_config)?;
        let state = AppState {
            leptos_options,
            db: db.clone(),
            public_url: public_url.clone(),
            keys,
            economic,
            demo_simulator_page: simulator
                .as_ref()
                .map(|sim| format!("{}/_sim/", sim.base_url())),
        };
        let router = routes::router(state, sessions, config.trust_proxy_headers);
        Ok(Application {
            listener,
            router,
            db,
            public_url,
            simulator,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The public base URL.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish and closes the
    /// database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Some(sim) = &self.simulator {
            sim.shutdown();
        }
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Demo mode: the bundled e-conomic simulator, in this process, with some seed data.
async fn start_simulator(config: &Config) -> Result<economic_sim::SimHandle, Error> {
    let sim = economic_sim::Simulator::start(economic_sim::SimConfig {
        addr: config.sim_addr,
        app_secret_token: config.economic_app_secret_token.expose().to_owned(),
        products: DEMO_SIM_PRODUCTS,
        customers: DEMO_SIM_CUSTOMERS,
        ..economic_sim::SimConfig::default()
    })
    .await?;
    tracing::info!(
        url = %sim.base_url(),
        page = %format!("{}/_sim/", sim.base_url()),
        grant_token = "demo",
        "demo mode: e-conomic simulator started"
    );
    Ok(sim)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
