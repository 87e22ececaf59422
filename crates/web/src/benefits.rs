//! Benefits pages: the register with filters, each benefit with its profile
//! and history, forms to add, change, profile and delete benefits (errors
//! beside the fields), savings tracking and the medium-term funding gap —
//! each chart with a text alternative and its figures in a table.
use crate::AppState;
use crate::chart::{Bar, Series, bar_chart, line_chart};
use crate::extract::{Staff, StaffForm};
use crate::pages::{
    Flash, FormData, capitalise, chrome_for, error_page, form_errors, form_response, history_table,
    render_page, url_encode,
};
use crate::reviews::{ChartsPage, PageSection};
use crate::view::{
    Cell, Choice, Chrome, Fact, Field, FormView, Link, RecordPage, Section, TableView,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::benefits::{
    BenefitInput, ProfileInput, ProfileLine, may_add_benefits, may_write_benefit,
};
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::Code;
use goldthread_domain::benefits::{
    Benefit, BenefitKind, BenefitSource, BenefitStatus, Confidence, Figures, benefit_figures,
    over_under,
};
use goldthread_domain::framework::Framework;
use goldthread_domain::money::{format_pounds_display, format_pounds_plain, parse_pounds};
use goldthread_domain::period::FinancialYear;
use goldthread_store::benefits::BenefitsSnapshot;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/benefits", get(register).post(create))
        .route("/benefits/new", get(new_form))
        .route("/benefits/{code}", get(show).post(update))
        .route("/benefits/{code}/edit", get(edit_form))
        .route("/benefits/{code}/delete", post(delete))
        .route(
            "/benefits/{code}/profile",
            get(profile_form).post(save_profile),
        )
        .route("/savings", get(savings_page))
        .route("/finance/gap", get(gap_page))
}

/// The register page: a table with filters.
#[derive(Template)]
#[template(path = "benefits.html")]
pub struct BenefitsPage {
    pub chrome: Chrome,
    pub heading: String,
    pub intro: String,
    pub actions: Vec<Link>,
    pub filter_action: String,
    pub filter_label: String,
    pub filters: Vec<Field>,
    pub shown: String,
    pub tables: Vec<TableView>,
}

/// What the benefits pages show, read together.
struct Data {
    fw: Framework,
    snap: BenefitsSnapshot,
    /// Indicators (code, title), for measures.
    indicators: Vec<(Code, String)>,
}

async fn load(s: &AppState, c: &Caller) -> Result<Data, AppError> {
    let snap = s.app.benefits(c).await?;
    let perf = s.app.perf_data(c).await?;
    Ok(Data {
        fw: perf.view.framework.clone(),
        snap,
        indicators: perf
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.title.clone()))
            .collect(),
    })
}

fn path(code: &str) -> String {
    format!("/benefits/{}", url_encode(code))
}

fn money(pence: i64) -> String {
    format_pounds_display(pence)
}

fn kind_name(k: BenefitKind) -> &'static str {
    match k {
        BenefitKind::Cashable => "Cashable saving",
        BenefitKind::NonCashable => "Non-cashable",
        BenefitKind::NonFinancial => "Non-financial",
    }
}

fn status_cell(s: BenefitStatus) -> Cell {
    let (text, tag) = match s {
        BenefitStatus::Planned => ("Planned", "some"),
        BenefitStatus::OnTrack => ("On track", "status-green"),
        BenefitStatus::AtRisk => ("At risk", "status-amber"),
        BenefitStatus::Realised => ("Realised", "primary"),
        BenefitStatus::NotRealised => ("Not realised", "status-red"),
    };
    Cell::tag(text, tag)
}

fn portfolio_title(fw: &Framework, code: &Code) -> String {
    fw.portfolio(code.as_str())
        .map(|p| p.title.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A savings line's name: its group, or its portfolio's own line.
fn line_name(fw: &Framework, portfolio: &Code, group: &str) -> String {
    if group.is_empty() {
        format!("{} (portfolio)", portfolio_title(fw, portfolio))
    } else {
        group.to_string()
    }
}

fn person_name(fw: &Framework, b: &Benefit) -> String {
    b.owner
        .as_ref()
        .map(|e| {
            fw.person(e.as_str())
                .map(|p| p.name.clone())
                .unwrap_or_else(|| e.to_string())
        })
        .unwrap_or_else(|| "No one yet".into())
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    current: Option<T>,
    label: impl Fn(T) -> String,
    value: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: value(*v),
            label: label(*v),
            selected: Some(*v) == current,
        })
        .collect()
}

// ----- the register -----

#[derive(Deserialize, Default)]
struct RegisterQuery {
    portfolio: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    saved: Option<String>,
}

fn filter(
    name: &str,
    label: &str,
    all: &str,
    options: Vec<(String, String)>,
    current: &str,
) -> Field {
    let mut c = vec![Choice {
        value: String::new(),
        label: all.into(),
        selected: current.is_empty(),
    }];
    c.extend(options.into_iter().map(|(value, label)| Choice {
        selected: value == current,
        value,
        label,
    }));
    Field::new("select", name, label, current).choices(c)
}

/// Figure cells: planned, achieved, over/(under), not yet reported.
fn figure_cells(f: &Figures) -> Vec<Cell> {
    vec![
        Cell::num(money(f.planned_pence)),
        Cell::num(money(f.achieved_pence)),
        Cell::num(over_under(f.variance_pence)),
        Cell::num(money(f.not_yet_reported_pence)),
    ]
}

