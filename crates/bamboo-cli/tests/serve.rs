//! `bamboo serve` and `bamboo ledger` as a user runs them: the real binary on a loopback
//! port. The API answers advice with the CLI's bytes; an acknowledged write survives
//! `kill -9`; SIGTERM and SIGINT stop the server cleanly; a new ledger is seeded once from
//! the curated files; ledger files go in and out of the database unchanged.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::server::*;
use common::workspace_root;

#[test]
fn the_api_gives_the_record_as_cases_with_the_clis_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    let cli = bamboo(
        &[
            "cases",
            "from-votes",
            "--subject",
            "VNM",
            "--from",
            "2019",
            "--to",
            "2019",
            "--format",
            "json",
        ],
        &root,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let api = http(
        server.addr,
        "GET",
        "/api/record/VNM?from=2019&to=2019",
        &[],
        b"",
    );
    assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
    assert!(
        api.body == cli.stdout,
        "GET /api/record/VNM differs from the CLI"
    );
    for (q, status) in [
        ("/api/record/VNM?from=2019-13-01", 400),
        ("/api/record/VNM?from=2020&to=2019", 400),
        ("/api/record/XXX", 400),
        ("/api/record/VNM?from=1950&to=1960", 422),
        ("/api/record/VNM?year=2019", 400),
    ] {
        let r = http(server.addr, "GET", q, &[], b"");
        assert_eq!(
            r.status,
            status,
            "{q}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(
            String::from_utf8_lossy(&r.body).contains("\"error\""),
            "{q}"
        );
    }
}

#[test]
fn the_api_answers_advice_backtests_and_plans_with_the_clis_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    for (doctrine, cases) in [("vietnam", "vietnam-record"), ("india", "india")] {
        let dfile = format!("data/doctrines/{doctrine}.toml");
        let cfile = format!("data/cases/{cases}.toml");
        let body = std::fs::read(root.join(&cfile)).unwrap();
        // Planning needs a catalogue of moves, which the Vietnam doctrine has.
        let routes: &[(&str, &str)] = if doctrine == "vietnam" {
            &[
                ("advise", "/api/advise"),
                ("backtest", "/api/backtest"),
                ("plan", "/api/plan"),
            ]
        } else {
            &[("advise", "/api/advise"), ("backtest", "/api/backtest")]
        };
        for &(cmd, route) in routes {
            let cli = bamboo(&[cmd, "--doctrine", &dfile, &cfile, "--json"], &root);
            assert!(
                cli.status.success(),
                "{}",
                String::from_utf8_lossy(&cli.stderr)
            );
            for q in [format!("?doctrine={doctrine}"), String::new()] {
                let api = http(
                    server.addr,
                    "POST",
                    &format!("{route}{q}"),
                    &[("Content-Type", "application/toml")],
                    &body,
                );
                assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
                assert!(
                    api.body == cli.stdout,
                    "{route}{q} on {cfile} differs from `bamboo {cmd} --json`"
                );
            }
        }
    }
}

