//! Rules that check themselves: tidy checks over the workspace's own sources, run by
//! `cargo test` (`cargo test -p bamboo-core --test tidy`).
//!
//! - Every `.rs` file (`crates/*/{src,tests,benches,examples}` and `python/src`, fixtures
//!   and `target/` skipped) opens with a `//!` header saying what it is.
//! - No library crate prints: outside `#[cfg(test)]` items and test-only modules, the
//!   sources of bamboo-core, -data, -sim, -report, -app and -server name no `println!`,
//!   `eprintln!`, `print!`, `eprint!`, `dbg!`, `io::stdout` or `io::stderr`. The binary
//!   prints through `bamboo-cli`'s `output` module; the server logs through `tracing`.
//! - bamboo-core and bamboo-sim keep their `clippy.toml` (which forbids `std::fs` and
//!   `std::env` to them, so clippy fails on I/O in the pure core).
//!
//! The scanner strips comments, string and character literals before it looks, so a doc
//! that mentions `println!` is not a use; its own tests below plant each kind of use and
//! check that it is caught. It reads files only: no process is spawned.

use std::path::{Path, PathBuf};

/// The workspace root: this crate is `crates/bamboo-core`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// The test reads the sources it checks: every use of `std::fs` is in the two functions
// below, each allowed by name, since the `clippy.toml` ban on it is for bamboo-core's
// library, not for a test of the repository.

