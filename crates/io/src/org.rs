//! Organisation design's files — `grades.csv`, `posts.csv` and
//! `adjustments.csv` — each validated whole (nothing is returned unless every
//! row is valid), and a state comparison as an XLSX workbook with live
//! formulas for finance to check.
use crate::framework::ExportError;
use crate::rows::{Row, done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::money::format_pounds_plain;
use goldthread_domain::org::{
    Adjustment, ChangeKind, Comparison, CurrentBasis, Grade, Post, StateKind, adjustment_problems,
    grade_problems, post_problems, rate_of, structure_problems,
};
use goldthread_domain::{Code, Fte};
use rust_decimal::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::collections::{BTreeMap, BTreeSet};

pub const GRADES: &[&str] = &["code", "title", "min_salary", "max_salary", "on_cost_rate"];
/// The issue's `posts.csv` header; a last column `extra_duties` may follow
/// (exports write it).
pub const POSTS: &[&str] = &[
    "code",
    "title",
    "tier",
    "grade",
    "fte",
    "holder_status",
    "reports_to",
    "portfolio",
    "services",
    "state",
];
pub const POSTS_WITH_DUTIES: &[&str] = &[
    "code",
    "title",
    "tier",
    "grade",
    "fte",
    "holder_status",
    "reports_to",
    "portfolio",
    "services",
    "state",
    "extra_duties",
];
pub const ADJUSTMENTS: &[&str] = &["state", "description", "grade", "fte"];

/// What the organisation files may refer to.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Grades held (import `grades.csv` first).
    pub grades: BTreeSet<Code>,
    /// Framework services.
    pub services: BTreeSet<Code>,
}

fn report(r: &mut Row<'_>, p: Vec<(String, String)>) -> bool {
    let ok = p.is_empty();
    for (field, msg) in p {
        r.error(&field, msg);
    }
    ok
}

/// An on-cost rate: a fraction (`0.3`) or a percentage (`30%`).
pub fn parse_rate(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let (num, pct) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let d = Decimal::from_str(num)
        .ok()
        .filter(|_| !num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("'{t}' is not a rate (write 0.3 or 30%)"))?;
    let d = if pct { d / Decimal::ONE_HUNDRED } else { d };
    if d > Decimal::ONE {
        return Err(format!("'{t}' is more than 100%"));
    }
    Ok(d.normalize())
}

fn known_grade(r: &mut Row<'_>, col: &str, known: &Known) -> Option<Code> {
    let g = r.code(col)?;
    if !known.grades.contains(&g) {
        r.error(
            col,
            format!("unknown grade '{g}' (import grades.csv first)"),
        );
        return None;
    }
    Some(g)
}

/// Reads and validates `grades.csv`: codes unique; a title; minimum and
/// maximum annual salary in pounds (the maximum not below the minimum); an
/// on-cost rate (optional: `0.3` or `30%`; blank uses the council's).
pub fn read_grades(source: &Source) -> Result<Vec<Grade>, Vec<ImportError>> {
    let t = required_table(source, "grades")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), GRADES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let min = r.money("min_salary");
        let max = r.money("max_salary");
        let raw = r.optional("on_cost_rate");
        let rate = if raw.is_empty() {
            Some(None)
        } else {
            match parse_rate(&raw) {
                Ok(d) => Some(Some(d)),
                Err(e) => {
                    r.error("on_cost_rate", e);
                    None
                }
            }
        };
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        let (Some(code), Some(title), Some(min), Some(max), Some(rate)) =
            (code, title, min, max, rate)
        else {
            return;
        };
        let g = Grade {
            code,
            title,
            min_salary_pence: min,
            max_salary_pence: max,
            on_cost_rate: rate,
        };
        if report(r, grade_problems(&g)) {
            out.push(g);
        }
    });
    done(errors, out)
}