/// The defaults are one definition (the API ran 500 runs where the CLI ran 1,000), and a
/// world parameter set or swept gives the CLI's bytes (`--set`, `--sweep ... --json`).
#[test]
fn the_api_steers_the_simulation_with_the_clis_defaults_and_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    let post = |body: &[u8]| {
        let r = http(
            server.addr,
            "POST",
            "/api/simulate",
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.body
    };
    let cli = |args: &[&str]| {
        let mut a = vec!["simulate", "--json", "--quiet"];
        a.extend_from_slice(args);
        let o = bamboo(&a, &root);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    // Default runs and seed: only the years and one doctrine given, to stay quick.
    let a = post(br#"{"years": 2, "doctrines": ["vietnam"]}"#);
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["runs"], 1000, "the API's default runs are the CLI's");
    assert!(
        a == cli(&["--years", "2", "--doctrines", "vietnam"]),
        "POST /api/simulate with the defaults differs from `bamboo simulate --json`"
    );
    // World parameters set.
    let body = br#"{"runs": 30, "years": 6, "seed": 4, "parameters": {"incident_rate": 0.1, "volatility": 0.2}}"#;
    let set = post(body);
    assert!(
        set == cli(&[
            "--runs",
            "30",
            "--years",
            "6",
            "--seed",
            "4",
            "--set",
            "incident_rate=0.1",
            "--set",
            "volatility=0.2",
        ]),
        "parameters differ from `--set`"
    );
    let plain = cli(&["--runs", "30", "--years", "6", "--seed", "4"]);
    assert!(set != plain, "setting parameters changed nothing");
    // A sweep.
    let body = br#"{"runs": 20, "years": 4, "seed": 2, "doctrines": ["vietnam", "neutral"], "sweep": {"parameter": "coercion", "values": [0, 2.5]}}"#;
    let sweep = post(body);
    assert!(
        sweep
            == cli(&[
                "--runs",
                "20",
                "--years",
                "4",
                "--seed",
                "2",
                "--doctrines",
                "vietnam,neutral",
                "--sweep",
                "coercion=0,2.5",
            ]),
        "the API's sweep differs from `simulate --json --sweep`"
    );
    let v: serde_json::Value = serde_json::from_slice(&sweep).unwrap();
    assert_eq!(v["parameter"], "coercion");
    assert_eq!(v["points"].as_array().unwrap().len(), 2);
}

#[test]
fn the_api_simulates_with_the_clis_bytes() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let server = Server::start(&t.path().join("l.sqlite3"), &root, Some(TOKEN));
    let cli = bamboo(
        &[
            "simulate", "--runs", "40", "--years", "8", "--seed", "9", "--json", "--quiet",
        ],
        &root,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let api = http(
        server.addr,
        "POST",
        "/api/simulate",
        &[("Content-Type", "application/json")],
        br#"{"runs": 40, "years": 8, "seed": 9}"#,
    );
    assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
    assert!(
        api.body == cli.stdout,
        "/api/simulate differs from `bamboo simulate --json`"
    );
    let cli = bamboo(
        &[
            "chart", "simulate", "--runs", "40", "--years", "8", "--seed", "9", "--quiet",
        ],
        &root,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let api = http(
        server.addr,
        "GET",
        "/api/chart/simulate.svg?runs=40&years=8&seed=9",
        &[],
        b"",
    );
    assert_eq!(api.status, 200);
    assert!(
        api.body == cli.stdout,
        "the simulation chart differs from `bamboo chart simulate`"
    );
}

#[test]
fn advice_from_the_live_ledger_equals_the_cli_on_the_exported_ledger() {
    let t = tempfile::tempdir().unwrap();
    let root = workspace_root();
    let db = t.path().join("l.sqlite3");
    let server = Server::start(&db, &root, Some(TOKEN));
    // A new event changes what the engine knows as of later cases.
    assert_eq!(
        post_event(server.addr, TOKEN, "State visit to Hanoi").status,
        201
    );
    let cases = "data/cases/vietnam-record.toml";
    let api = http(
        server.addr,
        "POST",
        "/api/advise?ledger=db",
        &[("Content-Type", "application/toml")],
        &std::fs::read(root.join(cases)).unwrap(),
    );
    assert_eq!(api.status, 200, "{}", String::from_utf8_lossy(&api.body));
    let exported = t.path().join("vnm.toml");
    let e = bamboo(
        &[
            "ledger",
            "export",
            "--subject",
            "VNM",
            "--db",
            db.to_str().unwrap(),
            "-o",
            exported.to_str().unwrap(),
        ],
        &root,
    );
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let cli = bamboo(
        &[
            "advise",
            "--doctrine",
            "data/doctrines/vietnam.toml",
            "--ledger",
            exported.to_str().unwrap(),
            cases,
            "--json",
        ],
        &root,
    );
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(
        api.body == cli.stdout,
        "?ledger=db differs from the CLI on the exported ledger"
    );
}

#[test]
fn an_acknowledged_write_survives_kill_9() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("l.sqlite3");
    let root = workspace_root();
    let mut server = Server::start(&db, &root, Some(TOKEN));
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = post_event(server.addr, TOKEN, &format!("crash test visit {i}"));
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let before =
        http(server.addr, "GET", "/api/health", &[], b"").json()["ledger"]["events"].clone();
    // SIGKILL right after the last 201: no shutdown, no checkpoint, no flush by the server.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let server = Server::start(&db, &root, Some(TOKEN));
    for (i, id) in ids.iter().enumerate() {
        let r = http(
            server.addr,
            "GET",
            &format!("/api/ledger/events/{id}"),
            &[],
            b"",
        );
        assert_eq!(r.status, 200, "event {id} was lost");
        assert_eq!(r.json()["title"], format!("crash test visit {i}"));
    }
    // Nothing more, nothing less: the restart did not seed the ledger a second time.
    let after = http(server.addr, "GET", "/api/health", &[], b"").json();
    assert_eq!(after["ledger"]["events"], before);
}

#[test]
fn sigterm_and_sigint_stop_the_server_cleanly() {
    let t = tempfile::tempdir().unwrap();
    for sig in ["TERM", "INT"] {
        let mut server = Server::start(&t.path().join("l.sqlite3"), &workspace_root(), Some(TOKEN));
        assert_eq!(
            http(server.addr, "GET", "/api/health", &[], b"").status,
            200
        );
        let status = server.signal_and_wait(sig);
        assert!(
            status.success(),
            "exit after SIG{sig}: {status:?}\n{}",
            server.stderr()
        );
        let log = server.stderr();
        assert!(log.contains(&format!("SIG{sig} received")), "{log}");
        assert!(log.contains("stopped"), "{log}");
        assert!(
            TcpStream::connect(server.addr).is_err(),
            "still listening after SIG{sig}"
        );
    }
}

#[test]
fn a_generated_token_is_printed_once_and_works() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(&t.path().join("l.sqlite3"), &workspace_root(), None);
    let token = server
        .token_line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 64, "{}", server.token_line);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        post_event(server.addr, "not-the-token-at-all", "x").status,
        401
    );
    assert_eq!(
        post_event(server.addr, &token, "with the printed token").status,
        201
    );
    assert!(
        !server.stderr().contains(&token),
        "the token must not reach the logs"
    );
}

