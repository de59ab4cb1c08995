//! The README's short tour names only files that exist: every argument of a `$B …` line
//! that is a path (has a `/` or ends in `.toml`, `.csv` or `.csv.gz`) exists, relative to
//! the workspace root as the tour runs there, except the files it writes (`-o FILE`).

use std::path::Path;

#[test]
fn every_path_in_the_readme_tour_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let tour = readme
        .split("## A short tour")
        .nth(1)
        .and_then(|t| t.split("```").nth(1))
        .expect("the README has a short tour in a code block");
    let mut checked = 0;
    let mut missing = Vec::new();
    for line in tour.lines().filter(|l| l.starts_with("$B ")) {
        let words: Vec<&str> = line.split('#').next().unwrap().split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let written = i > 0 && matches!(words[i - 1], "-o" | "--output");
            let looks =
                w.contains('/') || [".toml", ".csv", ".csv.gz"].iter().any(|x| w.ends_with(x));
            if !looks || written || w.starts_with('-') {
                continue;
            }
            checked += 1;
            if !root.join(w).exists() {
                missing.push(format!("{w} (in `{line}`)"));
            }
        }
    }
    assert!(checked >= 5, "the tour names files: found {checked}");
    assert!(
        missing.is_empty(),
        "the tour names files that do not exist: {missing:?}"
    );
}