/// A file's text, `None` if there is no such file.
#[allow(clippy::disallowed_methods)] // reads the repository's sources (see above)
fn read_opt(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// A file's text.
fn read(path: &Path) -> String {
    read_opt(path).unwrap_or_else(|| panic!("{}: no such file", path.display()))
}

/// The entries of a folder, sorted, each with whether it is a folder (an absent folder has
/// none).
#[allow(clippy::disallowed_methods)] // walks the repository's sources (see above)
fn entries(dir: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(PathBuf, bool)> = rd
        .map(|e| {
            let e = e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (e.path(), is_dir)
        })
        .collect();
    v.sort();
    v
}

/// Every `.rs` file under `dir`, recursively, skipping `target` and `fixtures` folders.
fn rust_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for (p, is_dir) in entries(dir) {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_dir {
            if name != "target" && name != "fixtures" {
                rust_files_under(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

/// The crates of the workspace (`crates/*` with a `Cargo.toml`), as folders.
fn crate_dirs() -> Vec<PathBuf> {
    entries(&root().join("crates"))
        .into_iter()
        .filter(|(p, is_dir)| *is_dir && entries(p).iter().any(|(f, _)| f.ends_with("Cargo.toml")))
        .map(|(p, _)| p)
        .collect()
}

/// Every `.rs` file of the repository that the header rule covers.
fn all_rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for c in crate_dirs() {
        for part in ["src", "tests", "benches", "examples"] {
            rust_files_under(&c.join(part), &mut out);
        }
    }
    rust_files_under(&root().join("python/src"), &mut out);
    out
}

/// A path relative to the workspace root, for messages.
fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

// ---------------------------------------------------------------------------------------
// Rule 1: a `//!` header.

/// Whether a file's first non-blank line is a `//!` comment.
fn has_header(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("//!"))
}

#[test]
fn every_rust_file_opens_with_a_header() {
    let files = all_rust_files();
    // The walk must have found the workspace (this file among them), or the rule is idle.
    assert!(files.len() > 100, "only {} .rs files found", files.len());
    assert!(files
        .iter()
        .any(|p| p.ends_with("bamboo-core/tests/tidy.rs")));
    let missing: Vec<String> = files
        .iter()
        .filter(|p| !has_header(&read(p)))
        .map(|p| rel(p))
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not open with a `//!` line saying what they are:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_header_check_fails_a_file_without_one() {
    assert!(has_header("//! What this is.\nuse x;\n"));
    assert!(has_header("\n   \n//! After blank lines.\n"));
    assert!(!has_header(""));
    assert!(!has_header("use std::io;\n//! too late\n"));
    assert!(!has_header(
        "/// An item's doc, not the file's.\nfn f() {}\n"
    ));
    assert!(!has_header("// A plain comment.\n"));
    assert!(!has_header(
        "#![allow(dead_code)]\n//! after an attribute\n"
    ));
}

// ---------------------------------------------------------------------------------------
// Rule 2: no printing in libraries.

/// The library crates: none may print (only `bamboo-cli`, the binary, does).
const LIBRARIES: [&str; 6] = [
    "bamboo-core",
    "bamboo-data",
    "bamboo-sim",
    "bamboo-report",
    "bamboo-app",
    "bamboo-server",
];

/// `src` with every comment (line, block, nested block, doc) and the contents of every
/// string, byte string, raw string and character literal replaced by spaces. Newlines are
/// kept, so line numbers still hold, and the quotes stay, so the code keeps its shape.
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r'))) && (i == 0 || !ident(b[i - 1])) && {
            // A raw string: r"..", r#".."#, br#".."#.
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while b.get(j) == Some(&'#') {
                j += 1;
            }
            b.get(j) == Some(&'"')
        } {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            // Keep the prefix and the opening quote.
            out.extend(&b[i..=j]);
            i = j + 1;
            loop {
                if i >= b.len() {
                    break;
                }
                if b[i] == '"' && (1..=hashes).all(|k| b.get(i + k) == Some(&'#')) {
                    out.extend(&b[i..=i + hashes]);
                    i += hashes + 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            // A string (a `b` prefix was already copied as an identifier character).
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' && i + 1 < b.len() {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(b[i]));
                i += 1;
            }
            if i < b.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}', '"') or a lifetime ('a).
            if next == Some('\\') {
                // The backslash and the escaped character (which may be a quote).
                out.push_str("'  ");
                i += 3;
                while i < b.len() && b[i] != '\'' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push('\'');
                    i += 1;
                }
            } else if next.is_some() && b.get(i + 2) == Some(&'\'') {
                out.push_str("' '");
                i += 3;
            } else {
                out.push('\'');
                i += 1;
            }
        } else if ident(c) {
            // A whole identifier, so that the `r` of `for"` or `br` is never misread.
            while i < b.len() && ident(b[i]) {
                out.push(b[i]);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The index of the `close` that matches the `open` at `at`, in stripped code.
fn matching(code: &[char], at: usize, open: char, close: char) -> usize {
    let mut depth = 0usize;
    for (k, &c) in code.iter().enumerate().skip(at) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return k;
            }
        }
    }
    code.len()
}

/// Stripped code with every `#[cfg(test)]` item blanked out, and the names of the modules
/// declared `#[cfg(test)] mod name;` (whose files are test code too). A file with an
/// inner `#![cfg(test)]` is blanked whole.
fn without_test_items(code: &str) -> (String, Vec<String>) {
    let mut c: Vec<char> = code.chars().collect();
    let mut test_mods = Vec::new();
    let squeeze = |s: &[char]| s.iter().filter(|c| !c.is_whitespace()).collect::<String>();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '#' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let inner = c.get(j) == Some(&'!');
        if inner {
            j += 1;
        }
        while c.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        if c.get(j) != Some(&'[') {
            i += 1;
            continue;
        }
        let end = matching(&c, j, '[', ']');
        if squeeze(&c[j + 1..end.min(c.len())]) != "cfg(test)" {
            i = end;
            continue;
        }
        if inner {
            return (
                c.iter().map(|&x| if x == '\n' { x } else { ' ' }).collect(),
                test_mods,
            );
        }
        // The item after the attribute (and any further attributes): up to a `;` at depth
        // 0, or through the braces of its body.
        let mut k = end + 1;
        let mut depth = 0i32;
        let mut item_end = c.len();
        while k < c.len() {
            match c[k] {
                '#' if depth == 0 && c.get(k + 1) == Some(&'[') => {
                    k = matching(&c, k + 1, '[', ']');
                }
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => {
                    item_end = k;
                    break;
                }
                '{' if depth == 0 => {
                    item_end = matching(&c, k, '{', '}');
                    break;
                }
                _ => {}
            }
            k += 1;
        }
        // An out-of-line test module (`mod name;`, after any further attributes and a
        // visibility): its file is test code too.
        let mut item = squeeze(&c[end + 1..item_end.min(c.len())]);
        while item.starts_with("#[") {
            let chars: Vec<char> = item.chars().collect();
            let close = matching(&chars, 1, '[', ']');
            item = chars.get(close + 1..).unwrap_or(&[]).iter().collect();
        }
        if let Some(rest) = item.strip_prefix("pub") {
            item = match rest.strip_prefix('(') {
                Some(r) => r.split_once(')').map_or("", |x| x.1).to_string(),
                None => rest.to_string(),
            };
        }
        if let Some(name) = item
            .strip_prefix("mod")
            .filter(|n| !n.contains('{') && !n.is_empty())
        {
            test_mods.push(name.to_string());
        }
        let n = c.len();
        for x in c.iter_mut().take((item_end + 1).min(n)).skip(i) {
            if *x != '\n' {
                *x = ' ';
            }
        }
        i = item_end + 1;
    }
    (c.into_iter().collect(), test_mods)
}