fn fixture_ledger() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ledger_small.toml")
}

#[test]
fn a_new_ledger_is_seeded_once_from_the_curated_files() {
    // A curated folder of our own: ./data/ledger/*.toml relative to the working directory.
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data/ledger")).unwrap();
    std::fs::copy(fixture_ledger(), t.path().join("data/ledger/small.toml")).unwrap();
    let db = t.path().join("state/ledger.sqlite3");
    {
        let server = Server::start(&db, t.path(), Some(TOKEN));
        let v = http(server.addr, "GET", "/api/ledger/events", &[], b"").json();
        assert_eq!(v["count"], 3, "{v}");
        assert!(v["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["origin"] == "seed:small.toml"));
        assert!(server.stderr().contains("seeded"));
        // No doctrines in this folder: advice says so instead of guessing.
        let a = http(server.addr, "POST", "/api/advise", &[("Content-Type", "application/toml")], b"[[case]]\nid=\"x\"\ndate=\"2020-01-01\"\nsubject=\"VNM\"\nkind=\"visit\"\ntitle=\"t\"\ncounterpart=\"USA\"\nsources=[\"s\"]\n");
        assert_eq!(a.status, 501, "{}", String::from_utf8_lossy(&a.body));
        assert!(a.json()["error"].as_str().unwrap().contains("no doctrines"));
    }
    // A second start finds the database and does not seed again, even from a changed folder.
    std::fs::write(
        t.path().join("data/ledger/more.toml"),
        std::fs::read_to_string(fixture_ledger())
            .unwrap()
            .replace("Fixture visit", "Another visit"),
    )
    .unwrap();
    let server = Server::start(&db, t.path(), Some(TOKEN));
    let v = http(server.addr, "GET", "/api/ledger/events", &[], b"").json();
    assert_eq!(v["count"], 3);
}

#[test]
fn ledger_files_go_into_the_database_and_come_back_unchanged() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("l.sqlite3");
    let db_s = db.to_str().unwrap();
    let fixture = fixture_ledger();
    // No curated folder in the temporary working directory: the new database starts empty.
    let o = bamboo(
        &["ledger", "import", fixture.to_str().unwrap(), "--db", db_s],
        t.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("3 events added, 0 already present"));
    let o = bamboo(
        &["ledger", "import", fixture.to_str().unwrap(), "--db", db_s],
        t.path(),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 events added, 3 already present"));
    let out = t.path().join("out.toml");
    let o = bamboo(
        &[
            "ledger",
            "export",
            "--db",
            db_s,
            "-o",
            out.to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = bamboo_data::ledger::read_ledger(&fixture).unwrap();
    let b = bamboo_data::ledger::read_ledger(&out).unwrap();
    assert_eq!(a.subject, b.subject);
    assert_eq!(a.events(), b.events());
    // Export to stdout, and the errors a user can cause.
    let o = bamboo(&["ledger", "export", "--db", db_s], t.path());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("[ledger]\nsubject = \"VNM\""));
    let o = bamboo(
        &[
            "ledger",
            "export",
            "--db",
            t.path().join("none.sqlite3").to_str().unwrap(),
        ],
        t.path(),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no ledger database there"));
    let bad = t.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&fixture)
            .unwrap()
            .replace("kind = \"visit\"", "kind = \"summit\""),
    )
    .unwrap();
    let o = bamboo(
        &["ledger", "import", bad.to_str().unwrap(), "--db", db_s],
        t.path(),
    );
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("bad.toml") && e.contains("summit"), "{e}");
}

#[test]
fn the_default_database_lives_under_the_users_data_directory() {
    let t = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_bamboo"))
        .args(["ledger", "import"])
        .arg(fixture_ledger())
        .current_dir(t.path())
        .env("XDG_DATA_HOME", t.path().join("xdg"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(t.path().join("xdg/bamboo/ledger.sqlite3").is_file());
}
