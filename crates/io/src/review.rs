//! A service review's options appraisal (DOMAIN §4, step 3) as an XLSX workbook a
//! finance officer can check in Excel. The figures are live formulas over the
//! costs, the discount rate (the cell named `DiscountRate`), the criteria's
//! weights and the scores, so changing an input recalculates them; each formula
//! also carries goldthread's own result (from `review::appraise`), so a viewer
//! that does not recalculate shows the same numbers as goldthread does.
//!
//! Sheets: "Appraisal" (parameters, a summary row per option, and each option's
//! costs by year with the discount factors), "Criteria" (names and weights),
//! "Scores" (each option's score and comment per criterion) and "Explanation"
//! (every formula in words).
use crate::framework::ExportError;
use goldthread_domain::review::{OptionFigures, Review, appraise};
use rust_decimal::prelude::*;
use rust_xlsxwriter::utility::{column_number_to_name, row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

/// The sheets, in order.
pub const APPRAISAL: &str = "Appraisal";
pub const CRITERIA: &str = "Criteria";
pub const SCORES: &str = "Scores";
pub const EXPLANATION: &str = "Explanation";

/// The defined name of the discount rate cell (a fraction, e.g. 0.035).
pub const DISCOUNT_RATE: &str = "DiscountRate";
/// The defined name of the criteria's weights (a column on "Criteria").
pub const WEIGHTS: &str = "Weights";

/// The discount rate's cell on "Appraisal" (row, column; 0-based): B6.
pub const RATE_CELL: (u32, u16) = (5, 1);
/// The summary table's header row on "Appraisal" (0-based); options follow it.
pub const SUMMARY_HEADER_ROW: u32 = 11;

/// The summary table's columns on "Appraisal".
pub mod col {
    pub const OPTION: u16 = 0;
    pub const TITLE: u16 = 1;
    pub const MODEL: u16 = 2;
    pub const STATUS_QUO: u16 = 3;
    pub const PREFERRED: u16 = 4;
    pub const NPC: u16 = 5;
    pub const SAVING: u16 = 6;
    pub const SCORE: u16 = 7;
    pub const RISK: u16 = 8;
    pub const FAILS: u16 = 9;
    pub const RANK: u16 = 10;
}

const SUMMARY_HEADERS: [&str; 11] = [
    "Option",
    "Title",
    "Delivery model",
    "Status quo",
    "Preferred",
    "Net present cost (£)",
    "Saving vs status quo (£)",
    "Weighted score (0–100)",
    "Risk score (1–25)",
    "Fails a statutory duty",
    "Rank",
];

/// The first column of the years in the cost blocks (B).
const FIRST_YEAR_COL: u16 = 1;

/// What the weighted score formula shows when there is no score.
const NO_WEIGHTS: &str = "no weights";
const NOT_SCORED: &str = "not fully scored";

const POUNDS: &str = "\"£\"#,##0.00";

/// A cached formula result: the number as Excel would write it.
fn result(d: Decimal) -> String {
    d.to_f64().map(|f| f.to_string()).unwrap_or_default()
}

fn pounds(pence: Decimal) -> Decimal {
    pence / Decimal::ONE_HUNDRED
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

struct Styles {
    bold: Format,
    title: Format,
    money: Format,
    money_bold: Format,
    rate: Format,
    factor: Format,
    score: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            money: Format::new().set_num_format(POUNDS),
            money_bold: Format::new().set_num_format(POUNDS).set_bold(),
            rate: Format::new().set_num_format("0.00%"),
            factor: Format::new().set_num_format("0.000000"),
            score: Format::new().set_num_format("0.00"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// The review's options appraisal as an XLSX workbook (see the module's notes).
pub fn appraisal_xlsx(review: &Review) -> Result<Vec<u8>, ExportError> {
    let a = &review.appraisal;
    let figures = appraise(&a.options, &a.criteria, a.discount_rate);
    let st = Styles::new();
    let mut wb = Workbook::new();

    let rate = row_col_to_cell_absolute(RATE_CELL.0, RATE_CELL.1);
    wb.define_name(DISCOUNT_RATE, &format!("={APPRAISAL}!{rate}"))?;
    let n_criteria = a.criteria.len() as u32;
    if n_criteria > 0 {
        wb.define_name(WEIGHTS, &format!("={CRITERIA}!$B$2:$B${}", n_criteria + 1))?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(APPRAISAL)?;
    write_appraisal(ws, review, &figures, &st)?;

    let ws = wb.add_worksheet();
    ws.set_name(CRITERIA)?;
    write_criteria(ws, review, &st)?;

    let ws = wb.add_worksheet();
    ws.set_name(SCORES)?;
    write_scores(ws, review, &st)?;

    let ws = wb.add_worksheet();
    ws.set_name(EXPLANATION)?;
    write_explanation(ws, review, &st)?;

    Ok(wb.save_to_buffer()?)
}

/// A cell reference with its row fixed, e.g. `B$20` (0-based row and column).
fn fixed_row(row: u32, col: u16) -> String {
    format!("{}${}", column_number_to_name(col), row + 1)
}

/// The "Scores" column holding option `i`'s scores (its comments are the next).
fn score_col(i: usize) -> u16 {
    1 + 2 * i as u16
}

fn write_appraisal(
    ws: &mut Worksheet,
    review: &Review,
    figures: &[OptionFigures],
    st: &Styles,
) -> Result<(), ExportError> {
    let a = &review.appraisal;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 30)?;
    for c in 2..=col::RANK {
        ws.set_column_width(c, 16)?;
    }
    ws.write_string_with_format(0, 0, "Options appraisal", &st.title)?;
    let preferred = a
        .preferred
        .as_ref()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let params: [(&str, String); 4] = [
        ("Review", review.code.to_string()),
        ("Title", review.title.clone()),
        ("Service", review.service.to_string()),
        ("State", review.state.to_string()),
    ];
    for (i, (label, value)) in params.iter().enumerate() {
        ws.write_string_with_format(1 + i as u32, 0, *label, &st.bold)?;
        ws.write_string(1 + i as u32, 1, value)?;
    }
    ws.write_string_with_format(RATE_CELL.0, 0, "Discount rate", &st.bold)?;
    ws.write_number_with_format(
        RATE_CELL.0,
        RATE_CELL.1,
        a.discount_rate.to_f64().unwrap_or_default(),
        &st.rate,
    )?;
    ws.write_string(
        RATE_CELL.0,
        2,
        format!(
            "(the cell named {DISCOUNT_RATE}: a fraction, {})",
            a.discount_rate.normalize()
        ),
    )?;
    ws.write_string_with_format(6, 0, "Appraisal years", &st.bold)?;
    ws.write_number(6, 1, a.years)?;
    ws.write_string_with_format(7, 0, "Preferred option", &st.bold)?;
    ws.write_string(7, 1, &preferred)?;
    ws.write_string_with_format(8, 0, "Rationale", &st.bold)?;
    ws.write_string(8, 1, &a.rationale)?;

    // Where the cost blocks go: after the summary, a gap and their heading.
    let n = a.options.len() as u32;
    let years = a
        .options
        .iter()
        .map(|o| o.years.len())
        .max()
        .unwrap_or(0)
        .max(usize::from(a.years))
        .max(1) as u16;
    let last_year_col = FIRST_YEAR_COL + years - 1;
    let costs_heading = SUMMARY_HEADER_ROW + n + 2;
    let year_row = costs_heading + 1;
    let factor_row = year_row + 1;
    let block_row = |i: usize| factor_row + 2 + 6 * i as u32;

    // Summary: one row per option.
    ws.write_string_with_format(SUMMARY_HEADER_ROW - 1, 0, "Summary", &st.bold)?;
    for (c, h) in SUMMARY_HEADERS.iter().enumerate() {
        ws.write_string_with_format(SUMMARY_HEADER_ROW, c as u16, *h, &st.bold)?;
    }
    let quo = a.options.iter().position(|o| o.status_quo);
    let npc_cell = |i: usize| row_col_to_cell(SUMMARY_HEADER_ROW + 1 + i as u32, col::NPC);
    let first_year = column_number_to_name(FIRST_YEAR_COL);
    let last_year = column_number_to_name(last_year_col);
    let factors = format!("${first_year}${r}:${last_year}${r}", r = factor_row + 1);
    let n_criteria = a.criteria.len();
    let total_weight: Decimal = a.criteria.iter().map(|c| c.weight).sum();
    for (i, (o, f)) in a.options.iter().zip(figures).enumerate() {
        let row = SUMMARY_HEADER_ROW + 1 + i as u32;
        ws.write_string(row, col::OPTION, o.code.to_string())?;
        ws.write_string(row, col::TITLE, &o.title)?;
        let model = if o.regional {
            format!("{} (regional)", o.delivery_model)
        } else {
            o.delivery_model.to_string()
        };
        ws.write_string(row, col::MODEL, model)?;
        ws.write_string(row, col::STATUS_QUO, yes_no(o.status_quo))?;
        ws.write_string(
            row,
            col::PREFERRED,
            yes_no(a.preferred.as_ref() == Some(&o.code)),
        )?;
        // The option's Total row, numbered from 1 as Excel does.
        let total_row = block_row(i) + 3 + 1;
        ws.write_formula_with_format(
            row,
            col::NPC,
            Formula::new(format!(
                "=SUMPRODUCT({first_year}{total_row}:{last_year}{total_row},{factors})"
            ))
            .set_result(result(pounds(f.npc))),
            &st.money,
        )?;
        match (quo, f.saving) {
            (Some(q), Some(saving)) => {
                let q = row_col_to_cell_absolute(SUMMARY_HEADER_ROW + 1 + q as u32, col::NPC);
                ws.write_formula_with_format(
                    row,
                    col::SAVING,
                    Formula::new(format!("={q}-{}", npc_cell(i)))
                        .set_result(result(pounds(saving))),
                    &st.money,
                )?;
            }
            _ => {
                ws.write_string(row, col::SAVING, "no status quo")?;
            }
        }
        if n_criteria == 0 {
            ws.write_string(row, col::SCORE, "no criteria")?;
        } else {
            let c = column_number_to_name(score_col(i));
            let scores = format!("{SCORES}!{c}$2:{c}${}", n_criteria + 1);
            ws.write_formula_with_format(
                row,
                col::SCORE,
                Formula::new(format!(
                    "=IF(SUM({WEIGHTS})<=0,\"{NO_WEIGHTS}\",\
                     IF(COUNT({scores})<ROWS({WEIGHTS}),\"{NOT_SCORED}\",\
                     100*SUMPRODUCT({WEIGHTS},{scores})/(5*SUM({WEIGHTS}))))"
                ))
                .set_result(match f.weighted_score {
                    Some(v) => result(v),
                    None if total_weight <= Decimal::ZERO => NO_WEIGHTS.into(),
                    None => NOT_SCORED.into(),
                }),
                &st.score,
            )?;
        }
        ws.write_number(row, col::RISK, o.risk_score)?;
        ws.write_string(row, col::FAILS, yes_no(f.fails_statutory))?;
        match f.rank {
            Some(r) => ws.write_number(row, col::RANK, r as f64)?,
            None if f.fails_statutory => ws.write_string(row, col::RANK, "not ranked")?,
            None => ws.write_string(row, col::RANK, "not ranked (not fully scored)")?,
        };
    }

    // The years and their discount factors, shared by every option.
    ws.write_string_with_format(costs_heading, 0, "Costs by year (£)", &st.bold)?;
    ws.write_string_with_format(year_row, 0, "Year (0 = first, undiscounted)", &st.bold)?;
    ws.write_string_with_format(factor_row, 0, "Discount factor", &st.bold)?;
    let one_plus = Decimal::ONE + a.discount_rate;
    let mut discount = Decimal::ONE;
    let mut discounts = Vec::new();
    for y in 0..years {
        let c = FIRST_YEAR_COL + y;
        ws.write_number_with_format(year_row, c, f64::from(y), &st.bold)?;
        let year = fixed_row(year_row, c);
        ws.write_formula_with_format(
            factor_row,
            c,
            Formula::new(format!("=1/(1+{DISCOUNT_RATE})^{year}"))
                .set_result(result(Decimal::ONE / discount)),
            &st.factor,
        )?;
        discounts.push(discount);
        discount *= one_plus;
    }

    // Each option's costs: one-off, recurring, their total, and discounted.
    for (i, o) in a.options.iter().enumerate() {
        let top = block_row(i);
        let mut heading = format!("{}: {}", o.code, o.title);
        if o.status_quo {
            heading.push_str(" (status quo)");
        }
        ws.write_string_with_format(top, 0, heading, &st.bold)?;
        let mut about = vec![o.delivery_model.to_string()];
        if o.regional {
            about.push("regional".into());
        }
        if !o.partners.trim().is_empty() {
            about.push(format!("partners: {}", o.partners.trim()));
        }
        let failed: Vec<&str> = o
            .duties
            .iter()
            .filter(|d| !d.meets)
            .map(|d| d.duty.as_str())
            .collect();
        if !failed.is_empty() {
            about.push(format!("fails: {}", failed.join("; ")));
        }
        ws.write_string(top, 1, about.join(" · "))?;
        ws.write_string(top + 1, 0, "One-off (£)")?;
        ws.write_string(top + 2, 0, "Recurring (£)")?;
        ws.write_string_with_format(top + 3, 0, "Total (£)", &st.bold)?;
        ws.write_string(top + 4, 0, "Discounted (£)")?;
        for y in 0..years {
            let c = FIRST_YEAR_COL + y;
            let cost = o.years.get(usize::from(y)).copied().unwrap_or_default();
            if usize::from(y) < o.years.len() {
                ws.write_number_with_format(
                    top + 1,
                    c,
                    cost.one_off_pence as f64 / 100.0,
                    &st.money,
                )?;
                ws.write_number_with_format(
                    top + 2,
                    c,
                    cost.recurring_pence as f64 / 100.0,
                    &st.money,
                )?;
            }
            let total = Decimal::from(cost.one_off_pence + cost.recurring_pence);
            ws.write_formula_with_format(
                top + 3,
                c,
                Formula::new(format!(
                    "={}+{}",
                    row_col_to_cell(top + 1, c),
                    row_col_to_cell(top + 2, c)
                ))
                .set_result(result(pounds(total))),
                &st.money_bold,
            )?;
            let factor = fixed_row(factor_row, c);
            ws.write_formula_with_format(
                top + 4,
                c,
                Formula::new(format!("={}*{factor}", row_col_to_cell(top + 3, c)))
                    .set_result(result(pounds(total / discounts[usize::from(y)]))),
                &st.money,
            )?;
        }
    }
    Ok(())
}

fn write_criteria(ws: &mut Worksheet, review: &Review, st: &Styles) -> Result<(), ExportError> {
    let criteria = &review.appraisal.criteria;
    ws.set_column_width(0, 48)?;
    ws.set_column_width(1, 12)?;
    ws.write_string_with_format(0, 0, "Criterion", &st.bold)?;
    ws.write_string_with_format(0, 1, "Weight", &st.bold)?;
    for (i, c) in criteria.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &c.name)?;
        ws.write_number(row, 1, c.weight.to_f64().unwrap_or_default())?;
    }
    if !criteria.is_empty() {
        let row = criteria.len() as u32 + 2;
        let total: Decimal = criteria.iter().map(|c| c.weight).sum();
        ws.write_string_with_format(row, 0, "Total weight", &st.bold)?;
        ws.write_formula_with_format(
            row,
            1,
            Formula::new(format!("=SUM({WEIGHTS})")).set_result(result(total)),
            &st.bold,
        )?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_scores(ws: &mut Worksheet, review: &Review, st: &Styles) -> Result<(), ExportError> {
    let a = &review.appraisal;
    ws.set_column_width(0, 48)?;
    ws.write_string_with_format(0, 0, "Criterion", &st.bold)?;
    for (i, o) in a.options.iter().enumerate() {
        let c = score_col(i);
        ws.set_column_width(c, 12)?;
        ws.set_column_width(c + 1, 40)?;
        ws.write_string_with_format(0, c, format!("{} score (0–5)", o.code), &st.bold)?;
        ws.write_string_with_format(0, c + 1, format!("{} comment", o.code), &st.bold)?;
        for (r, criterion) in a.criteria.iter().enumerate() {
            let row = 1 + r as u32;
            if let Some(s) = o.scores.iter().find(|s| s.criterion == criterion.name) {
                ws.write_number(row, c, s.score)?;
                if !s.comment.is_empty() {
                    ws.write_string_with_format(row, c + 1, &s.comment, &st.wrap)?;
                }
            }
        }
    }
    for (r, criterion) in a.criteria.iter().enumerate() {
        ws.write_string(1 + r as u32, 0, &criterion.name)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

fn write_explanation(ws: &mut Worksheet, review: &Review, st: &Styles) -> Result<(), ExportError> {
    let a = &review.appraisal;
    let rate = RATE_CELL;
    let rate_cell = row_col_to_cell(rate.0, rate.1);
    let notes: Vec<(&str, String)> = vec![
        (
            "How this workbook calculates the appraisal",
            format!(
                "The figures on the {APPRAISAL} sheet are formulas over the costs, the discount \
                 rate, the weights ({CRITERIA} sheet) and the scores ({SCORES} sheet): change an \
                 input and they recalculate. Each formula also holds goldthread's own result, so \
                 a viewer that does not recalculate shows goldthread's figures. Costs are in \
                 pounds; goldthread keeps them in pence, exact to the penny."
            ),
        ),
        (
            "Discount rate",
            format!(
                "The cell named {DISCOUNT_RATE} ({APPRAISAL}!{rate_cell}), a fraction: {} here. \
                 0.035 (3.5%) is the HM Treasury Green Book default.",
                a.discount_rate.normalize()
            ),
        ),
        (
            "Discount factor",
            "For year y: 1 / (1 + r)^y, where r is the discount rate. Year 0 is the first year \
             and is not discounted (its factor is 1)."
                .into(),
        ),
        (
            "Net present cost (NPC)",
            "NPC = Σ over the years y = 0 … N−1 of (one-off_y + recurring_y) / (1 + r)^y: each \
             year's total cost times its discount factor, added up (SUMPRODUCT of the Total row \
             and the Discount factor row). Year 0 is undiscounted."
                .into(),
        ),
        (
            "Saving against the status quo",
            "Saving = NPC(status quo) − NPC(option). A positive saving means the option costs \
             less over the appraisal period than carrying on as now; the status quo's own saving \
             is 0."
                .into(),
        ),
        (
            "Weighted score",
            format!(
                "Weighted score = 100 × Σ(wᵢ·sᵢ) / (5 · Σwᵢ), where wᵢ is criterion i's weight \
                 (the cells named {WEIGHTS} on the {CRITERIA} sheet) and sᵢ the option's score \
                 from 0 to 5 ({SCORES} sheet). 100 means full marks on every criterion. An option \
                 without a score for every criterion has no weighted score (the cell says \
                 \"{NOT_SCORED}\")."
            ),
        ),
        (
            "Ranking",
            "Options that would fail a statutory duty, and options not fully scored, are not \
             ranked. The rest are ranked by weighted score, highest first; ties are broken by \
             NPC, lowest first; options equal on both share a rank (1, 1, 3). The rank is a \
             value goldthread computed when it wrote this workbook: it does not recalculate."
                .into(),
        ),
        (
            "Statutory duties",
            "An option that would fail any statutory duty listed in the review's scope is \
             flagged and cannot be the preferred option."
                .into(),
        ),
    ];
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 110)?;
    ws.write_string_with_format(0, 0, "Explanation", &st.title)?;
    for (i, (heading, text)) in notes.iter().enumerate() {
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, *heading, &st.bold)?;
        ws.write_string_with_format(row, 1, text, &st.wrap)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
