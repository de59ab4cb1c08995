//! Approximate text metrics (no font access), word wrapping and truncation.
//!
//! Widths are estimated from per-character em factors calibrated against
//! DejaVu Sans (the widest common fallback; checked with rsvg-convert), so
//! with Arial or Helvetica the layout leaves room rather than clipping.

/// Estimated advance width of one character, in em.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.33,
        'i' | 'j' | 'l' | 'I' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' | '`' => 0.30,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '{' | '}' | '/' | '\\' => 0.42,
        '-' => 0.40,
        'm' | 'w' => 0.88,
        'M' | 'W' | '@' | '%' | '—' => 1.0,
        '0'..='9' => 0.62,
        'A'..='Z' => 0.72,
        'a'..='z' => 0.60,
        '–' => 0.62,
        c if (c as u32) >= 0x2E80 => 1.0,
        _ => 0.62,
    }
}

/// Estimated rendered width in px of `s` at `size` px (regular weight).
pub(crate) fn width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Estimated rendered width in px of `s` at `size` px, bold.
pub(crate) fn width_bold(s: &str, size: f64) -> f64 {
    width(s, size) * 1.14
}

/// Greedy word wrap so that each line is at most `max_w` px wide (a single
/// word longer than that is truncated with an ellipsis). Never returns an
/// empty vector for non-empty input.
pub(crate) fn wrap(s: &str, max_w: f64, size: f64, bold: bool) -> Vec<String> {
    let w = |t: &str| {
        if bold {
            width_bold(t, size)
        } else {
            width(t, size)
        }
    };
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if w(&candidate) <= max_w || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|l| {
            if w(&l) > max_w {
                truncate(&l, max_w / if bold { 1.14 } else { 1.0 }, size)
            } else {
                l
            }
        })
        .collect()
}

/// Truncates `s` with a trailing ellipsis so it fits in `max_w` px.
pub(crate) fn truncate(s: &str, max_w: f64, size: f64) -> String {
    if width(s, size) <= max_w {
        return s.to_string();
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let t: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&t, size) <= max_w {
            return t;
        }
    }
    "…".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_long_titles() {
        let lines = wrap("alpha beta gamma delta epsilon", 60.0, 12.0, false);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(width(l, 12.0) <= 60.0, "{l}");
        }
        assert_eq!(wrap("", 100.0, 12.0, false), Vec::<String>::new());
    }

    #[test]
    fn truncate_adds_ellipsis() {
        let t = truncate("Democratic People's Republic of Korea", 80.0, 11.0);
        assert!(t.ends_with('…'));
        assert!(width(&t, 11.0) <= 80.0);
        assert_eq!(truncate("Chad", 80.0, 11.0), "Chad");
    }
}
