//! A real `bamboo serve` on a loopback port, and a small HTTP/1.1 client, for the tests
//! that drive the server as a user (or an attacker) would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::data_dir;

pub const TOKEN: &str = "serve-test-token-0123456789";

/// How long a server may take to load the data and listen: seconds in a debug build, on a
/// loaded machine far more.
const STARTUP: Duration = Duration::from_secs(180);

/// The arguments of `bamboo serve` on the shared data, a free loopback port and `db`: what
/// [`Server::start`] runs, for the tests that run it another way (as another user, or to see
/// it fail).
pub fn serve_args(db: &Path) -> Vec<std::ffi::OsString> {
    let mut a: Vec<std::ffi::OsString> = vec!["--data".into(), data_dir().into()];
    a.extend(["serve", "--addr", "127.0.0.1:0", "--db"].map(Into::into));
    a.push(db.into());
    a
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// The second line of stdout (the token line).
    pub token_line: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `bamboo serve` on a free port with `db`, from `cwd`, and waits until it listens.
    pub fn start(db: &Path, cwd: &Path, token: Option<&str>) -> Server {
        Server::start_with(db, cwd, token, &[])
    }

    /// [`Server::start`] with more `serve` flags.
    pub fn start_with(db: &Path, cwd: &Path, token: Option<&str>, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bamboo"));
        cmd.args(serve_args(db))
            .args(extra)
            .current_dir(cwd)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match token {
            Some(t) => cmd.env("BAMBOO_TOKEN", t),
            None => cmd.env_remove("BAMBOO_TOKEN"),
        };
        let mut child = cmd.spawn().expect("start bamboo serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        // The first two lines of stdout (the address, the token), read on a thread so that a
        // server that never gets there fails the test instead of hanging it.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let mut token_line = String::new();
            let _ = out.read_line(&mut first);
            let _ = out.read_line(&mut token_line);
            let _ = tx.send((first, token_line));
            // Keep draining stdout so the server never blocks on it.
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        let Ok((first, token_line)) = rx.recv_timeout(STARTUP) else {
            let _ = child.kill();
            panic!(
                "bamboo serve did not say where it listens within {} s: {}",
                STARTUP.as_secs(),
                stderr.lock().unwrap()
            );
        };
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in `{first}`: {}", stderr.lock().unwrap()))
            .parse()
            .unwrap();
        Server {
            child,
            addr,
            token_line,
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends a signal by name with the `kill` program and waits for the exit (10 s at most).
    pub fn signal_and_wait(&mut self, sig: &str) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args([format!("-{sig}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "the server did not stop within 10 s of SIG{sig}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    Reply { status, head, body }
}

pub fn bamboo(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .arg("--data")
        .arg(data_dir())
        .args(args)
        .current_dir(cwd)
        .env_remove("BAMBOO_TOKEN")
        .output()
        .unwrap()
}

pub fn post_event(addr: SocketAddr, token: &str, title: &str) -> Reply {
    let body = serde_json::json!({
        "date": "2024-06-20", "kind": "visit", "actors": ["VNM", "RUS"], "title": title,
        "sources": ["https://example.org/visit"],
    })
    .to_string();
    let auth = format!("Bearer {token}");
    http(
        addr,
        "POST",
        "/api/ledger/events",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
        ],
        body.as_bytes(),
    )
}
