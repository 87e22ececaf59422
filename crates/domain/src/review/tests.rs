use super::*;
use time::macros::date;

fn code(s: &str) -> Code {
    Code::parse(s).unwrap()
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn costs(v: &[(i64, i64)]) -> Vec<YearCost> {
    v.iter()
        .map(|(o, r)| YearCost {
            one_off_pence: *o,
            recurring_pence: *r,
        })
        .collect()
}

#[test]
fn npc_discounts_each_year_from_year_zero() {
    // Chosen so each year is worth exactly £10,000 today at 3.5%.
    let three = costs(&[(1_000_000, 0), (35_000, 1_000_000), (0, 1_071_225)]);
    assert_eq!(npc(&three, dec("0.035")), dec("3000000"));
    // Five equal years of £1,000 at 3.5%: 1,000 × Σ 1/1.035^y = 4,673.0792086…
    let five = costs(&[(0, 100_000); 5]);
    let v = npc(&five, default_discount_rate());
    assert_eq!(v.round_dp(6), dec("467307.920861"));
    assert_eq!(to_pence(v), 467_308);
    // r = 0: a plain sum.
    assert_eq!(npc(&five, Decimal::ZERO), dec("500000"));
    // One-off and recurring both count.
    let mixed = costs(&[(4_000_000, 1_000_000), (0, 2_000_000), (0, 2_000_000)]);
    assert_eq!(to_pence(npc(&mixed, dec("0.035"))), 8_799_389);
}

#[test]
fn pence_round_halves_away_from_zero_only_at_the_end() {
    assert_eq!(to_pence(dec("10.5")), 11);
    assert_eq!(to_pence(dec("-10.5")), -11);
    assert_eq!(to_pence(dec("10.4999")), 10);
}

fn criteria(weights: &[i64]) -> Vec<Criterion> {
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| Criterion {
            name: format!("C{i}"),
            weight: Decimal::from(*w),
        })
        .collect()
}

fn scores(v: &[u8]) -> Vec<Score> {
    v.iter()
        .enumerate()
        .map(|(i, s)| Score {
            criterion: format!("C{i}"),
            score: *s,
            comment: String::new(),
        })
        .collect()
}

