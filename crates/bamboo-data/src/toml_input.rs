//! Shared plumbing for the TOML readers (cases, doctrines, ledgers): errors that name the
//! file, the case id when known, the key and the line.
//!
//! Syntax, type and unknown-key errors come from `toml` with a byte span. Semantic errors
//! come from core's validators as a dotted field path (`root[1].forbid[0].option`, index
//! 2); the path is walked in a span-preserving parse (`toml_edit`) to find the line.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use bamboo_core::case::FieldError;

/// A located problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line, when it could be found.
    pub line: Option<usize>,
    /// The id of the case (or other entry) the problem is in, when known.
    pub entry: Option<String>,
    /// What the entry is ("case", "event").
    pub entry_kind: &'static str,
    /// The key or field at fault, when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(e) = &self.entry {
            write!(f, ": {} `{}`", self.entry_kind, crate::text::clip(e))?;
        }
        if let Some(k) = &self.field {
            write!(f, ": key `{}`", crate::text::clip(k))?;
        }
        write!(f, ": {}", crate::text::one_line(&self.message))
    }
}

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot read: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the input limit (`--max-input-bytes`).
    #[error("{}: {problem}", file.display())]
    TooLarge { file: PathBuf, problem: String },
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

impl InputError {
    /// The diagnostic, for an invalid input.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            InputError::Invalid(d) => Some(d),
            InputError::Io { .. } | InputError::TooLarge { .. } => None,
        }
    }

    /// An invalid input. Every rejection is located: a problem with no better place (a file
    /// that holds nothing usable) is on line 1, and the message is never empty.
    pub(crate) fn invalid(mut d: Diagnostic) -> InputError {
        if d.line.is_none() {
            d.line = Some(1);
        }
        if d.message.trim().is_empty() {
            d.message = "is not valid here".into();
        }
        InputError::Invalid(Box::new(d))
    }
}

/// Reads a file to a string: at most the input limit (`--max-input-bytes`), and UTF-8
/// (invalid bytes are reported with their line and the key on it).
pub fn read(path: &Path) -> Result<String, InputError> {
    use crate::source::{limit_words, max_input_bytes, read_limited, LimitedReadError};
    let bytes = read_limited(path, max_input_bytes()).map_err(|e| match e {
        LimitedReadError::Io(source) => InputError::Io {
            file: path.to_path_buf(),
            source,
        },
        LimitedReadError::TooLarge { limit } => InputError::TooLarge {
            file: path.to_path_buf(),
            problem: format!(
                "the file is larger than the input limit of {}; pass --max-input-bytes N to raise it",
                limit_words(limit)
            ),
        },
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let json = path.extension().is_some_and(|x| x == "json");
        InputError::invalid(utf8_error(path, e.as_bytes(), e.utf8_error(), json))
    })
}

/// The diagnostic for a text that is not UTF-8: the line and column of the first bad byte,
/// and the key it is in (of a TOML text, or a JSON one when `json`).
pub fn utf8_error(file: &Path, bytes: &[u8], e: std::str::Utf8Error, json: bool) -> Diagnostic {
    let at = e.valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let col = at
        - bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    let text = String::from_utf8_lossy(bytes);
    let field = if json {
        // The lossy text has the same bytes up to the bad one.
        json_key_at(&text, at)
    } else {
        key_near(&text, line)
    };
    Diagnostic {
        file: file.to_path_buf(),
        line: Some(line),
        entry: None,
        entry_kind: "",
        field,
        message: format!(
            "the text is not valid UTF-8 (byte 0x{:02x} at column {col}); save it as UTF-8",
            bytes[at]
        ),
    }
}

/// The `*.toml` files of a folder, sorted by name; none if the folder does not exist.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(InputError::Io {
                file: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for entry in rd {
        let p = entry
            .map_err(|source| InputError::Io {
                file: dir.to_path_buf(),
                source,
            })?
            .path();
        if p.extension().is_some_and(|e| e == "toml") && p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A parsed document that keeps spans, for finding the line of a field path. The
/// span-keeping parse is done on first use, that is only when there is an error to
/// locate: a file that reads cleanly is parsed once, by `toml`.
pub(crate) struct Spans<'a> {
    src: &'a str,
    doc: std::cell::OnceCell<Option<toml_edit::ImDocument<&'a str>>>,
}

