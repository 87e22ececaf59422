//! Service review pages (the Delivery Framework): the list with the review
//! schedule, a stepper page per review with what each step still needs, an
//! honest form per step (errors beside their fields, nothing saved until it is
//! valid), the options appraisal side by side with its charts, the decisions
//! (move on, send back, sign off, reject, implement), and the mixed economy.
use crate::AppState;
use crate::chart::{Bar, Stack, bar_chart, stacked_chart};
use crate::extract::{Staff, StaffForm};
use crate::pages::{
    Flash, FormData, capitalise, chrome_for, error_page, form_errors, form_response,
    outcome_choices, render, url_encode,
};
use crate::view::{Cell, Choice, Chrome, Fact, Field, FormView, Link, TableView};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::reviews::{NewReview, PortfolioSchedule, ReviewEdit, Transition};
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::framework::{Framework, Service};
use goldthread_domain::mixed::{Economy, Group, MixedEconomy};
use goldthread_domain::money::{format_pounds_display, format_pounds_plain, parse_pounds};
use goldthread_domain::permission::Write;
use goldthread_domain::review::table::AppraisalTable;
use goldthread_domain::review::{
    Appraisal, Assessment, Check, CheckEntry, CheckStatus, Dimension, DutyMet, EsiaStage, Impact,
    ImpactEntry, Missing, PlannedBenefit, Review, ReviewOption, ReviewState, Score, ServicePlan,
    SignOffRole, Specification, YearCost,
};
use goldthread_domain::{Code, DeliveryModel, OutcomeKind};
use rust_decimal::Decimal;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(list_page).post(create))
        .route("/reviews/new", get(new_form))
        .route("/reviews/cycle", get(cycle_form).post(save_cycle))
        .route("/reviews/{code}", get(review_page))
        .route(
            "/reviews/{code}/step/{step}",
            get(step_form).post(save_step),
        )
        .route("/reviews/{code}/options", post(create_option))
        .route("/reviews/{code}/options/new", get(new_option))
        .route(
            "/reviews/{code}/options/{option}",
            get(edit_option).post(update_option),
        )
        .route(
            "/reviews/{code}/options/{option}/delete",
            get(confirm_delete_option).post(delete_option),
        )
        .route("/reviews/{code}/appraisal.xlsx", get(appraisal_xlsx))
        .route("/reviews/{code}/decide/{action}", post(decide))
        .route("/mixed-economy", get(mixed_page))
        .route("/commissioning", get(commissioning_page))
}

// ----- shared -----

fn path(code: &str) -> String {
    format!("/reviews/{}", url_encode(code))
}

fn state_tag(s: ReviewState) -> Cell {
    let kind = match s {
        ReviewState::Approved | ReviewState::Implemented => "status-green",
        ReviewState::Rejected => "gap",
        ReviewState::AwaitingApproval => "status-amber",
        _ => "some",
    };
    Cell::tag(capitalise(&s.to_string().replace('-', " ")), kind)
}

fn model_name(m: DeliveryModel) -> String {
    capitalise(&m.to_string().replace('-', " "))
}

fn service_name(fw: &Framework, code: &Code) -> String {
    fw.service(code.as_str())
        .map(|s| format!("{} — {}", s.code, s.title))
        .unwrap_or_else(|| code.to_string())
}

/// Whether the caller may work on reviews of this service.
fn may_work(c: &Caller, fw: &Framework, service: &Code) -> bool {
    c.actor.may(Write::Review { service }, fw)
}

/// The steps of the stepper, in order: (state, slug, name).
const STEPS: [(ReviewState, &str, &str); 6] = [
    (ReviewState::Scoping, "scope", "Scope"),
    (ReviewState::Specification, "specification", "Specification"),
    (ReviewState::Appraisal, "appraisal", "Options appraisal"),
    (ReviewState::Planning, "plan", "Service plan"),
    (ReviewState::Assessment, "assessment", "Impact assessment"),
    (ReviewState::AwaitingApproval, "approval", "Approval"),
];

fn step_of(state: ReviewState) -> usize {
    STEPS
        .iter()
        .position(|(s, _, _)| *s == state)
        .unwrap_or(STEPS.len())
}

/// Where a missing field is fixed: the step's form, at the field.
fn missing_href(code: &str, state: ReviewState, m: &Missing) -> String {
    let p = path(code);
    if m.field.starts_with("options[") {
        let i: usize = m
            .field
            .trim_start_matches("options[")
            .split(']')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        return format!("{p}#option-{i}");
    }
    let state = m.step.unwrap_or(state);
    let slug = STEPS
        .iter()
        .find(|(s, _, _)| *s == state)
        .map(|(_, slug, _)| *slug)
        .unwrap_or("scope");
    let field = match m.field.as_str() {
        "options" => return format!("{p}#appraisal"),
        f if f.starts_with("impacts.") => format!("impact_{}", &f["impacts.".len()..]),
        f if f.starts_with("checks.") => format!("check_{}", &f["checks.".len()..]),
        f if f.starts_with("benefits[") => "benefit_0".into(),
        "profile" => "demand".into(),
        f => f.to_string(),
    };
    format!("{p}/step/{slug}#f-{field}")
}

async fn load(
    s: &AppState,
    staff: &Staff,
    code: &str,
) -> Result<(Framework, Rec<Review>), AppError> {
    let fw = s.app.view(&staff.caller).await?.framework;
    let r = s.app.review(&staff.caller, code).await?;
    Ok((fw, r))
}

fn refuse(c: &Caller) -> Response {
    error_page(AppError::Forbidden(format!(
        "Your role ({}) cannot work on this review: the Commissioning Hub, the service's managers, administrators and performance officers can.",
        c.role()
    )))
}

#[derive(Clone)]
pub struct Note {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Default)]
pub struct PageSection {
    pub id: String,
    pub heading: String,
    pub intro: String,
    pub facts: Vec<Fact>,
    pub tables: Vec<TableView>,
    /// (visible caption, SVG).
    pub charts: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub links: Vec<Link>,
}

pub struct StepView {
    pub name: String,
    pub href: String,
    pub status: String,
    pub status_text: String,
    pub current: bool,
}

pub struct Decision {
    pub id: String,
    pub action: String,
    pub button: String,
    pub class: String,
    pub reason: bool,
    pub reason_label: String,
    pub reason_value: String,
    pub reason_error: Option<String>,
}

#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub code: String,
    pub heading: String,
    pub steps: Vec<StepView>,
    pub facts: Vec<Fact>,
    pub missing_heading: String,
    pub missing: Vec<Note>,
    pub errors: Vec<Note>,
    pub actions: Vec<Link>,
    pub decisions: Vec<Decision>,
    pub version: i64,
    pub sections: Vec<PageSection>,
}

#[derive(Template)]
#[template(path = "charts.html")]
pub struct ChartsPage {
    pub chrome: Chrome,
    pub caption: String,
    pub heading: String,
    pub intro: String,
    pub actions: Vec<Link>,
    pub sections: Vec<PageSection>,
}

// ----- the list and the schedule -----