#[test]
fn weighted_score_is_a_percentage_of_the_best_possible() {
    // 100 × (2·5 + 1·3 + 1·0) / (5 · 4) = 65.
    assert_eq!(
        weighted_score(&criteria(&[2, 1, 1]), &scores(&[5, 3, 0])),
        Some(dec("65"))
    );
    // Equal default weights: all 5s is 100, all 0s is 0.
    let d = default_criteria();
    let all = |s: u8| {
        d.iter()
            .map(|c| Score {
                criterion: c.name.clone(),
                score: s,
                comment: String::new(),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(weighted_score(&d, &all(5)), Some(dec("100")));
    assert_eq!(weighted_score(&d, &all(0)), Some(Decimal::ZERO));
    assert_eq!(d.len(), 10);
    // A criterion not scored, or weights summing to zero: no score.
    assert_eq!(weighted_score(&criteria(&[1, 1]), &scores(&[5])), None);
    assert_eq!(weighted_score(&criteria(&[0, 0]), &scores(&[5, 5])), None);
}

fn option(
    c: &str,
    model: DeliveryModel,
    quo: bool,
    yearly: i64,
    s: &[u8],
    meets: bool,
) -> ReviewOption {
    ReviewOption {
        code: code(c),
        title: format!("Option {c}"),
        delivery_model: model,
        regional: false,
        partners: String::new(),
        description: String::new(),
        status_quo: quo,
        years: costs(&[(0, yearly); 3]),
        risk_score: 6,
        scores: scores(s),
        duties: vec![DutyMet {
            duty: "Waste collection (EPA 1990 s.45)".into(),
            meets,
        }],
    }
}

#[test]
fn ranking_by_score_then_npc_excluding_failures_with_shared_ranks_for_exact_ties() {
    use DeliveryModel::*;
    let c = criteria(&[1, 1]);
    let opts = vec![
        option("QUO", SelfDelivery, true, 1000, &[3, 3], true), // 60, npc 3000
        option("A", Partnership, false, 900, &[4, 4], true),    // 80, npc 2700
        option("B", Commercial, false, 800, &[4, 4], true),     // 80, npc 2400
        option("C", Stop, false, 0, &[5, 5], false),            // fails
        option("D", Reduce, false, 700, &[2, 2], true),         // 40
        option("E", CommunityLed, false, 800, &[4, 4], true),   // ties B exactly
    ];
    let f = appraise(&opts, &c, Decimal::ZERO);
    let rank = |code: &str| f.iter().find(|x| x.code.as_str() == code).unwrap().rank;
    assert_eq!(rank("B"), Some(1));
    assert_eq!(rank("E"), Some(1));
    assert_eq!(rank("A"), Some(3));
    assert_eq!(rank("QUO"), Some(4));
    assert_eq!(rank("D"), Some(5));
    assert_eq!(rank("C"), None, "a failing option is not ranked");
    assert!(f[3].fails_statutory);
    // Saving against the status quo: NPC(quo) − NPC(option).
    assert_eq!(f[0].saving_vs_status_quo_pence, Some(0));
    assert_eq!(f[2].saving_vs_status_quo_pence, Some(600));
    assert_eq!(f[3].saving_vs_status_quo_pence, Some(3000));
    // Without a status quo there is no saving.
    let f = appraise(&opts[1..], &c, Decimal::ZERO);
    assert!(f.iter().all(|x| x.saving.is_none()));
}

fn complete_review() -> Review {
    use DeliveryModel::*;
    let c = default_criteria();
    let full = |s: u8| {
        c.iter()
            .map(|x| Score {
                criterion: x.name.clone(),
                score: s,
                comment: "ok".into(),
            })
            .collect::<Vec<_>>()
    };
    let duty = |meets| {
        vec![DutyMet {
            duty: "Collect household waste".into(),
            meets,
        }]
    };
    let opt = |c: &str, m, quo, s, meets| ReviewOption {
        code: code(c),
        title: c.into(),
        delivery_model: m,
        regional: false,
        partners: String::new(),
        description: String::new(),
        status_quo: quo,
        years: costs(&[(0, 100); 3]),
        risk_score: 9,
        scores: full(s),
        duties: duty(meets),
    };
    Review {
        code: code("REV1"),
        title: "Waste review".into(),
        service: code("PE-WASTE"),
        author: email("hub@demo.example"),
        state: ReviewState::Scoping,
        scope: ScopeStep {
            outcomes: vec![code("LO3")],
            statutory_duties: vec!["Collect household waste".into()],
            funding_constraints: String::new(),
            profile: Some(Profile::default()),
            esia: Some(EsiaStage::Simplify),
        },
        specification: Specification {
            scope: "Kerbside collection".into(),
            volumes: "24,000 households".into(),
            standards: "Weekly".into(),
            quality_safety: "Crew safety".into(),
        },
        appraisal: Appraisal {
            years: 3,
            options: vec![
                opt("QUO", SelfDelivery, true, 3, true),
                opt("SHARED", JointCommissioning, false, 4, true),
                opt("STOP", Stop, false, 5, false),
            ],
            preferred: Some(code("SHARED")),
            rationale: "Best score at lower cost".into(),
            ..Default::default()
        },
        plan: ServicePlan {
            costs: "As appraised".into(),
            resources: "Shared fleet".into(),
            benefits: vec![],
            quality_safety: "As now".into(),
        },
        assessment: Assessment {
            impacts: Dimension::ALL
                .iter()
                .map(|d| ImpactEntry {
                    dimension: *d,
                    impact: Impact::Neutral,
                    evidence: "Same service level".into(),
                    mitigation: String::new(),
                })
                .collect(),
            checks: Check::ALL
                .iter()
                .map(|c| CheckEntry {
                    check: *c,
                    status: CheckStatus::Done,
                    note: String::new(),
                })
                .collect(),
        },
        approval: Approval::default(),
    }
}

#[test]
fn a_review_moves_forward_only_when_each_step_is_complete() {
    let mut r = complete_review();
    r.scope.outcomes.clear();
    r.scope.esia = None;
    let m = r.advance(DeliveryModel::SelfDelivery).unwrap_err();
    assert_eq!(
        m.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
        ["outcomes", "esia"]
    );
    assert_eq!(r.state, ReviewState::Scoping, "nothing moved");
    let mut r = complete_review();
    for expected in [
        ReviewState::Specification,
        ReviewState::Appraisal,
        ReviewState::Planning,
        ReviewState::Assessment,
        ReviewState::AwaitingApproval,
    ] {
        assert_eq!(r.advance(DeliveryModel::SelfDelivery), Ok(expected));
    }
    assert!(
        r.advance(DeliveryModel::SelfDelivery).is_err(),
        "approval is a decision"
    );
    // Sent back a step, with a reason; the sign-offs so far are cleared.
    assert!(r.send_back("  ").is_err());
    assert_eq!(r.send_back("Redo the EQIA"), Ok(ReviewState::Assessment));
    let mut s = complete_review();
    assert!(s.send_back("why").is_err(), "scoping has no step before it");
    // A step emptied after the review moved on holds it back, and says which.
    let mut r = complete_review();
    r.state = ReviewState::Planning;
    r.specification.volumes.clear();
    let m = r.advance(DeliveryModel::SelfDelivery).unwrap_err();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].step, m[0].field.as_str()),
        (Some(ReviewState::Specification), "volumes")
    );
    r.state = ReviewState::Approved;
    assert!(r.missing(DeliveryModel::SelfDelivery).is_empty(), "decided");
}