async fn register(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let d = match load(&s, &staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let (portfolio, status, kind) = (
        q.portfolio.clone().unwrap_or_default(),
        q.status.clone().unwrap_or_default(),
        q.kind.clone().unwrap_or_default(),
    );
    let mut t = TableView::new(
        "Benefits register",
        &[
            "Benefit",
            "Kind",
            "Portfolio",
            "Line",
            "Status",
            "Confidence",
            "Owner",
            "Planned",
            "Achieved",
            "Over/(under)",
        ],
    )
    .numeric(&[7, 8, 9])
    .empty("No benefits match.");
    let mut total = Figures::default();
    for r in &d.snap.benefits {
        let b = &r.value;
        if (!portfolio.is_empty() && b.portfolio.as_str() != portfolio)
            || (!status.is_empty() && b.status.as_str() != status)
            || (!kind.is_empty() && b.kind.as_str() != kind)
        {
            continue;
        }
        let profile: Vec<_> = d
            .snap
            .profile_of(&b.code)
            .into_iter()
            .map(|p| p.value.clone())
            .collect();
        let f = benefit_figures(&profile);
        let money_cells = if b.kind == BenefitKind::NonFinancial {
            vec![Cell::num("—"), Cell::num("—"), Cell::num("—")]
        } else {
            if b.kind == BenefitKind::Cashable {
                total.add(&f);
            }
            vec![
                Cell::num(money(f.planned_pence)),
                Cell::num(money(f.achieved_pence)),
                Cell::num(over_under(f.variance_pence)),
            ]
        };
        let mut row = vec![
            Cell::link(format!("{} — {}", b.code, b.title), path(b.code.as_str())),
            Cell::text(kind_name(b.kind)),
            Cell::text(portfolio_title(&d.fw, &b.portfolio)),
            Cell::text(if b.group.is_empty() {
                "—".to_string()
            } else {
                b.group.clone()
            }),
            status_cell(b.status),
            Cell::text(capitalise(b.confidence.as_str())),
            Cell::text(person_name(&d.fw, b)),
        ];
        row.extend(money_cells);
        t.rows.push(row);
    }
    let shown = t.rows.len();
    if shown > 0 {
        let mut row = vec![Cell::text("Cashable savings shown")];
        row.extend((0..6).map(|_| Cell::text("")));
        row.extend([
            Cell::num(money(total.planned_pence)),
            Cell::num(money(total.achieved_pence)),
            Cell::num(over_under(total.variance_pence)),
        ]);
        t.rows.push(row);
    }
    let mut actions = Vec::new();
    if may_add_benefits(&staff.caller, &d.fw) {
        actions.push(Link::new("/benefits/new", "Add a benefit"));
    }
    actions.extend([
        Link::new("/savings", "Savings tracking"),
        Link::new("/finance/gap", "Funding gap"),
        Link::new("/export/benefits.csv", "Download benefits.csv"),
        Link::new(
            "/export/benefit-profiles.csv",
            "Download benefit-profiles.csv",
        ),
    ]);
    let filters = vec![
        filter(
            "portfolio",
            "Portfolio",
            "All portfolios",
            d.fw.portfolios
                .iter()
                .map(|p| (p.code.to_string(), p.title.clone()))
                .collect(),
            &portfolio,
        ),
        filter(
            "status",
            "Status",
            "All statuses",
            BenefitStatus::ALL
                .iter()
                .map(|s| (s.to_string(), status_cell(*s).text))
                .collect(),
            &status,
        ),
        filter(
            "kind",
            "Kind",
            "All kinds",
            BenefitKind::ALL
                .iter()
                .map(|k| (k.to_string(), kind_name(*k).to_string()))
                .collect(),
            &kind,
        ),
    ];
    let mut chrome = chrome_for(&staff, "Benefits", "benefits");
    chrome.flash = match q.saved.as_deref() {
        Some("deleted") => Some("Deleted.".into()),
        _ => None,
    };
    render_page(BenefitsPage {
        chrome,
        heading: "Benefits".into(),
        intro: "The benefits register: cashable savings, non-cashable and non-financial benefits from reviews, projects, decisions and restructures, with who owns each, where it stands and its planned and realised money by financial year. Over/(under) counts only the years whose realised figure has been reported.".into(),
        actions,
        filter_action: "/benefits".into(),
        filter_label: "Filter benefits".into(),
        filters,
        shown: format!(
            "{shown} of {} benefits shown.",
            d.snap.benefits.len()
        ),
        tables: vec![t],
    })
}

// ----- one benefit -----

fn find<'d>(d: &'d Data, code: &str) -> Result<&'d Rec<Benefit>, AppError> {
    d.snap
        .benefits
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("There is no benefit '{code}'.")))
}

fn refuse(c: &Caller) -> Response {
    error_page(AppError::Forbidden(format!(
        "Your role ({}) cannot change this benefit: administrators, performance officers, and the Outcome Leader and service managers of its portfolio can.",
        c.role()
    )))
}

