//! Action plans' staff pages: the plans with their summaries and every action
//! (filtered by plan, status, overdue and lead), a plan recommendation by
//! recommendation, an action with its progress notes, links and history, and
//! the forms to add, change and delete an action and to add a progress note.
//! Overdue is always said in words; colour only repeats it.
use crate::AppState;
use crate::extract::{Staff, StaffForm};
use crate::pages::{
    Flash, FormData, capitalise, chrome_for, error_page, form_errors, form_response, history_table,
    outcome_choices, render_page, url_encode,
};
use crate::structure;
use crate::view::{Cell, Choice, Fact, Field, FormView, Link, RecordPage, Section, TableView};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::actions::{
    ActionFilter, ActionInput, ActionLine, ActionsView, PROGRESS_ENTITY, ProgressInput,
    action_lines, plan_detail, plan_lines,
};
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::actions::{Action, ActionStatus, PlanSummary};
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::Write;
use goldthread_domain::{Code, OutcomeKind};
use serde::Deserialize;
use std::collections::BTreeSet;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/actions", get(list).post(create))
        .route("/actions/new", get(new_form))
        .route("/actions/{code}", get(show).post(update))
        .route("/actions/{code}/edit", get(edit_form))
        .route("/actions/{code}/delete", post(delete))
        .route(
            "/actions/{code}/progress",
            get(progress_form).post(add_progress),
        )
        .route("/action-plans", post(structure::create_plan))
        .route("/action-plans/new", get(structure::new_plan))
        .route(
            "/action-plans/{code}",
            get(plan_page).post(structure::update_plan),
        )
        .route("/action-plans/{code}/edit", get(structure::edit_plan))
        .route("/action-plans/{code}/delete", post(structure::delete_plan))
        .route(
            "/action-plans/{code}/recommendations",
            post(structure::create_recommendation),
        )
        .route(
            "/action-plans/{code}/recommendations/new",
            get(structure::new_recommendation),
        )
        .route(
            "/action-plans/{code}/recommendations/{recommendation}",
            post(structure::update_recommendation),
        )
        .route(
            "/action-plans/{code}/recommendations/{recommendation}/edit",
            get(structure::edit_recommendation),
        )
        .route(
            "/action-plans/{code}/recommendations/{recommendation}/delete",
            post(structure::delete_recommendation),
        )
}

fn today() -> time::Date {
    crate::perf_pages::today()
}

/// A status as a tag: the word is always there.
pub(crate) fn status_cell(s: ActionStatus) -> Cell {
    let kind = match s {
        ActionStatus::Complete => "status-green",
        ActionStatus::InProgress => "significant",
        ActionStatus::NotStarted | ActionStatus::Cancelled => "some",
    };
    Cell::tag(capitalise(&s.as_str().replace('-', " ")), kind)
}

/// Whether an action is overdue, in words ("Overdue by 3 days").
pub(crate) fn overdue_cell(a: &ActionLine) -> Cell {
    match a.days_overdue {
        Some(d) => Cell::tag(
            format!("Overdue by {d} day{}", if d == 1 { "" } else { "s" }),
            "status-overdue",
        ),
        None => Cell::text("No"),
    }
}

fn due_text(a: &Action) -> String {
    a.due
        .map(|d| d.to_string())
        .unwrap_or_else(|| "No due date".into())
}

fn action_link(a: &Action) -> Cell {
    Cell::link(
        format!("{} — {}", a.code, capitalise(&a.title)),
        format!("/actions/{}", url_encode(a.code.as_str())),
    )
}

fn person(fw: &Framework, e: &Option<goldthread_domain::Email>) -> String {
    e.as_ref()
        .map(|e| {
            fw.person(e.as_str())
                .map(|p| p.name.clone())
                .unwrap_or_else(|| e.to_string())
        })
        .unwrap_or_default()
}

