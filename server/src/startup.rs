//! Building and running the application: `Application::build(config, listener)` gives a server
//! with a known port (tests bind port 0), `run_until_stopped` serves until the shutdown signal.

use std::future::Future;
use std::net::SocketAddr;

use app::ssr::state::AppState;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;

use crate::config::Config;
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
}

/// A built server, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: backend::Db,
    public_url: String,
}

impl Application {
    /// Opens and migrates the database, prepares sessions and routes, and takes `listener`.
    pub async fn build(config: Config, listener: TcpListener) -> Result<Application, Error> {
        let db = backend::Db::connect(&config.database_url).await?;
        Self::build_with_db(config, db, listener).await
    }

    /// Like [`Application::build`] on an already open database (tests use a fresh one each);
    /// `config.database_url` is ignored.
    pub async fn build_with_db(
        config: Config,
        db: backend::Db,
        listener: TcpListener,
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
        let state = AppState {
            leptos_options,
            db: db.clone(),
            public_url: public_url.clone(),
        };
        let router = routes::router(state, sessions, config.trust_proxy_headers);
        Ok(Application {
            listener,
            router,
            db,
            public_url,
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
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
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
