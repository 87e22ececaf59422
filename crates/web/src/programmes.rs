//! Transformation programme pages: every programme with its workstreams and
//! initiatives (stage, RAG in words, dates, late in words, budget, lead;
//! filters by stage and RAG), each programme, each initiative with its links
//! and history, and forms to add, change and delete initiatives (errors beside
//! their fields).
use crate::AppState;
use crate::extract::{Staff, StaffForm};
use crate::forms::{select, vocab, words};
use crate::pages::{
    Flash, FormData, chrome_for, error_page, form_errors, form_response, history_table,
    outcome_choices, render, url_encode,
};
use crate::structure;
use crate::view::{
    Cell, Choice, Chrome, Fact, Field, FormView, Link, RecordPage, Section, TableView,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::programmes::{InitiativeItem, ProgrammeItem};
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::framework::Framework;
use goldthread_domain::money::{format_pounds_display, format_pounds_plain, parse_pounds};
use goldthread_domain::permission::Write;
use goldthread_domain::programme::{Initiative, InitiativeRag, Stage, Summary};
use goldthread_domain::{Code, Email, OutcomeKind};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmes",
            get(programmes_page).post(structure::create_programme),
        )
        .route("/programmes/new", get(structure::new_programme))
        .route(
            "/programmes/{code}",
            get(programme_page).post(structure::update_programme),
        )
        .route("/programmes/{code}/edit", get(structure::edit_programme))
        .route(
            "/programmes/{code}/delete",
            post(structure::delete_programme),
        )
        .route(
            "/programmes/{code}/workstreams",
            post(structure::create_workstream),
        )
        .route(
            "/programmes/{code}/workstreams/new",
            get(structure::new_workstream),
        )
        .route(
            "/programmes/{code}/workstreams/{workstream}",
            post(structure::update_workstream),
        )
        .route(
            "/programmes/{code}/workstreams/{workstream}/edit",
            get(structure::edit_workstream),
        )
        .route(
            "/programmes/{code}/workstreams/{workstream}/delete",
            post(structure::delete_workstream),
        )
        .route("/initiatives", post(create))
        .route("/initiatives/new", get(new_form))
        .route("/initiatives/{code}", get(initiative_page).post(update))
        .route("/initiatives/{code}/edit", get(edit_form))
        .route("/initiatives/{code}/delete", post(delete))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A RAG as a tag: written in words, coloured as a second cue.
fn rag_cell(r: InitiativeRag) -> Cell {
    Cell::tag(words(r.as_str()), &format!("status-{r}"))
}

fn late_cell(i: &InitiativeItem) -> Cell {
    if i.late {
        Cell::tag("Late", "gap")
    } else if i.initiative.stage == Stage::Closed {
        Cell::text("Closed")
    } else {
        Cell::text("Not late")
    }
}

fn date_text(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "Not set".into())
}

fn budget_text(b: Option<i64>) -> String {
    b.map(format_pounds_display)
        .unwrap_or_else(|| "Not given".into())
}

fn person_text(e: &Option<Email>) -> String {
    e.as_ref().map(|e| e.to_string()).unwrap_or_default()
}

/// Initiatives as a table: one row per initiative, linked.
pub(crate) fn initiative_table(caption: &str, items: &[&InitiativeItem], empty: &str) -> TableView {
    let mut t = TableView::new(
        caption,
        &[
            "Initiative",
            "Workstream",
            "Stage",
            "RAG",
            "Start",
            "End",
            "Late",
            "Budget",
            "Lead",
        ],
    )
    .numeric(&[7])
    .empty(empty);
    for i in items {
        let v = &i.initiative;
        t.rows.push(vec![
            Cell::link(
                format!("{} — {}", v.code, v.title),
                format!("/initiatives/{}", url_encode(v.code.as_str())),
            ),
            Cell::text(format!("{} {}", v.programme, v.workstream)),
            Cell::text(words(v.stage.as_str())),
            rag_cell(v.rag),
            Cell::text(date_text(v.start)),
            Cell::text(date_text(v.end)),
            late_cell(i),
            Cell::num(budget_text(v.budget_pence)),
            Cell::text(person_text(&v.lead)),
        ]);
    }
    t
}