impl<'a> Spans<'a> {
    pub(crate) fn new(src: &'a str) -> Spans<'a> {
        Spans {
            src,
            doc: std::cell::OnceCell::new(),
        }
    }

    fn doc(&self) -> Option<&toml_edit::ImDocument<&'a str>> {
        self.doc
            .get_or_init(|| toml_edit::ImDocument::parse(self.src).ok())
            .as_ref()
    }

    fn root(&self) -> Option<&toml_edit::Item> {
        self.doc().map(|d| d.as_item())
    }

    /// The span of a dotted path under `base` (e.g. `case[3]`), each segment a key with
    /// optional `[n]` indices. Falls back to the deepest part of the path that exists.
    pub(crate) fn span(&self, path: &str) -> Option<Range<usize>> {
        let mut item = self.root()?;
        let mut best = None;
        for seg in path.split('.') {
            let (key, rest) = match seg.find('[') {
                Some(i) => (&seg[..i], &seg[i..]),
                None => (seg, ""),
            };
            if !key.is_empty() {
                item = match item.get(key) {
                    Some(x) => x,
                    None => return best,
                };
                best = item.span().or(best);
                if best.is_none() {
                    best = first_span(item);
                }
            }
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                let n: usize = idx.trim_end_matches(']').parse().ok()?;
                item = match item.get(n) {
                    Some(x) => x,
                    None => return best,
                };
                best = item.span().or_else(|| first_span(item)).or(best);
            }
        }
        best
    }

    /// The line of a path, if found.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        self.span(path).map(|s| line_of(self.src, s.start))
    }

    /// The dotted path (`branches.kinds.visit.economy`, `case[2].tags[1]`) of the deepest
    /// key whose key or value covers a byte offset.
    pub(crate) fn path_at(&self, offset: usize) -> Option<String> {
        let root = self.doc()?.as_table();
        let mut path = String::new();
        walk_table(root, offset, &mut path).then_some(path)
    }

    /// The index of the `[[array]]` entry that contains a byte offset.
    pub(crate) fn entry_at(&self, array: &str, offset: usize) -> Option<usize> {
        let aot = self.root()?.get(array)?.as_array_of_tables()?;
        let mut found = None;
        for (i, t) in aot.iter().enumerate() {
            let start = t.span().or_else(|| {
                t.iter()
                    .filter_map(|(_, v)| v.span())
                    .min_by_key(|s| s.start)
            });
            if let Some(s) = start {
                if s.start <= offset {
                    found = Some(i);
                }
            }
        }
        found
    }

    /// A string value at `array[i].key`.
    pub(crate) fn string_at(&self, array: &str, i: usize, key: &str) -> Option<String> {
        self.root()?
            .get(array)?
            .get(i)?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }
}

fn covers(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Appends to `path` the keys down to `offset` within a table; false if nothing covers it.
fn walk_table(t: &dyn toml_edit::TableLike, offset: usize, path: &mut String) -> bool {
    for (k, item) in t.iter() {
        let key_span = t.get_key_value(k).and_then(|(key, _)| key.span());
        let len = path.len();
        push_key(path, k);
        if walk_item(item, key_span, offset, path) {
            return true;
        }
        path.truncate(len);
    }
    false
}

fn walk_item(
    item: &toml_edit::Item,
    key_span: Option<Range<usize>>,
    offset: usize,
    path: &mut String,
) -> bool {
    match item {
        toml_edit::Item::Table(t) => walk_table(t, offset, path) || covers(t.span(), offset),
        toml_edit::Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if walk_table(t, offset, path) || covers(t.span(), offset) {
                    return true;
                }
                path.truncate(len);
            }
            false
        }
        toml_edit::Item::Value(v) => {
            let whole = match (key_span, v.span()) {
                (Some(k), Some(s)) => Some(k.start.min(s.start)..s.end.max(k.end)),
                (k, s) => s.or(k),
            };
            if !covers(whole, offset) {
                return false;
            }
            walk_value(v, offset, path);
            true
        }
        toml_edit::Item::None => false,
    }
}

