//! `server check-config`, and the checks that start-up refuses to go without.
//!
//! Each check answers one problem at most, so the operator gets one line per thing to fix.
//! Outside demo mode `serve` and `worker` refuse a missing or weak `APP_SECRET_KEY` and a plain
//! http `PUBLIC_URL` to another machine ([`refuse_insecure`]); `check-config` reports those and
//! also opens the database, looks at the e-conomic settings and finds the browser bundle.

use std::path::Path;

use url::{Host, Url};

use crate::config::{Config, ConfigError};

/// Start-up's refusal outside demo mode: the master key must be present and strong, and the
/// public URL https unless local or explicitly allowed.
pub fn refuse_insecure(config: &Config) -> Result<(), ConfigError> {
    if config.demo {
        return Ok(());
    }
    secret_key(config)?;
    public_url(config)?;
    mail(config)
}

/// What deserves a look but does not stop the server (one line each).
pub fn warnings(config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    if !config.demo && config.mail.smtp_url_text().is_none() {
        found.push(
            "SMTP_URL is not set: no mail is sent (password resets, invitations, sign-up \
             confirmations and alerts wait in the outbox until it is)"
                .to_owned(),
        );
    }
    found
}

/// What deserves a look in the database (one line each): on PostgreSQL, a login that is a
/// superuser or has `BYPASSRLS`, for which row-level security is no guard at all. Nothing when
/// the database cannot be opened (that is a problem, reported by [`problems`]).
pub async fn database_warnings(config: &Config) -> Vec<String> {
    let Ok(db) = backend::Db::connect(&config.database_url).await else {
        return Vec::new();
    };
    let privileges = db.login_privileges().await;
    db.close().await;
    let Ok(Some(privileges)) = privileges else {
        return Vec::new();
    };
    let rights = [
        (privileges.superuser, "is a superuser"),
        (privileges.bypass_rls, "has BYPASSRLS"),
    ];
    rights
        .into_iter()
        .filter(|(has, _)| *has)
        .map(|(_, what)| {
            format!(
                "DATABASE_URL's login {what}: row-level security does not bind it, so one \
                 tenant's transaction could see every tenant after `reset role`; let the owner \
                 role run `server migrate` and the app log in as a role without it (README, \
                 \"Running against PostgreSQL\")"
            )
        })
        .collect()
}

/// `SMTP_URL` and `MAIL_FROM`: each valid when set, and a sender with every SMTP server
/// (demo mode has a default sender).
fn mail(config: &Config) -> Result<(), ConfigError> {
    if let Some(from) = config.mail.mail_from_text() {
        crate::mail::parse_from(from)?;
    }
    let Some(url) = config.mail.smtp_url_text() else {
        return Ok(());
    };
    crate::mail::lettre_url(url)?;
    if config.mail.mail_from_text().is_none() && !config.demo {
        return Err(ConfigError::MissingMailFrom);
    }
    Ok(())
}

