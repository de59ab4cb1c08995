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
    #[test]
    fn every_shipped_doctrine_compiles() {
        for (name, path, src) in super::DOCTRINES {
            crate::doctrine::parse_compiled(std::path::Path::new(path), src)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
