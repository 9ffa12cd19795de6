//! A mail catcher, for demo mode and the tests: an SMTP listener that accepts every mail and keeps
//! it in memory, and a small web page (with a JSON twin) that lists them — so a new user sees each
//! mail the app sends, and tests read the links in them, through real SMTP.
//!
//! The SMTP protocol (commands, replies, the session's states, the end of the data) is the
//! `mailin` crate's state machine; this crate only carries its lines over tokio sockets, so the
//! listener stops with the rest of the server (the crate `mailin-embedded` runs its own blocking
//! threads, which a graceful shutdown cannot join). The mails are decoded with `mail-parser`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let catcher = mail_catcher::Catcher::start(mail_catcher::CatcherConfig::default()).await?;
//! // smtp://{catcher.smtp_addr()} receives; {catcher.page_url()} shows.
//! let mail = catcher.wait_for(|m| m.to.iter().any(|t| t == "anna@example.com"), std::time::Duration::from_secs(5)).await;
//! catcher.shutdown().await;
//! # Ok(()) }
//! ```

mod smtp;
mod store;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use store::CaughtMail;
use store::Store;

/// Where the catcher listens.
#[derive(Debug, Clone, Copy)]
pub struct CatcherConfig {
    /// The page and its JSON (`GET /`, `GET /api/messages`); port 0 picks a free one.
    pub web_addr: SocketAddr,
    /// The SMTP listener; port 0 picks a free one.
    pub smtp_addr: SocketAddr,
}

impl Default for CatcherConfig {
    /// Both on a free port of 127.0.0.1 (what tests want).
    fn default() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        CatcherConfig {
            web_addr: any,
            smtp_addr: any,
        }
    }
}

/// A running catcher. Clones share it; [`Catcher::shutdown`] stops it and waits for its tasks.
#[derive(Clone)]
pub struct Catcher {
    store: Arc<Store>,
    web_addr: SocketAddr,
    smtp_addr: SocketAddr,
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Catcher {
    /// Bind both listeners and serve them in background tasks (of the current tokio runtime).
    pub async fn start(config: CatcherConfig) -> std::io::Result<Catcher> {
        let smtp = TcpListener::bind(config.smtp_addr).await?;
        let web = TcpListener::bind(config.web_addr).await?;
        let (smtp_addr, web_addr) = (smtp.local_addr()?, web.local_addr()?);
        let store = Arc::new(Store::default());
        let (stop, tasks) = (CancellationToken::new(), TaskTracker::new());
        tasks.spawn(smtp::serve(
            smtp,
            store.clone(),
            stop.clone(),
            tasks.clone(),
        ));
        tasks.spawn(web::serve(web, store.clone(), smtp_addr, stop.clone()));
        Ok(Catcher {
            store,
            web_addr,
            smtp_addr,
            stop,
            tasks,
        })
    }

    /// The SMTP listener's address (`smtp://{addr}` for lettre's URL).
    pub fn smtp_addr(&self) -> SocketAddr {
        self.smtp_addr
    }

    /// `smtp://{smtp_addr}`: an `SMTP_URL` that delivers here.
    pub fn smtp_url(&self) -> String {
        format!("smtp://{}", self.smtp_addr)
    }

    /// The page that lists the mails, `http://{web_addr}/`.
    pub fn page_url(&self) -> String {
        format!("http://{}/", self.web_addr)
    }

    /// Every mail caught so far, oldest first.
    pub fn mails(&self) -> Vec<CaughtMail> {
        self.store.all()
    }

    /// Waits until a mail matching `wanted` has arrived (or was there already) and returns the
    /// first such; `None` after `timeout`.
    pub async fn wait_for(
        &self,
        wanted: impl Fn(&CaughtMail) -> bool,
        timeout: Duration,
    ) -> Option<CaughtMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so that a mail arriving in between still wakes us.
            let arrived = self.store.arrived();
            if let Some(mail) = self.store.all().into_iter().find(|m| wanted(m)) {
                return Some(mail);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return None;
            }
        }
    }

    /// While `true`, every mail is refused with a temporary error (`451`), as a mail server
    /// that is down for maintenance answers; senders are expected to try again later.
    pub fn set_refusing(&self, refusing: bool) {
        self.store.set_refusing(refusing);
    }

    /// Forget every mail caught so far.
    pub fn clear(&self) {
        self.store.clear();
    }

    /// Stop both listeners and the open SMTP sessions, and wait for their tasks.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