/// A summary in words: counts by stage and RAG, late, budget.
fn summary_text(s: &Summary) -> String {
    let stages: Vec<String> = s
        .by_stage
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    let rags: Vec<String> = s
        .by_rag
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    format!(
        "{} initiative{}{}{}; {} late; budgets total {}{}.",
        s.initiatives,
        if s.initiatives == 1 { "" } else { "s" },
        if stages.is_empty() {
            String::new()
        } else {
            format!(" ({})", stages.join(", "))
        },
        if rags.is_empty() {
            String::new()
        } else {
            format!("; RAG: {}", rags.join(", "))
        },
        s.late,
        format_pounds_display(s.budget_pence),
        if s.without_budget > 0 {
            format!(" ({} without a budget given)", s.without_budget)
        } else {
            String::new()
        }
    )
}

fn workstream_table(p: &ProgrammeItem, editable: bool) -> TableView {
    let mut t = TableView::new(
        format!("Workstreams of {}", p.programme.title),
        &["Workstream", "Lead", "Initiatives", "Late", "Budget"],
    )
    .numeric(&[2, 3, 4])
    .empty("No workstreams yet.");
    for w in &p.workstreams {
        let name = format!("{} — {}", w.workstream.code, w.workstream.title);
        t.rows.push(vec![
            if editable {
                Cell::link(
                    name,
                    format!(
                        "/programmes/{}/workstreams/{}/edit",
                        url_encode(p.programme.code.as_str()),
                        url_encode(w.workstream.code.as_str())
                    ),
                )
            } else {
                Cell::text(name)
            },
            Cell::text(person_text(&w.workstream.lead)),
            Cell::num(w.summary.initiatives.to_string()),
            Cell::num(w.summary.late.to_string()),
            Cell::num(format_pounds_display(w.summary.budget_pence)),
        ]);
    }
    t
}

/// The initiatives linked to an outcome or a service, for its page.
pub(crate) async fn linked_section(
    s: &AppState,
    c: &Caller,
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Section {
    let items = s.app.initiative_items(c, today()).await.unwrap_or_default();
    let linked = goldthread_app::programmes::linked(&items, outcome, service);
    Section {
        heading: "Initiatives".into(),
        intro: "Transformation programme initiatives linked here.".into(),
        tables: vec![initiative_table(
            "Linked initiatives",
            &linked,
            "No initiative is linked here.",
        )],
        links: vec![Link::new("/programmes", "The transformation programme")],
    }
}

#[derive(Deserialize, Default)]
pub struct Filter {
    stage: Option<String>,
    rag: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "programmes.html")]
pub struct ProgrammesPage {
    pub chrome: Chrome,
    pub intro: String,
    pub actions: Vec<Link>,
    pub form: FormView,
    pub sections: Vec<Section>,
}

fn may_add(c: &Caller, fw: &Framework) -> bool {
    fw.services.iter().any(|x| {
        c.actor.may(
            Write::Register {
                services: std::slice::from_ref(&x.code),
                outcomes: &[],
            },
            fw,
        )
    })
}