/// The printing in stripped code: `(line, what)` for each `println!`, `eprintln!`,
/// `print!`, `eprint!`, `dbg!`, `io::stdout` / `io::stderr` and bare `stdout()` /
/// `stderr()` call.
fn printing(code: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        if c[i] == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if !ident(c[i]) || (i > 0 && ident(c[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && ident(c[i]) {
            i += 1;
        }
        let word: String = c[start..i].iter().collect();
        let after = c[i..].iter().copied().find(|c| !c.is_whitespace());
        let before: String = c[..start]
            .iter()
            .rev()
            .filter(|c| !c.is_whitespace())
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let is_macro =
            after == Some('!') && c[i..].iter().filter(|c| !c.is_whitespace()).nth(1) != Some(&'=');
        match word.as_str() {
            "println" | "eprintln" | "print" | "eprint" | "dbg" if is_macro => {
                found.push((line, format!("{word}!")));
            }
            "stdout" | "stderr"
                if before.ends_with("io::") || (after == Some('(') && !before.ends_with('.')) =>
            {
                found.push((line, word));
            }
            _ => {}
        }
    }
    found
}

/// The folder a file's child modules live in: `a/b.rs` → `a/b/`, `a/mod.rs` → `a/`.
fn module_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => dir,
        Some(stem) => dir.join(stem),
        None => dir,
    }
}

#[test]
fn no_library_prints() {
    let mut scanned = 0;
    let mut uses = Vec::new();
    for name in LIBRARIES {
        let src = root().join("crates").join(name).join("src");
        let mut files = Vec::new();
        rust_files_under(&src, &mut files);
        assert!(!files.is_empty(), "{}: no sources", src.display());
        let texts: Vec<(PathBuf, String)> = files
            .into_iter()
            .map(|p| {
                let t = strip(&read(&p));
                (p, t)
            })
            .collect();
        // First every test-only module's file and folder, then the rest.
        let mut test_paths = Vec::new();
        for (p, t) in &texts {
            for m in without_test_items(t).1 {
                let d = module_dir(p);
                test_paths.push(d.join(format!("{m}.rs")));
                test_paths.push(d.join(m));
            }
        }
        for (p, t) in &texts {
            if test_paths.iter().any(|t| p.starts_with(t)) {
                continue;
            }
            scanned += 1;
            for (line, what) in printing(&without_test_items(t).0) {
                uses.push(format!("{}:{line}: {what}", rel(p)));
            }
        }
    }
    assert!(scanned > 80, "only {scanned} library files scanned");
    assert!(
        uses.is_empty(),
        "library code prints (return the text, or log through `tracing` in the server; \
         the CLI prints through its `output` module):\n  {}",
        uses.join("\n  ")
    );
}

/// What `printing` finds in a snippet after stripping and dropping test items.
fn scan(snippet: &str) -> Vec<(usize, String)> {
    printing(&without_test_items(&strip(snippet)).0)
}

#[test]
fn the_print_scanner_catches_planted_prints() {
    let hit = |what: &str, line: usize| vec![(line, what.to_string())];
    assert_eq!(
        scan("fn f() {\n    println!(\"x\");\n}\n"),
        hit("println!", 2)
    );
    assert_eq!(scan("fn f() { eprintln !(\"x\") }"), hit("eprintln!", 1));
    assert_eq!(scan("fn f() { print!(\"x\") }"), hit("print!", 1));
    assert_eq!(scan("fn f() { eprint!(\"x\") }"), hit("eprint!", 1));
    assert_eq!(scan("fn f(x: u8) -> u8 { dbg!(x) }"), hit("dbg!", 1));
    assert_eq!(
        scan("use std::io::Write;\nfn f() { std::io::stdout().write_all(b\"x\").ok(); }"),
        hit("stdout", 2)
    );
    assert_eq!(scan("fn f() { let _ = io::stderr(); }"), hit("stderr", 1));
    assert_eq!(
        scan("use std::io::stdout;\nfn f() { stdout(); }"),
        vec![(1, "stdout".to_string()), (2, "stdout".to_string())]
    );
    // Literals that would derail a naive scanner come before a real use.
    assert_eq!(
        scan("fn f() { let q = '\"'; println!(\"{q}\"); }"),
        hit("println!", 1)
    );
    assert_eq!(scan("fn f<'a>(x: &'a str) { dbg!(x); }"), hit("dbg!", 1));
    assert_eq!(
        scan("fn f() { let s = r#\"a \" b\"#; print!(\"{s}\"); }"),
        hit("print!", 1)
    );
    assert_eq!(
        scan("fn f() { let s = \"a \\\" b\"; print!(\"{s}\"); }"),
        hit("print!", 1)
    );
    // Code after a test module is still scanned.
    assert_eq!(
        scan("#[cfg(test)]\nmod tests {\n    fn t() {}\n}\nfn f() { println!() }\n"),
        hit("println!", 5)
    );
}