/// The actions table; `plan` adds the plan column, `recommendation` the
/// recommendation column.
fn actions_table(
    caption: &str,
    lines: &[ActionLine],
    plan: bool,
    recommendation: bool,
    empty: &str,
) -> TableView {
    let mut headers = vec!["Action"];
    if plan {
        headers.push("Plan");
    }
    if recommendation {
        headers.push("Recommendation");
    }
    headers.extend([
        "Lead",
        "Timescale",
        "Due",
        "Status",
        "% complete",
        "Overdue",
    ]);
    let pct = headers.len() - 2;
    let mut t = TableView::new(caption, &headers)
        .numeric(&[pct])
        .empty(empty);
    for l in lines {
        let a = &l.action;
        let mut row = vec![action_link(a)];
        if plan {
            row.push(Cell::link(
                a.plan.to_string(),
                format!("/action-plans/{}", url_encode(a.plan.as_str())),
            ));
        }
        if recommendation {
            row.push(Cell::text(a.recommendation.to_string()));
        }
        row.extend([
            Cell::text(a.lead.clone()),
            Cell::text(a.timescale.clone()),
            Cell::text(due_text(a)),
            status_cell(a.status),
            Cell::num(format!("{}%", a.percent_complete)),
            overdue_cell(l),
        ]);
        t.rows.push(row);
    }
    t
}

fn summary_text(s: &PlanSummary) -> String {
    format!(
        "{} actions: {} complete, {} in progress, {} not started, {} cancelled; {} overdue; {}",
        s.actions,
        s.complete,
        s.in_progress,
        s.not_started,
        s.cancelled,
        s.overdue,
        s.mean_percent_complete
            .map(|m| format!("on average {m}% complete (cancelled actions left out)"))
            .unwrap_or_else(|| "no average (no live actions)".into())
    )
}

/// May the caller write some action (whatever it links to)?
fn may_add(c: &Caller, fw: &Framework) -> bool {
    let services: Vec<Code> = fw.services.iter().map(|s| s.code.clone()).collect();
    let outcomes: Vec<Code> = fw.outcomes.iter().map(|o| o.code.clone()).collect();
    c.actor.may(
        Write::Register {
            services: &services,
            outcomes: &outcomes,
        },
        fw,
    )
}

/// May the caller change this action (by what it links to)?
fn may_change(c: &Caller, fw: &Framework, a: &Action) -> bool {
    c.actor.may(
        Write::Register {
            services: &a.services,
            outcomes: &a.outcomes,
        },
        fw,
    )
}

fn refuse(c: &Caller) -> Response {
    error_page(AppError::Forbidden(format!(
        "Your role ({}) cannot change this action: actions are changed by those who manage a service they link to (or lead an outcome they link to), administrators and performance officers.",
        c.role()
    )))
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    chrome: crate::view::Chrome,
    intro: String,
    actions: Vec<Link>,
    plans: Vec<TableView>,
    filters: Vec<Field>,
    tables: Vec<TableView>,
    shown: usize,
    total: usize,
    as_at: String,
}

#[derive(Deserialize, Default)]
struct Filters {
    plan: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    lead: Option<String>,
}

fn select(name: &str, label: &str, current: &str, options: Vec<(String, String)>) -> Field {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any".into(),
        selected: current.is_empty(),
    }];
    choices.extend(options.into_iter().map(|(v, l)| Choice {
        selected: v == current,
        value: v,
        label: l,
    }));
    Field::new("select", name, label, "").choices(choices)
}