async fn programmes_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(f): Query<Filter>,
) -> Response {
    let c = &staff.caller;
    let (items, fw) = match async {
        Ok::<_, AppError>((
            s.app.programmes(c, today()).await?,
            s.app.view(c).await?.framework,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let stage = f.stage.clone().unwrap_or_default();
    let rag = f.rag.clone().unwrap_or_default();
    let filtered = !stage.is_empty() || !rag.is_empty();
    let sections = items
        .iter()
        .map(|p| {
            let shown: Vec<&InitiativeItem> = p
                .initiatives
                .iter()
                .filter(|i| stage.is_empty() || i.initiative.stage.as_str() == stage)
                .filter(|i| rag.is_empty() || i.initiative.rag.as_str() == rag)
                .collect();
            let v = &p.programme;
            Section {
                heading: format!("{} — {}", v.code, v.title),
                intro: format!(
                    "From {} to {}. {}",
                    v.start,
                    v.end
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "no end set".into()),
                    summary_text(&p.summary)
                ),
                tables: vec![
                    workstream_table(p, false),
                    initiative_table(
                        &format!(
                            "{} in {} ({} of {})",
                            if filtered {
                                "Initiatives matching the filter"
                            } else {
                                "All initiatives"
                            },
                            v.code,
                            shown.len(),
                            p.initiatives.len()
                        ),
                        &shown,
                        "No initiative matches.",
                    ),
                ],
                links: vec![Link::new(
                    format!("/programmes/{}", url_encode(v.code.as_str())),
                    format!("The {} programme page", v.title),
                )],
            }
        })
        .collect();
    let form = FormView {
        fields: vec![
            select("stage", "Stage", "Any", &vocab(Stage::ALL), &stage),
            select("rag", "RAG", "Any", &vocab(InitiativeRag::ALL), &rag),
        ],
        ..Default::default()
    };
    let mut actions = Vec::new();
    if c.actor.edits_everything() {
        actions.push(Link::new("/programmes/new", "Add a programme"));
    }
    if may_add(c, &fw) {
        actions.push(Link::new("/initiatives/new", "Add an initiative"));
    }
    actions.push(Link::new(
        "/export/initiatives.csv",
        "Download initiatives.csv",
    ));
    let mut chrome = chrome_for(&staff, "Transformation programme", "programmes");
    chrome.flash = Flash::from_saved(f.saved.clone()).text();
    render(
        StatusCode::OK,
        ProgrammesPage {
            chrome,
            intro: "The council's transformation programmes (the PMO): each with its workstreams or themes and their initiatives. An initiative is late when its end date has passed and it is not closed. RAG here is the initiative's delivery status as its lead reports it.".into(),
            actions,
            form,
            sections: if items.is_empty() {
                vec![Section {
                    heading: "No programmes yet".into(),
                    intro: "Import programmes.csv, workstreams.csv and initiatives.csv on the Import & export page.".into(),
                    ..Default::default()
                }]
            } else {
                sections
            },
        },
    )
}

async fn programme_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let items = match s.app.programmes(c, today()).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let Some(p) = items.iter().find(|p| p.programme.code.as_str() == code) else {
        return error_page(AppError::NotFound(format!(
            "There is no programme '{code}'."
        )));
    };
    let v = &p.programme;
    let facts = vec![
        Fact::text("Sponsor", person_text(&v.sponsor)),
        Fact::text("Lead", person_text(&v.lead)),
        Fact::text("Start", v.start.to_string()),
        Fact::text("End", date_text(v.end)),
        Fact::text("Description", v.description.clone()),
        Fact::text("Summary", summary_text(&p.summary)),
        Fact::text(
            "By stage",
            p.summary
                .by_stage
                .iter()
                .map(|(k, n)| format!("{}: {n}", words(k.as_str())))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Fact::text(
            "By RAG",
            p.summary
                .by_rag
                .iter()
                .map(|(k, n)| format!("{}: {n}", words(k.as_str())))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ];
    // The programme and its workstreams are kept by the centre.
    let centre = c.actor.edits_everything();
    let path = format!("/programmes/{}", url_encode(v.code.as_str()));
    let mut sections = vec![Section {
        heading: "Workstreams".into(),
        tables: vec![workstream_table(p, centre)],
        ..Default::default()
    }];
    for w in &p.workstreams {
        let mine: Vec<&InitiativeItem> = p
            .initiatives
            .iter()
            .filter(|i| i.initiative.workstream == w.workstream.code)
            .collect();
        sections.push(Section {
            heading: format!("{} — {}", w.workstream.code, w.workstream.title),
            intro: summary_text(&w.summary),
            tables: vec![initiative_table(
                &format!("Initiatives in workstream {}", w.workstream.code),
                &mine,
                "No initiatives in this workstream.",
            )],
            ..Default::default()
        });
    }
    let risks = s.app.risk_items(c, today()).await.unwrap_or_default();
    let named: Vec<&goldthread_app::risks::RiskItem> = risks
        .iter()
        .filter(|r| r.risk.programme == v.code.as_str())
        .collect();
    sections.push(Section {
        heading: "Risks".into(),
        intro: "Risks in the register that name this programme.".into(),
        tables: vec![crate::risks::risk_table(
            "Risks to this programme",
            &named,
            "No risk names this programme.",
        )],
        links: vec![Link::new("/risks", "The risk register")],
    });
    let history = s
        .app
        .history(c, "programme", &p.id)
        .await
        .unwrap_or_default();
    sections.push(Section {
        heading: "History".into(),
        tables: vec![history_table(&history)],
        ..Default::default()
    });
    render(
        StatusCode::OK,
        RecordPage {
            chrome: {
                let mut chrome = chrome_for(&staff, &v.title, "programmes");
                chrome.flash = flash.text();
                chrome
            },
            caption: "Programme".into(),
            heading: format!("{} — {}", v.code, v.title),
            facts,
            actions: std::iter::once(Link::new("/programmes", "All programmes"))
                .chain(centre.then(|| Link::new(format!("{path}/edit"), "Edit this programme")))
                .chain(
                    centre
                        .then(|| Link::new(format!("{path}/workstreams/new"), "Add a workstream")),
                )
                .collect(),
            delete: centre.then(|| (format!("{path}/delete"), p.version)),
            sections,
        },
    )
}

/// May the caller change or delete this initiative (as it links now)?
fn may_change(c: &Caller, fw: &Framework, i: &Initiative) -> bool {
    c.actor.may(
        Write::Register {
            services: &i.services,
            outcomes: &i.outcomes,
        },
        fw,
    )
}

async fn initiative_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let (snap, fw) = match async {
        Ok::<_, AppError>((
            s.app.programme_snapshot(c).await?,
            s.app.view(c).await?.framework,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let Some(rec) = snap
        .initiatives
        .iter()
        .find(|r| r.value.code.as_str() == code)
    else {
        return error_page(AppError::NotFound(format!(
            "There is no initiative '{code}'."
        )));
    };
    let item = InitiativeItem::of(rec, today());
    let i = &rec.value;
    let programme = snap
        .programmes
        .iter()
        .find(|p| p.value.code == i.programme)
        .map(|p| p.value.title.clone())
        .unwrap_or_default();
    let workstream = snap
        .workstreams
        .iter()
        .find(|w| w.value.programme == i.programme && w.value.code == i.workstream)
        .map(|w| w.value.title.clone())
        .unwrap_or_default();
    let mut facts = vec![
        Fact::new(
            "Programme",
            vec![Cell::link(
                format!("{} — {programme}", i.programme),
                format!("/programmes/{}", url_encode(i.programme.as_str())),
            )],
        ),
        Fact::text("Workstream", format!("{} — {workstream}", i.workstream)),
        Fact::text("Scope", i.scope.clone()),
        Fact::text("Stage", words(i.stage.as_str())),
        Fact::new("RAG", vec![rag_cell(i.rag)]),
        Fact::text("Start", date_text(i.start)),
        Fact::text("End", date_text(i.end)),
        Fact::new("Late", vec![late_cell(&item)]),
        Fact::text("Budget", budget_text(i.budget_pence)),
        Fact::text("Sponsor", person_text(&i.sponsor)),
        Fact::text("Lead", person_text(&i.lead)),
        Fact::text("Commentary", i.commentary.clone()),
        Fact::text("Business case", i.business_case.clone()),
    ];
    let mut links: Vec<Cell> = i
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
    links.extend(i.services.iter().map(|v| {
        Cell::link(
            fw.service(v.as_str())
                .map(|x| format!("{v} — {}", x.title))
                .unwrap_or_else(|| v.to_string()),
            format!("/services/{}", url_encode(v.as_str())),
        )
    }));
    if links.is_empty() {
        links.push(Cell::text("Not linked to the golden thread yet"));
    }
    facts.push(Fact::new("On the golden thread", links));
    let mut risks: Vec<Cell> = i
        .risks
        .iter()
        .map(|r| {
            Cell::link(
                format!("Risk {r}"),
                format!("/risks/{}", url_encode(r.as_str())),
            )
        })
        .collect();
    if risks.is_empty() {
        risks.push(Cell::text("None recorded"));
    }
    facts.push(Fact::new("Risks", risks));
    let mut benefits: Vec<Cell> = i
        .benefits
        .iter()
        .map(|b| {
            Cell::link(
                format!("Benefit {b}"),
                format!("/benefits/{}", url_encode(b.as_str())),
            )
        })
        .collect();
    if benefits.is_empty() {
        benefits.push(Cell::text("None recorded"));
    }
    facts.push(Fact::new("Benefits", benefits));
    let history = s
        .app
        .history(c, "initiative", &rec.id)
        .await
        .unwrap_or_default();
    let change = may_change(c, &fw, i);
    let path = format!("/initiatives/{}", url_encode(i.code.as_str()));
    let mut chrome = chrome_for(&staff, &i.title, "programmes");
    chrome.flash = flash.text();
    render(
        StatusCode::OK,
        RecordPage {
            chrome,
            caption: "Initiative".into(),
            heading: format!("{} — {}", i.code, i.title),
            facts,
            actions: if change {
                vec![Link::new(format!("{path}/edit"), "Edit this initiative")]
            } else {
                vec![]
            },
            delete: change.then(|| (format!("{path}/delete"), rec.version)),
            sections: vec![Section {
                heading: "History".into(),
                tables: vec![history_table(&history)],
                ..Default::default()
            }],
        },
    )
}

// ----- forms -----

type Errors = Vec<(String, String)>;

/// What the forms offer to choose from.
struct Choices {
    fw: Framework,
    /// (programme/workstream, label).
    workstreams: Vec<(String, String)>,
    risks: Vec<(Code, String)>,
    benefits: Vec<(Code, String)>,
}

fn fields(k: &Choices, i: Option<&Initiative>) -> Vec<Field> {
    let fw = &k.fw;
    let people: Vec<(String, String)> = fw
        .people
        .iter()
        .map(|p| (p.email.to_string(), format!("{} ({})", p.name, p.email)))
        .collect();
    let text = |f: fn(&Initiative) -> String| i.map(f).unwrap_or_default();
    let mut f = Vec::new();
    if i.is_none() {
        f.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. TTC-05. It cannot change later.")
                .required(),
        );
    }
    f.extend([
        Field::new("text", "title", "Title", text(|i| i.title.clone())).required(),
        select(
            "workstream",
            "Programme and workstream",
            "Choose a workstream",
            &k.workstreams,
            &text(|i| format!("{}/{}", i.programme, i.workstream)),
        )
        .required(),
        Field::new("textarea", "scope", "Scope", text(|i| i.scope.clone())),
        select(
            "stage",
            "Stage",
            "Choose a stage",
            &vocab(Stage::ALL),
            &text(|i| i.stage.to_string()),
        )
        .required(),
        select(
            "rag",
            "RAG (delivery status)",
            "Choose a RAG status",
            &vocab(InitiativeRag::ALL),
            &text(|i| i.rag.to_string()),
        )
        .required(),
        Field::new(
            "date",
            "start",
            "Start",
            text(|i| i.start.map(|d| d.to_string()).unwrap_or_default()),
        )
        .hint("For example: 2026-04-01."),
        Field::new(
            "date",
            "end",
            "End",
            text(|i| i.end.map(|d| d.to_string()).unwrap_or_default()),
        )
        .hint("Not before the start. A closed initiative needs one."),
        Field::new(
            "textarea",
            "commentary",
            "Commentary",
            text(|i| i.commentary.clone()),
        ),
        Field::new(
            "textarea",
            "business_case",
            "Business case (summary)",
            text(|i| i.business_case.clone()),
        ),
        Field::new(
            "text",
            "budget",
            "Budget (£)",
            text(|i| i.budget_pence.map(format_pounds_plain).unwrap_or_default()),
        )
        .hint("In pounds, up to 2 decimal places, e.g. 12500.50. Leave empty if none."),
        select(
            "sponsor",
            "Sponsor",
            "No one yet",
            &people,
            &text(|i| person_text(&i.sponsor)),
        ),
        select(
            "lead",
            "Lead",
            "No one yet",
            &people,
            &text(|i| person_text(&i.lead)),
        ),
        Field::new("checkboxes", "outcomes", "Outcomes it serves", "").choices(outcome_choices(
            fw,
            &[
                OutcomeKind::Local,
                OutcomeKind::Priority,
                OutcomeKind::Theme,
                OutcomeKind::National,
            ],
            &i.map(|i| i.outcomes.clone()).unwrap_or_default(),
        )),
        Field::new("checkboxes", "services", "Services it changes", "").choices(
            fw.services
                .iter()
                .map(|s| Choice {
                    value: s.code.to_string(),
                    label: format!("{} — {}", s.code, s.title),
                    selected: i.is_some_and(|i| i.services.contains(&s.code)),
                })
                .collect(),
        ),
        Field::new("checkboxes", "risks", "Risks it carries", "").choices(
            k.risks
                .iter()
                .map(|(c, t)| Choice {
                    value: c.to_string(),
                    label: format!("{c} — {t}"),
                    selected: i.is_some_and(|i| i.risks.contains(c)),
                })
                .collect(),
        ),
        Field::new("checkboxes", "benefits", "Benefits it is to deliver", "").choices(
            k.benefits
                .iter()
                .map(|(c, t)| Choice {
                    value: c.to_string(),
                    label: format!("{c} — {t}"),
                    selected: i.is_some_and(|i| i.benefits.contains(c)),
                })
                .collect(),
        ),
    ]);
    f
}

/// The initiative a form describes, or its field errors.
fn initiative_from(f: &FormData, code: Option<&str>) -> Result<Initiative, Errors> {
    let mut e: Errors = Vec::new();
    let code_text = code.map(str::to_string).unwrap_or_else(|| f.get("code"));
    let code = Code::parse(&code_text)
        .map_err(|x| e.push(("code".into(), x.0)))
        .ok();
    let ws = f.get("workstream");
    let place = ws
        .split_once('/')
        .and_then(|(p, w)| Some((Code::parse(p).ok()?, Code::parse(w).ok()?)));
    if place.is_none() {
        e.push(("workstream".into(), "choose a workstream".into()));
    }
    let stage = f
        .get("stage")
        .parse::<Stage>()
        .map_err(|_| e.push(("stage".into(), "choose a stage".into())))
        .ok();
    let rag = f
        .get("rag")
        .parse::<InitiativeRag>()
        .map_err(|_| e.push(("rag".into(), "choose a RAG status".into())))
        .ok();
    let date = |name: &str, e: &mut Errors| -> Option<time::Date> {
        f.opt(name).and_then(|v| {
            time::Date::parse(
                &v,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| e.push((name.into(), format!("'{v}' is not a date (use YYYY-MM-DD)"))))
            .ok()
        })
    };
    let start = date("start", &mut e);
    let end = date("end", &mut e);
    let budget_pence = f.opt("budget").and_then(|v| match parse_pounds(&v) {
        Ok(p) if p < 0 => {
            e.push(("budget".into(), format!("'{v}' is negative")));
            None
        }
        Ok(p) => Some(p),
        Err(x) => {
            e.push(("budget".into(), x.0));
            None
        }
    });
    let email = |name: &str, e: &mut Errors| -> Option<Email> {
        f.opt(name).and_then(|v| {
            Email::parse(&v)
                .map_err(|x| e.push((name.into(), x.0)))
                .ok()
        })
    };
    let sponsor = email("sponsor", &mut e);
    let lead = email("lead", &mut e);
    let codes = |name: &str, e: &mut Errors| -> Vec<Code> {
        f.all(name)
            .iter()
            .filter_map(|v| Code::parse(v).map_err(|x| e.push((name.into(), x.0))).ok())
            .collect()
    };
    let outcomes = codes("outcomes", &mut e);
    let services = codes("services", &mut e);
    let risks = codes("risks", &mut e);
    let benefits = codes("benefits", &mut e);
    match (code, place, stage, rag, e.is_empty()) {
        (Some(code), Some((programme, workstream)), Some(stage), Some(rag), true) => {
            Ok(Initiative {
                code,
                programme,
                workstream,
                title: f.get("title"),
                scope: f.get("scope"),
                stage,
                start,
                end,
                rag,
                commentary: f.get("commentary"),
                business_case: f.get("business_case"),
                budget_pence,
                sponsor,
                lead,
                outcomes,
                services,
                risks,
                benefits,
            })
        }
        _ => Err(e),
    }
}

async fn choices(s: &AppState, c: &Caller) -> Result<Choices, AppError> {
    let fw = s.app.view(c).await?.framework;
    let snap = s.app.programme_snapshot(c).await?;
    let workstreams = snap
        .workstreams
        .iter()
        .map(|w| {
            let title = snap
                .programmes
                .iter()
                .find(|p| p.value.code == w.value.programme)
                .map(|p| p.value.title.clone())
                .unwrap_or_default();
            (
                format!("{}/{}", w.value.programme, w.value.code),
                format!("{title}: {} — {}", w.value.code, w.value.title),
            )
        })
        .collect();
    let risks = s
        .app
        .risks(c)
        .await?
        .risks
        .into_iter()
        .map(|r| (r.value.code, r.value.title))
        .collect();
    let benefits = s
        .app
        .benefits(c)
        .await?
        .benefits
        .into_iter()
        .map(|b| (b.value.code, b.value.title))
        .collect();
    Ok(Choices {
        fw,
        workstreams,
        risks,
        benefits,
    })
}

async fn form_page(
    s: &AppState,
    staff: &Staff,
    existing: Option<&Rec<Initiative>>,
    errors: Errors,
    posted: Option<&FormData>,
) -> Response {
    let k = match choices(s, &staff.caller).await {
        Ok(k) => k,
        Err(e) => return error_page(e),
    };
    let mut fields = fields(&k, existing.map(|r| &r.value));
    if let Some(p) = posted {
        p.refill(&mut fields);
    }
    let (heading, action, cancel, submit, version) = match existing {
        Some(r) => {
            let path = format!("/initiatives/{}", url_encode(r.value.code.as_str()));
            (
                format!("Edit {} — {}", r.value.code, r.value.title),
                path.clone(),
                path,
                "Save changes",
                Some(posted.and_then(FormData::version).unwrap_or(r.version)),
            )
        }
        None => (
            "Add an initiative".to_string(),
            "/initiatives".to_string(),
            "/programmes".to_string(),
            "Add initiative",
            None,
        ),
    };
    form_response(
        staff,
        "programmes",
        FormView {
            heading,
            caption: "Transformation programme".into(),
            action,
            fields,
            submit: submit.into(),
            cancel,
            version,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

async fn new_form(State(s): State<AppState>, staff: Staff) -> Response {
    form_page(&s, &staff, None, vec![], None).await
}

async fn held(s: &AppState, c: &Caller, code: &str) -> Result<Rec<Initiative>, AppError> {
    s.app
        .programme_snapshot(c)
        .await?
        .initiatives
        .into_iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("There is no initiative '{code}'.")))
}

async fn edit_form(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    match held(&s, &staff.caller, &code).await {
        Ok(r) => form_page(&s, &staff, Some(&r), vec![], None).await,
        Err(e) => error_page(e),
    }
}

/// The app's field errors, named as the form's fields.
fn app_errors(e: &AppError) -> Option<Errors> {
    form_errors(e).map(|v| {
        v.into_iter()
            .map(|(f, m)| match f.as_str() {
                "programme" => ("workstream".into(), m),
                _ => (f, m),
            })
            .collect()
    })
}

async fn create(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let i = match initiative_from(&form, None) {
        Ok(i) => i,
        Err(errors) => return form_page(&s, &staff, None, errors, Some(&form)).await,
    };
    match s.app.create_initiative(&staff.caller, &i).await {
        Ok(rec) => Redirect::to(&format!(
            "/initiatives/{}?saved=created",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e) => match app_errors(&e) {
            Some(errors) => form_page(&s, &staff, None, errors, Some(&form)).await,
            None => error_page(e),
        },
    }
}

async fn update(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let before = match held(&s, &staff.caller, &code).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let i = match initiative_from(&form, Some(before.value.code.as_str())) {
        Ok(i) => i,
        Err(errors) => return form_page(&s, &staff, Some(&before), errors, Some(&form)).await,
    };
    match s
        .app
        .update_initiative(&staff.caller, &code, &i, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("/initiatives/{}?saved=updated", url_encode(&code)))
            .into_response(),
        Err(e) => match app_errors(&e) {
            Some(errors) => form_page(&s, &staff, Some(&before), errors, Some(&form)).await,
            None => error_page(e),
        },
    }
}

async fn delete(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .delete_initiative(&staff.caller, &code, form.version())
        .await
    {
        Ok(()) => Redirect::to("/programmes?saved=deleted").into_response(),
        Err(e) => error_page(e),
    }
}