/// Descends into arrays and inline tables as far as the offset goes.
fn walk_value(v: &toml_edit::Value, offset: usize, path: &mut String) {
    match v {
        toml_edit::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if covers(x.span(), offset) {
                    path.push_str(&format!("[{i}]"));
                    walk_value(x, offset, path);
                    return;
                }
            }
        }
        toml_edit::Value::InlineTable(t) => {
            walk_table(t, offset, path);
        }
        _ => {}
    }
}

fn first_span(item: &toml_edit::Item) -> Option<Range<usize>> {
    match item {
        toml_edit::Item::Table(t) => t.span().or_else(|| {
            t.iter()
                .filter_map(|(_, v)| v.span())
                .min_by_key(|s| s.start)
        }),
        toml_edit::Item::ArrayOfTables(a) => a.iter().find_map(|t| t.span()),
        other => other.span(),
    }
}

/// A diagnostic for a `toml` deserialisation error (syntax, type, unknown or missing key).
/// `array` names the `[[...]]` tables whose entries carry an `id` (e.g. `case`), so the
/// entry at fault can be named. The key is the one the message names, else the one whose
/// value the error points at (found in a span-keeping parse), else the key written on or
/// above the line (for a file too broken to parse).
pub(crate) fn from_toml_error(
    file: &Path,
    src: &str,
    e: &toml::de::Error,
    array: Option<&'static str>,
) -> Diagnostic {
    let spans = Spans::new(src);
    let mut entry = None;
    let mut path = None;
    let line = match e.span() {
        Some(s) => {
            let at = s.start.min(src.len());
            if let Some(a) = array {
                if let Some(i) = spans.entry_at(a, at) {
                    entry = spans
                        .string_at(a, i, "id")
                        .or_else(|| Some(format!("#{}", i + 1)));
                }
            }
            path = spans.path_at(at);
            Some(line_of(src, at))
        }
        None => None,
    };
    let raw = e.message().trim();
    let value = e.span().and_then(|s| src.get(s)).unwrap_or("");
    let message = friendly(raw, value);
    let mut field = key_in_message(raw);
    if field.is_none() {
        field = path.map(|p| match (array, &entry) {
            // Within an entry, the key is named relative to it: `tally.yes` in case `x`.
            (Some(a), Some(_)) => strip_entry(&p, a),
            _ => p,
        });
    }
    if field.is_none() {
        field = line.and_then(|l| key_near(src, l));
    }
    Diagnostic {
        file: file.to_path_buf(),
        line,
        entry,
        entry_kind: array.unwrap_or(""),
        field,
        message,
    }
}

/// A problem the engine found with one case (its subject, its `actual`), located in the
/// text the case came from: the line of `case[i].key` for the case with this id.
pub fn locate_case(
    file: &Path,
    src: &str,
    id: &str,
    key: &str,
    message: &str,
) -> Option<Diagnostic> {
    let spans = Spans::new(src);
    let line = if spans.doc().is_some() {
        let n = spans.root()?.get("case")?.as_array_of_tables()?.len();
        let i = (0..n).find(|&i| spans.string_at("case", i, "id").as_deref() == Some(id))?;
        spans
            .line(&format!("case[{i}].{key}"))
            .or_else(|| spans.line(&format!("case[{i}]")))
    } else {
        // JSON: the line of the case's id, then of the key after it.
        let quoted = serde_json::to_string(id).ok()?;
        let at = src
            .find(&format!("\"id\": {quoted}"))
            .or_else(|| src.find(&quoted))?;
        let key_at = src[at..].find(&format!("\"{key}\"")).map_or(at, |k| at + k);
        Some(line_of(src, key_at))
    };
    Some(Diagnostic {
        file: file.to_path_buf(),
        line,
        entry: Some(id.to_string()),
        entry_kind: "case",
        field: Some(key.to_string()),
        message: message.to_string(),
    })
}