/// Reads and validates `posts.csv`: each row a post of a structure state
/// (`current`, `immediate`, `transition`, `future`), its code unique within
/// the state; a title; a tier 1–9; a held grade; an FTE above 0 (at most 2
/// decimal places); a holder status (permanent, interim, acting, secondment,
/// vacant); reports-to (optional) the code of a post of the same state in the
/// file, with no cycle; a portfolio (free text, optional); the services it
/// manages (`;`-separated known codes); optionally a last column
/// `extra_duties`. Every state in the file is given whole.
pub fn read_posts(source: &Source, known: &Known) -> Result<Vec<Post>, Vec<ImportError>> {
    let t = required_table(source, "posts")?;
    let headers = if t.headers.last().map(|h| h.trim()) == Some("extra_duties") {
        POSTS_WITH_DUTIES
    } else {
        POSTS
    };
    let file = t.name.clone();
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    let mut rows: BTreeMap<(StateKind, Code), usize> = BTreeMap::new();
    each_row(&Some(t), headers, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let tier = r.parsed::<u8>("tier");
        let grade = known_grade(r, "grade", known);
        let fte = r
            .required("fte")
            .and_then(|v| Fte::parse(&v).map_err(|e| r.error("fte", e.0)).ok());
        let status = r.parsed("holder_status");
        let raw = r.optional("reports_to");
        let reports_to = if raw.is_empty() {
            Some(None)
        } else {
            Code::parse(&raw)
                .map(Some)
                .map_err(|e| r.error("reports_to", e.0))
                .ok()
        };
        let services = r.codes("services");
        for s in services.iter().flatten() {
            if !known.services.contains(s) {
                r.error("services", format!("unknown service code '{s}'"));
            }
        }
        let state = r.parsed::<StateKind>("state");
        if let (Some(s), Some(c)) = (&state, &code)
            && r.duplicate(
                &mut seen,
                "code",
                (*s, c.clone()),
                &format!("post '{c}' of the {s} state"),
            )
        {
            return;
        }
        let (
            Some(code),
            Some(title),
            Some(tier),
            Some(grade),
            Some(fte),
            Some(holder_status),
            Some(reports_to),
            Some(services),
            Some(state),
        ) = (
            code, title, tier, grade, fte, status, reports_to, services, state,
        )
        else {
            return;
        };
        if services.iter().any(|s| !known.services.contains(s)) {
            return;
        }
        let p = Post {
            state,
            code,
            title,
            tier,
            grade,
            fte,
            holder_status,
            reports_to,
            portfolio: r.optional("portfolio"),
            services,
            extra_duties: r.optional("extra_duties"),
        };
        if report(r, post_problems(&p)) {
            rows.insert((p.state, p.code.clone()), r.number);
            out.push(p);
        }
    });
    // Reports-to names a post of the same state, without cycles.
    if errors.is_empty() {
        for s in StateKind::ALL {
            let of_state: Vec<&Post> = out.iter().filter(|p| p.state == *s).collect();
            for (code, msg) in structure_problems(&of_state) {
                let row = rows.get(&(*s, code)).copied().unwrap_or(1);
                errors.push(ImportError::at(&file, row, "reports_to", msg));
            }
        }
    }
    done(errors, out)
}

/// Reads and validates `adjustments.csv`: a state, a description, a held
/// grade and a signed FTE (not 0, at most 2 decimal places; −0.5 is a
/// saving of half a post). Every state in the file has its adjustments
/// replaced by the file's.
pub fn read_adjustments(
    source: &Source,
    known: &Known,
) -> Result<Vec<Adjustment>, Vec<ImportError>> {
    let t = required_table(source, "adjustments")?;
    let (mut errors, mut out) = (Vec::new(), Vec::new());
    each_row(&Some(t), ADJUSTMENTS, &mut errors, |r| {
        let state = r.parsed::<StateKind>("state");
        let description = r.required("description");
        let grade = known_grade(r, "grade", known);
        let fte = r.decimal("fte", true).flatten();
        let (Some(state), Some(description), Some(grade), Some(fte)) =
            (state, description, grade, fte)
        else {
            return;
        };
        let a = Adjustment {
            state,
            description,
            grade,
            fte,
        };
        if report(r, adjustment_problems(&a)) {
            out.push(a);
        }
    });
    done(errors, out)
}

