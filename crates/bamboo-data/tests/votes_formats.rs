//! Every vote-file format on small synthetic fixtures (`tests/fixtures/votes/`, written in
//! the formats' real shapes, not copied from the shared data): a good file of each loads
//! with the right roll calls, votes and non-votes, and every rejection names the file, the
//! line and the field.

use std::path::{Path, PathBuf};

use bamboo_core::store::{Issue, VoteStore};
use bamboo_core::{Iso3, Vote};
use bamboo_data::votes::{load_files, Format, LoadReport, UNDL_RCID_BASE};
use bamboo_data::{Countries, DataError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/votes")
        .join(name)
}

fn countries() -> Countries {
    Countries::load(&fixture("countries.csv")).unwrap()
}

fn load(names: &[&str]) -> (VoteStore, LoadReport) {
    let files: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    load_files(&files, &countries()).unwrap_or_else(|e| panic!("{e}"))
}

/// The vote of `iso3` on the roll call `rcid`.
fn vote(store: &VoteStore, rcid: u64, iso3: &str) -> Option<Vote> {
    let i = store.roll_calls().iter().position(|r| r.rcid == rcid)?;
    let c = store.country_index(Iso3::parse(iso3).unwrap())?;
    store.vote_of(i, c)
}

fn roll_call(store: &VoteStore, rcid: u64) -> &bamboo_core::store::RollCall {
    store
        .roll_calls()
        .iter()
        .find(|r| r.rcid == rcid)
        .unwrap_or_else(|| panic!("no roll call {rcid}"))
}

#[test]
fn unvotes_tables_load_roll_calls_issues_and_votes() {
    let (store, report) = load(&[
        "unvotes_votes.csv",
        "unvotes_issues.csv",
        "unvotes_roll_calls.csv",
    ]);
    assert_eq!(store.roll_calls().len(), 3);
    let rc = roll_call(&store, 3);
    assert_eq!(rc.session, Some(1));
    assert_eq!(rc.resolution.as_deref(), Some("R/1/66"));
    assert_eq!(rc.title.as_deref(), Some("AMENDMENTS RULES OF PROCEDURE"));
    assert_eq!(
        rc.description.as_deref(),
        Some("TO ADOPT A CHINESE AMENDMENT, AS AMENDED")
    );
    assert_eq!(
        (rc.important, rc.amendment, rc.paragraph),
        (Some(false), Some(true), Some(false))
    );
    assert!(rc.has_issue(Issue::HumanRights) && !rc.has_issue(Issue::Colonialism));
    // No short title: the description titles it; `NA` is "the source does not say".
    let rc = roll_call(&store, 4);
    assert_eq!(rc.title.as_deref(), Some("SECURITY COUNCIL ELECTIONS"));
    assert_eq!(rc.important, None);
    // An emergency special session has no regular number.
    let rc = roll_call(&store, 5);
    assert_eq!(rc.session, None);
    assert!(rc.has_issue(Issue::Colonialism) && rc.has_issue(Issue::MiddleEast));
    assert_eq!(vote(&store, 3, "USA"), Some(Vote::Yes));
    assert_eq!(vote(&store, 3, "CHN"), Some(Vote::No));
    assert_eq!(vote(&store, 3, "RUS"), Some(Vote::Abstain));
    // A historical ISO2 code, and a row with a name and no code.
    assert_eq!(vote(&store, 4, "DDR"), Some(Vote::No));
    assert_eq!(vote(&store, 4, "DEU"), Some(Vote::Yes));
    // An absence is no vote.
    assert_eq!(vote(&store, 5, "VNM"), None);
    assert_eq!(vote(&store, 5, "FRA"), Some(Vote::No));
    let votes = report
        .files
        .iter()
        .find(|f| f.format == Format::UnvotesVotes)
        .unwrap();
    assert_eq!((votes.records, votes.non_votes), (8, 1));
}