/// Every problem of `config`, in the order an operator would fix them (empty: all good).
pub async fn problems(config: &Config) -> Vec<ConfigError> {
    let mut found: Vec<ConfigError> = [
        secret_key(config),
        public_url(config),
        economic_url("ECONOMIC_BASE_URL", config.economic_base_url.as_deref()),
        economic_url(
            "ECONOMIC_WEBHOOKS_API_URL",
            config.economic_webhooks_api_url.as_deref(),
        ),
        economic_token(config),
        mail(config),
        bundle(config),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if let Err(e) = database(config).await {
        found.push(e);
    }
    found
}

/// `APP_SECRET_KEY`: required outside demo mode, base64 of 32 bytes, not typed or patterned.
fn secret_key(config: &Config) -> Result<(), ConfigError> {
    let Some(text) = config.secret_key_text() else {
        // Demo mode keeps a generated key in a file instead.
        return match config.demo {
            true => Ok(()),
            false => Err(ConfigError::MissingSecretKey),
        };
    };
    match backend::Keys::master_is_weak(text) {
        Ok(false) => Ok(()),
        Ok(true) => Err(ConfigError::WeakSecretKey),
        Err(_) => Err(ConfigError::InvalidSecretKey("the value given".into())),
    }
}

/// `PUBLIC_URL` (or its default from the listen address): https, or http to this machine.
fn public_url(config: &Config) -> Result<(), ConfigError> {
    let url = parse("PUBLIC_URL", &config.public_url())?;
    if config.demo || config.allow_insecure_public_url || url.scheme() == "https" {
        return Ok(());
    }
    if is_local(&url) {
        return Ok(());
    }
    Err(ConfigError::InsecurePublicUrl(config.public_url()))
}

/// `ECONOMIC_BASE_URL` or `ECONOMIC_WEBHOOKS_API_URL`, when set: https, or http to this
/// machine (a simulator). The grant token travels in each request's headers.
fn economic_url(name: &'static str, text: Option<&str>) -> Result<(), ConfigError> {
    let Some(text) = text else {
        return Ok(());
    };
    let url = parse(name, text)?;
    if url.scheme() == "https" || is_local(&url) {
        return Ok(());
    }
    Err(ConfigError::InvalidUrl {
        name,
        reason: "e-conomic is reached over https (plain http only to this machine)".into(),
    })
}

/// `ECONOMIC_APP_SECRET_TOKEN`: its default only makes sense against the demo simulator.
fn economic_token(config: &Config) -> Result<(), ConfigError> {
    let to_simulator = config.demo && config.economic_base_url.is_none();
    let token = config.economic_app_secret_token.expose().trim();
    match !to_simulator && (token.is_empty() || token == "demo") {
        true => Err(ConfigError::DemoAppSecretToken),
        false => Ok(()),
    }
}

/// The browser bundle: the wasm, JS and CSS the page will link (hashed names from the hash
/// file in a release build).
fn bundle(config: &Config) -> Result<(), ConfigError> {
    let pkg = config.site_root.join(&config.site_pkg_dir);
    let names = bundle_names(config)?;
    match names.iter().map(|n| pkg.join(n)).find(|p| !p.is_file()) {
        Some(missing) => Err(ConfigError::MissingBundle(missing.display().to_string())),
        None => Ok(()),
    }
}

/// The file names the page links: `<name>[.<hash>].{js,wasm,css}`.
fn bundle_names(config: &Config) -> Result<Vec<String>, ConfigError> {
    let name = &config.output_name;
    if !config.hash_files() {
        return Ok(["js", "wasm", "css"]
            .map(|ext| format!("{name}.{ext}"))
            .to_vec());
    }
    let path = config.hash_file_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|_| ConfigError::MissingBundle(path.display().to_string()))?;
    Ok(parse_hash_file(&text)
        .into_iter()
        .map(|(ext, hash)| format!("{name}.{hash}.{ext}"))
        .collect())
}

/// The `kind: hash` lines of a Leptos hash file (`js`, `wasm`, `css`).
fn parse_hash_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
        .filter(|(kind, _)| ["js", "wasm", "css"].contains(&kind.as_str()))
        .collect()
}

/// `DATABASE_URL`: opens it as `serve` would and asks it a question.
async fn database(config: &Config) -> Result<(), ConfigError> {
    let unreachable = |e: backend::Error| ConfigError::Database(error_chain(&e));
    if let Some(path) = sqlite_path(&config.database_url)
        && !config.database_url.contains("mode=rwc")
        && !Path::new(&path).exists()
    {
        return Err(ConfigError::Database(format!("{path} does not exist")));
    }
    let db = backend::Db::connect(&config.database_url)
        .await
        .map_err(unreachable)?;
    let answer = db.ping().await.map_err(unreachable);
    db.close().await;
    answer
}

/// The file of a `sqlite:` URL, if it is one.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    Some(rest.split('?').next().unwrap_or_default().to_owned())
}

/// The error and its causes on one line (sqlx puts the useful part in the source).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn parse(name: &'static str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|e| ConfigError::InvalidUrl {
        name,
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(ConfigError::InvalidUrl {
            name,
            reason: format!("scheme {other}: is not http or https"),
        }),
    }
}