async fn show(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let d = match load(&s, &staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let rec = match find(&d, &code) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let b = &rec.value;
    let fw = &d.fw;
    let can = may_write_benefit(&staff.caller, fw, &b.portfolio);
    let profile = d.snap.profile_of(&b.code);
    let values: Vec<_> = profile.iter().map(|p| p.value.clone()).collect();
    let figures = benefit_figures(&values);
    let source = match (b.source, b.source_ref.is_empty()) {
        (BenefitSource::Review, false) => Cell::link(
            format!("Review {}", b.source_ref),
            format!("/reviews/{}", url_encode(&b.source_ref)),
        ),
        (src, true) => Cell::text(capitalise(src.as_str())),
        (src, false) => Cell::text(format!("{}: {}", capitalise(src.as_str()), b.source_ref)),
    };
    let mut facts = vec![
        Fact::text("Code", b.code.to_string()),
        Fact::text("Kind", kind_name(b.kind)),
        Fact::new("Status", vec![status_cell(b.status)]),
        Fact::text("Confidence", capitalise(b.confidence.as_str())),
        Fact::new(
            "Portfolio",
            vec![Cell::link(
                portfolio_title(fw, &b.portfolio),
                format!("/portfolios/{}", url_encode(b.portfolio.as_str())),
            )],
        ),
        Fact::text(
            "Savings line",
            if b.group.is_empty() {
                "The portfolio's own line".to_string()
            } else {
                b.group.clone()
            },
        ),
        Fact::new(
            "Owner",
            vec![match &b.owner {
                Some(e) => Cell::link(
                    person_name(fw, b),
                    format!("/people/{}", url_encode(e.as_str())),
                ),
                None => Cell::text("No one yet"),
            }],
        ),
        Fact::new("Source", vec![source]),
        Fact::text(
            "Baseline",
            if b.baseline.is_empty() {
                "Not recorded".to_string()
            } else {
                b.baseline.clone()
            },
        ),
        Fact::new(
            "Measure",
            vec![match &b.measure {
                Some(m) => Cell::link(
                    d.indicators
                        .iter()
                        .find(|(c, _)| c == m)
                        .map(|(c, t)| format!("{c} — {t}"))
                        .unwrap_or_else(|| m.to_string()),
                    format!("/indicators/{}", url_encode(m.as_str())),
                ),
                None => Cell::text("None"),
            }],
        ),
    ];
    if !b.description.is_empty() {
        facts.push(Fact::text("Description", b.description.clone()));
    }
    if b.kind != BenefitKind::NonFinancial {
        facts.extend([
            Fact::text("Planned", money(figures.planned_pence)),
            Fact::text("Achieved", money(figures.achieved_pence)),
            Fact::text("Over/(under)", over_under(figures.variance_pence)),
        ]);
    }
    let mut table = TableView::new(
        "Profile by financial year",
        &["Year", "Planned", "Realised", "Over/(under)"],
    )
    .numeric(&[1, 2, 3])
    .empty(if b.kind == BenefitKind::NonFinancial {
        "A non-financial benefit has no money profile: its measure shows it."
    } else {
        "No profile yet."
    });
    for p in &values {
        table.rows.push(vec![
            Cell::text(p.year.to_string()),
            Cell::num(money(p.planned_pence)),
            Cell::num(
                p.realised_pence
                    .map(money)
                    .unwrap_or_else(|| "Not yet reported".into()),
            ),
            Cell::num(
                p.realised_pence
                    .map(|r| over_under(r - p.planned_pence))
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    if !values.is_empty() {
        table.rows.push(vec![
            Cell::text("Total"),
            Cell::num(money(figures.planned_pence)),
            Cell::num(money(figures.achieved_pence)),
            Cell::num(over_under(figures.variance_pence)),
        ]);
    }
    let here = path(b.code.as_str());
    let mut actions = Vec::new();
    if can {
        actions.push(Link::new(format!("{here}/edit"), "Edit this benefit"));
        if b.kind != BenefitKind::NonFinancial {
            actions.push(Link::new(format!("{here}/profile"), "Edit its profile"));
        }
    }
    let history = s
        .app
        .benefit_history(&staff.caller, rec)
        .await
        .unwrap_or_default();
    let mut changes = history_table(&history);
    for (row, audit) in changes.rows.iter_mut().zip(&history) {
        // Name the profile year a change was to.
        if audit.entity_type == "benefit-profile"
            && let Some(year) = audit
                .entity_code
                .as_deref()
                .and_then(|k| k.rsplit_once(' '))
                .map(|(_, y)| y)
        {
            row[2].text = format!("{} (profile {year})", row[2].text);
        }
    }
    let mut chrome = chrome_for(&staff, &b.title, "benefits");
    chrome.flash = flash.text();
    render_page(RecordPage {
        chrome,
        caption: "Benefit".into(),
        heading: b.title.clone(),
        facts,
        actions,
        delete: (can && values.is_empty()).then(|| (format!("{here}/delete"), rec.version)),
        sections: vec![
            Section {
                heading: "Profile".into(),
                intro: "Planned and realised money by financial year. Over/(under) is realised − planned, shown in brackets when under; years not yet reported are left out of it.".into(),
                tables: vec![table],
                links: vec![Link::new("/savings", "Savings tracking for every benefit")],
            },
            Section {
                heading: "History".into(),
                tables: vec![changes],
                ..Default::default()
            },
        ],
    })
}

// ----- the benefit form -----

fn benefit_fields(d: &Data, b: Option<&Benefit>) -> Vec<Field> {
    let fw = &d.fw;
    let text = |f: fn(&Benefit) -> String| b.map(f).unwrap_or_default();
    let mut owners = vec![Choice {
        value: String::new(),
        label: "No one yet".into(),
        selected: b.is_none_or(|b| b.owner.is_none()),
    }];
    owners.extend(fw.people.iter().map(|p| Choice {
        value: p.email.to_string(),
        label: format!("{} ({})", p.name, p.email),
        selected: b.and_then(|b| b.owner.as_ref()) == Some(&p.email),
    }));
    let mut measures = vec![Choice {
        value: String::new(),
        label: "None".into(),
        selected: b.is_none_or(|b| b.measure.is_none()),
    }];
    measures.extend(d.indicators.iter().map(|(c, t)| Choice {
        value: c.to_string(),
        label: format!("{c} — {t}"),
        selected: b.and_then(|b| b.measure.as_ref()) == Some(c),
    }));
    let mut fields = Vec::new();
    if b.is_none() {
        fields.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. BEN-WASTE-01. It cannot change later.")
                .required(),
        );
    }
    fields.extend([
        Field::new("text", "title", "Title", text(|b| b.title.clone())).required(),
        Field::new("select", "kind", "Kind", "")
            .hint("A cashable saving comes off the budget and counts against the funding gap; a non-cashable benefit has a money value that is not released; a non-financial one is shown by its measure.")
            .choices(choices(
                BenefitKind::ALL,
                b.map(|b| b.kind).or(Some(BenefitKind::Cashable)),
                |k| kind_name(k).to_string(),
                |k| k.to_string(),
            ))
            .required(),
        Field::new("select", "owner", "Owner", "")
            .hint("Who is accountable for realising it.")
            .choices(owners),
        Field::new("select", "source", "Source", "")
            .choices(choices(
                BenefitSource::ALL,
                b.map(|b| b.source).or(Some(BenefitSource::Review)),
                |s| capitalise(s.as_str()),
                |s| s.to_string(),
            ))
            .required(),
        Field::new(
            "text",
            "source_ref",
            "Source reference",
            text(|b| b.source_ref.clone()),
        )
        .hint("For a benefit from a review, the review's code (e.g. REV-2026-01); otherwise the project, decision or restructure it came from."),
        Field::new("select", "portfolio", "Portfolio", "")
            .hint("The portfolio that realises it, whose savings it counts in.")
            .choices(
                fw.portfolios
                    .iter()
                    .map(|p| Choice {
                        value: p.code.to_string(),
                        label: format!("{} ({})", p.title, p.code),
                        selected: b.map(|b| &b.portfolio) == Some(&p.code),
                    })
                    .collect(),
            )
            .required(),
        Field::new("text", "group", "Savings line", text(|b| b.group.clone()))
            .hint("Optional: the line it is tracked on within its portfolio, e.g. a 2018 directorate such as People. Leave empty for the portfolio's own line."),
        Field::new("text", "baseline", "Baseline", text(|b| b.baseline.clone()))
            .hint("Where things stood before, e.g. a cost, a rate or a volume."),
        Field::new("select", "measure", "Measure", "")
            .hint("The indicator that shows the benefit; required for a non-financial benefit.")
            .choices(measures),
        Field::new("select", "status", "Status", "")
            .choices(choices(
                BenefitStatus::ALL,
                b.map(|b| b.status).or(Some(BenefitStatus::Planned)),
                |s| status_cell(s).text,
                |s| s.to_string(),
            ))
            .required(),
        Field::new("select", "confidence", "Confidence", "")
            .choices(choices(
                Confidence::ALL,
                b.map(|b| b.confidence).or(Some(Confidence::Medium)),
                |c| capitalise(c.as_str()),
                |c| c.to_string(),
            ))
            .required(),
        Field::new(
            "textarea",
            "description",
            "Description",
            text(|b| b.description.clone()),
        ),
    ]);
    fields
}

#[allow(clippy::too_many_arguments)]
fn form(
    staff: &Staff,
    heading: String,
    action: String,
    cancel: String,
    submit: &str,
    mut fields: Vec<Field>,
    version: Option<i64>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    let form = FormView {
        heading,
        caption: "Benefits".into(),
        action,
        fields,
        submit: submit.into(),
        cancel,
        version,
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "benefits", form)
}

fn benefit_form(
    staff: &Staff,
    d: &Data,
    existing: Option<&Rec<Benefit>>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let fields = benefit_fields(d, existing.map(|r| &r.value));
    match existing {
        Some(r) => {
            let here = path(r.value.code.as_str());
            form(
                staff,
                format!("Edit {}", r.value.title),
                here.clone(),
                here,
                "Save changes",
                fields,
                Some(posted.and_then(FormData::version).unwrap_or(r.version)),
                errors,
                posted,
            )
        }
        None => form(
            staff,
            "Add a benefit".into(),
            "/benefits".into(),
            "/benefits".into(),
            "Add benefit",
            fields,
            None,
            errors,
            posted,
        ),
    }
}

fn benefit_input(f: &FormData, code: Option<&str>) -> BenefitInput {
    BenefitInput {
        code: code.map(str::to_string).unwrap_or_else(|| f.get("code")),
        title: f.get("title"),
        kind: f.get("kind"),
        owner: f.opt("owner"),
        source: f.get("source"),
        source_ref: f.get("source_ref"),
        portfolio: f.get("portfolio"),
        group: f.get("group"),
        baseline: f.get("baseline"),
        measure: f.opt("measure"),
        status: f.get("status"),
        confidence: f.get("confidence"),
        description: f.get("description"),
        version: f.version(),
    }
}

async fn new_form(State(s): State<AppState>, staff: Staff) -> Response {
    match load(&s, &staff.caller).await {
        Ok(d) if may_add_benefits(&staff.caller, &d.fw) => {
            benefit_form(&staff, &d, None, vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn edit_form(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    let d = match load(&s, &staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    match find(&d, &code) {
        Ok(r) if may_write_benefit(&staff.caller, &d.fw, &r.value.portfolio) => {
            benefit_form(&staff, &d, Some(r), vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

/// After a failed change: the form again with its errors, or an error page.
async fn again(
    s: &AppState,
    staff: &Staff,
    e: AppError,
    show: impl FnOnce(&Data, Vec<(String, String)>) -> Option<Response>,
) -> Response {
    match (form_errors(&e), load(s, &staff.caller).await) {
        (Some(errors), Ok(d)) => show(&d, errors).unwrap_or_else(|| error_page(e)),
        _ => error_page(e),
    }
}

async fn create(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    match s
        .app
        .create_benefit(&staff.caller, &benefit_input(&form, None))
        .await
    {
        Ok(rec) => Redirect::to(&format!("{}?saved=created", path(rec.value.code.as_str())))
            .into_response(),
        Err(e) => {
            again(&s, &staff, e, |d, errors| {
                Some(benefit_form(&staff, d, None, errors, Some(&form)))
            })
            .await
        }
    }
}

async fn update(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .update_benefit(&staff.caller, &code, &benefit_input(&form, Some(&code)))
        .await
    {
        Ok(rec) => Redirect::to(&format!("{}?saved=updated", path(rec.value.code.as_str())))
            .into_response(),
        Err(e) => {
            again(&s, &staff, e, |d, errors| {
                find(d, &code)
                    .ok()
                    .map(|r| benefit_form(&staff, d, Some(r), errors, Some(&form)))
            })
            .await
        }
    }
}

async fn delete(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .delete_benefit(&staff.caller, &code, form.version())
        .await
    {
        Ok(()) => Redirect::to("/benefits?saved=deleted").into_response(),
        Err(e) => error_page(e),
    }
}

// ----- the profile form -----

/// Blank lines offered after the years a benefit has.
const BLANK_LINES: usize = 3;

fn profile_fields(lines: &[(String, String, String)]) -> Vec<Field> {
    let mut fields = Vec::new();
    for (n, (year, planned, realised)) in lines.iter().enumerate() {
        let n = n + 1;
        fields.push(Field::new(
            "heading",
            &format!("line_{n}"),
            &format!("Year {n}"),
            "",
        ));
        fields.push(
            Field::new(
                "text",
                &format!("year_{n}"),
                &format!("Year {n}: financial year"),
                year.clone(),
            )
            .hint("For example 2026/27. Leave the whole line empty to remove the year."),
        );
        fields.push(
            Field::new(
                "text",
                &format!("planned_{n}"),
                &format!("Year {n}: planned (£)"),
                planned.clone(),
            )
            .hint("In pounds, up to 2 decimal places, e.g. 180000."),
        );
        fields.push(
            Field::new(
                "text",
                &format!("realised_{n}"),
                &format!("Year {n}: realised (£)"),
                realised.clone(),
            )
            .hint("Leave empty until the year's figure is known."),
        );
    }
    fields
}

fn profile_page(
    staff: &Staff,
    rec: &Rec<Benefit>,
    lines: &[(String, String, String)],
    version: i64,
    errors: Vec<(String, String)>,
) -> Response {
    let here = path(rec.value.code.as_str());
    let form = FormView {
        heading: format!("Profile of {}", rec.value.title),
        caption: "Benefits".into(),
        action: format!("{here}/profile"),
        fields: profile_fields(lines),
        submit: "Save the profile".into(),
        cancel: here,
        version: Some(version),
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "benefits", form)
}

async fn profile_form(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let d = match load(&s, &staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let rec = match find(&d, &code) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    if !may_write_benefit(&staff.caller, &d.fw, &rec.value.portfolio) {
        return refuse(&staff.caller);
    }
    if rec.value.kind == BenefitKind::NonFinancial {
        return error_page(AppError::BadRequest(
            "A non-financial benefit has no money profile: its measure shows it.".into(),
        ));
    }
    let mut lines: Vec<(String, String, String)> = d
        .snap
        .profile_of(&rec.value.code)
        .iter()
        .map(|p| {
            (
                p.value.year.to_string(),
                format_pounds_plain(p.value.planned_pence),
                p.value
                    .realised_pence
                    .map(format_pounds_plain)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let next = lines
        .last()
        .and_then(|(y, _, _)| FinancialYear::parse(y).ok())
        .map(|y| y.next());
    for i in 0..BLANK_LINES {
        let year = match (i, next) {
            (0, Some(y)) => y.to_string(),
            _ => String::new(),
        };
        lines.push((year, String::new(), String::new()));
    }
    profile_page(&staff, rec, &lines, rec.version, vec![])
}

/// The lines posted: (year, planned, realised) text for every line shown.
fn posted_lines(f: &FormData) -> Vec<(String, String, String)> {
    let count = f.0.iter().filter(|(k, _)| k.starts_with("year_")).count();
    (1..=count)
        .map(|n| {
            (
                f.get(&format!("year_{n}")),
                f.get(&format!("planned_{n}")),
                f.get(&format!("realised_{n}")),
            )
        })
        .collect()
}

async fn save_profile(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let lines = posted_lines(&form);
    // Money is typed in pounds here; the application takes pence.
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut items = Vec::new();
    let mut line_of = Vec::new();
    for (i, (year, planned, realised)) in lines.iter().enumerate() {
        let n = i + 1;
        if year.is_empty() && planned.is_empty() && realised.is_empty() {
            continue;
        }
        let mut pounds = |name: &str, v: &str, required: bool| -> Option<i64> {
            if v.is_empty() {
                if required {
                    errors.push((format!("{name}_{n}"), "is required".into()));
                }
                return None;
            }
            parse_pounds(v)
                .map_err(|e| errors.push((format!("{name}_{n}"), e.0)))
                .ok()
        };
        let planned_pence = pounds("planned", planned, true);
        let realised_pence = pounds("realised", realised, false);
        if year.is_empty() {
            errors.push((format!("year_{n}"), "is required".into()));
        }
        items.push(ProfileLine {
            year: year.clone(),
            planned_pence: planned_pence.unwrap_or(0),
            realised_pence,
        });
        line_of.push(n);
    }
    let result = if errors.is_empty() {
        s.app
            .set_benefit_profile(
                &staff.caller,
                &code,
                &ProfileInput {
                    items,
                    version: form.version(),
                },
            )
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(
            errors
                .iter()
                .map(|(f, m)| goldthread_app::FieldError::new(f.clone(), m.clone()))
                .collect(),
        ))
    };
    match result {
        Ok(()) => Redirect::to(&format!("{}?saved=updated", path(&code))).into_response(),
        Err(e) => {
            let Some(errs) = form_errors(&e) else {
                return error_page(e);
            };
            // items[i].planned_pence → planned_n, and so on.
            let errs: Vec<(String, String)> = errs
                .into_iter()
                .map(|(field, message)| {
                    let mapped = field
                        .strip_prefix("items[")
                        .and_then(|r| r.split_once(']'))
                        .and_then(|(i, rest)| {
                            let n = line_of.get(i.parse::<usize>().ok()?)?;
                            let col = rest.trim_start_matches('.');
                            let col = col.trim_end_matches("_pence");
                            Some(if col.is_empty() {
                                format!("year_{n}")
                            } else {
                                format!("{col}_{n}")
                            })
                        });
                    (mapped.unwrap_or(field), message)
                })
                .collect();
            let d = match load(&s, &staff.caller).await {
                Ok(d) => d,
                Err(e) => return error_page(e),
            };
            match find(&d, &code) {
                Ok(rec) => profile_page(
                    &staff,
                    rec,
                    &lines,
                    form.version().unwrap_or(rec.version),
                    errs,
                ),
                Err(e) => error_page(e),
            }
        }
    }
}

// ----- savings tracking -----

fn total_row(label: &str, blanks: usize, f: &Figures) -> Vec<Cell> {
    let mut row = vec![Cell::text(label)];
    row.extend((0..blanks).map(|_| Cell::text("")));
    row.extend(figure_cells(f));
    row
}

const FIGURE_HEADERS: [&str; 4] = ["Planned", "Achieved", "Over/(under)", "Not yet reported"];

/// A line's two bars: planned (solid, named) and achieved (hatched), each
/// with its amount written out.
fn line_bars(name: String, f: &Figures) -> [Bar; 2] {
    let achieved = if f.achieved_pence == 0 && f.not_yet_reported_pence == f.planned_pence {
        "none reported yet".to_string()
    } else {
        let by = match f.variance_pence {
            v if v < 0 => format!(", under by {}", money(-v)),
            v if v > 0 => format!(", over by {}", money(v)),
            _ => String::new(),
        };
        format!("achieved {}{by}", money(f.achieved_pence))
    };
    [
        Bar {
            label: name,
            value: f.planned_pence as f64,
            text: format!("planned {}", money(f.planned_pence)),
            muted: false,
        },
        Bar {
            label: String::new(),
            value: f.achieved_pence as f64,
            text: achieved,
            muted: true,
        },
    ]
}

/// A figures table's headers (`first` then the four figures) and its numeric columns.
fn fig(first: &[&'static str]) -> (Vec<&'static str>, Vec<usize>) {
    let n = first.len();
    (
        first.iter().copied().chain(FIGURE_HEADERS).collect(),
        (n..n + FIGURE_HEADERS.len()).collect(),
    )
}

async fn savings_page(State(s): State<AppState>, staff: Staff) -> Response {
    let c = &staff.caller;
    let (t, fw) = match async {
        Ok::<_, AppError>((s.app.savings(c).await?, s.app.view(c).await?.framework))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };

    // Lines a benefit names (such as the 2018 directorates) and the
    // portfolios' own lines, each with its subtotal.
    let mut line_tables = Vec::new();
    let mut bars = Vec::new();
    let named = t.lines.iter().any(|l| !l.group.is_empty());
    for (caption, own, total_label) in [
        ("Savings on named lines", false, "Total on named lines"),
        (
            "Savings on the portfolios' own lines",
            true,
            "Total on the portfolios' own lines",
        ),
    ] {
        let (h, nums) = fig(&["Line", "Portfolio"]);
        let caption = if named { caption } else { "Savings by line" };
        let mut table = TableView::new(caption, &h)
            .numeric(&nums)
            .empty(if named && own {
                "No savings on the portfolios' own lines."
            } else {
                "No cashable savings are profiled yet."
            });
        let mut subtotal = Figures::default();
        for l in t.lines.iter().filter(|l| l.group.is_empty() == own) {
            let name = line_name(&fw, &l.portfolio, &l.group);
            let mut row = vec![
                Cell::text(name.clone()),
                Cell::text(portfolio_title(&fw, &l.portfolio)),
            ];
            row.extend(figure_cells(&l.figures));
            table.rows.push(row);
            subtotal.add(&l.figures);
            bars.extend(line_bars(
                if l.group.is_empty() {
                    portfolio_title(&fw, &l.portfolio)
                } else {
                    l.group.clone()
                },
                &l.figures,
            ));
        }
        if !table.rows.is_empty() {
            table.rows.push(total_row(
                if named { total_label } else { "Total" },
                1,
                &subtotal,
            ));
        }
        if named || own {
            line_tables.push(table);
        }
    }

    let (h, nums) = fig(&["Portfolio"]);
    let mut portfolios = TableView::new("Savings by portfolio", &h)
        .numeric(&nums)
        .empty("No cashable savings are profiled yet.");
    for p in &t.portfolios {
        let mut row = vec![Cell::link(
            portfolio_title(&fw, &p.portfolio),
            format!("/portfolios/{}", url_encode(p.portfolio.as_str())),
        )];
        row.extend(figure_cells(&p.figures));
        portfolios.rows.push(row);
    }
    if !t.portfolios.is_empty() {
        portfolios.rows.push(total_row("Total", 0, &t.total));
    }

    let (h, nums) = fig(&["Financial year"]);
    let mut years = TableView::new("Savings by financial year", &h)
        .numeric(&nums)
        .empty("No cashable savings are profiled yet.");
    for y in &t.years {
        let mut row = vec![Cell::text(y.year.to_string())];
        row.extend(figure_cells(&y.figures));
        years.rows.push(row);
    }
    if !t.years.is_empty() {
        years.rows.push(total_row("Total", 0, &t.total));
    }

    let (h, nums) = fig(&["Portfolio", "Line", "Financial year"]);
    let mut rows = TableView::new("Savings by portfolio, line and year", &h)
        .numeric(&nums)
        .empty("No cashable savings are profiled yet.");
    for r in &t.rows {
        let mut row = vec![
            Cell::text(portfolio_title(&fw, &r.portfolio)),
            Cell::text(line_name(&fw, &r.portfolio, &r.group)),
            Cell::text(r.year.to_string()),
        ];
        row.extend(figure_cells(&r.figures));
        rows.rows.push(row);
    }
    if !t.rows.is_empty() {
        rows.rows.push(total_row("Total", 2, &t.total));
    }

    let mut by_line = PageSection {
        id: "lines".into(),
        heading: "By line".into(),
        intro: "Each portfolio's savings, on the lines its benefits name (such as the 2018 directorates) or on its own line. Over/(under) is achieved − planned over the years reported, in brackets when under.".into(),
        tables: line_tables,
        ..Default::default()
    };
    if !bars.is_empty() {
        by_line.charts.push((
            "Planned and achieved savings by line".to_string(),
            bar_chart(
                "savings-chart",
                "Planned and achieved savings by line",
                "For each line, a solid bar for the savings planned and a hatched bar below it for those achieved, each with its amount written at its end; the figures are in the tables below.",
                &bars,
            ),
        ));
    }
    render_page(ChartsPage {
        chrome: chrome_for(&staff, "Savings tracking", "benefits"),
        caption: "Benefits".into(),
        heading: "Savings tracking".into(),
        intro: "Cashable savings planned and achieved by portfolio and financial year, with over- and under-achievement. Non-cashable and non-financial benefits are on their own pages; they do not come off the budget.".into(),
        actions: vec![
            Link::new("/benefits", "Benefits register"),
            Link::new("/finance/gap", "Funding gap"),
        ],
        sections: vec![
            by_line,
            PageSection {
                id: "portfolios".into(),
                heading: "By portfolio".into(),
                tables: vec![portfolios],
                ..Default::default()
            },
            PageSection {
                id: "years".into(),
                heading: "By financial year".into(),
                tables: vec![years],
                ..Default::default()
            },
            PageSection {
                id: "detail".into(),
                heading: "By portfolio, line and year".into(),
                tables: vec![rows],
                ..Default::default()
            },
        ],
    })
}

// ----- the funding gap -----

#[derive(Deserialize, Default)]
struct GapQuery {
    from: Option<String>,
}

fn signed(pence: i64) -> String {
    if pence < 0 {
        format!("{} (surplus)", money(-pence))
    } else {
        money(pence)
    }
}

async fn gap_page(State(s): State<AppState>, staff: Staff, Query(q): Query<GapQuery>) -> Response {
    let from = match q.from.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => match FinancialYear::parse(f) {
            Ok(y) => Some(y),
            Err(e) => return error_page(AppError::BadRequest(e)),
        },
        None => None,
    };
    let (g, all) = match async {
        Ok::<_, AppError>((
            s.app.funding_gap(&staff.caller, from).await?,
            s.app.funding_gap(&staff.caller, None).await?,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut years = TableView::new(
        "Funding gap and savings by financial year",
        &[
            "Financial year",
            "Gap",
            "Planned savings",
            "Realised savings",
            "Gap after planned savings",
            "Gap after realised savings",
        ],
    )
    .numeric(&[1, 2, 3, 4, 5])
    .empty("No budget gap is recorded yet (import budget-gap.csv).");
    let mut running = TableView::new(
        "Running totals",
        &[
            "Financial year",
            "Gap",
            "Planned savings",
            "Realised savings",
            "Gap after planned savings",
            "Gap after realised savings",
        ],
    )
    .numeric(&[1, 2, 3, 4, 5])
    .empty("No budget gap is recorded yet.");
    for r in &g.rows {
        years.rows.push(vec![
            Cell::text(r.year.to_string()),
            Cell::num(signed(r.gap_pence)),
            Cell::num(money(r.planned_pence)),
            Cell::num(money(r.realised_pence)),
            Cell::num(signed(r.remaining_after_planned_pence)),
            Cell::num(signed(r.remaining_after_realised_pence)),
        ]);
        running.rows.push(vec![
            Cell::text(format!("To {}", r.year)),
            Cell::num(signed(r.cumulative_gap_pence)),
            Cell::num(money(r.cumulative_planned_pence)),
            Cell::num(money(r.cumulative_realised_pence)),
            Cell::num(signed(r.cumulative_remaining_after_planned_pence)),
            Cell::num(signed(r.cumulative_remaining_after_realised_pence)),
        ]);
    }
    if !g.rows.is_empty() {
        let t = &g.total;
        years.rows.push(vec![
            Cell::text("Total"),
            Cell::num(signed(t.gap_pence)),
            Cell::num(money(t.planned_pence)),
            Cell::num(money(t.realised_pence)),
            Cell::num(signed(t.remaining_after_planned_pence)),
            Cell::num(signed(t.remaining_after_realised_pence)),
        ]);
    }
    let labels: Vec<String> = g.rows.iter().map(|r| r.year.to_string()).collect();
    let pounds = |f: fn(&goldthread_domain::benefits::GapRow) -> i64| -> Vec<Option<f64>> {
        g.rows
            .iter()
            .map(|r| Some(f(r) as f64 / 100_000_000.0))
            .collect()
    };
    let chart = line_chart(
        "gap-chart",
        "Cumulative funding gap and savings (£ million)",
        "Running totals by financial year of the budget gap (solid line), the cashable savings planned against it (dashed) and those realised (dotted); the figures are in the running totals table.",
        &labels,
        &[
            Series {
                name: "Cumulative gap".into(),
                values: pounds(|r| r.cumulative_gap_pence),
                style: "solid",
                markers: true,
            },
            Series {
                name: "Planned savings".into(),
                values: pounds(|r| r.cumulative_planned_pence),
                style: "dashed",
                markers: true,
            },
            Series {
                name: "Realised savings".into(),
                values: pounds(|r| r.cumulative_realised_pence),
                style: "dotted",
                markers: true,
            },
        ],
    );
    let mut main = PageSection {
        id: "gap".into(),
        heading: match from {
            Some(y) => format!("From {y}"),
            None => "Year by year".into(),
        },
        intro: "Each year's budget gap before savings, the cashable savings planned and realised that year, and what is left to find. A negative gap is a surplus.".into(),
        tables: vec![years, running],
        notes: g
            .rows
            .iter()
            .filter(|r| !r.note.is_empty())
            .map(|r| format!("{}: {}", r.year, r.note))
            .collect(),
        ..Default::default()
    };
    if !chart.is_empty() {
        main.charts.push((
            "Cumulative funding gap, planned and realised savings (£ million)".to_string(),
            chart,
        ));
    }
    let mut other = TableView::new(
        "Savings in years with no recorded gap",
        &["Financial year", "Planned", "Achieved"],
    )
    .numeric(&[1, 2])
    .empty("None.");
    for y in &g.savings_in_other_years {
        other.rows.push(vec![
            Cell::text(y.year.to_string()),
            Cell::num(money(y.figures.planned_pence)),
            Cell::num(money(y.figures.achieved_pence)),
        ]);
    }
    let mut links = vec![Link::new("/finance/gap", "From the first year recorded")];
    links.extend(all.rows.iter().skip(1).map(|r| {
        Link::new(
            format!("/finance/gap?from={}", url_encode(&r.year.to_string())),
            format!("From {}", r.year),
        )
    }));
    render_page(ChartsPage {
        chrome: chrome_for(&staff, "Funding gap", "benefits"),
        caption: "Medium-term financial plan".into(),
        heading: "The funding gap".into(),
        intro: "The medium-term budget gap by financial year and the cashable savings set against it. Running totals start at the first year shown.".into(),
        actions: vec![
            Link::new("/savings", "Savings tracking"),
            Link::new("/export/budget-gap.csv", "Download budget-gap.csv"),
        ],
        sections: vec![
            main,
            PageSection {
                id: "other-years".into(),
                heading: "Savings outside the plan's years".into(),
                intro: "Cashable savings profiled in years with no budget gap recorded are not set against any gap.".into(),
                tables: vec![other],
                ..Default::default()
            },
            PageSection {
                id: "from".into(),
                heading: "Count from another year".into(),
                intro: "Start the running totals at a later year, for example at the start of the current medium-term financial strategy.".into(),
                links,
                ..Default::default()
            },
        ],
    })
}

/// The benefits reached from an outcome's or a service's page (through a
/// review, an indicator that measures them, or an initiative that delivers
/// them), for its page.
pub(crate) async fn linked_section(
    s: &AppState,
    c: &Caller,
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Section {
    let what = if outcome.is_some() {
        "outcome"
    } else {
        "service"
    };
    let linked = s
        .app
        .benefits_linked(c, outcome, service)
        .await
        .unwrap_or_default();
    let profiles = s.app.benefits(c).await.unwrap_or_default();
    let mut t = TableView::new(
        format!("Benefits linked to this {what}"),
        &[
            "Benefit",
            "Kind",
            "Status",
            "How it is linked",
            "Planned",
            "Achieved",
        ],
    )
    .numeric(&[4, 5])
    .empty(&format!("No benefit is linked to this {what}."));
    for l in &linked {
        let b = &l.benefit.value;
        let profile: Vec<_> = profiles
            .profile_of(&b.code)
            .into_iter()
            .map(|p| p.value.clone())
            .collect();
        let f = benefit_figures(&profile);
        let (planned, achieved) = if b.kind == BenefitKind::NonFinancial {
            ("—".to_string(), "—".to_string())
        } else {
            (money(f.planned_pence), money(f.achieved_pence))
        };
        t.rows.push(vec![
            Cell::link(format!("{} — {}", b.code, b.title), path(b.code.as_str())),
            Cell::text(kind_name(b.kind)),
            status_cell(b.status),
            Cell::text(l.via.join("; ")),
            Cell::num(planned),
            Cell::num(achieved),
        ]);
    }
    Section {
        heading: "Benefits".into(),
        intro: format!(
            "Benefits and savings reached from this {what}: from a service review, measured by one of its indicators, or delivered by an initiative linked to it."
        ),
        tables: vec![t],
        links: vec![Link::new("/benefits", "The benefits register")],
    }
}
