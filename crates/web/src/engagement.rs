//! Engagement pages: staff see every consultation and response (drafts too) and
//! — administrators and performance officers — add, change and delete them; the
//! public sees published responses — "you said, we did".
use crate::AppState;
use crate::extract::{Staff, StaffForm};
use crate::pages::{
    Flash, FormData, capitalise, chrome_for, error_page, form_errors, form_response, history_table,
    outcome_choices, render_page, url_encode,
};
use crate::view::{
    Cell, Choice, Fact, Field, FormView, Link, RecordPage, Section, TablePage, TableView,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::engagement::{ConsultationInput, EngagementView, ResponseInput};
use goldthread_app::{AppError, Caller, Rec};
use goldthread_domain::OutcomeKind;
use goldthread_domain::engagement::{Consultation, Response as Said, ResponseStatus};
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::Write;
use goldthread_store::engagement::EngagementSnapshot;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/engagement", get(staff_page))
        .route("/engagement/consultations", post(create_consultation))
        .route("/engagement/consultations/new", get(new_consultation))
        .route(
            "/engagement/consultations/{code}",
            get(consultation_page).post(update_consultation),
        )
        .route(
            "/engagement/consultations/{code}/edit",
            get(edit_consultation),
        )
        .route(
            "/engagement/consultations/{code}/delete",
            post(delete_consultation),
        )
        .route(
            "/engagement/consultations/{code}/responses/new",
            get(new_response),
        )
        .route("/engagement/responses", post(create_response))
        .route(
            "/engagement/responses/{id}",
            get(response_page).post(update_response),
        )
        .route("/engagement/responses/{id}/edit", get(edit_response))
        .route("/engagement/responses/{id}/delete", post(delete_response))
}

fn names(fw: &Framework, c: &Consultation) -> (String, String) {
    let svc: Vec<String> = c
        .services
        .iter()
        .map(|s| {
            fw.service(s.as_str())
                .map(|x| x.title.clone())
                .unwrap_or_else(|| s.to_string())
        })
        .collect();
    let out: Vec<String> = c
        .outcomes
        .iter()
        .map(|o| {
            fw.outcome(o.as_str())
                .map(|x| x.title.clone())
                .unwrap_or_else(|| o.to_string())
        })
        .collect();
    (svc.join("; "), out.join("; "))
}

/// The consultations table: what was asked, of whom, where, when, how many answered.
pub(crate) fn consultation_table(
    fw: &Framework,
    e: &EngagementSnapshot,
    link: impl Fn(&str) -> Option<String>,
) -> TableView {
    let mut t = TableView::new(
        "Consultations",
        &[
            "Consultation",
            "Purpose",
            "Who was asked",
            "Where",
            "Open",
            "Responses",
            "Services",
            "Outcomes",
        ],
    )
    .numeric(&[5])
    .empty("No consultations yet.");
    for r in &e.consultations {
        let c = &r.value;
        let (svc, out) = names(fw, c);
        t.rows.push(vec![
            match link(c.code.as_str()) {
                Some(href) => Cell::link(c.title.clone(), href),
                None => Cell::text(c.title.clone()),
            },
            Cell::text(c.purpose.clone()),
            Cell::text(c.audience.clone()),
            Cell::text(
                c.locality
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "Whole area".into()),
            ),
            Cell::text(format!("{} to {}", c.opens, c.closes)),
            Cell::num(c.responses.to_string()),
            Cell::text(svc),
            Cell::text(out),
        ]);
    }
    t
}

/// "You said, we did": responses, published only unless `drafts` (then each
/// response links to its edit form when `edit` is set).
pub(crate) fn responses_table(e: &EngagementSnapshot, drafts: bool, edit: bool) -> TableView {
    responses_of(e, drafts, edit, |_| true)
}

