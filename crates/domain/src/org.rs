//! Organisation design (DOMAIN §6; 2026 §3.10–3.13, §3.20–3.21, Appendix A2):
//! grades with salary ranges, posts in structure states (`current`,
//! `immediate`, `transition`, `future`), stated adjustments, and what is
//! computed from them — each state's cost range and its saving against the
//! current state, posts and FTE by tier, spans of control, layers, vacancies,
//! the share of postholders who are not permanent, and the changes post by
//! post between two states. Everything here is pure.
//!
//! Money rules:
//! - a post costs its grade's salary × its FTE × (1 + on-cost rate), the
//!   grade's own rate if it has one, else the council's (default 30%);
//! - a state's **minimum** cost puts every post at its grade's minimum and its
//!   **maximum** at the grade's maximum; each stated adjustment (signed FTE at
//!   a grade, e.g. −0.5 FTE at Team Leader) is costed the same way and added;
//! - all of it is summed exactly and rounded to the penny once, at the end
//!   (half away from zero);
//! - the saving against `current` is the current cost less the state's cost
//!   after adjustments: the minimum saving uses the state's maximum cost, the
//!   maximum saving its minimum cost. The current cost is the actual cost when
//!   one is entered for the current state (the real pay of its holders), else
//!   the current state's cost at grade maximum (postholders assumed at the top
//!   of their grades); [`CurrentBasis`] says which was used.
use crate::{Code, Fte};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

vocabulary!(
    /// Who holds a post.
    HolderStatus, "holder status" {
        Permanent => "permanent",
        Interim => "interim",
        Acting => "acting",
        Secondment => "secondment",
        Vacant => "vacant",
    }
);

impl HolderStatus {
    /// Held, but not by a permanent postholder (interim cover, acting up or a
    /// secondment).
    pub fn not_permanent(self) -> bool {
        matches!(
            self,
            HolderStatus::Interim | HolderStatus::Acting | HolderStatus::Secondment
        )
    }
}

vocabulary!(
    /// A structure state (2026 §3.10): the structure as it is and the three
    /// phases proposed.
    StateKind, "structure state" {
        Current => "current",
        Immediate => "immediate",
        Transition => "transition",
        Future => "future",
    }
);

impl StateKind {
    pub fn display_name(self) -> &'static str {
        match self {
            StateKind::Current => "Current structure",
            StateKind::Immediate => "Immediate state",
            StateKind::Transition => "Transition state",
            StateKind::Future => "Future state",
        }
    }
}

/// The on-cost rate when a council has set none: employer's national
/// insurance and pension, 30%.
pub fn default_on_cost_rate() -> Decimal {
    Decimal::new(30, 2)
}

/// A pay grade: its annual salary range in pence and, optionally, its own
/// on-cost rate (a fraction: 0.3 is 30%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    pub code: Code,
    pub title: String,
    pub min_salary_pence: i64,
    pub max_salary_pence: i64,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub on_cost_rate: Option<Decimal>,
}

/// A post in one structure state. Its code is unique within the state; the
/// same code in two states is the same post (kept or changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Post {
    pub state: StateKind,
    pub code: Code,
    pub title: String,
    /// 1 = Chief Executive; 2 = Directors; 3 = Heads of Service; 4 = Service
    /// or Senior Managers; 5 = Team Leaders; …
    pub tier: u8,
    pub grade: Code,
    pub fte: Fte,
    pub holder_status: HolderStatus,
    /// The post it reports to, in the same state (none for the top).
    #[serde(default)]
    pub reports_to: Option<Code>,
    /// The portfolio (directorate) it sits in, as the structure names it.
    #[serde(default)]
    pub portfolio: String,
    /// The services it manages (framework service codes).
    #[serde(default)]
    pub services: Vec<Code>,
    /// Duties carried besides the post's own (e.g. "Depute Chief Executive").
    #[serde(default)]
    pub extra_duties: String,
}

/// A structure state's own details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StructureState {
    pub state: StateKind,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub effective: Option<Date>,
    #[serde(default)]
    pub description: String,
    /// The actual annual cost, in pence, when the real pay of the holders is
    /// known (used for the current state's cost in savings).
    #[serde(default)]
    pub actual_cost_pence: Option<i64>,
}

impl StructureState {
    pub fn empty(state: StateKind) -> StructureState {
        StructureState {
            state,
            effective: None,
            description: String::new(),
            actual_cost_pence: None,
        }
    }
}

/// A stated adjustment to a state's cost: a signed FTE at a grade (e.g. −0.5
/// FTE at Team Leader, 2026 §3.13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adjustment {
    pub state: StateKind,
    pub description: String,
    pub grade: Code,
    /// Signed, at most 2 decimal places, not zero.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fte: Decimal,
}