#[test]
fn the_appraisal_needs_one_status_quo_on_the_current_model_and_a_passing_preference() {
    let mut r = complete_review();
    r.state = ReviewState::Appraisal;
    assert!(r.missing(DeliveryModel::SelfDelivery).is_empty());
    // The status quo must be today's model.
    let m = r.missing(DeliveryModel::Partnership);
    assert!(
        m[0].message
            .contains("current delivery model (partnership)"),
        "{m:?}"
    );
    // A failing option cannot be preferred.
    r.appraisal.preferred = Some(code("STOP"));
    let m = r.missing(DeliveryModel::SelfDelivery);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].field, "preferred");
    assert!(m[0].message.contains("fails a statutory duty"));
    // Years, risk, scores and duties per option; period 3–5.
    r.appraisal.preferred = Some(code("SHARED"));
    r.appraisal.years = 6;
    r.appraisal.options[1].risk_score = 0;
    r.appraisal.options[1].scores.pop();
    r.appraisal.options[2].duties.clear();
    r.appraisal.options[0].status_quo = false;
    let fields: Vec<String> = r
        .missing(DeliveryModel::SelfDelivery)
        .into_iter()
        .map(|m| m.field)
        .collect();
    for f in [
        "years",
        "options",
        "options[0].years",
        "options[1].risk_score",
        "options[1].scores",
        "options[2].duties",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
}

#[test]
fn the_impact_assessment_covers_all_fourteen_groups_and_mitigates_negatives() {
    let mut r = complete_review();
    r.state = ReviewState::Assessment;
    assert!(r.missing(DeliveryModel::SelfDelivery).is_empty());
    assert_eq!(
        Dimension::ALL.iter().filter(|d| d.socio_economic()).count(),
        5
    );
    assert_eq!(Dimension::ALL.len(), 14);
    r.assessment.impacts[0].impact = Impact::Negative;
    r.assessment.impacts.pop();
    r.assessment.checks.pop();
    let m = r.missing(DeliveryModel::SelfDelivery);
    assert_eq!(
        m.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
        [
            "impacts.age",
            "impacts.socio-economic-background",
            "checks.staff-and-trade-union-consultation"
        ]
    );
    assert!(m[0].message.contains("mitigation"));
}

