//! The Delivery Framework (DOMAIN §4): a service review takes one service from
//! scope through specification, options appraisal, service plan, impact
//! assessment and two-key approval to implementation and its next review.
//!
//! Everything here is pure: the state machine (what each step needs before the
//! review may move on), the appraisal arithmetic (net present cost, saving against
//! the status quo, weighted criteria score, ranking), the impact assessment's
//! completeness and the approval rules.
use crate::enums::DeliveryModel;
use crate::{Code, Email};
use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};
use time::Date;

vocabulary!(
    /// Where a review is on the Delivery Framework's path.
    ReviewState, "review state" {
        Scoping => "scoping",
        Specification => "specification",
        Appraisal => "appraisal",
        Planning => "planning",
        Assessment => "assessment",
        AwaitingApproval => "awaiting-approval",
        Approved => "approved",
        Rejected => "rejected",
        Implemented => "implemented",
    }
);

vocabulary!(
    /// The 2014 redesign stage a review is working at.
    EsiaStage, "E-S-I-A stage" {
        Eliminate => "eliminate",
        Simplify => "simplify",
        Integrate => "integrate",
        Automate => "automate",
    }
);

vocabulary!(
    /// An option's expected impact on a group.
    Impact, "impact" {
        Positive => "positive",
        Neutral => "neutral",
        Negative => "negative",
        Unknown => "unknown",
    }
);

vocabulary!(
    /// The groups a combined equality and Fairer Scotland impact assessment
    /// covers: the nine protected characteristics of the Equality Act 2010, then
    /// the five socio-economic dimensions of the Fairer Scotland Duty.
    Dimension, "impact dimension" {
        Age => "age",
        Disability => "disability",
        GenderReassignment => "gender-reassignment",
        MarriageCivilPartnership => "marriage-and-civil-partnership",
        PregnancyMaternity => "pregnancy-and-maternity",
        Race => "race",
        ReligionBelief => "religion-or-belief",
        Sex => "sex",
        SexualOrientation => "sexual-orientation",
        LowIncome => "low-income",
        LowWealth => "low-wealth",
        MaterialDeprivation => "material-deprivation",
        AreaDeprivation => "area-deprivation",
        SocioEconomicBackground => "socio-economic-background",
    }
);

impl Dimension {
    /// A Fairer Scotland Duty dimension (else an Equality Act characteristic).
    pub fn socio_economic(self) -> bool {
        self >= Dimension::LowIncome
    }
}

vocabulary!(
    /// The compliance checks every review records before approval.
    Check, "compliance check" {
        StatutoryDuties => "statutory-duties-covered",
        Procurement => "procurement-route",
        DataProtection => "data-protection-impact-assessment",
        StaffConsultation => "staff-and-trade-union-consultation",
    }
);

vocabulary!(
    /// Where a compliance check stands.
    CheckStatus, "check status" {
        Done => "done",
        NotNeeded => "not-needed",
        Outstanding => "outstanding",
    }
);

vocabulary!(
    /// In which capacity someone signs a review off.
    SignOffRole, "sign-off role" {
        OutcomeLeader => "outcome-leader",
        ServiceManager => "service-manager",
    }
);

/// The default discount rate: 3.5%, HM Treasury Green Book.
pub fn default_discount_rate() -> Decimal {
    Decimal::new(35, 3)
}

/// The ten TOM design principles (2022 §6.9–6.10), the default criteria.
pub const TOM_PRINCIPLES: [&str; 10] = [
    "Customer focus",
    "Empowerment",
    "Locality/place",
    "Collaboration",
    "Continuous improvement and innovation",
    "Integration",
    "Strategic alignment",
    "Resilience and sustainability",
    "Wellbeing economy and community wealth building",
    "Green",
];

/// An appraisal criterion and its weight (≥ 0; the weights may not all be 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub weight: Decimal,
}

/// The default criteria: the TOM design principles, equally weighted.
pub fn default_criteria() -> Vec<Criterion> {
    TOM_PRINCIPLES
        .iter()
        .map(|n| Criterion {
            name: n.to_string(),
            weight: Decimal::ONE,
        })
        .collect()
}

/// One year's costs of an option, in pence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearCost {
    pub one_off_pence: i64,
    pub recurring_pence: i64,
}

/// An option's score (0–5) against one criterion, with a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub criterion: String,
    pub score: u8,
    #[serde(default)]
    pub comment: String,
}

