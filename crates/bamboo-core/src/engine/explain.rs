//! Turns a [`Decision`] into advice: options with the roots they break, the trunk's
//! multi-pillar plan, the lean before and after, and the branch terms with their numbers,
//! both as data ([`Trace`]) and as text (the `explanation` string).
//!
//! This is the cold path: it allocates freely and is called once per printed answer.

use std::fmt::Write;

use crate::case::{Case, Kind, Opt};
use crate::country::Iso3;
use crate::doctrine::{CompiledDoctrine, Party, Pillar, VoteBranch};
use crate::engine::context::ContextInputs;
use crate::engine::{pleased, Assembly, Decision, Situation, VoteDesign};

/// Rounds to 4 decimals for output (and turns −0 into 0), so printed numbers are stable.
pub fn round4(x: f64) -> f64 {
    let r = (x * 1e4).round() / 1e4;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn round_opt(x: Option<f64>) -> Option<f64> {
    x.map(round4)
}

/// One option as the advice reports it (the spec's keys).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OptionAdvice {
    /// The option, one of the case kind's options in their fixed order.
    pub option: Opt,
    /// No root forbids it.
    pub admissible: bool,
    /// The ids of the roots that forbid it, in the doctrine's root order.
    pub violations: Vec<String>,
    /// Its branch score (value + relations + balance + lean + votes), rounded to 4
    /// decimals; forbidden options are scored too.
    pub score: f64,
}

/// One step of the plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PlanStep {
    /// Which pillar acts: party, state or people.
    pub pillar: Pillar,
    /// The state the step is addressed to: the counterpart (else the target, else the
    /// subject) for a carrying step, a displeased actor for an offset.
    pub toward: Iso3,
    /// What to do, the doctrine's template filled in (or the planner's dated move).
    pub action: String,
}

/// The doctrine's lean before and after the choice (`null` when no signal had data).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LeanChange {
    /// The composite lean (max − min of the poles' composite alignment, 0..1 with the
    /// default tier values) as of the case date, rounded to 4 decimals.
    pub before: Option<f64>,
    /// The lean the chosen option would leave (its projected effect on the signals).
    pub after: Option<f64>,
}

/// The advice for one case, exactly the keys of `shared/spec/cases.md`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Advice {
    /// The case's id.
    pub id: String,
    /// The option the engine chose (the least-violating one when all are forbidden).
    pub choice: Opt,
    /// Every option of the case's kind, in order, with its roots and score.
    pub options: Vec<OptionAdvice>,
    /// The steps that carry the choice, then the offsets toward each actor it displeases.
    pub plan: Vec<PlanStep>,
    /// The lean before and after the choice.
    pub lean: LeanChange,
    /// The rule, the roots, every option's terms, the lean and the inputs, in sentences.
    pub explanation: String,
}

/// A named number that went into a score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Term {
    /// The term: `value`, `relations`, `balance`, `lean` or `votes` for an option;
    /// `kind:K` or `tag:T` for the measure.
    pub name: String,
    /// What it is made of, with the numbers (e.g. each pole's wish and relation).
    pub detail: String,
    /// Its contribution to the score, rounded to 4 decimals.
    pub value: f64,
}

/// A root that ruled an option out, and why it matched.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RootHit {
    /// The root's id.
    pub root: String,
    /// The principle the root states, as the doctrine words it.
    pub principle: String,
    /// The first of the root's clauses that matched, described (kind, option, conditions).
    pub clause: String,
}

/// One option's full account.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TraceOption {
    /// The option.
    pub option: Opt,
    /// No root forbids it.
    pub admissible: bool,
    /// The roots that forbid it, with the clause of each that matched.
    pub violations: Vec<RootHit>,
    /// Its branch terms in the order they add up (value, relations, balance, lean, then
    /// votes for a vote under a vote branch).
    pub terms: Vec<Term>,
    /// The sum of the terms (computed unrounded, then rounded to 4 decimals).
    pub score: f64,
    /// The lean the option would leave, rounded; `None` when no signal had data.
    pub lean_after: Option<f64>,
}

/// The explanation as data: inputs, the rule that chose, and every option's account.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Trace {
    /// The case's id.
    pub id: String,
    /// The rule that chose, in words (the highest admissible score, or the least-violating
    /// option when all are forbidden).
    pub rule: String,
    /// Every option was forbidden: the choice is the least-violating one.
    pub forced: bool,
    /// What the situation is worth to the doctrine, term by term (kind and tags).
    pub measure: Vec<Term>,
    /// Every option's account, in the kind's option order.
    pub options: Vec<TraceOption>,
    /// What the context was built from (ledger, data, precedent).
    pub inputs: ContextInputs,
    /// The planner's full answer (agendas, lean paths), when the doctrine has moves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<crate::plan::Plan>,
}

