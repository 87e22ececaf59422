//! Best Value self-assessment (DOMAIN §5; 2026 A1 "annual self-assessment"):
//! each financial year the council scores itself 1–5 against a set of themes
//! (its own, or by default the Best Value themes the papers name), with the
//! evidence and the improvement actions each score leads to; years are compared
//! theme by theme. Pure.
use crate::Code;
use crate::period::Period;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A theme assessed (code and title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Theme {
    pub code: Code,
    pub title: String,
}

/// The default themes: the Best Value themes the papers name.
pub const DEFAULT_THEMES: [(&str, &str); 8] = [
    ("VISION", "Vision and leadership"),
    ("GOVERNANCE", "Governance and accountability"),
    ("RESOURCES", "Use of resources"),
    ("PARTNERSHIP", "Partnership and collaborative working"),
    ("COMMUNITIES", "Working with communities"),
    ("SUSTAINABILITY", "Sustainability"),
    ("EQUALITY", "Fairness and equality"),
    ("PERFORMANCE", "Performance and outcomes"),
];

/// The default themes as values.
pub fn default_themes() -> Vec<Theme> {
    DEFAULT_THEMES
        .iter()
        .map(|(c, t)| Theme {
            code: Code::parse(c).expect("a valid code"),
            title: t.to_string(),
        })
        .collect()
}

/// One theme's score in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeScore {
    /// A financial year, e.g. 2025/26.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub year: Period,
    pub theme: Code,
    /// 1 (weak) to 5 (excellent).
    pub score: u8,
    #[serde(default)]
    pub evidence: String,
    /// Outcomes the evidence concerns.
    #[serde(default)]
    pub outcomes: Vec<Code>,
    /// The improvement actions it leads to (codes in the action register).
    #[serde(default)]
    pub actions: Vec<String>,
}

/// How a theme moved from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Movement {
    Improved,
    Same,
    Declined,
    /// Not scored in one of the two years.
    New,
}

/// One theme across the years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeRow {
    pub theme: Theme,
    /// The score in each of the comparison's years (none if not scored).
    pub scores: Vec<Option<u8>>,
    /// Latest year against the one before.
    pub movement: Movement,
}

/// Every theme across every year assessed, oldest year first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub years: Vec<Period>,
    pub rows: Vec<ThemeRow>,
    /// The mean score per year, to 2 decimal places (none for a year with no
    /// scores).
    pub means: Vec<Option<String>>,
}

/// Compares the years: each theme's score per year and its latest movement.
pub fn compare(themes: &[Theme], scores: &[ThemeScore]) -> Comparison {
    let mut years: Vec<Period> = scores.iter().map(|s| s.year).collect();
    years.sort();
    years.dedup();
    let by: BTreeMap<(Period, &Code), u8> = scores
        .iter()
        .map(|s| ((s.year, &s.theme), s.score))
        .collect();
    let rows = themes
        .iter()
        .map(|t| {
            let scores: Vec<Option<u8>> = years
                .iter()
                .map(|y| by.get(&(*y, &t.code)).copied())
                .collect();
            let movement = match scores.as_slice() {
                [.., Some(a), Some(b)] if b > a => Movement::Improved,
                [.., Some(a), Some(b)] if b < a => Movement::Declined,
                [.., Some(_), Some(_)] => Movement::Same,
                _ => Movement::New,
            };
            ThemeRow {
                theme: t.clone(),
                scores,
                movement,
            }
        })
        .collect::<Vec<_>>();
    let means = (0..years.len())
        .map(|i| {
            let v: Vec<u32> = rows
                .iter()
                .filter_map(|r| r.scores[i].map(u32::from))
                .collect();
            (!v.is_empty()).then(|| {
                let hundredths =
                    (v.iter().sum::<u32>() * 100 * 2 + v.len() as u32) / (2 * v.len() as u32);
                format!("{}.{:02}", hundredths / 100, hundredths % 100)
            })
        })
        .collect();
    Comparison { years, rows, means }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(year: i32, theme: &str, s: u8) -> ThemeScore {
        ThemeScore {
            year: Period::FinancialYear(year),
            theme: Code::parse(theme).unwrap(),
            score: s,
            evidence: String::new(),
            outcomes: vec![],
            actions: vec![],
        }
    }

    #[test]
    fn years_compare_theme_by_theme_with_means_rounded_half_up() {
        let themes = default_themes();
        let scores = vec![
            score(2025, "VISION", 3),
            score(2024, "VISION", 2),
            score(2024, "GOVERNANCE", 4),
            score(2025, "GOVERNANCE", 3),
            score(2025, "RESOURCES", 2),
            score(2024, "PARTNERSHIP", 3),
            score(2025, "PARTNERSHIP", 3),
        ];
        let c = compare(&themes, &scores);
        assert_eq!(
            c.years,
            [Period::FinancialYear(2024), Period::FinancialYear(2025)]
        );
        let m = |code: &str| {
            c.rows
                .iter()
                .find(|r| r.theme.code.as_str() == code)
                .unwrap()
                .movement
        };
        assert_eq!(m("VISION"), Movement::Improved);
        assert_eq!(m("GOVERNANCE"), Movement::Declined);
        assert_eq!(m("PARTNERSHIP"), Movement::Same);
        assert_eq!(m("RESOURCES"), Movement::New);
        assert_eq!(m("EQUALITY"), Movement::New);
        // 2024: (2 + 4 + 3) / 3 = 3.00; 2025: (3 + 3 + 2 + 3) / 4 = 2.75.
        assert_eq!(c.means, [Some("3.00".into()), Some("2.75".into())]);
        // 7 / 3 = 2.333… → 2.33; 5 / 3 = 1.666… → 1.67.
        let c = compare(
            &themes,
            &[
                score(2025, "VISION", 2),
                score(2025, "GOVERNANCE", 2),
                score(2025, "RESOURCES", 3),
            ],
        );
        assert_eq!(c.means, [Some("2.33".into())]);
        let c = compare(
            &themes,
            &[
                score(2025, "VISION", 1),
                score(2025, "GOVERNANCE", 1),
                score(2025, "RESOURCES", 3),
            ],
        );
        assert_eq!(c.means, [Some("1.67".into())]);
        assert!(compare(&themes, &[]).years.is_empty());
    }
}