async fn list(
    State(s): State<AppState>,
    staff: Staff,
    Query(f): Query<Filters>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.actions_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let today = today();
    let held = &v.records;
    let text = |o: &Option<String>| o.clone().unwrap_or_default().trim().to_string();
    let (plan, status, overdue, lead) = (
        text(&f.plan),
        text(&f.status),
        text(&f.overdue),
        text(&f.lead),
    );
    let filter = ActionFilter {
        plan: Code::parse(&plan).ok(),
        status: status.parse().ok(),
        overdue: match overdue.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        lead: Some(lead.clone()).filter(|l| !l.is_empty()),
        ..Default::default()
    };
    let lines = action_lines(held, today, &filter);
    let mut plans = TableView::new(
        "Action plans",
        &[
            "Plan",
            "Answers",
            "Actions",
            "Complete",
            "In progress",
            "Not started",
            "Cancelled",
            "Overdue",
            "Average % complete",
        ],
    )
    .numeric(&[2, 3, 4, 5, 6, 7, 8])
    .empty("No action plans yet. Add one, or import action-plans.csv, recommendations.csv and actions.csv on Import & export.");
    for p in plan_lines(held, today) {
        let s = &p.summary;
        plans.rows.push(vec![
            Cell::link(
                p.plan.title.clone(),
                format!("/action-plans/{}", url_encode(p.plan.code.as_str())),
            ),
            Cell::text(p.plan.source.clone()),
            Cell::num(s.actions.to_string()),
            Cell::num(s.complete.to_string()),
            Cell::num(s.in_progress.to_string()),
            Cell::num(s.not_started.to_string()),
            Cell::num(s.cancelled.to_string()),
            if s.overdue > 0 {
                Cell::tag(format!("{} overdue", s.overdue), "status-overdue")
            } else {
                Cell::num("0")
            },
            Cell::num(
                s.mean_percent_complete
                    .map(|m| format!("{m}%"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    let leads: BTreeSet<String> = held
        .actions
        .iter()
        .map(|a| a.value.lead.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let filters = vec![
        select(
            "plan",
            "Plan",
            &plan,
            held.plans
                .iter()
                .map(|p| (p.value.code.to_string(), p.value.title.clone()))
                .collect(),
        ),
        select(
            "status",
            "Status",
            &status,
            ActionStatus::ALL
                .iter()
                .map(|s| (s.to_string(), capitalise(&s.as_str().replace('-', " "))))
                .collect(),
        ),
        select(
            "overdue",
            "Overdue",
            &overdue,
            vec![
                ("yes".into(), "Overdue only".into()),
                ("no".into(), "Not overdue".into()),
            ],
        ),
        select(
            "lead",
            "Lead",
            &lead,
            leads.into_iter().map(|l| (l.clone(), l)).collect(),
        ),
    ];
    let mut actions = Vec::new();
    if staff.caller.actor.edits_everything() {
        actions.push(Link::new("/action-plans/new", "Add an action plan"));
    }
    if may_add(&staff.caller, &v.framework) && !held.plans.is_empty() {
        actions.push(Link::new("/actions/new", "Add an action"));
    }
    let mut chrome = chrome_for(&staff, "Actions", "actions");
    chrome.flash = flash.text();
    render_page(ActionsPage {
        chrome,
        intro: "Action plans answer reports and recommendations (such as Audit Scotland's Best Value Assurance Report) with actions, each with its timescale and leads as the plan writes them, an owner, a due date, a status and how far it has got. An action is overdue once its due date has passed and it is neither complete nor cancelled; overdue actions also appear on Exceptions. Import the plans' files (action-plans, recommendations, actions and action-progress) on Import & export or with the goldthread import command.".into(),
        actions,
        plans: vec![plans],
        shown: lines.len(),
        total: held.actions.len(),
        tables: vec![actions_table(
            "Actions",
            &lines,
            true,
            true,
            "No action matches these filters.",
        )],
        filters,
        as_at: today.to_string(),
    })
}

async fn plan_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.actions_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let d = match plan_detail(&v.records, &code, today()) {
        Ok(d) => d,
        Err(_) => {
            return error_page(AppError::NotFound(format!(
                "There is no action plan '{code}'."
            )));
        }
    };
    let fw = &v.framework;
    let p = &d.plan;
    let facts = vec![
        Fact::text("Code", p.code.to_string()),
        Fact::text("Answers", p.source.clone()),
        Fact::text(
            "Owner",
            Some(person(fw, &p.owner))
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| "No one yet".into()),
        ),
        Fact::text(
            "Approved",
            p.approved
                .map(|d| d.to_string())
                .unwrap_or_else(|| "Not yet".into()),
        ),
        Fact::text("Summary", summary_text(&d.summary)),
        Fact::text("About this plan", p.description.clone()),
    ];
    let mut actions = vec![Link::new(
        format!("/actions?plan={}", url_encode(p.code.as_str())),
        "See these actions with filters",
    )];
    if may_add(&staff.caller, fw) {
        actions.push(Link::new(
            format!("/actions/new?plan={}", url_encode(p.code.as_str())),
            "Add an action to this plan",
        ));
    }
    // The plan and its recommendations are kept by the centre.
    let centre = staff.caller.actor.edits_everything();
    let path = format!("/action-plans/{}", url_encode(p.code.as_str()));
    if centre {
        actions.push(Link::new(format!("{path}/edit"), "Edit this plan"));
        actions.push(Link::new(
            format!("{path}/recommendations/new"),
            "Add a recommendation",
        ));
    }
    let mut sections: Vec<Section> = d
        .recommendations
        .iter()
        .map(|r| Section {
            heading: format!("Recommendation {}", r.recommendation.code),
            intro: capitalise(&r.recommendation.text),
            tables: vec![actions_table(
                &format!("Actions for recommendation {}", r.recommendation.code),
                &r.actions,
                false,
                false,
                "No actions answer this recommendation yet.",
            )],
            links: if centre {
                vec![Link::new(
                    format!(
                        "{path}/recommendations/{}/edit",
                        url_encode(r.recommendation.code.as_str())
                    ),
                    format!("Edit or delete recommendation {}", r.recommendation.code),
                )]
            } else {
                vec![]
            },
        })
        .collect();
    let history = s
        .app
        .history(&staff.caller, "action-plan", &d.id)
        .await
        .unwrap_or_default();
    sections.push(Section {
        heading: "History".into(),
        tables: vec![history_table(&history)],
        ..Default::default()
    });
    let mut chrome = chrome_for(&staff, &p.title, "actions");
    chrome.flash = flash.text();
    render_page(RecordPage {
        chrome,
        caption: "Action plan".into(),
        heading: p.title.clone(),
        facts,
        actions,
        delete: centre.then(|| (format!("{path}/delete"), d.version)),
        sections,
    })
}

fn find<'v>(v: &'v ActionsView, code: &str) -> Result<&'v Rec<Action>, AppError> {
    v.records
        .actions
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("There is no action '{code}'.")))
}

fn line(v: &ActionsView, r: &Rec<Action>) -> ActionLine {
    let today = today();
    ActionLine {
        id: r.id.clone(),
        version: r.version,
        action: r.value.clone(),
        plan_title: v
            .records
            .plans
            .iter()
            .find(|p| p.value.code == r.value.plan)
            .map(|p| p.value.title.clone())
            .unwrap_or_default(),
        overdue: r.value.is_overdue(today),
        days_overdue: r.value.days_overdue(today),
    }
}

async fn show(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.actions_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let rec = match find(&v, &code) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let a = &rec.value;
    let l = line(&v, rec);
    let recommendation = v
        .records
        .recommendations
        .iter()
        .find(|r| r.value.plan == a.plan && r.value.code == a.recommendation)
        .map(|r| format!("{}: {}", r.value.code, capitalise(&r.value.text)))
        .unwrap_or_else(|| a.recommendation.to_string());
    let outcomes: Vec<Cell> = a
        .outcomes
        .iter()
        .map(|o| {
            Cell::link(
                fw.outcome(o.as_str())
                    .map(|x| format!("{o} — {}", x.title))
                    .unwrap_or_else(|| o.to_string()),
                format!("/outcomes/{}", url_encode(o.as_str())),
            )
        })
        .collect();
    let services: Vec<Cell> = a
        .services
        .iter()
        .map(|sv| {
            Cell::link(
                fw.service(sv.as_str())
                    .map(|x| x.title.clone())
                    .unwrap_or_else(|| sv.to_string()),
                format!("/services/{}", url_encode(sv.as_str())),
            )
        })
        .collect();
    let none = || vec![Cell::text("None")];
    let facts = vec![
        Fact::text("Code", a.code.to_string()),
        Fact::new(
            "Plan",
            vec![Cell::link(
                l.plan_title.clone(),
                format!("/action-plans/{}", url_encode(a.plan.as_str())),
            )],
        ),
        Fact::text("Recommendation", recommendation),
        Fact::text(
            "Lead (as written)",
            if a.lead.is_empty() {
                "Not given".to_string()
            } else {
                a.lead.clone()
            },
        ),
        Fact::text(
            "Owner",
            Some(person(fw, &a.owner))
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| "No one yet".into()),
        ),
        Fact::text(
            "Timescale (as written)",
            if a.timescale.is_empty() {
                "Not given".to_string()
            } else {
                a.timescale.clone()
            },
        ),
        Fact::text("Due", due_text(a)),
        Fact::new("Overdue", vec![overdue_cell(&l)]),
        Fact::new("Status", vec![status_cell(a.status)]),
        Fact::text("Complete", format!("{}%", a.percent_complete)),
        Fact::new(
            "Outcomes",
            if outcomes.is_empty() {
                none()
            } else {
                outcomes
            },
        ),
        Fact::new(
            "Services",
            if services.is_empty() {
                none()
            } else {
                services
            },
        ),
        Fact::text(
            "Risks",
            if a.risks.is_empty() {
                "None".to_string()
            } else {
                a.risks
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ];
    let manage = may_change(&staff.caller, fw, a);
    let path = format!("/actions/{}", url_encode(a.code.as_str()));
    let mut actions = Vec::new();
    if manage {
        actions.push(Link::new(format!("{path}/progress"), "Add a progress note"));
        actions.push(Link::new(format!("{path}/edit"), "Edit this action"));
    }
    let mut notes = TableView::new("Progress notes, oldest first", &["Date", "By", "Note"])
        .empty("No progress notes yet.");
    for n in &a.progress {
        notes.rows.push(vec![
            Cell::text(n.on.to_string()),
            Cell::text(n.by.clone()),
            Cell::text(n.text.clone()),
        ]);
    }
    let mut history = s
        .app
        .history(&staff.caller, "action", &rec.id)
        .await
        .unwrap_or_default();
    history.extend(
        s.app
            .history(&staff.caller, PROGRESS_ENTITY, a.code.as_str())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|mut r| {
                r.action = "progress note".into();
                r
            }),
    );
    history.sort_by(|x, y| y.at.cmp(&x.at));
    let mut chrome = chrome_for(&staff, &format!("Action {}", a.code), "actions");
    chrome.flash = flash.text();
    render_page(RecordPage {
        chrome,
        caption: format!("Action {}", a.code),
        heading: capitalise(&a.title),
        facts,
        actions,
        delete: manage.then(|| (format!("{path}/delete"), rec.version)),
        sections: vec![
            Section {
                heading: "Progress".into(),
                tables: vec![notes],
                ..Default::default()
            },
            Section {
                heading: "History".into(),
                tables: vec![history_table(&history)],
                ..Default::default()
            },
        ],
    })
}

/// The value of the form's recommendation choice: `PLAN/CODE`.
fn rec_value(plan: &Code, code: &Code) -> String {
    format!("{plan}/{code}")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}

fn action_fields(v: &ActionsView, a: Option<&Action>, plan: Option<&str>) -> Vec<Field> {
    let fw = &v.framework;
    let text = |f: fn(&Action) -> String| a.map(f).unwrap_or_default();
    let chosen_rec = a.map(|a| rec_value(&a.plan, &a.recommendation));
    let mut recs: Vec<Choice> = Vec::new();
    if chosen_rec.is_none() {
        recs.push(Choice {
            value: String::new(),
            label: "Choose a plan's recommendation".into(),
            selected: true,
        });
    }
    for r in &v.records.recommendations {
        if plan.is_some_and(|p| r.value.plan.as_str() != p) && a.is_none() {
            continue;
        }
        let value = rec_value(&r.value.plan, &r.value.code);
        recs.push(Choice {
            selected: chosen_rec.as_deref() == Some(value.as_str()),
            label: format!(
                "{} recommendation {}: {}",
                r.value.plan,
                r.value.code,
                short(&r.value.text, 70)
            ),
            value,
        });
    }
    let status = a.map(|a| a.status).unwrap_or(ActionStatus::NotStarted);
    let owner = a.and_then(|a| a.owner.clone());
    let mut owners = vec![Choice {
        value: String::new(),
        label: "No one yet".into(),
        selected: owner.is_none(),
    }];
    owners.extend(fw.people.iter().map(|p| Choice {
        value: p.email.to_string(),
        label: format!("{} ({})", p.name, p.email),
        selected: owner.as_ref() == Some(&p.email),
    }));
    let chosen_services = a.map(|a| a.services.clone()).unwrap_or_default();
    let chosen_outcomes = a.map(|a| a.outcomes.clone()).unwrap_or_default();
    let mut fields = Vec::new();
    if a.is_none() {
        fields.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. BV18-G-i. It cannot change later.")
                .required(),
        );
    }
    fields.extend([
        Field::new("select", "recommendation", "Plan and recommendation", "")
            .hint("The recommendation of the plan this action answers.")
            .choices(recs)
            .required(),
        Field::new("textarea", "title", "What the action is", text(|a| a.title.clone()))
            .hint("As the plan writes it.")
            .required(),
        Field::new("text", "lead", "Lead", text(|a| a.lead.clone()))
            .hint("As the plan writes it, e.g. Council (Appointments Committee)."),
        Field::new("select", "owner", "Owner", "")
            .hint("The person in this system who answers for it.")
            .choices(owners),
        Field::new("text", "timescale", "Timescale", text(|a| a.timescale.clone()))
            .hint("As the plan writes it, e.g. May 2018 and ongoing."),
        Field::new(
            "date",
            "due",
            "Due date",
            text(|a| a.due.map(|d| d.to_string()).unwrap_or_default()),
        )
        .hint("For example 2018-06-30. Leave empty for an ongoing action (it is then never overdue)."),
        Field::new("select", "status", "Status", "")
            .choices(
                ActionStatus::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.to_string(),
                        label: capitalise(&s.as_str().replace('-', " ")),
                        selected: *s == status,
                    })
                    .collect(),
            )
            .required(),
        Field::new(
            "number",
            "percent_complete",
            "Percentage complete",
            text(|a| a.percent_complete.to_string()),
        )
        .hint("A whole number from 0 to 100. A complete action is 100% and one not started 0%; leave empty for those."),
        Field::new("checkboxes", "services", "Services it concerns", "")
            .hint("Managers of these services may change the action.")
            .choices(
                fw.services
                    .iter()
                    .map(|s| Choice {
                        value: s.code.to_string(),
                        label: format!("{} — {}", s.code, s.title),
                        selected: chosen_services.contains(&s.code),
                    })
                    .collect(),
            ),
        Field::new("checkboxes", "outcomes", "Outcomes it serves", "")
            .hint("Outcome Leaders of these outcomes may change the action.")
            .choices(outcome_choices(
                fw,
                &[
                    OutcomeKind::National,
                    OutcomeKind::Local,
                    OutcomeKind::Priority,
                    OutcomeKind::Theme,
                ],
                &chosen_outcomes,
            )),
        Field::new(
            "text",
            "risks",
            "Risks",
            text(|a| {
                a.risks
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        )
        .hint("Risk codes, separated by semicolons; kept as written."),
    ]);
    fields
}