#[test]
fn two_distinct_people_sign_off_and_nothing_outstanding() {
    let leader = email("director.place@demo.example");
    let manager = email("service.manager@demo.example");
    let on = date!(2026 - 03 - 01);
    let mut r = complete_review();
    r.state = ReviewState::AwaitingApproval;
    // The wrong person.
    let e = r
        .sign_off(
            &email("someone@demo.example"),
            SignOffRole::OutcomeLeader,
            false,
            on,
        )
        .unwrap_err();
    assert_eq!(e.field, "role");
    // An outstanding compliance check blocks every sign-off.
    r.assessment.checks[1].status = CheckStatus::Outstanding;
    let e = r
        .sign_off(&leader, SignOffRole::OutcomeLeader, true, on)
        .unwrap_err();
    assert!(e.message.contains("procurement-route"), "{e:?}");
    r.assessment.checks[1].status = CheckStatus::NotNeeded;
    assert_eq!(
        r.sign_off(&leader, SignOffRole::OutcomeLeader, true, on),
        Ok(false)
    );
    // Nobody signs twice, even in the other capacity.
    let e = r
        .sign_off(&leader, SignOffRole::ServiceManager, true, on)
        .unwrap_err();
    assert!(e.message.contains("nobody signs twice"));
    // Each capacity once.
    let e = r
        .sign_off(&manager, SignOffRole::OutcomeLeader, true, on)
        .unwrap_err();
    assert!(e.message.contains("already signed"));
    assert_eq!(
        r.sign_off(&manager, SignOffRole::ServiceManager, true, on),
        Ok(true)
    );
    assert_eq!(r.state, ReviewState::Approved);
    assert_eq!(r.approval.decided_on, Some(on));
    assert_eq!(
        r.preferred().unwrap().delivery_model,
        DeliveryModel::JointCommissioning
    );
    assert!(r.reject("too late", on).is_err());
    assert_eq!(r.implement(date!(2026 - 06 - 01)), Ok(()));
    assert_eq!(r.state, ReviewState::Implemented);
}

#[test]
fn a_rejection_needs_its_reason() {
    let mut r = complete_review();
    r.state = ReviewState::AwaitingApproval;
    assert!(r.reject(" ", date!(2026 - 03 - 01)).is_err());
    assert_eq!(r.state, ReviewState::AwaitingApproval);
    r.reject("Savings not evidenced", date!(2026 - 03 - 01))
        .unwrap();
    assert_eq!(r.state, ReviewState::Rejected);
    assert!(r.implement(date!(2026 - 03 - 02)).is_err());
}

