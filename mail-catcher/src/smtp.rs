//! The SMTP listener: each connection is one `mailin` session fed line by line.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::store::Store;

/// The longest line accepted (SMTP allows 1000 octets; generous for odd clients).
const MAX_LINE: usize = 64 * 1024;
/// The largest mail kept; a larger one is refused.
const MAX_MAIL: usize = 10 * 1024 * 1024;
/// The name in the greeting.
const SERVER_NAME: &str = "mail-catcher";

/// Accept connections until `stop`; each is served in its own task of `tasks`.
pub(crate) async fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    stop: CancellationToken,
    tasks: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let (store, stop) = (store.clone(), stop.clone());
                tasks.spawn(async move {
                    tokio::select! {
                        () = stop.cancelled() => {}
                        result = session(stream, peer, store) => {
                            if let Err(e) = result {
                                tracing::debug!(error = %e, %peer, "SMTP session ended with an error");
                            }
                        }
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "mail catcher: accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// One client, from the greeting to QUIT (or the client hanging up).
async fn session(stream: TcpStream, peer: SocketAddr, store: Arc<Store>) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let collector = Collector {
        store,
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
        too_large: false,
    };
    let mut session = SessionBuilder::new(SERVER_NAME).build(peer.ip(), collector);
    writer.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if read == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") {
            // Longer than any SMTP line may be: not a client we can talk to.
            writer.write_all(b"500 Line too long\r\n").await?;
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => writer.write_all(&response.buffer()?).await?,
            Action::NoReply => {}
            // STARTTLS is not offered, so an upgrade request only comes from a confused client.
            Action::Close | Action::UpgradeTls => {
                writer.write_all(&response.buffer()?).await?;
                return Ok(());
            }
        }
    }
}

/// Keeps the envelope and the data of the mail in progress; stores it when the data ends.
struct Collector {
    store: Arc<Store>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
}

impl Handler for Collector {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        if self.store.refusing() {
            return Response::custom(
                451,
                "Try again later: the mail catcher is refusing mail".into(),
            );
        }
        self.from = from.to_owned();
        self.to.clear();
        self.data.clear();
        self.too_large = false;
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        self.to.push(to.to_owned());
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.data.len() + buf.len() > MAX_MAIL {
            self.too_large = true;
        } else {
            self.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if self.too_large {
            return mailin::response::NO_STORAGE;
        }
        if self.store.refusing() {
            return Response::custom(
                451,
                "Try again later: the mail catcher is refusing mail".into(),
            );
        }
        let to = std::mem::take(&mut self.to);
        let data = std::mem::take(&mut self.data);
        self.store.add(std::mem::take(&mut self.from), to, data);
        mailin::response::OK
    }
}