/// Rounds an exact amount of pence to the penny, half away from zero.
pub fn to_pence(exact: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    exact
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(if exact.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// The on-cost rate that applies to `grade`.
pub fn rate_of(grade: &Grade, default_rate: Decimal) -> Decimal {
    grade.on_cost_rate.unwrap_or(default_rate)
}

/// The exact cost (min, max) of `fte` at `grade`, on-cost included.
pub fn exact_cost(grade: &Grade, fte: Decimal, default_rate: Decimal) -> (Decimal, Decimal) {
    let factor = fte * (Decimal::ONE + rate_of(grade, default_rate));
    (
        Decimal::from(grade.min_salary_pence) * factor,
        Decimal::from(grade.max_salary_pence) * factor,
    )
}

/// What is wrong with a grade, field by field (empty when valid).
pub fn grade_problems(g: &Grade) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if g.title.trim().is_empty() {
        e.push(("title".into(), "is required".into()));
    }
    if g.min_salary_pence < 0 {
        e.push(("min_salary".into(), "cannot be negative".into()));
    }
    if g.max_salary_pence < g.min_salary_pence {
        e.push((
            "max_salary".into(),
            "is below the minimum salary".to_string(),
        ));
    }
    if let Some(r) = g.on_cost_rate
        && (r.is_sign_negative() || r > Decimal::ONE)
    {
        e.push((
            "on_cost_rate".into(),
            format!("'{r}' is not a rate between 0 and 1 (0.3 is 30%)"),
        ));
    }
    e
}

/// What is wrong with a post on its own, field by field (empty when valid).
pub fn post_problems(p: &Post) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if p.title.trim().is_empty() {
        e.push(("title".into(), "is required".into()));
    }
    if p.tier == 0 || p.tier > 9 {
        e.push(("tier".into(), "is a whole number from 1 to 9".into()));
    }
    if p.fte.value().is_zero() {
        e.push(("fte".into(), "a post has more than 0 FTE".into()));
    }
    if p.reports_to.as_ref() == Some(&p.code) {
        e.push(("reports_to".into(), "a post cannot report to itself".into()));
    }
    e
}

/// What is wrong with an adjustment on its own (empty when valid).
pub fn adjustment_problems(a: &Adjustment) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if a.description.trim().is_empty() {
        e.push(("description".into(), "is required".into()));
    }
    if a.fte.is_zero() {
        e.push(("fte".into(), "an adjustment is not 0 FTE".into()));
    } else if a.fte.normalize().scale() > 2 {
        e.push(("fte".into(), "has at most 2 decimal places".into()));
    }
    e
}

/// Problems with a whole state's posts: every reports-to names a post of the
/// state, and there is no cycle. Each problem names the post (code) it is
/// found on.
pub fn structure_problems(posts: &[&Post]) -> Vec<(Code, String)> {
    let by_code: BTreeMap<&Code, &Post> = posts.iter().map(|p| (&p.code, *p)).collect();
    let mut e = Vec::new();
    for p in posts {
        if let Some(r) = &p.reports_to
            && r != &p.code
            && !by_code.contains_key(r)
        {
            e.push((
                p.code.clone(),
                format!(
                    "reports to '{r}', which is not a post of the {} state",
                    p.state
                ),
            ));
        }
    }
    for cycle in cycles(posts) {
        let first = cycle[0].clone();
        let path: Vec<&str> = cycle
            .iter()
            .chain(std::iter::once(&first))
            .map(|c| c.as_str())
            .collect();
        let msg = format!("reports-to goes round in a cycle: {}", path.join(" → "));
        e.push((first, msg));
    }
    e
}

/// The reports-to cycles among `posts`, each once, starting at its smallest
/// code.
pub fn cycles(posts: &[&Post]) -> Vec<Vec<Code>> {
    let up: BTreeMap<&Code, &Code> = posts
        .iter()
        .filter_map(|p| p.reports_to.as_ref().map(|r| (&p.code, r)))
        .collect();
    let mut found: BTreeSet<Vec<Code>> = BTreeSet::new();
    for start in up.keys() {
        let mut path: Vec<&Code> = vec![start];
        let mut at = *start;
        while let Some(next) = up.get(at) {
            if let Some(i) = path.iter().position(|c| c == next) {
                let mut cycle: Vec<Code> = path[i..].iter().map(|c| (*c).clone()).collect();
                let min = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| *c)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                cycle.rotate_left(min);
                found.insert(cycle);
                break;
            }
            path.push(next);
            at = next;
        }
    }
    found.into_iter().collect()
}

/// Spans of control: the number of direct reports of each post that has any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spans {
    /// Posts with at least one direct report.
    pub managers: usize,
    pub min: usize,
    /// The median (the mean of the middle two when the count is even).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub median: Decimal,
    pub max: usize,
    /// Managers with fewer than 3 direct reports, with their count.
    pub narrow: Vec<(Code, usize)>,
    /// Managers with more than 10 direct reports, with their count.
    pub wide: Vec<(Code, usize)>,
}

/// The spans of control among `posts` (reports to posts outside them are
/// ignored).
pub fn spans(posts: &[&Post]) -> Spans {
    let codes: BTreeSet<&Code> = posts.iter().map(|p| &p.code).collect();
    let mut reports: BTreeMap<&Code, usize> = BTreeMap::new();
    for p in posts {
        if let Some(r) = p.reports_to.as_ref().filter(|r| codes.contains(r)) {
            *reports.entry(r).or_default() += 1;
        }
    }
    let mut counts: Vec<usize> = reports.values().copied().collect();
    counts.sort_unstable();
    let n = counts.len();
    let median = match n {
        0 => Decimal::ZERO,
        _ if n % 2 == 1 => Decimal::from(counts[n / 2]),
        _ => ((Decimal::from(counts[n / 2 - 1]) + Decimal::from(counts[n / 2])) / Decimal::TWO)
            .normalize(),
    };
    Spans {
        managers: n,
        min: counts.first().copied().unwrap_or(0),
        median,
        max: counts.last().copied().unwrap_or(0),
        narrow: reports
            .iter()
            .filter(|(_, n)| **n < 3)
            .map(|(c, n)| ((*c).clone(), *n))
            .collect(),
        wide: reports
            .iter()
            .filter(|(_, n)| **n > 10)
            .map(|(c, n)| ((*c).clone(), *n))
            .collect(),
    }
}