fn responses_of(
    e: &EngagementSnapshot,
    drafts: bool,
    edit: bool,
    keep: impl Fn(&Said) -> bool,
) -> TableView {
    let mut headers = vec!["You said", "We did", "When", "Consultation"];
    if drafts {
        headers.push("Status");
    }
    let mut t = TableView::new("You said, we did", &headers).empty("No responses published yet.");
    for r in e
        .responses
        .iter()
        .filter(|r| drafts || r.value.status == ResponseStatus::Published)
        .filter(|r| keep(&r.value))
    {
        let x = &r.value;
        let title = e
            .consultations
            .iter()
            .find(|c| c.value.code == x.consultation)
            .map(|c| c.value.title.clone())
            .unwrap_or_else(|| x.consultation.to_string());
        let mut row = vec![
            if edit {
                Cell::link(
                    x.you_said.clone(),
                    format!("/engagement/responses/{}", url_encode(&r.id)),
                )
            } else {
                Cell::text(x.you_said.clone())
            },
            Cell::text(x.we_did.clone()),
            Cell::text(x.date.to_string()),
            Cell::text(title),
        ];
        if drafts {
            row.push(Cell::tag(
                x.status.to_string(),
                if x.status == ResponseStatus::Published {
                    "primary"
                } else {
                    "some"
                },
            ));
        }
        t.rows.push(row);
    }
    t
}

/// Whether the caller may add, change and delete engagement records.
fn may_manage(c: &Caller, fw: &Framework) -> bool {
    c.actor.may(Write::ImportFramework, fw)
}

fn refuse(c: &Caller) -> Response {
    error_page(AppError::Forbidden(format!(
        "Your role ({}) cannot change consultations or responses; administrators and performance officers can.",
        c.role()
    )))
}

async fn staff_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let manage = may_manage(&staff.caller, &v.framework);
    let mut actions = Vec::new();
    if manage {
        actions.push(Link::new(
            "/engagement/consultations/new",
            "Add a consultation",
        ));
    }
    actions.push(Link::new(
        format!("/p/{}/you-said-we-did", staff.caller.tenant.code),
        "See the public page",
    ));
    let mut chrome = chrome_for(&staff, "Engagement", "engagement");
    chrome.flash = flash.text();
    render_page(TablePage {
        chrome,
        heading: "Engagement: you said, we did".into(),
        intro: "Consultations and what the council did about what people said. Published responses appear on the public site and in the One Report; drafts stay here. Open a consultation to record a response. Import consultations.csv and responses.csv on Import & export, or with goldthread import consultations|responses.".into(),
        actions,
        tables: vec![
            consultation_table(&v.framework, &v.records, |code| {
                Some(format!("/engagement/consultations/{}", url_encode(code)))
            }),
            responses_table(&v.records, true, manage),
        ],
    })
}

fn find<'v>(v: &'v EngagementView, code: &str) -> Result<&'v Rec<Consultation>, AppError> {
    v.records
        .consultations
        .iter()
        .find(|r| r.value.code.as_str() == code || r.value.code.as_str() == code.to_lowercase())
        .ok_or_else(|| AppError::NotFound(format!("There is no consultation '{code}'.")))
}