/// [`locate_case`] over the case files the case may have come from.
pub fn locate_case_in_files(
    files: &[PathBuf],
    id: &str,
    key: &str,
    message: &str,
) -> Option<InputError> {
    files.iter().find_map(|f| {
        let src = read(f).ok()?;
        locate_case(f, &src, id, key, message).map(InputError::invalid)
    })
}

/// A diagnostic for a JSON text that does not parse or does not have the expected shape:
/// the line, and the key at the error's position.
pub fn json_error(file: &Path, src: &str, e: &serde_json::Error) -> Diagnostic {
    from_json_error(file, src, e, None)
}

/// A diagnostic for a JSON deserialisation error of the same structures (the server's
/// request bodies): the line, and the key at the error's position.
pub(crate) fn from_json_error(
    file: &Path,
    src: &str,
    e: &serde_json::Error,
    array: Option<&'static str>,
) -> Diagnostic {
    let line = (e.line() > 0).then_some(e.line());
    let offset = line.map(|l| {
        let start: usize = src.split_inclusive('\n').take(l - 1).map(str::len).sum();
        (start + e.column().saturating_sub(1)).min(src.len())
    });
    let raw = e.to_string();
    // serde_json ends its messages with " at line L column C"; the line is said already.
    let raw = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    let mut field = key_in_message(&raw);
    let mut entry = None;
    if field.is_none() {
        let path = offset.and_then(|o| json_key_at(src, o));
        if let Some(path) = path {
            match array.and_then(|a| path.strip_prefix(&format!("{a}["))) {
                Some(rest) => {
                    let (i, tail) = rest.split_once(']').unwrap_or((rest, ""));
                    entry = i.parse::<usize>().ok().map(|i| format!("#{}", i + 1));
                    let tail = tail.trim_start_matches('.');
                    field = Some(if tail.is_empty() {
                        path.clone()
                    } else {
                        tail.to_string()
                    });
                }
                None => field = Some(path),
            }
        }
    }
    if field.is_none() {
        field = array.map(str::to_string);
    }
    Diagnostic {
        file: file.to_path_buf(),
        line,
        entry,
        entry_kind: array.unwrap_or(""),
        field,
        message: friendly(&raw, ""),
    }
}