async fn list_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let today = time::OffsetDateTime::now_utc().date();
    let (fw, reviews, schedule, cycle) = match async {
        Ok::<_, AppError>((
            s.app.view(c).await?.framework,
            s.app.reviews(c).await?,
            s.app.review_schedule(c, today).await?,
            s.app.review_cycle(c).await?,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut t = TableView::new(
        "Reviews",
        &["Review", "Service", "Step", "Preferred option", "Opened by"],
    )
    .empty("No reviews yet.");
    for r in &reviews {
        let v = &r.value;
        t.rows.push(vec![
            Cell::link(format!("{} — {}", v.code, v.title), path(v.code.as_str())),
            Cell::link(
                service_name(&fw, &v.service),
                format!("/services/{}", url_encode(v.service.as_str())),
            ),
            state_tag(v.state),
            Cell::text(
                v.preferred()
                    .map(|o| format!("{} ({})", o.title, model_name(o.delivery_model)))
                    .unwrap_or_else(|| "Not chosen yet".into()),
            ),
            Cell::text(v.author.to_string()),
        ]);
    }
    let may_open = fw.services.iter().any(|x| may_work(c, &fw, &x.code));
    let mut actions = Vec::new();
    if may_open {
        actions.push(Link::new("/reviews/new", "Open a review"));
    }
    actions.push(Link::new("/mixed-economy", "See the mixed economy"));
    actions.push(Link::new("/commissioning", "Commissioning and contracts"));
    if c.actor.may(Write::ImportFramework, &fw) {
        actions.push(Link::new(
            "/reviews/cycle",
            format!("Change the review cycle ({cycle} years)"),
        ));
    }
    let mut sections = vec![PageSection {
        id: "reviews".into(),
        heading: "Reviews".into(),
        intro: "Each review takes one service through the Delivery Framework: scope, specification, options appraisal, service plan, impact assessment, and approval by the service's Outcome Leader and Service Manager.".into(),
        tables: vec![t],
        ..Default::default()
    }];
    sections.push(schedule_section(&schedule, today, cycle));
    let mut chrome = chrome_for(&staff, "Service reviews", "reviews");
    chrome.flash = flash.text();
    render(
        StatusCode::OK,
        ChartsPage {
            chrome,
            caption: String::new(),
            heading: "Service reviews".into(),
            intro: String::new(),
            actions,
            sections,
        },
    )
}

fn schedule_section(schedule: &[PortfolioSchedule], today: time::Date, cycle: u8) -> PageSection {
    let mut summary = TableView::new(
        "Reviews due by portfolio",
        &[
            "Portfolio",
            "Overdue",
            "Due within 6 months",
            "No review date",
        ],
    )
    .numeric(&[1, 2, 3]);
    let mut detail = TableView::new(
        "Services due or overdue for review",
        &[
            "Service",
            "Portfolio",
            "Next review",
            "Due",
            "Review under way",
        ],
    )
    .empty("No service is due for review in the next 6 months.");
    for p in schedule {
        summary.rows.push(vec![
            Cell::text(format!("{} — {}", p.portfolio, p.title)),
            Cell::num(p.overdue.to_string()),
            Cell::num(p.due_soon.to_string()),
            Cell::num(p.no_date.to_string()),
        ]);
        for d in &p.services {
            detail.rows.push(vec![
                Cell::link(
                    format!("{} — {}", d.service, d.title),
                    format!("/services/{}", url_encode(d.service.as_str())),
                ),
                Cell::text(p.title.clone()),
                Cell::text(
                    d.next_review
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "Not set".into()),
                ),
                match d.due.as_str() {
                    "overdue" => Cell::tag("Overdue", "gap"),
                    "due-soon" => Cell::tag("Due soon", "status-amber"),
                    _ => Cell::tag("No date", "some"),
                },
                match (&d.open_review, d.open_review_state) {
                    (Some(r), Some(st)) => Cell::link(
                        format!("{r} ({})", st.to_string().replace('-', " ")),
                        path(r.as_str()),
                    ),
                    _ => Cell::text("None"),
                },
            ]);
        }
    }
    PageSection {
        id: "schedule".into(),
        heading: "Review schedule".into(),
        intro: format!(
            "Services whose next review date has passed or falls within 6 months of {today}. Every service is reviewed every {cycle} years: approving a review sets its next date."
        ),
        tables: vec![summary, detail],
        ..Default::default()
    }
}

// ----- opening a review -----

fn new_fields(fw: &Framework, c: &Caller) -> Vec<Field> {
    vec![
        Field::new("text", "code", "Code", "")
            .hint("A short unique reference, e.g. REV-2026-WASTE. It cannot change later.")
            .required(),
        Field::new("text", "title", "Title", "").required(),
        Field::new("select", "service", "Service", "")
            .hint("Its intended outcomes come from the matrix and its cost, FTE and indicator statuses are recorded as they are today.")
            .required()
            .choices(
                std::iter::once(Choice {
                    value: String::new(),
                    label: "Choose a service".into(),
                    selected: true,
                })
                .chain(
                    fw.services
                        .iter()
                        .filter(|s| may_work(c, fw, &s.code))
                        .map(|s| Choice {
                            value: s.code.to_string(),
                            label: format!("{} — {}", s.code, s.title),
                            selected: false,
                        }),
                )
                .collect(),
            ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn plain_form(
    staff: &Staff,
    heading: String,
    action: String,
    cancel: String,
    submit: &str,
    fields: Vec<Field>,
    version: Option<i64>,
    errors: Vec<(String, String)>,
) -> Response {
    let form = FormView {
        heading,
        caption: "Service review".into(),
        action,
        fields,
        submit: submit.into(),
        cancel,
        version,
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "reviews", form)
}

async fn new_form(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.view(&staff.caller).await {
        Ok(v) => plain_form(
            &staff,
            "Open a service review".into(),
            "/reviews".into(),
            "/reviews".into(),
            "Open review",
            new_fields(&v.framework, &staff.caller),
            None,
            vec![],
        ),
        Err(e) => error_page(e),
    }
}

async fn create(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let n = NewReview {
        code: form.get("code"),
        title: form.get("title"),
        service: form.get("service"),
    };
    let today = time::OffsetDateTime::now_utc().date();
    match s.app.open_review(&staff.caller, &n, today).await {
        Ok(r) => {
            Redirect::to(&format!("{}?saved=created", path(r.value.code.as_str()))).into_response()
        }
        Err(e) => match (form_errors(&e), s.app.view(&staff.caller).await) {
            (Some(errors), Ok(v)) => {
                let mut fields = new_fields(&v.framework, &staff.caller);
                form.refill(&mut fields);
                plain_form(
                    &staff,
                    "Open a service review".into(),
                    "/reviews".into(),
                    "/reviews".into(),
                    "Open review",
                    fields,
                    None,
                    errors,
                )
            }
            _ => error_page(e),
        },
    }
}

// ----- the review page -----

async fn review_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    match load(&s, &staff, &code).await {
        Ok((fw, r)) => {
            show_review(
                &s,
                &staff,
                &fw,
                &r,
                flash.text(),
                vec![],
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

fn text_or(s: &str, none: &str) -> String {
    if s.trim().is_empty() {
        none.to_string()
    } else {
        s.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_review(
    s: &AppState,
    staff: &Staff,
    fw: &Framework,
    rec: &Rec<Review>,
    flash: Option<String>,
    errors: Vec<Note>,
    failed: Option<(&str, String, Option<String>)>,
    status: StatusCode,
) -> Response {
    let c = &staff.caller;
    let r = &rec.value;
    let code = r.code.as_str();
    let p = path(code);
    let svc = fw.service(r.service.as_str());
    let current_model = svc.map_or(DeliveryModel::SelfDelivery, |x| x.delivery_model);
    let work = may_work(c, fw, &r.service);
    let at = step_of(r.state);
    let steps = STEPS
        .iter()
        .enumerate()
        .map(|(i, (_, slug, name))| {
            let (status, text) = match r.state {
                ReviewState::Approved | ReviewState::Implemented => ("done", "done"),
                ReviewState::Rejected if i == STEPS.len() - 1 => ("current", "rejected"),
                ReviewState::Rejected => ("done", "done"),
                _ if i < at => ("done", "done"),
                _ if i == at => ("current", "current step"),
                _ => ("todo", "to do"),
            };
            StepView {
                name: name.to_string(),
                href: format!("#{slug}"),
                status: status.into(),
                status_text: text.into(),
                current: status == "current",
            }
        })
        .chain(std::iter::once(StepView {
            name: "Implement and review".into(),
            href: "#implement".into(),
            status: match r.state {
                ReviewState::Implemented => "done",
                ReviewState::Approved => "current",
                _ => "todo",
            }
            .into(),
            status_text: match r.state {
                ReviewState::Implemented => "done",
                ReviewState::Approved => "current step",
                _ => "to do",
            }
            .into(),
            current: r.state == ReviewState::Approved,
        }))
        .collect();
    let mut facts = vec![
        Fact::new(
            "Service",
            vec![Cell::link(
                service_name(fw, &r.service),
                format!("/services/{}", url_encode(r.service.as_str())),
            )],
        ),
        Fact::new("Step", vec![state_tag(r.state)]),
        Fact::text("Delivered today as", model_name(current_model)),
        Fact::text("Opened by", r.author.to_string()),
    ];
    if let Some(o) = r.preferred() {
        facts.push(Fact::text(
            "Preferred option",
            format!(
                "{} — {} ({})",
                o.code,
                o.title,
                model_name(o.delivery_model)
            ),
        ));
    }
    if let Some(n) = svc.and_then(|x| x.next_review) {
        facts.push(Fact::text("Service's next review", n.to_string()));
    }
    let missing: Vec<Note> = r
        .missing(current_model)
        .iter()
        .map(|m| Note {
            text: match m.step.filter(|s| *s != r.state) {
                Some(step) => format!(
                    "{} ({}): {}",
                    field_label(&m.field),
                    STEPS
                        .iter()
                        .find(|(s, _, _)| *s == step)
                        .map(|(_, _, n)| n.to_lowercase())
                        .unwrap_or_default(),
                    m.message
                ),
                None => format!("{}: {}", field_label(&m.field), m.message),
            },
            href: Some(missing_href(code, r.state, m)),
        })
        .collect();
    let mut actions = Vec::new();
    let mut decisions = Vec::new();
    let decision = |action: &str, button: &str, class: &str| Decision {
        id: format!("reason-{action}"),
        action: format!("{p}/decide/{action}"),
        button: button.into(),
        class: class.into(),
        reason: false,
        reason_label: String::new(),
        reason_value: String::new(),
        reason_error: None,
    };
    let with_reason = |mut d: Decision, label: &str| {
        d.reason = true;
        d.reason_label = label.into();
        if let Some((a, value, err)) = &failed
            && d.action.ends_with(&format!("/decide/{a}"))
        {
            d.reason_value = value.clone();
            d.reason_error = err.clone();
        }
        d
    };
    if work && r.state.open() {
        if let Some((_, slug, name)) = STEPS.get(at)
            && r.state != ReviewState::AwaitingApproval
        {
            actions.push(Link::new(
                format!("{p}/step/{slug}"),
                format!("Edit the {}", name.to_lowercase()),
            ));
        }
        if r.state == ReviewState::Appraisal {
            actions.push(Link::new(format!("{p}/options/new"), "Add an option"));
        }
        if let Some(next) = r.state.next() {
            let name = STEPS
                .iter()
                .find(|(s, _, _)| *s == next)
                .map(|(_, _, n)| *n)
                .unwrap_or("the next step");
            let label = if next == ReviewState::AwaitingApproval {
                "Submit for approval".to_string()
            } else {
                format!("Move on to {}", name.to_lowercase())
            };
            decisions.push(decision("advance", &label, ""));
        }
    }
    if work && r.state.previous().is_some() {
        decisions.push(with_reason(
            decision("send-back", "Send back a step", "button-secondary"),
            "Why is it being sent back?",
        ));
    }
    if r.state == ReviewState::AwaitingApproval {
        if let Ok(Some(role)) = s.app.sign_off_role(c, r).await
            && !r
                .approval
                .sign_offs
                .iter()
                .any(|x| x.person == c.actor.email)
            && !r.approval.sign_offs.iter().any(|x| x.role == role)
        {
            decisions.push(decision(
                "sign-off",
                &format!(
                    "Sign off as {}",
                    match role {
                        SignOffRole::OutcomeLeader => "Outcome Leader",
                        SignOffRole::ServiceManager => "Service Manager",
                    }
                ),
                "",
            ));
        }
        if work {
            actions.push(Link::new(
                format!("{p}/step/approval"),
                "Record the committee decision",
            ));
            decisions.push(with_reason(
                decision("reject", "Reject", "button-warning"),
                "Why is it rejected?",
            ));
        }
    }
    if work && r.state == ReviewState::Approved {
        decisions.push(decision("implement", "Mark implemented", ""));
    }
    actions.push(Link::new(
        format!("{p}/appraisal.xlsx"),
        "Download the appraisal (Excel)",
    ));
    let history = s
        .app
        .history(c, "review", &rec.id)
        .await
        .unwrap_or_default();
    let mut sections = review_sections(fw, r, work, &history);
    let risks = s
        .app
        .risk_items(c, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap_or_default();
    let arising: Vec<&goldthread_app::risks::RiskItem> = risks
        .iter()
        .filter(|i| i.risk.review.as_ref() == Some(&r.code))
        .collect();
    sections.insert(
        sections.len() - 1,
        PageSection {
            id: "risks".into(),
            heading: "Risks arising from this review".into(),
            tables: vec![crate::risks::risk_table(
                "Risks arising from this review",
                &arising,
                "No risk in the register names this review.",
            )],
            links: vec![Link::new("/risks/new", "Add a risk")],
            ..Default::default()
        },
    );
    let mut chrome = chrome_for(staff, &r.title, "reviews");
    if !errors.is_empty() {
        chrome.title = format!("Error: {}", r.title);
    }
    chrome.flash = flash;
    render(
        status,
        ReviewPage {
            chrome,
            code: code.to_string(),
            heading: r.title.clone(),
            steps,
            facts,
            missing_heading: "Before this review can move on".into(),
            missing,
            errors,
            actions,
            decisions,
            version: rec.version,
            sections,
        },
    )
}

fn field_label(field: &str) -> String {
    let f = field.split('.').next_back().unwrap_or(field);
    let f = if field.starts_with("options[") {
        field
    } else {
        f
    };
    match f {
        "esia" => "E-S-I-A stage".into(),
        "outcomes" => "Intended outcomes".into(),
        "profile" => "Current profile".into(),
        "quality_safety" => "Quality and safety".into(),
        "discount_rate" => "Discount rate".into(),
        "preferred" => "Preferred option".into(),
        f if f.starts_with("options[") => "Option".into(),
        f if field.starts_with("impacts.") => f
            .parse::<Dimension>()
            .map(|d| capitalise(&d.to_string().replace('-', " ")))
            .unwrap_or_else(|_| f.to_string()),
        f if field.starts_with("checks.") => capitalise(&f.replace('-', " ")),
        f => capitalise(&f.replace('_', " ")),
    }
}

fn money(p: i64) -> String {
    format_pounds_display(p)
}

fn review_sections(
    fw: &Framework,
    r: &Review,
    work: bool,
    history: &[goldthread_store::audit::AuditRow],
) -> Vec<PageSection> {
    let p = path(r.code.as_str());
    let open = r.state.open();
    let edit = |slug: &str, text: &str| {
        if work && open {
            vec![Link::new(format!("{p}/step/{slug}"), text)]
        } else {
            vec![]
        }
    };
    // 1. Scope.
    let sc = &r.scope;
    let mut scope_facts = vec![
        Fact::new(
            "Intended outcomes",
            if sc.outcomes.is_empty() {
                vec![Cell::text("None yet")]
            } else {
                sc.outcomes
                    .iter()
                    .map(|o| {
                        Cell::link(
                            fw.outcome(o.as_str())
                                .map(|x| format!("{o} — {}", x.title))
                                .unwrap_or_else(|| o.to_string()),
                            format!("/outcomes/{}", url_encode(o.as_str())),
                        )
                    })
                    .collect()
            },
        ),
        Fact::text(
            "Statutory duties",
            text_or(&sc.statutory_duties.join("\n"), "None listed"),
        ),
        Fact::text(
            "Funding constraints",
            text_or(&sc.funding_constraints, "None recorded"),
        ),
        Fact::text(
            "E-S-I-A stage",
            sc.esia
                .map(|e| capitalise(e.as_str()))
                .unwrap_or_else(|| "Not chosen yet".into()),
        ),
    ];
    if let Some(pr) = &sc.profile {
        scope_facts.extend([
            Fact::text(
                "Cost when scoped",
                format!(
                    "{} gross, {} net",
                    money(pr.gross_cost_pence),
                    money(pr.net_budget_pence)
                ),
            ),
            Fact::text(
                "FTE when scoped",
                (Decimal::from(pr.fte_hundredths) / Decimal::ONE_HUNDRED)
                    .normalize()
                    .to_string(),
            ),
            Fact::text("Demand", text_or(&pr.demand, "Not recorded")),
            Fact::text(
                "Performance when scoped",
                text_or(&pr.performance, "No indicator results"),
            ),
            Fact::text("Customer feedback", text_or(&pr.feedback, "Not recorded")),
        ]);
    }
    let mut sections = vec![PageSection {
        id: "scope".into(),
        heading: "1. Scope".into(),
        intro: "What the service is for, what the law requires of it, and how it is doing today."
            .into(),
        facts: scope_facts,
        links: edit("scope", "Edit the scope"),
        ..Default::default()
    }];
    // 2. Specification.
    let sp = &r.specification;
    sections.push(PageSection {
        id: "specification".into(),
        heading: "2. Specification".into(),
        facts: vec![
            Fact::text(
                "Scope of the service",
                text_or(&sp.scope, "Not written yet"),
            ),
            Fact::text("Volumes", text_or(&sp.volumes, "Not written yet")),
            Fact::text(
                "Service standards",
                text_or(&sp.standards, "Not written yet"),
            ),
            Fact::text(
                "Quality and safety",
                text_or(&sp.quality_safety, "Not written yet"),
            ),
        ],
        links: edit("specification", "Edit the specification"),
        ..Default::default()
    });
    // 3. Appraisal.
    sections.extend(appraisal_sections(r, work && open));
    // 4. Plan.
    let pl = &r.plan;
    let mut benefits = TableView::new(
        "Benefits the plan expects",
        &["Benefit", "Cashable saving a year"],
    )
    .numeric(&[1])
    .empty("No benefits listed yet.");
    for b in &pl.benefits {
        benefits.rows.push(vec![
            Cell::text(b.description.clone()),
            Cell::num(money(b.annual_saving_pence)),
        ]);
    }
    sections.push(PageSection {
        id: "plan".into(),
        heading: "4. Service plan".into(),
        intro: "Benefits are kept on the review; they join the benefits register when it exists."
            .into(),
        facts: vec![
            Fact::text("Costs", text_or(&pl.costs, "Not written yet")),
            Fact::text("Resources", text_or(&pl.resources, "Not written yet")),
            Fact::text(
                "Quality and safety",
                text_or(&pl.quality_safety, "Not written yet"),
            ),
        ],
        tables: vec![benefits],
        links: edit("plan", "Edit the service plan"),
        ..Default::default()
    });
    // 5. Assessment.
    let a = &r.assessment;
    let mut impacts = TableView::new(
        "Equality and Fairer Scotland impact assessment",
        &["Group", "Impact", "Evidence", "Mitigation"],
    );
    for d in Dimension::ALL {
        let e = a.impacts.iter().find(|x| x.dimension == *d);
        impacts.rows.push(vec![
            Cell::text(format!(
                "{}{}",
                capitalise(&d.to_string().replace('-', " ")),
                if d.socio_economic() {
                    " (Fairer Scotland)"
                } else {
                    ""
                }
            )),
            match e.map(|x| x.impact) {
                Some(Impact::Positive) => Cell::tag("Positive", "status-green"),
                Some(Impact::Negative) => Cell::tag("Negative", "gap"),
                Some(i) => Cell::tag(capitalise(i.as_str()), "some"),
                None => Cell::text("Not assessed"),
            },
            Cell::text(e.map(|x| x.evidence.clone()).unwrap_or_default()),
            Cell::text(e.map(|x| x.mitigation.clone()).unwrap_or_default()),
        ]);
    }
    let mut checks = TableView::new("Compliance checks", &["Check", "Status", "Note"]);
    for k in Check::ALL {
        let e = a.checks.iter().find(|x| x.check == *k);
        checks.rows.push(vec![
            Cell::text(capitalise(&k.to_string().replace('-', " "))),
            match e.map(|x| x.status) {
                Some(CheckStatus::Done) => Cell::tag("Done", "status-green"),
                Some(CheckStatus::NotNeeded) => Cell::tag("Not needed", "some"),
                Some(CheckStatus::Outstanding) => Cell::tag("Outstanding", "gap"),
                None => Cell::text("Not recorded"),
            },
            Cell::text(e.map(|x| x.note.clone()).unwrap_or_default()),
        ]);
    }
    sections.push(PageSection {
        id: "assessment".into(),
        heading: "5. Impact assessment and compliance".into(),
        intro: "The nine protected characteristics of the Equality Act 2010 and the five socio-economic dimensions of the Fairer Scotland Duty. A negative impact needs its mitigation; no compliance check may be outstanding at approval.".into(),
        tables: vec![impacts, checks],
        links: edit("assessment", "Edit the impact assessment"),
        ..Default::default()
    });
    // 6. Approval.
    let ap = &r.approval;
    let mut signed = TableView::new("Sign-offs", &["Signed as", "By", "On"]).empty(
        "Nobody has signed yet. The service's Outcome Leader and Service Manager each sign.",
    );
    for so in &ap.sign_offs {
        signed.rows.push(vec![
            Cell::text(match so.role {
                SignOffRole::OutcomeLeader => "Outcome Leader",
                SignOffRole::ServiceManager => "Service Manager",
            }),
            Cell::text(so.person.to_string()),
            Cell::text(so.on.to_string()),
        ]);
    }
    let mut approval_facts = vec![
        Fact::text(
            "Committee decision",
            text_or(&ap.committee_reference, "Not recorded"),
        ),
        Fact::text(
            "Committee date",
            ap.committee_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "Not recorded".into()),
        ),
    ];
    if let Some(d) = ap.decided_on {
        approval_facts.push(Fact::text("Decided on", d.to_string()));
    }
    if !ap.rejection_reason.is_empty() {
        approval_facts.push(Fact::text(
            "Reason for rejection",
            ap.rejection_reason.clone(),
        ));
    }
    sections.push(PageSection {
        id: "approval".into(),
        heading: "6. Approval".into(),
        intro: "Two keys: the Outcome Leader of the service's portfolio and the service's Service Manager, two different people. On approval the service takes the preferred option's delivery model and its next review date is set.".into(),
        facts: approval_facts,
        tables: vec![signed],
        links: if work && !matches!(r.state, ReviewState::Rejected) {
            vec![Link::new(format!("{p}/step/approval"), "Record the committee decision")]
        } else {
            vec![]
        },
        ..Default::default()
    });
    sections.push(PageSection {
        id: "implement".into(),
        heading: "7. Implement and review".into(),
        facts: vec![Fact::text(
            "Implemented on",
            ap.implemented_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "Not yet".into()),
        )],
        ..Default::default()
    });
    sections.push(PageSection {
        id: "history".into(),
        heading: "History".into(),
        tables: vec![review_history(history)],
        ..Default::default()
    });
    sections
}

/// A review's history: who did what, when, and why (the steps' content is in
/// the audit trail; here each row says what moved).
fn review_history(rows: &[goldthread_store::audit::AuditRow]) -> TableView {
    let mut t = TableView::new("Changes to this review", &["When", "Who", "What", "Detail"])
        .empty("No changes recorded.");
    let state = |v: &serde_json::Value| v.as_str().unwrap_or("").replace('-', " ");
    for r in rows {
        let what = match r.action.as_str() {
            "create" => "Opened",
            "update" => "Edited",
            "advance" => "Moved on",
            "send-back" => "Sent back",
            "sign-off" => "Signed off",
            "reject" => "Rejected",
            "implement" => "Implemented",
            other => other,
        };
        let detail = match &r.context {
            Some(c) if c.get("from").is_some() => {
                let mut d = format!("{} → {}", state(&c["from"]), state(&c["to"]));
                if let Some(reason) = c.get("reason").and_then(|x| x.as_str()) {
                    d.push_str(&format!(": “{reason}”"));
                }
                d
            }
            _ => match (&r.before, &r.after) {
                (Some(b), Some(a)) => {
                    let parts: Vec<&str> = [
                        "title",
                        "scope",
                        "specification",
                        "appraisal",
                        "plan",
                        "assessment",
                        "approval",
                    ]
                    .into_iter()
                    .filter(|k| b["value"][*k] != a["value"][*k])
                    .collect();
                    if parts.is_empty() {
                        "No change".into()
                    } else {
                        format!("Changed: {}", parts.join(", "))
                    }
                }
                _ => String::new(),
            },
        };
        t.rows.push(vec![
            Cell::text(r.at.replace('T', " ").chars().take(19).collect::<String>()),
            Cell::text(r.actor.clone()),
            Cell::text(what),
            Cell::text(detail),
        ]);
    }
    t
}

fn appraisal_sections(r: &Review, editable: bool) -> Vec<PageSection> {
    let p = path(r.code.as_str());
    let a = &r.appraisal;
    let t = AppraisalTable::of(a);
    let mut table = TableView::new(
        "Options side by side",
        &[
            "Option",
            "Model",
            "Net present cost",
            "Saving vs status quo",
            "Score (0–100)",
            "Risk (1–25)",
            "Duties",
            "Rank",
        ],
    )
    .numeric(&[2, 3, 4, 5, 7])
    .empty("No options yet: add the status quo and at least one alternative.");
    for o in &t.options {
        let mut label = format!("{} — {}", o.code, o.title);
        if o.status_quo {
            label.push_str(" (status quo)");
        }
        if o.preferred {
            label.push_str(" (preferred)");
        }
        table.rows.push(vec![
            if editable {
                Cell::link(
                    label,
                    format!("{p}/options/{}", url_encode(o.code.as_str())),
                )
            } else {
                Cell::text(label)
            },
            Cell::text(format!(
                "{}{}",
                model_name(o.delivery_model),
                if o.regional { ", regional" } else { "" }
            )),
            Cell::num(money(o.npc_pence)),
            Cell::num(
                o.saving_vs_status_quo_pence
                    .map(money)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::num(
                o.weighted_score
                    .map(|s| format!("{s:.1}"))
                    .unwrap_or_else(|| "Not scored".into()),
            ),
            Cell::num(o.risk_score.to_string()),
            if o.fails_statutory {
                Cell::tag(
                    match o.failing_duties.len() {
                        1 => "Fails 1 duty".to_string(),
                        n => format!("Fails {n} duties"),
                    },
                    "gap",
                )
            } else if r.scope.statutory_duties.is_empty() {
                Cell::text("None listed")
            } else {
                Cell::tag("Meets all", "status-green")
            },
            Cell::num(
                o.rank
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "Not ranked".into()),
            ),
        ]);
    }
    // Year by year.
    let mut years = TableView::new(
        "Costs year by year (one-off + recurring, and present value)",
        &[
            "Option",
            "Year",
            "One-off",
            "Recurring",
            "Discount factor",
            "Present value",
        ],
    )
    .numeric(&[1, 2, 3, 4, 5]);
    for o in &t.options {
        for y in &o.years {
            years.rows.push(vec![
                Cell::text(o.code.to_string()),
                Cell::num((y.year_index + 1).to_string()),
                Cell::num(money(y.one_off_pence)),
                Cell::num(money(y.recurring_pence)),
                Cell::num(format!("{:.6}", y.discount_factor)),
                Cell::num(money(y.present_value_pence)),
            ]);
        }
    }
    let mut criteria =
        TableView::new("Criteria and weights", &["Criterion", "Weight"]).numeric(&[1]);
    for c in &a.criteria {
        criteria.rows.push(vec![
            Cell::text(c.name.clone()),
            Cell::num(c.weight.normalize().to_string()),
        ]);
    }
    let npc_bars: Vec<Bar> = t
        .options
        .iter()
        .map(|o| Bar {
            label: format!(
                "{} {}",
                o.code,
                if o.status_quo { "(status quo)" } else { "" }
            )
            .trim()
            .to_string(),
            value: o.npc_pence as f64 / 100.0,
            text: format!(
                "{}{}",
                money(o.npc_pence),
                if o.fails_statutory {
                    " — fails a duty"
                } else {
                    ""
                }
            ),
            muted: o.fails_statutory,
        })
        .collect();
    let score_bars: Vec<Bar> = t
        .options
        .iter()
        .map(|o| Bar {
            label: o.code.to_string(),
            value: o.weighted_score.unwrap_or(0.0),
            text: match (o.weighted_score, o.rank) {
                (Some(s), Some(k)) => format!("{s:.1} — rank {k}"),
                (Some(s), None) => format!("{s:.1} — not ranked"),
                _ => "not scored".into(),
            },
            muted: o.fails_statutory,
        })
        .collect();
    let mut notes: Vec<String> = t.method.clone();
    for o in &t.options {
        notes.push(format!("{}: {}", o.code, o.explanation.npc));
        notes.push(format!("{}: {}", o.code, o.explanation.saving));
        notes.push(format!("{}: {}", o.code, o.explanation.weighted_score));
        notes.push(format!("{}: {}", o.code, o.explanation.rank));
    }
    if let Some(pref) = &a.preferred {
        notes.push(format!(
            "Preferred: {pref}. Rationale: {}",
            text_or(&a.rationale, "not given yet")
        ));
    }
    let mut links = Vec::new();
    if editable {
        links.push(Link::new(format!("{p}/options/new"), "Add an option"));
        for o in t.options.iter().filter(|o| !o.preferred) {
            links.push(Link::new(
                format!("{p}/options/{}/delete", url_encode(o.code.as_str())),
                format!("Remove option {}", o.code),
            ));
        }
        links.push(Link::new(
            format!("{p}/step/appraisal"),
            "Change the period, rate, weights or preferred option",
        ));
    }
    let mut charts = Vec::new();
    if !t.options.is_empty() {
        charts.push((
            "Net present cost by option".to_string(),
            bar_chart(
            "npc-chart",
            "Net present cost by option",
            "Each option's net present cost over the appraisal period; options that fail a statutory duty are hatched. The figures are in the table above.",
            &npc_bars,
        )));
        charts.push((
            "Weighted criteria score by option (0–100)".to_string(),
            bar_chart(
            "score-chart",
            "Weighted criteria score by option (0–100)",
            "Each option's weighted score against the criteria, with its rank. The figures are in the table above.",
            &score_bars,
        )));
    }
    vec![
        PageSection {
            id: "appraisal".into(),
            heading: "3. Options appraisal".into(),
            intro: format!(
                "Every option side by side over {} years at a discount rate of {}%. Options that fail a statutory duty are flagged, not ranked, and cannot be preferred. How each figure is reached is set out under “Appraisal workings”.",
                a.years,
                (a.discount_rate * Decimal::ONE_HUNDRED).normalize()
            ),
            tables: vec![table],
            charts,
            links,
            ..Default::default()
        },
        PageSection {
            id: "workings".into(),
            heading: "Appraisal workings".into(),
            intro: "The method, each option's figures worked through with its own numbers, the criteria's weights and the costs year by year.".into(),
            notes,
            tables: vec![criteria, years],
            ..Default::default()
        },
    ]
}

// ----- decisions -----

async fn decide(
    State(s): State<AppState>,
    Path((code, action)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let (fw, rec) = match load(&s, &staff, &code).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let reason = form.get("reason");
    let t = match action.as_str() {
        "advance" => Transition::Advance,
        "send-back" => Transition::SendBack(reason.clone()),
        "reject" => Transition::Reject(reason.clone()),
        "implement" => Transition::Implement,
        "sign-off" => match s.app.sign_off_role(&staff.caller, &rec.value).await {
            Ok(Some(role)) => Transition::SignOff(role),
            Ok(None) => {
                return error_page(AppError::Forbidden(format!(
                    "Only the service's Outcome Leader and Service Manager sign a review off; {} is neither.",
                    staff.caller.actor.email
                )));
            }
            Err(e) => return error_page(e),
        },
        _ => return error_page(AppError::NotFound(format!("No action '{action}'."))),
    };
    let today = time::OffsetDateTime::now_utc().date();
    match s
        .app
        .transition_review(&staff.caller, &code, form.version(), &t, today)
        .await
    {
        Ok(r) => {
            let saved = match (&t, r.value.state) {
                (Transition::SignOff(_), ReviewState::Approved) => "approved",
                (Transition::SignOff(_), _) => "signed",
                (Transition::Advance, _) => "advanced",
                (Transition::SendBack(_), _) => "sent-back",
                (Transition::Reject(_), _) => "rejected",
                (Transition::Implement, _) => "implemented",
            };
            Redirect::to(&format!("{}?saved={saved}", path(&code))).into_response()
        }
        Err(AppError::Validation(v)) => {
            let reason_error = v
                .iter()
                .find(|e| e.field == "reason")
                .map(|e| e.message.clone());
            let notes = v
                .iter()
                .map(|e| Note {
                    text: format!("{}: {}", field_label(&e.field), e.message),
                    href: Some(if e.field == "reason" {
                        format!("#reason-{action}")
                    } else {
                        missing_href(
                            &code,
                            rec.value.state,
                            &Missing {
                                step: None,
                                field: e.field.clone(),
                                message: e.message.clone(),
                            },
                        )
                    }),
                })
                .collect();
            show_review(
                &s,
                &staff,
                &fw,
                &rec,
                None,
                notes,
                Some((action.as_str(), reason, reason_error)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::FORBIDDEN
            };
            show_review(
                &s,
                &staff,
                &fw,
                &rec,
                None,
                vec![Note {
                    text: e.to_string(),
                    href: None,
                }],
                None,
                status,
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

// ----- step forms -----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Scope,
    Specification,
    Appraisal,
    Plan,
    Assessment,
    Approval,
}

impl Step {
    fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "scope" => Step::Scope,
            "specification" => Step::Specification,
            "appraisal" => Step::Appraisal,
            "plan" => Step::Plan,
            "assessment" => Step::Assessment,
            "approval" => Step::Approval,
            _ => return None,
        })
    }
    fn slug(self) -> &'static str {
        match self {
            Step::Scope => "scope",
            Step::Specification => "specification",
            Step::Appraisal => "appraisal",
            Step::Plan => "plan",
            Step::Assessment => "assessment",
            Step::Approval => "approval",
        }
    }
    fn heading(self) -> &'static str {
        match self {
            Step::Scope => "Scope",
            Step::Specification => "Specification",
            Step::Appraisal => "Appraisal period, rate, weights and preferred option",
            Step::Plan => "Service plan",
            Step::Assessment => "Impact assessment and compliance checks",
            Step::Approval => "Committee decision",
        }
    }
}

fn select(name: &str, label: &str, blank: &str, values: &[(&str, String)], chosen: &str) -> Field {
    let mut choices = vec![Choice {
        value: String::new(),
        label: blank.into(),
        selected: chosen.is_empty(),
    }];
    choices.extend(values.iter().map(|(v, l)| Choice {
        value: v.to_string(),
        label: l.clone(),
        selected: *v == chosen,
    }));
    Field::new("select", name, label, "").choices(choices)
}

fn heading(name: &str, label: &str, hint: &str) -> Field {
    Field::new("heading", name, label, "").hint(hint)
}

fn step_fields(fw: &Framework, r: &Review, step: Step) -> Vec<Field> {
    match step {
        Step::Scope => {
            let sc = &r.scope;
            let pr = sc.profile.clone().unwrap_or_default();
            vec![
                Field::new("checkboxes", "outcomes", "Intended outcomes", "")
                    .hint("Pre-filled from the Outcomes & Delivery Matrix when the review was opened.")
                    .choices(outcome_choices(
                        fw,
                        &[
                            OutcomeKind::National,
                            OutcomeKind::Local,
                            OutcomeKind::Priority,
                            OutcomeKind::Theme,
                        ],
                        &sc.outcomes,
                    )),
                Field::new(
                    "textarea",
                    "statutory_duties",
                    "Statutory duties",
                    sc.statutory_duties.join("\n"),
                )
                .hint("One per line, with its legal reference, e.g. “Collect household waste (Environmental Protection Act 1990 s.45)”. Every option is assessed against each."),
                Field::new(
                    "textarea",
                    "funding_constraints",
                    "Funding constraints",
                    sc.funding_constraints.clone(),
                )
                .hint("Ring-fenced funds, grant conditions, legal limits on charging."),
                select(
                    "esia",
                    "E-S-I-A stage",
                    "Not chosen yet",
                    &EsiaStage::ALL
                        .iter()
                        .map(|e| (e.as_str(), capitalise(e.as_str())))
                        .collect::<Vec<_>>(),
                    sc.esia.map(|e| e.as_str()).unwrap_or(""),
                )
                .hint("Eliminate waste and stop what is neither mandatory nor a priority; simplify before changing; integrate jobs, teams, assets and suppliers; automate."),
                Field::new("textarea", "demand", "Demand", pr.demand)
                    .hint("Volumes and trends today, e.g. households served, referrals a year."),
                Field::new("textarea", "feedback", "Customer feedback", pr.feedback)
                    .hint("Complaints, compliments, survey results, consultation findings."),
            ]
        }
        Step::Specification => {
            let sp = &r.specification;
            vec![
                Field::new(
                    "textarea",
                    "scope",
                    "Scope of the service",
                    sp.scope.clone(),
                )
                .required(),
                Field::new("textarea", "volumes", "Volumes", sp.volumes.clone()).required(),
                Field::new(
                    "textarea",
                    "standards",
                    "Service standards",
                    sp.standards.clone(),
                )
                .required(),
                Field::new(
                    "textarea",
                    "quality_safety",
                    "Quality and safety requirements",
                    sp.quality_safety.clone(),
                )
                .required(),
            ]
        }
        Step::Appraisal => {
            let a = &r.appraisal;
            let mut f = vec![
                select(
                    "years",
                    "Appraisal period",
                    "Choose",
                    &[
                        ("3", "3 years".to_string()),
                        ("4", "4 years".to_string()),
                        ("5", "5 years".to_string()),
                    ],
                    &a.years.to_string(),
                )
                .hint("Options' yearly costs follow the period: change it before entering costs.")
                .required(),
                Field::new(
                    "number",
                    "discount_rate",
                    "Discount rate (%)",
                    (a.discount_rate * Decimal::ONE_HUNDRED)
                        .normalize()
                        .to_string(),
                )
                .hint("HM Treasury Green Book: 3.5.")
                .required(),
                heading(
                    "weights",
                    "Criteria weights",
                    "Each criterion's weight (0 or more). Equal weights treat every criterion alike.",
                ),
            ];
            for (i, c) in a.criteria.iter().enumerate() {
                f.push(Field::new(
                    "number",
                    &format!("weight_{i}"),
                    &c.name,
                    c.weight.normalize().to_string(),
                ));
            }
            f.push(heading("choice", "Preferred option", "Chosen by a person, with the reason. An option that fails a statutory duty cannot be preferred."));
            f.push(select(
                "preferred",
                "Preferred option",
                "Not chosen yet",
                &a.options
                    .iter()
                    .map(|o| {
                        (
                            o.code.as_str(),
                            format!(
                                "{} — {}{}",
                                o.code,
                                o.title,
                                if o.fails_statutory() {
                                    " (fails a statutory duty)"
                                } else {
                                    ""
                                }
                            ),
                        )
                    })
                    .collect::<Vec<_>>(),
                a.preferred.as_ref().map(|c| c.as_str()).unwrap_or(""),
            ));
            f.push(Field::new(
                "textarea",
                "rationale",
                "Why this option",
                a.rationale.clone(),
            ));
            f
        }
        Step::Plan => {
            let pl = &r.plan;
            let mut f = vec![
                Field::new("textarea", "costs", "Costs", pl.costs.clone()).required(),
                Field::new("textarea", "resources", "Resources", pl.resources.clone()).required(),
                Field::new(
                    "textarea",
                    "quality_safety",
                    "Quality and safety",
                    pl.quality_safety.clone(),
                )
                .required(),
                heading(
                    "benefits",
                    "Benefits",
                    "What the change will deliver; leave a row empty to remove it. Cashable savings in pounds a year.",
                ),
            ];
            for i in 0..pl.benefits.len() + 2 {
                let b = pl.benefits.get(i);
                f.push(Field::new(
                    "text",
                    &format!("benefit_{i}"),
                    &format!("Benefit {}", i + 1),
                    b.map(|b| b.description.clone()).unwrap_or_default(),
                ));
                f.push(Field::new(
                    "number",
                    &format!("saving_{i}"),
                    &format!("Benefit {}: cashable saving a year (£)", i + 1),
                    b.filter(|b| b.annual_saving_pence != 0)
                        .map(|b| format_pounds_plain(b.annual_saving_pence))
                        .unwrap_or_default(),
                ));
            }
            f
        }
        Step::Assessment => {
            let a = &r.assessment;
            let impacts: Vec<(&str, String)> = Impact::ALL
                .iter()
                .map(|i| (i.as_str(), capitalise(i.as_str())))
                .collect();
            let mut f = vec![heading(
                "equality",
                "Equality Act 2010: protected characteristics",
                "For each group: the expected impact of the preferred option, the evidence, and the mitigation (required when the impact is negative).",
            )];
            for d in Dimension::ALL {
                if *d == Dimension::LowIncome {
                    f.push(heading(
                        "fairer",
                        "Fairer Scotland Duty: socio-economic disadvantage",
                        "",
                    ));
                }
                let e = a.impacts.iter().find(|x| x.dimension == *d);
                let name = capitalise(&d.to_string().replace('-', " "));
                f.push(select(
                    &format!("impact_{d}"),
                    &format!("{name}: impact"),
                    "Not assessed",
                    &impacts,
                    e.map(|x| x.impact.as_str()).unwrap_or(""),
                ));
                f.push(Field::new(
                    "textarea",
                    &format!("evidence_{d}"),
                    &format!("{name}: evidence"),
                    e.map(|x| x.evidence.clone()).unwrap_or_default(),
                ));
                f.push(Field::new(
                    "textarea",
                    &format!("mitigation_{d}"),
                    &format!("{name}: mitigation"),
                    e.map(|x| x.mitigation.clone()).unwrap_or_default(),
                ));
            }
            f.push(heading(
                "checks",
                "Compliance checks",
                "None may be outstanding when the review is signed off.",
            ));
            let statuses: Vec<(&str, String)> = CheckStatus::ALL
                .iter()
                .map(|s| (s.as_str(), capitalise(&s.as_str().replace('-', " "))))
                .collect();
            for k in Check::ALL {
                let e = a.checks.iter().find(|x| x.check == *k);
                let name = capitalise(&k.to_string().replace('-', " "));
                f.push(select(
                    &format!("check_{k}"),
                    &name,
                    "Not recorded",
                    &statuses,
                    e.map(|x| x.status.as_str()).unwrap_or(""),
                ));
                f.push(Field::new(
                    "text",
                    &format!("note_{k}"),
                    &format!("{name}: note"),
                    e.map(|x| x.note.clone()).unwrap_or_default(),
                ));
            }
            f
        }
        Step::Approval => vec![
            Field::new(
                "text",
                "committee_reference",
                "Committee decision reference",
                r.approval.committee_reference.clone(),
            )
            .hint("e.g. the minute reference of the committee that took the decision."),
            Field::new(
                "date",
                "committee_date",
                "Committee date",
                r.approval
                    .committee_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            )
            .hint("For example: 2026-03-26."),
        ],
    }
}

type FieldErrors = Vec<(String, String)>;

fn parse_date(f: &FormData, name: &str, errors: &mut FieldErrors) -> Option<time::Date> {
    let v = f.get(name);
    if v.is_empty() {
        return None;
    }
    match time::Date::parse(
        &v,
        time::macros::format_description!("[year]-[month]-[day]"),
    ) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push((name.into(), format!("'{v}' is not a date (use YYYY-MM-DD)")));
            None
        }
    }
}

/// The edit a step's form describes, or its field errors.
fn step_edit(r: &Review, step: Step, f: &FormData) -> Result<ReviewEdit, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let mut e = ReviewEdit {
        version: f.version(),
        ..Default::default()
    };
    match step {
        Step::Scope => {
            let mut outcomes = Vec::new();
            for o in f.all("outcomes") {
                match Code::parse(&o) {
                    Ok(c) => outcomes.push(c),
                    Err(x) => errors.push(("outcomes".into(), x.0)),
                }
            }
            let mut duties: Vec<String> = Vec::new();
            for l in f.get("statutory_duties").lines() {
                let l = l.trim();
                if !l.is_empty() && !duties.iter().any(|d| d == l) {
                    duties.push(l.to_string());
                }
            }
            let esia = match f.opt("esia") {
                None => None,
                Some(v) => match v.parse::<EsiaStage>() {
                    Ok(x) => Some(x),
                    Err(x) => {
                        errors.push(("esia".into(), x));
                        None
                    }
                },
            };
            let mut profile = r.scope.profile.clone().unwrap_or_default();
            profile.demand = f.get("demand");
            profile.feedback = f.get("feedback");
            e.scope = Some(goldthread_domain::review::ScopeStep {
                outcomes,
                statutory_duties: duties,
                funding_constraints: f.get("funding_constraints"),
                profile: Some(profile),
                esia,
            });
        }
        Step::Specification => {
            e.specification = Some(Specification {
                scope: f.get("scope"),
                volumes: f.get("volumes"),
                standards: f.get("standards"),
                quality_safety: f.get("quality_safety"),
            });
        }
        Step::Appraisal => {
            let mut a: Appraisal = r.appraisal.clone();
            match f.get("years").parse::<u8>() {
                Ok(y) if (3..=5).contains(&y) => a.years = y,
                _ => errors.push(("years".into(), "choose 3, 4 or 5 years".into())),
            }
            match f.get("discount_rate").parse::<Decimal>() {
                Ok(p) if p >= Decimal::ZERO && p < Decimal::ONE_HUNDRED => {
                    a.discount_rate = p / Decimal::ONE_HUNDRED
                }
                _ => errors.push((
                    "discount_rate".into(),
                    "is a percentage from 0 up to 100, e.g. 3.5".into(),
                )),
            }
            for (i, c) in a.criteria.iter_mut().enumerate() {
                let name = format!("weight_{i}");
                match f.get(&name).parse::<Decimal>() {
                    Ok(w) if w >= Decimal::ZERO => c.weight = w,
                    _ => errors.push((name, "is a number, 0 or more".into())),
                }
            }
            if a.criteria.iter().all(|c| c.weight.is_zero()) {
                errors.push((
                    "weight_0".into(),
                    "at least one weight must be above 0".into(),
                ));
            }
            a.preferred = match f.opt("preferred") {
                None => None,
                Some(p) => match Code::parse(&p) {
                    Ok(c) => Some(c),
                    Err(x) => {
                        errors.push(("preferred".into(), x.0));
                        None
                    }
                },
            };
            a.rationale = f.get("rationale");
            e.appraisal = Some(a);
        }
        Step::Plan => {
            let mut benefits = Vec::new();
            for i in 0..r.plan.benefits.len() + 2 {
                let d = f.get(&format!("benefit_{i}"));
                let s = f.get(&format!("saving_{i}"));
                if d.is_empty() && s.is_empty() {
                    continue;
                }
                let saving = if s.is_empty() {
                    0
                } else {
                    match parse_pounds(&s) {
                        Ok(p) => p,
                        Err(x) => {
                            errors.push((format!("saving_{i}"), x.0));
                            0
                        }
                    }
                };
                if d.is_empty() {
                    errors.push((format!("benefit_{i}"), "describe the benefit".into()));
                }
                benefits.push(PlannedBenefit {
                    description: d,
                    annual_saving_pence: saving,
                });
            }
            e.plan = Some(ServicePlan {
                costs: f.get("costs"),
                resources: f.get("resources"),
                benefits,
                quality_safety: f.get("quality_safety"),
            });
        }
        Step::Assessment => {
            let mut impacts = Vec::new();
            for d in Dimension::ALL {
                let impact = f.get(&format!("impact_{d}"));
                let evidence = f.get(&format!("evidence_{d}"));
                let mitigation = f.get(&format!("mitigation_{d}"));
                if impact.is_empty() {
                    if !evidence.is_empty() || !mitigation.is_empty() {
                        errors.push((format!("impact_{d}"), "choose the impact".into()));
                    }
                    continue;
                }
                match impact.parse::<Impact>() {
                    Ok(i) => {
                        if i == Impact::Negative && mitigation.is_empty() {
                            errors.push((
                                format!("mitigation_{d}"),
                                "a negative impact needs its mitigation".into(),
                            ));
                        }
                        impacts.push(ImpactEntry {
                            dimension: *d,
                            impact: i,
                            evidence,
                            mitigation,
                        })
                    }
                    Err(x) => errors.push((format!("impact_{d}"), x)),
                }
            }
            let mut checks = Vec::new();
            for k in Check::ALL {
                let st = f.get(&format!("check_{k}"));
                if st.is_empty() {
                    continue;
                }
                match st.parse::<CheckStatus>() {
                    Ok(s) => checks.push(CheckEntry {
                        check: *k,
                        status: s,
                        note: f.get(&format!("note_{k}")),
                    }),
                    Err(x) => errors.push((format!("check_{k}"), x)),
                }
            }
            e.assessment = Some(Assessment { impacts, checks });
        }
        Step::Approval => {
            e.committee_reference = Some(f.get("committee_reference"));
            e.committee_date = parse_date(f, "committee_date", &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(e)
    } else {
        Err(errors)
    }
}

fn step_page(
    staff: &Staff,
    fw: &Framework,
    rec: &Rec<Review>,
    step: Step,
    errors: FieldErrors,
    posted: Option<&FormData>,
) -> Response {
    let mut fields = step_fields(fw, &rec.value, step);
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    let p = path(rec.value.code.as_str());
    plain_form(
        staff,
        format!("{}: {}", step.heading(), rec.value.title),
        format!("{p}/step/{}", step.slug()),
        format!("{p}#{}", step.slug()),
        "Save",
        fields,
        Some(posted.and_then(FormData::version).unwrap_or(rec.version)),
        errors,
    )
}

async fn step_form(
    State(s): State<AppState>,
    staff: Staff,
    Path((code, step)): Path<(String, String)>,
) -> Response {
    let Some(step) = Step::parse(&step) else {
        return error_page(AppError::NotFound(format!("No step '{step}'.")));
    };
    match load(&s, &staff, &code).await {
        Ok((fw, r)) if may_work(&staff.caller, &fw, &r.value.service) => {
            step_page(&staff, &fw, &r, step, vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn save_step(
    State(s): State<AppState>,
    Path((code, step)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let Some(step) = Step::parse(&step) else {
        return error_page(AppError::NotFound(format!("No step '{step}'.")));
    };
    let (fw, rec) = match load(&s, &staff, &code).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let edit = match step_edit(&rec.value, step, &form) {
        Ok(e) => e,
        Err(errors) => return step_page(&staff, &fw, &rec, step, errors, Some(&form)),
    };
    match s.app.edit_review(&staff.caller, &code, &edit).await {
        Ok(_) => {
            Redirect::to(&format!("{}?saved=updated#{}", path(&code), step.slug())).into_response()
        }
        Err(e) => match form_errors(&e) {
            Some(errors) => step_page(&staff, &fw, &rec, step, errors, Some(&form)),
            None => error_page(e),
        },
    }
}

// ----- options -----

fn option_fields(r: &Review, o: Option<&ReviewOption>) -> Vec<Field> {
    let a = &r.appraisal;
    let models: Vec<(&str, String)> = DeliveryModel::ALL
        .iter()
        .map(|m| (m.as_str(), model_name(*m)))
        .collect();
    let flag = |name: &str, legend: &str, label: &str, on: bool| {
        Field::new("checkboxes", name, legend, "").choices(vec![Choice {
            value: "yes".into(),
            label: label.into(),
            selected: on,
        }])
    };
    let mut f = vec![
        Field::new(
            "text",
            "code",
            "Code",
            o.map(|o| o.code.to_string()).unwrap_or_default(),
        )
        .hint("A short name unique in this review, e.g. A, B or STATUS-QUO.")
        .required(),
        Field::new(
            "text",
            "title",
            "Title",
            o.map(|o| o.title.clone()).unwrap_or_default(),
        )
        .required(),
        select(
            "delivery_model",
            "Delivery model",
            "Choose a model",
            &models,
            o.map(|o| o.delivery_model.as_str()).unwrap_or(""),
        )
        .required(),
        flag(
            "status_quo",
            "Status quo",
            "This is the status quo (the service as delivered today)",
            o.is_some_and(|o| o.status_quo),
        ),
        flag(
            "regional",
            "Regional",
            "A regional model (with neighbouring councils or national partners)",
            o.is_some_and(|o| o.regional),
        ),
        Field::new(
            "text",
            "partners",
            "Partners",
            o.map(|o| o.partners.clone()).unwrap_or_default(),
        )
        .hint("e.g. Falkirk Council; Forth Valley partners; a named provider."),
        Field::new(
            "textarea",
            "description",
            "Description",
            o.map(|o| o.description.clone()).unwrap_or_default(),
        ),
        heading(
            "costs",
            "Costs year by year (£)",
            "Year 1 is not discounted; each later year is divided by (1 + the discount rate) once more.",
        ),
    ];
    for y in 0..usize::from(a.years) {
        let c = o.and_then(|o| o.years.get(y)).copied().unwrap_or_default();
        for (name, label, pence) in [
            ("one_off", "one-off", c.one_off_pence),
            ("recurring", "recurring", c.recurring_pence),
        ] {
            f.push(
                Field::new(
                    "number",
                    &format!("{name}_{y}"),
                    &format!("Year {}: {label} costs (£)", y + 1),
                    if o.is_some() {
                        format_pounds_plain(pence)
                    } else {
                        String::new()
                    },
                )
                .required(),
            );
        }
    }
    f.push(heading("risk", "Risk", ""));
    f.push(
        Field::new(
            "number",
            "risk_score",
            "Risk score (1–25)",
            o.map(|o| o.risk_score.to_string()).unwrap_or_default(),
        )
        .hint("Likelihood (1–5) × impact (1–5), as in the risk register.")
        .required(),
    );
    f.push(heading(
        "scores",
        "Scores against the criteria (0–5)",
        "0 = does nothing for this principle, 5 = fully meets it. Weights are set for the whole appraisal.",
    ));
    let scores: Vec<(&str, String)> = ["0", "1", "2", "3", "4", "5"]
        .iter()
        .map(|s| (*s, s.to_string()))
        .collect();
    for (i, c) in a.criteria.iter().enumerate() {
        let sc = o.and_then(|o| o.scores.iter().find(|s| s.criterion == c.name));
        f.push(select(
            &format!("score_{i}"),
            &format!("{} (weight {})", c.name, c.weight.normalize()),
            "Not scored",
            &scores,
            &sc.map(|s| s.score.to_string()).unwrap_or_default(),
        ));
        f.push(Field::new(
            "text",
            &format!("comment_{i}"),
            &format!("{}: comment", c.name),
            sc.map(|s| s.comment.clone()).unwrap_or_default(),
        ));
    }
    if !r.scope.statutory_duties.is_empty() {
        f.push(heading(
            "duties",
            "Statutory duties",
            "An option that fails any duty is flagged, not ranked, and cannot be preferred.",
        ));
        let answers = [
            ("meets", "Meets it".to_string()),
            ("fails", "Does not meet it".to_string()),
        ];
        for (i, d) in r.scope.statutory_duties.iter().enumerate() {
            let met = o.and_then(|o| o.duties.iter().find(|x| &x.duty == d));
            f.push(select(
                &format!("duty_{i}"),
                d,
                "Not assessed",
                &answers,
                match met {
                    Some(m) if m.meets => "meets",
                    Some(_) => "fails",
                    None => "",
                },
            ));
        }
    }
    f
}

/// The option a form describes, or its field errors.
fn option_from(r: &Review, f: &FormData) -> Result<ReviewOption, FieldErrors> {
    let a = &r.appraisal;
    let mut errors: FieldErrors = Vec::new();
    let code = Code::parse(&f.get("code"))
        .map_err(|e| errors.push(("code".into(), e.0)))
        .ok();
    let model = f
        .get("delivery_model")
        .parse::<DeliveryModel>()
        .map_err(|_| errors.push(("delivery_model".into(), "choose a delivery model".into())))
        .ok();
    let mut money = |name: String| match parse_pounds(&f.get(&name)) {
        Ok(p) => p,
        Err(e) => {
            errors.push((name, e.0));
            0
        }
    };
    let years: Vec<YearCost> = (0..usize::from(a.years))
        .map(|y| YearCost {
            one_off_pence: money(format!("one_off_{y}")),
            recurring_pence: money(format!("recurring_{y}")),
        })
        .collect();
    let risk = match f.get("risk_score").parse::<u8>() {
        Ok(x) if (1..=25).contains(&x) => x,
        _ => {
            errors.push(("risk_score".into(), "is a whole number from 1 to 25".into()));
            0
        }
    };
    let mut scores = Vec::new();
    for (i, c) in a.criteria.iter().enumerate() {
        let v = f.get(&format!("score_{i}"));
        if v.is_empty() {
            continue;
        }
        match v.parse::<u8>() {
            Ok(x) if x <= 5 => scores.push(Score {
                criterion: c.name.clone(),
                score: x,
                comment: f.get(&format!("comment_{i}")),
            }),
            _ => errors.push((format!("score_{i}"), "is 0 to 5".into())),
        }
    }
    let duties = r
        .scope
        .statutory_duties
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match f.get(&format!("duty_{i}")).as_str() {
            "meets" => Some(DutyMet {
                duty: d.clone(),
                meets: true,
            }),
            "fails" => Some(DutyMet {
                duty: d.clone(),
                meets: false,
            }),
            _ => None,
        })
        .collect();
    match (code, model, errors.is_empty()) {
        (Some(code), Some(delivery_model), true) => Ok(ReviewOption {
            code,
            title: f.get("title"),
            delivery_model,
            regional: f.get("regional") == "yes",
            partners: f.get("partners"),
            description: f.get("description"),
            status_quo: f.get("status_quo") == "yes",
            years,
            risk_score: risk,
            scores,
            duties,
        }),
        _ => Err(errors),
    }
}

/// The app's field names, as the option form names them.
fn option_error_fields(r: &Review, errors: FieldErrors) -> FieldErrors {
    errors
        .into_iter()
        .map(|(field, msg)| {
            let field = match field.strip_prefix("score.") {
                Some(name) => r
                    .appraisal
                    .criteria
                    .iter()
                    .position(|c| c.name == name)
                    .map(|i| format!("score_{i}"))
                    .unwrap_or(field),
                None => field,
            };
            (field, msg)
        })
        .collect()
}

fn option_page(
    staff: &Staff,
    rec: &Rec<Review>,
    existing: Option<&ReviewOption>,
    errors: FieldErrors,
    posted: Option<&FormData>,
) -> Response {
    let r = &rec.value;
    let p = path(r.code.as_str());
    let mut fields = option_fields(r, existing);
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    let (heading, action, submit) = match existing {
        Some(o) => (
            format!("Option {} — {}", o.code, o.title),
            format!("{p}/options/{}", url_encode(o.code.as_str())),
            "Save option",
        ),
        None => (
            format!("Add an option to {}", r.title),
            format!("{p}/options"),
            "Add option",
        ),
    };
    plain_form(
        staff,
        heading,
        action,
        format!("{p}#appraisal"),
        submit,
        fields,
        Some(posted.and_then(FormData::version).unwrap_or(rec.version)),
        option_error_fields(r, errors),
    )
}

async fn new_option(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    match load(&s, &staff, &code).await {
        Ok((fw, r)) if may_work(&staff.caller, &fw, &r.value.service) => {
            option_page(&staff, &r, None, vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn edit_option(
    State(s): State<AppState>,
    staff: Staff,
    Path((code, option)): Path<(String, String)>,
) -> Response {
    let (fw, rec) = match load(&s, &staff, &code).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let Some(o) = rec
        .value
        .appraisal
        .options
        .iter()
        .find(|o| o.code.as_str() == option)
    else {
        return error_page(AppError::NotFound(format!(
            "Review {code} has no option '{option}'."
        )));
    };
    if !may_work(&staff.caller, &fw, &rec.value.service) {
        return refuse(&staff.caller);
    }
    option_page(&staff, &rec, Some(o), vec![], None)
}

async fn save_option_form(
    s: &AppState,
    staff: Staff,
    form: FormData,
    code: &str,
    replacing: Option<&str>,
) -> Response {
    let (_, rec) = match load(s, &staff, code).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let existing = replacing.and_then(|c| {
        rec.value
            .appraisal
            .options
            .iter()
            .find(|o| o.code.as_str() == c)
    });
    let o = match option_from(&rec.value, &form) {
        Ok(o) => o,
        Err(errors) => return option_page(&staff, &rec, existing, errors, Some(&form)),
    };
    match s
        .app
        .save_option(&staff.caller, code, replacing, &o, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=updated#appraisal", path(code))).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => option_page(&staff, &rec, existing, errors, Some(&form)),
            None => error_page(e),
        },
    }
}

async fn create_option(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save_option_form(&s, staff, form, &code, None).await
}

async fn update_option(
    State(s): State<AppState>,
    Path((code, option)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save_option_form(&s, staff, form, &code, Some(&option)).await
}

async fn confirm_delete_option(
    State(s): State<AppState>,
    staff: Staff,
    Path((code, option)): Path<(String, String)>,
) -> Response {
    let (fw, rec) = match load(&s, &staff, &code).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    if !may_work(&staff.caller, &fw, &rec.value.service) {
        return refuse(&staff.caller);
    }
    let Some(o) = rec
        .value
        .appraisal
        .options
        .iter()
        .find(|o| o.code.as_str() == option)
    else {
        return error_page(AppError::NotFound(format!(
            "Review {code} has no option '{option}'."
        )));
    };
    let p = path(&code);
    crate::pages::render_page(crate::view::RecordPage {
        chrome: chrome_for(&staff, &format!("Remove option {}", o.code), "reviews"),
        caption: rec.value.title.clone(),
        heading: format!("Remove option {} — {}?", o.code, o.title),
        facts: vec![
            Fact::text("Delivery model", model_name(o.delivery_model)),
            Fact::text("Description", text_or(&o.description, "None")),
        ],
        actions: vec![Link::new(format!("{p}#appraisal"), "Keep it")],
        delete: Some((
            format!("{p}/options/{}/delete", url_encode(o.code.as_str())),
            rec.version,
        )),
        sections: vec![],
    })
}

async fn appraisal_xlsx(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let r = match s.app.review(&staff.caller, &code).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    match goldthread_io::review::appraisal_xlsx(&r.value) {
        Ok(bytes) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}-appraisal.xlsx\"", r.value.code),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(AppError::Internal(e.to_string())),
    }
}

async fn delete_option(
    State(s): State<AppState>,
    Path((code, option)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .delete_option(&staff.caller, &code, &option, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=deleted#appraisal", path(&code))).into_response(),
        Err(e) => error_page(e),
    }
}

// ----- the review cycle -----

fn cycle_fields(years: u8) -> Vec<Field> {
    vec![
        select(
            "review_cycle_years",
            "Years between reviews",
            "Choose",
            &[
                ("3", "3 years".to_string()),
                ("4", "4 years".to_string()),
                ("5", "5 years".to_string()),
            ],
            &years.to_string(),
        )
        .hint("Approving a review sets the service's next review this many years on. Dates already set do not change.")
        .required(),
    ]
}

async fn cycle_form(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.review_cycle(&staff.caller).await {
        Ok(y) => plain_form(
            &staff,
            "Review cycle".into(),
            "/reviews/cycle".into(),
            "/reviews".into(),
            "Save",
            cycle_fields(y),
            None,
            vec![],
        ),
        Err(e) => error_page(e),
    }
}

async fn save_cycle(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let years: i64 = form.get("review_cycle_years").parse().unwrap_or(0);
    match s.app.set_review_cycle(&staff.caller, years).await {
        Ok(_) => Redirect::to("/reviews?saved=updated").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => plain_form(
                &staff,
                "Review cycle".into(),
                "/reviews/cycle".into(),
                "/reviews".into(),
                "Save",
                cycle_fields(3),
                None,
                errors,
            ),
            None => error_page(e),
        },
    }
}

// ----- the mixed economy -----

fn economy_table(caption: &str, now: &Economy, projected: &Economy) -> TableView {
    let mut t = TableView::new(
        caption,
        &[
            "Delivery model",
            "Services now",
            "FTE now",
            "Net budget now",
            "Services after",
            "FTE after",
            "Net budget after",
        ],
    )
    .numeric(&[1, 2, 3, 4, 5, 6]);
    let fte = |d: Decimal| d.round_dp(2).normalize().to_string();
    for (n, p) in now.models.iter().zip(&projected.models) {
        if n.services == 0 && p.services == 0 {
            continue;
        }
        t.rows.push(vec![
            Cell::text(model_name(n.delivery_model)),
            Cell::num(n.services.to_string()),
            Cell::num(fte(n.fte)),
            Cell::num(money(n.net_budget_pence)),
            Cell::num(p.services.to_string()),
            Cell::num(fte(p.fte)),
            Cell::num(money(p.net_budget_pence)),
        ]);
    }
    t.rows.push(vec![
        Cell::text("Total"),
        Cell::num(now.services.to_string()),
        Cell::num(fte(now.fte)),
        Cell::num(money(now.net_budget_pence)),
        Cell::num(projected.services.to_string()),
        Cell::num(fte(projected.fte)),
        Cell::num(money(projected.net_budget_pence)),
    ]);
    t
}

fn stacks_of(label: &str, e: &Economy) -> Stack {
    Stack {
        label: label.into(),
        segments: e
            .models
            .iter()
            .map(|m| (model_name(m.delivery_model), m.net_budget_pence as f64))
            .collect(),
    }
}

fn groups_section(id: &str, heading_text: &str, intro: &str, groups: &[Group]) -> PageSection {
    let names: Vec<String> = DeliveryModel::ALL.iter().map(|m| model_name(*m)).collect();
    let mut stacks = Vec::new();
    let mut tables = Vec::new();
    for g in groups {
        stacks.push(stacks_of(&format!("{} now", g.code), &g.now));
        stacks.push(stacks_of(&format!("{} after", g.code), &g.projected));
        tables.push(economy_table(
            &format!("{} — {}", g.code, g.title),
            &g.now,
            &g.projected,
        ));
    }
    PageSection {
        id: id.into(),
        heading: heading_text.into(),
        intro: intro.into(),
        charts: vec![(
            format!(
                "Net budget by delivery model, {}: now and after",
                heading_text.to_lowercase()
            ),
            stacked_chart(
                &format!("{id}-chart"),
                &format!(
                    "Net budget by delivery model, {}",
                    heading_text.to_lowercase()
                ),
                "Each pair of bars shows the share of net budget by delivery model now and after the reviews under way; the figures are in the tables below.",
                &names,
                &stacks,
            ),
        )],
        tables,
        ..Default::default()
    }
}

async fn mixed_page(State(s): State<AppState>, staff: Staff) -> Response {
    let m: MixedEconomy = match s.app.mixed_economy(&staff.caller).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let fw = match s.app.view(&staff.caller).await {
        Ok(v) => v.framework,
        Err(e) => return error_page(e),
    };
    let names: Vec<String> = DeliveryModel::ALL.iter().map(|m| model_name(*m)).collect();
    let mut changes = TableView::new(
        "Changes the reviews under way would make",
        &["Service", "Review", "From", "To", "Net budget"],
    )
    .numeric(&[4])
    .empty("No review under way has a preferred option that changes its service's delivery model.");
    for c in &m.changes {
        let svc: Option<&Service> = fw.service(c.service.as_str());
        changes.rows.push(vec![
            Cell::link(
                service_name(&fw, &c.service),
                format!("/services/{}", url_encode(c.service.as_str())),
            ),
            Cell::link(c.review.to_string(), path(c.review.as_str())),
            Cell::text(model_name(c.from)),
            Cell::text(model_name(c.to)),
            Cell::num(money(svc.map(|x| x.net_budget_pence).unwrap_or(0))),
        ]);
    }
    let council = PageSection {
        id: "council".into(),
        heading: "The whole council".into(),
        intro: "“After” applies the preferred option of every review still under way (scoping to awaiting approval). Approved reviews have already changed their services, so they are in “now”.".into(),
        charts: vec![(
            "Share of net budget by delivery model: now and after the reviews under way".to_string(),
            stacked_chart(
            "council-chart",
            "Net budget by delivery model, now and after the reviews under way",
            "Share of the council's net budget by delivery model; the figures are in the table below.",
            &names,
            &[stacks_of("Now", &m.now), stacks_of("After reviews", &m.projected)],
        ))],
        tables: vec![economy_table("By delivery model", &m.now, &m.projected), changes],
        ..Default::default()
    };
    let sections = vec![
        council,
        groups_section(
            "portfolios",
            "By portfolio",
            "Each portfolio's services, FTE and net budget by delivery model.",
            &m.by_portfolio,
        ),
        groups_section(
            "outcomes",
            "By outcome",
            "Each outcome's share of its contributing services, by matrix weight (primary 1, significant ½, some ¼, normalised per service), as One Fund shares budgets. A service counts once in each outcome it serves.",
            &m.by_outcome,
        ),
    ];
    render(
        StatusCode::OK,
        ChartsPage {
            chrome: chrome_for(&staff, "Mixed economy", "reviews"),
            caption: "Delivery Framework".into(),
            heading: "The mixed economy".into(),
            intro: "How the council's services are delivered — in-house, in partnership, commissioned, community-led — and how that is changing.".into(),
            actions: vec![
                Link::new("/reviews", "Service reviews"),
                Link::new("/commissioning", "Commissioning"),
            ],
            sections,
        },
    )
}

// ----- commissioning -----

fn contract_status_cell(s: goldthread_domain::commissioning::ContractStatus) -> Cell {
    use goldthread_domain::commissioning::ContractStatus as S;
    match s {
        S::EndingSoon => Cell::tag("Ending within 12 months", "status-amber"),
        S::Ended => Cell::tag("Ended", "gap"),
        S::Current => Cell::tag("Current", "status-green"),
        S::NotStarted => Cell::tag("Not started", "some"),
    }
}

async fn commissioning_page(State(s): State<AppState>, staff: Staff) -> Response {
    let today = time::OffsetDateTime::now_utc().date();
    let v = match s.app.commissioning(&staff.caller, today).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut ending = TableView::new(
        "Contracts ending within 12 months",
        &[
            "Contract",
            "Partner",
            "Service",
            "Delivery model",
            "Ends",
            "Days left",
            "Value",
        ],
    )
    .numeric(&[5, 6])
    .empty("No contract ends in the next 12 months.");
    for e in &v.ending_soon {
        let c = &e.contract;
        ending.rows.push(vec![
            Cell::text(format!("{} — {}", c.code, c.title)),
            Cell::text(c.partner.clone()),
            Cell::link(
                format!("{} — {}", c.service, e.service_title),
                format!("/services/{}", url_encode(c.service.as_str())),
            ),
            Cell::text(model_name(e.delivery_model)),
            Cell::text(c.end.to_string()),
            Cell::num(e.days_left.to_string()),
            Cell::num(money(c.value_pence)),
        ]);
    }
    let mut services = TableView::new(
        "Services delivered with or by others",
        &[
            "Service",
            "Portfolio",
            "Delivery model",
            "Net budget",
            "Partners and contracts",
            "Indicators' latest status",
        ],
    )
    .numeric(&[3])
    .empty("No service is delivered with or by others.");
    let mut contracts = TableView::new(
        "Contracts",
        &[
            "Contract", "Service", "Partner", "Start", "End", "Value", "Status",
        ],
    )
    .numeric(&[5]);
    for x in &v.services {
        let partners: Vec<String> = x
            .contracts
            .iter()
            .map(|l| format!("{} (to {})", l.contract.partner, l.contract.end))
            .collect();
        let statuses: Vec<String> = x
            .statuses
            .iter()
            .map(|(rag, n)| format!("{n} {}", rag.to_string().replace('-', " ")))
            .collect();
        services.rows.push(vec![
            Cell::link(
                format!("{} — {}", x.code, x.title),
                format!("/services/{}", url_encode(x.code.as_str())),
            ),
            Cell::text(x.portfolio_title.clone()),
            Cell::text(format!(
                "{}{}",
                model_name(x.delivery_model),
                if x.delivered_by_others {
                    ""
                } else {
                    " (buys parts in)"
                }
            )),
            Cell::num(money(x.net_budget_pence)),
            Cell::text(if partners.is_empty() {
                "No contract recorded".into()
            } else {
                partners.join("; ")
            }),
            Cell::text(if statuses.is_empty() {
                "No indicators".into()
            } else {
                statuses.join(", ")
            }),
        ]);
        for l in &x.contracts {
            let c = &l.contract;
            contracts.rows.push(vec![
                Cell::text(format!("{} — {}", c.code, c.title)),
                Cell::text(x.code.to_string()),
                Cell::text(c.partner.clone()),
                Cell::text(c.start.to_string()),
                Cell::text(c.end.to_string()),
                Cell::num(money(c.value_pence)),
                contract_status_cell(l.status),
            ]);
        }
    }
    let mut indicators = TableView::new(
        "Indicators of commissioned services",
        &["Indicator", "Service", "Period", "Status"],
    )
    .empty("No indicators measure these services.");
    for x in &v.services {
        for i in &x.indicators {
            indicators.rows.push(vec![
                Cell::link(
                    format!("{} — {}", i.code, i.title),
                    format!("/indicators/{}", url_encode(i.code.as_str())),
                ),
                Cell::text(x.code.to_string()),
                Cell::text(i.period.to_string()),
                crate::perf_pages::status_cell(i.status),
            ]);
        }
    }
    render(
        StatusCode::OK,
        ChartsPage {
            chrome: chrome_for(&staff, "Commissioning", "reviews"),
            caption: "Delivery Framework".into(),
            heading: "Commissioning".into(),
            intro: format!(
                "Services delivered in partnership, by another public body, commercially, jointly commissioned or community-led — and self-delivered services that buy parts in — with their contracts and performance, as at {today}. Import contracts.csv on Import & export to change the register."
            ),
            actions: vec![
                Link::new("/reviews", "Service reviews"),
                Link::new("/mixed-economy", "The mixed economy"),
                Link::new("/export/contracts.csv", "Download contracts.csv"),
            ],
            sections: vec![
                PageSection {
                    id: "ending".into(),
                    heading: "Ending soon".into(),
                    tables: vec![ending],
                    ..Default::default()
                },
                PageSection {
                    id: "services".into(),
                    heading: "Services".into(),
                    tables: vec![services, contracts],
                    ..Default::default()
                },
                PageSection {
                    id: "performance".into(),
                    heading: "Performance".into(),
                    intro: "Each indicator's latest result for the whole area.".into(),
                    tables: vec![indicators],
                    ..Default::default()
                },
            ],
        },
    )
}