#[test]
fn the_print_scanner_ignores_docs_strings_and_tests() {
    for quiet in [
        "//! Prints nothing; use println! in the binary.\n",
        "/// Unlike `eprintln!`, returns the text.\nfn f() {}\n",
        "fn f() { /* dbg!(x) /* nested println!() */ still a comment */ }",
        "fn f() -> &'static str { \"println!(\\\"x\\\")\" }",
        "fn f() -> &'static str { r#\"eprintln!(\"x\")\"# }",
        "fn f() -> &'static [u8] { br\"print!()\" }",
        "fn f() -> char { '!' }",
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { println!(\"{}\", '}'); }\n}\n",
        "#[cfg(test)]\n#[allow(clippy::print_stderr)]\nfn helper() { eprintln!() }\n",
        "#![cfg(test)]\nfn t() { println!() }\n",
        "fn f(c: &mut std::process::Command) { c.stdout(std::process::Stdio::null()); }",
        "fn f(x: bool) -> bool { let print = x; print != true }",
        "macro_rules! my_println { () => {} }\nfn f() { my_println!() }",
    ] {
        assert_eq!(scan(quiet), Vec::new(), "{quiet}");
    }
    let (_, mods) = without_test_items(&strip("mod a;\n#[cfg(test)]\nmod tests;\nfn f() {}\n"));
    assert_eq!(mods, vec!["tests".to_string()]);
    let (_, mods) = without_test_items(&strip(
        "#[cfg(test)]\n#[allow(clippy::print_stderr)] // says what it measured\npub(crate) mod slow;\n",
    ));
    assert_eq!(mods, vec!["slow".to_string()]);
    // An inline test module is blanked where it stands; it names no file.
    let (_, mods) = without_test_items(&strip("#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n"));
    assert!(mods.is_empty(), "{mods:?}");
    assert_eq!(
        module_dir(Path::new("src/ideal.rs")),
        Path::new("src/ideal")
    );
    assert_eq!(module_dir(Path::new("src/lib.rs")), Path::new("src"));
    assert_eq!(
        module_dir(Path::new("src/votes/mod.rs")),
        Path::new("src/votes")
    );
}

#[test]
fn strip_keeps_lines_and_code() {
    let src = "let a = \"x\ny\"; // c\n/* d\ne */ let b = 'c';\n";
    let s = strip(src);
    assert_eq!(s.lines().count(), src.lines().count());
    assert!(s.contains("let a = \""));
    assert!(s.contains("let b = '"));
    assert!(!s.contains('x') && !s.contains('d'));
}

// ---------------------------------------------------------------------------------------
// Rule 3: the pure crates keep their clippy.toml.

/// The `path`s of a clippy.toml's `key` list, each checked to carry a `reason`.
fn banned(file: &Path, text: &str, key: &str) -> Vec<String> {
    let doc: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", rel(file)));
    let list = doc
        .get(key)
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("{}: no `{key}` list", rel(file)));
    list.iter()
        .map(|e| {
            let path = e.get("path").and_then(|p| p.as_str());
            let reason = e.get("reason").and_then(|p| p.as_str());
            match (path, reason) {
                (Some(p), Some(r)) if !r.trim().is_empty() => p.to_string(),
                _ => panic!("{}: `{key}` entry {e} needs a path and a reason", rel(file)),
            }
        })
        .collect()
}

#[test]
fn the_pure_crates_ban_fs_and_env() {
    for name in ["bamboo-core", "bamboo-sim"] {
        let file = root().join("crates").join(name).join("clippy.toml");
        let text = read_opt(&file)
            .unwrap_or_else(|| panic!("{} is missing: it keeps {name} free of I/O", rel(&file)));
        let methods = banned(&file, &text, "disallowed-methods");
        for m in [
            "std::fs::read",
            "std::fs::read_to_string",
            "std::fs::write",
            "std::fs::File::open",
            "std::fs::File::create",
            "std::fs::read_dir",
            "std::env::var",
            "std::env::var_os",
            "std::env::args",
            "std::env::current_dir",
        ] {
            assert!(
                methods.iter().any(|x| x == m),
                "{}: does not ban {m}",
                rel(&file)
            );
        }
        let types = banned(&file, &text, "disallowed-types");
        for t in ["std::fs::File", "std::fs::OpenOptions"] {
            assert!(
                types.iter().any(|x| x == t),
                "{}: does not ban {t}",
                rel(&file)
            );
        }
    }
}
