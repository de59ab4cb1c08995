//! `bamboo serve`: the HTTP server and dashboard on one address, with the SQLite ledger.
//!
//! Start-up: bind the address (so a port in use fails before anything else), load the
//! votes, make the write token (BAMBOO_TOKEN, or a fresh random one printed once), open the
//! ledger (refusing a read-only one; seeding one never seeded from the curated
//! `ledger/*.toml`), print where to go, and serve until SIGINT or SIGTERM; then stop
//! accepting, let the requests in flight finish (each is bounded by the request timeout)
//! and exit 0.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bamboo_data::DataDir;
use bamboo_server::{AppState, Catalog, Limits, Token, VoteData, TOKEN_ENV};

use crate::ledger_setup::{curated_dir, default_db_path, open_ledger};
use crate::Cli;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// The SQLite ledger file (created with its folder if missing). Default:
    /// $XDG_DATA_HOME/bamboo/ledger.sqlite3, else ~/.local/share/bamboo/ledger.sqlite3.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// The curated data: doctrines/, cases/ and ledger/ (a new ledger is seeded from
    /// ledger/*.toml). Default: ./data.
    #[arg(long, value_name = "DIR")]
    pub curated: Option<PathBuf>,
    /// Logs as JSON lines (default: human-readable), to stderr. RUST_LOG sets the level.
    #[arg(long)]
    pub log_json: bool,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().body_bytes, value_name = "BYTES")]
    pub max_body: usize,
    /// The longest a request may take, in milliseconds.
    #[arg(long, default_value_t = Limits::default().request_timeout.as_millis() as u64, value_name = "MS")]
    pub timeout_ms: u64,
    /// The longest a client may take to send a request's headers, in milliseconds (the
    /// connection is closed after it; idle keep-alive connections too).
    #[arg(long, default_value_t = Limits::default().header_timeout.as_millis() as u64, value_name = "MS")]
    pub header_timeout_ms: u64,
    /// The most connections served at once; one more is answered 503 and closed.
    #[arg(long, default_value_t = Limits::default().max_connections, value_name = "N")]
    pub max_connections: usize,
    /// Bootstrap replicates behind `/api/ideal`'s standard errors, as `bamboo ideal
    /// --bootstrap` (0: none; at least 2 for standard errors). The fit runs on the first
    /// request that needs it.
    #[arg(long, default_value_t = bamboo_core::ideal::DEFAULT_BOOTSTRAP, value_name = "N")]
    pub ideal_bootstrap: u32,
    /// The seed of that bootstrap, as `bamboo ideal --seed`.
    #[arg(long, default_value_t = bamboo_core::ideal::DEFAULT_SEED, value_name = "SEED")]
    pub ideal_seed: u64,
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A second initialisation (tests that call run twice) is harmless: keep the first.
    let _ = if json {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

/// SIGINT (Ctrl-C) or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("SIGINT received: shutting down"),
        _ = term => tracing::info!("SIGTERM received: shutting down"),
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    init_logs(args.log_json);
    let curated = curated_dir(args.curated.as_deref());
    if let (Some(flag), None) = (&args.curated, &curated) {
        anyhow::bail!(
            "--curated {}: no doctrines/, cases/ or ledger/ folder there",
            flag.display()
        );
    }
    crate::cmd::ideal::check_bootstrap("--ideal-bootstrap", args.ideal_bootstrap)?;
    // The address first: a port in use fails before anything is loaded, and before the
    // ledger database is created or seeded.
    let std_listener = std::net::TcpListener::bind(args.addr)
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    std_listener
        .set_nonblocking(true)
        .context("cannot set up the listening socket")?;
    let t = std::time::Instant::now();
    let dir = DataDir::from_env(cli.data.as_deref())?;
    let votes = VoteData::load(&dir, &cli.votes)?;
    tracing::info!(
        roll_calls = votes.store.roll_calls().len(),
        data = %dir.root.display(),
        ms = t.elapsed().as_millis() as u64,
        "votes loaded"
    );

    let (token, shown) = match std::env::var(TOKEN_ENV) {
        Ok(s) if !s.is_empty() => (Token::from_secret(&s)?, None),
        _ => {
            let (t, text) = Token::generate()?;
            (t, Some(text))
        }
    };

    let db_path = match &args.db {
        Some(p) => p.clone(),
        None => default_db_path()?,
    };
    let catalog = match &curated {
        Some(root) => Catalog::load(root, &dir, &votes)?,
        None => {
            tracing::warn!("no curated data folder (data/ with doctrines/, cases/, ledger/) found: advice is off and a new ledger starts empty");
            Catalog::without_curated()?
        }
    };
    tracing::info!(
        doctrines = catalog.doctrines.len(),
        sample_case_files = catalog.cases.len(),
        curated = %curated.as_deref().map_or_else(|| "none".into(), |p| p.display().to_string()),
        "doctrines loaded"
    );
    let db = open_ledger(&db_path, curated.as_deref())?;

    let limits = Limits {
        body_bytes: args.max_body,
        request_timeout: Duration::from_millis(args.timeout_ms.max(1)),
        header_timeout: Duration::from_millis(args.header_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
        ..Limits::default()
    };
    let state = AppState::new(Arc::new(votes), db, Arc::new(catalog), token, limits);
    state
        .ideal()
        .configure(args.ideal_bootstrap, args.ideal_seed);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(std_listener)
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        // The address and the token go to stdout once, for the person who started it (and
        // for scripts, which read the first line); logs go to stderr. A closed stdout (the
        // reader went away) must not stop the server, so write errors are ignored.
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "bamboo: serving http://{addr}/ (dashboard) and http://{addr}/api/openapi.json"
            );
            let _ = match &shown {
                Some(t) => writeln!(
                    out,
                    "bamboo: write token (shown once; set {TOKEN_ENV} to choose your own): {t}"
                ),
                None => writeln!(out, "bamboo: write token from {TOKEN_ENV}"),
            };
            let _ = out.flush();
        }
        tracing::info!(%addr, db = %db_path.display(), "listening");
        bamboo_server::serve(listener, state, shutdown_signal())
            .await
            .context("the server failed")?;
        tracing::info!("stopped");
        Ok(())
    })
}
