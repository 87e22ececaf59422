//! The demo council (Clackmannanshire), built from the seed papers. Its framework
//! files are embedded in the binary and loaded through the ordinary importer.
use goldthread_app::actions::ActionsKind;
use goldthread_app::assessment::AssessmentTable;
use goldthread_app::benefits::BenefitsFile;
use goldthread_app::engagement::EngagementKind;
use goldthread_app::input::PersonInput;
use goldthread_app::org::OrgTable;
use goldthread_app::programmes::ProgrammeTable;
use goldthread_app::risks::RiskTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_io::Source;
use goldthread_io::performance::Kind;
use std::collections::BTreeMap;

pub const TENANT: &str = "clackmannanshire";
pub const NAME: &str = "Clackmannanshire Council";
pub const AREA: &str = "Clackmannanshire";
/// The password of every demo account. It is a demo: change it on a real server.
pub const PASSWORD: &str = "clacks-demo-2026";

const FILES: &[(&str, &str)] = &[
    (
        "people.csv",
        include_str!("../demo/clackmannanshire/people.csv"),
    ),
    (
        "outcomes.csv",
        include_str!("../demo/clackmannanshire/outcomes.csv"),
    ),
    (
        "portfolios.csv",
        include_str!("../demo/clackmannanshire/portfolios.csv"),
    ),
    (
        "services.csv",
        include_str!("../demo/clackmannanshire/services.csv"),
    ),
    (
        "contributions.csv",
        include_str!("../demo/clackmannanshire/contributions.csv"),
    ),
    (
        "raci.csv",
        include_str!("../demo/clackmannanshire/raci.csv"),
    ),
    (
        "plans.csv",
        include_str!("../demo/clackmannanshire/plans.csv"),
    ),
];

/// The demo's performance data, in the order it is imported.
const PERFORMANCE: &[(Kind, &str)] = &[
    (
        Kind::Localities,
        include_str!("../demo/clackmannanshire/localities.csv"),
    ),
    (
        Kind::Indicators,
        include_str!("../demo/clackmannanshire/indicators.csv"),
    ),
    (
        Kind::Targets,
        include_str!("../demo/clackmannanshire/targets.csv"),
    ),
    (
        Kind::Measurements,
        include_str!("../demo/clackmannanshire/measurements.csv"),
    ),
    (
        Kind::BenchmarkGroups,
        include_str!("../demo/clackmannanshire/benchmark-groups.csv"),
    ),
    (
        Kind::BenchmarkValues,
        include_str!("../demo/clackmannanshire/benchmark-values.csv"),
    ),
];

/// Committees (aligned to the portfolios, as the council's were in 2018), and
/// consultations and "you said, we did", drawn from the papers' engagement themes.
const ENGAGEMENT: &[(EngagementKind, &str)] = &[
    (
        EngagementKind::Committees,
        include_str!("../demo/clackmannanshire/committees.csv"),
    ),
    (
        EngagementKind::Consultations,
        include_str!("../demo/clackmannanshire/consultations.csv"),
    ),
    (
        EngagementKind::Responses,
        include_str!("../demo/clackmannanshire/responses.csv"),
    ),
];

/// The contracts register for the commissioned services (and two services that
/// buy parts in): partners, dates and values are illustrative.
const CONTRACTS: &str = include_str!("../demo/clackmannanshire/contracts.csv");

/// The risk register: the 2026 paper's delivery risks (§5.3) and operating
/// risks (§5.4), their mitigations as controls, illustrative scores and
/// reviews, and an illustrative appetite per category. Loaded after the
/// reviews, which some risks arise from, and the programmes, which they name.
const RISKS: &[(RiskTable, &str)] = &[
    (
        RiskTable::RiskAppetite,
        include_str!("../demo/clackmannanshire/risk-appetite.csv"),
    ),
    (
        RiskTable::Risks,
        include_str!("../demo/clackmannanshire/risks.csv"),
    ),
    (
        RiskTable::Controls,
        include_str!("../demo/clackmannanshire/controls.csv"),
    ),
    (
        RiskTable::RiskReviews,
        include_str!("../demo/clackmannanshire/risk-reviews.csv"),
    ),
];

/// Two years of Best Value self-assessment against the default themes, with
/// evidence from the papers and improvement actions from the 2018 plan (scores
/// illustrative).
const SELF_ASSESSMENTS: &str = include_str!("../demo/clackmannanshire/self-assessments.csv");

