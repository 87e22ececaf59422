//! The benefits register's import/export formats: `benefits.csv` (the
//! register), `benefit-profiles.csv` (planned and realised money by benefit
//! and financial year) and `budget-gap.csv` (the medium-term funding gap by
//! year). Each is validated whole; nothing is returned unless every row is
//! valid, and every problem is reported as `file:row:column: message`.
use crate::rows::{Row, done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::benefits::{
    self, Benefit, BenefitKind, BenefitProfile, BenefitSource, BudgetGap,
};
use goldthread_domain::framework::Framework;
use goldthread_domain::money::{format_pounds_plain, parse_pounds};
use goldthread_domain::period::FinancialYear;
use goldthread_domain::{Code, Email};
use std::collections::{BTreeMap, BTreeSet};

pub const BENEFITS: &[&str] = &[
    "code",
    "title",
    "kind",
    "owner",
    "source",
    "source_ref",
    "portfolio",
    "baseline",
    "measure",
    "status",
    "confidence",
    "description",
    "group",
];
/// `group` may be left out (every benefit is then on its portfolio's line).
const BENEFITS_REQUIRED: usize = 12;
pub const BENEFIT_PROFILES: &[&str] = &["benefit", "year", "planned", "realised"];
pub const BUDGET_GAP: &[&str] = &["year", "gap", "note"];

/// What benefits are checked against: the framework (portfolios and people),
/// the indicators' codes (measures) and the service reviews' codes.
pub struct Known<'a> {
    pub framework: &'a Framework,
    pub indicators: &'a [Code],
    pub reviews: &'a [Code],
}

/// Reads and validates `benefits.csv`: codes unique; title required; kind,
/// source, status and confidence from their vocabularies; the owner a known
/// person (or empty); the portfolio known; the measure a known indicator,
/// required for a non-financial benefit; for a benefit from a review,
/// `source_ref` the review's code. `group` (the line the benefit is tracked
/// on within its portfolio) may be empty, and its column left out.
pub fn read_benefits(source: &Source, known: &Known<'_>) -> Result<Vec<Benefit>, Vec<ImportError>> {
    let t = required_table(source, "benefits")?;
    let headers = if t.headers.len() == BENEFITS_REQUIRED {
        &BENEFITS[..BENEFITS_REQUIRED]
    } else {
        BENEFITS
    };
    let fw = known.framework;
    let people: BTreeSet<Email> = fw.people.iter().map(|p| p.email.clone()).collect();
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), headers, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let kind: Option<BenefitKind> = r.parsed("kind");
        let owner = r.email("owner", false);
        if let Some(Some(e)) = &owner {
            r.known_person("owner", Some(e), &people);
        }
        let source = r.parsed("source");
        let source_ref = r.optional("source_ref");
        let portfolio = r.code("portfolio");
        if let Some(p) = &portfolio
            && fw.portfolio(p.as_str()).is_none()
        {
            r.error(
                "portfolio",
                format!("unknown portfolio code '{p}' (add it to the framework first)"),
            );
        }
        let measure = optional_code(r, "measure");
        if let Some(Some(m)) = &measure
            && !known.indicators.contains(m)
        {
            r.error(
                "measure",
                format!("unknown indicator code '{m}' (import the indicator first)"),
            );
        }
        let status = r.parsed("status");
        let confidence = r.parsed("confidence");
        let mut ok = true;
        if let (Some(kind), Some(source), Some(measure)) = (kind, source, &measure) {
            for (col, msg) in benefits::check_parts(kind, source, &source_ref, measure.as_ref()) {
                r.error(col, msg);
                ok = false;
            }
        }
        if source == Some(BenefitSource::Review) && !source_ref.is_empty() {
            match Code::parse(&source_ref) {
                Ok(c) if known.reviews.contains(&c) => {}
                _ => {
                    r.error(
                        "source_ref",
                        format!("unknown review code '{source_ref}' (a benefit from a review names the review)"),
                    );
                    ok = false;
                }
            }
        }
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(title),
            Some(kind),
            Some(owner),
            Some(source),
            Some(portfolio),
            Some(measure),
            Some(status),
            Some(confidence),
        ) = (
            code, title, kind, owner, source, portfolio, measure, status, confidence,
        ) && ok
            && fw.portfolio(portfolio.as_str()).is_some()
            && owner.as_ref().is_none_or(|e| people.contains(e))
            && measure
                .as_ref()
                .is_none_or(|m| known.indicators.contains(m))
        {
            out.push(Benefit {
                code,
                title,
                kind,
                owner,
                source,
                source_ref,
                portfolio,
                group: r.optional("group"),
                baseline: r.optional("baseline"),
                measure,
                status,
                confidence,
                description: r.optional("description"),
            });
        }
    });
    done(errors, out)
}

