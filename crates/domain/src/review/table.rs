//! The appraisal as a table: every option side by side with its yearly costs,
//! discount factors, net present cost, saving against the status quo, weighted
//! score, risk, statutory flags and rank, and a sentence explaining how each
//! figure was reached (with the review's own numbers, so it can be checked by
//! hand). The web page, the API and the CLI all show this one table.
use super::{Appraisal, OptionFigures, ReviewOption, appraise, to_pence};
use crate::Code;
use crate::enums::DeliveryModel;
use crate::money::format_pounds_display;
use rust_decimal::prelude::*;
use serde::Serialize;

/// One year of one option.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearRow {
    /// 0 for the first year (undiscounted).
    pub year_index: usize,
    pub one_off_pence: i64,
    pub recurring_pence: i64,
    /// 1 / (1 + r)^year_index, rounded to 6 places for display.
    pub discount_factor: f64,
    /// (one-off + recurring) × discount factor, to the nearest penny.
    pub present_value_pence: i64,
}

/// How each of an option's figures was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    pub npc: String,
    pub saving: String,
    pub weighted_score: String,
    pub rank: String,
}

/// One option's row of the appraisal table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionRow {
    pub code: Code,
    pub title: String,
    pub delivery_model: DeliveryModel,
    pub regional: bool,
    pub partners: String,
    pub status_quo: bool,
    pub preferred: bool,
    pub years: Vec<YearRow>,
    /// Net present cost, to the nearest penny (computed exactly, rounded last).
    pub npc_pence: i64,
    /// NPC(status quo) − NPC(this option), to the nearest penny; positive saves.
    pub saving_vs_status_quo_pence: Option<i64>,
    /// 0–100, exact to 28 significant digits (null until every criterion is scored).
    pub weighted_score: Option<f64>,
    pub risk_score: u8,
    pub fails_statutory: bool,
    /// The statutory duties this option does not meet.
    pub failing_duties: Vec<String>,
    /// 1 = best among options that pass every duty and are fully scored.
    pub rank: Option<usize>,
    pub explanation: Explanation,
}

/// The whole appraisal, computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppraisalTable {
    /// The appraisal period in years (3–5).
    pub years: u8,
    /// A fraction, e.g. 0.035 for 3.5%.
    pub discount_rate: f64,
    pub status_quo: Option<Code>,
    pub preferred: Option<Code>,
    pub rationale: String,
    pub options: Vec<OptionRow>,
    /// How the figures are computed, in words.
    pub method: Vec<String>,
}

/// The method, as stated on every appraisal.
pub const METHOD: [&str; 4] = [
    "Net present cost (NPC) = Σ over years y = 0 … N−1 of (one-off cost + recurring cost) ÷ (1 + r)^y, with r the discount rate; year 0 is not discounted. It is computed exactly and rounded to the penny only for display.",
    "Saving against the status quo = NPC(status quo) − NPC(option); a positive saving costs less than carrying on as now.",
    "Weighted score = 100 × Σ(weight × score) ÷ (5 × Σ weight), with each criterion scored 0–5.",
    "Rank: options that fail a statutory duty are excluded; the rest are ranked by weighted score, highest first, ties by NPC, lowest first. Equal on both shares a rank.",
];

fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn score_text(s: Decimal) -> String {
    s.round_dp(2).normalize().to_string()
}