/// The number of layers: the posts in the longest reports-to chain (a lone
/// post is one layer; none is zero). Posts in a cycle count once.
pub fn layers(posts: &[&Post]) -> usize {
    let up: BTreeMap<&Code, &Code> = posts
        .iter()
        .filter_map(|p| p.reports_to.as_ref().map(|r| (&p.code, r)))
        .collect();
    let codes: BTreeSet<&Code> = posts.iter().map(|p| &p.code).collect();
    let mut best = 0;
    for p in posts {
        let mut seen = BTreeSet::from([&p.code]);
        let mut at = &p.code;
        while let Some(next) = up.get(at).filter(|n| codes.contains(*n)) {
            if !seen.insert(*next) {
                break;
            }
            at = next;
        }
        best = best.max(seen.len());
    }
    best
}

/// One tier of a state: posts, FTE, vacancies and holders who are not
/// permanent, in the tier and cumulatively from tier 1 down to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierLine {
    pub tier: u8,
    pub posts: usize,
    pub fte: Fte,
    pub vacancies: usize,
    /// Posts held (not vacant).
    pub postholders: usize,
    /// Held by an interim, acting or seconded postholder.
    pub not_permanent: usize,
    /// `not_permanent / postholders` as a percentage, to 1 decimal place (none
    /// when no post is held).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub not_permanent_pct: Option<Decimal>,
    /// Postholders in tiers 1 to this one.
    pub postholders_to_here: usize,
    pub not_permanent_to_here: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub not_permanent_pct_to_here: Option<Decimal>,
}

/// `part / whole` as a percentage to 1 decimal place.
pub fn percent(part: usize, whole: usize) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

fn fte_sum<'a>(fte: impl IntoIterator<Item = &'a Fte>) -> Fte {
    let total: Decimal = fte.into_iter().map(|f| f.value()).sum();
    Fte::parse(&total.normalize().to_string()).unwrap_or_default()
}

/// Every tier of `posts`, in order.
pub fn tiers(posts: &[&Post]) -> Vec<TierLine> {
    let mut by: BTreeMap<u8, Vec<&Post>> = BTreeMap::new();
    for p in posts {
        by.entry(p.tier).or_default().push(p);
    }
    let (mut held_to, mut np_to) = (0, 0);
    by.into_iter()
        .map(|(tier, ps)| {
            let vacancies = ps
                .iter()
                .filter(|p| p.holder_status == HolderStatus::Vacant)
                .count();
            let not_permanent = ps
                .iter()
                .filter(|p| p.holder_status.not_permanent())
                .count();
            let postholders = ps.len() - vacancies;
            held_to += postholders;
            np_to += not_permanent;
            TierLine {
                tier,
                posts: ps.len(),
                fte: fte_sum(ps.iter().map(|p| &p.fte)),
                vacancies,
                postholders,
                not_permanent,
                not_permanent_pct: percent(not_permanent, postholders),
                postholders_to_here: held_to,
                not_permanent_to_here: np_to,
                not_permanent_pct_to_here: percent(np_to, held_to),
            }
        })
        .collect()
}

/// Which figure the current cost in a saving is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CurrentBasis {
    /// The actual cost entered for the current state.
    Actual,
    /// The current state's cost with every post at its grade maximum.
    GradeMaximum,
}

impl CurrentBasis {
    pub fn describe(self) -> &'static str {
        match self {
            CurrentBasis::Actual => "the actual cost entered for the current structure",
            CurrentBasis::GradeMaximum => {
                "the current structure at grade maximum (no actual cost entered)"
            }
        }
    }
}

/// An adjustment with its cost range (rounded to the penny for showing; the
/// state's totals are summed exactly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustmentCost {
    #[serde(flatten)]
    pub adjustment: Adjustment,
    pub cost_min_pence: i64,
    pub cost_max_pence: i64,
}

/// A post's cost range (shown only to those who may see salaries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostCost {
    pub code: Code,
    pub cost_min_pence: i64,
    pub cost_max_pence: i64,
}

/// Everything computed for one structure state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateSummary {
    pub state: StateKind,
    pub posts: usize,
    pub fte: Fte,
    /// The state's cost: its posts at grade minimum and maximum, before the
    /// stated adjustments (the figure a Council paper gives for a structure,
    /// e.g. the 2026 immediate state's £1.855m–£1.912m).
    pub cost_min_pence: i64,
    pub cost_max_pence: i64,
    pub adjustments: Vec<AdjustmentCost>,
    pub adjustments_min_pence: i64,
    pub adjustments_max_pence: i64,
    /// The posts plus the adjustments, summed exactly and rounded once: what
    /// the saving is measured on.
    pub cost_after_adjustments_min_pence: i64,
    pub cost_after_adjustments_max_pence: i64,
    /// The current cost the saving is measured from (none for the current
    /// state itself, or when there is no current state).
    pub current_cost_pence: Option<i64>,
    pub current_basis: Option<CurrentBasis>,
    /// Current cost less this state's maximum cost after adjustments.
    pub saving_min_pence: Option<i64>,
    /// Current cost less this state's minimum cost after adjustments.
    pub saving_max_pence: Option<i64>,
    pub by_tier: Vec<TierLine>,
    pub spans: Spans,
    pub layers: usize,
    pub vacancies: usize,
    pub vacant_fte: Fte,
    /// Posts whose grade is not among the grades given (costed at nothing).
    pub ungraded: Vec<Code>,
}

/// The inputs of the cost rules for a council.
#[derive(Debug, Clone)]
pub struct Costing<'a> {
    pub grades: &'a [Grade],
    pub default_rate: Decimal,
}

