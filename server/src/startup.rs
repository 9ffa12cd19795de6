//! Building and running the application: `Application::build(config, listener)` gives a server
//! with a known port (tests bind port 0), `run_until_stopped` serves until the shutdown signal.
//!
//! Start-up owns every background task — the webhook writer, the SQLite checkpointer, session
//! clean-up, the sync workers and their notifications — in one [`TaskTracker`]; shutdown stops
//! the HTTP server first, then cancels the tasks and waits for them, then closes the database.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::ssr::state::AppState;
use backend::queue::Signal;
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::check_config::refuse_insecure;
use crate::config::{Config, ConfigError, DEMO_MAIL_FROM};
use crate::mail::Mailer;
use crate::mail::sender::SenderConfig;
use crate::routes::webhooks::{Wake, Writer};
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
    #[cfg(feature = "demo")]
    #[error("e-conomic simulator: {0}")]
    Simulator(#[from] economic_sim::SimError),
    /// `server backup` on PostgreSQL, whose own tool does it better.
    #[error(
        "server backup is for SQLite; back up PostgreSQL with pg_dump while the server runs, \
         e.g. pg_dump --format=custom --file=inventory-sync.dump \"$DATABASE_URL\" (restore \
         with pg_restore --clean --dbname \"$DATABASE_URL\" inventory-sync.dump)"
    )]
    BackupPostgres,
    /// Demo mode without `ECONOMIC_BASE_URL` in a build without the bundled simulator.
    #[error("this build has no bundled e-conomic simulator: set ECONOMIC_BASE_URL")]
    NoSimulator,
}

/// A built server, ready to run.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    db: backend::Db,
    public_url: String,
    workers: worker::Environment,
    tasks: TaskTracker,
    stop: CancellationToken,
    closing: routes::history::Closing,
    #[cfg(feature = "demo")]
    simulator: Option<economic_sim::SimHandle>,
    #[cfg(feature = "demo")]
    mail_catcher: Option<mail_catcher::Catcher>,
}

/// Seed data of the bundled simulator in demo mode.
#[cfg(feature = "demo")]
const DEMO_SIM_PRODUCTS: usize = 50;
#[cfg(feature = "demo")]
const DEMO_SIM_CUSTOMERS: usize = 20;
/// How long shutdown waits for the background tasks (workers finish their batch first).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(30);