fn action_form(
    staff: &Staff,
    v: &ActionsView,
    existing: Option<&Rec<Action>>,
    plan: Option<&str>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let mut fields = action_fields(v, existing.map(|r| &r.value), plan);
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    // The form asks for plan and recommendation in one choice.
    let errors = errors
        .into_iter()
        .map(|(f, m)| match f.as_str() {
            "plan" => ("recommendation".to_string(), m),
            _ => (f, m),
        })
        .collect();
    let (heading, action, cancel, submit, version) = match existing {
        Some(r) => {
            let path = format!("/actions/{}", url_encode(r.value.code.as_str()));
            (
                format!("Edit action {}", r.value.code),
                path.clone(),
                path,
                "Save changes",
                Some(posted.and_then(FormData::version).unwrap_or(r.version)),
            )
        }
        None => (
            "Add an action".to_string(),
            "/actions".to_string(),
            "/actions".to_string(),
            "Add action",
            None,
        ),
    };
    let form = FormView {
        heading,
        caption: "Actions".into(),
        action,
        fields,
        submit: submit.into(),
        cancel,
        version,
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "actions", form)
}

fn action_input(f: &FormData, code: Option<&str>) -> ActionInput {
    let (plan, recommendation) = f
        .get("recommendation")
        .split_once('/')
        .map(|(p, r)| (p.to_string(), r.to_string()))
        .unwrap_or_default();
    ActionInput {
        code: code.map(str::to_string).unwrap_or_else(|| f.get("code")),
        plan,
        recommendation,
        title: f.get("title"),
        lead: f.get("lead"),
        owner: f.opt("owner"),
        due: f.opt("due"),
        timescale: f.get("timescale"),
        status: f.opt("status"),
        percent_complete: f.opt("percent_complete"),
        outcomes: f.all("outcomes"),
        services: f.all("services"),
        risks: f
            .get("risks")
            .split([';', ','])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect(),
        version: f.version(),
    }
}