impl Costing<'_> {
    fn grade(&self, code: &Code) -> Option<&Grade> {
        self.grades.iter().find(|g| &g.code == code)
    }

    /// The exact (min, max) cost of posts, and the codes of those without a
    /// known grade.
    fn posts_exact(&self, posts: &[&Post]) -> ((Decimal, Decimal), Vec<Code>) {
        let (mut lo, mut hi, mut missing) = (Decimal::ZERO, Decimal::ZERO, Vec::new());
        for p in posts {
            match self.grade(&p.grade) {
                Some(g) => {
                    let (a, b) = exact_cost(g, p.fte.value(), self.default_rate);
                    lo += a;
                    hi += b;
                }
                None => missing.push(p.code.clone()),
            }
        }
        ((lo, hi), missing)
    }

    /// One post's cost range, rounded to the penny (none without its grade).
    pub fn post_cost(&self, p: &Post) -> Option<PostCost> {
        let g = self.grade(&p.grade)?;
        let (a, b) = exact_cost(g, p.fte.value(), self.default_rate);
        Some(PostCost {
            code: p.code.clone(),
            cost_min_pence: to_pence(a),
            cost_max_pence: to_pence(b),
        })
    }

    /// The exact (min, max) cost of adjustments, with each one's cost.
    fn adjustments_exact(&self, adj: &[&Adjustment]) -> ((Decimal, Decimal), Vec<AdjustmentCost>) {
        let (mut lo, mut hi, mut out) = (Decimal::ZERO, Decimal::ZERO, Vec::new());
        for a in adj {
            let (x, y) = self
                .grade(&a.grade)
                .map(|g| exact_cost(g, a.fte, self.default_rate))
                .unwrap_or_default();
            lo += x;
            hi += y;
            out.push(AdjustmentCost {
                adjustment: (*a).clone(),
                cost_min_pence: to_pence(x),
                cost_max_pence: to_pence(y),
            });
        }
        ((lo, hi), out)
    }

    /// The exact cost range of `state` after its adjustments.
    fn state_exact(&self, o: &Organisation, state: StateKind) -> (Decimal, Decimal) {
        let ((a, b), _) = self.posts_exact(&o.posts_of(state));
        let ((c, d), _) = self.adjustments_exact(&o.adjustments_of(state));
        (a + c, b + d)
    }

    /// The current cost a saving is measured from, exactly, and its basis
    /// (none when the council has no current state).
    pub fn current_cost(&self, o: &Organisation) -> Option<(Decimal, CurrentBasis)> {
        let current = o.state(StateKind::Current);
        if let Some(actual) = current.actual_cost_pence {
            return Some((Decimal::from(actual), CurrentBasis::Actual));
        }
        if o.posts_of(StateKind::Current).is_empty() {
            return None;
        }
        Some((
            self.state_exact(o, StateKind::Current).1,
            CurrentBasis::GradeMaximum,
        ))
    }

    /// Everything computed for `state`.
    pub fn summary(&self, o: &Organisation, state: StateKind) -> StateSummary {
        let posts = o.posts_of(state);
        let ((pmin, pmax), ungraded) = self.posts_exact(&posts);
        let ((amin, amax), adjustments) = self.adjustments_exact(&o.adjustments_of(state));
        let (cmin, cmax) = (pmin + amin, pmax + amax);
        let current = if state == StateKind::Current {
            None
        } else {
            self.current_cost(o)
        };
        let vacant: Vec<&&Post> = posts
            .iter()
            .filter(|p| p.holder_status == HolderStatus::Vacant)
            .collect();
        StateSummary {
            state,
            posts: posts.len(),
            fte: fte_sum(posts.iter().map(|p| &p.fte)),
            cost_min_pence: to_pence(pmin),
            cost_max_pence: to_pence(pmax),
            adjustments,
            adjustments_min_pence: to_pence(amin),
            adjustments_max_pence: to_pence(amax),
            cost_after_adjustments_min_pence: to_pence(cmin),
            cost_after_adjustments_max_pence: to_pence(cmax),
            current_cost_pence: current.map(|(c, _)| to_pence(c)),
            current_basis: current.map(|(_, b)| b),
            saving_min_pence: current.map(|(c, _)| to_pence(c - cmax)),
            saving_max_pence: current.map(|(c, _)| to_pence(c - cmin)),
            by_tier: tiers(&posts),
            spans: spans(&posts),
            layers: layers(&posts),
            vacancies: vacant.len(),
            vacant_fte: fte_sum(vacant.iter().map(|p| &p.fte)),
            ungraded,
        }
    }
}

/// A council's organisation: its states, posts and adjustments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organisation {
    pub states: Vec<StructureState>,
    pub posts: Vec<Post>,
    pub adjustments: Vec<Adjustment>,
}

impl Organisation {
    /// The state's details (empty when none are held).
    pub fn state(&self, s: StateKind) -> StructureState {
        self.states
            .iter()
            .find(|x| x.state == s)
            .cloned()
            .unwrap_or_else(|| StructureState::empty(s))
    }

    pub fn posts_of(&self, s: StateKind) -> Vec<&Post> {
        self.posts.iter().filter(|p| p.state == s).collect()
    }

    pub fn adjustments_of(&self, s: StateKind) -> Vec<&Adjustment> {
        self.adjustments.iter().filter(|a| a.state == s).collect()
    }
}

vocabulary!(
    /// What happened to a post from one state to the next.
    ChangeKind, "post change" {
        Kept => "kept",
        Changed => "changed",
        Added => "added",
        Deleted => "deleted",
    }
);

/// One post's change between two states; `fields` names what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostChange {
    pub code: Code,
    pub change: ChangeKind,
    pub from: Option<Post>,
    pub to: Option<Post>,
    pub fields: Vec<String>,
}

