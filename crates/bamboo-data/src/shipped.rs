//! The doctrines, worlds, ledgers and case files curated in this repository's `data/`,
//! built into the binary so that a name such as `vietnam` works from any directory.
//! Paths are given relative to the repository, for messages.

macro_rules! shipped {
    ($($name:literal => $path:literal),* $(,)?) => {
        &[$(($name, $path, include_str!(concat!("../../../", $path)))),*]
    };
}

/// (name, path, text) of every shipped doctrine.
pub const DOCTRINES: &[(&str, &str, &str)] = shipped! {
    "vietnam" => "data/doctrines/vietnam.toml",
    "align-usa" => "data/doctrines/align-usa.toml",
    "bandwagon-china" => "data/doctrines/bandwagon-china.toml",
    "neutral" => "data/doctrines/neutral.toml",
    "india" => "data/doctrines/india.toml",
    "indonesia" => "data/doctrines/indonesia.toml",
};

/// (name, path, text) of every shipped world.
pub const WORLDS: &[(&str, &str, &str)] = shipped! {
    "default" => "data/worlds/default.toml",
};

fn find(list: &'static [(&str, &str, &str)], name: &str) -> Option<(&'static str, &'static str)> {
    list.iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, p, s)| (*p, *s))
}

/// A shipped doctrine's path and text.
pub fn doctrine(name: &str) -> Option<(&'static str, &'static str)> {
    find(DOCTRINES, name)
}

/// A shipped world's path and text.
pub fn world(name: &str) -> Option<(&'static str, &'static str)> {
    find(WORLDS, name)
}

/// The names of the shipped doctrines, for messages.
pub fn doctrine_names() -> Vec<&'static str> {
    DOCTRINES.iter().map(|d| d.0).collect()
}

#[cfg(test)]
mod tests {
    /// No weight, rule or table of a shipped doctrine names a case, a resolution, a date or
    /// a title: outside the citations (`sources`, `summary`, `principle`, `name`) and the
    /// provenance of fitted weights (`[branches.votes.fit]`), no string is a date or a
    /// resolution symbol, and no key is one.
    #[test]
    fn shipped_doctrines_name_no_case_resolution_or_date() {
        fn looks_like_date(s: &str) -> bool {
            let b = s.as_bytes();
            b.windows(10).any(|w| {
                w[..4].iter().all(u8::is_ascii_digit)
                    && w[4] == b'-'
                    && w[5..7].iter().all(u8::is_ascii_digit)
                    && w[7] == b'-'
            })
        }
        fn walk(path: &str, v: &toml::Value, file: &str) {
            const CITATIONS: &[&str] =
                &["sources", "summary", "principle", "name", "fit", "action"];
            match v {
                toml::Value::Table(t) => {
                    for (k, x) in t {
                        assert!(
                            !looks_like_date(k) && !k.contains("RES/"),
                            "{file}: key {path}.{k}"
                        );
                        if !CITATIONS.contains(&k.as_str()) {
                            walk(&format!("{path}.{k}"), x, file);
                        }
                    }
                }
                toml::Value::Array(a) => a.iter().for_each(|x| walk(path, x, file)),
                toml::Value::String(s) => {
                    assert!(
                        !looks_like_date(s) && !s.contains("RES/"),
                        "{file}: {path} = {s}"
                    );
                }
                _ => {}
            }
        }
        for (_, path, src) in super::DOCTRINES {
            let v: toml::Value = toml::from_str(src).unwrap();
            walk("", &v, path);
        }
    }

    #[test]
    fn every_shipped_doctrine_compiles() {
        for (name, path, src) in super::DOCTRINES {
            crate::doctrine::parse_compiled(std::path::Path::new(path), src)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
