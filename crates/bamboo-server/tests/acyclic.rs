//! Tidy test: the server's modules import each other without a cycle. It reads `src/**/*.rs`,
//! collects the module edges (`use crate::x::…`, `crate::x::…` in code, `super::…`, and a
//! module's references to its own children, `votes::balance` in `api/mod.rs`), and fails
//! printing the cycle if there is one. Test modules (`#[cfg(test)]` to the end of a file)
//! and comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `src/api/votes.rs` → `api::votes`; `src/lib.rs` → `crate`; `src/api/mod.rs` → `api`.
fn module_of(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = match parts.last().map(String::as_str) {
        Some("mod") | Some("lib") => parts[..parts.len() - 1]
            .iter()
            .map(String::as_str)
            .collect(),
        _ => parts.iter().map(String::as_str).collect(),
    };
    if parts.is_empty() {
        "crate".into()
    } else {
        parts.join("::")
    }
}

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((module_of(p.strip_prefix(root).unwrap()), text));
        }
    }
}

/// The code of a file: no test module, no comment lines, no text after `//`.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| match l.find("//") {
            // `//` inside a string ("http://") is kept: only a `//` outside quotes counts.
            Some(i) if l[..i].matches('"').count() % 2 == 0 => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths after `prefix::` in `code`: `a::b::c`, and each item of `{a, b::c}`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let pat = format!("{prefix}::");
    let mut rest = code;
    while let Some(i) = rest.find(&pat) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + pat.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(k, _)| k);
            let mut item = String::new();
            let mut d = 0;
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => d += 1,
                    '}' => d -= 1,
                    ',' if d == 0 => {
                        out.push(split_path(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let end = rest
                .find(|c: char| !(is_ident(c) || c == ':'))
                .unwrap_or(rest.len());
            out.push(split_path(&rest[..end]));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

fn split_path(s: &str) -> Vec<String> {
    s.split("::")
        .map(|x| x.trim().trim_matches(|c: char| !is_ident(c)).to_string())
        .take_while(|x| !x.is_empty() && x != "self")
        .collect()
}

/// The module a path names: its longest prefix that is a module, else `base` itself.
fn resolve(base: &str, path: &[String], modules: &BTreeSet<String>) -> String {
    for k in (1..=path.len()).rev() {
        let m = path[..k].join("::");
        let m = if base == "crate" {
            m
        } else {
            format!("{base}::{m}")
        };
        if modules.contains(&m) {
            return m;
        }
    }
    base.to_string()
}

fn parent(m: &str) -> String {
    match m.rsplit_once("::") {
        Some((p, _)) => p.to_string(),
        None if m == "crate" => "crate".into(),
        None => "crate".into(),
    }
}

/// The module graph of a crate's sources: `(module, text)` pairs.
fn graph(sources: &[(String, String)]) -> Graph {
    let modules: BTreeSet<String> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut g = Graph::new();
    for (m, text) in sources {
        let code = code(text);
        let mut edges = BTreeSet::new();
        for p in paths_after(&code, "crate") {
            edges.insert(resolve("crate", &p, &modules));
        }
        for p in paths_after(&code, "super") {
            edges.insert(resolve(&parent(m), &p, &modules));
        }
        // A module's own children, named without `crate::`.
        let children: Vec<&String> = modules
            .iter()
            .filter(|c| *c != m && parent(c) == *m)
            .collect();
        for c in children {
            let short = c.rsplit("::").next().unwrap_or(c);
            if !paths_after(&code, short).is_empty() {
                edges.insert(c.clone());
            }
        }
        edges.remove(m);
        g.insert(m.clone(), edges);
    }
    g
}

/// A cycle of the graph, as `a -> b -> … -> a`, if there is one.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_server_modules_form_no_import_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    files(&root, &root, &mut sources);
    // The walk read the whole crate: the files read are the modules the crate declares
    // (`mod x;` in lib.rs and below), no more, no fewer.
    let read: BTreeSet<String> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut declared = BTreeSet::from(["crate".to_string()]);
    for (m, text) in &sources {
        for l in code(text).lines() {
            let l = l.trim();
            let l = ["pub(crate) ", "pub(super) ", "pub "]
                .iter()
                .find_map(|v| l.strip_prefix(v))
                .unwrap_or(l);
            if let Some(name) = l.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                declared.insert(match m.as_str() {
                    "crate" => name.to_string(),
                    parent => format!("{parent}::{name}"),
                });
            }
        }
    }
    assert_eq!(read, declared, "files read against modules declared");
    let g = graph(&sources);
    // The edges the layers rest on are seen (a reader that saw none would pass anyway).
    assert!(g["api::votes"].contains("state"), "{:?}", g["api::votes"]);
    assert!(g["api"].contains("api::votes"), "{:?}", g["api"]);
    assert!(g["middleware"].contains("error"), "{:?}", g["middleware"]);
    assert!(
        g["error"].is_empty(),
        "error must be a leaf: {:?}",
        g["error"]
    );
    if let Some(c) = find_cycle(&g) {
        panic!(
            "the server's modules import each other in a cycle: {}",
            c.join(" -> ")
        );
    }
}

#[test]
fn a_cycle_is_found_and_printed() {
    let src = |m: &str, t: &str| (m.to_string(), t.to_string());
    let sources = vec![
        src(
            "crate",
            "pub mod api; pub mod state; fn f() { api::routes(); }",
        ),
        src(
            "api",
            "pub mod votes;\nuse crate::state::AppState;\nfn r() { votes::balance(); }",
        ),
        src("api::ideal", ""),
        src(
            "api::votes",
            "use crate::{error::ApiError, state};\nfn g() { super::ideal::wait(); }",
        ),
        src("error", "// use crate::state; (a comment is no edge)\n"),
        src("state", "use crate::api::votes::DEFAULT;"),
    ];
    let g = graph(&sources);
    assert!(g["crate"].contains("api"));
    assert!(g["api"].contains("api::votes") && g["api"].contains("state"));
    assert!(g["api::votes"].contains("error") && g["api::votes"].contains("api::ideal"));
    assert!(g["error"].is_empty());
    let c = find_cycle(&g).expect("state -> api::votes -> state");
    assert_eq!(c.first(), c.last());
    assert!(c.contains(&"state".to_string()), "{c:?}");
    // Without the back edge there is none.
    let mut acyclic = sources.clone();
    acyclic[5] = src("state", "use crate::error::ApiError;");
    assert_eq!(find_cycle(&graph(&acyclic)), None);
}