/// The benefits register (the 2018 restructure's savings by directorate,
/// 2022 §6.3; the service reviews' savings; the 2026 senior management saving)
/// with planned and realised profiles, and the medium-term funding gap (2022
/// §3.6 and the 2026 MTFS; the yearly splits are illustrative and say so).
/// Loaded after the reviews, which the review benefits name.
const BENEFITS: &[(BenefitsFile, &str)] = &[
    (
        BenefitsFile::Benefits,
        include_str!("../demo/clackmannanshire/benefits.csv"),
    ),
    (
        BenefitsFile::Profiles,
        include_str!("../demo/clackmannanshire/benefit-profiles.csv"),
    ),
    (
        BenefitsFile::BudgetGap,
        include_str!("../demo/clackmannanshire/budget-gap.csv"),
    ),
];

/// The 2018 Best Value Assurance Report action plan (DEMO-DATA §6c) as written
/// — its four recommendations and every action with its timescale and leads —
/// with illustrative owners, statuses, percentages and progress notes.
const ACTIONS: &[(ActionsKind, &str)] = &[
    (
        ActionsKind::ActionPlans,
        include_str!("../demo/clackmannanshire/action-plans.csv"),
    ),
    (
        ActionsKind::Recommendations,
        include_str!("../demo/clackmannanshire/recommendations.csv"),
    ),
    (
        ActionsKind::Actions,
        include_str!("../demo/clackmannanshire/actions.csv"),
    ),
    (
        ActionsKind::ActionProgress,
        include_str!("../demo/clackmannanshire/action-progress.csv"),
    ),
];

/// The transformation programme: Making Clackmannanshire Better (2014) with
/// its five workstreams and key tasks, Be the Future (2022) with its three
/// themes and their projects, and Transformation Through Collaboration (agreed
/// November 2025) with initiatives from the service reviews carrying the
/// register's risks. Stages, RAG, budgets and people are illustrative where
/// the papers give none (each initiative's commentary says so). Initiatives
/// are loaded after the risks and benefits they name (see `registers`).
const PROGRAMMES: &[(ProgrammeTable, &str)] = &[
    (
        ProgrammeTable::Programmes,
        include_str!("../demo/clackmannanshire/programmes.csv"),
    ),
    (
        ProgrammeTable::Workstreams,
        include_str!("../demo/clackmannanshire/workstreams.csv"),
    ),
    (
        ProgrammeTable::Initiatives,
        include_str!("../demo/clackmannanshire/initiatives.csv"),
    ),
];

/// The registers' files, in the order their links need: programmes and
/// workstreams (which risks name), the risk register, the benefits register,
/// the initiatives (which name risks and benefits), and the self-assessments.
fn registers() -> Vec<(DataTable, &'static str)> {
    let programme = |t: ProgrammeTable| {
        PROGRAMMES
            .iter()
            .filter(move |(x, _)| *x == t)
            .map(|(x, c)| (DataTable::Programme(*x), *c))
    };
    programme(ProgrammeTable::Programmes)
        .chain(programme(ProgrammeTable::Workstreams))
        .chain(RISKS.iter().map(|(t, c)| (DataTable::Risk(*t), *c)))
        .chain(BENEFITS.iter().map(|(f, c)| (DataTable::Benefits(*f), *c)))
        .chain(programme(ProgrammeTable::Initiatives))
        .chain([(
            DataTable::Assessment(AssessmentTable::Scores),
            SELF_ASSESSMENTS,
        )])
        .collect()
}

/// Organisation design (2026 §3.5c, §3.10–3.13, §3.20–3.21, Exhibit 5): the
/// current senior management structure and the immediate state proposed,
/// with illustrative transition and future states. The paper gives the
/// structure and the totals (current £1.951m; immediate £1.855m–£1.912m;
/// saving £70,650–£127,587 after 0.5 FTE at Team Leader level; 50% of the
/// "tier 1" leadership not permanent), not the grades: the salary ranges are
/// illustrative Scottish local-government values, chosen so that the posts
/// cost out to the paper's figures (within £1,000) by the ordinary rules.
const ORG: &[(OrgTable, &str)] = &[
    (
        OrgTable::Grades,
        include_str!("../demo/clackmannanshire/grades.csv"),
    ),
    (
        OrgTable::Posts,
        include_str!("../demo/clackmannanshire/posts.csv"),
    ),
    (
        OrgTable::Adjustments,
        include_str!("../demo/clackmannanshire/adjustments.csv"),
    ),
];

