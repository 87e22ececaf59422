//! The risk register (DOMAIN §5): each risk's cause, event and effect, its
//! links on the golden thread, its controls, and its likelihood × impact scored
//! three times — inherent (before controls), residual (after them) and target
//! (where the council wants it). Scores fall in bands; a residual above the
//! council's appetite for the risk's category is escalated; a risk whose review
//! date has passed is overdue for review. Everything here is pure.
use crate::{Code, Email};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

vocabulary!(
    /// What kind of risk it is (appetite is set per category).
    RiskCategory, "risk category" {
        Strategic => "strategic",
        Operational => "operational",
        Delivery => "delivery",
        Financial => "financial",
        Partnership => "partnership",
        Compliance => "compliance",
        Reputational => "reputational",
    }
);

vocabulary!(
    /// How well a control works.
    Effectiveness, "control effectiveness" {
        Effective => "effective",
        Partly => "partly",
        Ineffective => "ineffective",
    }
);

vocabulary!(
    /// Whether a risk is still being managed.
    RiskStatus, "risk status" {
        Open => "open",
        Closed => "closed",
    }
);

vocabulary!(
    /// A score's band: 1–4 low, 5–9 medium, 10–16 high, 20–25 very high.
    Band, "risk band" {
        Low => "low",
        Medium => "medium",
        High => "high",
        VeryHigh => "very-high",
    }
);

/// The band of a score (likelihood × impact). Every product of two whole
/// numbers from 1 to 5 falls in exactly one band (17–19 and 21–24 cannot
/// occur); anything else has none.
pub fn band(score: u8) -> Option<Band> {
    match score {
        1..=4 => Some(Band::Low),
        5..=9 => Some(Band::Medium),
        10..=16 => Some(Band::High),
        20..=25 => Some(Band::VeryHigh),
        _ => None,
    }
}

/// A likelihood and an impact, each 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scored {
    pub likelihood: u8,
    pub impact: u8,
}

impl Scored {
    /// Both parts 1–5.
    pub fn valid(self) -> bool {
        (1..=5).contains(&self.likelihood) && (1..=5).contains(&self.impact)
    }
    /// likelihood × impact.
    pub fn score(self) -> u8 {
        self.likelihood * self.impact
    }
    pub fn band(self) -> Option<Band> {
        band(self.score())
    }
}

/// A control on a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Control {
    pub control: String,
    pub owner: Option<Email>,
    pub effectiveness: Effectiveness,
}

/// A risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Risk {
    pub code: Code,
    pub title: String,
    pub category: RiskCategory,
    /// Cause → event → effect.
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub effect: String,
    #[serde(default)]
    pub owner: Option<Email>,
    #[serde(default)]
    pub outcomes: Vec<Code>,
    #[serde(default)]
    pub services: Vec<Code>,
    /// The programme it belongs to (free text until the programme register).
    #[serde(default)]
    pub programme: String,
    /// The service review it arises from.
    #[serde(default)]
    pub review: Option<Code>,
    pub inherent: Scored,
    pub residual: Scored,
    pub target: Scored,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub review_date: Option<Date>,
    #[serde(default = "open")]
    pub status: RiskStatus,
    #[serde(default)]
    pub controls: Vec<Control>,
}

fn open() -> RiskStatus {
    RiskStatus::Open
}

impl Risk {
    /// Open and past its review date.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.status == RiskStatus::Open && self.review_date.is_some_and(|d| d < today)
    }

    /// Open with a residual score above the appetite for its category (no
    /// appetite set: never escalated).
    pub fn above_appetite(&self, appetite: &Appetite) -> bool {
        self.status == RiskStatus::Open
            && appetite
                .get(&self.category)
                .is_some_and(|a| self.residual.score() > *a)
    }
}

/// The highest acceptable residual score (1–25) per category.
pub type Appetite = BTreeMap<RiskCategory, u8>;

/// One review of a risk: the scores it recorded on a day (the trajectory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskReview {
    pub risk: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub date: Date,
    pub inherent: Scored,
    pub residual: Scored,
    pub target: Scored,
    #[serde(default)]
    pub note: String,
}

/// Which of a risk's scores a heat map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    Inherent,
    Residual,
}

/// A 5×5 heat map of open risks: `cells[l-1][i-1]` holds the codes of the risks
/// with likelihood `l` and impact `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatMap {
    pub cells: Vec<Vec<Vec<Code>>>,
}

/// The heat map of the open risks on `basis`.
pub fn heat_map(risks: &[Risk], basis: Basis) -> HeatMap {
    let mut cells = vec![vec![Vec::new(); 5]; 5];
    for r in risks.iter().filter(|r| r.status == RiskStatus::Open) {
        let s = match basis {
            Basis::Inherent => r.inherent,
            Basis::Residual => r.residual,
        };
        if s.valid() {
            cells[usize::from(s.likelihood) - 1][usize::from(s.impact) - 1].push(r.code.clone());
        }
    }
    HeatMap { cells }
}