/// Whether an option meets one of the statutory duties listed in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyMet {
    pub duty: String,
    pub meets: bool,
}

/// One way the service could be delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewOption {
    /// A short unique name within the review, e.g. "A" or "status-quo".
    pub code: Code,
    pub title: String,
    pub delivery_model: DeliveryModel,
    #[serde(default)]
    pub regional: bool,
    #[serde(default)]
    pub partners: String,
    #[serde(default)]
    pub description: String,
    /// The current delivery model, kept as it is.
    #[serde(default)]
    pub status_quo: bool,
    /// Year 0 first; as many years as the review's appraisal period.
    pub years: Vec<YearCost>,
    /// 1–25, as in the risk register (likelihood × impact).
    pub risk_score: u8,
    #[serde(default)]
    pub scores: Vec<Score>,
    #[serde(default)]
    pub duties: Vec<DutyMet>,
}

impl ReviewOption {
    /// Whether it fails any statutory duty it was assessed against.
    pub fn fails_statutory(&self) -> bool {
        self.duties.iter().any(|d| !d.meets)
    }
}

/// Net present cost: Σ_{y=0}^{N−1} (one-off_y + recurring_y) / (1 + r)^y, exact
/// to Decimal's 28 digits (round only for display).
pub fn npc(years: &[YearCost], rate: Decimal) -> Decimal {
    let factor = Decimal::ONE + rate;
    let mut discount = Decimal::ONE;
    let mut total = Decimal::ZERO;
    for y in years {
        total += Decimal::from(y.one_off_pence + y.recurring_pence) / discount;
        discount *= factor;
    }
    total
}

/// Pence for display: to the nearest penny, halves away from zero.
pub fn to_pence(v: Decimal) -> i64 {
    v.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(if v.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// Weighted score = 100 × Σ(wᵢ·sᵢ) / (5 · Σwᵢ); none unless the option has a
/// score for every criterion and the weights do not sum to zero.
pub fn weighted_score(criteria: &[Criterion], scores: &[Score]) -> Option<Decimal> {
    let total: Decimal = criteria.iter().map(|c| c.weight).sum();
    if total <= Decimal::ZERO {
        return None;
    }
    let mut sum = Decimal::ZERO;
    for c in criteria {
        let s = scores.iter().find(|s| s.criterion == c.name)?;
        sum += c.weight * Decimal::from(s.score);
    }
    Some(Decimal::ONE_HUNDRED * sum / (Decimal::from(5) * total))
}

/// One option's computed figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionFigures {
    pub code: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub npc: Decimal,
    pub npc_pence: i64,
    /// NPC(status quo) − NPC(option); none without a status quo.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub saving: Option<Decimal>,
    pub saving_vs_status_quo_pence: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub weighted_score: Option<Decimal>,
    pub fails_statutory: bool,
    /// 1 = best; none for an option that fails a statutory duty or is not fully
    /// scored. Options equal on score and NPC share a rank (1, 1, 3).
    pub rank: Option<usize>,
}

/// The appraisal's figures for every option, in the options' order.
pub fn appraise(
    options: &[ReviewOption],
    criteria: &[Criterion],
    rate: Decimal,
) -> Vec<OptionFigures> {
    let base = options
        .iter()
        .find(|o| o.status_quo)
        .map(|o| npc(&o.years, rate));
    let mut figures: Vec<OptionFigures> = options
        .iter()
        .map(|o| {
            let v = npc(&o.years, rate);
            let saving = base.map(|b| b - v);
            OptionFigures {
                code: o.code.clone(),
                npc: v,
                npc_pence: to_pence(v),
                saving,
                saving_vs_status_quo_pence: saving.map(to_pence),
                weighted_score: weighted_score(criteria, &o.scores),
                fails_statutory: o.fails_statutory(),
                rank: None,
            }
        })
        .collect();
    let mut ranked: Vec<(usize, Decimal, Decimal)> = figures
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.fails_statutory)
        .filter_map(|(i, f)| f.weighted_score.map(|s| (i, s, f.npc)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    for (pos, (i, s, n)) in ranked.iter().enumerate() {
        let rank = match pos.checked_sub(1).map(|p| ranked[p]) {
            Some((j, ps, pn)) if ps == *s && pn == *n => figures[j].rank,
            _ => Some(pos + 1),
        };
        figures[*i].rank = rank;
    }
    figures
}

/// A missing or invalid piece of a step: which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Missing {
    /// The step the field belongs to (none for a decision's own fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<ReviewState>,
    pub field: String,
    pub message: String,
}

fn missing(field: impl Into<String>, message: impl Into<String>) -> Missing {
    Missing {
        step: None,
        field: field.into(),
        message: message.into(),
    }
}

/// The current profile of the service when the review was scoped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub gross_cost_pence: i64,
    pub net_budget_pence: i64,
    /// FTE × 100, exact.
    pub fte_hundredths: i64,
    #[serde(default)]
    pub demand: String,
    /// The service's indicators' statuses when scoped, in words.
    #[serde(default)]
    pub performance: String,
    #[serde(default)]
    pub feedback: String,
}