/// Whether the URL's host is this machine (loopback), where plain http stays on the machine.
fn is_local(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain == "localhost" || domain.ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> Config {
        Config::from_args(args).expect("config")
    }

    #[test]
    fn plain_http_is_refused_only_to_another_machine() {
        let key = backend::Keys::generate_master_base64();
        let with = |url: &str| config(&["--secret-key", &key, "--public-url", url]);

        assert!(refuse_insecure(&with("https://sync.example.com")).is_ok());
        assert!(refuse_insecure(&with("http://127.0.0.1:3000")).is_ok());
        assert!(refuse_insecure(&with("http://localhost:3000")).is_ok());
        assert!(matches!(
            refuse_insecure(&with("http://sync.example.com")),
            Err(ConfigError::InsecurePublicUrl(_))
        ));
        assert!(matches!(
            refuse_insecure(&with("ftp://sync.example.com")),
            Err(ConfigError::InvalidUrl { .. })
        ));
        let allowed = config(&[
            "--secret-key",
            &key,
            "--public-url",
            "http://sync.example.com",
            "--allow-insecure-public-url",
        ]);
        assert!(refuse_insecure(&allowed).is_ok());
    }

    #[test]
    fn the_listen_address_counts_when_public_url_is_unset() {
        let key = backend::Keys::generate_master_base64();
        let everywhere = config(&["--secret-key", &key, "--site-addr", "0.0.0.0:3000"]);
        assert!(matches!(
            refuse_insecure(&everywhere),
            Err(ConfigError::InsecurePublicUrl(_))
        ));
    }

    #[test]
    fn the_key_must_be_present_and_random_outside_demo_mode() {
        let weak = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assert!(matches!(
            refuse_insecure(&config(&[])),
            Err(ConfigError::MissingSecretKey)
        ));
        assert!(matches!(
            refuse_insecure(&config(&["--secret-key", weak])),
            Err(ConfigError::WeakSecretKey)
        ));
        assert!(matches!(
            refuse_insecure(&config(&["--secret-key", "c2hvcnQ="])),
            Err(ConfigError::InvalidSecretKey(_))
        ));
        assert!(matches!(
            refuse_insecure(&config(&["--secret-key", " "])),
            Err(ConfigError::MissingSecretKey)
        ));
        assert!(refuse_insecure(&config(&["--demo"])).is_ok());
    }

    #[test]
    fn economic_settings_are_checked() {
        assert!(economic_token(&config(&[])).is_err());
        assert!(economic_token(&config(&["--demo"])).is_ok());
        assert!(economic_token(&config(&["--economic-app-secret-token", ""])).is_err());
        assert!(economic_token(&config(&["--economic-app-secret-token", "real"])).is_ok());
        let url = |text| economic_url("ECONOMIC_BASE_URL", Some(text));
        assert!(url("https://restapi.e-conomic.com").is_ok());
        assert!(url("http://127.0.0.1:3100").is_ok());
        assert!(url("http://restapi.e-conomic.com").is_err());
        assert!(url("ftp://restapi.e-conomic.com").is_err());
        assert!(economic_url("ECONOMIC_WEBHOOKS_API_URL", None).is_ok());
    }

    #[test]
    fn mail_settings_are_checked_and_refused_outside_demo_mode() {
        let key = backend::Keys::generate_master_base64();
        let with = |extra: &[&str]| {
            let mut args = vec!["--secret-key", key.as_str()];
            args.extend_from_slice(extra);
            config(&args)
        };
        assert!(refuse_insecure(&with(&[])).is_ok());
        assert_eq!(warnings(&with(&[])).len(), 1, "no SMTP: a warning");
        let good = with(&[
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--mail-from",
            "a@b.example",
        ]);
        assert!(refuse_insecure(&good).is_ok());
        assert!(warnings(&good).is_empty());
        assert!(matches!(
            refuse_insecure(&with(&[
                "--smtp-url",
                "mail.example.com",
                "--mail-from",
                "a@b.example"
            ])),
            Err(ConfigError::InvalidSmtpUrl(_))
        ));
        assert!(matches!(
            refuse_insecure(&with(&[
                "--smtp-url",
                "smtp://127.0.0.1:2525",
                "--mail-from",
                "nobody"
            ])),
            Err(ConfigError::InvalidMailFrom(_))
        ));
        assert!(matches!(
            refuse_insecure(&with(&["--smtp-url", "smtp://127.0.0.1:2525"])),
            Err(ConfigError::MissingMailFrom)
        ));
        assert!(mail(&config(&["--demo", "--smtp-url", "smtp://127.0.0.1:2525"])).is_ok());
        assert!(warnings(&config(&["--demo"])).is_empty());
    }

    #[test]
    fn hash_file_lines_name_the_hashed_files() {
        let text = "js: abc\nwasm: def\ncss: 012\nmanifest: x\n";
        let parsed = parse_hash_file(text);
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1], ("wasm".to_owned(), "def".to_owned()));
    }
}
