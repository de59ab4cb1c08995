//! Checks a [`DoctrineInput`] into a [`Doctrine`]: every name against its vocabulary, every
//! number against its range, each failure a [`FieldError`] naming the dotted field.

use std::collections::BTreeMap;

use super::input::{BranchesInput, ClauseInput, DoctrineInput, LeanInput, VotesInput};
use super::model::*;
use super::{MAX_MAGNITUDE, MAX_POLES, MAX_ROOTS};
use crate::case::{parse_kind, parse_option, parse_tag, parse_tier, FieldError, Kind, TagSet};
use crate::country::Iso3;

fn code(field: &str, s: &str) -> Result<Iso3, FieldError> {
    Iso3::parse(s).map_err(|e| FieldError::new(field, e.to_string()))
}

fn codes(field: &str, list: &[String]) -> Result<Vec<Iso3>, FieldError> {
    list.iter()
        .enumerate()
        .map(|(i, s)| Iso3::parse(s).map_err(|e| FieldError::at(field, i, e.to_string())))
        .collect()
}

fn tags(field: &str, list: &[String]) -> Result<TagSet, FieldError> {
    let mut set = TagSet::EMPTY;
    for (i, s) in list.iter().enumerate() {
        set.insert(parse_tag(s).map_err(|m| FieldError::at(field, i, m))?);
    }
    Ok(set)
}

fn finite(field: &str, x: f64) -> Result<f64, FieldError> {
    if x.is_finite() && x.abs() <= MAX_MAGNITUDE {
        Ok(x)
    } else {
        Err(FieldError::new(
            field,
            format!("{x} is not allowed: a number from -{MAX_MAGNITUDE} to {MAX_MAGNITUDE}"),
        ))
    }
}

fn non_negative(field: &str, x: f64) -> Result<f64, FieldError> {
    if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) {
        Ok(x)
    } else {
        Err(FieldError::new(
            field,
            format!("{x} is not allowed: a number from 0 to {MAX_MAGNITUDE}"),
        ))
    }
}

/// Checks a doctrine. Every name (kind, option, tag, tier, pillar, signal, interest,
/// country) is checked against its vocabulary, so nothing is silently ignored.
pub fn validate_doctrine(input: &DoctrineInput) -> Result<Doctrine, FieldError> {
    let h = &input.doctrine;
    if h.name.trim().is_empty() {
        return Err(FieldError::new("doctrine.name", "must not be empty"));
    }
    let subject = code("doctrine.subject", &h.subject)?;
    let poles = codes("doctrine.poles", &h.poles)?;
    if poles.len() < 2 || poles.len() > MAX_POLES {
        return Err(FieldError::new(
            "doctrine.poles",
            format!("needs 2 to {MAX_POLES} poles, found {}", poles.len()),
        ));
    }
    for (i, p) in poles.iter().enumerate() {
        if poles[..i].contains(p) || *p == subject {
            return Err(FieldError::at(
                "doctrine.poles",
                i,
                format!("{p} is repeated or is the subject"),
            ));
        }
    }

    let mut roots = Vec::with_capacity(input.root.len());
    if input.root.len() > MAX_ROOTS {
        return Err(FieldError::new(
            "root",
            format!("at most {MAX_ROOTS} roots"),
        ));
    }
    for (r, root) in input.root.iter().enumerate() {
        let base = format!("root[{r}]");
        if root.id.trim().is_empty() {
            return Err(FieldError::new(&format!("{base}.id"), "must not be empty"));
        }
        if roots.iter().any(|x: &Root| x.id == root.id) {
            return Err(FieldError::new(
                &format!("{base}.id"),
                format!("root id `{}` is used twice", root.id),
            ));
        }
        if root.forbid.is_empty() {
            return Err(FieldError::new(
                &format!("{base}.forbid"),
                "a root must forbid something",
            ));
        }
        let mut clauses = Vec::with_capacity(root.forbid.len());
        for (c, cl) in root.forbid.iter().enumerate() {
            clauses.push(validate_clause(&format!("{base}.forbid[{c}]"), cl)?);
        }
        let weight = match root.weight {
            Some(w) if !(w.is_finite() && w > 0.0 && w <= MAX_MAGNITUDE) => {
                return Err(FieldError::new(
                    &format!("{base}.weight"),
                    format!("{w} is not allowed: a number > 0, at most {MAX_MAGNITUDE}"),
                ))
            }
            Some(w) => w,
            None => 1.0,
        };
        roots.push(Root {
            id: root.id.clone(),
            principle: root.principle.clone(),
            sources: root.sources.clone(),
            weight,
            clauses,
        });
    }

    let pillar = |field: &str, s: &str| {
        Pillar::parse(s).ok_or_else(|| {
            FieldError::new(
                field,
                format!("unknown pillar `{s}` (expected party, state or people)"),
            )
        })
    };
    let mut trunk = Trunk::default();
    for (i, s) in input.trunk.carry.iter().enumerate() {
        trunk.carry.push(Step {
            pillar: pillar(&format!("trunk.carry[{i}].pillar"), &s.pillar)?,
            action: s.action.clone(),
        });
    }
    for (i, o) in input.trunk.offset.iter().enumerate() {
        trunk.offsets.push(Offset {
            pillar: pillar(&format!("trunk.offset[{i}].pillar"), &o.pillar)?,
            action: o.action.clone(),
            toward: codes(&format!("trunk.offset[{i}].toward"), &o.toward)?,
        });
    }

    trunk.moves = crate::plan::validate_moves(&input.trunk.moves, &poles, subject)?;
    if let Some(p) = &input.trunk.planning {
        trunk.planning = crate::plan::validate_planning(p, &poles)?;
    }

    let branches = validate_branches(&input.branches, &poles)?;
    if branches.votes.peer(subject).is_some() {
        return Err(FieldError::new(
            &format!("branches.votes.peers.{subject}"),
            "the subject cannot be its own peer",
        ));
    }
    let lean = validate_lean(&input.lean)?;
    Ok(Doctrine {
        name: h.name.clone(),
        subject,
        poles,
        ledger: h.ledger.clone(),
        summary: h.summary.clone(),
        sources: h.sources.clone(),
        default: h.default,
        roots,
        trunk,
        branches,
        lean,
    })
}

