//! Error text that stays readable whatever the input held: one line, and no value quoted at
//! more than [`MAX_QUOTED`] characters (a 200 MB string in a file is shown as its first 80
//! characters and its length, not echoed whole). Also the source line as JSON carries it.

/// The most characters of one value an error message quotes.
pub const MAX_QUOTED: usize = 80;

/// The most characters of a whole error message (several clipped values and the text around
/// them fit well within it).
pub const MAX_MESSAGE: usize = 2000;

/// A value shortened for an error message: at most [`MAX_QUOTED`] characters, with an
/// ellipsis and the full length when cut. Control characters are shown escaped, so the
/// message stays on one line.
pub fn clip(s: &str) -> String {
    let n = s.chars().count();
    let mut out: String = s
        .chars()
        .take(MAX_QUOTED)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if n > MAX_QUOTED {
        out.push_str(&format!("… ({n} characters)"));
    }
    out
}

/// A message on one line: line breaks and tabs become spaces, runs of spaces one, and every
/// run quoted with backticks or double quotes longer than [`MAX_QUOTED`] characters is
/// clipped (see [`clip`]); the whole is at most [`MAX_MESSAGE`] characters.
pub fn one_line(msg: &str) -> String {
    let mut flat = String::with_capacity(msg.len().min(MAX_MESSAGE * 4));
    let mut space = false;
    for c in msg.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            if !space {
                flat.push(' ');
            }
            space = true;
        } else {
            flat.push(c);
            space = false;
        }
    }
    let clipped = clip_quoted(&flat);
    if clipped.chars().count() > MAX_MESSAGE {
        let mut s: String = clipped.chars().take(MAX_MESSAGE).collect();
        s.push('…');
        s
    } else {
        clipped
    }
}

/// Clips every run between a pair of backticks or of double quotes that is longer than
/// [`MAX_QUOTED`] characters. An opening quote with no closing one quotes the rest.
fn clip_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_MESSAGE * 4));
    let mut rest = s;
    while let Some(i) = rest.find(['`', '"']) {
        let q = rest.as_bytes()[i] as char;
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        let (inner, tail) = match after.find(q) {
            Some(j) => (&after[..j], &after[j..]),
            None => (after, ""),
        };
        if inner.chars().count() > MAX_QUOTED && !is_clipped(inner) {
            out.push_str(&clip(inner));
        } else {
            out.push_str(inner);
        }
        if tail.is_empty() {
            return out;
        }
        out.push(q);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// Whether a value is already the output of [`clip`] (so clipping twice changes nothing).
fn is_clipped(s: &str) -> bool {
    match s.rsplit_once("… (") {
        Some((head, tail)) => {
            head.chars().count() <= MAX_QUOTED * 4
                && tail
                    .strip_suffix(" characters)")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_clipped_and_messages_kept_on_one_line() {
        let big = "x".repeat(1_000_000);
        let m = one_line(&format!(
            "f.toml:3: key `kind`: unknown kind `{big}` (expected one of: a, b)"
        ));
        assert!(m.len() < 300, "{}", m.len());
        assert!(m.contains("(1000000 characters)"), "{m}");
        assert!(m.ends_with("(expected one of: a, b)"), "{m}");
        assert_eq!(one_line("a\n  b\r\n\tc"), "a b c");
        assert_eq!(
            one_line("short `ok` and \"fine\""),
            "short `ok` and \"fine\""
        );
        let unclosed = one_line(&format!("value \"{big}"));
        assert!(unclosed.len() < 200, "{unclosed}");
        assert_eq!(clip("a\u{1}b"), "a\\u{1}b");
        assert_eq!(one_line(&m), m, "clipping twice changes nothing");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn one_line_never_panics_and_has_no_line_break(s in "\\PC{0,300}|[`\"\n a-z]{0,300}") {
            let m = one_line(&s);
            prop_assert!(!m.contains('\n') && !m.contains('\r'));
            prop_assert!(m.chars().count() <= MAX_MESSAGE + 1);
        }
    }
}

/// The source line of an output as JSON carries it, in its `source` key: the text that
/// tables print after `source: `, without that label (`"source": "6554 UNGA roll calls …"`,
/// not `"source": "source: 6554 …"`).
pub fn source_json(line: &str) -> &str {
    line.strip_prefix("source: ").unwrap_or(line)
}

#[cfg(test)]
mod source_tests {
    #[test]
    fn the_label_is_dropped_once() {
        assert_eq!(super::source_json("source: 12 roll calls"), "12 roll calls");
        assert_eq!(super::source_json("12 roll calls"), "12 roll calls");
        assert_eq!(super::source_json("source: source: x"), "source: x");
    }
}
