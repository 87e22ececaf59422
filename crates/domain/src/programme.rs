//! The transformation programme (DOMAIN §5, "Programme"; the PMO of 2022 §3):
//! programmes, their workstreams (or themes), and the initiatives under them —
//! each with a stage, dates, a RAG status of its own, a business case, a budget,
//! links on the golden thread, the risks it carries and the benefits it is to
//! deliver. An initiative is late when its end date has passed and it is not
//! closed. Everything here is pure.
use crate::{Code, Email};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

vocabulary!(
    /// Where an initiative is in its life.
    Stage, "initiative stage" {
        Idea => "idea",
        Scoped => "scoped",
        Planned => "planned",
        Implementation => "implementation",
        Closed => "closed",
    }
);

vocabulary!(
    /// An initiative's delivery status, as its lead reports it (not the
    /// performance RAG of an indicator against its target).
    InitiativeRag, "initiative RAG" {
        Green => "green",
        Amber => "amber",
        Red => "red",
    }
);

/// A transformation programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub code: Code,
    pub title: String,
    #[serde(default)]
    pub sponsor: Option<Email>,
    #[serde(default)]
    pub lead: Option<Email>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub start: Date,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub end: Option<Date>,
    #[serde(default)]
    pub description: String,
}

/// A workstream (or theme) of a programme; its code is unique within the
/// programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workstream {
    pub programme: Code,
    pub code: Code,
    pub title: String,
    #[serde(default)]
    pub lead: Option<Email>,
}

/// An initiative (project, key task) in a workstream of a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Initiative {
    pub code: Code,
    pub programme: Code,
    pub workstream: Code,
    pub title: String,
    #[serde(default)]
    pub scope: String,
    pub stage: Stage,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub start: Option<Date>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub end: Option<Date>,
    pub rag: InitiativeRag,
    #[serde(default)]
    pub commentary: String,
    /// The business case, in summary.
    #[serde(default)]
    pub business_case: String,
    /// The budget, in pence.
    #[serde(default)]
    pub budget_pence: Option<i64>,
    #[serde(default)]
    pub sponsor: Option<Email>,
    #[serde(default)]
    pub lead: Option<Email>,
    #[serde(default)]
    pub outcomes: Vec<Code>,
    #[serde(default)]
    pub services: Vec<Code>,
    /// Codes of risks in the risk register.
    #[serde(default)]
    pub risks: Vec<Code>,
    /// Codes of the benefits it is to deliver, in the benefits register.
    #[serde(default)]
    pub benefits: Vec<Code>,
}

impl Initiative {
    /// Its end date has passed and it is not closed.
    pub fn late(&self, today: Date) -> bool {
        self.stage != Stage::Closed && self.end.is_some_and(|e| e < today)
    }
}

/// What is wrong with a programme, field by field (empty when valid): a title,
/// and an end no earlier than the start.
pub fn programme_problems(p: &Programme) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if p.title.trim().is_empty() {
        e.push(("title".into(), "is required".into()));
    }
    if let Some(end) = p.end
        && end < p.start
    {
        e.push((
            "end".into(),
            format!("the end ({end}) is before the start ({})", p.start),
        ));
    }
    e
}