#[test]
fn voeten_files_load_with_or_without_their_roll_call_table() {
    let (store, report) = load(&["voeten_roll_calls.csv", "voeten_votes.csv"]);
    assert_eq!(store.roll_calls().len(), 2);
    let rc = roll_call(&store, 9002);
    assert!(rc.has_issue(Issue::Nuclear) && rc.has_issue(Issue::Disarmament));
    assert!(!rc.has_issue(Issue::MiddleEast));
    assert!(roll_call(&store, 9001).has_issue(Issue::MiddleEast));
    assert_eq!(vote(&store, 9001, "USA"), Some(Vote::No));
    assert_eq!(vote(&store, 9001, "CHN"), Some(Vote::Yes));
    assert_eq!(vote(&store, 9001, "VNM"), None);
    assert_eq!(vote(&store, 9002, "USA"), Some(Vote::Abstain));
    assert_eq!(vote(&store, 9002, "RUS"), None);
    let votes = report
        .files
        .iter()
        .find(|f| f.format == Format::VoetenVotes)
        .unwrap();
    assert_eq!((votes.records, votes.non_votes), (5, 2));
    // The votes carry their dates: alone they still define the roll calls.
    let (alone, _) = load(&["voeten_votes.csv"]);
    assert_eq!(alone.roll_calls().len(), 2);
    assert_eq!(vote(&alone, 9001, "CHN"), Some(Vote::Yes));
}

#[test]
fn a_un_digital_library_export_is_self_contained() {
    let (store, report) = load(&["undl.csv"]);
    assert_eq!(store.roll_calls().len(), 2);
    let ukraine = UNDL_RCID_BASE + 3_965_290;
    let rc = roll_call(&store, ukraine);
    assert_eq!(rc.session, None);
    assert_eq!(rc.resolution.as_deref(), Some("A/RES/ES-11/1"));
    assert_eq!(
        rc.title.as_deref(),
        Some("Aggression against Ukraine : resolution")
    );
    assert_eq!(rc.subjects.as_deref(), Some("UKRAINE--RUSSIAN FEDERATION"));
    assert_eq!(rc.tally, Some([141, 5, 35]));
    assert_eq!(vote(&store, ukraine, "VNM"), Some(Vote::Abstain));
    assert_eq!(vote(&store, ukraine, "RUS"), Some(Vote::No));
    // `X` = non-voting: no vote.
    assert_eq!(vote(&store, ukraine, "FRA"), None);
    let rc = roll_call(&store, UNDL_RCID_BASE + 3_990_400);
    assert_eq!((rc.session, rc.tally), (Some(77), None));
    assert_eq!((report.files[0].records, report.files[0].non_votes), (6, 1));
}

#[test]
fn a_one_resolution_table_is_one_roll_call() {
    let (store, report) = load(&["resolution.csv"]);
    assert_eq!(store.roll_calls().len(), 1);
    let rc = &store.roll_calls()[0];
    assert_eq!(rc.resolution.as_deref(), Some("A/RES/ES-11/4"));
    assert_eq!(vote(&store, rc.rcid, "USA"), Some(Vote::Yes));
    assert_eq!(vote(&store, rc.rcid, "CHN"), Some(Vote::Abstain));
    assert_eq!(vote(&store, rc.rcid, "VNM"), None);
    assert_eq!(report.files[0].non_votes, 1);
}

#[test]
fn a_roll_call_in_two_self_contained_files_counts_once() {
    let t = tempfile::tempdir().unwrap();
    let same = t.path().join("es11_1.csv");
    std::fs::write(
        &same,
        "resolution,date,country_iso3,vote\na/res/es-11/1 ,2022-03-02,USA,yes\n",
    )
    .unwrap();
    let files = vec![fixture("undl.csv"), same];
    let (store, report) = load_files(&files, &countries()).unwrap();
    assert_eq!(store.roll_calls().len(), 2);
    assert_eq!(report.duplicate_roll_calls, 1);
}