/// The fields of two versions of a post that differ (its state aside).
pub fn changed_fields(a: &Post, b: &Post) -> Vec<String> {
    let mut f = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            f.push(name.to_string());
        }
    };
    check("title", a.title == b.title);
    check("tier", a.tier == b.tier);
    check("grade", a.grade == b.grade);
    check("fte", a.fte == b.fte);
    check("holder_status", a.holder_status == b.holder_status);
    check("reports_to", a.reports_to == b.reports_to);
    check("portfolio", a.portfolio == b.portfolio);
    check("services", a.services == b.services);
    check("extra_duties", a.extra_duties == b.extra_duties);
    f
}

/// The post-by-post changes from one state to another, by code.
pub fn changes(from: &[&Post], to: &[&Post]) -> Vec<PostChange> {
    let a: BTreeMap<&Code, &Post> = from.iter().map(|p| (&p.code, *p)).collect();
    let b: BTreeMap<&Code, &Post> = to.iter().map(|p| (&p.code, *p)).collect();
    let codes: BTreeSet<&Code> = a.keys().chain(b.keys()).copied().collect();
    codes
        .into_iter()
        .map(|c| {
            let (x, y) = (a.get(c).copied(), b.get(c).copied());
            let (change, fields) = match (x, y) {
                (Some(x), Some(y)) => {
                    let f = changed_fields(x, y);
                    if f.is_empty() {
                        (ChangeKind::Kept, f)
                    } else {
                        (ChangeKind::Changed, f)
                    }
                }
                (Some(_), None) => (ChangeKind::Deleted, vec![]),
                _ => (ChangeKind::Added, vec![]),
            };
            PostChange {
                code: c.clone(),
                change,
                from: x.cloned(),
                to: y.cloned(),
                fields,
            }
        })
        .collect()
}

/// Two states side by side: both summaries, the saving of `to` against `from`
/// and the changes post by post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = StructureComparison))]
pub struct Comparison {
    pub from: StateSummary,
    pub to: StateSummary,
    /// The cost of `from` the saving is measured from: its actual cost when
    /// one is entered, else its cost at grade maximum.
    pub from_cost_pence: i64,
    pub from_basis: CurrentBasis,
    /// `from_cost` less `to`'s maximum cost.
    pub saving_min_pence: i64,
    /// `from_cost` less `to`'s minimum cost.
    pub saving_max_pence: i64,
    pub changes: Vec<PostChange>,
    /// How many posts were kept, changed, added and deleted.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, usize>))]
    pub counts: BTreeMap<ChangeKind, usize>,
}

impl Costing<'_> {
    /// `from` and `to` compared (see [`Comparison`]).
    pub fn compare(&self, o: &Organisation, from: StateKind, to: StateKind) -> Comparison {
        let (from_cost, from_basis) = match o.state(from).actual_cost_pence {
            Some(a) => (Decimal::from(a), CurrentBasis::Actual),
            None => (self.state_exact(o, from).1, CurrentBasis::GradeMaximum),
        };
        let (tmin, tmax) = self.state_exact(o, to);
        let changes = changes(&o.posts_of(from), &o.posts_of(to));
        let mut counts: BTreeMap<ChangeKind, usize> =
            ChangeKind::ALL.iter().map(|k| (*k, 0)).collect();
        for c in &changes {
            *counts.entry(c.change).or_default() += 1;
        }
        Comparison {
            from: self.summary(o, from),
            to: self.summary(o, to),
            from_cost_pence: to_pence(from_cost),
            from_basis,
            saving_min_pence: to_pence(from_cost - tmax),
            saving_max_pence: to_pence(from_cost - tmin),
            changes,
            counts,
        }
    }
}

/// A line of the workforce view: headcount (posts held), FTE, vacancies and
/// interim cover for one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkforceLine {
    pub key: String,
    pub posts: usize,
    /// Posts held (not vacant).
    pub headcount: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fte: Decimal,
    pub vacancies: usize,
    /// Held by an interim, acting or seconded postholder.
    pub interim_cover: usize,
}

/// The workforce view of one state (2026 Appendix A2): headcount and FTE by
/// portfolio, tier, grade and holder status, and FTE by the delivery model of
/// the services the posts manage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workforce {
    pub total: WorkforceLine,
    pub by_portfolio: Vec<WorkforceLine>,
    pub by_tier: Vec<WorkforceLine>,
    pub by_grade: Vec<WorkforceLine>,
    pub by_holder_status: Vec<WorkforceLine>,
    /// A post's FTE split equally over the delivery models of the services it
    /// manages; posts managing no service are under "no services".
    pub by_delivery_model: Vec<WorkforceLine>,
}

fn add(line: &mut WorkforceLine, p: &Post, fte: Decimal) {
    line.posts += 1;
    line.fte += fte;
    if p.holder_status == HolderStatus::Vacant {
        line.vacancies += 1;
    } else {
        line.headcount += 1;
    }
    if p.holder_status.not_permanent() {
        line.interim_cover += 1;
    }
}

fn line_of(m: &mut BTreeMap<String, WorkforceLine>, key: String) -> &mut WorkforceLine {
    m.entry(key.clone()).or_insert_with(|| WorkforceLine {
        key,
        ..Default::default()
    })
}

fn lines(m: BTreeMap<String, WorkforceLine>) -> Vec<WorkforceLine> {
    m.into_values()
        .map(|mut l| {
            l.fte = l.fte.round_dp(2).normalize();
            l
        })
        .collect()
}

