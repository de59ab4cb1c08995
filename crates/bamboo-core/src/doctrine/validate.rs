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