fn validate_clause(base: &str, cl: &ClauseInput) -> Result<Clause, FieldError> {
    let f = |k: &str| format!("{base}.{k}");
    if cl.kind.is_empty() {
        return Err(FieldError::new(&f("kind"), "names no kind"));
    }
    let mut kinds = Vec::new();
    for (i, k) in cl.kind.iter().enumerate() {
        kinds.push(parse_kind(k).map_err(|m| FieldError::at(&f("kind"), i, m))?);
    }
    if cl.option.is_empty() {
        return Err(FieldError::new(&f("option"), "names no option"));
    }
    let mut options = Vec::new();
    for (i, o) in cl.option.iter().enumerate() {
        // An option must belong to at least one of the clause's kinds.
        let ok = kinds.iter().find_map(|k| parse_option(*k, o).ok());
        match ok {
            Some(opt) => options.push(opt),
            None => {
                let valid: Vec<&str> = kinds
                    .iter()
                    .flat_map(|k| k.options().iter().map(|o| o.as_str()))
                    .collect();
                return Err(FieldError::at(
                    &f("option"),
                    i,
                    format!(
                        "`{o}` is not an option of the clause's kinds (expected one of: {})",
                        valid.join(", ")
                    ),
                ));
            }
        }
    }
    for (i, k) in kinds.iter().enumerate() {
        if !k.options().iter().any(|o| options.contains(o)) {
            return Err(FieldError::at(
                &f("kind"),
                i,
                format!("the clause forbids no option of kind `{k}`"),
            ));
        }
    }
    let party = |k: &str, s: &Option<String>| -> Result<PartyCond, FieldError> {
        match s {
            None => Ok(PartyCond::Any),
            Some(s) => PartyCond::parse(s).ok_or_else(|| {
                FieldError::new(
                    &f(k),
                    format!(
                        "unknown condition `{s}` (expected any, present, none, pole or not_pole)"
                    ),
                )
            }),
        }
    };
    let mut tiers = Vec::new();
    for (i, t) in cl.tier.iter().enumerate() {
        tiers.push(parse_tier(t).map_err(|m| FieldError::at(&f("tier"), i, m))?);
    }
    if !tiers.is_empty() && !kinds.contains(&Kind::Partnership) {
        return Err(FieldError::new(
            &f("tier"),
            "a tier condition needs kind `partnership`",
        ));
    }
    let support_below = match cl.support_below {
        None => None,
        Some(x) if x.is_finite() && x > 0.0 && x <= 1.0 => {
            if !kinds.contains(&Kind::UnVote) {
                return Err(FieldError::new(
                    &f("support_below"),
                    "a condition on the share of yes votes needs kind `un_vote`",
                ));
            }
            Some(x)
        }
        Some(_) => {
            return Err(FieldError::new(
                &f("support_below"),
                "must be a share of the votes, above 0 and at most 1",
            ))
        }
    };
    Ok(Clause {
        kinds,
        options,
        tags_any: tags(&f("tags_any"), &cl.tags_any)?,
        tags_all: tags(&f("tags_all"), &cl.tags_all)?,
        tags_none: tags(&f("tags_none"), &cl.tags_none)?,
        target: party("target", &cl.target)?,
        target_in: codes(&f("target_in"), &cl.target_in)?,
        counterpart: party("counterpart", &cl.counterpart)?,
        counterpart_in: codes(&f("counterpart_in"), &cl.counterpart_in)?,
        tiers,
        against_target: cl.against_target,
        sides_in_split: cl.sides_in_split,
        support_below,
    })
}