/// A code that may be left empty: `Some(None)` when empty, `None` when invalid.
fn optional_code(r: &mut Row<'_>, col: &str) -> Option<Option<Code>> {
    let v = r.optional(col);
    if v.is_empty() {
        return Some(None);
    }
    match Code::parse(&v) {
        Ok(c) => Some(Some(c)),
        Err(e) => {
            r.error(col, e.0);
            None
        }
    }
}

/// A financial year such as `2024/25` (or `2024-25`).
fn year(r: &mut Row<'_>, col: &str) -> Option<FinancialYear> {
    let v = r.required(col)?;
    FinancialYear::parse(&v).map_err(|e| r.error(col, e)).ok()
}

/// Reads and validates `benefit-profiles.csv`: each row one financial year of
/// a known benefit's profile (a benefit and year once only); `planned` in
/// pounds (up to 2 decimal places) and not negative; `realised` likewise, or
/// empty while it is not yet known. A non-financial benefit has no money
/// profile. `benefits` are the register as it will be.
pub fn read_profiles(
    source: &Source,
    benefits: &[Benefit],
) -> Result<Vec<BenefitProfile>, Vec<ImportError>> {
    let t = required_table(source, "benefit-profiles")?;
    let kinds: BTreeMap<&Code, BenefitKind> = benefits.iter().map(|b| (&b.code, b.kind)).collect();
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), BENEFIT_PROFILES, &mut errors, |r| {
        let benefit = r.code("benefit");
        match benefit.as_ref().map(|b| (b, kinds.get(b))) {
            Some((b, None)) => r.error(
                "benefit",
                format!("unknown benefit code '{b}' (add it to benefits.csv first)"),
            ),
            Some((b, Some(BenefitKind::NonFinancial))) => r.error(
                "benefit",
                format!(
                    "'{b}' is a non-financial benefit: it has no money profile (its indicator measures it)"
                ),
            ),
            _ => {}
        }
        let y = year(r, "year");
        let planned = r.money("planned");
        let realised = if r.raw("realised").is_empty() {
            Some(None)
        } else {
            r.money("realised").map(Some)
        };
        if let (Some(b), Some(y)) = (&benefit, y)
            && r.duplicate(&mut seen, "year", (b.clone(), y), &format!("'{b}' in {y}"))
        {
            return;
        }
        if let (Some(benefit), Some(year), Some(planned_pence), Some(realised_pence)) =
            (benefit, y, planned, realised)
            && matches!(
                kinds.get(&benefit),
                Some(BenefitKind::Cashable | BenefitKind::NonCashable)
            )
        {
            out.push(BenefitProfile {
                benefit,
                year,
                planned_pence,
                realised_pence,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `budget-gap.csv`: one row per financial year (each
/// once), the gap in pounds (up to 2 decimal places; negative for a surplus)
/// and a note saying where the figure comes from.
pub fn read_budget_gap(source: &Source) -> Result<Vec<BudgetGap>, Vec<ImportError>> {
    let t = required_table(source, "budget-gap")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), BUDGET_GAP, &mut errors, |r| {
        let y = year(r, "year");
        let gap = r
            .required("gap")
            .and_then(|v| parse_pounds(&v).map_err(|e| r.error("gap", e.0)).ok());
        if let Some(y) = y
            && r.duplicate(&mut seen, "year", y, &format!("{y}"))
        {
            return;
        }
        if let (Some(year), Some(gap_pence)) = (y, gap) {
            out.push(BudgetGap {
                year,
                gap_pence,
                note: r.optional("note"),
            });
        }
    });
    done(errors, out)
}

/// `benefits.csv` rows, as the import reads them (with the `group` column).
pub fn benefit_rows(v: &[Benefit]) -> Vec<Vec<String>> {
    v.iter()
        .map(|b| {
            vec![
                b.code.to_string(),
                b.title.clone(),
                b.kind.to_string(),
                b.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                b.source.to_string(),
                b.source_ref.clone(),
                b.portfolio.to_string(),
                b.baseline.clone(),
                b.measure
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                b.status.to_string(),
                b.confidence.to_string(),
                b.description.clone(),
                b.group.clone(),
            ]
        })
        .collect()
}

/// `benefit-profiles.csv` rows, as the import reads them.
pub fn profile_rows(v: &[BenefitProfile]) -> Vec<Vec<String>> {
    v.iter()
        .map(|p| {
            vec![
                p.benefit.to_string(),
                p.year.to_string(),
                format_pounds_plain(p.planned_pence),
                p.realised_pence
                    .map(format_pounds_plain)
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// `budget-gap.csv` rows, as the import reads them.
pub fn gap_rows(v: &[BudgetGap]) -> Vec<Vec<String>> {
    v.iter()
        .map(|g| {
            vec![
                g.year.to_string(),
                format_pounds_plain(g.gap_pence),
                g.note.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use goldthread_domain::benefits::{BenefitStatus, Confidence};

    fn src(name: &str, body: &str) -> Source {
        Source::Csv(
            [(format!("{name}.csv"), body.as_bytes().to_vec())]
                .into_iter()
                .collect(),
        )
    }

    fn shown(e: Vec<ImportError>) -> Vec<String> {
        e.iter().map(|e| e.to_string()).collect()
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn framework() -> Framework {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        let i = crate::framework::read(&Source::Dir(dir), &Framework::default()).unwrap();
        Framework {
            people: i.people,
            portfolios: i.portfolios,
            services: i.services,
            ..Default::default()
        }
    }

    fn indicators() -> Vec<Code> {
        vec![code("ENV06"), code("CORP07")]
    }

    fn reviews() -> Vec<Code> {
        vec![code("REV-2026-01"), code("REV-2026-02")]
    }

    #[test]
    fn good_benefits_are_read_and_written_back() {
        let fw = framework();
        let (ind, rev) = (indicators(), reviews());
        let known = Known {
            framework: &fw,
            indicators: &ind,
            reviews: &rev,
        };
        let h = BENEFITS.join(",");
        let body = format!(
            "{h}\nBEN-1,Shared revenues,cashable,sm.revenues@demo.example,review,REV-2026-01,CS,\"£1,080,000 a year\",,on-track,medium,Illustrative.,\n\
             BEN-2,Recycling up,non-financial,,decision,Council 2026,PE,52%,ENV06,planned,low,,\n\
             R-PE,People,cashable,,restructure,2018 restructure,WB,,,not-realised,high,,People\n"
        );
        let v = read_benefits(&src("benefits", &body), &known).unwrap();
        assert_eq!(
            v[0],
            Benefit {
                code: code("BEN-1"),
                title: "Shared revenues".into(),
                kind: BenefitKind::Cashable,
                owner: Some(Email::parse("sm.revenues@demo.example").unwrap()),
                source: BenefitSource::Review,
                source_ref: "REV-2026-01".into(),
                portfolio: code("CS"),
                group: String::new(),
                baseline: "£1,080,000 a year".into(),
                measure: None,
                status: BenefitStatus::OnTrack,
                confidence: Confidence::Medium,
                description: "Illustrative.".into(),
            }
        );
        assert_eq!(v[1].measure, Some(code("ENV06")));
        assert_eq!(v[2].group, "People");
        let again = crate::framework::csv_bytes(BENEFITS, &benefit_rows(&v)).unwrap();
        assert_eq!(
            read_benefits(
                &src("benefits", std::str::from_utf8(&again).unwrap()),
                &known
            )
            .unwrap(),
            v
        );
        // The group column may be left out.
        let short = BENEFITS[..BENEFITS_REQUIRED].join(",");
        let v = read_benefits(
            &src(
                "benefits",
                &format!("{short}\nBEN-3,Saving,cashable,,project,,PE,,,planned,high,\n"),
            ),
            &known,
        )
        .unwrap();
        assert_eq!((v[0].group.as_str(), v[0].code.as_str()), ("", "BEN-3"));
    }

    #[test]
    fn every_benefit_problem_is_named_by_row_and_column() {
        let fw = framework();
        let (ind, rev) = (indicators(), reviews());
        let known = Known {
            framework: &fw,
            indicators: &ind,
            reviews: &rev,
        };
        let h = BENEFITS.join(",");
        let body = format!(
            "{h}\nBEN-1,One,cashable,,project,,CS,,,planned,high,,\n\
             BEN-1,Again,cashable,,project,,CS,,,planned,high,,\n\
             BEN-2,,saving,nobody@demo.example,gossip,,NOPE,,NOPE,done,certain,,\n\
             BEN-3,Unmeasured,non-financial,,review,,PE,,,planned,low,,\n\
             BEN-4,Unknown review,cashable,not an email,review,REV-1999-09,PE,,,planned,low,,\n\
             ,No code,cashable,,project,,,,,,,,\n\
             BEN-5,Too many,cashable,,project,,PE,,,planned,low,,,extra\n"
        );
        let e = read_benefits(&src("benefits", &body), &known).unwrap_err();
        let bad_email = Email::parse("not an email").unwrap_err().0;
        assert_eq!(
            shown(e),
            [
                "benefits.csv:3:code: 'BEN-1' is a duplicate of row 2".to_string(),
                "benefits.csv:4:title: is required".into(),
                "benefits.csv:4:kind: unknown benefit kind 'saving' (expected one of: cashable, non-cashable, non-financial)".into(),
                "benefits.csv:4:owner: unknown person 'nobody@demo.example' (add them to people.csv)".into(),
                "benefits.csv:4:source: unknown benefit source 'gossip' (expected one of: review, project, decision, restructure)".into(),
                "benefits.csv:4:portfolio: unknown portfolio code 'NOPE' (add it to the framework first)".into(),
                "benefits.csv:4:measure: unknown indicator code 'NOPE' (import the indicator first)".into(),
                "benefits.csv:4:status: unknown benefit status 'done' (expected one of: planned, on-track, at-risk, realised, not-realised)".into(),
                "benefits.csv:4:confidence: unknown confidence 'certain' (expected one of: high, medium, low)".into(),
                "benefits.csv:5:measure: is required for a non-financial benefit (the indicator that shows it)".into(),
                "benefits.csv:5:source_ref: is required for a benefit from a review (the review's code)".into(),
                format!("benefits.csv:6:owner: {bad_email}"),
                "benefits.csv:6:source_ref: unknown review code 'REV-1999-09' (a benefit from a review names the review)".into(),
                "benefits.csv:7:code: is required".into(),
                "benefits.csv:7:portfolio: is required".into(),
                "benefits.csv:7:status: is required".into(),
                "benefits.csv:7:confidence: is required".into(),
                "benefits.csv:8: has 14 fields but the header has 13".into(),
            ]
        );
    }

    fn register() -> Vec<Benefit> {
        let b = |c: &str, kind| Benefit {
            code: code(c),
            title: c.into(),
            kind,
            owner: None,
            source: BenefitSource::Project,
            source_ref: String::new(),
            portfolio: code("PE"),
            group: String::new(),
            baseline: String::new(),
            measure: None,
            status: BenefitStatus::Planned,
            confidence: Confidence::High,
            description: String::new(),
        };
        vec![
            b("BEN-1", BenefitKind::Cashable),
            b("BEN-2", BenefitKind::NonCashable),
            b("BEN-3", BenefitKind::NonFinancial),
        ]
    }

    #[test]
    fn profiles_are_read_in_pence_with_realised_empty_until_known() {
        let h = BENEFIT_PROFILES.join(",");
        let body = format!(
            "{h}\nBEN-1,2026/27,\"£180,000\",\nBEN-1,2025-26,40000.5,0\nBEN-2,2026/27,0,12.34\n"
        );
        let v = read_profiles(&src("benefit-profiles", &body), &register()).unwrap();
        assert_eq!(
            v[0],
            BenefitProfile {
                benefit: code("BEN-1"),
                year: FinancialYear(2026),
                planned_pence: 18_000_000,
                realised_pence: None,
            }
        );
        assert_eq!(
            (v[1].year, v[1].planned_pence, v[1].realised_pence),
            (FinancialYear(2025), 4_000_050, Some(0))
        );
        assert_eq!(
            profile_rows(&v),
            [
                vec!["BEN-1", "2026/27", "180000", ""],
                vec!["BEN-1", "2025/26", "40000.50", "0"],
                vec!["BEN-2", "2026/27", "0", "12.34"],
            ]
        );
        let again = crate::framework::csv_bytes(BENEFIT_PROFILES, &profile_rows(&v)).unwrap();
        assert_eq!(
            read_profiles(
                &src("benefit-profiles", std::str::from_utf8(&again).unwrap()),
                &register()
            )
            .unwrap(),
            v
        );
    }

    #[test]
    fn every_profile_problem_is_named_by_row_and_column() {
        let h = BENEFIT_PROFILES.join(",");
        let body = format!(
            "{h}\nBEN-1,2026/27,100,\nBEN-1,2026-27,200,\nNOPE,2026,-5,-1\nBEN-3,2026/27,1,\nBEN-2,2026/27,1.234,lots\n,2026/27,,\n"
        );
        let e = read_profiles(&src("benefit-profiles", &body), &register()).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "benefit-profiles.csv:3:year: 'BEN-1' in 2026/27 is a duplicate of row 2",
                "benefit-profiles.csv:4:benefit: unknown benefit code 'NOPE' (add it to benefits.csv first)",
                "benefit-profiles.csv:4:year: '2026' is not a financial-year period (write it like 2024/25)",
                "benefit-profiles.csv:4:planned: '-5' is negative; amounts must be zero or more",
                "benefit-profiles.csv:4:realised: '-1' is negative; amounts must be zero or more",
                "benefit-profiles.csv:5:benefit: 'BEN-3' is a non-financial benefit: it has no money profile (its indicator measures it)",
                "benefit-profiles.csv:6:planned: '1.234' has more than 2 decimal places (money is kept to the penny)",
                "benefit-profiles.csv:6:realised: 'lots' is not an amount in pounds",
                "benefit-profiles.csv:7:benefit: is required",
                "benefit-profiles.csv:7:planned: is required",
            ]
        );
    }

    #[test]
    fn the_budget_gap_by_year_with_surpluses_negative() {
        let h = BUDGET_GAP.join(",");
        let body = format!(
            "{h}\n2023/24,\"£11,311,000\",2022 §3.6\n2028/29,-250000.5,A surplus (illustrative)\n"
        );
        let v = read_budget_gap(&src("budget-gap", &body)).unwrap();
        assert_eq!(
            v,
            [
                BudgetGap {
                    year: FinancialYear(2023),
                    gap_pence: 1_131_100_000,
                    note: "2022 §3.6".into()
                },
                BudgetGap {
                    year: FinancialYear(2028),
                    gap_pence: -25_000_050,
                    note: "A surplus (illustrative)".into()
                },
            ]
        );
        assert_eq!(
            gap_rows(&v),
            [
                vec!["2023/24", "11311000", "2022 §3.6"],
                vec!["2028/29", "-250000.50", "A surplus (illustrative)"]
            ]
        );
        let body = format!("{h}\n2023/24,1,\n2023-24,2,\nnext year,,\n2024/25,1.999,\n");
        let e = read_budget_gap(&src("budget-gap", &body)).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "budget-gap.csv:3:year: 2023/24 is a duplicate of row 2",
                "budget-gap.csv:4:year: 'next year' is not a financial-year period (write it like 2024/25)",
                "budget-gap.csv:4:gap: is required",
                "budget-gap.csv:5:gap: '1.999' has more than 2 decimal places (money is kept to the penny)",
            ]
        );
        let e = read_budget_gap(&Source::Csv(Default::default())).unwrap_err();
        assert_eq!(
            shown(e),
            ["budget-gap: found no budget-gap.csv (or sheet 'budget-gap')"]
        );
        let e = read_budget_gap(&src("budget-gap", "year,amount,note\n")).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "budget-gap.csv:1:gap: the headers must be exactly 'year,gap,note' (found 'year,amount,note')"
            ]
        );
    }

    #[test]
    fn the_demo_files_are_valid_and_round_trip() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        let fw = framework();
        let indicators: Vec<Code> = csv::Reader::from_path(dir.join("indicators.csv"))
            .unwrap()
            .records()
            .map(|r| code(&r.unwrap()[0]))
            .collect();
        let rev = vec![
            code("REV-2026-01"),
            code("REV-2026-02"),
            code("REV-2026-03"),
        ];
        let known = Known {
            framework: &fw,
            indicators: &indicators,
            reviews: &rev,
        };
        let source = Source::Dir(dir);
        let b = read_benefits(&source, &known).unwrap();
        let p = read_profiles(&source, &b).unwrap();
        let g = read_budget_gap(&source).unwrap();
        let bytes = crate::framework::csv_bytes(BENEFITS, &benefit_rows(&b)).unwrap();
        assert_eq!(
            read_benefits(
                &src("benefits", std::str::from_utf8(&bytes).unwrap()),
                &known
            )
            .unwrap(),
            b
        );
        let bytes = crate::framework::csv_bytes(BENEFIT_PROFILES, &profile_rows(&p)).unwrap();
        assert_eq!(
            read_profiles(
                &src("benefit-profiles", std::str::from_utf8(&bytes).unwrap()),
                &b
            )
            .unwrap(),
            p
        );
        let bytes = crate::framework::csv_bytes(BUDGET_GAP, &gap_rows(&g)).unwrap();
        assert_eq!(
            read_budget_gap(&src("budget-gap", std::str::from_utf8(&bytes).unwrap())).unwrap(),
            g
        );
        assert!(g.iter().all(|g| !g.note.is_empty()));
    }
}