/// The workforce view of `posts`; `model_of` gives a service's delivery model
/// (as text) when the service is known.
pub fn workforce(posts: &[&Post], model_of: impl Fn(&Code) -> Option<String>) -> Workforce {
    let group = |key: &dyn Fn(&Post) -> String| {
        let mut m = BTreeMap::new();
        for p in posts {
            add(line_of(&mut m, key(p)), p, p.fte.value());
        }
        lines(m)
    };
    let mut total = BTreeMap::new();
    let mut models: BTreeMap<String, WorkforceLine> = BTreeMap::new();
    for p in posts {
        add(line_of(&mut total, "all posts".into()), p, p.fte.value());
        if p.services.is_empty() {
            add(line_of(&mut models, "no services".into()), p, p.fte.value());
            continue;
        }
        // The post's FTE split equally over its services, gathered by model;
        // the post counts once in each model it works in.
        let share = p.fte.value() / Decimal::from(p.services.len());
        let mut by_model: BTreeMap<String, Decimal> = BTreeMap::new();
        for s in &p.services {
            let k = model_of(s).unwrap_or_else(|| "unknown service".into());
            *by_model.entry(k).or_default() += share;
        }
        for (k, fte) in by_model {
            add(line_of(&mut models, k), p, fte);
        }
    }
    Workforce {
        total: lines(total).pop().unwrap_or_else(|| WorkforceLine {
            key: "all posts".into(),
            ..Default::default()
        }),
        by_portfolio: group(&|p| {
            if p.portfolio.trim().is_empty() {
                "(none)".into()
            } else {
                p.portfolio.clone()
            }
        }),
        by_tier: group(&|p| format!("tier {}", p.tier)),
        by_grade: group(&|p| p.grade.to_string()),
        by_holder_status: group(&|p| p.holder_status.to_string()),
        by_delivery_model: lines(models),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn grade(c: &str, min: i64, max: i64, rate: Option<&str>) -> Grade {
        Grade {
            code: code(c),
            title: format!("Grade {c}"),
            min_salary_pence: min,
            max_salary_pence: max,
            on_cost_rate: rate.map(dec),
        }
    }

    fn post(state: StateKind, c: &str, tier: u8, g: &str, fte: &str, to: Option<&str>) -> Post {
        Post {
            state,
            code: code(c),
            title: format!("Post {c}"),
            tier,
            grade: code(g),
            fte: Fte::parse(fte).unwrap(),
            holder_status: HolderStatus::Permanent,
            reports_to: to.map(code),
            portfolio: String::new(),
            services: vec![],
            extra_duties: String::new(),
        }
    }

    fn cur(c: &str, tier: u8, g: &str, fte: &str, to: Option<&str>) -> Post {
        post(StateKind::Current, c, tier, g, fte, to)
    }

    fn imm(c: &str, tier: u8, g: &str, fte: &str, to: Option<&str>) -> Post {
        post(StateKind::Immediate, c, tier, g, fte, to)
    }

    fn refs(p: &[Post]) -> Vec<&Post> {
        p.iter().collect()
    }

    #[test]
    fn pence_round_half_away_from_zero() {
        for (exact, pence) in [
            ("0.5", 1),
            ("0.49", 0),
            ("-0.5", -1),
            ("-0.49", 0),
            ("1234.5", 1235),
            ("99.999", 100),
        ] {
            assert_eq!(to_pence(dec(exact)), pence, "{exact}");
        }
    }

    #[test]
    fn a_post_costs_salary_times_fte_times_one_plus_on_cost() {
        let rate = default_on_cost_rate();
        for (g, fte, min, max) in [
            // £50,000–£60,000, 1 FTE, 30%: £65,000–£78,000.
            (
                grade("A", 5_000_000, 6_000_000, None),
                "1",
                "6500000",
                "7800000",
            ),
            // 0.5 FTE.
            (
                grade("A", 5_000_000, 6_000_000, None),
                "0.5",
                "3250000",
                "3900000",
            ),
            // The grade's own rate (25%) instead of the council's.
            (
                grade("B", 4_000_000, 4_000_000, Some("0.25")),
                "1",
                "5000000",
                "5000000",
            ),
            // 0.33 FTE of £33,333.33 at 30%: 1,429,999.857 pence exactly.
            (
                grade("C", 3_333_333, 3_333_333, None),
                "0.33",
                "1429999.857",
                "1429999.857",
            ),
        ] {
            let (a, b) = exact_cost(&g, dec(fte), rate);
            assert_eq!(
                (a.normalize(), b.normalize()),
                (dec(min), dec(max)),
                "{} {fte}",
                g.code
            );
        }
    }

    /// A hand-computed state: rounding happens once, at the end.
    #[test]
    fn state_costs_and_savings_by_hand() {
        let grades = vec![
            grade("SM", 3_333_333, 3_500_000, None),
            grade("TL", 2_000_001, 2_100_000, None),
            grade("DIR", 9_000_000, 9_600_000, Some("0.2")),
        ];
        let o = Organisation {
            states: vec![],
            posts: vec![
                // Current: DIR 1 FTE at max 96,000 × 1.2 = 115,200.00;
                // SM 1 FTE at max 35,000 × 1.3 = 45,500.00; total £160,700.
                cur("D", 2, "DIR", "1", None),
                cur("S1", 4, "SM", "1", Some("D")),
                // Immediate: DIR at 0.8 FTE, two SMs at 0.33 FTE each.
                imm("D", 2, "DIR", "0.8", None),
                imm("S1", 4, "SM", "0.33", Some("D")),
                imm("S2", 4, "SM", "0.33", Some("D")),
            ],
            adjustments: vec![Adjustment {
                state: StateKind::Immediate,
                description: "−0.5 FTE at Team Leader".into(),
                grade: code("TL"),
                fte: dec("-0.5"),
            }],
        };
        let costing = Costing {
            grades: &grades,
            default_rate: default_on_cost_rate(),
        };
        let s = costing.summary(&o, StateKind::Current);
        assert_eq!(
            (s.cost_min_pence, s.cost_max_pence),
            (15_133_333, 16_070_000)
        );
        assert_eq!(
            s.saving_min_pence, None,
            "no saving for the current state itself"
        );
        let s = costing.summary(&o, StateKind::Immediate);
        // Posts, min: 9,000,000 × 0.8 × 1.2 = 8,640,000
        //   + 2 × 3,333,333 × 0.33 × 1.3 = 2,859,999.714 → 11,499,999.714
        // Posts, max: 9,600,000 × 0.96 = 9,216,000 + 2 × 3,500,000 × 0.429
        //   = 3,003,000 → 12,219,000
        assert_eq!(s.cost_min_pence, 11_500_000);
        assert_eq!(s.cost_max_pence, 12_219_000);
        // Adjustment: −0.5 × 1.3 × 2,000,001 = −1,300,000.65; × 2,100,000 = −1,365,000
        assert_eq!(s.adjustments[0].cost_min_pence, -1_300_001);
        assert_eq!(s.adjustments_min_pence, -1_300_001);
        assert_eq!(s.adjustments_max_pence, -1_365_000);
        // Exact sum rounded once: 11,499,999.714 − 1,300,000.65 = 10,199,999.064
        assert_eq!(s.cost_after_adjustments_min_pence, 10_199_999);
        assert_eq!(s.cost_after_adjustments_max_pence, 10_854_000);
        assert_eq!(s.current_basis, Some(CurrentBasis::GradeMaximum));
        assert_eq!(s.current_cost_pence, Some(16_070_000));
        assert_eq!(s.saving_min_pence, Some(16_070_000 - 10_854_000));
        // 16,070,000 − 10,199,999.064 = 5,870,000.936 → 5,870,001
        assert_eq!(s.saving_max_pence, Some(5_870_001));
        assert_eq!(s.fte.to_string(), "1.46");

        // With an actual current cost entered, savings use it.
        let mut o2 = o.clone();
        o2.states.push(StructureState {
            actual_cost_pence: Some(15_000_000),
            ..StructureState::empty(StateKind::Current)
        });
        let s = costing.summary(&o2, StateKind::Immediate);
        assert_eq!(s.current_basis, Some(CurrentBasis::Actual));
        assert_eq!(s.saving_min_pence, Some(15_000_000 - 10_854_000));
        assert_eq!(s.saving_max_pence, Some(4_800_001));

        // Comparison counts the changes post by post.
        let c = costing.compare(&o, StateKind::Current, StateKind::Immediate);
        assert_eq!(c.saving_max_pence, 5_870_001);
        assert_eq!(c.counts[&ChangeKind::Changed], 2);
        assert_eq!(c.counts[&ChangeKind::Kept], 0);
        assert_eq!(c.counts[&ChangeKind::Added], 1);
        assert_eq!(c.changes[1].change, ChangeKind::Changed);
        assert_eq!(c.changes[1].fields, vec!["fte".to_string()]);
    }

    #[test]
    fn an_unknown_grade_is_reported_not_costed() {
        let grades = vec![grade("A", 100, 200, None)];
        let o = Organisation {
            posts: vec![
                cur("X", 1, "A", "1", None),
                cur("Y", 2, "NOPE", "1", Some("X")),
            ],
            ..Default::default()
        };
        let s = Costing {
            grades: &grades,
            default_rate: default_on_cost_rate(),
        }
        .summary(&o, StateKind::Current);
        assert_eq!(s.ungraded, vec![code("Y")]);
        assert_eq!((s.cost_min_pence, s.cost_max_pence), (130, 260));
    }

    #[test]
    fn spans_and_layers_on_small_trees() {
        // A tree: CE ← D1, D2; D1 ← H1..H4; D2 ← H5; H1 ← 11 team leaders.
        let mut ps = vec![
            cur("CE", 1, "G", "1", None),
            cur("D1", 2, "G", "1", Some("CE")),
            cur("D2", 2, "G", "1", Some("CE")),
            cur("H5", 3, "G", "1", Some("D2")),
        ];
        for i in 1..=4 {
            ps.push(cur(&format!("H{i}"), 3, "G", "1", Some("D1")));
        }
        for i in 1..=11 {
            ps.push(cur(&format!("T{i}"), 5, "G", "1", Some("H1")));
        }
        let s = spans(&refs(&ps));
        assert_eq!((s.managers, s.min, s.max), (4, 1, 11));
        // Counts 1, 2, 4, 11: median (2 + 4) / 2 = 3.
        assert_eq!(s.median, dec("3"));
        assert_eq!(s.narrow, vec![(code("CE"), 2), (code("D2"), 1)]);
        assert_eq!(s.wide, vec![(code("H1"), 11)]);
        assert_eq!(layers(&refs(&ps)), 4);

        for (posts, layers_, median) in [
            (vec![], 0, "0"),
            (vec![cur("A", 1, "G", "1", None)], 1, "0"),
            (
                vec![
                    cur("A", 1, "G", "1", None),
                    cur("B", 2, "G", "1", Some("A")),
                    cur("C", 3, "G", "1", Some("B")),
                ],
                3,
                "1",
            ),
        ] {
            assert_eq!(layers(&refs(&posts)), layers_);
            assert_eq!(spans(&refs(&posts)).median, dec(median));
        }
    }

    #[test]
    fn cycles_are_found_and_refused() {
        let ps = vec![
            cur("A", 1, "G", "1", Some("C")),
            cur("B", 2, "G", "1", Some("A")),
            cur("C", 3, "G", "1", Some("B")),
            cur("D", 4, "G", "1", Some("C")),
            cur("E", 4, "G", "1", Some("MISSING")),
        ];
        assert_eq!(
            cycles(&refs(&ps)),
            vec![vec![code("A"), code("C"), code("B")]]
        );
        let problems = structure_problems(&refs(&ps));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, code("E"));
        assert_eq!(
            problems[1].1,
            "reports-to goes round in a cycle: A → C → B → A"
        );
        // Layers still end on a cycle.
        assert_eq!(layers(&refs(&ps)), 4);
        assert!(structure_problems(&refs(&ps[..0])).is_empty());
    }

    #[test]
    fn tiers_count_postholders_not_permanent() {
        let mut ps = vec![
            cur("CE", 1, "G", "1", None),
            cur("D1", 2, "G", "1", Some("CE")),
            cur("D2", 2, "G", "1", Some("CE")),
            cur("D3", 2, "G", "1", Some("CE")),
            cur("H1", 3, "G", "0.5", Some("D1")),
            cur("H2", 3, "G", "1", Some("D1")),
        ];
        ps[1].holder_status = HolderStatus::Interim;
        ps[2].holder_status = HolderStatus::Acting;
        ps[3].holder_status = HolderStatus::Permanent;
        ps[4].holder_status = HolderStatus::Vacant;
        ps[5].holder_status = HolderStatus::Secondment;
        let t = tiers(&refs(&ps));
        let row = |l: &TierLine| {
            (
                l.tier,
                l.posts,
                l.postholders,
                l.not_permanent,
                l.not_permanent_pct,
                l.not_permanent_pct_to_here,
            )
        };
        assert_eq!(
            t.iter().map(row).collect::<Vec<_>>(),
            vec![
                (1, 1, 1, 0, Some(dec("0")), Some(dec("0"))),
                (2, 3, 3, 2, Some(dec("66.7")), Some(dec("50"))),
                (3, 2, 1, 1, Some(dec("100")), Some(dec("60"))),
            ]
        );
        assert_eq!(t[2].fte.to_string(), "1.5");
        assert_eq!(t[2].vacancies, 1);
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn changes_between_states_post_by_post() {
        let a = vec![
            cur("K", 1, "G", "1", None),
            cur("C", 2, "G", "1", Some("K")),
            cur("X", 2, "G", "1", Some("K")),
        ];
        let mut c2 = imm("C", 2, "H", "0.5", Some("K"));
        c2.title = "Renamed".into();
        let b = vec![
            imm("K", 1, "G", "1", None),
            c2,
            imm("N", 3, "G", "1", Some("C")),
        ];
        let ch = changes(&refs(&a), &refs(&b));
        let got: Vec<(&str, ChangeKind, Vec<String>)> = ch
            .iter()
            .map(|c| (c.code.as_str(), c.change, c.fields.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "C",
                    ChangeKind::Changed,
                    vec!["title".into(), "grade".into(), "fte".into()]
                ),
                ("K", ChangeKind::Kept, vec![]),
                ("N", ChangeKind::Added, vec![]),
                ("X", ChangeKind::Deleted, vec![]),
            ]
        );
    }

    #[test]
    fn problems_by_field() {
        for (g, fields) in [
            (grade("A", 100, 200, None), vec![]),
            (grade("A", 300, 200, None), vec!["max_salary"]),
            (
                grade("A", -1, 200, Some("1.5")),
                vec!["min_salary", "on_cost_rate"],
            ),
        ] {
            let got: Vec<String> = grade_problems(&g).into_iter().map(|p| p.0).collect();
            assert_eq!(got, fields);
        }
        let mut p = cur("A", 0, "G", "0", Some("A"));
        p.title = " ".into();
        let got: Vec<String> = post_problems(&p).into_iter().map(|p| p.0).collect();
        assert_eq!(got, vec!["title", "tier", "fte", "reports_to"]);
        let a = Adjustment {
            state: StateKind::Immediate,
            description: "".into(),
            grade: code("G"),
            fte: dec("0"),
        };
        assert_eq!(adjustment_problems(&a).len(), 2);
        assert!(HolderStatus::Interim.not_permanent() && !HolderStatus::Vacant.not_permanent());
    }

    #[test]
    fn the_workforce_view() {
        let mut ps = vec![
            cur("A", 1, "G", "1", None),
            cur("B", 2, "G", "0.5", Some("A")),
            cur("C", 2, "H", "1", Some("A")),
        ];
        ps[0].services = vec![code("S1"), code("S2")];
        ps[1].services = vec![code("S2")];
        ps[1].holder_status = HolderStatus::Interim;
        ps[2].holder_status = HolderStatus::Vacant;
        ps[2].portfolio = "Place".into();
        let model = |c: &Code| match c.as_str() {
            "S1" => Some("self-delivery".to_string()),
            "S2" => Some("partnership".to_string()),
            _ => None,
        };
        let w = workforce(&refs(&ps), model);
        assert_eq!(
            (
                w.total.posts,
                w.total.headcount,
                w.total.vacancies,
                w.total.interim_cover
            ),
            (3, 2, 1, 1)
        );
        assert_eq!(w.total.fte, dec("2.5"));
        let line = |v: &[WorkforceLine], k: &str| v.iter().find(|l| l.key == k).cloned().unwrap();
        assert_eq!(line(&w.by_delivery_model, "partnership").fte, dec("1"));
        assert_eq!(line(&w.by_delivery_model, "partnership").posts, 2);
        assert_eq!(line(&w.by_delivery_model, "self-delivery").fte, dec("0.5"));
        assert_eq!(line(&w.by_delivery_model, "no services").fte, dec("1"));
        assert_eq!(line(&w.by_portfolio, "Place").vacancies, 1);
        assert_eq!(line(&w.by_grade, "G").fte, dec("1.5"));
        assert_eq!(line(&w.by_holder_status, "interim").interim_cover, 1);
    }
}