/// Step 1: scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeStep {
    pub outcomes: Vec<Code>,
    /// Statutory duties (with legal references) every option must meet.
    #[serde(default)]
    pub statutory_duties: Vec<String>,
    /// Ring-fenced funding and other funding constraints.
    #[serde(default)]
    pub funding_constraints: String,
    pub profile: Option<Profile>,
    pub esia: Option<EsiaStage>,
}

/// Step 2: specification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Specification {
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub volumes: String,
    #[serde(default)]
    pub standards: String,
    #[serde(default)]
    pub quality_safety: String,
}

/// Step 3: the options appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appraisal {
    /// 3–5 years.
    pub years: u8,
    /// A fraction, e.g. 0.035.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub discount_rate: Decimal,
    pub criteria: Vec<Criterion>,
    pub options: Vec<ReviewOption>,
    pub preferred: Option<Code>,
    #[serde(default)]
    pub rationale: String,
}

impl Default for Appraisal {
    fn default() -> Self {
        Appraisal {
            years: 5,
            discount_rate: default_discount_rate(),
            criteria: default_criteria(),
            options: Vec::new(),
            preferred: None,
            rationale: String::new(),
        }
    }
}

/// A benefit the service plan expects (registered on approval once the benefits
/// register exists; kept on the review until then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedBenefit {
    pub description: String,
    /// A cashable saving per year, if any.
    #[serde(default)]
    pub annual_saving_pence: i64,
}

/// Step 4: the service plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicePlan {
    #[serde(default)]
    pub costs: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default)]
    pub benefits: Vec<PlannedBenefit>,
    #[serde(default)]
    pub quality_safety: String,
}

/// One group's expected impact, with evidence and (when negative) mitigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactEntry {
    pub dimension: Dimension,
    pub impact: Impact,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub mitigation: String,
}

/// One compliance check's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckEntry {
    pub check: Check,
    pub status: CheckStatus,
    #[serde(default)]
    pub note: String,
}

/// Step 5: the combined equality and Fairer Scotland impact assessment and the
/// compliance checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub impacts: Vec<ImpactEntry>,
    pub checks: Vec<CheckEntry>,
}

/// A sign-off: who, in which capacity, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOff {
    pub person: Email,
    pub role: SignOffRole,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub on: Date,
}

/// Step 6: approval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    pub sign_offs: Vec<SignOff>,
    #[serde(default)]
    pub committee_reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub committee_date: Option<Date>,
    #[serde(default)]
    pub rejection_reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub decided_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub implemented_on: Option<Date>,
}

/// A service review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub code: Code,
    pub title: String,
    pub service: Code,
    pub author: Email,
    pub state: ReviewState,
    pub scope: ScopeStep,
    pub specification: Specification,
    pub appraisal: Appraisal,
    pub plan: ServicePlan,
    pub assessment: Assessment,
    pub approval: Approval,
}

impl ReviewState {
    /// The step after this one on the forward path (none from approval on:
    /// approval and rejection are decisions, not steps).
    pub fn next(self) -> Option<ReviewState> {
        use ReviewState::*;
        match self {
            Scoping => Some(Specification),
            Specification => Some(Appraisal),
            Appraisal => Some(Planning),
            Planning => Some(Assessment),
            Assessment => Some(AwaitingApproval),
            AwaitingApproval | Approved | Rejected | Implemented => None,
        }
    }