async fn consultation_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let rec = match find(&v, &code) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let c = &rec.value;
    let fw = &v.framework;
    let manage = may_manage(&staff.caller, fw);
    let (svc, out) = names(fw, c);
    let place = c
        .locality
        .as_ref()
        .map(|l| {
            v.localities
                .iter()
                .find(|x| &x.code == l)
                .map(|x| format!("{} ({l})", x.name))
                .unwrap_or_else(|| l.to_string())
        })
        .unwrap_or_else(|| "Whole area".into());
    let facts = vec![
        Fact::text("Code", c.code.to_string()),
        Fact::text("Purpose", c.purpose.clone()),
        Fact::text("Who was asked", c.audience.clone()),
        Fact::text("Where", place),
        Fact::text("Open", format!("{} to {}", c.opens, c.closes)),
        Fact::text("Responses received", c.responses.to_string()),
        Fact::text("Services", if svc.is_empty() { "None".into() } else { svc }),
        Fact::text("Outcomes", if out.is_empty() { "None".into() } else { out }),
    ];
    let mut actions = Vec::new();
    let path = format!("/engagement/consultations/{}", url_encode(c.code.as_str()));
    if manage {
        actions.push(Link::new(format!("{path}/edit"), "Edit this consultation"));
        actions.push(Link::new(format!("{path}/responses/new"), "Add a response"));
    }
    let mut history = s
        .app
        .history(&staff.caller, "consultation", &rec.id)
        .await
        .unwrap_or_default();
    for r in v
        .records
        .responses
        .iter()
        .filter(|r| r.value.consultation == c.code)
    {
        history.extend(
            s.app
                .history(&staff.caller, "response", &r.id)
                .await
                .unwrap_or_default(),
        );
    }
    history.sort_by(|a, b| b.at.cmp(&a.at));
    let mut chrome = chrome_for(&staff, &c.title, "engagement");
    chrome.flash = flash.text();
    render_page(RecordPage {
        chrome,
        caption: "Consultation".into(),
        heading: c.title.clone(),
        facts,
        actions,
        delete: manage.then(|| (format!("{path}/delete"), rec.version)),
        sections: vec![
            Section {
                heading: "You said, we did".into(),
                intro: "What people said and what the council did. Only published responses are shown to the public.".into(),
                tables: vec![responses_of(&v.records, true, manage, |r| r.consultation == c.code)],
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

fn consultation_fields(v: &EngagementView, c: Option<&Consultation>) -> Vec<Field> {
    let fw = &v.framework;
    let text = |f: fn(&Consultation) -> String| c.map(f).unwrap_or_default();
    let mut localities = vec![Choice {
        value: String::new(),
        label: "Whole area".into(),
        selected: c.is_none_or(|c| c.locality.is_none()),
    }];
    localities.extend(v.localities.iter().map(|l| Choice {
        value: l.code.to_string(),
        label: format!("{} ({})", l.name, l.code),
        selected: c.and_then(|c| c.locality.as_ref()) == Some(&l.code),
    }));
    let chosen_services = c.map(|c| c.services.clone()).unwrap_or_default();
    let chosen_outcomes = c.map(|c| c.outcomes.clone()).unwrap_or_default();
    let mut fields = Vec::new();
    if c.is_none() {
        fields.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. BUDGET-2025. It cannot change later.")
                .required(),
        );
    }
    fields.extend([
        Field::new("text", "title", "Title", text(|c| c.title.clone())).required(),
        Field::new(
            "textarea",
            "purpose",
            "Purpose",
            text(|c| c.purpose.clone()),
        )
        .hint("What the council wanted to find out."),
        Field::new(
            "text",
            "audience",
            "Who was asked",
            text(|c| c.audience.clone()),
        )
        .hint("For example: residents, parents and carers, tenants."),
        Field::new("select", "locality", "Where", "").choices(localities),
        Field::new("date", "opens", "Opened", text(|c| c.opens.to_string()))
            .hint("For example: 2025-01-31.")
            .required(),
        Field::new("date", "closes", "Closed", text(|c| c.closes.to_string()))
            .hint("On or after the opening date.")
            .required(),
        Field::new(
            "number",
            "responses",
            "Responses received",
            text(|c| c.responses.to_string()),
        )
        .hint("A whole number; leave empty for none yet."),
        Field::new("checkboxes", "services", "Services it concerns", "").choices(
            fw.services
                .iter()
                .map(|s| Choice {
                    value: s.code.to_string(),
                    label: format!("{} — {}", s.code, s.title),
                    selected: chosen_services.contains(&s.code),
                })
                .collect(),
        ),
        Field::new("checkboxes", "outcomes", "Outcomes it concerns", "").choices(outcome_choices(
            fw,
            &[
                OutcomeKind::National,
                OutcomeKind::Local,
                OutcomeKind::Priority,
                OutcomeKind::Theme,
            ],
            &chosen_outcomes,
        )),
    ]);
    fields
}

/// A form page, with errors beside their fields (status 422 when there are any).
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
        caption: "Engagement".into(),
        action,
        fields,
        submit: submit.into(),
        cancel,
        version,
        general: Vec::new(),
    }
    .with_errors(errors);
    form_response(staff, "engagement", form)
}

fn consultation_form(
    staff: &Staff,
    v: &EngagementView,
    existing: Option<&Rec<Consultation>>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let fields = consultation_fields(v, existing.map(|r| &r.value));
    match existing {
        Some(r) => {
            let path = format!(
                "/engagement/consultations/{}",
                url_encode(r.value.code.as_str())
            );
            form(
                staff,
                format!("Edit {}", r.value.title),
                path.clone(),
                path,
                "Save changes",
                fields,
                Some(posted.and_then(FormData::version).unwrap_or(r.version)),
                errors,
                posted,
            )
        }
        None => form(
            staff,
            "Add a consultation".into(),
            "/engagement/consultations".into(),
            "/engagement".into(),
            "Add consultation",
            fields,
            None,
            errors,
            posted,
        ),
    }
}

fn consultation_input(f: &FormData, code: Option<&str>) -> ConsultationInput {
    ConsultationInput {
        code: code.map(str::to_string).unwrap_or_else(|| f.get("code")),
        title: f.get("title"),
        purpose: f.get("purpose"),
        audience: f.get("audience"),
        locality: f.opt("locality"),
        opens: f.get("opens"),
        closes: f.get("closes"),
        responses: f.opt("responses"),
        services: f.all("services"),
        outcomes: f.all("outcomes"),
        version: f.version(),
    }
}

async fn new_consultation(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.engagement_view(&staff.caller).await {
        Ok(v) if may_manage(&staff.caller, &v.framework) => {
            consultation_form(&staff, &v, None, vec![], None)
        }
        Ok(_) => refuse(&staff.caller),
        Err(e) => error_page(e),
    }
}

async fn edit_consultation(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    if !may_manage(&staff.caller, &v.framework) {
        return refuse(&staff.caller);
    }
    match find(&v, &code) {
        Ok(r) => consultation_form(&staff, &v, Some(r), vec![], None),
        Err(e) => error_page(e),
    }
}

/// After a failed change: the form again with its errors, or an error page.
async fn again(
    s: &AppState,
    staff: &Staff,
    e: AppError,
    show: impl FnOnce(&EngagementView, Vec<(String, String)>) -> Option<Response>,
) -> Response {
    match (form_errors(&e), s.app.engagement_view(&staff.caller).await) {
        (Some(errors), Ok(v)) => show(&v, errors).unwrap_or_else(|| error_page(e)),
        _ => error_page(e),
    }
}

async fn create_consultation(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .create_consultation(&staff.caller, &consultation_input(&form, None))
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/engagement/consultations/{}?saved=created",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                Some(consultation_form(&staff, v, None, errors, Some(&form)))
            })
            .await
        }
    }
}