/// The dotted path (`case[0].tally.yes`) of the value at a byte offset of a JSON text, read
/// from the text before it (so it works on a text that does not parse to the end). Between
/// two keys of an object (a stray comma, a key that is not a string) it is the key before.
pub fn json_path_at(src: &str, offset: usize) -> Option<String> {
    enum Frame {
        /// The key whose value is being read, and the last key of the object.
        Object(Option<String>, Option<String>),
        Array(usize),
    }
    let b = src.as_bytes();
    let end = offset.min(b.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut last_string: Option<String> = None;
    while i < end {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                last_string = src.get(start..i.min(b.len())).map(str::to_string);
            }
            b':' => {
                if let Some(Frame::Object(k, last)) = stack.last_mut() {
                    *k = last_string.take();
                    last.clone_from(k);
                }
            }
            b',' => {
                last_string = None;
                match stack.last_mut() {
                    Some(Frame::Array(n)) => *n += 1,
                    Some(Frame::Object(k, _)) => *k = None,
                    None => {}
                }
            }
            b'{' => {
                last_string = None;
                stack.push(Frame::Object(None, None));
            }
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    let depth = stack.len();
    for (d, f) in stack.iter().enumerate() {
        let key = match f {
            Frame::Object(Some(k), _) => Some(k),
            // A key being written (a string in a key's place), else the key before.
            Frame::Object(None, last)
                if d + 1 == depth && (last_string.is_some() || last.is_some()) =>
            {
                last_string.as_ref().or(last.as_ref())
            }
            Frame::Object(None, _) => break,
            Frame::Array(n) => {
                path.push_str(&format!("[{n}]"));
                None
            }
        };
        if let Some(k) = key {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
        }
    }
    if path.is_empty() && stack.is_empty() {
        // A string at the top level: the key of an object whose `{` is missing.
        return last_string.filter(|k| !k.is_empty());
    }
    (!path.is_empty()).then_some(path)
}

/// The key at a byte offset of a JSON text: its path, else the key written before, else the
/// one after.
pub fn json_key_at(src: &str, offset: usize) -> Option<String> {
    json_path_at(src, offset)
        .or_else(|| json_key_before(src, offset))
        .or_else(|| json_key_after(src, offset))
}

/// The first `"key":` written after a byte offset of a JSON text.
fn json_key_after(src: &str, offset: usize) -> Option<String> {
    let tail = src.get(offset.min(src.len())..)?;
    let colon = tail.find("\":")?;
    let key = match tail[..colon].rfind('"') {
        Some(open) => &tail[open + 1..colon],
        // A key that lost its opening quote: the word before `":`.
        None => {
            let start = tail[..colon]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            &tail[start..colon]
        }
    };
    (!key.is_empty()).then(|| crate::text::clip(key))
}

/// The last `"key":` written before a byte offset of a JSON text.
fn json_key_before(src: &str, offset: usize) -> Option<String> {
    // Up to just past the offset: an error at a key's `:` is about that key.
    let mut end = (offset + 2).min(src.len());
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let head = src.get(..end)?;
    let colon = head.rfind("\":")?;
    let open = head[..colon].rfind('"')?;
    Some(crate::text::clip(&head[open + 1..colon]))
}

/// `case[3].tally.yes` → `tally.yes` (the path within the entry).
fn strip_entry(path: &str, array: &str) -> String {
    let Some(rest) = path.strip_prefix(&format!("{array}[")) else {
        return path.to_string();
    };
    match rest.split_once("].") {
        Some((_, tail)) if !tail.is_empty() => tail.to_string(),
        _ => path.to_string(),
    }
}

/// A serde or TOML message in the words of this project's files, never empty.
fn friendly(raw: &str, value: &str) -> String {
    let v = value.trim();
    let is_datetime = v.len() >= 10
        && v.as_bytes()[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if is_datetime && raw.contains("invalid type") {
        return format!("`{v}` is a TOML date; write dates as quoted strings, \"YYYY-MM-DD\"");
    }
    let mut m = raw.to_string();
    for (from, to) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected a list [...]"),
        ("expected a map", "expected a table"),
        ("invalid type: map,", "invalid type: table or date,"),
        ("invalid type: sequence,", "invalid type: list,"),
    ] {
        m = m.replace(from, to);
    }
    let m = crate::text::one_line(&m);
    if m.is_empty() {
        "this is not valid TOML here".into()
    } else {
        m
    }
}

/// The key written on `line` (1-based) of a TOML text or the nearest one above it, with
/// the table it is in (`branches.balance`), for errors in a text that does not parse. A
/// line that is a table header gives the table; a line before any key, the first key below.
pub fn key_near(src: &str, line: usize) -> Option<String> {
    let line = line.max(1);
    let mut header: Option<String> = None;
    let mut key: Option<String> = None;
    for (i, l) in src.lines().enumerate().take(line) {
        let t = l.trim_start();
        let at_error = i + 1 == line;
        if let Some(h) = header_of(t) {
            header = Some(h);
            key = None;
        } else if let Some(k) = key_of(t, at_error) {
            key = Some(k);
        }
    }
    let found = match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(h), None) => Some(h),
        (None, None) => None,
    };
    found.or_else(|| {
        src.lines()
            .skip(line)
            .map(str::trim_start)
            .find_map(|t| header_of(t).or_else(|| key_of(t, false)))
    })
}

/// The table a `[table]` or `[[table]]` header line names.
fn header_of(t: &str) -> Option<String> {
    let close = t.find(']').unwrap_or(t.len());
    if !t.starts_with('[') || t.find('=').is_some_and(|e| e < close) {
        return None;
    }
    let name = t.trim_start_matches('[');
    let name = name.split(']').next().unwrap_or("").trim();
    let name = name.replace([' ', '"', '\''], "");
    (!name.is_empty()).then(|| crate::text::clip(&name))
}