#[derive(Deserialize, Default)]
struct NewQuery {
    plan: Option<String>,
}

async fn new_form(State(s): State<AppState>, staff: Staff, Query(q): Query<NewQuery>) -> Response {
    match s.app.actions_view(&staff.caller).await {
        Ok(v) if may_add(&staff.caller, &v.framework) => {
            action_form(&staff, &v, None, q.plan.as_deref(), vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn edit_form(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    let v = match s.app.actions_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    match find(&v, &code) {
        Ok(r) if may_change(&staff.caller, &v.framework, &r.value) => {
            action_form(&staff, &v, Some(r), None, vec![], None)
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
    show: impl FnOnce(&ActionsView, Vec<(String, String)>) -> Option<Response>,
) -> Response {
    match (form_errors(&e), s.app.actions_view(&staff.caller).await) {
        (Some(errors), Ok(v)) => show(&v, errors).unwrap_or_else(|| error_page(e)),
        _ => error_page(e),
    }
}

async fn create(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    match s
        .app
        .create_action(&staff.caller, &action_input(&form, None))
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/actions/{}?saved=created",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e @ AppError::Forbidden(_)) => error_page(e),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                Some(action_form(&staff, v, None, None, errors, Some(&form)))
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
        .update_action(&staff.caller, &code, &action_input(&form, Some(&code)))
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/actions/{}?saved=updated",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(e),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                find(v, &code)
                    .ok()
                    .map(|r| action_form(&staff, v, Some(r), None, errors, Some(&form)))
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
        .delete_action(&staff.caller, &code, form.version())
        .await
    {
        Ok(()) => Redirect::to("/actions?saved=deleted").into_response(),
        Err(e) => error_page(e),
    }
}

fn progress_page(
    staff: &Staff,
    a: &Action,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let mut fields = vec![
        Field::new("date", "date", "Date", today().to_string())
            .hint("The day the progress is reported for, e.g. 2018-06-30.")
            .required(),
        Field::new("text", "by", "By", staff.caller.name.clone())
            .hint("Who reports it: a name or a role.")
            .required(),
        Field::new("textarea", "text", "Progress", "")
            .hint("What has happened since the last note. Change the status or percentage on the action's edit form.")
            .required(),
    ];
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    let path = format!("/actions/{}", url_encode(a.code.as_str()));
    let form = FormView {
        heading: format!("Add a progress note to action {}", a.code),
        caption: capitalise(&short(&a.title, 90)),
        action: format!("{path}/progress"),
        fields,
        submit: "Add note".into(),
        cancel: path,
        version: None,
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "actions", form)
}

async fn progress_form(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let v = match s.app.actions_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    match find(&v, &code) {
        Ok(r) if may_change(&staff.caller, &v.framework, &r.value) => {
            progress_page(&staff, &r.value, vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn add_progress(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let input = ProgressInput {
        date: form.opt("date"),
        by: form.opt("by"),
        text: form.get("text"),
    };
    match s
        .app
        .add_progress(&staff.caller, &code, &input, today())
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/actions/{}?saved=progress",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => error_page(e),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                find(v, &code)
                    .ok()
                    .map(|r| progress_page(&staff, &r.value, errors, Some(&form)))
            })
            .await
        }
    }
}

/// The "Actions" section of an outcome's or a service's page: the actions
/// linked to it, with whether each is overdue.
pub(crate) async fn linked_actions(
    s: &AppState,
    staff: &Staff,
    fw: &Framework,
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Section {
    let held = s
        .app
        .action_register(&staff.caller)
        .await
        .unwrap_or_default();
    let filter = ActionFilter {
        outcome: outcome.cloned(),
        service: service.cloned(),
        ..Default::default()
    };
    let lines = action_lines(&held, today(), &filter);
    let what = if outcome.is_some() {
        "outcome"
    } else {
        "service"
    };
    Section {
        heading: "Actions".into(),
        intro: format!(
            "Actions of the council's action plans linked to this {what}. An action is overdue once its due date has passed and it is neither complete nor cancelled."
        ),
        tables: vec![actions_table(
            &format!("Actions linked to this {what}"),
            &lines,
            true,
            false,
            &format!("No actions are linked to this {what}."),
        )],
        links: if may_add(&staff.caller, fw) && !held.plans.is_empty() {
            vec![Link::new("/actions/new", "Add an action")]
        } else {
            vec![]
        },
    }
}

/// The overdue actions table for the exceptions page.
pub(crate) fn overdue_table(fw: &Framework, lines: &[ActionLine]) -> TableView {
    let mut t = TableView::new(
        format!("Overdue actions ({})", lines.len()),
        &[
            "Action",
            "Plan",
            "Due",
            "Overdue",
            "Status",
            "% complete",
            "Lead",
            "Owner",
        ],
    )
    .numeric(&[5])
    .empty("No action is overdue.");
    for l in lines {
        let a = &l.action;
        t.rows.push(vec![
            action_link(a),
            Cell::link(
                l.plan_title.clone(),
                format!("/action-plans/{}", url_encode(a.plan.as_str())),
            ),
            Cell::text(due_text(a)),
            overdue_cell(l),
            status_cell(a.status),
            Cell::num(format!("{}%", a.percent_complete)),
            Cell::text(a.lead.clone()),
            Cell::text(person(fw, &a.owner)),
        ]);
    }
    t
}

/// The actions that mitigate a risk, for the risk's page.
pub(crate) async fn mitigating_actions(s: &AppState, c: &Caller, risk: &Code) -> Section {
    let held = s.app.action_register(c).await.unwrap_or_default();
    let filter = ActionFilter {
        risk: Some(risk.clone()),
        ..Default::default()
    };
    let lines = action_lines(&held, today(), &filter);
    Section {
        heading: "Mitigating actions".into(),
        intro: "Actions in the council's action plans that name this risk.".into(),
        tables: vec![actions_table(
            "Actions mitigating this risk",
            &lines,
            true,
            false,
            "No action names this risk.",
        )],
        links: vec![Link::new(
            format!("/api/v1/actions?risk={}", url_encode(risk.as_str())),
            "These actions as JSON",
        )],
    }
}