async fn update_consultation(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .update_consultation(
            &staff.caller,
            &code,
            &consultation_input(&form, Some(&code)),
        )
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/engagement/consultations/{}?saved=updated",
            url_encode(rec.value.code.as_str())
        ))
        .into_response(),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                find(v, &code)
                    .ok()
                    .map(|r| consultation_form(&staff, v, Some(r), errors, Some(&form)))
            })
            .await
        }
    }
}

async fn delete_consultation(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .delete_consultation(&staff.caller, &code, form.version())
        .await
    {
        Ok(()) => Redirect::to("/engagement?saved=deleted").into_response(),
        Err(e) => error_page(e),
    }
}

fn response_fields(v: &EngagementView, consultation: &str, r: Option<&Said>) -> Vec<Field> {
    let text = |f: fn(&Said) -> String| r.map(f).unwrap_or_default();
    let status = r.map(|r| r.status).unwrap_or(ResponseStatus::Draft);
    vec![
        Field::new("select", "consultation", "Consultation", "")
            .choices(
                v.records
                    .consultations
                    .iter()
                    .map(|c| Choice {
                        value: c.value.code.to_string(),
                        label: format!("{} ({})", c.value.title, c.value.code),
                        selected: c.value.code.as_str() == consultation,
                    })
                    .collect(),
            )
            .required(),
        Field::new(
            "textarea",
            "you_said",
            "You said",
            text(|r| r.you_said.clone()),
        )
        .hint("What people told the council, in plain words.")
        .required(),
        Field::new("textarea", "we_did", "We did", text(|r| r.we_did.clone()))
            .hint("What the council did about it.")
            .required(),
        Field::new("date", "date", "When", text(|r| r.date.to_string()))
            .hint("When the council acted or reported back, e.g. 2025-03-31.")
            .required(),
        Field::new("select", "status", "Status", "")
            .hint("Only published responses appear on the public site and in the One Report.")
            .choices(
                ResponseStatus::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.to_string(),
                        label: capitalise(s.as_str()),
                        selected: *s == status,
                    })
                    .collect(),
            )
            .required(),
    ]
}

fn response_form(
    staff: &Staff,
    v: &EngagementView,
    consultation: &str,
    existing: Option<&Rec<Said>>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let fields = response_fields(v, consultation, existing.map(|r| &r.value));
    let back = format!("/engagement/consultations/{}", url_encode(consultation));
    match existing {
        Some(r) => form(
            staff,
            "Edit a response".into(),
            format!("/engagement/responses/{}", url_encode(&r.id)),
            format!("/engagement/responses/{}", url_encode(&r.id)),
            "Save changes",
            fields,
            Some(posted.and_then(FormData::version).unwrap_or(r.version)),
            errors,
            posted,
        ),
        None => form(
            staff,
            "Add a response".into(),
            "/engagement/responses".into(),
            back,
            "Add response",
            fields,
            None,
            errors,
            posted,
        ),
    }
}