/// What is wrong with a risk, field by field (empty when it is valid):
/// scores 1–5, target no worse than residual, residual no worse than
/// inherent — controls and mitigation can only lower a risk.
pub fn problems(r: &Risk) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if r.title.trim().is_empty() {
        e.push(("title".into(), "is required".into()));
    }
    for (name, s) in [
        ("inherent", r.inherent),
        ("residual", r.residual),
        ("target", r.target),
    ] {
        for (part, v) in [("likelihood", s.likelihood), ("impact", s.impact)] {
            if !(1..=5).contains(&v) {
                e.push((
                    format!("{name}_{part}"),
                    "is a whole number from 1 to 5".into(),
                ));
            }
        }
    }
    if r.inherent.valid() && r.residual.valid() && r.residual.score() > r.inherent.score() {
        e.push((
            "residual_likelihood".into(),
            format!(
                "the residual score ({}) cannot be above the inherent score ({}): controls only lower a risk",
                r.residual.score(),
                r.inherent.score()
            ),
        ));
    }
    if r.residual.valid() && r.target.valid() && r.target.score() > r.residual.score() {
        e.push((
            "target_likelihood".into(),
            format!(
                "the target score ({}) cannot be above the residual score ({})",
                r.target.score(),
                r.residual.score()
            ),
        ));
    }
    for (i, c) in r.controls.iter().enumerate() {
        if c.control.trim().is_empty() {
            e.push((format!("controls[{i}]"), "describe the control".into()));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn s(l: u8, i: u8) -> Scored {
        Scored {
            likelihood: l,
            impact: i,
        }
    }

    fn risk(c: &str, cat: RiskCategory, inh: Scored, res: Scored) -> Risk {
        Risk {
            code: code(c),
            title: format!("Risk {c}"),
            category: cat,
            cause: String::new(),
            event: String::new(),
            effect: String::new(),
            owner: None,
            outcomes: vec![],
            services: vec![],
            programme: String::new(),
            review: None,
            inherent: inh,
            residual: res,
            target: s(1, 1),
            review_date: None,
            status: RiskStatus::Open,
            controls: vec![],
        }
    }

    #[test]
    fn bands_meet_at_their_boundaries_and_every_product_has_one() {
        for (score, expected) in [
            (1, Some(Band::Low)),
            (4, Some(Band::Low)),
            (5, Some(Band::Medium)),
            (9, Some(Band::Medium)),
            (10, Some(Band::High)),
            (16, Some(Band::High)),
            (20, Some(Band::VeryHigh)),
            (25, Some(Band::VeryHigh)),
            (0, None),
            (17, None),
            (26, None),
        ] {
            assert_eq!(band(score), expected, "{score}");
        }
        for l in 1..=5 {
            for i in 1..=5 {
                assert!(s(l, i).band().is_some(), "{l}×{i} has a band");
            }
        }
        assert_eq!(s(4, 4).band(), Some(Band::High));
        assert_eq!(s(4, 5).band(), Some(Band::VeryHigh));
    }

    #[test]
    fn appetite_escalates_open_residuals_above_it() {
        let appetite: Appetite = [(RiskCategory::Financial, 9)].into_iter().collect();
        let at = risk("A", RiskCategory::Financial, s(5, 5), s(3, 3));
        let above = risk("B", RiskCategory::Financial, s(5, 5), s(2, 5));
        let no_appetite = risk("C", RiskCategory::Strategic, s(5, 5), s(5, 5));
        assert!(
            !at.above_appetite(&appetite),
            "9 is acceptable at appetite 9"
        );
        assert!(above.above_appetite(&appetite), "10 > 9");
        assert!(!no_appetite.above_appetite(&appetite));
        let closed = Risk {
            status: RiskStatus::Closed,
            ..above
        };
        assert!(!closed.above_appetite(&appetite));
    }

    #[test]
    fn a_review_is_overdue_the_day_after_its_date() {
        let mut r = risk("A", RiskCategory::Delivery, s(3, 3), s(2, 2));
        assert!(!r.review_overdue(date!(2026 - 11 - 23)), "no date");
        r.review_date = Some(date!(2026 - 11 - 23));
        assert!(!r.review_overdue(date!(2026 - 11 - 23)));
        assert!(r.review_overdue(date!(2026 - 11 - 24)));
        r.status = RiskStatus::Closed;
        assert!(!r.review_overdue(date!(2027 - 01 - 01)));
    }

    #[test]
    fn heat_map_places_open_risks_by_likelihood_and_impact() {
        let mut closed = risk("C", RiskCategory::Delivery, s(5, 5), s(5, 5));
        closed.status = RiskStatus::Closed;
        let risks = vec![
            risk("A", RiskCategory::Delivery, s(4, 5), s(2, 3)),
            risk("B", RiskCategory::Delivery, s(4, 5), s(2, 2)),
            closed,
        ];
        let h = heat_map(&risks, Basis::Inherent);
        assert_eq!(h.cells[3][4], vec![code("A"), code("B")]);
        assert!(h.cells[4][4].is_empty(), "closed risks are not mapped");
        let h = heat_map(&risks, Basis::Residual);
        assert_eq!(h.cells[1][2], vec![code("A")]);
        assert_eq!(h.cells[1][1], vec![code("B")]);
    }

    #[test]
    fn controls_only_lower_a_risk() {
        let ok = risk("A", RiskCategory::Delivery, s(4, 4), s(3, 3));
        assert!(problems(&ok).is_empty());
        let worse = risk("B", RiskCategory::Delivery, s(2, 2), s(3, 3));
        assert_eq!(problems(&worse)[0].0, "residual_likelihood");
        let mut bad = risk("C", RiskCategory::Delivery, s(0, 6), s(1, 1));
        bad.target = s(2, 2);
        let fields: Vec<String> = problems(&bad).into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "inherent_likelihood",
                "inherent_impact",
                "target_likelihood"
            ]
        );
    }
}