impl AppraisalTable {
    /// Computes the table for `a` (options in their order).
    pub fn of(a: &Appraisal) -> AppraisalTable {
        let figures = appraise(&a.options, &a.criteria, a.discount_rate);
        let quo = a.options.iter().find(|o| o.status_quo);
        let quo_fig = quo.and_then(|q| figures.iter().find(|f| f.code == q.code));
        let options = a
            .options
            .iter()
            .zip(&figures)
            .map(|(o, f)| row(a, o, f, quo.map(|q| (q, quo_fig))))
            .collect();
        AppraisalTable {
            years: a.years,
            discount_rate: a.discount_rate.to_f64().unwrap_or(0.0),
            status_quo: quo.map(|q| q.code.clone()),
            preferred: a.preferred.clone(),
            rationale: a.rationale.clone(),
            options,
            method: METHOD.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The option row with this code.
    pub fn option(&self, code: &str) -> Option<&OptionRow> {
        self.options.iter().find(|o| o.code.as_str() == code)
    }
}

fn row(
    a: &Appraisal,
    o: &ReviewOption,
    f: &OptionFigures,
    quo: Option<(&ReviewOption, Option<&OptionFigures>)>,
) -> OptionRow {
    let factor = Decimal::ONE + a.discount_rate;
    let mut discount = Decimal::ONE;
    let mut years = Vec::new();
    let mut terms = Vec::new();
    for (i, y) in o.years.iter().enumerate() {
        let total = Decimal::from(y.one_off_pence + y.recurring_pence);
        years.push(YearRow {
            year_index: i,
            one_off_pence: y.one_off_pence,
            recurring_pence: y.recurring_pence,
            discount_factor: (Decimal::ONE / discount)
                .round_dp(6)
                .to_f64()
                .unwrap_or(0.0),
            present_value_pence: to_pence(total / discount),
        });
        terms.push(if i == 0 {
            format_pounds_display(y.one_off_pence + y.recurring_pence)
        } else {
            format!(
                "{} ÷ {}",
                format_pounds_display(y.one_off_pence + y.recurring_pence),
                discount.round_dp(6).normalize()
            )
        });
        discount *= factor;
    }
    let npc_text = if terms.is_empty() {
        "No yearly costs entered yet, so the NPC is £0.".to_string()
    } else {
        format!(
            "NPC at {} = {} = {}.",
            percent(a.discount_rate),
            terms.join(" + "),
            format_pounds_display(f.npc_pence)
        )
    };
    let saving_text = match (quo, f.saving_vs_status_quo_pence) {
        (Some((q, _)), Some(_)) if q.code == o.code => {
            "This is the status quo: the baseline the others are measured against.".to_string()
        }
        (Some((q, Some(qf))), Some(s)) => format!(
            "Saving = NPC of the status quo ({}, {}) − NPC of this option ({}) = {}{}.",
            q.code,
            format_pounds_display(qf.npc_pence),
            format_pounds_display(f.npc_pence),
            format_pounds_display(s),
            if s < 0 { ", an extra cost" } else { "" }
        ),
        _ => "No saving: no option is marked as the status quo.".to_string(),
    };
    let score_expl = match f.weighted_score {
        Some(s) => {
            let parts: Vec<String> = a
                .criteria
                .iter()
                .filter_map(|c| {
                    o.scores
                        .iter()
                        .find(|x| x.criterion == c.name)
                        .map(|x| format!("{}×{}", c.weight.normalize(), x.score))
                })
                .collect();
            let wsum: Decimal = a.criteria.iter().map(|c| c.weight).sum();
            format!(
                "100 × ({}) ÷ (5 × {}) = {}.",
                parts.join(" + "),
                wsum.normalize(),
                score_text(s)
            )
        }
        None => {
            let unscored: Vec<&str> = a
                .criteria
                .iter()
                .filter(|c| !o.scores.iter().any(|x| x.criterion == c.name))
                .map(|c| c.name.as_str())
                .collect();
            if unscored.is_empty() {
                "No weighted score: the criteria's weights sum to zero.".to_string()
            } else {
                format!("Not yet scored against: {}.", unscored.join(", "))
            }
        }
    };
    let failing: Vec<String> = o
        .duties
        .iter()
        .filter(|d| !d.meets)
        .map(|d| d.duty.clone())
        .collect();
    let rank_text = match (f.rank, f.fails_statutory, f.weighted_score) {
        (_, true, _) => format!(
            "Not ranked: fails the statutory duty {}, so it cannot be preferred.",
            failing
                .iter()
                .map(|d| format!("‘{d}’"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Some(r), _, Some(s)) => format!(
            "Ranked {r} by weighted score ({}), ties broken by lower NPC.",
            score_text(s)
        ),
        _ => "Not ranked until it is scored against every criterion.".to_string(),
    };
    OptionRow {
        code: o.code.clone(),
        title: o.title.clone(),
        delivery_model: o.delivery_model,
        regional: o.regional,
        partners: o.partners.clone(),
        status_quo: o.status_quo,
        preferred: a.preferred.as_ref() == Some(&o.code),
        years,
        npc_pence: f.npc_pence,
        saving_vs_status_quo_pence: f.saving_vs_status_quo_pence,
        weighted_score: f.weighted_score.and_then(|s| s.to_f64()),
        risk_score: o.risk_score,
        fails_statutory: f.fails_statutory,
        failing_duties: failing,
        rank: f.rank,
        explanation: Explanation {
            npc: npc_text,
            saving: saving_text,
            weighted_score: score_expl,
            rank: rank_text,
        },
    }
}
