//! The workbook read back with calamine: the formulas are there, and the results
//! they carry are `appraise`'s figures, checked against a case worked by hand.
use super::*;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use goldthread_domain::review::*;
use goldthread_domain::{Code, DeliveryModel, Email};
use std::io::Cursor;

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn option(
    c: &str,
    model: DeliveryModel,
    quo: bool,
    years: [(i64, i64); 3],
    scores: [u8; 2],
    meets: bool,
) -> ReviewOption {
    ReviewOption {
        code: code(c),
        title: format!("Option {c}"),
        delivery_model: model,
        regional: model == DeliveryModel::JointCommissioning,
        partners: String::new(),
        description: String::new(),
        status_quo: quo,
        years: years
            .iter()
            .map(|&(one_off_pence, recurring_pence)| YearCost {
                one_off_pence,
                recurring_pence,
            })
            .collect(),
        risk_score: 6,
        scores: ["Customer focus", "Green"]
            .iter()
            .zip(scores)
            .map(|(n, s)| Score {
                criterion: n.to_string(),
                score: s,
                comment: format!("{c} on {n}"),
            })
            .collect(),
        duties: vec![DutyMet {
            duty: "Collect household waste".into(),
            meets,
        }],
    }
}

/// Three years at 3.5%. QUO: £100 a year. JOINT: £50 one-off in year 0 and £80
/// a year. STOP: costs nothing but fails the statutory duty.
fn review() -> Review {
    Review {
        code: code("WASTE-2026"),
        title: "Waste services review".into(),
        service: code("PE-WASTE"),
        author: Email::parse("performance@demo.example").unwrap(),
        state: ReviewState::Appraisal,
        scope: ScopeStep::default(),
        specification: Specification::default(),
        appraisal: Appraisal {
            years: 3,
            discount_rate: Decimal::new(35, 3),
            criteria: vec![
                Criterion {
                    name: "Customer focus".into(),
                    weight: Decimal::from(2),
                },
                Criterion {
                    name: "Green".into(),
                    weight: Decimal::ONE,
                },
            ],
            options: vec![
                option(
                    "QUO",
                    DeliveryModel::SelfDelivery,
                    true,
                    [(0, 10_000); 3],
                    [3, 3],
                    true,
                ),
                option(
                    "JOINT",
                    DeliveryModel::JointCommissioning,
                    false,
                    [(5_000, 8_000), (0, 8_000), (0, 8_000)],
                    [4, 2],
                    true,
                ),
                option(
                    "STOP",
                    DeliveryModel::Stop,
                    false,
                    [(0, 0); 3],
                    [5, 5],
                    false,
                ),
            ],
            preferred: Some(code("JOINT")),
            rationale: "A shared fleet".into(),
        },
        plan: ServicePlan::default(),
        assessment: Assessment::default(),
        approval: Approval::default(),
    }
}

fn workbook(r: &Review) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(appraisal_xlsx(r).unwrap())).unwrap()
}

