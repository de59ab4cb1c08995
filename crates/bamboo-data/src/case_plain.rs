//! A fast reader for case files written in the plain form (`bamboo cases from-votes`, the
//! shipped case files, [`crate::case::cases_toml`]): `[[case]]`, `[case.positions]` and
//! `[case.tally]` headers, one `key = value` per line, values that are strings, one-line
//! lists of strings or whole numbers, and comments.
//!
//! It is a strict subset of TOML read into the same structure as the `toml` reader, and it
//! gives up (`None`) on anything else, or on anything the `toml` reader would refuse (an
//! unknown or repeated key, a wrong type, a missing key, a table written twice). The caller
//! then reads the text with `toml`, whose errors are located as always: this reader never
//! produces an error of its own. It reads a 10,000-case file several times faster than a
//! general TOML parser, and a large file in pieces cut at `[[case]]` lines, in parallel.
//! The positions' country codes, most of such a file, are parsed as they are read (with
//! `Iso3::parse`, as the case's validation would): a text that is not a code is left to
//! `toml` too, whose reading then reports it.

use bamboo_core::Iso3;

use crate::case::{CaseFile, RawCase, RawPositions, RawTally};

/// The table the lines being read belong to.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Table {
    Top,
    Case,
    Positions,
    Tally,
}

/// One case being read: the fields seen so far.
#[derive(Default)]
struct Partial {
    id: Option<String>,
    date: Option<String>,
    subject: Option<String>,
    kind: Option<String>,
    title: Option<String>,
    target: Option<String>,
    counterpart: Option<String>,
    tier: Option<String>,
    tags: Option<Vec<String>>,
    sources: Option<Vec<String>>,
    actual: Option<String>,
    positions: Option<RawPositions<Iso3>>,
    tally: Option<RawTally>,
}

impl Partial {
    fn finish(self) -> Option<RawCase<Iso3>> {
        Some(RawCase {
            id: self.id?,
            date: self.date?,
            subject: self.subject?,
            kind: self.kind?,
            title: self.title?,
            target: self.target,
            counterpart: self.counterpart,
            tier: self.tier,
            tags: self.tags.unwrap_or_default(),
            sources: self.sources?,
            actual: self.actual,
            positions: self.positions,
            tally: self.tally,
        })
    }
}

/// A value as written.
enum Value {
    Str(String),
    List(Vec<String>),
    /// A list of strings under `[case.positions]`, each a country code.
    Codes(Vec<Iso3>),
    Int(u32),
}

/// Reads a case file in the plain form, or `None` when the text is not in it (or is not
/// valid): the caller then reads it with `toml`.
pub(crate) fn parse(src: &str) -> Option<CaseFile<Iso3>> {
    // A large file is read in pieces, in parallel: [`pieces`].
    let n = if src.len() < PIECE_BYTES {
        1
    } else {
        (src.len() / PIECE_BYTES).min(4 * rayon::current_num_threads())
    };
    parse_in(src, n)
}

/// The size of the pieces a large file is read in.
const PIECE_BYTES: usize = 1 << 20;

/// [`parse`], the text cut into about `n` pieces.
fn parse_in(src: &str, n: usize) -> Option<CaseFile<Iso3>> {
    use rayon::prelude::*;
    if src.contains('\r') || src.starts_with('\u{feff}') {
        return None;
    }
    let parts: Vec<Option<CaseFile<Iso3>>> = pieces(src, n).into_par_iter().map(lines).collect();
    let mut case = Vec::with_capacity(parts.iter().flatten().map(|p| p.case.len()).sum());
    for p in parts {
        case.extend(p?.case);
    }
    Some(CaseFile { case })
}

/// The text cut into about `n` pieces, each after the first starting at a `[[case]]` line
/// (the line reader carries nothing across one: the case before it is finished, and a new
/// one begins), so reading the pieces one after the other reads the whole text.
fn pieces(src: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (src.len() * k / n).max(start);
        let Some(at) = src[target..].find("\n[[case]]") else {
            break;
        };
        let cut = target + at + 1;
        if cut > start {
            out.push(&src[start..cut]);
            start = cut;
        }
    }
    out.push(&src[start..]);
    out
}