    /// The step before, to send a review back to.
    pub fn previous(self) -> Option<ReviewState> {
        use ReviewState::*;
        match self {
            Specification => Some(Scoping),
            Appraisal => Some(Specification),
            Planning => Some(Appraisal),
            Assessment => Some(Planning),
            AwaitingApproval => Some(Assessment),
            Scoping | Approved | Rejected | Implemented => None,
        }
    }

    /// Whether the review's content may still be edited.
    pub fn open(self) -> bool {
        self.next().is_some()
    }

    /// Whether the review is still working towards a decision (awaiting
    /// approval included).
    pub fn under_way(self) -> bool {
        self.open() || self == ReviewState::AwaitingApproval
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Review {
    /// What the review still needs before it may move on: the current step's
    /// gaps, and any an earlier step has gained since (steps stay editable
    /// while the review is open). Each gap names its step. Empty once decided.
    /// `current_model` is the service's delivery model today.
    pub fn missing(&self, current_model: DeliveryModel) -> Vec<Missing> {
        if !self.state.under_way() {
            return Vec::new();
        }
        let mut all = Vec::new();
        for step in [
            ReviewState::Scoping,
            ReviewState::Specification,
            ReviewState::Appraisal,
            ReviewState::Planning,
            ReviewState::Assessment,
        ] {
            if step > self.state {
                break;
            }
            all.extend(
                self.step_missing(step, current_model)
                    .into_iter()
                    .map(|m| Missing {
                        step: Some(step),
                        ..m
                    }),
            );
        }
        all
    }

    /// What one step needs.
    fn step_missing(&self, step: ReviewState, current_model: DeliveryModel) -> Vec<Missing> {
        let mut m = Vec::new();
        match step {
            ReviewState::Scoping => {
                let s = &self.scope;
                if s.outcomes.is_empty() {
                    m.push(missing("outcomes", "name at least one intended outcome"));
                }
                if s.profile.is_none() {
                    m.push(missing("profile", "take the current-profile snapshot"));
                }
                if s.esia.is_none() {
                    m.push(missing(
                        "esia",
                        "choose the E-S-I-A stage (eliminate, simplify, integrate or automate)",
                    ));
                }
            }
            ReviewState::Specification => {
                let s = &self.specification;
                for (f, v) in [
                    ("scope", &s.scope),
                    ("volumes", &s.volumes),
                    ("standards", &s.standards),
                    ("quality_safety", &s.quality_safety),
                ] {
                    if blank(v) {
                        m.push(missing(f, "is required"));
                    }
                }
            }
            ReviewState::Appraisal => m = self.appraisal_missing(current_model),
            ReviewState::Planning => {
                let p = &self.plan;
                for (f, v) in [
                    ("costs", &p.costs),
                    ("resources", &p.resources),
                    ("quality_safety", &p.quality_safety),
                ] {
                    if blank(v) {
                        m.push(missing(f, "is required"));
                    }
                }
                for (i, b) in p.benefits.iter().enumerate() {
                    if blank(&b.description) {
                        m.push(missing(format!("benefits[{i}].description"), "is required"));
                    }
                }
            }
            ReviewState::Assessment => m = self.assessment_missing(),
            ReviewState::AwaitingApproval
            | ReviewState::Approved
            | ReviewState::Rejected
            | ReviewState::Implemented => {}
        }
        m
    }

    /// The appraisal's gaps: period, rate, criteria, options (exactly one status
    /// quo, on the current model, and at least one alternative), each option's
    /// years, risk, scores and duties, and a preferred option that passes.
    pub fn appraisal_missing(&self, current_model: DeliveryModel) -> Vec<Missing> {
        let a = &self.appraisal;
        let mut m = Vec::new();
        if !(3..=5).contains(&a.years) {
            m.push(missing("years", "the appraisal period is 3 to 5 years"));
        }
        if a.discount_rate < Decimal::ZERO || a.discount_rate >= Decimal::ONE {
            m.push(missing(
                "discount_rate",
                "is a fraction from 0 up to (not including) 1, e.g. 0.035",
            ));
        }
        if a.criteria.is_empty()
            || a.criteria.iter().map(|c| c.weight).sum::<Decimal>() <= Decimal::ZERO
        {
            m.push(missing(
                "criteria",
                "need at least one criterion with a weight above 0",
            ));
        }
        if a.criteria.iter().any(|c| c.weight < Decimal::ZERO) {
            m.push(missing("criteria", "weights cannot be negative"));
        }
        let quo: Vec<&ReviewOption> = a.options.iter().filter(|o| o.status_quo).collect();
        match quo.as_slice() {
            [] => m.push(missing("options", "one option must be the status quo")),
            [q] if q.delivery_model != current_model => m.push(missing(
                "options",
                format!(
                    "the status quo is the current delivery model ({current_model}), not {}",
                    q.delivery_model
                ),
            )),
            [_] => {}
            _ => m.push(missing("options", "only one option can be the status quo")),
        }
        if a.options.len() < 2 {
            m.push(missing(
                "options",
                "appraise at least one alternative to the status quo",
            ));
        }
        for (i, o) in a.options.iter().enumerate() {
            let f = |x: &str| format!("options[{i}].{x}");
            if o.years.len() != usize::from(a.years) {
                m.push(missing(
                    f("years"),
                    format!(
                        "{}: give costs for each of the {} years (has {})",
                        o.code,
                        a.years,
                        o.years.len()
                    ),
                ));
            }
            if !(1..=25).contains(&o.risk_score) {
                m.push(missing(
                    f("risk_score"),
                    format!("{}: a risk score is 1 to 25", o.code),
                ));
            }
            for c in &a.criteria {
                match o.scores.iter().find(|s| s.criterion == c.name) {
                    None => m.push(missing(
                        f("scores"),
                        format!("{}: score it against '{}'", o.code, c.name),
                    )),
                    Some(s) if s.score > 5 => m.push(missing(
                        f("scores"),
                        format!("{}: '{}' is scored 0 to 5", o.code, c.name),
                    )),
                    Some(_) => {}
                }
            }
            for d in &self.scope.statutory_duties {
                if !o.duties.iter().any(|x| &x.duty == d) {
                    m.push(missing(
                        f("duties"),
                        format!("{}: say whether it meets '{d}'", o.code),
                    ));
                }
            }
        }
        match &a.preferred {
            None => m.push(missing("preferred", "choose the preferred option")),
            Some(p) => match a.options.iter().find(|o| &o.code == p) {
                None => m.push(missing("preferred", format!("no option '{p}'"))),
                Some(o) if o.fails_statutory() => m.push(missing(
                    "preferred",
                    format!("option {p} fails a statutory duty and cannot be preferred"),
                )),
                Some(_) => {}
            },
        }
        if a.preferred.is_some() && blank(&a.rationale) {
            m.push(missing(
                "rationale",
                "say why the preferred option was chosen",
            ));
        }
        m
    }

    /// The impact assessment's gaps: every dimension assessed (evidence always;
    /// mitigation when negative) and every compliance check recorded.
    pub fn assessment_missing(&self) -> Vec<Missing> {
        let a = &self.assessment;
        let mut m = Vec::new();
        for d in Dimension::ALL {
            match a.impacts.iter().find(|e| e.dimension == *d) {
                None => m.push(missing(format!("impacts.{d}"), "assess the impact")),
                Some(e) => {
                    if blank(&e.evidence) {
                        m.push(missing(format!("impacts.{d}"), "give the evidence"));
                    }
                    if e.impact == Impact::Negative && blank(&e.mitigation) {
                        m.push(missing(
                            format!("impacts.{d}"),
                            "a negative impact needs its mitigation",
                        ));
                    }
                }
            }
        }
        for c in Check::ALL {
            if !a.checks.iter().any(|e| e.check == *c) {
                m.push(missing(format!("checks.{c}"), "record the check"));
            }
        }
        m
    }

    /// Moves to the next step if the current one is complete.
    pub fn advance(&mut self, current_model: DeliveryModel) -> Result<ReviewState, Vec<Missing>> {
        let Some(next) = self.state.next() else {
            return Err(vec![missing(
                "state",
                format!("a review that is {} cannot move on this way", self.state),
            )]);
        };
        let m = self.missing(current_model);
        if !m.is_empty() {
            return Err(m);
        }
        self.state = next;
        Ok(next)
    }

    /// Sends the review back one step, with a reason.
    pub fn send_back(&mut self, reason: &str) -> Result<ReviewState, Missing> {
        if blank(reason) {
            return Err(missing("reason", "say why the review is sent back"));
        }
        let prev = self.state.previous().ok_or_else(|| {
            missing(
                "state",
                format!("a review that is {} cannot be sent back", self.state),
            )
        })?;
        if self.state == ReviewState::AwaitingApproval {
            self.approval.sign_offs.clear();
        }
        self.state = prev;
        Ok(prev)
    }

    /// Signs the review off as `role`. `may_sign` says whether `person` is the
    /// service's Outcome Leader (for that role) or its Service Manager. With both
    /// keys turned the review is approved (returns true).
    pub fn sign_off(
        &mut self,
        person: &Email,
        role: SignOffRole,
        may_sign: bool,
        on: Date,
    ) -> Result<bool, Missing> {
        if self.state != ReviewState::AwaitingApproval {
            return Err(missing(
                "state",
                format!(
                    "only a review awaiting approval is signed off (this one is {})",
                    self.state
                ),
            ));
        }
        if !may_sign {
            return Err(missing(
                "role",
                format!("{person} is not this service's {role}"),
            ));
        }
        if self.approval.sign_offs.iter().any(|s| &s.person == person) {
            return Err(missing(
                "person",
                format!("{person} has already signed: nobody signs twice"),
            ));
        }
        if self.approval.sign_offs.iter().any(|s| s.role == role) {
            return Err(missing("role", format!("the {role} has already signed")));
        }
        let outstanding: Vec<String> = self
            .assessment
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Outstanding)
            .map(|c| c.check.to_string())
            .collect();
        if !outstanding.is_empty() {
            return Err(missing(
                "checks",
                format!(
                    "compliance checks still outstanding: {}",
                    outstanding.join(", ")
                ),
            ));
        }
        self.approval.sign_offs.push(SignOff {
            person: person.clone(),
            role,
            on,
        });
        let both = SignOffRole::ALL
            .iter()
            .all(|r| self.approval.sign_offs.iter().any(|s| s.role == *r));
        if both {
            self.state = ReviewState::Approved;
            self.approval.decided_on = Some(on);
        }
        Ok(both)
    }

    /// Rejects a review awaiting approval, with a reason.
    pub fn reject(&mut self, reason: &str, on: Date) -> Result<(), Missing> {
        if self.state != ReviewState::AwaitingApproval {
            return Err(missing(
                "state",
                format!(
                    "only a review awaiting approval is rejected (this one is {})",
                    self.state
                ),
            ));
        }
        if blank(reason) {
            return Err(missing("reason", "a rejection needs its reason"));
        }
        self.approval.rejection_reason = reason.trim().to_string();
        self.approval.decided_on = Some(on);
        self.state = ReviewState::Rejected;
        Ok(())
    }

    /// Marks an approved review implemented.
    pub fn implement(&mut self, on: Date) -> Result<(), Missing> {
        if self.state != ReviewState::Approved {
            return Err(missing(
                "state",
                format!(
                    "only an approved review is implemented (this one is {})",
                    self.state
                ),
            ));
        }
        self.approval.implemented_on = Some(on);
        self.state = ReviewState::Implemented;
        Ok(())
    }

    /// The preferred option.
    pub fn preferred(&self) -> Option<&ReviewOption> {
        let p = self.appraisal.preferred.as_ref()?;
        self.appraisal.options.iter().find(|o| &o.code == p)
    }
}

/// The next review date: `from` plus `years` (3–5; 29 February falls back to
/// 28 February in a common year).
pub fn next_review(from: Date, years: u8) -> Date {
    let y = from.year() + i32::from(years);
    Date::from_calendar_date(y, from.month(), from.day())
        .or_else(|_| Date::from_calendar_date(y, from.month(), from.day() - 1))
        .expect("a real date")
}

/// Whether a review is due: within `months_ahead` months of `today`, or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Due {
    Overdue,
    DueSoon,
    NotDue,
}

/// Classifies a service's next review date against `today` (due within 6 months).
pub fn due(next: Option<Date>, today: Date) -> Due {
    match next {
        None => Due::NotDue,
        Some(d) if d < today => Due::Overdue,
        Some(d) if d <= add_months(today, 6) => Due::DueSoon,
        Some(_) => Due::NotDue,
    }
}

fn add_months(d: Date, months: u8) -> Date {
    let total = d.month() as i32 - 1 + i32::from(months);
    let year = d.year() + total / 12;
    let month = time::Month::try_from((total % 12 + 1) as u8).expect("a month");
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).expect("a real date")
}

pub mod table;

#[cfg(test)]
mod tests;