fn fill(template: &str, case: &Case, choice: Opt, toward: Iso3, subject: Iso3) -> String {
    // One pass over the template gives what the replacements one after the other give
    // unless a text put in holds a brace (a title quoting `{id}`, say, which the later
    // replacements would fill too): then they are made one after the other.
    if !case.title.contains('{') && !case.id.contains('{') {
        let mut out = String::with_capacity(template.len() + case.title.len());
        let mut rest = template;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            let put = [
                ("{choice}", choice.as_str()),
                ("{title}", case.title.as_str()),
                ("{toward}", toward.as_str()),
                ("{subject}", subject.as_str()),
                ("{id}", case.id.as_str()),
            ]
            .into_iter()
            .find(|(k, _)| after.starts_with(k));
            match put {
                Some((k, v)) => {
                    out.push_str(v);
                    rest = &after[k.len()..];
                }
                None => {
                    out.push('{');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        return out;
    }
    template
        .replace("{choice}", choice.as_str())
        .replace("{title}", &case.title)
        .replace("{toward}", toward.as_str())
        .replace("{subject}", subject.as_str())
        .replace("{id}", &case.id)
}

/// Whether the options' terms carry their `detail` text. Only the [`Trace`] shows it;
/// the advice's explanation names each term and its value alone.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Every term says what it is made of (the trace).
    Full,
    /// The terms' `detail` is left empty (the advice alone).
    None,
}

/// Builds the advice (spec keys) and the trace (full account) of a decision.
pub fn explain(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    dec: &Decision,
    planned: Option<&crate::plan::Plan>,
) -> (Advice, Trace) {
    let (advice, options) = account(d, case, s, inputs, dec, planned, Detail::Full);
    let trace = Trace {
        id: case.id.clone(),
        rule: rule(dec),
        forced: dec.forced,
        measure: measure_terms(d, case),
        options,
        inputs: inputs.clone(),
        agenda: planned.cloned(),
    };
    (advice, trace)
}

/// The advice alone: the same [`Advice`] as [`explain`]'s, byte for byte, without the
/// trace's detail texts, measure and copies of the inputs and agenda, which only the
/// trace shows (a `--json` answer without `--trace` prints the advice alone).
pub fn explain_advice(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    dec: &Decision,
    planned: Option<&crate::plan::Plan>,
) -> Advice {
    account(d, case, s, inputs, dec, planned, Detail::None).0
}

/// The advice and every option's account (its terms' details as `detail` asks).
fn account(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    dec: &Decision,
    planned: Option<&crate::plan::Plan>,
    detail: Detail,
) -> (Advice, Vec<TraceOption>) {
    let ci = dec.choice as usize;
    let mut advice_opts = Vec::with_capacity(case.kind.options().len());
    let mut trace_opts = Vec::with_capacity(case.kind.options().len());
    for (i, &o) in case.kind.options().iter().enumerate() {
        let (a, t) = option_account(d, case, s, inputs, dec, i, o, detail);
        advice_opts.push(a);
        trace_opts.push(t);
    }
    let plan = plan(d, case, s, dec, planned);
    let lean = LeanChange {
        before: round_opt(dec.lean_before),
        after: round_opt(dec.options[ci].lean_after.or(dec.lean_before)),
    };
    let explanation = render_summary(&rule(dec), &trace_opts, inputs, &lean);
    let advice = Advice {
        id: case.id.clone(),
        choice: dec.choice(),
        options: advice_opts,
        plan,
        lean,
        explanation,
    };
    (advice, trace_opts)
}

/// Option `i` (`o`) as the advice reports it and as the trace accounts for it.
#[allow(clippy::too_many_arguments)]
fn option_account(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    dec: &Decision,
    i: usize,
    o: Opt,
    detail: Detail,
) -> (OptionAdvice, TraceOption) {
    let sc = &dec.options[i];
    let hits = root_hits(d, s, sc.violations, i, o);
    let advice = OptionAdvice {
        option: o,
        admissible: sc.violations == 0,
        violations: hits.iter().map(|h| h.root.clone()).collect(),
        score: round4(sc.score),
    };
    let terms = match detail {
        Detail::Full => option_terms(d, case, s, inputs, dec, i, o),
        Detail::None => option_values(d, case, dec, i),
    };
    let trace = TraceOption {
        option: o,
        admissible: sc.violations == 0,
        violations: hits,
        terms,
        score: round4(sc.score),
        lean_after: round_opt(sc.lean_after),
    };
    (advice, trace)
}

/// The roots that forbid option `i` (`o`), in root order, each with the first of its
/// clauses that matches.
fn root_hits(
    d: &CompiledDoctrine,
    s: &Situation,
    violations: u64,
    i: usize,
    o: Opt,
) -> Vec<RootHit> {
    let doc = d.doctrine();
    let mut hits = Vec::new();
    for (r, root) in doc.roots.iter().enumerate() {
        if violations & (1 << r) == 0 {
            continue;
        }
        hits.push(RootHit {
            root: root.id.clone(),
            principle: root.principle.clone(),
            clause: matching_clause(d, s, r, i, o),
        });
    }
    hits
}

/// The description of root `r`'s first clause that forbids option `i` (`o`) in `s` (empty
/// when none does).
fn matching_clause(d: &CompiledDoctrine, s: &Situation, r: usize, i: usize, o: Opt) -> String {
    let root = &d.doctrine().roots[r];
    d.clauses()
        .iter()
        .enumerate()
        .filter(|(_, (ri, _))| *ri as usize == r)
        .find(|(_, (_, c))| super::clause_matches(c, s, d.n_poles(), i, o))
        .map(|(k, _)| {
            let nth = d.clauses()[..k]
                .iter()
                .filter(|(ri, _)| *ri as usize == r)
                .count();
            root.clauses[nth].describe()
        })
        .unwrap_or_default()
}

/// Option `i`'s branch terms with what each is made of: value, relations, balance, lean,
/// and the vote branch's term for a vote under a doctrine that has one.
fn option_terms(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    dec: &Decision,
    i: usize,
    o: Opt,
) -> Vec<Term> {
    let b = &d.doctrine().branches;
    let sc = &dec.options[i];
    let lean_detail = match (dec.lean_before, sc.lean_after) {
        (Some(a), Some(l)) => format!("lean {:.4} -> {:.4}, tolerated up to {}", a, l, b.max_lean),
        _ => "no lean signal had data".to_string(),
    };
    let term = |name: &str, detail: String, value: f64| Term {
        name: name.into(),
        detail,
        value: round4(value),
    };
    let value_detail = format!(
        "direction {} x measure (kind and tag stances weighted by interests)",
        direction_label(case.kind, i)
    );
    let balance_detail = format!("-{} x spread of the poles' agreement with {o}", b.balance);
    let mut terms = vec![
        term("value", value_detail, sc.value),
        term(
            "relations",
            relations_detail(d, case, s, inputs, i),
            sc.relations,
        ),
        term("balance", balance_detail, sc.balance),
        term("lean", lean_detail, sc.lean),
    ];
    if case.kind == Kind::UnVote && !b.votes.is_empty() {
        terms.push(term("votes", votes_detail(d, case, inputs, i), sc.votes));
    }
    terms
}

/// Option `i`'s branch terms as [`option_terms`] names and values them, without what each
/// is made of (every `detail` empty).
fn option_values(d: &CompiledDoctrine, case: &Case, dec: &Decision, i: usize) -> Vec<Term> {
    let sc = &dec.options[i];
    let term = |name: &str, value: f64| Term {
        name: name.into(),
        detail: String::new(),
        value: round4(value),
    };
    let mut terms = vec![
        term("value", sc.value),
        term("relations", sc.relations),
        term("balance", sc.balance),
        term("lean", sc.lean),
    ];
    if case.kind == Kind::UnVote && !d.branches().votes.is_empty() {
        terms.push(term("votes", sc.votes));
    }
    terms
}

/// The sign of option `i`'s direction as the value term prints it.
fn direction_label(kind: Kind, i: usize) -> &'static str {
    match (kind, i) {
        (Kind::UnVote, 0) | (Kind::Incident, 0 | 1) | (_, 0) => "+1",
        (Kind::UnVote, 1) | (Kind::Incident, 2) => "-1",
        _ => "0",
    }
}

