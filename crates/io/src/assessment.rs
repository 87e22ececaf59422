//! Best Value self-assessment files: `assessment-themes.csv` (the themes, in
//! order) and `self-assessments.csv` (each year's score per theme). Validated
//! whole; nothing is returned unless every row is valid.
use crate::rows::{done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::Code;
use goldthread_domain::assessment::{Theme, ThemeScore};
use goldthread_domain::period::{Frequency, Period};
use std::collections::{BTreeMap, BTreeSet};

pub const THEMES: &[&str] = &["code", "title"];
pub const SCORES: &[&str] = &["year", "theme", "score", "evidence", "outcomes", "actions"];

/// Reads `assessment-themes.csv`: codes unique, titles required.
pub fn read_themes(source: &Source) -> Result<Vec<Theme>, Vec<ImportError>> {
    let t = required_table(source, "assessment-themes")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), THEMES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(title)) = (code, title) {
            out.push(Theme { code, title });
        }
    });
    done(errors, out)
}

/// Reads `self-assessments.csv`: a financial year (e.g. 2025/26), a known
/// theme (once a year), a score 1–5, evidence, known outcomes (`;`-separated)
/// and the improvement actions' codes (`;`-separated, known when `actions` is
/// given).
pub fn read_scores(
    source: &Source,
    themes: &[Theme],
    outcomes: &BTreeSet<Code>,
    actions: Option<&BTreeSet<String>>,
) -> Result<Vec<ThemeScore>, Vec<ImportError>> {
    let t = required_table(source, "self-assessments")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), SCORES, &mut errors, |r| {
        let year = match Period::parse(r.raw("year"), Frequency::FinancialYear) {
            Ok(p) => Some(p),
            Err(e) => {
                r.error("year", e);
                None
            }
        };
        let theme = r.code("theme");
        if let Some(t) = &theme
            && !themes.iter().any(|x| &x.code == t)
        {
            r.error("theme", format!("unknown theme '{t}'"));
        }
        let score = match r.parsed::<u8>("score") {
            Some(s) if (1..=5).contains(&s) => Some(s),
            Some(s) => {
                r.error("score", format!("{s} is not from 1 to 5"));
                None
            }
            None => None,
        };
        let linked = r.codes("outcomes");
        for o in linked.iter().flatten() {
            if !outcomes.contains(o) {
                r.error("outcomes", format!("unknown outcome code '{o}'"));
            }
        }
        let acts: Vec<String> = r
            .raw("actions")
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(known) = actions {
            for a in &acts {
                if !known.contains(a) {
                    r.error("actions", format!("unknown action '{a}'"));
                }
            }
        }
        if let (Some(y), Some(t)) = (year, &theme)
            && r.duplicate(&mut seen, "theme", (y, t.clone()), &format!("{t} in {y}"))
        {
            return;
        }
        if let (Some(year), Some(theme), Some(score), Some(linked)) = (year, theme, score, linked)
            && themes.iter().any(|x| x.code == theme)
            && linked.iter().all(|o| outcomes.contains(o))
            && actions.is_none_or(|k| acts.iter().all(|a| k.contains(a)))
        {
            out.push(ThemeScore {
                year,
                theme,
                score,
                evidence: r.optional("evidence"),
                outcomes: linked,
                actions: acts,
            });
        }
    });
    done(errors, out)
}

/// `assessment-themes.csv` rows, as the import reads them.
pub fn theme_rows(v: &[Theme]) -> Vec<Vec<String>> {
    v.iter()
        .map(|t| vec![t.code.to_string(), t.title.clone()])
        .collect()
}

/// `self-assessments.csv` rows, as the import reads them.
pub fn score_rows(v: &[ThemeScore]) -> Vec<Vec<String>> {
    v.iter()
        .map(|s| {
            vec![
                s.year.to_string(),
                s.theme.to_string(),
                s.score.to_string(),
                s.evidence.clone(),
                s.outcomes
                    .iter()
                    .map(Code::as_str)
                    .collect::<Vec<_>>()
                    .join(";"),
                s.actions.join(";"),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use goldthread_domain::assessment::default_themes;

    fn src(name: &str, body: &str) -> Source {
        Source::Csv(
            [(format!("{name}.csv"), body.as_bytes().to_vec())]
                .into_iter()
                .collect(),
        )
    }

    #[test]
    fn scores_are_read_checked_and_written_back() {
        let outcomes: BTreeSet<Code> = [Code::parse("LO1").unwrap()].into_iter().collect();
        let actions: BTreeSet<String> = ["BV18-B".to_string()].into_iter().collect();
        let body = "year,theme,score,evidence,outcomes,actions\n2025/26,VISION,3,Clear vision,LO1,BV18-B\n";
        let v = read_scores(
            &src("self-assessments", body),
            &default_themes(),
            &outcomes,
            Some(&actions),
        )
        .unwrap();
        assert_eq!(
            score_rows(&v)[0],
            ["2025/26", "VISION", "3", "Clear vision", "LO1", "BV18-B"]
        );
        let bad = "year,theme,score,evidence,outcomes,actions\n2025,NOPE,6,,LO9,X1\n2025/26,VISION,3,,,\n2025/26,VISION,2,,,\n";
        let e: Vec<String> = read_scores(
            &src("self-assessments", bad),
            &default_themes(),
            &outcomes,
            Some(&actions),
        )
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
        for x in [
            "self-assessments.csv:2:year:",
            "self-assessments.csv:2:theme: unknown theme 'NOPE'",
            "self-assessments.csv:2:score: 6 is not from 1 to 5",
            "self-assessments.csv:2:outcomes: unknown outcome code 'LO9'",
            "self-assessments.csv:2:actions: unknown action 'X1'",
            "self-assessments.csv:4:theme: VISION in 2025/26 is a duplicate of row 3",
        ] {
            assert!(e.iter().any(|l| l.starts_with(x)), "missing {x} in {e:#?}");
        }
        let e = read_themes(&src(
            "assessment-themes",
            "code,title\nA,One\nA,Again\nB,\n",
        ))
        .unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