/// The key of a `key = value` line. On the line an error is on, whatever stands before the
/// `=` is the key, even if it is not a valid one (that may be the error).
fn key_of(t: &str, lenient: bool) -> Option<String> {
    if t.starts_with('#') || t.is_empty() {
        return None;
    }
    let Some((k, _)) = t.split_once('=') else {
        // A bare word where a key was expected (`expected '='`): that word.
        let word: String = t.split_whitespace().next()?.chars().take(40).collect();
        return lenient.then_some(word);
    };
    let k = k.trim();
    let valid = k
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '));
    (!k.is_empty() && (valid || lenient))
        .then(|| crate::text::clip(&k.replace([' ', '"', '\''], "")))
}

/// The key a serde message is about (`unknown field `x``, `missing field `x``).
fn key_in_message(m: &str) -> Option<String> {
    for pat in [
        "unknown field `",
        "missing field `",
        "duplicate key `",
        "duplicate field `",
    ] {
        if let Some(i) = m.find(pat) {
            let rest = &m[i + pat.len()..];
            return rest.find('`').map(|j| match &rest[..j] {
                "" => "\"\"".to_string(),
                k => k.to_string(),
            });
        }
    }
    None
}

/// A diagnostic for a semantic error found by a core validator, located by its path.
pub(crate) fn from_field_error(
    file: &Path,
    spans: &Spans,
    base: &str,
    entry: Option<(&'static str, String)>,
    e: &FieldError,
) -> Diagnostic {
    let (entry_kind, entry) = match entry {
        Some((k, id)) => (k, Some(id)),
        None => ("", None),
    };
    let path = if base.is_empty() {
        e.field.clone()
    } else {
        format!("{base}.{}", e.field)
    };
    let full = match e.index {
        Some(i) => format!("{path}[{i}]"),
        None => path.clone(),
    };
    Diagnostic {
        file: file.to_path_buf(),
        line: spans.line(&full).or_else(|| spans.line(base)),
        entry,
        entry_kind,
        field: Some(match e.index {
            Some(i) => format!("{}[{i}]", e.field),
            None => e.field.clone(),
        }),
        message: e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_are_found_in_broken_texts() {
        let src = "{\n  \"case\": [\n    {\"id\": \"a\", \"tally\": {\"yes\": x}}\n  ]\n}";
        let at = src.find('x').unwrap();
        assert_eq!(json_path_at(src, at).as_deref(), Some("case[0].tally.yes"));
        // Between keys, a key being written, a key that lost its quote, a lone top string.
        assert_eq!(json_key_at("{\"a\": 1,,", 8).as_deref(), Some("a"));
        assert_eq!(json_key_at("{\n  \"da", 6).as_deref(), Some("da"));
        assert_eq!(
            json_key_at("{\n  doctrines\": [1]}", 4).as_deref(),
            Some("doctrines")
        );
        assert_eq!(json_key_at("  \"runs\": 5", 8).as_deref(), Some("runs"));
        // Multi-byte characters never split.
        for s in ["{\u{fffd}x\": 1", "\u{fffd}\u{fffd}\":", "{\"é\u{fffd}"] {
            for i in 0..=s.len() {
                let _ = json_key_at(s, i);
            }
        }
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn json_and_toml_key_finders_never_panic(s in "\\PC{0,60}|[{}\\[\\]\":,a-z\u{fffd} \n]{0,60}", i in 0usize..80) {
            let _ = json_key_at(&s, i);
            let _ = key_near(&s, i);
        }
    }

    #[test]
    fn paths_resolve_to_lines() {
        let src = "[a]\nx = 1\n\n[[case]]\nid = \"one\"\ntags = [\"p\",\n  \"q\"]\n[case.positions]\nyes = [\"USA\"]\n";
        let s = Spans::new(src);
        assert_eq!(s.line("a.x"), Some(2));
        assert_eq!(s.line("case[0].tags[1]"), Some(7));
        assert_eq!(s.line("case[0].positions.yes[0]"), Some(9));
        assert_eq!(s.line("case[0].nothing"), Some(4).or(s.line("case[0]")));
        assert_eq!(s.entry_at("case", 40), Some(0));
        assert_eq!(s.string_at("case", 0, "id").as_deref(), Some("one"));
    }
}