fn float(d: Option<&Data>) -> f64 {
    match d {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

fn round2(f: f64) -> f64 {
    (f * 100.0).round() / 100.0
}

fn summary(i: u32) -> u32 {
    SUMMARY_HEADER_ROW + 1 + i
}

#[test]
fn the_sheets_and_the_named_discount_rate_are_there() {
    let mut wb = workbook(&review());
    assert_eq!(
        wb.sheet_names(),
        vec![APPRAISAL, CRITERIA, SCORES, EXPLANATION]
    );
    let names = wb.defined_names().to_vec();
    assert!(
        names
            .iter()
            .any(|(n, v)| n == DISCOUNT_RATE && v == "Appraisal!$B$6"),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|(n, v)| n == WEIGHTS && v == "Criteria!$B$2:$B$3"),
        "{names:?}"
    );
    let s = wb.worksheet_range(APPRAISAL).unwrap();
    assert_eq!(
        float(s.get_value((RATE_CELL.0, u32::from(RATE_CELL.1)))),
        0.035
    );
    assert_eq!(text(s.get_value((1, 1))), "WASTE-2026");
    assert_eq!(text(s.get_value((3, 1))), "PE-WASTE");
    assert_eq!(float(s.get_value((6, 1))), 3.0);
    assert_eq!(text(s.get_value((7, 1))), "JOINT");

    let c = wb.worksheet_range(CRITERIA).unwrap();
    assert_eq!(text(c.get_value((1, 0))), "Customer focus");
    assert_eq!(float(c.get_value((1, 1))), 2.0);
    assert_eq!(float(c.get_value((2, 1))), 1.0);

    let sc = wb.worksheet_range(SCORES).unwrap();
    assert_eq!(text(sc.get_value((0, 3))), "JOINT score (0–5)");
    assert_eq!(float(sc.get_value((1, 3))), 4.0);
    assert_eq!(float(sc.get_value((2, 3))), 2.0);
    assert_eq!(text(sc.get_value((2, 4))), "JOINT on Green");

    let e = wb.worksheet_range(EXPLANATION).unwrap();
    let all: String = e.rows().flatten().map(|d| d.to_string()).collect();
    for needle in [
        "(one-off_y + recurring_y) / (1 + r)^y",
        "NPC(status quo) − NPC(option)",
        "100 × Σ(wᵢ·sᵢ) / (5 · Σwᵢ)",
        "fail a statutory duty",
        "NPC, lowest first",
    ] {
        assert!(all.contains(needle), "{needle}");
    }
}

#[test]
fn formulas_carry_the_appraisal_figures_worked_by_hand() {
    let r = review();
    let a = &r.appraisal;
    let figures = appraise(&a.options, &a.criteria, a.discount_rate);
    let mut wb = workbook(&r);
    let v = wb.worksheet_range(APPRAISAL).unwrap();
    let f = wb.worksheet_formula(APPRAISAL).unwrap();
    let formula = |row: u32, c: u16| {
        f.get_value((row, u32::from(c)))
            .cloned()
            .unwrap_or_default()
    };

    // By hand: QUO = 100 + 100/1.035 + 100/1.035² = 289.97;
    // JOINT = 130 + 80/1.035 + 80/1.035² = 281.98; saving 7.99; STOP = 0.
    let npc = [289.97, 281.98, 0.0];
    let saving = [0.0, 7.99, 289.97];
    let score = [60.0, 66.67, 100.0];
    for i in 0..3 {
        let row = summary(i as u32);
        let fig = &figures[i];
        assert_eq!(text(v.get_value((row, 0))), fig.code.to_string());
        assert!(
            formula(row, col::NPC).starts_with("SUMPRODUCT("),
            "{}",
            formula(row, col::NPC)
        );
        let got = float(v.get_value((row, u32::from(col::NPC))));
        assert_eq!(round2(got), npc[i]);
        assert_eq!(round2(got), fig.npc_pence as f64 / 100.0);

        assert_eq!(formula(row, col::SAVING), format!("$F$13-F{}", row + 1));
        let got = float(v.get_value((row, u32::from(col::SAVING))));
        assert_eq!(round2(got), saving[i]);
        assert_eq!(
            round2(got),
            fig.saving_vs_status_quo_pence.unwrap() as f64 / 100.0
        );

        let sf = formula(row, col::SCORE);
        assert!(
            sf.contains("100*SUMPRODUCT(Weights,Scores!") && sf.contains("/(5*SUM(Weights))"),
            "{sf}"
        );
        let got = float(v.get_value((row, u32::from(col::SCORE))));
        assert_eq!(round2(got), score[i]);
        assert_eq!(
            got,
            fig.weighted_score.unwrap().to_f64().unwrap(),
            "the cached score is appraise's"
        );
        assert_eq!(float(v.get_value((row, u32::from(col::RISK)))), 6.0);
    }
    // The NPC formula sums the Total row against the discount factors.
    let npc_formula = formula(summary(0), col::NPC);
    assert_eq!(npc_formula, "SUMPRODUCT(B24:D24,$B$19:$D$19)");
    assert_eq!(text(v.get_value((23, 0))), "Total (£)");
    assert_eq!(text(v.get_value((18, 0))), "Discount factor");
    // The saving formula refers to the status quo's NPC cell.
    assert_eq!(text(v.get_value((12, 0))), "QUO");

    // Ranks and flags are values: JOINT, then QUO; STOP fails its duty.
    let rank = |i: u32| v.get_value((summary(i), u32::from(col::RANK))).cloned();
    assert_eq!(rank(0), Some(Data::Float(2.0)));
    assert_eq!(rank(1), Some(Data::Float(1.0)));
    assert_eq!(rank(2), Some(Data::String("not ranked".into())));
    assert_eq!(figures[1].rank, Some(1));
    let fails = |i: u32| text(v.get_value((summary(i), u32::from(col::FAILS))));
    assert_eq!([fails(0), fails(1), fails(2)], ["no", "no", "yes"]);
    assert_eq!(
        text(v.get_value((summary(1), u32::from(col::PREFERRED)))),
        "yes"
    );

    // Discount factors: year 0 undiscounted, then 1/1.035^y, as formulas.
    for y in 0..3u32 {
        assert_eq!(float(v.get_value((17, 1 + y))), f64::from(y));
        let c = ["B", "C", "D"][y as usize];
        assert_eq!(
            formula(18, 1 + y as u16),
            format!("1/(1+DiscountRate)^{c}$18")
        );
        let got = float(v.get_value((18, 1 + y)));
        assert!((got - 1.035f64.powi(-(y as i32))).abs() < 1e-12, "{got}");
    }
    // JOINT's block: costs in pounds, the total and discounted rows as formulas.
    let top = 20 + 6;
    assert_eq!(text(v.get_value((top, 0))), "JOINT: Option JOINT");
    assert_eq!(float(v.get_value((top + 1, 1))), 50.0);
    assert_eq!(float(v.get_value((top + 2, 1))), 80.0);
    assert_eq!(formula(top + 3, 1), format!("B{}+B{}", top + 2, top + 3));
    assert_eq!(float(v.get_value((top + 3, 1))), 130.0);
    assert_eq!(formula(top + 4, 2), format!("C{}*C$19", top + 4));
    assert!((float(v.get_value((top + 4, 2))) - 80.0 / 1.035).abs() < 1e-9);
}

#[test]
fn an_option_not_fully_scored_says_so_and_without_a_status_quo_there_is_no_saving() {
    let mut r = review();
    r.appraisal.options[1].scores.pop();
    for o in &mut r.appraisal.options {
        o.status_quo = false;
    }
    let mut wb = workbook(&r);
    let v = wb.worksheet_range(APPRAISAL).unwrap();
    let f = wb.worksheet_formula(APPRAISAL).unwrap();
    assert_eq!(
        text(v.get_value((summary(1), u32::from(col::SCORE)))),
        "not fully scored"
    );
    assert_eq!(
        f.get_value((summary(1), u32::from(col::SCORE))).unwrap(),
        "IF(SUM(Weights)<=0,\"no weights\",IF(COUNT(Scores!D$2:D$3)<ROWS(Weights),\
         \"not fully scored\",100*SUMPRODUCT(Weights,Scores!D$2:D$3)/(5*SUM(Weights))))"
    );
    assert_eq!(
        text(v.get_value((summary(1), u32::from(col::RANK)))),
        "not ranked (not fully scored)"
    );
    assert_eq!(
        text(v.get_value((summary(0), u32::from(col::SAVING)))),
        "no status quo"
    );
}
