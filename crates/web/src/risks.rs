//! Risk register pages: the register with filters and both heat maps (real
//! tables: counts with links, the band written in each cell, colour only a
//! second cue), each risk with its controls, reviews and trajectory, forms to
//! add, change and delete risks (errors beside their fields), and the appetite.
use crate::AppState;
use crate::chart::{Series, line_chart};
use crate::extract::{Staff, StaffForm};
use crate::forms::{select, vocab, words};
use crate::pages::{
    Flash, FormData, capitalise, chrome_for, error_page, form_errors, form_response, history_table,
    outcome_choices, render, url_encode,
};
use crate::view::{
    Cell, Choice, Chrome, Fact, Field, FormView, Link, RecordPage, Section, TableView,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::risks::RiskItem;
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::Write;
use goldthread_domain::risk::{
    Band, Control, Effectiveness, Risk, RiskCategory, RiskStatus, Scored, band,
};
use goldthread_domain::{Code, Email, OutcomeKind};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/risks", get(register).post(create))
        .route("/risks/new", get(new_form))
        .route("/risks/appetite", get(appetite_form).post(save_appetite))
        .route("/risks/{code}", get(risk_page).post(update))
        .route("/risks/{code}/edit", get(edit_form))
        .route("/risks/{code}/delete", post(delete))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A band as a tag: written in words, coloured as a second cue.
pub(crate) fn band_cell(score: u8, b: Option<Band>) -> Cell {
    match b {
        Some(b) => Cell::tag(
            format!("{score} {}", words(b.as_str())),
            &format!("band-{b}"),
        ),
        None => Cell::text(score.to_string()),
    }
}

/// The register as a table: one row per risk, linked.
pub(crate) fn risk_table(caption: &str, items: &[&RiskItem], empty: &str) -> TableView {
    let mut t = TableView::new(
        caption,
        &[
            "Risk", "Category", "Inherent", "Residual", "Target", "Appetite", "Review", "Owner",
        ],
    )
    .empty(empty);
    for i in items {
        let r = &i.risk;
        t.rows.push(vec![
            Cell::link(
                format!("{} — {}", r.code, r.title),
                format!("/risks/{}", url_encode(r.code.as_str())),
            ),
            Cell::text(words(r.category.as_str())),
            band_cell(i.inherent_score, i.inherent_band),
            band_cell(i.residual_score, i.residual_band),
            band_cell(i.target_score, i.target_band),
            match (i.appetite, i.above_appetite) {
                (Some(a), true) => Cell::tag(format!("Above appetite ({a})"), "gap"),
                (Some(a), false) => Cell::text(format!("Within ({a})")),
                (None, _) => Cell::text("Not set"),
            },
            match (r.review_date, i.review_overdue) {
                (Some(d), true) => Cell::tag(format!("Overdue since {d}"), "gap"),
                (Some(d), false) => Cell::text(d.to_string()),
                (None, _) => Cell::text("Not set"),
            },
            Cell::text(r.owner.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        ]);
    }
    t
}

/// The linked open risks of an outcome or a service, for its page.
pub(crate) async fn linked_section(
    s: &AppState,
    c: &Caller,
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Section {
    let items = s.app.risk_items(c, today()).await.unwrap_or_default();
    let linked = goldthread_app::risks::linked(&items, outcome, service);
    Section {
        heading: "Risks".into(),
        intro: "Open risks linked here, the most serious residual score first.".into(),
        tables: vec![risk_table(
            "Linked risks",
            &linked,
            "No open risk is linked here.",
        )],
        links: vec![Link::new("/risks", "The risk register")],
    }
}

pub struct HeatRow {
    pub likelihood: u8,
    /// (text, href, class, label) per impact 1–5.
    pub cells: Vec<(String, String, String, String)>,
}

pub struct Heat {
    pub id: String,
    pub caption: String,
    pub rows: Vec<HeatRow>,
}

#[derive(Template)]
#[template(path = "risks.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub intro: String,
    pub actions: Vec<Link>,
    pub form: FormView,
    pub heat: Vec<Heat>,
    pub tables: Vec<TableView>,
}

#[derive(Deserialize, Default)]
pub struct Filter {
    category: Option<String>,
    status: Option<String>,
    band: Option<String>,
    flag: Option<String>,
    basis: Option<String>,
    likelihood: Option<u8>,
    impact: Option<u8>,
    saved: Option<String>,
}

fn heat(items: &[RiskItem], basis: &str) -> Heat {
    let rows = (1..=5u8)
        .rev()
        .map(|l| HeatRow {
            likelihood: l,
            cells: (1..=5u8)
                .map(|i| {
                    let n = items
                        .iter()
                        .filter(|x| x.risk.status == RiskStatus::Open)
                        .filter(|x| {
                            let s = if basis == "inherent" {
                                x.risk.inherent
                            } else {
                                x.risk.residual
                            };
                            s.likelihood == l && s.impact == i
                        })
                        .count();
                    let b = band(l * i).map(|b| b.to_string()).unwrap_or_default();
                    (
                        n.to_string(),
                        if n > 0 {
                            format!("/risks?basis={basis}&likelihood={l}&impact={i}")
                        } else {
                            String::new()
                        },
                        format!("heat band-{b}"),
                        format!(
                            "{n} risk{} at likelihood {l}, impact {i} (score {}, {})",
                            if n == 1 { "" } else { "s" },
                            l * i,
                            b.replace('-', " ")
                        ),
                    )
                })
                .collect(),
        })
        .collect();
    Heat {
        id: format!("heat-{basis}"),
        caption: format!(
            "{} risk: open risks by likelihood and impact",
            capitalise(basis)
        ),
        rows,
    }
}

async fn register(State(s): State<AppState>, staff: Staff, Query(f): Query<Filter>) -> Response {
    let c = &staff.caller;
    let (items, fw) = match async {
        Ok::<_, AppError>((
            s.app.risk_items(c, today()).await?,
            s.app.view(c).await?.framework,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let shown: Vec<&RiskItem> = items
        .iter()
        .filter(|i| {
            f.category
                .as_deref()
                .is_none_or(|x| x.is_empty() || i.risk.category.as_str() == x)
        })
        .filter(|i| {
            f.status
                .as_deref()
                .is_none_or(|x| x.is_empty() || i.risk.status.as_str() == x)
        })
        .filter(|i| {
            f.band
                .as_deref()
                .is_none_or(|x| x.is_empty() || i.residual_band.is_some_and(|b| b.as_str() == x))
        })
        .filter(|i| match f.flag.as_deref() {
            Some("above-appetite") => i.above_appetite,
            Some("review-overdue") => i.review_overdue,
            _ => true,
        })
        .filter(|i| {
            let s = if f.basis.as_deref() == Some("inherent") {
                i.risk.inherent
            } else {
                i.risk.residual
            };
            f.likelihood.is_none_or(|l| s.likelihood == l)
                && f.impact.is_none_or(|m| s.impact == m)
                && (f.likelihood.is_none() || i.risk.status == RiskStatus::Open)
        })
        .collect();
    let form = FormView {
        heading: String::new(),
        fields: vec![
            select(
                "category",
                "Category",
                "Any",
                &vocab(RiskCategory::ALL),
                &opt(&f.category),
            ),
            select(
                "status",
                "Status",
                "Any",
                &vocab(RiskStatus::ALL),
                &opt(&f.status),
            ),
            select(
                "band",
                "Residual band",
                "Any",
                &vocab(Band::ALL),
                &opt(&f.band),
            ),
            select(
                "flag",
                "Show only",
                "All risks",
                &[
                    ("above-appetite".into(), "Above appetite".into()),
                    ("review-overdue".into(), "Reviews overdue".into()),
                ],
                &opt(&f.flag),
            ),
        ],
        ..Default::default()
    };
    let above: Vec<&RiskItem> = items.iter().filter(|i| i.above_appetite).collect();
    let overdue: Vec<&RiskItem> = items.iter().filter(|i| i.review_overdue).collect();
    let mut actions = Vec::new();
    let may_add = fw.services.iter().any(|x| {
        c.actor.may(
            Write::Register {
                services: std::slice::from_ref(&x.code),
                outcomes: &[],
            },
            &fw,
        )
    });
    if may_add {
        actions.push(Link::new("/risks/new", "Add a risk"));
    }
    if c.actor.may(Write::ImportFramework, &fw) {
        actions.push(Link::new("/risks/appetite", "Set the risk appetite"));
    }
    actions.push(Link::new("/export/risks.csv", "Download risks.csv"));
    let mut chrome = chrome_for(&staff, "Risk register", "risks");
    chrome.flash = Flash::from_saved(f.saved.clone()).text();
    let filtered = f.category.is_some()
        || f.status.is_some()
        || f.band.is_some()
        || f.flag.is_some()
        || f.likelihood.is_some();
    render(
        StatusCode::OK,
        RegisterPage {
            chrome,
            intro: "Every risk on the golden thread, scored likelihood × impact (1–5 each) before controls (inherent), after them (residual) and where the council wants it (target). Bands: 1–4 low, 5–9 medium, 10–16 high, 20–25 very high. A residual above the appetite for its category is escalated to Exceptions.".into(),
            actions,
            form,
            heat: vec![heat(&items, "residual"), heat(&items, "inherent")],
            tables: vec![
                risk_table(
                    &format!(
                        "{} ({} of {})",
                        if filtered { "Risks matching the filter" } else { "All risks" },
                        shown.len(),
                        items.len()
                    ),
                    &shown,
                    "No risk matches.",
                ),
                risk_table("Risks above appetite", &above, "No risk is above appetite."),
                risk_table("Reviews overdue", &overdue, "No risk review is overdue."),
            ],
        },
    )
}

fn trajectory(code: &Code, reviews: &[goldthread_domain::risk::RiskReview]) -> String {
    let mine: Vec<_> = reviews.iter().filter(|r| &r.risk == code).collect();
    if mine.len() < 2 {
        return String::new();
    }
    let labels: Vec<String> = mine.iter().map(|r| r.date.to_string()).collect();
    let series = |name: &str,
                  style: &'static str,
                  f: fn(&goldthread_domain::risk::RiskReview) -> Scored| Series {
        name: name.into(),
        values: mine.iter().map(|r| Some(f(r).score() as f64)).collect(),
        style,
        markers: true,
    };
    line_chart(
        "risk-trajectory",
        &format!("Risk {code}: scores at each review"),
        "Inherent, residual and target scores (1–25) at each review; the figures are in the table above.",
        &labels,
        &[
            series("Inherent", "dotted", |r| r.inherent),
            series("Residual", "solid", |r| r.residual),
            series("Target", "dashed", |r| r.target),
        ],
    )
}

fn scored_text(s: Scored) -> String {
    format!("(likelihood {} × impact {})", s.likelihood, s.impact)
}

/// May the caller change or delete this risk (as it links now)?
fn may_change(c: &Caller, fw: &Framework, r: &Risk) -> bool {
    c.actor.may(
        Write::Register {
            services: &r.services,
            outcomes: &r.outcomes,
        },
        fw,
    )
}

async fn risk_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let (snap, fw) =
        match async { Ok::<_, AppError>((s.app.risks(c).await?, s.app.view(c).await?.framework)) }
            .await
        {
            Ok(v) => v,
            Err(e) => return error_page(e),
        };
    let Some(rec) = snap.risks.iter().find(|r| r.value.code.as_str() == code) else {
        return error_page(AppError::NotFound(format!("There is no risk '{code}'.")));
    };
    let item = RiskItem::of(rec, &snap.appetite, today());
    let r = &rec.value;
    let mut facts = vec![
        Fact::text("Category", words(r.category.as_str())),
        Fact::text("Status", words(r.status.as_str())),
        Fact::text("Cause", r.cause.clone()),
        Fact::text("Event", r.event.clone()),
        Fact::text("Effect", r.effect.clone()),
        Fact::text(
            "Owner",
            r.owner
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "No one yet".into()),
        ),
        Fact::new(
            "Inherent score",
            vec![
                band_cell(item.inherent_score, item.inherent_band),
                Cell::text(scored_text(r.inherent)),
            ],
        ),
        Fact::new(
            "Residual score",
            vec![
                band_cell(item.residual_score, item.residual_band),
                Cell::text(scored_text(r.residual)),
            ],
        ),
        Fact::new(
            "Target score",
            vec![
                band_cell(item.target_score, item.target_band),
                Cell::text(scored_text(r.target)),
            ],
        ),
        Fact::new(
            "Appetite",
            vec![match (item.appetite, item.above_appetite) {
                (Some(a), true) => Cell::tag(
                    format!(
                        "Above appetite: residual {} > {a}, escalated",
                        item.residual_score
                    ),
                    "gap",
                ),
                (Some(a), false) => {
                    Cell::text(format!("Within appetite ({a} for {} risks)", r.category))
                }
                (None, _) => Cell::text(format!("No appetite set for {} risks", r.category)),
            }],
        ),
        Fact::new(
            "Next review",
            vec![match (r.review_date, item.review_overdue) {
                (Some(d), true) => Cell::tag(format!("Overdue since {d}"), "gap"),
                (Some(d), false) => Cell::text(d.to_string()),
                (None, _) => Cell::text("Not set"),
            }],
        ),
    ];
    let mut links: Vec<Cell> = r
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
    links.extend(r.services.iter().map(|v| {
        Cell::link(
            fw.service(v.as_str())
                .map(|x| format!("{v} — {}", x.title))
                .unwrap_or_else(|| v.to_string()),
            format!("/services/{}", url_encode(v.as_str())),
        )
    }));
    if let Some(v) = &r.review {
        links.push(Cell::link(
            format!("Review {v}"),
            format!("/reviews/{}", url_encode(v.as_str())),
        ));
    }
    if !r.programme.is_empty() {
        links.push(Cell::link(
            format!("Programme {}", r.programme),
            format!("/programmes/{}", url_encode(&r.programme)),
        ));
    }
    if links.is_empty() {
        links.push(Cell::text("Not linked to the golden thread yet"));
    }
    facts.push(Fact::new("On the golden thread", links));
    let mut controls = TableView::new("Controls", &["Control", "Owner", "Effectiveness"])
        .empty("No controls recorded.");
    for k in &r.controls {
        controls.rows.push(vec![
            Cell::text(k.control.clone()),
            Cell::text(k.owner.as_ref().map(|e| e.to_string()).unwrap_or_default()),
            Cell::tag(
                words(k.effectiveness.as_str()),
                match k.effectiveness {
                    Effectiveness::Effective => "status-green",
                    Effectiveness::Partly => "status-amber",
                    Effectiveness::Ineffective => "gap",
                },
            ),
        ]);
    }
    let mut reviews = TableView::new(
        "Reviews: the scores each recorded",
        &["Reviewed", "Inherent", "Residual", "Target", "Note"],
    )
    .empty("No reviews recorded.");
    for v in snap.reviews.iter().filter(|v| v.risk == r.code) {
        reviews.rows.push(vec![
            Cell::text(v.date.to_string()),
            band_cell(v.inherent.score(), v.inherent.band()),
            band_cell(v.residual.score(), v.residual.band()),
            band_cell(v.target.score(), v.target.band()),
            Cell::text(v.note.clone()),
        ]);
    }
    let chart = trajectory(&r.code, &snap.reviews);
    let history = s.app.history(c, "risk", &rec.id).await.unwrap_or_default();
    let change = may_change(c, &fw, r);
    let path = format!("/risks/{}", url_encode(r.code.as_str()));
    let mut chrome = chrome_for(&staff, &r.title, "risks");
    chrome.flash = flash.text();
    let mut sections = vec![
        Section {
            heading: "Controls".into(),
            tables: vec![controls],
            ..Default::default()
        },
        Section {
            heading: "Trajectory".into(),
            intro: "Each review records the scores; the chart below shows them over time.".into(),
            tables: vec![reviews],
            ..Default::default()
        },
    ];
    sections.push(crate::actions::mitigating_actions(&s, c, &r.code).await);
    let initiatives = s
        .app
        .initiative_items(c, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap_or_default();
    let carrying: Vec<_> = initiatives
        .iter()
        .filter(|i| i.initiative.risks.contains(&r.code))
        .collect();
    sections.push(Section {
        heading: "Initiatives carrying it".into(),
        tables: vec![crate::programmes::initiative_table(
            "Initiatives carrying this risk",
            &carrying,
            "No initiative carries this risk.",
        )],
        ..Default::default()
    });
    sections.push(Section {
        heading: "History".into(),
        tables: vec![history_table(&history)],
        ..Default::default()
    });
    render(
        StatusCode::OK,
        RiskRecordPage {
            chrome,
            page: RecordPage {
                chrome: Chrome::default(),
                caption: "Risk".into(),
                heading: format!("{} — {}", r.code, r.title),
                facts,
                actions: if change {
                    vec![Link::new(format!("{path}/edit"), "Edit this risk")]
                } else {
                    vec![]
                },
                delete: change.then(|| (format!("{path}/delete"), rec.version)),
                sections,
            },
            chart,
        },
    )
}

/// The record page with the trajectory chart under the reviews.
#[derive(Template)]
#[template(path = "risk.html")]
pub struct RiskRecordPage {
    pub chrome: Chrome,
    /// Its own `chrome` is unused: the layout reads the page's.
    pub page: RecordPage,
    pub chart: String,
}

// ----- forms -----

fn fields(
    fw: &Framework,
    reviews: &[Code],
    programmes: &[(String, String)],
    r: Option<&Risk>,
) -> Vec<Field> {
    let people: Vec<(String, String)> = fw
        .people
        .iter()
        .map(|p| (p.email.to_string(), format!("{} ({})", p.name, p.email)))
        .collect();
    let text = |f: fn(&Risk) -> String| r.map(f).unwrap_or_default();
    let scores: Vec<(String, String)> = (1..=5).map(|n| (n.to_string(), n.to_string())).collect();
    let mut f = Vec::new();
    if r.is_none() {
        f.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. DR09. It cannot change later.")
                .required(),
        );
    }
    f.extend([
        Field::new("text", "title", "Title", text(|r| r.title.clone())).required(),
        select(
            "category",
            "Category",
            "Choose a category",
            &vocab(RiskCategory::ALL),
            &text(|r| r.category.to_string()),
        )
        .required(),
        Field::new("textarea", "cause", "Cause", text(|r| r.cause.clone())).hint("Because of …"),
        Field::new("textarea", "event", "Event", text(|r| r.event.clone()))
            .hint("… this may happen …"),
        Field::new("textarea", "effect", "Effect", text(|r| r.effect.clone()))
            .hint("… with this effect."),
        select(
            "owner",
            "Owner",
            "No one yet",
            &people,
            &text(|r| r.owner.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        ),
        Field::new("checkboxes", "outcomes", "Outcomes it threatens", "").choices(outcome_choices(
            fw,
            &[
                OutcomeKind::Local,
                OutcomeKind::Priority,
                OutcomeKind::Theme,
                OutcomeKind::National,
            ],
            &r.map(|r| r.outcomes.clone()).unwrap_or_default(),
        )),
        Field::new("checkboxes", "services", "Services it affects", "").choices(
            fw.services
                .iter()
                .map(|s| Choice {
                    value: s.code.to_string(),
                    label: format!("{} — {}", s.code, s.title),
                    selected: r.is_some_and(|r| r.services.contains(&s.code)),
                })
                .collect(),
        ),
        select(
            "programme",
            "Programme it threatens",
            "None",
            programmes,
            &text(|r| r.programme.clone()),
        ),
        select(
            "review",
            "Service review it arises from",
            "None",
            &reviews
                .iter()
                .map(|c| (c.to_string(), c.to_string()))
                .collect::<Vec<_>>(),
            &text(|r| r.review.as_ref().map(|c| c.to_string()).unwrap_or_default()),
        ),
    ]);
    for (name, label, get) in [
        (
            "inherent",
            "Inherent (before controls)",
            (|r: &Risk| r.inherent) as fn(&Risk) -> Scored,
        ),
        ("residual", "Residual (after controls)", |r: &Risk| {
            r.residual
        }),
        ("target", "Target", |r: &Risk| r.target),
    ] {
        let s = r.map(get);
        f.push(
            select(
                &format!("{name}_likelihood"),
                &format!("{label}: likelihood (1–5)"),
                "Choose",
                &scores,
                &s.map(|s| s.likelihood.to_string()).unwrap_or_default(),
            )
            .required(),
        );
        f.push(
            select(
                &format!("{name}_impact"),
                &format!("{label}: impact (1–5)"),
                "Choose",
                &scores,
                &s.map(|s| s.impact.to_string()).unwrap_or_default(),
            )
            .required(),
        );
    }
    f.push(
        Field::new(
            "date",
            "review_date",
            "Next review",
            text(|r| r.review_date.map(|d| d.to_string()).unwrap_or_default()),
        )
        .hint("For example: 2027-03-31."),
    );
    f.push(select(
        "status",
        "Status",
        "Open",
        &vocab(&[RiskStatus::Closed]),
        &text(|r| {
            if r.status == RiskStatus::Closed {
                "closed".into()
            } else {
                String::new()
            }
        }),
    ));
    let controls: Vec<Control> = r.map(|r| r.controls.clone()).unwrap_or_default();
    for i in 0..controls.len() + 2 {
        let k = controls.get(i);
        f.push(
            Field::new(
                "text",
                &format!("control_{i}"),
                &format!("Control {}", i + 1),
                k.map(|k| k.control.clone()).unwrap_or_default(),
            )
            .hint(if i == 0 {
                "Leave a control empty to remove it."
            } else {
                ""
            }),
        );
        f.push(select(
            &format!("control_owner_{i}"),
            &format!("Control {}: owner", i + 1),
            "No one yet",
            &people,
            &k.and_then(|k| k.owner.as_ref())
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ));
        f.push(select(
            &format!("control_effectiveness_{i}"),
            &format!("Control {}: effectiveness", i + 1),
            "Choose",
            &vocab(Effectiveness::ALL),
            &k.map(|k| k.effectiveness.to_string()).unwrap_or_default(),
        ));
    }
    f
}

type Errors = Vec<(String, String)>;

/// The risk a form describes, or its field errors.
fn risk_from(f: &FormData, code: Option<&str>, controls_before: usize) -> Result<Risk, Errors> {
    let mut e: Errors = Vec::new();
    let code_text = code.map(str::to_string).unwrap_or_else(|| f.get("code"));
    let code = Code::parse(&code_text)
        .map_err(|x| e.push(("code".into(), x.0)))
        .ok();
    let category = f
        .get("category")
        .parse::<RiskCategory>()
        .map_err(|_| e.push(("category".into(), "choose a category".into())))
        .ok();
    let email = |name: &str, e: &mut Errors| -> Option<Email> {
        f.opt(name).and_then(|v| {
            Email::parse(&v)
                .map_err(|x| e.push((name.into(), x.0)))
                .ok()
        })
    };
    let owner = email("owner", &mut e);
    let codes = |name: &str, e: &mut Errors| -> Vec<Code> {
        f.all(name)
            .iter()
            .filter_map(|v| Code::parse(v).map_err(|x| e.push((name.into(), x.0))).ok())
            .collect()
    };
    let outcomes = codes("outcomes", &mut e);
    let services = codes("services", &mut e);
    let review = f.opt("review").and_then(|v| {
        Code::parse(&v)
            .map_err(|x| e.push(("review".into(), x.0)))
            .ok()
    });
    let part = |name: String, e: &mut Errors| -> u8 {
        match f.get(&name).parse::<u8>() {
            Ok(v) if (1..=5).contains(&v) => v,
            _ => {
                e.push((name, "choose 1 to 5".into()));
                0
            }
        }
    };
    let scored = |name: &str, e: &mut Errors| Scored {
        likelihood: part(format!("{name}_likelihood"), e),
        impact: part(format!("{name}_impact"), e),
    };
    let inherent = scored("inherent", &mut e);
    let residual = scored("residual", &mut e);
    let target = scored("target", &mut e);
    let review_date = f.opt("review_date").and_then(|v| {
        time::Date::parse(
            &v,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| {
            e.push((
                "review_date".into(),
                format!("'{v}' is not a date (use YYYY-MM-DD)"),
            ))
        })
        .ok()
    });
    let status = if f.get("status") == "closed" {
        RiskStatus::Closed
    } else {
        RiskStatus::Open
    };
    let mut controls = Vec::new();
    for i in 0..controls_before + 2 {
        let text = f.get(&format!("control_{i}"));
        if text.is_empty() {
            continue;
        }
        let owner = email(&format!("control_owner_{i}"), &mut e);
        match f
            .get(&format!("control_effectiveness_{i}"))
            .parse::<Effectiveness>()
        {
            Ok(eff) => controls.push(Control {
                control: text,
                owner,
                effectiveness: eff,
            }),
            Err(_) => e.push((
                format!("control_effectiveness_{i}"),
                "choose how effective it is".into(),
            )),
        }
    }
    match (code, category, e.is_empty()) {
        (Some(code), Some(category), true) => Ok(Risk {
            code,
            title: f.get("title"),
            category,
            cause: f.get("cause"),
            event: f.get("event"),
            effect: f.get("effect"),
            owner,
            outcomes,
            services,
            programme: f.get("programme"),
            review,
            inherent,
            residual,
            target,
            review_date,
            status,
            controls,
        }),
        _ => Err(e),
    }
}

async fn form_page(
    s: &AppState,
    staff: &Staff,
    existing: Option<&Rec<Risk>>,
    errors: Errors,
    posted: Option<&FormData>,
) -> Response {
    let fw = match s.app.view(&staff.caller).await {
        Ok(v) => v.framework,
        Err(e) => return error_page(e),
    };
    let reviews: Vec<Code> = s
        .app
        .reviews(&staff.caller)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.value.code)
        .collect();
    let programmes: Vec<(String, String)> = s
        .app
        .programme_snapshot(&staff.caller)
        .await
        .unwrap_or_default()
        .programmes
        .into_iter()
        .map(|p| {
            (
                p.value.code.to_string(),
                format!("{} — {}", p.value.code, p.value.title),
            )
        })
        .collect();
    let mut fields = fields(&fw, &reviews, &programmes, existing.map(|r| &r.value));
    if let Some(p) = posted {
        p.refill(&mut fields);
    }
    // The app names score problems by their likelihood field.
    let (heading, action, cancel, submit, version) = match existing {
        Some(r) => {
            let path = format!("/risks/{}", url_encode(r.value.code.as_str()));
            (
                format!("Edit {} — {}", r.value.code, r.value.title),
                path.clone(),
                path,
                "Save changes",
                Some(posted.and_then(FormData::version).unwrap_or(r.version)),
            )
        }
        None => (
            "Add a risk".to_string(),
            "/risks".to_string(),
            "/risks".to_string(),
            "Add risk",
            None,
        ),
    };
    form_response(
        staff,
        "risks",
        FormView {
            heading,
            caption: "Risk register".into(),
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

async fn held(s: &AppState, c: &Caller, code: &str) -> Result<Rec<Risk>, AppError> {
    s.app
        .risks(c)
        .await?
        .risks
        .into_iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("There is no risk '{code}'.")))
}

async fn edit_form(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    match held(&s, &staff.caller, &code).await {
        Ok(r) => form_page(&s, &staff, Some(&r), vec![], None).await,
        Err(e) => error_page(e),
    }
}

fn app_errors(e: &AppError) -> Option<Errors> {
    form_errors(e).map(|v| {
        v.into_iter()
            .map(|(f, m)| match f.strip_prefix("controls[") {
                Some(rest) => (
                    format!("control_{}", rest.split(']').next().unwrap_or("0")),
                    m,
                ),
                None => (f, m),
            })
            .collect()
    })
}

async fn create(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let r = match risk_from(&form, None, 0) {
        Ok(r) => r,
        Err(errors) => return form_page(&s, &staff, None, errors, Some(&form)).await,
    };
    match s.app.create_risk(&staff.caller, &r, today()).await {
        Ok(rec) => Redirect::to(&format!(
            "/risks/{}?saved=created",
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
    let r = match risk_from(
        &form,
        Some(before.value.code.as_str()),
        before.value.controls.len(),
    ) {
        Ok(r) => r,
        Err(errors) => return form_page(&s, &staff, Some(&before), errors, Some(&form)).await,
    };
    match s
        .app
        .update_risk(&staff.caller, &code, &r, form.version(), today())
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/risks/{}?saved=updated", url_encode(&code))).into_response()
        }
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
        .delete_risk(&staff.caller, &code, form.version())
        .await
    {
        Ok(()) => Redirect::to("/risks?saved=deleted").into_response(),
        Err(e) => error_page(e),
    }
}

// ----- appetite -----

fn appetite_fields(a: &goldthread_domain::risk::Appetite) -> Vec<Field> {
    RiskCategory::ALL
        .iter()
        .map(|k| {
            Field::new(
                "number",
                k.as_str(),
                &format!("{} risks", words(k.as_str())),
                a.get(k).map(|v| v.to_string()).unwrap_or_default(),
            )
            .hint("The highest acceptable residual score, 1–25; empty for none.")
        })
        .collect()
}

fn appetite_page(staff: &Staff, fields: Vec<Field>, errors: Errors) -> Response {
    form_response(
        staff,
        "risks",
        FormView {
            heading: "Risk appetite".into(),
            caption: "Risk register".into(),
            action: "/risks/appetite".into(),
            fields,
            submit: "Save".into(),
            cancel: "/risks".into(),
            version: None,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

async fn appetite_form(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.risks(&staff.caller).await {
        Ok(r) => appetite_page(&staff, appetite_fields(&r.appetite), vec![]),
        Err(e) => error_page(e),
    }
}

async fn save_appetite(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let mut errors = Vec::new();
    let mut new = BTreeMap::new();
    for k in RiskCategory::ALL {
        let v = form.get(k.as_str());
        if v.is_empty() {
            new.insert(*k, None);
            continue;
        }
        match v.parse::<u8>() {
            Ok(a) => {
                new.insert(*k, Some(a));
            }
            Err(_) => errors.push((
                k.as_str().to_string(),
                format!("'{v}' is not a whole number from 1 to 25"),
            )),
        }
    }
    let result = if errors.is_empty() {
        s.app.set_appetite(&staff.caller, &new).await.map(|_| ())
    } else {
        Err(AppError::Validation(
            errors
                .iter()
                .map(|(f, m)| goldthread_app::FieldError::new(f, m.clone()))
                .collect(),
        ))
    };
    match result {
        Ok(()) => Redirect::to("/risks?saved=updated").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let mut fields = appetite_fields(&Default::default());
                form.refill(&mut fields);
                appetite_page(&staff, fields, errors)
            }
            None => error_page(e),
        },
    }
}