/// Reads the lines of a piece (the whole text, or a part that starts at a `[[case]]` line).
fn lines(src: &str) -> Option<CaseFile<Iso3>> {
    // As many as the piece has `[[case]]` headers at a line's start (fewer if some are
    // indented): the cases are moved into place once, not again each time the list grows.
    let headers = usize::from(src.starts_with("[[case]]")) + src.matches("\n[[case]]").count();
    let mut cases: Vec<RawCase<Iso3>> = Vec::with_capacity(headers);
    let mut cur: Option<Partial> = None;
    let mut table = Table::Top;
    for line in src.split('\n') {
        let t = line.trim_start_matches([' ', '\t']);
        if t.is_empty() || t.starts_with('#') {
            comment_ok(t)?;
            continue;
        }
        if t.starts_with('[') {
            let close = if t.starts_with("[[") { "]]" } else { "]" };
            let i = t.find(close)?;
            let (head, rest) = t.split_at(i + close.len());
            end_ok(rest)?;
            match head {
                "[[case]]" => {
                    if let Some(p) = cur.take() {
                        cases.push(p.finish()?);
                    }
                    cur = Some(Partial::default());
                    table = Table::Case;
                }
                "[case.positions]" => {
                    let p = cur.as_mut()?;
                    if p.positions.is_some() {
                        return None;
                    }
                    p.positions = Some(RawPositions::default());
                    table = Table::Positions;
                }
                "[case.tally]" => {
                    let p = cur.as_mut()?;
                    if p.tally.is_some() {
                        return None;
                    }
                    p.tally = Some(RawTally::default());
                    table = Table::Tally;
                }
                _ => return None,
            }
            continue;
        }
        let eq = t.find('=')?;
        let key = t[..eq].trim_end_matches([' ', '\t']);
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        let (value, rest) = value(
            t[eq + 1..].trim_start_matches([' ', '\t']),
            table == Table::Positions,
        )?;
        end_ok(rest)?;
        let p = cur.as_mut()?;
        set(p, table, key, value)?;
    }
    if let Some(p) = cur.take() {
        cases.push(p.finish()?);
    }
    Some(CaseFile { case: cases })
}

/// Stores a value under its key, or `None` for a key or a type the `toml` reader would
/// refuse, or a key given twice.
fn set(p: &mut Partial, table: Table, key: &str, v: Value) -> Option<()> {
    fn once<T>(slot: &mut Option<T>, x: T) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(x);
        Some(())
    }
    match table {
        Table::Top => None,
        Table::Case => match (key, v) {
            ("id", Value::Str(s)) => once(&mut p.id, s),
            ("date", Value::Str(s)) => once(&mut p.date, s),
            ("subject", Value::Str(s)) => once(&mut p.subject, s),
            ("kind", Value::Str(s)) => once(&mut p.kind, s),
            ("title", Value::Str(s)) => once(&mut p.title, s),
            ("target", Value::Str(s)) => once(&mut p.target, s),
            ("counterpart", Value::Str(s)) => once(&mut p.counterpart, s),
            ("tier", Value::Str(s)) => once(&mut p.tier, s),
            ("actual", Value::Str(s)) => once(&mut p.actual, s),
            ("tags", Value::List(l)) => once(&mut p.tags, l),
            ("sources", Value::List(l)) => once(&mut p.sources, l),
            _ => None,
        },
        Table::Positions => {
            let pos = p.positions.as_mut()?;
            let Value::Codes(l) = v else { return None };
            match key {
                "yes" => once(&mut pos.yes, l),
                "no" => once(&mut pos.no, l),
                "abstain" => once(&mut pos.abstain, l),
                "support" => once(&mut pos.support, l),
                "oppose" => once(&mut pos.oppose, l),
                _ => None,
            }
        }
        Table::Tally => {
            let tally = p.tally.as_mut()?;
            let Value::Int(n) = v else { return None };
            match key {
                "yes" => once(&mut tally.yes, n),
                "no" => once(&mut tally.no, n),
                "abstain" => once(&mut tally.abstain, n),
                _ => None,
            }
        }
    }
}

/// What may follow a value or a header on its line: blanks, then nothing or a comment.
fn end_ok(rest: &str) -> Option<()> {
    let r = rest.trim_start_matches([' ', '\t']);
    if r.is_empty() {
        Some(())
    } else if r.starts_with('#') {
        comment_ok(r)
    } else {
        None
    }
}

/// A comment (or blank line) holds no control character but tab.
fn comment_ok(t: &str) -> Option<()> {
    t.bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
        .then_some(())
}