#[test]
fn next_review_dates_and_what_is_due() {
    assert_eq!(next_review(date!(2026 - 03 - 01), 3), date!(2029 - 03 - 01));
    assert_eq!(next_review(date!(2028 - 02 - 29), 3), date!(2031 - 02 - 28));
    let today = date!(2026 - 11 - 23);
    assert_eq!(due(Some(date!(2026 - 11 - 22)), today), Due::Overdue);
    assert_eq!(due(Some(today), today), Due::DueSoon);
    assert_eq!(due(Some(date!(2027 - 05 - 23)), today), Due::DueSoon);
    assert_eq!(due(Some(date!(2027 - 05 - 24)), today), Due::NotDue);
    assert_eq!(due(None, today), Due::NotDue);
    // Month ends: 31 August + 6 months is the end of February.
    assert_eq!(
        due(Some(date!(2027 - 02 - 28)), date!(2026 - 08 - 31)),
        Due::DueSoon
    );
    assert_eq!(
        due(Some(date!(2027 - 03 - 01)), date!(2026 - 08 - 31)),
        Due::NotDue
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// At r = 0 the NPC is the plain sum; at r > 0 it never exceeds it (for
        /// non-negative costs) and year 0 is never discounted.
        #[test]
        fn npc_is_a_discounted_sum(years in proptest::collection::vec((0i64..10_000_000, 0i64..10_000_000), 3..=5),
                                   rate in 0u32..200) {
            let y = costs(&years);
            let plain: i64 = years.iter().map(|(a, b)| a + b).sum();
            prop_assert_eq!(npc(&y, Decimal::ZERO), Decimal::from(plain));
            let r = Decimal::new(i64::from(rate), 3);
            let v = npc(&y, r);
            prop_assert!(v <= Decimal::from(plain));
            prop_assert!(v >= Decimal::from(years[0].0 + years[0].1));
        }

        /// A weighted score lies between 0 and 100, and ranks follow scores.
        #[test]
        fn scores_lie_in_range_and_ranks_follow_them(
            weights in proptest::collection::vec(1i64..10, 1..6),
            raw in proptest::collection::vec(proptest::collection::vec(0u8..=5, 6), 2..6),
        ) {
            let c = criteria(&weights);
            let opts: Vec<ReviewOption> = raw.iter().enumerate().map(|(i, s)| {
                option(&format!("O{i}"), DeliveryModel::Partnership, i == 0, 100, &s[..weights.len()], true)
            }).collect();
            let f = appraise(&opts, &c, default_discount_rate());
            for x in &f {
                let s = x.weighted_score.unwrap();
                prop_assert!(s >= Decimal::ZERO && s <= Decimal::ONE_HUNDRED);
            }
            for a in &f {
                for b in &f {
                    if a.weighted_score > b.weighted_score {
                        prop_assert!(a.rank < b.rank);
                    }
                }
            }
        }
    }
}

#[test]
fn the_appraisal_table_explains_each_figure_with_its_own_numbers() {
    let a = Appraisal {
        years: 3,
        discount_rate: dec("0.035"),
        criteria: criteria(&[1, 1]),
        options: vec![
            option(
                "QUO",
                DeliveryModel::SelfDelivery,
                true,
                10_000,
                &[2, 2],
                true,
            ),
            option("B", DeliveryModel::Partnership, false, 9_000, &[4, 3], true),
            option("C", DeliveryModel::Stop, false, 0, &[5, 5], false),
        ],
        preferred: Some(code("B")),
        rationale: "Best score that meets every duty".into(),
    };
    let t = table::AppraisalTable::of(&a);
    assert_eq!(t.discount_rate, 0.035);
    assert_eq!(t.status_quo, Some(code("QUO")));
    let quo = t.option("QUO").unwrap();
    // £100 a year for 3 years at 3.5%: 100 + 96.618… + 93.351… = 289.97
    assert_eq!(quo.npc_pence, 28_997);
    assert_eq!(quo.years[1].discount_factor, 0.966184);
    assert_eq!(quo.years[2].present_value_pence, 9_335);
    assert_eq!(
        quo.explanation.npc,
        "NPC at 3.5% = £100 + £100 ÷ 1.035 + £100 ÷ 1.071225 = £289.97."
    );
    let b = t.option("B").unwrap();
    assert!(b.preferred);
    assert_eq!(b.saving_vs_status_quo_pence, Some(2_900));
    assert_eq!(
        b.explanation.saving,
        "Saving = NPC of the status quo (QUO, £289.97) − NPC of this option (£260.97) = £29."
    );
    assert_eq!(b.weighted_score, Some(70.0));
    assert_eq!(
        b.explanation.weighted_score,
        "100 × (1×4 + 1×3) ÷ (5 × 2) = 70."
    );
    assert_eq!(b.rank, Some(1));
    let c = t.option("C").unwrap();
    assert!(c.fails_statutory && c.rank.is_none());
    assert_eq!(c.failing_duties, vec!["Waste collection (EPA 1990 s.45)"]);
    assert!(
        c.explanation
            .rank
            .starts_with("Not ranked: fails the statutory duty")
    );
    assert_eq!(t.method.len(), 4);
}