fn rate_text(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

/// Grades as `grades.csv` rows.
pub fn grade_rows(v: &[Grade]) -> Vec<Vec<String>> {
    v.iter()
        .map(|g| {
            vec![
                g.code.to_string(),
                g.title.clone(),
                format_pounds_plain(g.min_salary_pence),
                format_pounds_plain(g.max_salary_pence),
                rate_text(g.on_cost_rate),
            ]
        })
        .collect()
}

/// Posts as `posts.csv` rows (with `extra_duties`).
pub fn post_rows(v: &[Post]) -> Vec<Vec<String>> {
    v.iter()
        .map(|p| {
            vec![
                p.code.to_string(),
                p.title.clone(),
                p.tier.to_string(),
                p.grade.to_string(),
                p.fte.to_string(),
                p.holder_status.to_string(),
                p.reports_to
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                p.portfolio.clone(),
                p.services
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                p.state.to_string(),
                p.extra_duties.clone(),
            ]
        })
        .collect()
}

/// Adjustments as `adjustments.csv` rows.
pub fn adjustment_rows(v: &[Adjustment]) -> Vec<Vec<String>> {
    v.iter()
        .map(|a| {
            vec![
                a.state.to_string(),
                a.description.clone(),
                a.grade.to_string(),
                a.fte.normalize().to_string(),
            ]
        })
        .collect()
}

/// The comparison workbook's sheets.
pub const SUMMARY: &str = "Summary";
pub const POST_SHEET: &str = "Posts";
pub const ADJUSTMENT_SHEET: &str = "Adjustments";
pub const CHANGES: &str = "Changes";
/// The defined name of the council's on-cost rate (Summary!B4).
pub const ON_COST_RATE: &str = "OnCostRate";

/// A figure of a state's summary.
type Figure = fn(&goldthread_domain::org::StateSummary) -> i64;

const POUNDS: &str = "\"£\"#,##0.00";

fn result(d: Decimal) -> String {
    d.to_f64().map(|f| f.to_string()).unwrap_or_default()
}

fn pounds(pence: i64) -> f64 {
    pence as f64 / 100.0
}

fn pounds_dec(pence: Decimal) -> Decimal {
    pence / Decimal::ONE_HUNDRED
}

/// Two structure states compared as an XLSX workbook. "Posts" has a row per
/// post of either state with its salary range, FTE and on-cost rate, and its
/// cost at minimum and maximum as formulas (`FTE × salary × (1 + rate)`);
/// "Adjustments" the same for each state's adjustments; "Summary" totals
/// each state with `SUMIFS` over those sheets, rounded to the penny, and the
/// saving of the second against the first; "Changes" lists each post kept,
/// changed, added or deleted. Every formula carries goldthread's own result.
pub fn comparison_xlsx(
    c: &Comparison,
    posts: &[&Post],
    adjustments: &[&Adjustment],
    grades: &[Grade],
    default_rate: Decimal,
    council: &str,
) -> Result<Vec<u8>, ExportError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let money = Format::new().set_num_format(POUNDS);
    let money_bold = Format::new().set_num_format(POUNDS).set_bold();
    let rate_fmt = Format::new().set_num_format("0.00%");
    let wrap = Format::new().set_text_wrap();
    let grade = |code: &Code| grades.iter().find(|g| &g.code == code);
    let mut wb = Workbook::new();
    wb.define_name(ON_COST_RATE, &format!("={SUMMARY}!$B$4"))?;
    let (from, to) = (c.from.state.as_str(), c.to.state.as_str());

    // Summary.
    let ws = wb.add_worksheet();
    ws.set_name(SUMMARY)?;
    ws.set_column_width(0, 44)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 18)?;
    ws.write_with_format(
        0,
        0,
        format!(
            "{council}: {} compared with {}",
            c.to.state.display_name(),
            c.from.state.display_name().to_lowercase()
        ),
        &title,
    )?;
    ws.write(
        1,
        0,
        "Costs are salary × FTE × (1 + on-cost rate), at grade minimum and maximum, plus adjustments; totals rounded to the penny.",
    )?;
    ws.write_with_format(
        3,
        0,
        "Council on-cost rate (grades without their own)",
        &bold,
    )?;
    ws.write_number_with_format(3, 1, default_rate.to_f64().unwrap_or(0.0), &rate_fmt)?;
    ws.write_with_format(5, 0, "Figure", &bold)?;
    ws.write_with_format(5, 1, format!("{from} (£)"), &bold)?;
    ws.write_with_format(5, 2, format!("{to} (£)"), &bold)?;
    let n_posts = posts.len() as u32 + 1;
    let n_adj = adjustments.len().max(1) as u32 + 1;
    let sumifs = |sheet: &str, col: &str, last: u32, state: &str| {
        format!("SUMIFS({sheet}!${col}$2:${col}${last},{sheet}!$A$2:$A${last},\"{state}\")")
    };
    let lines: [(&str, &str, &str, Figure); 6] = [
        ("Posts at grade minimum", POST_SHEET, "J", |s| {
            s.cost_min_pence
        }),
        ("Posts at grade maximum", POST_SHEET, "K", |s| {
            s.cost_max_pence
        }),
        ("Adjustments at grade minimum", ADJUSTMENT_SHEET, "H", |s| {
            s.adjustments_min_pence
        }),
        ("Adjustments at grade maximum", ADJUSTMENT_SHEET, "I", |s| {
            s.adjustments_max_pence
        }),
        ("Cost at minimum (posts + adjustments)", "", "min", |s| {
            s.cost_after_adjustments_min_pence
        }),
        ("Cost at maximum (posts + adjustments)", "", "max", |s| {
            s.cost_after_adjustments_max_pence
        }),
    ];
    for (i, (label, sheet, col, value)) in lines.iter().enumerate() {
        let row = 6 + i as u32;
        ws.write(row, 0, *label)?;
        for (k, (state, s)) in [(from, &c.from), (to, &c.to)].into_iter().enumerate() {
            let colx = 1 + k as u16;
            let letter = if k == 0 { "B" } else { "C" };
            let f = match *col {
                "min" => format!("=ROUND({letter}7+{letter}9,2)"),
                "max" => format!("=ROUND({letter}8+{letter}10,2)"),
                _ => {
                    let last = if *sheet == POST_SHEET { n_posts } else { n_adj };
                    format!("=ROUND({},2)", sumifs(sheet, col, last, state))
                }
            };
            let fmt = if i >= 4 { &money_bold } else { &money };
            ws.write_formula_with_format(
                row,
                colx,
                Formula::new(f).set_result(pounds(value(s)).to_string()),
                fmt,
            )?;
        }
    }
    ws.write(
        13,
        0,
        match c.from_basis {
            CurrentBasis::Actual => {
                format!("Cost of {from} the saving is measured from (actual cost entered)")
            }
            CurrentBasis::GradeMaximum => {
                format!("Cost of {from} the saving is measured from (at grade maximum)")
            }
        },
    )?;
    let basis = match c.from_basis {
        CurrentBasis::Actual => Formula::new(format!("={}", pounds(c.from_cost_pence))),
        CurrentBasis::GradeMaximum => Formula::new("=B12"),
    };
    ws.write_formula_with_format(
        13,
        1,
        basis.set_result(pounds(c.from_cost_pence).to_string()),
        &money_bold,
    )?;
    ws.write(
        14,
        0,
        format!("Saving, minimum ({from} less {to} at maximum)"),
    )?;
    ws.write_formula_with_format(
        14,
        2,
        Formula::new("=B14-C12").set_result(pounds(c.saving_min_pence).to_string()),
        &money_bold,
    )?;
    ws.write(
        15,
        0,
        format!("Saving, maximum ({from} less {to} at minimum)"),
    )?;
    ws.write_formula_with_format(
        15,
        2,
        Formula::new("=B14-C11").set_result(pounds(c.saving_max_pence).to_string()),
        &money_bold,
    )?;
    ws.write_with_format(17, 0, "Posts", &bold)?;
    ws.write_with_format(17, 1, from, &bold)?;
    ws.write_with_format(17, 2, to, &bold)?;
    for (i, (label, a, b)) in [
        ("Posts", c.from.posts as f64, c.to.posts as f64),
        (
            "FTE",
            c.from.fte.value().to_f64().unwrap_or(0.0),
            c.to.fte.value().to_f64().unwrap_or(0.0),
        ),
        ("Layers", c.from.layers as f64, c.to.layers as f64),
        ("Vacancies", c.from.vacancies as f64, c.to.vacancies as f64),
    ]
    .into_iter()
    .enumerate()
    {
        let row = 18 + i as u32;
        ws.write(row, 0, label)?;
        ws.write_number(row, 1, a)?;
        ws.write_number(row, 2, b)?;
    }
    ws.write_with_format(23, 0, "Changes post by post", &bold)?;
    for (i, k) in ChangeKind::ALL.iter().enumerate() {
        ws.write(24 + i as u32, 0, k.as_str())?;
        ws.write_number(
            24 + i as u32,
            1,
            c.counts.get(k).copied().unwrap_or(0) as f64,
        )?;
    }

    // Posts.
    let ws = wb.add_worksheet();
    ws.set_name(POST_SHEET)?;
    for (i, h) in [
        "State",
        "Code",
        "Title",
        "Tier",
        "Grade",
        "FTE",
        "Minimum salary (£)",
        "Maximum salary (£)",
        "On-cost rate",
        "Cost at minimum (£)",
        "Cost at maximum (£)",
    ]
    .iter()
    .enumerate()
    {
        ws.write_with_format(0, i as u16, *h, &bold)?;
    }
    ws.set_column_width(2, 48)?;
    for (i, p) in posts.iter().enumerate() {
        let row = 1 + i as u32;
        let r = row + 1;
        ws.write(row, 0, p.state.as_str())?;
        ws.write(row, 1, p.code.as_str())?;
        ws.write(row, 2, p.title.as_str())?;
        ws.write_number(row, 3, f64::from(p.tier))?;
        ws.write(row, 4, p.grade.as_str())?;
        ws.write_number(row, 5, p.fte.value().to_f64().unwrap_or(0.0))?;
        let Some(g) = grade(&p.grade) else { continue };
        ws.write_number_with_format(row, 6, pounds(g.min_salary_pence), &money)?;
        ws.write_number_with_format(row, 7, pounds(g.max_salary_pence), &money)?;
        match g.on_cost_rate {
            Some(rate) => {
                ws.write_number_with_format(row, 8, rate.to_f64().unwrap_or(0.0), &rate_fmt)?
            }
            None => ws.write_formula_with_format(
                row,
                8,
                Formula::new(format!("={ON_COST_RATE}")).set_result(result(default_rate)),
                &rate_fmt,
            )?,
        };
        let factor = p.fte.value() * (Decimal::ONE + rate_of(g, default_rate));
        for (col, sal, salary) in [
            (9u16, "G", g.min_salary_pence),
            (10, "H", g.max_salary_pence),
        ] {
            ws.write_formula_with_format(
                row,
                col,
                Formula::new(format!("=F{r}*{sal}{r}*(1+I{r})"))
                    .set_result(result(pounds_dec(Decimal::from(salary) * factor))),
                &money,
            )?;
        }
    }

    // Adjustments.
    let ws = wb.add_worksheet();
    ws.set_name(ADJUSTMENT_SHEET)?;
    for (i, h) in [
        "State",
        "Description",
        "Grade",
        "FTE (signed)",
        "Minimum salary (£)",
        "Maximum salary (£)",
        "On-cost rate",
        "Cost at minimum (£)",
        "Cost at maximum (£)",
    ]
    .iter()
    .enumerate()
    {
        ws.write_with_format(0, i as u16, *h, &bold)?;
    }
    ws.set_column_width(1, 40)?;
    for (i, a) in adjustments.iter().enumerate() {
        let row = 1 + i as u32;
        let r = row + 1;
        ws.write(row, 0, a.state.as_str())?;
        ws.write(row, 1, a.description.as_str())?;
        ws.write(row, 2, a.grade.as_str())?;
        ws.write_number(row, 3, a.fte.to_f64().unwrap_or(0.0))?;
        let Some(g) = grade(&a.grade) else { continue };
        ws.write_number_with_format(row, 4, pounds(g.min_salary_pence), &money)?;
        ws.write_number_with_format(row, 5, pounds(g.max_salary_pence), &money)?;
        match g.on_cost_rate {
            Some(rate) => {
                ws.write_number_with_format(row, 6, rate.to_f64().unwrap_or(0.0), &rate_fmt)?
            }
            None => ws.write_formula_with_format(
                row,
                6,
                Formula::new(format!("={ON_COST_RATE}")).set_result(result(default_rate)),
                &rate_fmt,
            )?,
        };
        let factor = a.fte * (Decimal::ONE + rate_of(g, default_rate));
        for (col, sal, salary) in [
            (7u16, "E", g.min_salary_pence),
            (8, "F", g.max_salary_pence),
        ] {
            ws.write_formula_with_format(
                row,
                col,
                Formula::new(format!("=D{r}*{sal}{r}*(1+G{r})"))
                    .set_result(result(pounds_dec(Decimal::from(salary) * factor))),
                &money,
            )?;
        }
    }

    // Changes.
    let ws = wb.add_worksheet();
    ws.set_name(CHANGES)?;
    for (i, h) in ["Code", "Change", "Before", "After", "What changed"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(0, i as u16, *h, &bold)?;
    }
    ws.set_column_width(2, 48)?;
    ws.set_column_width(3, 48)?;
    ws.set_column_width(4, 30)?;
    let describe = |p: &Option<Post>| {
        p.as_ref()
            .map(|p| format!("{} ({}, {} FTE, tier {})", p.title, p.grade, p.fte, p.tier))
            .unwrap_or_default()
    };
    for (i, ch) in c.changes.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write(row, 0, ch.code.as_str())?;
        ws.write(row, 1, ch.change.as_str())?;
        ws.write_with_format(row, 2, describe(&ch.from), &wrap)?;
        ws.write_with_format(row, 3, describe(&ch.to), &wrap)?;
        ws.write(row, 4, ch.fields.join(", "))?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(name: &str, body: &str) -> Source {
        Source::Csv(BTreeMap::from([(
            format!("{name}.csv"),
            body.as_bytes().to_vec(),
        )]))
    }

    fn known() -> Known {
        Known {
            grades: ["CE", "SM"]
                .iter()
                .map(|c| Code::parse(c).unwrap())
                .collect(),
            services: ["S1"].iter().map(|c| Code::parse(c).unwrap()).collect(),
        }
    }

    fn errors<T: std::fmt::Debug>(r: Result<T, Vec<ImportError>>) -> Vec<String> {
        r.unwrap_err().iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("0.3").unwrap(), Decimal::new(3, 1));
        assert_eq!(parse_rate("30%").unwrap(), Decimal::new(3, 1));
        assert_eq!(parse_rate("28.5 %").unwrap(), Decimal::new(285, 3));
        for bad in ["x", "-0.1", "150%", "", "1e2"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grades_read_and_refused() {
        let g = read_grades(&csv(
            "grades",
            "code,title,min_salary,max_salary,on_cost_rate\nCE,Chief Executive,128000,132000,\nSM,Senior Manager,\"71,500\",74088.50,28%\n",
        ))
        .unwrap();
        assert_eq!(g[1].max_salary_pence, 7_408_850);
        assert_eq!(g[1].on_cost_rate, Some(Decimal::new(28, 2)));
        assert_eq!(g[0].on_cost_rate, None);
        let e = errors(read_grades(&csv(
            "grades",
            "code,title,min_salary,max_salary,on_cost_rate\nA,,x,1,\nB,B,10,5,2\nB,B,1,2,\n",
        )));
        assert_eq!(
            e,
            vec![
                "grades.csv:2:title: is required",
                "grades.csv:2:min_salary: 'x' is not an amount in pounds",
                "grades.csv:3:on_cost_rate: '2' is more than 100%",
                "grades.csv:4:code: 'B' is a duplicate of row 3",
            ]
        );
    }

    const HEAD: &str =
        "code,title,tier,grade,fte,holder_status,reports_to,portfolio,services,state\n";

    #[test]
    fn posts_read_with_or_without_extra_duties() {
        let p = read_posts(
            &csv(
                "posts",
                &format!(
                    "{HEAD}CE,Chief Executive,1,CE,1,permanent,,,,current\nA,Senior Manager,4,SM,0.5,vacant,CE,Place,S1,current\nA,Senior Manager,4,SM,1,interim,,,,immediate\n"
                ),
            ),
            &known(),
        )
        .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].fte.to_string(), "0.5");
        assert_eq!(p[1].services[0].as_str(), "S1");
        let p = read_posts(
            &csv(
                "posts",
                &format!(
                    "{},extra_duties\nD,Director,2,CE,1,permanent,,,,immediate,Depute Chief Executive\n",
                    HEAD.trim_end()
                ),
            ),
            &known(),
        )
        .unwrap();
        assert_eq!(p[0].extra_duties, "Depute Chief Executive");
    }

    #[test]
    fn posts_errors_of_every_kind() {
        let e = errors(read_posts(
            &csv(
                "posts",
                &format!(
                    "{HEAD}A,,0,XX,0,gone,,,S9,later\nB,B,2,SM,1.234,permanent,B,,,current\nC,C,2,SM,1,permanent,,,,current\nC,C,2,SM,1,permanent,,,,current\n"
                ),
            ),
            &known(),
        ));
        assert_eq!(
            e,
            vec![
                "posts.csv:2:title: is required",
                "posts.csv:2:grade: unknown grade 'XX' (import grades.csv first)",
                "posts.csv:2:holder_status: unknown holder status 'gone' (expected one of: permanent, interim, acting, secondment, vacant)",
                "posts.csv:2:services: unknown service code 'S9'",
                "posts.csv:2:state: unknown structure state 'later' (expected one of: current, immediate, transition, future)",
                "posts.csv:3:fte: FTE has at most 2 decimal places ('1.234')",
                "posts.csv:5:code: post 'C' of the current state is a duplicate of row 4",
            ]
        );
        // Reports-to: a missing post and a cycle, found once every row is valid.
        let e = errors(read_posts(
            &csv(
                "posts",
                &format!(
                    "{HEAD}A,A,1,CE,1,permanent,C,,,current\nB,B,2,SM,1,permanent,A,,,current\nC,C,2,SM,1,permanent,B,,,current\nD,D,2,SM,1,permanent,Z,,,current\nZ,Z,1,CE,1,permanent,,,,immediate\n"
                ),
            ),
            &known(),
        ));
        assert_eq!(
            e,
            vec![
                "posts.csv:5:reports_to: reports to 'Z', which is not a post of the current state",
                "posts.csv:2:reports_to: reports-to goes round in a cycle: A → C → B → A",
            ]
        );
        let e = errors(read_posts(&csv("posts", "code,title\n"), &known()));
        assert!(e[0].starts_with("posts.csv:1:tier: the headers must be exactly"));
    }

    #[test]
    fn adjustments_read_and_refused() {
        let a = read_adjustments(
            &csv(
                "adjustments",
                "state,description,grade,fte\nimmediate,−0.5 FTE at Team Leader,SM,-0.5\n",
            ),
            &known(),
        )
        .unwrap();
        assert_eq!(a[0].fte, Decimal::new(-5, 1));
        let e = errors(read_adjustments(
            &csv(
                "adjustments",
                "state,description,grade,fte\nsoon,,ZZ,0\ncurrent,x,SM,0.125\ncurrent,x,SM,0\n",
            ),
            &known(),
        ));
        assert_eq!(
            e,
            vec![
                "adjustments.csv:2:state: unknown structure state 'soon' (expected one of: current, immediate, transition, future)",
                "adjustments.csv:2:description: is required",
                "adjustments.csv:2:grade: unknown grade 'ZZ' (import grades.csv first)",
                "adjustments.csv:3:fte: has at most 2 decimal places",
                "adjustments.csv:4:fte: an adjustment is not 0 FTE",
            ]
        );
    }
}