/// Copies `set` into a fresh folder with line `line` of `file` (1-based) replaced by
/// `text`, loads it, and checks the error names that file, `line` and `field`, and says
/// each of `words`.
fn rejects(set: &[&str], file: &str, line: usize, text: &str, field: &str, words: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in set {
        let mut body = std::fs::read_to_string(fixture(name)).unwrap();
        if *name == file {
            let mut lines: Vec<&str> = body.lines().collect();
            lines[line - 1] = text;
            body = lines.join("\n") + "\n";
        }
        let p = t.path().join(name);
        std::fs::write(&p, body).unwrap();
        files.push(p);
    }
    let e = match load_files(&files, &countries()) {
        Ok(_) => panic!("{file}:{line} `{text}` was accepted"),
        Err(e) => e,
    };
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    match &e {
        DataError::Field {
            path,
            line: l,
            field: f,
            ..
        } => {
            assert_eq!(
                (path.as_path(), *l, f.as_str()),
                (t.path().join(file).as_path(), line, field),
                "{msg}"
            );
        }
        other => panic!("not located at a field: {other}"),
    }
    for w in words {
        assert!(msg.contains(w), "{msg} should say {w:?}");
    }
}

const UNVOTES: &[&str] = &[
    "unvotes_roll_calls.csv",
    "unvotes_issues.csv",
    "unvotes_votes.csv",
];

#[test]
fn unvotes_errors_are_located() {
    let rc = "unvotes_roll_calls.csv";
    for (line, text, field, words) in [
        (
            2,
            "3x,1,0,1946-01-01,R/1/66,1,0,A,B",
            "rcid",
            &["`3x`", "whole number"][..],
        ),
        (
            2,
            "3,1,0,1946-13-01,R/1/66,1,0,A,B",
            "date",
            &["1946-13-01"][..],
        ),
        (
            2,
            "3,first,0,1946-01-01,R/1/66,1,0,A,B",
            "session",
            &["S-N / ES-N"][..],
        ),
        (
            2,
            "3,1,yes,1946-01-01,R/1/66,1,0,A,B",
            "importantvote",
            &["use 0 or 1"][..],
        ),
        (
            3,
            "4,1,0,1946-01-02,R/1/79,2,0,,B",
            "amend",
            &["flag `2`"][..],
        ),
        (4, "3,1,0,1946-01-02,R/1/79,0,0,,B", "rcid", &[][..]),
    ] {
        rejects(UNVOTES, rc, line, text, field, words);
    }
    let issues = "unvotes_issues.csv";
    rejects(
        UNVOTES,
        issues,
        2,
        "3,xx,Other",
        "short_name",
        &["`xx`", "me, nu, di"],
    );
    rejects(
        UNVOTES,
        issues,
        3,
        "77,co,Colonialism",
        "rcid",
        &["77", "not defined"],
    );
    let votes = "unvotes_votes.csv";
    rejects(
        UNVOTES,
        votes,
        2,
        "3,Atlantis,QQ,yes",
        "country_code",
        &["`QQ`", "ISO2"],
    );
    rejects(
        UNVOTES,
        votes,
        3,
        "3,China,CN,maybe",
        "vote",
        &["`maybe`", "yes, no, abstain"],
    );
    rejects(
        UNVOTES,
        votes,
        4,
        "99,Russian Federation,RU,yes",
        "rcid",
        &["roll-call table"],
    );
    // A second, different vote of the same state on the same roll call.
    rejects(UNVOTES, votes, 5, "3,United States,US,no", "vote", &[]);
}