fn stances(
    field: &str,
    names: &[(String, f64)],
    table: &BTreeMap<String, f64>,
) -> Result<Vec<f64>, FieldError> {
    let mut v = vec![0.0; names.len()];
    for (k, x) in table {
        let i = names.iter().position(|(n, _)| n == k).ok_or_else(|| {
            let known: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            FieldError::new(
                &format!("{field}.{k}"),
                format!(
                    "`{k}` is not a declared interest (declared: {})",
                    known.join(", ")
                ),
            )
        })?;
        v[i] = finite(&format!("{field}.{k}"), *x)?;
    }
    Ok(v)
}

fn validate_branches(b: &BranchesInput, poles: &[Iso3]) -> Result<Branches, FieldError> {
    if b.interests.is_empty() {
        return Err(FieldError::new(
            "branches.interests",
            "declare at least one interest",
        ));
    }
    let mut interests = Vec::new();
    for (k, w) in &b.interests {
        interests.push((
            k.clone(),
            non_negative(&format!("branches.interests.{k}"), *w)?,
        ));
    }
    let mut kinds = Vec::new();
    for (k, table) in &b.kinds {
        let kind = parse_kind(k).map_err(|m| FieldError::new(&format!("branches.kinds.{k}"), m))?;
        kinds.push((
            kind,
            stances(&format!("branches.kinds.{k}"), &interests, table)?,
        ));
    }
    let mut tag_stances = Vec::new();
    for (k, table) in &b.tags {
        let tag = parse_tag(k).map_err(|m| FieldError::new(&format!("branches.tags.{k}"), m))?;
        tag_stances.push((
            tag,
            stances(&format!("branches.tags.{k}"), &interests, table)?,
        ));
    }
    let mut relations = Vec::new();
    for (k, x) in &b.relations {
        let field = format!("branches.relations.{k}");
        relations.push((code(&field, k)?, finite(&field, *x)?));
    }
    for p in poles {
        if !relations.iter().any(|(c, _)| c == p) {
            return Err(FieldError::new(
                "branches.relations",
                format!("pole {p} needs a declared relation"),
            ));
        }
    }
    let ri = &b.relation_inputs;
    let votes = match &b.votes {
        Some(v) => validate_votes(v)?,
        None => VoteBranch::default(),
    };
    Ok(Branches {
        interests,
        kinds,
        tags: tag_stances,
        relations,
        default_relation: finite("branches.default_relation", b.default_relation)?,
        relation_inputs: RelationInputs {
            tier: finite("branches.relation_inputs.tier", ri.tier)?,
            visits: finite("branches.relation_inputs.visits", ri.visits)?,
            incidents: finite("branches.relation_inputs.incidents", ri.incidents)?,
        },
        balance: non_negative("branches.balance", b.balance)?,
        lean_weight: non_negative("branches.lean_weight", b.lean_weight)?,
        max_lean: non_negative("branches.max_lean", b.max_lean)?,
        bystander: non_negative("branches.bystander", b.bystander)?,
        votes,
    })
}