/// What the measure is worth, term by term: the kind's value (when not 0), then each tag's.
fn measure_terms(d: &CompiledDoctrine, case: &Case) -> Vec<Term> {
    let b = &d.doctrine().branches;
    let mut measure = Vec::new();
    let kv = d.kind_value(case.kind);
    if kv != 0.0 {
        measure.push(Term {
            name: format!("kind:{}", case.kind),
            detail: stance_detail(d, b.kinds.iter().find(|k| k.0 == case.kind).map(|k| &k.1)),
            value: round4(kv),
        });
    }
    for t in case.tags.iter() {
        let tv = d.tag_value(t);
        measure.push(Term {
            name: format!("tag:{t}"),
            detail: stance_detail(d, b.tags.iter().find(|x| x.0 == t).map(|x| &x.1)),
            value: round4(tv),
        });
    }
    measure
}

/// The rule that chose, as the trace and the explanation state it.
fn rule(dec: &Decision) -> String {
    let choice = dec.choice();
    if dec.forced {
        format!(
            "every option is forbidden: chose the least-violating one ({choice}: the smallest total weight of violated roots, then the highest score)"
        )
    } else {
        format!("chose {choice}: the admissible option with the highest score")
    }
}

/// How many peers an explanation names, by the size of their contribution.
const PEERS_SHOWN: usize = 6;