/// A value at the start of `s`, and the text after it; a list of strings as country codes
/// when `codes` (`None` if one is not a code).
fn value(s: &str, codes: bool) -> Option<(Value, &str)> {
    match s.as_bytes().first()? {
        b'"' | b'\'' => {
            let (x, rest) = string(s)?;
            Some((Value::Str(x), rest))
        }
        b'[' if codes => {
            let (items, rest) = list(s, |r| {
                let (x, after) = str_at(r)?;
                Some((Iso3::parse(&x).ok()?, after))
            })?;
            Some((Value::Codes(items), rest))
        }
        b'[' => {
            let (items, rest) = list(s, string)?;
            Some((Value::List(items), rest))
        }
        b'0'..=b'9' => {
            let end = s
                .bytes()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(s.len());
            let digits = &s[..end];
            // TOML: no leading zeros; `toml` refuses a number too large for a u32.
            if digits.len() > 1 && digits.starts_with('0') {
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            let rest = &s[end..];
            // `12_000`, `1e3`, `1.5`, a date: not the plain form.
            if rest.starts_with(|c: char| !matches!(c, ' ' | '\t' | '#')) {
                return None;
            }
            Some((Value::Int(n), rest))
        }
        _ => None,
    }
}

/// A one-line list at the start of `s` (`[`, items read by `item`, commas, `]`, a comma
/// after the last allowed), and the text after it.
fn list<T>(s: &str, item: impl Fn(&str) -> Option<(T, &str)>) -> Option<(Vec<T>, &str)> {
    // About one item per comma (a comma inside a string only reserves one more), so the
    // list does not grow item by item.
    let mut items = Vec::with_capacity(s.bytes().filter(|&b| b == b',').count() + 1);
    let mut r = s.strip_prefix('[')?.trim_start_matches([' ', '\t']);
    loop {
        if let Some(after) = r.strip_prefix(']') {
            return Some((items, after));
        }
        let (x, after) = item(r)?;
        items.push(x);
        r = after.trim_start_matches([' ', '\t']);
        if let Some(after) = r.strip_prefix(',') {
            r = after.trim_start_matches([' ', '\t']);
        } else if !r.starts_with(']') {
            return None;
        }
    }
}

/// A basic (`"…"`, with TOML's escapes) or literal (`'…'`) one-line string at the start of
/// `s`, and the text after it.
fn string(s: &str) -> Option<(String, &str)> {
    let (x, rest) = str_at(s)?;
    Some((x.into_owned(), rest))
}

/// [`string`], borrowed from `s` when it holds nothing to unescape.
fn str_at(s: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    use std::borrow::Cow;
    let quote = *s.as_bytes().first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    // Multi-line strings are not the plain form.
    if s.as_bytes().get(1) == Some(&quote) && s.as_bytes().get(2) == Some(&quote) {
        return None;
    }
    let body = &s[1..];
    // Most strings (country codes, ids, dates) hold nothing to unescape: copied at once.
    if let Some(i) = body
        .bytes()
        .position(|b| b == quote || (b == b'\\' && quote == b'"') || b < 0x20 || b == 0x7f)
    {
        if body.as_bytes()[i] == quote {
            return Some((Cow::Borrowed(&body[..i]), &body[i + 1..]));
        }
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == char::from(quote) => return Some((Cow::Owned(out), &body[i + 1..])),
            '\\' if quote == b'"' => {
                let (_, e) = chars.next()?;
                match e {
                    'b' => out.push('\u{8}'),
                    't' => out.push('\t'),
                    'n' => out.push('\n'),
                    'f' => out.push('\u{c}'),
                    'r' => out.push('\r'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' | 'U' => {
                        let len = if e == 'u' { 4 } else { 8 };
                        let mut code = 0u32;
                        for _ in 0..len {
                            let (_, h) = chars.next()?;
                            code = code * 16 + h.to_digit(16)?;
                        }
                        out.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => return None,
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `toml` reads, the positions' codes parsed as validation parses them: `None`
    /// when `toml` refuses the text or a code is not one (the plain reader then leaves the
    /// text to `toml`, whose reading reports it).
    fn toml_reads(src: &str) -> Option<CaseFile<Iso3>> {
        let f = toml::from_str::<CaseFile>(src).ok()?;
        let codes = |l: Option<Vec<String>>| -> Option<Option<Vec<Iso3>>> {
            l.map(|l| l.iter().map(|c| Iso3::parse(c).ok()).collect())
                .map_or(Some(None), |l: Option<Vec<Iso3>>| l.map(Some))
        };
        let case = f
            .case
            .into_iter()
            .map(|r| {
                let positions = match r.positions {
                    None => None,
                    Some(p) => Some(RawPositions {
                        yes: codes(p.yes)?,
                        no: codes(p.no)?,
                        abstain: codes(p.abstain)?,
                        support: codes(p.support)?,
                        oppose: codes(p.oppose)?,
                    }),
                };
                Some(RawCase {
                    id: r.id,
                    date: r.date,
                    subject: r.subject,
                    kind: r.kind,
                    title: r.title,
                    target: r.target,
                    counterpart: r.counterpart,
                    tier: r.tier,
                    tags: r.tags,
                    sources: r.sources,
                    actual: r.actual,
                    positions,
                    tally: r.tally,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(CaseFile { case })
    }

    /// A code that `Iso3::parse` refuses, or a value that is not a string, leaves the text
    /// to `toml`; a code it takes (in either case, padded) is read as it reads it.
    #[test]
    fn positions_are_read_as_codes() {
        let head = "[[case]]\nid = \"a\"\ndate = \"2022-03-02\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"t\"\nsources = [\"s\"]\n[case.positions]\n";
        let ok = format!("{head}yes = [\"usa\", ' CHN', \"R\\u0055S\"]\nno = []\n");
        let fast = parse(&ok).expect("plain form");
        let yes = fast.case[0]
            .positions
            .as_ref()
            .unwrap()
            .yes
            .clone()
            .unwrap();
        assert_eq!(yes, ["USA", "CHN", "RUS"].map(Iso3::from_static));
        assert_eq!(Some(fast), toml_reads(&ok));
        for bad in [
            "yes = [\"US\"]\n",
            "yes = [\"U5A\"]\n",
            "yes = [\"USA\", \"\"]\n",
            "yes = \"USA\"\n",
            "yes = [1]\n",
            "yes = [\"USAX\"]\n",
        ] {
            assert!(parse(&format!("{head}{bad}")).is_none(), "{bad:?}");
        }
    }

    const GOOD: &str = "# a comment\n\n[[case]]\nid = \"a\"\ndate = \"2022-03-02\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"A \\\"vote\\\" \\u00e9\"  # why\ntarget = 'RUS'\ntags = [\"use_of_force\", \"humanitarian\",]\nsources = []\nactual = \"abstain\"\n\n[case.positions]\nyes = [\"USA\"]\nno = [ \"RUS\" , 'CHN' ]\n\n[case.tally]\nyes = 141\nno = 0\n\n[[case]]\nid = \"b\"\ndate = \"2022-03-03\"\nsubject = \"VNM\"\nkind = \"un_vote\"\ntitle = \"B\"\nsources = [\"s\"]\n";

    #[test]
    fn the_plain_form_reads_as_toml_reads_it() {
        let fast = parse(GOOD).expect("plain form");
        assert_eq!(Some(&fast), toml_reads(GOOD).as_ref());
        assert_eq!(fast.case.len(), 2);
        assert_eq!(fast.case[0].title, "A \"vote\" é");
    }

    #[test]
    fn the_shipped_case_files_read_as_toml_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cases");
        let mut n = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let p = entry.unwrap().path();
            let src = std::fs::read_to_string(&p).unwrap();
            let fast = parse(&src).unwrap_or_else(|| panic!("{}: not read", p.display()));
            assert_eq!(Some(fast), toml_reads(&src), "{}", p.display());
            n += 1;
        }
        assert!(n >= 2, "the shipped case files are data/cases/*.toml");
    }

    #[test]
    fn anything_else_is_left_to_toml() {
        for bad in [
            "[[case]]\nid = \"a\"\nid = \"b\"\n",          // repeated key
            "id = \"a\"\n",                                // before any case
            "[[case]]\nbogus = 1\n",                       // unknown key
            "[[case]]\nid = 1\n",                          // wrong type
            "[[case]]\nid = \"a\"\n",                      // missing keys
            "[[case]]\n[case.tally]\n[case.tally]\n",      // table twice
            "[[case]]\ntags = [\"a\",\n  \"b\"]\n",        // multi-line list
            "[[case]]\ntitle = \"\"\"x\"\"\"\n",           // multi-line string
            "[[case]]\n[case.tally]\nyes = 012\n",         // leading zero
            "[[case]]\n[case.tally]\nyes = 99999999999\n", // too large
            "[[case]]\n[case.tally]\nyes = 1_000\n",       // underscores
            "[[case]]\ndate = 2020-01-01\n",               // a TOML date
            "[[case]]\ntitle = \"a\\qb\"\n",               // bad escape
            "[[case]]\ntitle = \"a\" b\n",                 // text after
            "[[case]]\r\n",                                // CR LF
            "[case]\n",                                    // other header
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }

    /// Read in pieces (in parallel), a file reads as in one piece: the shipped files, the
    /// good file repeated, and their mutants (accepted or not alike).
    #[test]
    fn pieces_read_as_the_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut texts: Vec<String> = ["data/cases/vietnam-record.toml", "data/cases/india.toml"]
            .iter()
            .map(|f| std::fs::read_to_string(root.join(f)).unwrap())
            .collect();
        texts.push(GOOD.repeat(7));
        texts.push(format!("# only a comment\n{}", GOOD.repeat(3)));
        let broken = GOOD.repeat(5);
        let mid = broken.len() / 2 + broken[broken.len() / 2..].find("\nid = ").unwrap();
        texts.push(format!(
            "{}\nid = \"again\"{}",
            &broken[..mid],
            &broken[mid..]
        ));
        for text in &texts {
            let whole = parse_in(text, 1);
            for n in 2..9 {
                let cut = pieces(text, n);
                assert_eq!(cut.concat(), *text);
                assert!(cut.iter().skip(1).all(|p| p.starts_with("[[case]]")));
                assert_eq!(parse_in(text, n), whole, "{n} pieces");
            }
        }
        assert!(parse_in(&texts[2], 4)
            .is_some_and(|f| f.case.len() == 7 * parse_in(GOOD, 1).unwrap().case.len()));
        assert!(parse_in(&texts[4], 4).is_none());
    }

    /// Strings with nothing to unescape are copied at once; anything else goes through
    /// the escapes as before, with the same result as `toml`.
    #[test]
    fn strings_read_as_toml_reads_them() {
        let cases = [
            (r#""VNM", "CHN""#, Some(("VNM", r#", "CHN""#))),
            (r#""""#, Some(("", ""))),
            (r#""a\tb\u00e9\"c" x"#, Some(("a\tb\u{e9}\"c", " x"))),
            ("\"tab\there\"", Some(("tab\there", ""))),
            (r#"'lit\eral' ,"#, Some((r"lit\eral", " ,"))),
            ("\"ctrl\u{1}\"", None),
            ("\"del\u{7f}\"", None),
            (r#""unterminated"#, None),
            (r#""bad \q escape""#, None),
            ("\"\"\"multi\"\"\"", None),
            ("\"é and ü\"", Some(("é and ü", ""))),
        ];
        for (src, want) in cases {
            let got = string(src);
            assert_eq!(
                got.as_ref().map(|(v, rest)| (v.as_str(), *rest)),
                want,
                "{src:?}"
            );
            if let Some((v, _)) = &got {
                let doc: toml::Value = toml::from_str(&format!(
                    "k = {}",
                    &src[..src.len() - got.as_ref().unwrap().1.len()]
                ))
                .unwrap();
                assert_eq!(doc["k"].as_str(), Some(v.as_str()), "{src:?}");
            }
        }
    }

    proptest! {
        /// Whatever this reader accepts, `toml` accepts with the same result: one byte of
        /// the good file replaced, removed or doubled.
        #[test]
        fn never_accepts_what_toml_would_read_otherwise(
            at in 0usize..GOOD.len(),
            op in 0u8..3,
            c in prop::sample::select(vec!['"', '\'', '[', ']', ',', '=', '#', '\\', '\n', ' ', 'x', '1', '0', '-', '.', '\t', '\u{1}', 'é']),
        ) {
            let mut s = GOOD.to_string();
            if !s.is_char_boundary(at) {
                return Ok(());
            }
            let next = s[at..].chars().next().map_or(0, char::len_utf8);
            match op {
                0 => s.replace_range(at..at + next, &c.to_string()),
                1 => s.replace_range(at..at + next, ""),
                _ => s.insert(at, c),
            }
            if let Some(fast) = parse(&s) {
                prop_assert_eq!(Some(fast), toml_reads(&s), "{:?}", s);
            }
        }
    }
}