fn validate_votes(v: &VotesInput) -> Result<VoteBranch, FieldError> {
    let mut out = VoteBranch {
        yes: finite("branches.votes.yes", v.yes)?,
        abstain: finite("branches.votes.abstain", v.abstain)?,
        assembly: finite("branches.votes.assembly", v.assembly)?,
        precedent: finite("branches.votes.precedent", v.precedent)?,
        ..VoteBranch::default()
    };
    for (k, w) in &v.peers {
        let field = format!("branches.votes.peers.{k}");
        out.peers.push((code(&field, k)?, finite(&field, *w)?));
    }
    out.peers.sort_by_key(|p| p.0);
    for (k, t) in &v.tags {
        let field = format!("branches.votes.tags.{k}");
        let tag = parse_tag(k).map_err(|m| FieldError::new(&field, m))?;
        out.tag_yes[tag as usize] = finite(&format!("{field}.yes"), t.yes)?;
        out.tag_abstain[tag as usize] = finite(&format!("{field}.abstain"), t.abstain)?;
    }
    if let Some(f) = &v.fit {
        if !(f.in_sample.is_finite() && (0.0..=1.0).contains(&f.in_sample)) {
            return Err(FieldError::new(
                "branches.votes.fit.in_sample",
                "must be an accuracy between 0 and 1",
            ));
        }
        for (k, d) in [("from", &f.from), ("to", &f.to)] {
            crate::date::Date::parse(d)
                .map_err(|e| FieldError::new(&format!("branches.votes.fit.{k}"), e.to_string()))?;
        }
        out.fit = Some(f.clone());
    }
    Ok(out)
}