/// The vote branch's term for option `i`, part by part: the peers that moved it most, the
/// Assembly, the standing values and the tags.
fn votes_detail(d: &CompiledDoctrine, case: &Case, inputs: &ContextInputs, i: usize) -> String {
    let vb = &d.branches().votes;
    let codes: Vec<Iso3> = vb.peers.iter().map(|p| p.0).collect();
    let prec = inputs.precedent.as_ref();
    let design = super::vote_design(&codes, case, prec.map(|p| p.vote));
    let asm = Assembly::of(case);
    let mut parts = Vec::new();
    if !vb.peers.is_empty() {
        parts.push(company_detail(vb, &design, &asm, case, i));
    }
    if vb.assembly != 0.0 {
        let sh = asm.shares.map_or_else(
            || "no recorded shares".to_string(),
            |s| format!("shares yes {:.3} no {:.3} abstain {:.3}", s[0], s[1], s[2]),
        );
        parts.push(format!(
            "assembly {} x {:+.4} ({sh})",
            vb.assembly, design.assembly[i]
        ));
    }
    if vb.precedent != 0.0 {
        match prec {
            Some(p) => parts.push(format!(
                "precedent {} x {:+} (voted {} on {} \"{}\", similar by {} {:.2})",
                vb.precedent,
                design.precedent[i],
                p.vote,
                p.date,
                p.title.as_deref().unwrap_or("untitled roll call"),
                p.by,
                p.similarity
            )),
            None => parts.push("no precedent in the vote data".into()),
        }
    }
    let (dir, abst) = (design.dir[i], design.abstains[i]);
    if vb.yes != 0.0 && dir != 0.0 {
        parts.push(format!("standing yes {} x {dir:+}", vb.yes));
    }
    if vb.abstain != 0.0 && abst != 0.0 {
        parts.push(format!("standing abstain {}", vb.abstain));
    }
    for t in case.tags.iter() {
        let (ty, ta) = (vb.tag_yes[t as usize], vb.tag_abstain[t as usize]);
        if ty != 0.0 && dir != 0.0 {
            parts.push(format!("tag {t} yes {ty} x {dir:+}"));
        }
        if ta != 0.0 && abst != 0.0 {
            parts.push(format!("tag {t} abstain {ta}"));
        }
    }
    if let Some(f) = &vb.fit {
        parts.push(format!(
            "weights fitted to {} ({} cases, {} to {})",
            f.cases, f.n, f.from, f.to
        ));
    }
    parts.join("; ")
}

/// The peers' part of the vote branch's term for option `i`: their total, how many voted,
/// and the [`PEERS_SHOWN`] that moved it most (by size, then by code).
fn company_detail(
    vb: &VoteBranch,
    design: &VoteDesign,
    asm: &Assembly,
    case: &Case,
    i: usize,
) -> String {
    let mut contrib: Vec<(f64, Iso3, f64, Option<Opt>)> = vb
        .peers
        .iter()
        .zip(&design.peers)
        .map(|((c, w), p)| (w * p[i], *c, *w, case.wanted_by(*c)))
        .collect();
    let total: f64 = contrib.iter().map(|x| x.0).sum();
    let listed = contrib.iter().filter(|x| x.3.is_some()).count();
    contrib.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
    let shown: Vec<String> = contrib
        .iter()
        .filter(|x| x.0 != 0.0)
        .take(PEERS_SHOWN)
        .map(|(v, c, w, o)| match o {
            Some(o) => format!("{c} {o} (w {w}) {v:+.3}"),
            None => format!("{c} unlisted, as the Assembly (w {w}) {v:+.3}"),
        })
        .collect();
    let unlisted = if asm.complete {
        format!("{} did not vote", vb.peers.len() - listed)
    } else {
        format!(
            "{} unlisted, counted as the Assembly votes",
            vb.peers.len() - listed
        )
    };
    format!(
        "company {total:+.4} from {} peers ({listed} voted, {unlisted}){}{}",
        vb.peers.len(),
        if shown.is_empty() { "" } else { ": " },
        shown.join(", ")
    )
}