/// What is wrong with an initiative, field by field (empty when valid): a
/// title; an end no earlier than the start; a closed initiative has an end
/// date; a budget is not negative; benefit codes are not repeated.
pub fn problems(i: &Initiative) -> Vec<(String, String)> {
    let mut e = Vec::new();
    if i.title.trim().is_empty() {
        e.push(("title".into(), "is required".into()));
    }
    if let (Some(s), Some(end)) = (i.start, i.end)
        && end < s
    {
        e.push((
            "end".into(),
            format!("the end ({end}) is before the start ({s})"),
        ));
    }
    if i.stage == Stage::Closed && i.end.is_none() {
        e.push(("end".into(), "a closed initiative needs an end date".into()));
    }
    if i.budget_pence.is_some_and(|b| b < 0) {
        e.push(("budget".into(), "cannot be negative".into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for b in &i.benefits {
        if !seen.insert(b) {
            e.push(("benefits".into(), format!("'{b}' is listed twice")));
        }
    }
    e
}

/// A programme's initiatives counted by stage and RAG, with how many are late
/// and their budgets' total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub initiatives: usize,
    /// Every stage, with its count (zero included).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, usize>))]
    pub by_stage: BTreeMap<Stage, usize>,
    /// Every RAG, with its count (zero included).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, usize>))]
    pub by_rag: BTreeMap<InitiativeRag, usize>,
    pub late: usize,
    /// The total of the budgets given, in pence.
    pub budget_pence: i64,
    /// How many initiatives have no budget given.
    pub without_budget: usize,
}

/// The summary of `initiatives` on `today`.
pub fn summary<'a>(initiatives: impl IntoIterator<Item = &'a Initiative>, today: Date) -> Summary {
    let mut s = Summary {
        by_stage: Stage::ALL.iter().map(|k| (*k, 0)).collect(),
        by_rag: InitiativeRag::ALL.iter().map(|k| (*k, 0)).collect(),
        ..Default::default()
    };
    for i in initiatives {
        s.initiatives += 1;
        *s.by_stage.entry(i.stage).or_default() += 1;
        *s.by_rag.entry(i.rag).or_default() += 1;
        if i.late(today) {
            s.late += 1;
        }
        match i.budget_pence {
            Some(b) => s.budget_pence = s.budget_pence.saturating_add(b),
            None => s.without_budget += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn initiative(c: &str, stage: Stage, start: Option<Date>, end: Option<Date>) -> Initiative {
        Initiative {
            code: code(c),
            programme: code("P"),
            workstream: code("1"),
            title: format!("Initiative {c}"),
            scope: String::new(),
            stage,
            start,
            end,
            rag: InitiativeRag::Green,
            commentary: String::new(),
            business_case: String::new(),
            budget_pence: None,
            sponsor: None,
            lead: None,
            outcomes: vec![],
            services: vec![],
            risks: vec![],
            benefits: vec![],
        }
    }

    #[test]
    fn lateness_by_stage_and_end_date() {
        let end = Some(date!(2026 - 03 - 31));
        for (stage, end, today, late) in [
            (Stage::Implementation, end, date!(2026 - 03 - 31), false),
            (Stage::Implementation, end, date!(2026 - 04 - 01), true),
            (Stage::Idea, end, date!(2027 - 01 - 01), true),
            (Stage::Closed, end, date!(2027 - 01 - 01), false),
            (Stage::Planned, None, date!(2027 - 01 - 01), false),
        ] {
            let i = initiative("A", stage, None, end);
            assert_eq!(i.late(today), late, "{stage} {end:?} on {today}");
        }
    }

    #[test]
    fn problems_by_field() {
        let d = |y, m| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), 1).unwrap();
        for (i, expected) in [
            (
                initiative("A", Stage::Planned, Some(d(2026, 4)), Some(d(2027, 3))),
                vec![],
            ),
            (
                initiative("B", Stage::Planned, Some(d(2027, 4)), Some(d(2026, 3))),
                vec!["end"],
            ),
            (
                initiative("C", Stage::Closed, Some(d(2026, 4)), None),
                vec!["end"],
            ),
            (
                Initiative {
                    title: " ".into(),
                    budget_pence: Some(-1),
                    benefits: vec![code("B1"), code("B2"), code("B1")],
                    ..initiative("D", Stage::Idea, None, None)
                },
                vec!["title", "budget", "benefits"],
            ),
        ] {
            let fields: Vec<String> = problems(&i).into_iter().map(|p| p.0).collect();
            assert_eq!(fields, expected, "{}", i.code);
        }
        let p = Programme {
            code: code("P"),
            title: "Programme".into(),
            sponsor: None,
            lead: None,
            start: date!(2026 - 04 - 01),
            end: Some(date!(2026 - 03 - 31)),
            description: String::new(),
        };
        assert_eq!(programme_problems(&p)[0].0, "end");
        assert!(
            programme_problems(&Programme {
                end: Some(p.start),
                ..p
            })
            .is_empty()
        );
    }

    #[test]
    fn a_summary_counts_stages_rags_lateness_and_budget() {
        let today = date!(2026 - 06 - 01);
        let mut a = initiative("A", Stage::Closed, None, Some(date!(2015 - 03 - 31)));
        a.budget_pence = Some(100_000);
        let mut b = initiative(
            "B",
            Stage::Implementation,
            None,
            Some(date!(2026 - 05 - 31)),
        );
        b.rag = InitiativeRag::Red;
        b.budget_pence = Some(2_550);
        let c = initiative("C", Stage::Idea, None, None);
        let s = summary([&a, &b, &c], today);
        assert_eq!(s.initiatives, 3);
        assert_eq!(s.by_stage[&Stage::Closed], 1);
        assert_eq!(s.by_stage[&Stage::Scoped], 0, "every stage is counted");
        assert_eq!(s.by_rag[&InitiativeRag::Green], 2);
        assert_eq!(s.by_rag[&InitiativeRag::Red], 1);
        assert_eq!(s.late, 1);
        assert_eq!(s.budget_pence, 102_550);
        assert_eq!(s.without_budget, 1);
        assert_eq!(summary([], today).by_stage.len(), 5);
    }
}