fn validate_lean(l: &LeanInput) -> Result<LeanSpec, FieldError> {
    if l.window_years == 0 || l.window_years > 100 {
        return Err(FieldError::new(
            "lean.window_years",
            "must be between 1 and 100",
        ));
    }
    if !(l.saturation.is_finite() && l.saturation > 0.0 && l.saturation <= MAX_MAGNITUDE) {
        return Err(FieldError::new(
            "lean.saturation",
            format!("must be a number > 0, at most {MAX_MAGNITUDE}"),
        ));
    }
    let mut weights = [0.0; N_SIGNALS];
    for (k, w) in &l.signals {
        let field = format!("lean.signals.{k}");
        let s = Signal::parse(k).ok_or_else(|| {
            FieldError::new(
                &field,
                format!("unknown signal `{k}` (expected un, tier, trade, arms or visits)"),
            )
        })?;
        weights[s as usize] = non_negative(&field, *w)?;
    }
    if l.signals.is_empty() {
        weights[Signal::Un as usize] = 1.0;
    }
    let mut tiers = [1.0 / 3.0, 2.0 / 3.0, 1.0];
    for (k, v) in &l.tiers {
        let field = format!("lean.tiers.{k}");
        let t = parse_tier(k).map_err(|m| FieldError::new(&field, m))?;
        tiers[t as usize] = non_negative(&field, *v)?;
    }
    let (mut arms_step, mut trade_step) = (0.0, 0.0);
    for (k, v) in &l.steps {
        let field = format!("lean.steps.{k}");
        let v = non_negative(&field, *v)?;
        if v > 1.0 {
            return Err(FieldError::new(&field, "a step is a fraction, at most 1"));
        }
        match k.as_str() {
            "arms" => arms_step = v,
            "trade" => trade_step = v,
            _ => {
                return Err(FieldError::new(
                    &field,
                    format!("unknown step `{k}` (expected arms or trade)"),
                ))
            }
        }
    }
    Ok(LeanSpec {
        window_years: l.window_years,
        saturation: l.saturation,
        weights,
        tiers,
        arms_step,
        trade_step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctrine::{RootInput, VoteTagInput};

    /// A doctrine that uses every section and every rule's happy path.
    const GOOD: &str = r#"
        [doctrine]
        name = "test"
        subject = "VNM"
        poles = ["USA", "CHN"]

        [[root]]
        id = "no-alliance"
        principle = "no alliance"
        [[root.forbid]]
        kind = ["alliance"]
        option = ["join"]

        [[root]]
        id = "no-siding"
        principle = "no siding"
        weight = 2.5
        [[root.forbid]]
        kind = ["un_vote"]
        option = ["yes"]
        tags_any = ["use_of_force"]
        tags_none = ["humanitarian"]
        target = "pole"
        against_target = true
        support_below = 0.9
        [[root.forbid]]
        kind = ["partnership", "visit"]
        option = ["accept"]
        tier = ["comprehensive_strategic"]
        counterpart_in = ["JPN"]

        [[trunk.carry]]
        pillar = "state"
        action = "announce {choice}"
        [[trunk.offset]]
        pillar = "party"
        action = "reassure {toward}"
        toward = ["USA"]

        [branches]
        interests = { autonomy = 1.0, economy = 0.5 }
        balance = 1.0
        relations = { USA = 0.4, CHN = 0.6, JPN = 0.3 }
        kinds = { alliance = { autonomy = -1.0 } }
        tags = { trade = { economy = 2.0 } }
        relation_inputs = { tier = 0.1, visits = 0.2, incidents = 0.3 }

        [branches.votes]
        yes = 0.2
        peers = { LAO = 0.5, CUB = 0.25 }
        tags = { human_rights = { yes = -0.5, abstain = 0.5 } }
        [branches.votes.fit]
        cases = "every vote"
        n = 10
        from = "2000-01-01"
        to = "2010-12-31"
        method = "ml"
        in_sample = 0.8

        [lean]
        window_years = 4
        signals = { un = 1.0, trade = 0.5 }
        tiers = { strategic = 0.5 }
        steps = { arms = 0.2, trade = 0.1 }
    "#;

    fn good() -> DoctrineInput {
        toml::from_str(GOOD).unwrap()
    }

    /// Applies `f` to the good doctrine and returns the error it must now give.
    fn error(f: impl FnOnce(&mut DoctrineInput)) -> FieldError {
        let mut d = good();
        f(&mut d);
        validate_doctrine(&d).expect_err("the change must be refused")
    }

    /// The error is on `field` (and element `index`), and its message says `says`.
    #[track_caller]
    fn refused(f: impl FnOnce(&mut DoctrineInput), field: &str, index: Option<usize>, says: &str) {
        let e = error(f);
        assert_eq!((e.field.as_str(), e.index), (field, index), "{e}");
        assert!(
            e.message.contains(says),
            "`{}` should say `{says}`",
            e.message
        );
    }

    fn clause(d: &mut DoctrineInput) -> &mut ClauseInput {
        &mut d.root[1].forbid[0]
    }

    #[test]
    fn the_good_doctrine_validates_with_every_value_in_place() {
        let d = validate_doctrine(&good()).unwrap();
        assert_eq!(d.name, "test");
        assert_eq!(d.subject, Iso3::from_static("VNM"));
        assert_eq!(
            d.poles,
            [Iso3::from_static("USA"), Iso3::from_static("CHN")]
        );
        assert_eq!(d.roots.len(), 2);
        assert_eq!(d.roots[0].weight, 1.0, "a root's weight defaults to 1");
        assert_eq!(d.roots[1].weight, 2.5);
        let c = &d.roots[1].clauses[0];
        assert_eq!(
            (c.kinds.as_slice(), c.options.as_slice()),
            (
                [Kind::UnVote].as_slice(),
                [crate::case::Opt::Yes].as_slice()
            )
        );
        assert!(c.tags_any.contains(crate::case::Tag::UseOfForce));
        assert!(c.tags_none.contains(crate::case::Tag::Humanitarian));
        assert!(c.tags_all.is_empty());
        assert_eq!((c.target, c.counterpart), (PartyCond::Pole, PartyCond::Any));
        assert!(c.against_target && !c.sides_in_split);
        assert_eq!(c.support_below, Some(0.9));
        let c = &d.roots[1].clauses[1];
        assert_eq!(c.tiers, [crate::case::Tier::ComprehensiveStrategic]);
        assert_eq!(c.counterpart_in, [Iso3::from_static("JPN")]);
        assert_eq!(d.trunk.carry[0].pillar, Pillar::State);
        assert_eq!(d.trunk.offsets[0].toward, [Iso3::from_static("USA")]);
        let b = &d.branches;
        assert_eq!(
            b.interests,
            [("autonomy".to_string(), 1.0), ("economy".to_string(), 0.5)]
        );
        assert_eq!(
            b.kinds,
            [(Kind::Alliance, vec![-1.0, 0.0])],
            "undeclared stances are 0"
        );
        assert_eq!(b.tags, [(crate::case::Tag::Trade, vec![0.0, 2.0])]);
        assert_eq!((b.max_lean, b.bystander), (1.0, 0.5), "the defaults");
        assert_eq!(b.relation_inputs.incidents, 0.3);
        assert_eq!(b.votes.peer(Iso3::from_static("CUB")), Some(0.25));
        assert_eq!(
            b.votes.peers[0].0,
            Iso3::from_static("CUB"),
            "peers sorted by code"
        );
        assert_eq!(
            b.votes.tag_yes[crate::case::Tag::HumanRights as usize],
            -0.5
        );
        assert_eq!(b.votes.fit.as_ref().map(|f| f.n), Some(10));
        let l = &d.lean;
        assert_eq!((l.window_years, l.saturation), (4, 3.0));
        assert_eq!(l.weights, [1.0, 0.0, 0.5, 0.0, 0.0]);
        assert_eq!(
            l.tiers,
            [1.0 / 3.0, 0.5, 1.0],
            "one tier set, the others default"
        );
        assert_eq!((l.arms_step, l.trade_step), (0.2, 0.1));
    }

    #[test]
    fn the_defaults_of_a_minimal_doctrine() {
        let d: DoctrineInput = toml::from_str(
            r#"
            [doctrine]
            name = "m"
            subject = "VNM"
            poles = ["USA", "CHN"]
            [branches]
            interests = { autonomy = 1.0 }
            relations = { USA = 0.0, CHN = 0.0 }
        "#,
        )
        .unwrap();
        let d = validate_doctrine(&d).unwrap();
        assert!(d.roots.is_empty() && d.trunk.carry.is_empty());
        assert!(d.branches.votes.is_empty());
        assert_eq!(
            d.lean.weights,
            [1.0, 0.0, 0.0, 0.0, 0.0],
            "un alone by default"
        );
        assert_eq!(d.lean.window_years, 5);
    }

    #[test]
    fn unknown_keys_are_refused_by_the_input() {
        let text = GOOD.replace("balance = 1.0", "balance = 1.0\nbalanse = 2.0");
        let e = toml::from_str::<DoctrineInput>(&text).unwrap_err();
        assert!(e.to_string().contains("balanse"), "{e}");
    }

    #[test]
    fn each_header_rule_names_its_field() {
        refused(
            |d| d.doctrine.name = " ".into(),
            "doctrine.name",
            None,
            "empty",
        );
        refused(
            |d| d.doctrine.subject = "Viet Nam".into(),
            "doctrine.subject",
            None,
            "",
        );
        refused(
            |d| d.doctrine.poles[1] = "china".into(),
            "doctrine.poles",
            Some(1),
            "",
        );
        refused(
            |d| d.doctrine.poles.truncate(1),
            "doctrine.poles",
            None,
            "2 to 8 poles, found 1",
        );
        refused(
            |d| {
                d.doctrine.poles = [
                    "USA", "CHN", "RUS", "IND", "JPN", "FRA", "GBR", "DEU", "BRA",
                ]
                .map(String::from)
                .to_vec()
            },
            "doctrine.poles",
            None,
            "found 9",
        );
        refused(
            |d| d.doctrine.poles.push("USA".into()),
            "doctrine.poles",
            Some(2),
            "repeated",
        );
        refused(
            |d| d.doctrine.poles.push("VNM".into()),
            "doctrine.poles",
            Some(2),
            "the subject",
        );
    }

    #[test]
    fn each_root_rule_names_its_field() {
        refused(|d| d.root[1].id = "".into(), "root[1].id", None, "empty");
        refused(
            |d| d.root[1].id = "no-alliance".into(),
            "root[1].id",
            None,
            "used twice",
        );
        refused(
            |d| d.root[0].forbid.clear(),
            "root[0].forbid",
            None,
            "forbid something",
        );
        for w in [0.0, -1.0, f64::NAN, 1000.5] {
            refused(
                |d| d.root[0].weight = Some(w),
                "root[0].weight",
                None,
                "> 0",
            );
        }
        refused(
            |d| {
                let r = d.root[0].clone();
                d.root = (0..=MAX_ROOTS)
                    .map(|i| RootInput {
                        id: format!("r{i}"),
                        ..r.clone()
                    })
                    .collect();
            },
            "root",
            None,
            "at most 64 roots",
        );
    }

    #[test]
    fn each_clause_rule_names_its_field() {
        let f = "root[1].forbid[0]";
        let at = |k: &str| format!("{f}.{k}");
        refused(
            |d| clause(d).kind.clear(),
            &at("kind"),
            None,
            "names no kind",
        );
        refused(
            |d| clause(d).kind[0] = "vote".into(),
            &at("kind"),
            Some(0),
            "unknown kind `vote`",
        );
        refused(
            |d| clause(d).option.clear(),
            &at("option"),
            None,
            "names no option",
        );
        refused(
            |d| clause(d).option.push("join".into()),
            &at("option"),
            Some(1),
            "expected one of: yes, no, abstain",
        );
        refused(
            |d| clause(d).kind.push("visit".into()),
            &at("kind"),
            Some(1),
            "no option of kind `visit`",
        );
        refused(
            |d| clause(d).target = Some("enemy".into()),
            &at("target"),
            None,
            "unknown condition `enemy`",
        );
        refused(
            |d| clause(d).counterpart = Some("poles".into()),
            &at("counterpart"),
            None,
            "not_pole",
        );
        refused(
            |d| clause(d).tags_any.push("war".into()),
            &at("tags_any"),
            Some(1),
            "unknown tag `war`",
        );
        refused(
            |d| clause(d).tags_all = vec!["trade".into(), "wars".into()],
            &at("tags_all"),
            Some(1),
            "vocabulary",
        );
        refused(
            |d| clause(d).tags_none[0] = "".into(),
            &at("tags_none"),
            Some(0),
            "unknown tag",
        );
        refused(
            |d| clause(d).target_in = vec!["U5A".into()],
            &at("target_in"),
            Some(0),
            "three-letter",
        );
        refused(
            |d| clause(d).counterpart_in = vec!["CHN".into(), "X".into()],
            &at("counterpart_in"),
            Some(1),
            "",
        );
        refused(
            |d| clause(d).tier = vec!["strategic".into()],
            &at("tier"),
            None,
            "needs kind `partnership`",
        );
        refused(
            |d| d.root[1].forbid[1].tier[0] = "best".into(),
            "root[1].forbid[1].tier",
            Some(0),
            "unknown tier `best`",
        );
        for x in [0.0, 1.5, f64::NAN] {
            refused(
                |d| clause(d).support_below = Some(x),
                &at("support_below"),
                None,
                "above 0 and at most 1",
            );
        }
        refused(
            |d| d.root[1].forbid[1].support_below = Some(0.5),
            "root[1].forbid[1].support_below",
            None,
            "needs kind `un_vote`",
        );
    }

    #[test]
    fn each_trunk_rule_names_its_field() {
        refused(
            |d| d.trunk.carry[0].pillar = "army".into(),
            "trunk.carry[0].pillar",
            None,
            "unknown pillar `army`",
        );
        refused(
            |d| d.trunk.offset[0].pillar = "State".into(),
            "trunk.offset[0].pillar",
            None,
            "party, state or people",
        );
        refused(
            |d| d.trunk.offset[0].toward.push("U S".into()),
            "trunk.offset[0].toward",
            Some(1),
            "",
        );
    }

    #[test]
    fn each_branch_rule_names_its_field() {
        refused(
            |d| d.branches.interests.clear(),
            "branches.interests",
            None,
            "at least one interest",
        );
        refused(
            |d| {
                d.branches.interests.insert("economy".into(), -0.5);
            },
            "branches.interests.economy",
            None,
            "from 0 to 1000",
        );
        refused(
            |d| {
                d.branches.kinds.insert("war".into(), BTreeMap::new());
            },
            "branches.kinds.war",
            None,
            "unknown kind",
        );
        refused(
            |d| {
                d.branches
                    .kinds
                    .get_mut("alliance")
                    .unwrap()
                    .insert("prestige".into(), 1.0);
            },
            "branches.kinds.alliance.prestige",
            None,
            "not a declared interest (declared: autonomy, economy)",
        );
        refused(
            |d| {
                d.branches.tags.insert("wars".into(), BTreeMap::new());
            },
            "branches.tags.wars",
            None,
            "unknown tag",
        );
        refused(
            |d| {
                d.branches
                    .tags
                    .get_mut("trade")
                    .unwrap()
                    .insert("economy".into(), f64::INFINITY);
            },
            "branches.tags.trade.economy",
            None,
            "from -1000 to 1000",
        );
        refused(
            |d| {
                d.branches.relations.insert("jp".into(), 0.1);
            },
            "branches.relations.jp",
            None,
            "",
        );
        refused(
            |d| {
                d.branches.relations.insert("JPN".into(), 1001.0);
            },
            "branches.relations.JPN",
            None,
            "-1000 to 1000",
        );
        refused(
            |d| {
                d.branches.relations.remove("CHN");
            },
            "branches.relations",
            None,
            "pole CHN needs a declared relation",
        );
        refused(
            |d| d.branches.default_relation = f64::NAN,
            "branches.default_relation",
            None,
            "",
        );
        refused(
            |d| d.branches.relation_inputs.visits = -2000.0,
            "branches.relation_inputs.visits",
            None,
            "",
        );
        refused(
            |d| d.branches.balance = -0.1,
            "branches.balance",
            None,
            "from 0 to",
        );
        refused(
            |d| d.branches.lean_weight = 1e6,
            "branches.lean_weight",
            None,
            "from 0 to",
        );
        refused(
            |d| d.branches.max_lean = -1.0,
            "branches.max_lean",
            None,
            "from 0 to",
        );
        refused(
            |d| d.branches.bystander = f64::NAN,
            "branches.bystander",
            None,
            "from 0 to",
        );
    }

    #[test]
    fn each_vote_branch_rule_names_its_field() {
        fn votes(d: &mut DoctrineInput) -> &mut VotesInput {
            d.branches.votes.as_mut().unwrap()
        }
        refused(|d| votes(d).yes = f64::NAN, "branches.votes.yes", None, "");
        refused(
            |d| votes(d).precedent = 2000.0,
            "branches.votes.precedent",
            None,
            "",
        );
        refused(
            |d| {
                votes(d).peers.insert("Laos".into(), 1.0);
            },
            "branches.votes.peers.Laos",
            None,
            "",
        );
        refused(
            |d| {
                votes(d).peers.insert("VNM".into(), 1.0);
            },
            "branches.votes.peers.VNM",
            None,
            "its own peer",
        );
        refused(
            |d| {
                votes(d)
                    .tags
                    .insert("votes".into(), VoteTagInput::default());
            },
            "branches.votes.tags.votes",
            None,
            "unknown tag",
        );
        refused(
            |d| votes(d).tags.get_mut("human_rights").unwrap().abstain = f64::NEG_INFINITY,
            "branches.votes.tags.human_rights.abstain",
            None,
            "",
        );
        refused(
            |d| votes(d).fit.as_mut().unwrap().in_sample = 1.2,
            "branches.votes.fit.in_sample",
            None,
            "between 0 and 1",
        );
        refused(
            |d| votes(d).fit.as_mut().unwrap().to = "2010-13-01".into(),
            "branches.votes.fit.to",
            None,
            "",
        );
    }

    #[test]
    fn each_lean_rule_names_its_field() {
        refused(
            |d| d.lean.window_years = 0,
            "lean.window_years",
            None,
            "between 1 and 100",
        );
        refused(
            |d| d.lean.window_years = 101,
            "lean.window_years",
            None,
            "between 1 and 100",
        );
        refused(|d| d.lean.saturation = 0.0, "lean.saturation", None, "> 0");
        refused(
            |d| {
                d.lean.signals.insert("gdp".into(), 1.0);
            },
            "lean.signals.gdp",
            None,
            "un, tier, trade, arms or visits",
        );
        refused(
            |d| {
                d.lean.signals.insert("arms".into(), -1.0);
            },
            "lean.signals.arms",
            None,
            "from 0 to",
        );
        refused(
            |d| {
                d.lean.tiers.insert("alliance".into(), 1.0);
            },
            "lean.tiers.alliance",
            None,
            "unknown tier",
        );
        refused(
            |d| {
                d.lean.steps.insert("arms".into(), 1.5);
            },
            "lean.steps.arms",
            None,
            "at most 1",
        );
        refused(
            |d| {
                d.lean.steps.insert("visits".into(), 0.5);
            },
            "lean.steps.visits",
            None,
            "expected arms or trade",
        );
    }

    #[test]
    fn numbers_at_the_bounds_are_accepted() {
        let mut d = good();
        d.branches.relations.insert("JPN".into(), -MAX_MAGNITUDE);
        d.branches.balance = MAX_MAGNITUDE;
        d.root[0].weight = Some(MAX_MAGNITUDE);
        d.lean.saturation = MAX_MAGNITUDE;
        d.lean.window_years = 100;
        d.lean.steps.insert("arms".into(), 1.0);
        clause(&mut d).support_below = Some(1.0);
        assert!(validate_doctrine(&d).is_ok());
    }
}