fn stance_detail(d: &CompiledDoctrine, v: Option<&Vec<f64>>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    d.branches()
        .interests
        .iter()
        .zip(v)
        .filter(|(_, s)| **s != 0.0)
        .map(|((name, w), s)| format!("{name} {w} x {s}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn relations_detail(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    inputs: &ContextInputs,
    i: usize,
) -> String {
    let rel_of = |c: Iso3| {
        inputs
            .relations
            .iter()
            .find(|r| r.actor == c)
            .map_or(d.branches().default_relation, |r| r.value)
    };
    let cp_pole = matches!(s.counterpart, Party::Actor(p) if (p as usize) < d.n_poles());
    let mut parts = Vec::new();
    for (p, pole) in d.poles().iter().enumerate() {
        let w = s.pole_want[p];
        if w < 0 {
            continue;
        }
        let weight = if case.kind == Kind::UnVote || (cp_pole && case.counterpart == Some(*pole)) {
            1.0
        } else {
            d.branches().bystander
        };
        parts.push(format!(
            "{pole} wants {} (rel {:.3} x w {weight} x {:+})",
            case.kind.options()[w as usize],
            rel_of(*pole),
            pleased(case.kind, i, w as usize)
        ));
    }
    if s.counterpart_want >= 0 {
        if let Some(c) = case.counterpart {
            parts.push(format!(
                "counterpart {c} wants {} (rel {:.3} x {:+})",
                case.kind.options()[s.counterpart_want as usize],
                rel_of(c),
                pleased(case.kind, i, s.counterpart_want as usize)
            ));
        }
    }
    if parts.is_empty() {
        "no known positions".into()
    } else {
        parts.join("; ")
    }
}

/// The plan: the trunk's carrying steps toward the counterpart (or the target, or the
/// subject itself), then the offsets. With a move catalogue, the planner's chosen agenda
/// gives the offsets toward the poles (every pillar of a move acting together, month by
/// month), and the trunk's templates the offsets toward a displeased counterpart that is not
/// a pole; without one, the templates give every offset toward every pole, and the
/// counterpart, that the choice displeases (any actor that wanted another option).
fn plan(
    d: &CompiledDoctrine,
    case: &Case,
    s: &Situation,
    dec: &Decision,
    planned: Option<&crate::plan::Plan>,
) -> Vec<PlanStep> {
    let doc = d.doctrine();
    let choice = dec.choice();
    let ci = dec.choice as usize;
    let subject = doc.subject;
    let carry_to = case.counterpart.or(case.target).unwrap_or(subject);
    let mut steps: Vec<PlanStep> = doc
        .trunk
        .carry
        .iter()
        .map(|st| PlanStep {
            pillar: st.pillar,
            toward: carry_to,
            action: fill(&st.action, case, choice, carry_to, subject),
        })
        .collect();
    let mut displeased = displeased(d, case, s, ci);
    if let Some(p) = planned {
        if let Some(a) = p.best() {
            steps.extend(agenda_steps(a));
        }
        // The poles are the planner's; the templates serve the other displeased actors.
        displeased.retain(|a| !d.poles().contains(a));
    }
    for actor in displeased {
        for off in &doc.trunk.offsets {
            if off.toward.is_empty() || off.toward.contains(&actor) {
                steps.push(PlanStep {
                    pillar: off.pillar,
                    toward: actor,
                    action: fill(&off.action, case, choice, actor, subject),
                });
            }
        }
    }
    steps
}

/// The poles whose known wish option `ci` does not fully please, in pole order, then the
/// counterpart if it is displeased and not a pole already listed.
fn displeased(d: &CompiledDoctrine, case: &Case, s: &Situation, ci: usize) -> Vec<Iso3> {
    let mut displeased: Vec<Iso3> = Vec::new();
    for (p, pole) in d.poles().iter().enumerate() {
        let w = s.pole_want[p];
        if w >= 0 && pleased(case.kind, ci, w as usize) < 1.0 {
            displeased.push(*pole);
        }
    }
    if s.counterpart_want >= 0 && pleased(case.kind, ci, s.counterpart_want as usize) < 1.0 {
        if let Some(c) = case.counterpart {
            if !displeased.contains(&c) {
                displeased.push(c);
            }
        }
    }
    displeased
}

/// The planner's chosen agenda as plan steps: one per pillar of each move, dated by month.
fn agenda_steps(a: &crate::plan::Agenda) -> Vec<PlanStep> {
    let mut steps = Vec::new();
    for st in &a.steps {
        let together = if st.pillars.len() > 1 {
            format!(" ({} together)", crate::plan::pillar_names(&st.pillars))
        } else {
            String::new()
        };
        for pillar in &st.pillars {
            steps.push(PlanStep {
                pillar: *pillar,
                toward: st.toward,
                action: format!(
                    "Month {} (from {}){together}: {} [{}]",
                    st.month, st.date, st.what, st.why
                ),
            });
        }
    }
    steps
}

/// The advice's explanation: the rule, the roots that ruled options out, every option's
/// terms and score, the lean and the inputs (each term by name and value only). Written
/// into one string, the numbers by [`push_fixed4`].
fn render_summary(
    rule: &str,
    options: &[TraceOption],
    inputs: &ContextInputs,
    lean: &LeanChange,
) -> String {
    let mut s = String::with_capacity(512);
    let _ = write!(s, "{}.", capitalise(rule));
    let mut ruled = options.iter().filter(|o| !o.admissible).peekable();
    if ruled.peek().is_some() {
        s.push_str(" Roots ruled out: ");
        for (k, o) in ruled.enumerate() {
            if k > 0 {
                s.push_str("; ");
            }
            let _ = write!(s, "{} by ", o.option);
            for (j, h) in o.violations.iter().enumerate() {
                if j > 0 {
                    s.push_str(" and ");
                }
                let _ = write!(s, "{} ({})", h.root, h.clause);
            }
        }
        s.push('.');
    }
    s.push_str(" Branch scores: ");
    for (k, o) in options.iter().enumerate() {
        if k > 0 {
            s.push_str("; ");
        }
        let _ = write!(s, "{} ", o.option);
        push_fixed4(&mut s, o.score, false);
        s.push_str(" = ");
        for (j, x) in o.terms.iter().enumerate() {
            if j > 0 {
                s.push_str(", ");
            }
            s.push_str(&x.name);
            s.push(' ');
            push_fixed4(&mut s, x.value, true);
        }
    }
    s.push('.');
    match (lean.before, lean.after) {
        (Some(a), Some(b)) => {
            s.push_str(" Lean ");
            push_fixed4(&mut s, a, false);
            s.push_str(" -> ");
            push_fixed4(&mut s, b, false);
            s.push('.');
        }
        _ => s.push_str(" Lean undefined (no signal had data)."),
    }
    let _ = write!(
        s,
        " Inputs as of {}: {} ledger events; lean signals ",
        inputs.as_of, inputs.ledger_events
    );
    let mut used = inputs
        .signals
        .iter()
        .filter(|r| r.available && r.weight > 0.0)
        .peekable();
    if used.peek().is_none() {
        s.push_str("none");
    }
    for (k, r) in used.enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{} (w {})", r.signal.as_str(), r.weight);
    }
    s.push('.');
    for n in &inputs.notes {
        let _ = write!(s, " Note: {n}.");
    }
    s
}

/// Appends `x` as `format!("{x:.4}")` (`{x:+.4}` when `plus`) writes it, byte for byte.
/// Most numbers are written from `x · 10⁴` rounded, without the formatter's exact
/// decimal expansion; one whose `x · 10⁴` lies within 10⁻⁶ of a half (where that product's
/// own rounding could decide), a large one or one not finite is left to the formatter.
fn push_fixed4(out: &mut String, x: f64, plus: bool) {
    let y = x * 10_000.0;
    let frac = (y - y.trunc()).abs();
    if !y.is_finite() || y.abs() >= 1e9 || (frac - 0.5).abs() < 1e-6 {
        let _ = if plus {
            write!(out, "{x:+.4}")
        } else {
            write!(out, "{x:.4}")
        };
        return;
    }
    let n = y.abs().round() as u64;
    if x.is_sign_negative() {
        out.push('-');
    } else if plus {
        out.push('+');
    }
    let _ = write!(out, "{}.{:04}", n / 10_000, n % 10_000);
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Filling a template in one pass gives what the five replacements one after the other
    /// give, for templates with every placeholder, repeated ones, unknown and unclosed
    /// braces, and for a title that quotes a placeholder (the chained path).
    #[test]
    fn a_template_fills_as_the_replacements_do() {
        let chained = |t: &str, c: &Case| {
            t.replace("{choice}", "abstain")
                .replace("{title}", &c.title)
                .replace("{toward}", "CHN")
                .replace("{subject}", "VNM")
                .replace("{id}", &c.id)
        };
        let mut case = validate_case(&CaseInput::<String> {
            id: "c-1".into(),
            date: "2022-01-01".into(),
            subject: "VNM".into(),
            kind: "un_vote".into(),
            title: "A vote".into(),
            sources: vec!["s".into()],
            ..CaseInput::default()
        })
        .unwrap();
        let templates = [
            "",
            "plain",
            "{choice} on {title} toward {toward} by {subject} ({id})",
            "{id}{id}{{title}}",
            "{unknown} {choice",
            "{",
            "}{}{subject}{",
            "é{toward}ü",
        ];
        for title in ["A vote", "quoting {id} and {toward}", "{"] {
            case.title = title.into();
            for t in templates {
                let one = fill(
                    t,
                    &case,
                    Opt::Abstain,
                    Iso3::from_static("CHN"),
                    Iso3::from_static("VNM"),
                );
                assert_eq!(one, chained(t, &case), "{t:?} with title {title:?}");
            }
        }
    }

    fn fixed4(x: f64, plus: bool) -> String {
        let mut s = String::new();
        push_fixed4(&mut s, x, plus);
        s
    }

    /// The fast fixed-point writer is the formatter's `{:.4}` and `{:+.4}` on the numbers
    /// an explanation prints, on exact ties (x · 10⁴ ending in .5 exactly: 1/32), on signed
    /// zeros, tiny negatives, large and non-finite numbers.
    #[test]
    fn fixed4_writes_what_the_formatter_writes() {
        let special = [
            0.0,
            -0.0,
            0.03125,
            -0.03125,
            0.15625,
            2.5e-5,
            -2.5e-5,
            1e-9,
            -1e-9,
            0.12345,
            -0.99995,
            123456.78905,
            1e5,
            99999.99995,
            1e9,
            -3e12,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for x in special {
            for plus in [false, true] {
                let want = if plus {
                    format!("{x:+.4}")
                } else {
                    format!("{x:.4}")
                };
                assert_eq!(fixed4(x, plus), want, "{x:e}");
            }
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn fixed4_is_the_formatters_anywhere(
            x in proptest::prop_oneof![
                -20.0f64..20.0,
                (-200_000i64..200_000).prop_map(|k| k as f64 / 10_000.0),
                (-400_000i64..400_000).prop_map(|k| k as f64 / 20_000.0),
                proptest::num::f64::ANY,
            ],
            plus in proptest::bool::ANY,
        ) {
            let want = if plus { format!("{x:+.4}") } else { format!("{x:.4}") };
            proptest::prop_assert_eq!(fixed4(x, plus), want);
        }
    }
    use crate::case::{validate_case, CaseInput, PositionsInput, Tag};
    use crate::doctrine::{validate_doctrine, DoctrineInput};
    use crate::engine::{decide, direction, Context};

    /// Root `a` forbids accepting a visit, then yes in a vote (its second clause); root `b`
    /// forbids yes and no in a vote.
    fn doctrine() -> CompiledDoctrine {
        let text = r#"{
          "doctrine": {"name": "t", "subject": "VNM", "poles": ["USA", "CHN", "RUS"]},
          "root": [
            {"id": "a", "principle": "pa", "forbid": [
              {"kind": ["visit"], "option": ["accept"]},
              {"kind": ["un_vote"], "option": ["yes"]}]},
            {"id": "b", "principle": "pb", "forbid": [
              {"kind": ["un_vote"], "option": ["yes", "no"]}]}],
          "branches": {"interests": {"autonomy": 2.0, "economy": 1.0},
                       "tags": {"sovereignty": {"autonomy": -0.25},
                                "humanitarian": {"economy": 0.5, "autonomy": 0.0}},
                       "relations": {"USA": 0.5, "CHN": 0.5, "RUS": 0.5, "JPN": 0.2}}
        }"#;
        let input: DoctrineInput = serde_json::from_str(text).unwrap();
        CompiledDoctrine::new(validate_doctrine(&input).unwrap()).unwrap()
    }

    fn case(kind: &str, positions: PositionsInput, counterpart: Option<&str>) -> Case {
        validate_case(&CaseInput {
            id: "c".into(),
            date: "2022-01-01".into(),
            subject: "VNM".into(),
            kind: kind.into(),
            title: "t".into(),
            counterpart: counterpart.map(String::from),
            sources: vec!["s".into()],
            positions: Some(positions),
            ..CaseInput::default()
        })
        .unwrap()
    }

    fn inputs() -> ContextInputs {
        ContextInputs {
            as_of: crate::date::Date::parse("2022-01-01").unwrap(),
            ledger_events: 0,
            ledger_only: true,
            signals: Vec::new(),
            relations: Vec::new(),
            notes: Vec::new(),
            precedent: None,
        }
    }

    fn list(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    fn vote(yes: &[&str], no: &[&str], abstain: &[&str]) -> Case {
        let p = PositionsInput {
            yes: list(yes),
            no: list(no),
            abstain: list(abstain),
            ..Default::default()
        };
        case("un_vote", p, None)
    }

    #[test]
    fn each_hit_names_the_first_clause_of_its_own_root_that_matched() {
        let d = doctrine();
        let c = vote(&["USA"], &["RUS"], &[]);
        let s = Situation::new(&d, &c);
        let dec = decide(&d, &s, &Context::neutral(&d));
        let hits = root_hits(&d, &s, dec.options[0].violations, 0, Opt::Yes);
        let got: Vec<(&str, &str, &str)> = hits
            .iter()
            .map(|h| (h.root.as_str(), h.principle.as_str(), h.clause.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "pa", "kind un_vote, option yes"),
                ("b", "pb", "kind un_vote, option yes|no")
            ]
        );
        let hits = root_hits(&d, &s, dec.options[1].violations, 1, Opt::No);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].clause, "kind un_vote, option yes|no");
        assert!(root_hits(&d, &s, dec.options[2].violations, 2, Opt::Abstain).is_empty());
        // No clause of the root matches: an empty description, not another root's clause.
        assert_eq!(matching_clause(&d, &s, 0, 2, Opt::Abstain), "");
        let (advice, _) = explain(&d, &c, &s, &inputs(), &dec, None);
        assert_eq!(advice.options[0].violations, ["a", "b"]);
        assert_eq!(advice.choice, Opt::Abstain);
    }

    #[test]
    fn the_printed_direction_is_the_engines_direction() {
        for kind in Kind::ALL {
            for i in 0..kind.options().len() {
                let want = match direction(kind, i) {
                    x if x > 0.0 => "+1",
                    x if x < 0.0 => "-1",
                    _ => "0",
                };
                assert_eq!(direction_label(kind, i), want, "{kind} option {i}");
            }
        }
    }

    #[test]
    fn the_measure_lists_each_tag_with_its_stances_and_omits_a_kind_worth_nothing() {
        let d = doctrine();
        let mut c = vote(&["USA"], &[], &[]);
        c.tags.insert(Tag::Sovereignty);
        c.tags.insert(Tag::Humanitarian);
        let m = measure_terms(&d, &c);
        let got: Vec<(&str, &str, f64)> = m
            .iter()
            .map(|t| (t.name.as_str(), t.detail.as_str(), t.value))
            .collect();
        // The kind has no stance (worth 0); a zero stance is left out of the detail.
        assert_eq!(
            got,
            [
                ("tag:sovereignty", "autonomy 2 x -0.25", -0.5),
                ("tag:humanitarian", "economy 1 x 0.5", 0.5)
            ]
        );
    }

    #[test]
    fn the_displeased_are_the_poles_not_fully_pleased_then_the_counterpart() {
        let d = doctrine();
        let c = vote(&["USA"], &["RUS"], &["CHN"]);
        let s = Situation::new(&d, &c);
        // Abstaining is one step from yes and from no: USA and RUS, in pole order.
        let usa_rus = [Iso3::from_static("USA"), Iso3::from_static("RUS")];
        assert_eq!(displeased(&d, &c, &s, 2), usa_rus);
        assert_eq!(
            displeased(&d, &c, &s, 0),
            [Iso3::from_static("CHN"), Iso3::from_static("RUS")]
        );
        // A visit from JPN (not a pole) that CHN opposes: declining displeases JPN.
        let p = PositionsInput {
            oppose: list(&["CHN"]),
            ..Default::default()
        };
        let c = case("visit", p, Some("JPN"));
        let s = Situation::new(&d, &c);
        assert_eq!(displeased(&d, &c, &s, 1), [Iso3::from_static("JPN")]);
        assert_eq!(displeased(&d, &c, &s, 0), [Iso3::from_static("CHN")]);
    }

    #[test]
    fn the_rule_says_when_every_option_was_forbidden() {
        let d = doctrine();
        let c = vote(&["USA"], &[], &[]);
        let s = Situation::new(&d, &c);
        let mut dec = decide(&d, &s, &Context::neutral(&d));
        assert_eq!(
            rule(&dec),
            "chose abstain: the admissible option with the highest score"
        );
        dec.forced = true;
        assert!(rule(&dec)
            .starts_with("every option is forbidden: chose the least-violating one (abstain:"));
        let (advice, trace) = explain(&d, &c, &s, &inputs(), &dec, None);
        assert!(trace.forced);
        assert!(advice.explanation.starts_with("Every option is forbidden"));
    }
}