impl Application {
    /// Opens and migrates the database, prepares sessions and routes, and takes `listener`.
    /// Outside demo mode, fails at once without a strong master key (`APP_SECRET_KEY`) or with
    /// a plain http `PUBLIC_URL` to another machine (unless `--allow-insecure-public-url`).
    pub async fn build(config: Config, listener: TcpListener) -> Result<Application, Error> {
        refuse_insecure(&config)?;
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
        if let Ok(Some(login)) = db.login_privileges().await
            && (login.superuser || login.bypass_rls)
        {
            tracing::warn!(
                superuser = login.superuser,
                bypass_rls = login.bypass_rls,
                "the database login is not bound by row-level security (see server check-config)"
            );
        }
        if config.demo {
            crate::demo::ensure_demo_company(&db).await?;
        }
        let (tasks, stop) = (TaskTracker::new(), CancellationToken::new());
        tasks.spawn({
            let (db, stop) = (db.clone(), stop.clone());
            async move { db.checkpoint_until(stop).await }
        });
        let (session_layer, session_store) = sessions::layer(&db, config.secure_cookies()).await?;
        tasks.spawn(sessions::delete_expired_until(session_store, stop.clone()));

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
            .hash_files(config.hash_files())
            .hash_file(std::sync::Arc::from(
                config.hash_file.to_string_lossy().as_ref(),
            ))
            .build();
        #[cfg(feature = "demo")]
        let (economic_base_url, simulator) = match (&config.economic_base_url, config.demo) {
            (Some(url), _) => (url.clone(), None),
            (None, true) => {
                let sim = start_simulator(&config).await?;
                (sim.base_url(), Some(sim))
            }
            (None, false) => (economic::client::PRODUCTION_BASE_URL.to_owned(), None),
        };
        #[cfg(not(feature = "demo"))]
        let economic_base_url = match (&config.economic_base_url, config.demo) {
            (Some(url), _) => url.clone(),
            (None, true) => return Err(Error::NoSimulator),
            (None, false) => economic::client::PRODUCTION_BASE_URL.to_owned(),
        };
        let economic = economic_client(&config, economic_base_url)?;

        // Mail: SMTP_URL; else, in demo mode, the bundled catcher; else none (mails wait in the
        // outbox, and check-config warns).
        #[cfg(feature = "demo")]
        let mail_catcher = match (config.demo, config.mail.smtp_url_text()) {
            (true, None) => Some(start_mail_catcher(&config).await?),
            _ => None,
        };
        #[cfg(feature = "demo")]
        let catcher_smtp_url = mail_catcher.as_ref().map(mail_catcher::Catcher::smtp_url);
        #[cfg(not(feature = "demo"))]
        let catcher_smtp_url: Option<String> = None;
        let mail = mailer(&config, catcher_smtp_url.as_deref())?
            .map(|mailer| (mailer, config.mail.sender(&public_url)));

        let wake = Wake::default();
        let workers = worker::Environment {
            db: db.clone(),
            keys: keys.clone(),
            economic: economic.clone(),
            signal: wake.workers.clone(),
            config: config.workers.config(),
        };
        let (writer, writer_task) = Writer::new(db.clone(), wake.clone());
        tasks.spawn(writer_task);
        tasks.spawn(worker::listener::announce(
            db.clone(),
            wake.others,
            stop.clone(),
        ));
        let watch = watch(&workers, &public_url)?;
        let mut worker_health = if config.no_worker {
            app::ssr::state::Workers::default()
        } else {
            spawn_workers(&tasks, &watch, &stop)
        };
        // The mail sender runs beside the web server too (`--no-worker` stops the sync
        // workers only): any number of processes may send, each mail is claimed by one. It
        // counts in `/readyz` among the workers when they run.
        if let Some((mailer, sender)) = mail {
            let mut uncounted = app::ssr::state::Workers::default();
            let health = match config.no_worker {
                true => &mut uncounted,
                false => &mut worker_health,
            };
            spawn_mail_sender(&tasks, health, &db, mailer, sender, &stop);
        }

        #[cfg(feature = "demo")]
        let demo_simulator_page = simulator
            .as_ref()
            .map(|sim| format!("{}/_sim/", sim.base_url()));
        #[cfg(not(feature = "demo"))]
        let demo_simulator_page = None;
        #[cfg(feature = "demo")]
        let demo_mail_page = mail_catcher.as_ref().map(mail_catcher::Catcher::page_url);
        #[cfg(not(feature = "demo"))]
        let demo_mail_page = None;
        let state = AppState {
            leptos_options,
            db: db.clone(),
            public_url: public_url.clone(),
            keys,
            economic,
            signal: wake.workers,
            daily_call_limit: config.workers.daily_call_limit,
            health: config.workers.health().model,
            demo: config.demo,
            sign_ups_per_ip: config.sign_ups_per_ip.max(1),
            staff_idle_secs: config.staff_idle_secs,
            impersonation_minutes: config.impersonation_minutes.max(1),
            workers: worker_health,
            demo_simulator_page,
            demo_mail_page,
        };
        let closing = routes::history::Closing::default();
        crate::metrics::install();
        let router = routes::router(
            state,
            routes::Options {
                sessions: session_layer,
                writer,
                closing: closing.clone(),
                trust_proxy: config.trust_proxy_headers,
                https: public_url.starts_with("https://"),
                metrics_token: config.metrics_token.clone(),
            },
        );
        Ok(Application {
            listener,
            router,
            db,
            public_url,
            workers,
            tasks,
            stop,
            closing,
            #[cfg(feature = "demo")]
            simulator,
            #[cfg(feature = "demo")]
            mail_catcher,
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

    /// The sync workers' environment: tests drain the queue with
    /// `worker::run_pending_jobs(app.workers())` (built with `--no-worker`).
    pub fn workers(&self) -> &worker::Environment {
        &self.workers
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish, stops the
    /// background tasks (workers finish or give back their batch) and closes the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let closing = self.closing.0.clone();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Live history streams never end by themselves: end them so that the
                // graceful shutdown can finish.
                closing.cancel();
            })
            .await?;
        stop_tasks(&self.tasks, &self.stop).await;
        #[cfg(feature = "demo")]
        if let Some(sim) = &self.simulator {
            sim.shutdown();
        }
        #[cfg(feature = "demo")]
        if let Some(catcher) = &self.mail_catcher {
            catcher.shutdown().await;
        }
        self.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// `server worker`: sync workers without the web server, until `shutdown`.
pub async fn run_workers(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    refuse_insecure(&config)?;
    let keys = config.keys()?;
    let db = backend::Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let base_url = config
        .economic_base_url
        .clone()
        .unwrap_or_else(|| economic::client::PRODUCTION_BASE_URL.to_owned());
    let env = worker::Environment {
        db: db.clone(),
        keys,
        economic: economic_client(&config, base_url)?,
        signal: Signal::default(),
        config: config.workers.config(),
    };
    let (tasks, stop) = (TaskTracker::new(), CancellationToken::new());
    tasks.spawn({
        let (db, stop) = (db.clone(), stop.clone());
        async move { db.checkpoint_until(stop).await }
    });
    let mut health = spawn_workers(&tasks, &watch(&env, &config.public_url())?, &stop);
    if let Some(mailer) = mailer(&config, None)? {
        let sender = config.mail.sender(&config.public_url());
        spawn_mail_sender(&tasks, &mut health, &db, mailer, sender, &stop);
    }
    tracing::info!(workers = env.config.workers, "sync workers running");
    shutdown.await;
    stop_tasks(&tasks, &stop).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Starts the sync workers, the scheduler, the retention job and the notification listener;
/// each counts as running in the returned [`app::ssr::state::Workers`] until it ends.
fn spawn_workers(
    tasks: &TaskTracker,
    watch: &worker::Watch,
    stop: &CancellationToken,
) -> app::ssr::state::Workers {
    let env = &watch.env;
    let health = app::ssr::state::Workers::default();
    let spawn = |task: std::pin::Pin<Box<dyn Future<Output = ()> + Send>>| {
        let running = health.running();
        tasks.spawn(async move {
            let _running = running;
            task.await;
        });
    };
    spawn(Box::pin(worker::retention::run(
        env.db.clone(),
        stop.clone(),
    )));
    // Other processes' notifications exist on PostgreSQL only (on SQLite the listener would
    // end at once, and `/readyz` would count it as a stopped worker).
    if env.db.pg_pool().is_some() {
        spawn(Box::pin(worker::listener::listen(
            env.db.clone(),
            env.signal.clone(),
            stop.clone(),
        )));
    }
    spawn(Box::pin(worker::scheduler::run(env.clone(), stop.clone())));
    spawn(Box::pin(worker::managed_webhooks::run(
        watch.clone(),
        stop.clone(),
    )));
    spawn(Box::pin(worker::health::run(watch.clone(), stop.clone())));
    spawn(Box::pin(worker::alerts::run(watch.clone(), stop.clone())));
    for _ in 0..env.config.workers {
        spawn(Box::pin(worker::Worker::new(env.clone()).run(stop.clone())));
    }

    app::ssr::state::Workers {
        started: health.count(),
        running: health.running,
    }
}

/// Starts the mail sender, counted in `health` like the workers.
fn spawn_mail_sender(
    tasks: &TaskTracker,
    health: &mut app::ssr::state::Workers,
    db: &backend::Db,
    mailer: Mailer,
    sender: SenderConfig,
    stop: &CancellationToken,
) {
    let running = health.running();
    health.started += 1;
    let task = crate::mail::sender::run(db.clone(), mailer, sender, stop.clone());
    tasks.spawn(async move {
        let _running = running;
        task.await;
    });
}

/// The health tasks' context: the alert webhook's text in Danish (the users' language), the
/// alert e-mails in each recipient's language, rendered by `app` from its translations.
fn watch(env: &worker::Environment, public_url: &str) -> Result<worker::Watch, Error> {
    let link = public_url.to_owned();
    let render: worker::health::Render =
        std::sync::Arc::new(move |d| app::api::health::alert_text(d, app::i18n::Lang::Da, &link));
    let mail_text = app::api::health::alert_mail;
    worker::Watch::new(env.clone(), public_url.to_owned(), render, mail_text)
        .map_err(|e| Error::Io(std::io::Error::other(e)))
}

async fn stop_tasks(tasks: &TaskTracker, stop: &CancellationToken) {
    stop.cancel();
    tasks.close();
    if tokio::time::timeout(SHUTDOWN_WAIT, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("background tasks did not stop in time");
    }
}

fn economic_client(config: &Config, base_url: String) -> Result<economic::Client, Error> {
    let mut economic_config =
        economic::ClientConfig::new(base_url, config.economic_app_secret_token.clone());
    economic_config.webhooks_api_url = config.economic_webhooks_api_url.clone();
    economic_config.timeout = Duration::from_secs(config.economic_timeout_secs.max(1));
    economic_config.connect_timeout = economic_config.connect_timeout.min(economic_config.timeout);
    Ok(economic::Client::new(economic_config)?)
}

/// The mailer for `SMTP_URL`, or else for the demo catcher at `catcher_smtp_url`; `None` without
/// either. Errors: an invalid `SMTP_URL` or `MAIL_FROM`.
fn mailer(config: &Config, catcher_smtp_url: Option<&str>) -> Result<Option<Mailer>, Error> {
    let Some(url) = config.mail.smtp_url_text().or(catcher_smtp_url) else {
        tracing::warn!("SMTP_URL is not set: mails wait in the outbox");
        return Ok(None);
    };
    let from = config.mail.mail_from_text().unwrap_or(DEMO_MAIL_FROM);
    Ok(Some(Mailer::new(url, from)?))
}

/// Demo mode: the bundled mail catcher, which receives every mail and lists it on its page.
#[cfg(feature = "demo")]
async fn start_mail_catcher(config: &Config) -> Result<mail_catcher::Catcher, Error> {
    let catcher = mail_catcher::Catcher::start(mail_catcher::CatcherConfig {
        web_addr: config.mail.mail_catcher_addr,
        smtp_addr: config.mail.mail_catcher_smtp_addr,
    })
    .await?;
    tracing::info!(
        page = %catcher.page_url(),
        smtp = %catcher.smtp_addr(),
        "demo mode: mail catcher started (every mail the app sends is listed on its page)"
    );
    Ok(catcher)
}

/// Demo mode: the bundled e-conomic simulator, in this process, with some seed data.
#[cfg(feature = "demo")]
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