#[test]
fn voeten_errors_are_located() {
    let set = &["voeten_roll_calls.csv", "voeten_votes.csv"][..];
    let rc = "voeten_roll_calls.csv";
    rejects(
        set,
        rc,
        2,
        "9001,2020-12-07,1,0,0,2,0,0",
        "hr",
        &["flag `2`"],
    );
    rejects(
        set,
        rc,
        3,
        "9002,2021-02-30,0,1,1,0,,0",
        "date",
        &["2021-02-30"],
    );
    let votes = "voeten_votes.csv";
    for (line, text, field, words) in [
        (
            2,
            "9001,2020-12-07,USA,4,no",
            "vote_code",
            &["`4`", "8 absent"][..],
        ),
        (
            3,
            "9001,2020-12-07,CHN,1,no",
            "vote",
            &["contradicts vote_code `1`"][..],
        ),
        (
            4,
            "9001,2020-12-07,XYZ,8,absent",
            "country_iso3",
            &["XYZ"][..],
        ),
        // The roll-call table dates 9002 on 2021-03-01.
        (5, "9002,2021-03-02,USA,2,abstain", "date", &[][..]),
        (6, "x,2021-03-01,RUS,9,not_member", "rcid", &["`x`"][..]),
    ] {
        rejects(set, votes, line, text, field, words);
    }
}

#[test]
fn undl_errors_are_located() {
    let f = "undl.csv";
    let row = |vote: &str, code: &str, date: &str, session: &str, yes: &str| {
        format!("3965290,{code},X,{vote},{date},{session},A/RES/ES-11/1,T,S,{yes},5,35")
    };
    for (line, text, field, words) in [
        (
            2,
            row("Q", "USA", "2022-03-02", "ES-11", "141"),
            "ms_vote",
            &["`Q`", "X (non-voting)"][..],
        ),
        (
            2,
            row("Y", "QQQ", "2022-03-02", "ES-11", "141"),
            "ms_code",
            &["QQQ"][..],
        ),
        (
            3,
            row("N", "RUS", "2022-03-03", "ES-11", "141"),
            "date",
            &["dated 2022-03-02 earlier"][..],
        ),
        (
            2,
            row("Y", "USA", "2022-03-02", "eleven", "141"),
            "session",
            &["`eleven`"][..],
        ),
        (
            2,
            row("Y", "USA", "2022-03-02", "ES-11", "1.5"),
            "total_yes",
            &["count of votes"][..],
        ),
        (
            2,
            row("Y", "USA", "2022-03-02", "ES-11", "5000"),
            "total_yes",
            &["at most 1000"][..],
        ),
        (
            6,
            "39x,USA,X,Y,2022-11-04,77,A,T,S,,,".to_string(),
            "undl_id",
            &["`39x`"][..],
        ),
    ] {
        rejects(&[f], f, line, &text, field, words);
    }
}

#[test]
fn one_resolution_errors_are_located() {
    let f = "resolution.csv";
    for (line, text, field, words) in [
        (
            2,
            " ,2022-10-12,USA,yes",
            "resolution",
            &["symbol is empty"][..],
        ),
        (
            3,
            "A/RES/ES-11/4,2022-10-12,RUS,nein",
            "vote",
            &["`nein`"][..],
        ),
        (
            4,
            "A/RES/ES-11/4,2022-10-12,Narnia,abstain",
            "country_iso3",
            &["Narnia"][..],
        ),
        (
            5,
            "A/RES/ES-11/4,12/10/2022,VNM,yes",
            "date",
            &["12/10/2022"][..],
        ),
    ] {
        rejects(&[f], f, line, text, field, words);
    }
}

#[test]
fn an_unknown_header_lists_the_formats() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("votes.csv");
    std::fs::write(&p, "id,state,ballot\n1,USA,yes\n").unwrap();
    let e = load_files(std::slice::from_ref(&p), &countries()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, DataError::UnknownFormat { .. }), "{msg}");
    assert!(msg.starts_with(&format!("{}:1:", p.display())), "{msg}");
    assert!(
        msg.contains("undl_id,ms_code,ms_name,ms_vote,date"),
        "{msg}"
    );
}