/// Each structure state's effective date and description.
const ORG_STATES: &[(&str, &str, &str)] = &[
    (
        "current",
        "2026-02-01",
        "The senior management structure as it stands (2026 Exhibit 2): the Chief Executive, three Strategic Directors (People; Place; Partnership and Performance) and Senior Managers, a role created in 2018 when Head of Service was removed. Posts and grades are illustrative, costed at grade maximum to the paper's £1.951m.",
    ),
    (
        "immediate",
        "2026-05-01",
        "The formation phase (2026 §3.13, Exhibit 5): two Director portfolios, Wellbeing and Place and Economy, one Director also Depute Chief Executive; four Heads of Service reintroduced, Corporate Services reporting to the Chief Executive; Senior Manager roles mapped across; an assumed cash saving of 0.5 FTE at Team Leader level. Appointments by the end of April 2026. Grades illustrative.",
    ),
    (
        "transition",
        "2027-04-01",
        "Illustrative (2026 §3.20): existing alternative delivery scaled up and the 'wave 1' collaboration with Falkirk and other partners built out — roads, fleet and transportation in a shared service, inclusion joined to learning and early years — delivering the 2026/27 budget.",
    ),
    (
        "future",
        "2029-04-01",
        "Illustrative (2026 §3.21, Exhibit 6): the retained 'Match Fit' council once the services that can be delivered by partnership, regional or commissioned arrangements are, with fewer, broader management roles and a Senior Manager for commissioning and partnerships.",
    ),
];

/// One sign-in account per role.
pub const ACCOUNTS: &[(&str, &str)] = &[
    ("admin@demo.example", "admin"),
    ("performance@demo.example", "performance-officer"),
    (
        "director.wellbeing@demo.example",
        "outcome-leader (Wellbeing)",
    ),
    (
        "director.place@demo.example",
        "outcome-leader (Place and Economy)",
    ),
    (
        "head.corporate@demo.example",
        "outcome-leader (Corporate Services)",
    ),
    ("service.manager@demo.example", "service-manager"),
    ("commissioning@demo.example", "commissioning-officer"),
    ("member@demo.example", "member"),
    ("auditor@demo.example", "auditor"),
    ("hr@demo.example", "hr-officer"),
];

/// A national operator, who manages councils and reads none of their data.
pub const OPERATOR: &str = "operator@demo.example";