fn response_input(f: &FormData) -> ResponseInput {
    ResponseInput {
        consultation: f.get("consultation"),
        you_said: f.get("you_said"),
        we_did: f.get("we_did"),
        date: f.get("date"),
        status: f.get("status"),
        version: f.version(),
    }
}

fn find_response<'v>(v: &'v EngagementView, id: &str) -> Result<&'v Rec<Said>, AppError> {
    v.records
        .responses
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound("There is no such response.".into()))
}

async fn new_response(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    if !may_manage(&staff.caller, &v.framework) {
        return refuse(&staff.caller);
    }
    match find(&v, &code) {
        Ok(c) => response_form(&staff, &v, c.value.code.as_str(), None, vec![], None),
        Err(e) => error_page(e),
    }
}

async fn edit_response(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    if !may_manage(&staff.caller, &v.framework) {
        return refuse(&staff.caller);
    }
    let r = match find_response(&v, &id) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let code = r.value.consultation.to_string();
    response_form(&staff, &v, &code, Some(r), vec![], None)
}

async fn response_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.engagement_view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let r = match find_response(&v, &id) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let x = &r.value;
    let manage = may_manage(&staff.caller, &v.framework);
    let consultation = find(&v, x.consultation.as_str())
        .map(|c| c.value.title.clone())
        .unwrap_or_else(|_| x.consultation.to_string());
    let path = format!("/engagement/responses/{}", url_encode(&r.id));
    let history = s
        .app
        .history(&staff.caller, "response", &r.id)
        .await
        .unwrap_or_default();
    let mut chrome = chrome_for(&staff, "Response", "engagement");
    chrome.flash = flash.text();
    render_page(RecordPage {
        chrome,
        caption: "You said, we did".into(),
        heading: x.you_said.clone(),
        facts: vec![
            Fact::new(
                "Consultation",
                vec![Cell::link(
                    consultation,
                    format!(
                        "/engagement/consultations/{}",
                        url_encode(x.consultation.as_str())
                    ),
                )],
            ),
            Fact::text("You said", x.you_said.clone()),
            Fact::text("We did", x.we_did.clone()),
            Fact::text("When", x.date.to_string()),
            Fact::text("Status", capitalise(x.status.as_str())),
        ],
        actions: if manage {
            vec![Link::new(format!("{path}/edit"), "Edit this response")]
        } else {
            vec![]
        },
        delete: manage.then(|| (format!("{path}/delete"), r.version)),
        sections: vec![Section {
            heading: "History".into(),
            tables: vec![history_table(&history)],
            ..Default::default()
        }],
    })
}

fn after_response(code: &str, saved: &str) -> Response {
    Redirect::to(&format!(
        "/engagement/consultations/{}?saved={saved}",
        url_encode(code)
    ))
    .into_response()
}

async fn create_response(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .create_response(&staff.caller, &response_input(&form))
        .await
    {
        Ok(rec) => after_response(rec.value.consultation.as_str(), "created"),
        Err(e) => {
            let code = form.get("consultation");
            again(&s, &staff, e, |v, errors| {
                Some(response_form(&staff, v, &code, None, errors, Some(&form)))
            })
            .await
        }
    }
}

async fn update_response(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .update_response(&staff.caller, &id, &response_input(&form))
        .await
    {
        Ok(rec) => Redirect::to(&format!(
            "/engagement/responses/{}?saved=updated",
            url_encode(&rec.id)
        ))
        .into_response(),
        Err(e) => {
            again(&s, &staff, e, |v, errors| {
                find_response(v, &id).ok().map(|r| {
                    let code = r.value.consultation.to_string();
                    response_form(&staff, v, &code, Some(r), errors, Some(&form))
                })
            })
            .await
        }
    }
}

async fn delete_response(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s
        .app
        .delete_response(&staff.caller, &id, form.version())
        .await
    {
        Ok(gone) => after_response(gone.consultation.as_str(), "deleted"),
        Err(e) => error_page(e),
    }
}