pub fn source() -> Source {
    Source::Csv(
        FILES
            .iter()
            .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Loads the demo council unless it is there already. Returns whether it was loaded.
pub async fn ensure(app: &App) -> Result<bool, AppError> {
    if app.tenant(TENANT).await.is_ok() {
        return Ok(false);
    }
    let tenant = app
        .add_tenant(&goldthread_app::ActorRef::cli(), TENANT, NAME, AREA)
        .await?;
    let cli = Caller::cli(tenant.clone());
    app.import_framework(&cli, &source(), false, "demo council")
        .await?;
    for (kind, content) in PERFORMANCE {
        let file = format!("{}.csv", kind.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_performance(&cli, *kind, &source, false, &file)
            .await?;
    }
    for (kind, content) in ENGAGEMENT {
        let file = format!("{}.csv", kind.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_engagement(&cli, *kind, &source, false, &file)
            .await?;
    }
    let file = "contracts.csv";
    let source = Source::Csv(BTreeMap::from([(
        file.to_string(),
        CONTRACTS.as_bytes().to_vec(),
    )]));
    app.import_contracts(&cli, &source, false, file).await?;
    for (kind, content) in ACTIONS {
        let file = format!("{}.csv", kind.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_actions(&cli, *kind, &source, false, &file)
            .await?;
    }
    for (email, _) in ACCOUNTS {
        let person = app
            .get::<goldthread_domain::framework::Person>(&cli, email)
            .await?;
        let input = PersonInput {
            email: person.value.email.to_string(),
            name: person.value.name.clone(),
            role: person.value.role.to_string(),
            scope: person.value.scope.iter().map(|c| c.to_string()).collect(),
            version: Some(person.version),
        };
        app.add_user(&tenant, &input, Some(PASSWORD)).await?;
    }
    load_reviews(app, &cli, time::OffsetDateTime::now_utc().date()).await?;
    for (table, content) in registers() {
        let file = format!("{}.csv", table.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_table(&cli, table, &source, false, &file).await?;
    }
    load_org(app, &cli).await?;
    app.add_operator(&goldthread_app::ActorRef::cli(), OPERATOR, Some(PASSWORD))
        .await?;
    Ok(true)
}

/// The demo's organisation design, loaded by the ordinary importers and use
/// cases.
pub async fn load_org(app: &App, cli: &Caller) -> Result<(), AppError> {
    for (table, content) in ORG {
        let file = format!("{}.csv", table.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_table(cli, DataTable::Org(*table), &source, false, &file)
            .await?;
    }
    for (state, effective, description) in ORG_STATES {
        let details = goldthread_domain::org::StructureState {
            state: goldthread_app::org::state_named(state)?,
            effective: Some(
                time::Date::parse(
                    effective,
                    &time::format_description::well_known::Iso8601::DATE,
                )
                .map_err(|e| AppError::Internal(e.to_string()))?,
            ),
            description: description.to_string(),
            actual_cost_pence: None,
        };
        app.put_structure_state(cli, &details, None).await?;
    }
    Ok(())
}

/// The demo's service reviews, each taken through the Delivery Framework by
/// the people who would do it: opened and written by the Commissioning Hub,
/// moved step by step, signed off by the service's Outcome Leader and Service
/// Manager. Nothing is written around the rules.
const REVIEWS: &str = include_str!("../demo/clackmannanshire/reviews.json");

#[derive(serde::Deserialize)]
struct DemoReview {
    code: String,
    title: String,
    service: String,
    author: String,
    target: ReviewState,
    scope: DemoScope,
    specification: Specification,
    appraisal: DemoAppraisal,
    plan: ServicePlan,
    assessment: DemoAssessment,
    committee_reference: String,
    committee_date: Option<time::Date>,
    sign_offs: Vec<SignOff>,
}

#[derive(serde::Deserialize)]
struct DemoScope {
    statutory_duties: Vec<String>,
    funding_constraints: String,
    esia: EsiaStage,
    demand: String,
    feedback: String,
}

#[derive(serde::Deserialize)]
struct DemoAppraisal {
    years: u8,
    discount_rate: rust_decimal::Decimal,
    options: Vec<DemoOption>,
    preferred: String,
    rationale: String,
}

/// An option with its yearly costs in whole pounds ([one-off, recurring]),
/// its scores in the order of the default criteria and whether it meets each
/// statutory duty in the order of the scope.
#[derive(serde::Deserialize)]
struct DemoOption {
    code: String,
    title: String,
    delivery_model: goldthread_domain::DeliveryModel,
    #[serde(default)]
    regional: bool,
    #[serde(default)]
    partners: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status_quo: bool,
    years: Vec<[i64; 2]>,
    risk_score: u8,
    scores: Vec<u8>,
    duties: Vec<bool>,
}

#[derive(serde::Deserialize)]
struct DemoImpact {
    dimension: Dimension,
    impact: Impact,
    evidence: String,
    #[serde(default)]
    mitigation: String,
}

/// Impacts not listed take `default` (impact, evidence).
#[derive(serde::Deserialize)]
struct DemoAssessment {
    default: (Impact, String),
    impacts: Vec<DemoImpact>,
    checks: BTreeMap<Check, (CheckStatus, String)>,
}

use goldthread_app::reviews::{NewReview, ReviewEdit, Transition};
use goldthread_domain::review::{
    Appraisal, Assessment, Check, CheckEntry, CheckStatus, Dimension, DutyMet, EsiaStage, Impact,
    ImpactEntry, ReviewOption, ReviewState, ScopeStep, Score, ServicePlan, SignOff, Specification,
    YearCost, default_criteria,
};

fn demo_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("demo reviews: {e}"))
}

/// The demo council's people act as themselves.
fn acting_as(
    app_caller: &Caller,
    fw: &goldthread_domain::framework::Framework,
    email: &str,
) -> Result<Caller, AppError> {
    let person = fw
        .people
        .iter()
        .find(|p| p.email.as_str() == email)
        .ok_or_else(|| demo_error(format!("no person {email}")))?;
    let mut c = app_caller.clone();
    c.actor = goldthread_domain::permission::Actor {
        email: person.email.clone(),
        role: person.role,
        scope: person.scope.clone(),
    };
    c.who = goldthread_app::ActorRef {
        user_id: None,
        label: email.to_string(),
    };
    c.name = person.name.clone();
    Ok(c)
}

fn option_of(o: DemoOption, duties: &[String]) -> Result<ReviewOption, AppError> {
    let criteria = default_criteria();
    if o.scores.len() != criteria.len() || o.duties.len() != duties.len() {
        return Err(demo_error(format!(
            "option {} needs {} scores and {} duties",
            o.code,
            criteria.len(),
            duties.len()
        )));
    }
    Ok(ReviewOption {
        code: goldthread_domain::Code::parse(&o.code).map_err(demo_error)?,
        title: o.title,
        delivery_model: o.delivery_model,
        regional: o.regional,
        partners: o.partners,
        description: o.description,
        status_quo: o.status_quo,
        years: o
            .years
            .iter()
            .map(|[one_off, recurring]| YearCost {
                one_off_pence: one_off * 100,
                recurring_pence: recurring * 100,
            })
            .collect(),
        risk_score: o.risk_score,
        scores: criteria
            .iter()
            .zip(&o.scores)
            .map(|(c, s)| Score {
                criterion: c.name.clone(),
                score: *s,
                comment: String::new(),
            })
            .collect(),
        duties: duties
            .iter()
            .zip(&o.duties)
            .map(|(d, m)| DutyMet {
                duty: d.clone(),
                meets: *m,
            })
            .collect(),
    })
}

/// Runs each demo review through the framework to its target state.
pub async fn load_reviews(app: &App, cli: &Caller, today: time::Date) -> Result<(), AppError> {
    let reviews: Vec<DemoReview> = serde_json::from_str(REVIEWS).map_err(demo_error)?;
    let fw = app.view(cli).await?.framework;
    for d in reviews {
        let author = acting_as(cli, &fw, &d.author)?;
        let opened = app
            .open_review(
                &author,
                &NewReview {
                    code: d.code.clone(),
                    title: d.title.clone(),
                    service: d.service.clone(),
                },
                today,
            )
            .await?;
        let mut profile = opened.value.scope.profile.clone().unwrap_or_default();
        profile.demand = d.scope.demand;
        profile.feedback = d.scope.feedback;
        let duties = d.scope.statutory_duties.clone();
        let options = d
            .appraisal
            .options
            .into_iter()
            .map(|o| option_of(o, &duties))
            .collect::<Result<Vec<_>, _>>()?;
        let impacts = Dimension::ALL
            .iter()
            .map(
                |dim| match d.assessment.impacts.iter().find(|i| i.dimension == *dim) {
                    Some(i) => ImpactEntry {
                        dimension: *dim,
                        impact: i.impact,
                        evidence: i.evidence.clone(),
                        mitigation: i.mitigation.clone(),
                    },
                    None => ImpactEntry {
                        dimension: *dim,
                        impact: d.assessment.default.0,
                        evidence: d.assessment.default.1.clone(),
                        mitigation: String::new(),
                    },
                },
            )
            .collect();
        let checks = d
            .assessment
            .checks
            .iter()
            .map(|(check, (status, note))| CheckEntry {
                check: *check,
                status: *status,
                note: note.clone(),
            })
            .collect();
        let edited = app
            .edit_review(
                &author,
                &d.code,
                &ReviewEdit {
                    scope: Some(ScopeStep {
                        outcomes: opened.value.scope.outcomes.clone(),
                        statutory_duties: duties,
                        funding_constraints: d.scope.funding_constraints,
                        profile: Some(profile),
                        esia: Some(d.scope.esia),
                    }),
                    specification: Some(d.specification),
                    appraisal: Some(Appraisal {
                        years: d.appraisal.years,
                        discount_rate: d.appraisal.discount_rate,
                        options,
                        preferred: Some(
                            goldthread_domain::Code::parse(&d.appraisal.preferred)
                                .map_err(demo_error)?,
                        ),
                        rationale: d.appraisal.rationale,
                        ..Default::default()
                    }),
                    plan: Some(d.plan),
                    assessment: Some(Assessment { impacts, checks }),
                    committee_reference: Some(d.committee_reference),
                    committee_date: d.committee_date,
                    version: Some(opened.version),
                    ..Default::default()
                },
            )
            .await?;
        let mut version = edited.version;
        let mut state = edited.value.state;
        let stop_at = match d.target {
            ReviewState::Approved | ReviewState::Implemented => ReviewState::AwaitingApproval,
            s => s,
        };
        while state != stop_at {
            let r = app
                .transition_review(&author, &d.code, Some(version), &Transition::Advance, today)
                .await?;
            version = r.version;
            state = r.value.state;
        }
        for s in &d.sign_offs {
            let who = acting_as(cli, &fw, s.person.as_str())?;
            let r = app
                .transition_review(
                    &who,
                    &d.code,
                    Some(version),
                    &Transition::SignOff(s.role),
                    s.on,
                )
                .await?;
            version = r.version;
            state = r.value.state;
        }
        if state != d.target {
            return Err(demo_error(format!(
                "review {} ended {state}, not {}",
                d.code, d.target
            )));
        }
    }
    Ok(())
}
