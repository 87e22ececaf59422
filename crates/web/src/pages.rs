//! Staff pages: server-rendered HTML that works without JavaScript. Every form
//! post carries the session's CSRF token; every page asks the application layer
//! for data and never recomputes a rule itself.
use crate::AppState;
use crate::extract::{OperatorSession, SESSION_COOKIE, Staff, StaffForm, cookie};
use crate::view::*;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::framework::{Entity, View};
use goldthread_app::input::{
    CellInput, OutcomeInput, PersonInput, PlanInput, PortfolioInput, RaciInput, RaciLine,
    ServiceInput,
};
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller, Rec};
use goldthread_domain::framework::{Framework, Outcome, Person, Plan, Portfolio, Service};
use goldthread_domain::money::{format_pounds_display, format_pounds_plain, parse_pounds};
use goldthread_domain::permission::Write;
use goldthread_domain::{
    DeliveryModel, Grouping, OutcomeKind, PlanKind, Raci, Role, StatutoryBasis, Strength,
};
use goldthread_store::audit::{AuditFilter, AuditRow};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/switch", post(switch))
        .route("/", get(home))
        .route("/thread", get(thread))
        .route("/outcomes", get(list::<Outcome>).post(create::<Outcome>))
        .route("/outcomes/new", get(new_form::<Outcome>))
        .route(
            "/outcomes/{key}",
            get(show::<Outcome>).post(update::<Outcome>),
        )
        .route("/outcomes/{key}/edit", get(edit_form::<Outcome>))
        .route("/outcomes/{key}/delete", post(delete::<Outcome>))
        .route("/outcomes/{key}/raci", get(raci_form).post(raci_save))
        .route(
            "/portfolios",
            get(list::<Portfolio>).post(create::<Portfolio>),
        )
        .route("/portfolios/new", get(new_form::<Portfolio>))
        .route(
            "/portfolios/{key}",
            get(show::<Portfolio>).post(update::<Portfolio>),
        )
        .route("/portfolios/{key}/edit", get(edit_form::<Portfolio>))
        .route("/portfolios/{key}/delete", post(delete::<Portfolio>))
        .route("/services", get(list::<Service>).post(create::<Service>))
        .route("/services/new", get(new_form::<Service>))
        .route(
            "/services/{key}",
            get(show::<Service>).post(update::<Service>),
        )
        .route("/services/{key}/edit", get(edit_form::<Service>))
        .route("/services/{key}/delete", post(delete::<Service>))
        .route("/plans", get(list::<Plan>).post(create::<Plan>))
        .route("/plans/new", get(new_form::<Plan>))
        .route("/plans/{key}", get(show::<Plan>).post(update::<Plan>))
        .route("/plans/{key}/edit", get(edit_form::<Plan>))
        .route("/plans/{key}/delete", post(delete::<Plan>))
        .route("/people", get(list::<Person>).post(create::<Person>))
        .route("/people/new", get(new_form::<Person>))
        .route("/people/{key}", get(show::<Person>).post(update::<Person>))
        .route("/people/{key}/edit", get(edit_form::<Person>))
        .route("/people/{key}/delete", post(delete::<Person>))
        .route("/matrix", get(matrix))
        .route(
            "/matrix/{service}/{outcome}",
            get(cell_form).post(cell_save),
        )
        .route("/one-fund", get(one_fund))
        .route("/gaps", get(gaps))
        .route("/audit", get(audit))
        .route("/import", get(import_page).post(import_upload))
        .route("/export/framework.xlsx", get(export_xlsx))
        .route("/export/{file}", get(export_csv))
        .route("/operator", get(operator_home))
        .route("/operator/tenants/new", get(operator_new_tenant))
        .route("/operator/tenants", post(operator_add_tenant))
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn render<T: Template>(status: StatusCode, t: T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page could not be rendered",
            )
                .into_response()
        }
    }
}

/// Renders a page with status 200.
pub fn render_page<T: Template>(t: T) -> Response {
    page(t)
}

fn page<T: Template>(t: T) -> Response {
    render(StatusCode::OK, t)
}

pub fn message_page(status: StatusCode, heading: &str, message: &str) -> Response {
    render(
        status,
        MessagePage {
            chrome: Chrome {
                title: heading.into(),
                ..Default::default()
            },
            heading: heading.into(),
            message: message.into(),
        },
    )
}

pub fn error_page(e: AppError) -> Response {
    let status = crate::error::status_of(&e);
    let heading = match &e {
        AppError::NotFound(_) => "Page not found",
        AppError::Forbidden(_) => "You cannot do that",
        AppError::Conflict(_) | AppError::InUse(_) | AppError::Duplicate(_) => {
            "That change was not made"
        }
        AppError::Internal(_) => "Sorry, something went wrong",
        _ => "That did not work",
    };
    let message = match &e {
        AppError::Internal(_) => {
            "Something went wrong on our side; it has been logged. Try again later.".to_string()
        }
        other => other.to_string(),
    };
    message_page(status, heading, &message)
}

/// The page chrome for a signed-in person.
pub fn chrome_for(s: &Staff, title: &str, section: &str) -> Chrome {
    chrome(s, title, section)
}

fn chrome(s: &Staff, title: &str, section: &str) -> Chrome {
    Chrome {
        title: title.into(),
        tenant_name: s.caller.tenant.name.clone(),
        user_name: s.caller.name.clone(),
        role: s.caller.role().to_string(),
        csrf: s.session.csrf_token.clone(),
        section: section.into(),
        can_audit: s.caller.actor.reads_audit(),
        signed_in: true,
        flash: None,
        is_operator: s.session.is_operator,
        operator_only: false,
        tenants: s
            .session
            .memberships
            .iter()
            .map(|m| (m.tenant.code.clone(), m.tenant.name.clone()))
            .collect(),
    }
}

/// Posted form fields, in order (repeated names allowed, e.g. checkboxes).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// Puts what was posted back into a form's fields, to show it again.
    pub fn refill(&self, fields: &mut [Field]) {
        for field in fields {
            match field.kind.as_str() {
                "checkboxes" => {
                    let chosen = self.all(&field.name);
                    for c in &mut field.choices {
                        c.selected = chosen.contains(&c.value);
                    }
                }
                "select" => {
                    let chosen = self.get(&field.name);
                    for c in &mut field.choices {
                        c.selected = c.value == chosen;
                    }
                }
                _ => field.value = self.get(&field.name),
            }
        }
    }

    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }
    pub fn version(&self) -> Option<i64> {
        self.get("version").parse().ok()
    }
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|s| !s.is_empty())
    }
}

/// Refuses a form post whose CSRF token is not this session's.
pub fn csrf_refusal(s: &Staff, form: &FormData) -> Option<Response> {
    let sent = form.get("csrf");
    if !sent.is_empty() && constant_time_eq(sent.as_bytes(), s.session.csrf_token.as_bytes()) {
        None
    } else {
        Some(message_page(
            StatusCode::FORBIDDEN,
            "Your form could not be accepted",
            "The form was missing its security token or it had expired. Go back, reload the page and try again.",
        ))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize, Default)]
pub struct Flash {
    saved: Option<String>,
}

impl Flash {
    /// The notice for a `?saved=` value.
    pub(crate) fn from_saved(saved: Option<String>) -> Flash {
        Flash { saved }
    }

    pub(crate) fn text(&self) -> Option<String> {
        match self.saved.as_deref() {
            Some("created") => Some("Created.".into()),
            Some("updated") => Some("Saved.".into()),
            Some("deleted") => Some("Deleted.".into()),
            Some("raci") => Some("RACI saved.".into()),
            Some("cell") => Some("Matrix cell saved.".into()),
            Some("cell-deleted") => Some("Matrix cell removed.".into()),
            Some("advanced") => Some("The review has moved on to its next step.".into()),
            Some("sent-back") => Some("The review has been sent back a step.".into()),
            Some("signed") => Some("Signed off. The review needs its second signature.".into()),
            Some("approved") => Some(
                "Approved: the service's delivery model and next review date have changed.".into(),
            ),
            Some("rejected") => Some("The review has been rejected.".into()),
            Some("implemented") => Some("The review is marked implemented.".into()),
            Some("progress") => Some("Progress note added.".into()),
            _ => None,
        }
    }
}

// ----- sign in and out -----

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".into()
    }
}

async fn login_form(Query(q): Query<NextQuery>) -> Response {
    page(LoginPage {
        chrome: Chrome {
            title: "Sign in".into(),
            ..Default::default()
        },
        next: safe_next(q.next.as_deref().unwrap_or("/")),
        email: String::new(),
        error: None,
    })
}

/// The address sign-in attempts are counted against: the last entry of
/// `X-Forwarded-For`, the one the reverse proxy in front of goldthread added
/// (earlier entries come from the client and could be forged to dodge the
/// per-address limit).
fn client_address(headers: &HeaderMap) -> String {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| "direct".into())
}

async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData(form);
    let (email, password, next) = (
        form.get("email"),
        form.get("password"),
        safe_next(&form.get("next")),
    );
    let secure = s.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https");
    match s
        .app
        .login(&email, &password, &client_address(&headers))
        .await
    {
        Ok(id) => {
            // A new session id on every sign-in; the old one, if any, is ended.
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                let _ = s.app.logout(&old).await;
            }
            let cookie = format!(
                "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                goldthread_app::auth::SESSION_HOURS * 3600,
                if secure { "; Secure" } else { "" }
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            let status = if status == StatusCode::BAD_REQUEST {
                StatusCode::UNAUTHORIZED
            } else {
                status
            };
            render(
                status,
                LoginPage {
                    chrome: Chrome {
                        title: "Sign in".into(),
                        ..Default::default()
                    },
                    next,
                    email,
                    error: Some(e.to_string()),
                },
            )
        }
    }
}

async fn logout(State(s): State<AppState>, StaffForm { staff, .. }: StaffForm) -> Response {
    if let Err(e) = s.app.end_session(&staff.session).await {
        return error_page(e);
    }
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

async fn switch(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    match s
        .app
        .switch_tenant(&staff.session, &form.get("tenant"))
        .await
    {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => error_page(e),
    }
}

// ----- overview pages -----

async fn home(State(s): State<AppState>, staff: Staff) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let count = |k: OutcomeKind| fw.outcomes.iter().filter(|o| o.kind == k).count();
    let counts = vec![
        (
            "national outcomes".to_string(),
            count(OutcomeKind::National),
            "/outcomes#national".to_string(),
        ),
        (
            "local outcomes".into(),
            count(OutcomeKind::Local),
            "/outcomes#local".into(),
        ),
        (
            "priorities and themes".into(),
            count(OutcomeKind::Priority) + count(OutcomeKind::Theme),
            "/outcomes#priority".into(),
        ),
        (
            "portfolios".into(),
            fw.portfolios.len(),
            "/portfolios".into(),
        ),
        ("services".into(), fw.services.len(), "/services".into()),
        (
            "matrix cells".into(),
            fw.contributions.len(),
            "/matrix".into(),
        ),
        ("plans".into(), fw.plans.len(), "/plans".into()),
        ("people".into(), fw.people.len(), "/people".into()),
    ];
    page(HomePage {
        chrome: chrome(&staff, "Home", "home"),
        counts,
        gaps: fw.gaps().total(),
        outcomes: fw
            .outcomes
            .iter()
            .filter(|o| o.kind == OutcomeKind::Local)
            .map(|o| {
                Link::new(
                    format!("/outcomes/{}", o.code),
                    format!("{} — {}", o.code, o.title),
                )
            })
            .collect(),
    })
}

fn person_name(fw: &Framework, email: &Option<goldthread_domain::Email>) -> String {
    match email {
        Some(e) => fw
            .person(e.as_str())
            .map(|p| p.name.clone())
            .unwrap_or_else(|| e.to_string()),
        None => "no one".into(),
    }
}

async fn thread(State(s): State<AppState>, staff: Staff) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let olink = |o: &Outcome| {
        Link::new(
            format!("/outcomes/{}", o.code),
            format!("{} — {}", o.code, o.title),
        )
    };
    let strands = fw
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Local)
        .filter_map(|o| fw.outcome_thread(o.code.as_str()))
        .map(|t| Strand {
            outcome: olink(&t.outcome),
            national: t.above.iter().map(olink).collect(),
            priorities: t.below.iter().map(olink).collect(),
            portfolios: t
                .portfolios
                .iter()
                .map(|p| {
                    (
                        Link::new(format!("/portfolios/{}", p.code), p.title.clone()),
                        person_name(fw, &p.outcome_leader),
                    )
                })
                .collect(),
            services: t
                .services
                .iter()
                .map(|si| {
                    (
                        Link::new(
                            format!("/services/{}", si.service.code),
                            si.service.title.clone(),
                        ),
                        si.strength.to_string(),
                    )
                })
                .collect(),
            plans: t
                .plans
                .iter()
                .map(|p| Link::new(format!("/plans/{}", p.code), p.title.clone()))
                .collect(),
            accountable: t
                .raci
                .iter()
                .find(|r| r.raci == Raci::Accountable)
                .map(|r| person_name(fw, &Some(r.person.clone())))
                .unwrap_or_else(|| "No one — a framework gap".into()),
        })
        .collect();
    page(ThreadPage {
        chrome: chrome(&staff, "Golden thread", "thread"),
        strands,
    })
}

// ----- generic record pages -----

/// How one kind of record appears on staff pages.
pub trait PageKind: Entity {
    const PATH: &'static str;
    const PLURAL: &'static str;
    const SINGULAR: &'static str;
    const INTRO: &'static str;
    fn label(&self) -> String;
    fn list_tables(v: &View) -> Vec<TableView>;
    fn fields(value: Option<&Self>, fw: &Framework) -> Vec<Field>;
    fn create_from_form(
        app: &App,
        c: &Caller,
        f: &FormData,
    ) -> impl Future<Output = Result<Rec<Self>, AppError>> + Send;
    fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> impl Future<Output = Result<Rec<Self>, AppError>> + Send;
    fn facts(&self, fw: &Framework) -> Vec<Fact>;
    fn sections(&self, v: &View, c: &Caller) -> Vec<Section>;
    /// Field names in the API/import that the form calls differently.
    fn form_field(name: &str) -> String {
        name.to_string()
    }
}

async fn list<K: PageKind>(
    State(s): State<AppState>,
    staff: Staff,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut c = chrome(&staff, K::PLURAL, K::PATH.trim_start_matches('/'));
    c.flash = flash.text();
    let can_create = staff.caller.actor.edits_everything()
        || (K::TYPE == "service" && !staff.caller.actor.portfolios(&v.framework).is_empty())
        || (K::TYPE == "plan"
            && matches!(
                staff.caller.role(),
                Role::OutcomeLeader | Role::ServiceManager
            ));
    page(TablePage {
        chrome: c,
        heading: K::PLURAL.into(),
        intro: K::INTRO.into(),
        actions: if can_create {
            vec![Link::new(
                format!("{}/new", K::PATH),
                format!("Add a {}", K::SINGULAR),
            )]
        } else {
            vec![]
        },
        tables: K::list_tables(&v),
    })
}

pub(crate) fn history_table(rows: &[AuditRow]) -> TableView {
    let mut t = TableView::new(
        "Changes to this record",
        &["When", "Who", "What", "Changes"],
    )
    .empty("No changes recorded.");
    for r in rows {
        t.rows.push(vec![
            Cell::text(r.at.replace('T', " ").chars().take(19).collect::<String>()),
            Cell::text(r.actor.clone()),
            Cell::text(r.action.clone()),
            Cell::text(describe_change(r)),
        ]);
    }
    t
}

/// "title: 'A' → 'B'; links: … " from an audit row's before and after.
fn describe_change(r: &AuditRow) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        serde_json::Value::Null => "none".into(),
        other => other.to_string(),
    };
    match (&r.before, &r.after) {
        (Some(b), Some(a)) if b.is_object() && a.is_object() => {
            let (b, a) = (b.as_object().unwrap(), a.as_object().unwrap());
            let changes: Vec<String> = a
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "version" | "id"))
                .filter(|(k, v)| b.get(*k) != Some(*v))
                .map(|(k, v)| {
                    format!(
                        "{k}: {} → {}",
                        b.get(k).map(show).unwrap_or_else(|| "none".into()),
                        show(v)
                    )
                })
                .collect();
            if changes.is_empty() {
                "no field changed".into()
            } else {
                changes.join("; ")
            }
        }
        (Some(b), Some(a)) => format!("{} → {}", b, a),
        (None, Some(_)) => "created".into(),
        (Some(_), None) => "deleted".into(),
        (None, None) => r
            .context
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default(),
    }
}

async fn show<K: PageKind>(
    State(s): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let Some(rec) = K::records(&v.snapshot).iter().find(|r| {
        r.value.key() == key || (K::TYPE == "person" && r.value.key() == key.to_lowercase())
    }) else {
        return error_page(AppError::NotFound(format!(
            "There is no {} '{key}'.",
            K::SINGULAR
        )));
    };
    let mut history = s
        .app
        .history(&staff.caller, K::TYPE, &rec.id)
        .await
        .unwrap_or_default();
    if K::TYPE == "outcome" {
        history.extend(
            s.app
                .history(&staff.caller, "raci", &rec.id)
                .await
                .unwrap_or_default(),
        );
        history.sort_by(|a, b| b.at.cmp(&a.at));
    }
    let can_edit = staff
        .caller
        .actor
        .may(K::write(Some(&rec.value), Some(&rec.value)), &v.framework);
    let can_delete = staff
        .caller
        .actor
        .may(K::write(Some(&rec.value), None), &v.framework);
    let mut actions = Vec::new();
    if can_edit {
        actions.push(Link::new(
            format!("{}/{}/edit", K::PATH, url_encode(&rec.value.key())),
            format!("Edit this {}", K::SINGULAR),
        ));
    }
    let mut sections = rec.value.sections(&v, &staff.caller);
    if K::TYPE == "service" {
        sections.push(service_reviews(&s, &staff, &v.framework, &rec.value.key()).await);
    }
    if let (Ok(code), "outcome" | "service") =
        (goldthread_domain::Code::parse(&rec.value.key()), K::TYPE)
    {
        let (outcome, service) = if K::TYPE == "outcome" {
            (Some(&code), None)
        } else {
            (None, Some(&code))
        };
        sections.push(crate::risks::linked_section(&s, &staff.caller, outcome, service).await);
        sections
            .push(crate::actions::linked_actions(&s, &staff, &v.framework, outcome, service).await);
        sections.push(crate::programmes::linked_section(&s, &staff.caller, outcome, service).await);
        sections.push(crate::benefits::linked_section(&s, &staff.caller, outcome, service).await);
    }
    sections.push(Section {
        heading: "History".into(),
        tables: vec![history_table(&history)],
        ..Default::default()
    });
    let mut c = chrome(&staff, &rec.value.label(), K::PATH.trim_start_matches('/'));
    c.flash = flash.text();
    page(RecordPage {
        chrome: c,
        caption: capitalise(K::SINGULAR),
        heading: rec.value.label(),
        facts: rec.value.facts(&v.framework),
        actions,
        delete: can_delete.then(|| {
            (
                format!("{}/{}/delete", K::PATH, url_encode(&rec.value.key())),
                rec.version,
            )
        }),
        sections,
    })
}

/// A service's reviews (the Delivery Framework), newest code last.
async fn service_reviews(s: &AppState, staff: &Staff, fw: &Framework, service: &str) -> Section {
    let reviews = s.app.reviews(&staff.caller).await.unwrap_or_default();
    let mut t = TableView::new(
        "Reviews of this service",
        &["Review", "Step", "Preferred option"],
    )
    .empty("This service has not been reviewed here yet.");
    for r in reviews
        .iter()
        .filter(|r| r.value.service.as_str() == service)
    {
        t.rows.push(vec![
            Cell::link(
                format!("{} — {}", r.value.code, r.value.title),
                format!("/reviews/{}", url_encode(r.value.code.as_str())),
            ),
            Cell::text(capitalise(&r.value.state.to_string().replace('-', " "))),
            Cell::text(
                r.value
                    .preferred()
                    .map(|o| format!("{} ({})", o.title, o.delivery_model))
                    .unwrap_or_else(|| "Not chosen yet".into()),
            ),
        ]);
    }
    Section {
        heading: "Service reviews".into(),
        intro: "Reviews take the service through the Delivery Framework; approving one changes its delivery model and sets its next review.".into(),
        tables: vec![t],
        links: match goldthread_domain::Code::parse(service) {
            Ok(code) if staff.caller.actor.may(Write::Review { service: &code }, fw) => {
                vec![Link::new("/reviews/new", "Open a review")]
            }
            _ => vec![],
        },
    }
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn form_page<K: PageKind>(
    staff: &Staff,
    fw: &Framework,
    existing: Option<&Rec<K>>,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let mut fields = K::fields(existing.map(|r| &r.value), fw);
    if let Some(f) = posted {
        f.refill(&mut fields);
    }
    let (heading, action, cancel) = match existing {
        Some(r) => (
            format!("Edit {}", r.value.label()),
            format!("{}/{}", K::PATH, url_encode(&r.value.key())),
            format!("{}/{}", K::PATH, url_encode(&r.value.key())),
        ),
        None => (
            format!("Add a {}", K::SINGULAR),
            K::PATH.to_string(),
            K::PATH.to_string(),
        ),
    };
    let version = posted
        .and_then(FormData::version)
        .or(existing.map(|r| r.version));
    let form = FormView {
        heading,
        caption: capitalise(K::PLURAL),
        action,
        fields,
        submit: if existing.is_some() {
            "Save changes".into()
        } else {
            format!("Add {}", K::SINGULAR)
        },
        cancel,
        version: existing.and(version),
        general: Vec::new(),
    }
    .with_errors(
        errors
            .into_iter()
            .map(|(f, m)| (K::form_field(&f), m))
            .collect(),
    );
    form_response(staff, K::PATH.trim_start_matches('/'), form)
}

/// A form page in `section`: with errors beside their fields it answers 422 and
/// its title begins "Error:".
pub(crate) fn form_response(staff: &Staff, section: &str, form: FormView) -> Response {
    let (status, title) = if form.has_errors() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Error: {}", form.heading),
        )
    } else {
        (StatusCode::OK, form.heading.clone())
    };
    render(
        status,
        FormPage {
            chrome: chrome(staff, &title, section),
            form,
        },
    )
}

async fn new_form<K: PageKind>(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.view(&staff.caller).await {
        Ok(v) => form_page::<K>(&staff, &v.framework, None, vec![], None),
        Err(e) => error_page(e),
    }
}

async fn edit_form<K: PageKind>(
    State(s): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    match K::records(&v.snapshot)
        .iter()
        .find(|r| r.value.key() == key || r.value.key() == key.to_lowercase())
    {
        Some(rec) => {
            if !staff
                .caller
                .actor
                .may(K::write(Some(&rec.value), Some(&rec.value)), &v.framework)
            {
                return error_page(AppError::Forbidden(format!(
                    "Your role ({}) cannot change this {}.",
                    staff.caller.role(),
                    K::SINGULAR
                )));
            }
            form_page::<K>(&staff, &v.framework, Some(rec), vec![], None)
        }
        None => error_page(AppError::NotFound(format!(
            "There is no {} '{key}'.",
            K::SINGULAR
        ))),
    }
}

pub(crate) fn form_errors(e: &AppError) -> Option<Vec<(String, String)>> {
    match e {
        AppError::Validation(v) => Some(
            v.iter()
                .map(|f| (f.field.clone(), f.message.clone()))
                .collect(),
        ),
        AppError::Conflict(m)
        | AppError::Duplicate(m)
        | AppError::InUse(m)
        | AppError::Forbidden(m)
        | AppError::BadRequest(m) => Some(vec![(String::new(), m.clone())]),
        _ => None,
    }
}

async fn create<K: PageKind>(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match K::create_from_form(&s.app, &staff.caller, &form).await {
        Ok(rec) => Redirect::to(&format!(
            "{}/{}?saved=created",
            K::PATH,
            url_encode(&rec.value.key())
        ))
        .into_response(),
        Err(e) => match (form_errors(&e), s.app.view(&staff.caller).await) {
            (Some(errors), Ok(v)) => {
                form_page::<K>(&staff, &v.framework, None, errors, Some(&form))
            }
            _ => error_page(e),
        },
    }
}

async fn update<K: PageKind>(
    State(s): State<AppState>,
    Path(key): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match K::update_from_form(&s.app, &staff.caller, &key, &form).await {
        Ok(rec) => Redirect::to(&format!(
            "{}/{}?saved=updated",
            K::PATH,
            url_encode(&rec.value.key())
        ))
        .into_response(),
        Err(e) => match (form_errors(&e), s.app.view(&staff.caller).await) {
            (Some(errors), Ok(v)) => {
                let existing = K::records(&v.snapshot)
                    .iter()
                    .find(|r| r.value.key() == key || r.value.key() == key.to_lowercase())
                    .cloned();
                match existing {
                    Some(rec) => {
                        form_page::<K>(&staff, &v.framework, Some(&rec), errors, Some(&form))
                    }
                    None => error_page(e),
                }
            }
            _ => error_page(e),
        },
    }
}

async fn delete<K: PageKind>(
    State(s): State<AppState>,
    Path(key): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    match s.app.delete::<K>(&staff.caller, &key, form.version()).await {
        Ok(()) => Redirect::to(&format!("{}?saved=deleted", K::PATH)).into_response(),
        Err(e) => error_page(e),
    }
}

// ----- choices for forms -----

fn vocabulary<T: Copy + PartialEq + std::fmt::Display>(
    all: &[T],
    current: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: v.to_string(),
            label: v.to_string(),
            selected: Some(*v) == current,
        })
        .collect()
}

fn people_choices(fw: &Framework, current: Option<&goldthread_domain::Email>) -> Vec<Choice> {
    let mut v = vec![Choice {
        value: String::new(),
        label: "No one yet".into(),
        selected: current.is_none(),
    }];
    v.extend(fw.people.iter().map(|p| Choice {
        value: p.email.to_string(),
        label: format!("{} ({})", p.name, p.email),
        selected: Some(&p.email) == current,
    }));
    v
}

pub(crate) fn outcome_choices(
    fw: &Framework,
    kinds: &[OutcomeKind],
    chosen: &[goldthread_domain::Code],
) -> Vec<Choice> {
    fw.outcomes
        .iter()
        .filter(|o| kinds.contains(&o.kind))
        .map(|o| Choice {
            value: o.code.to_string(),
            label: format!("{} — {}", o.code, o.title),
            selected: chosen.contains(&o.code),
        })
        .collect()
}

fn outcome_link(fw: &Framework, code: &goldthread_domain::Code) -> Cell {
    let title = fw
        .outcome(code.as_str())
        .map(|o| o.title.clone())
        .unwrap_or_default();
    Cell::link(format!("{code} — {title}"), format!("/outcomes/{code}"))
}

fn person_cell(fw: &Framework, email: &Option<goldthread_domain::Email>) -> Cell {
    match email {
        Some(e) => Cell::link(
            person_name(fw, email),
            format!("/people/{}", url_encode(e.as_str())),
        ),
        None => Cell::text("No one yet"),
    }
}

fn pounds(p: i64) -> String {
    format_pounds_display(p)
}

// ----- outcomes -----

impl PageKind for Outcome {
    const PATH: &'static str = "/outcomes";
    const PLURAL: &'static str = "Outcomes";
    const SINGULAR: &'static str = "outcome";
    const INTRO: &'static str = "National outcomes, the LOIP's local outcomes, and the priorities and programme themes that serve them.";

    fn label(&self) -> String {
        format!("{} — {}", self.code, self.title)
    }

    fn list_tables(v: &View) -> Vec<TableView> {
        OutcomeKind::ALL
            .iter()
            .map(|k| {
                let mut t = TableView::new(
                    format!("{}s", k.display_name()),
                    &["Code", "Title", "Serves", "Contributing services"],
                )
                .numeric(&[3]);
                t.caption = match k {
                    OutcomeKind::Priority => "Priorities".into(),
                    other => format!("{}s", other.display_name()),
                };
                for o in v.framework.outcomes.iter().filter(|o| o.kind == *k) {
                    let n = v
                        .framework
                        .contributions
                        .iter()
                        .filter(|c| c.outcome == o.code)
                        .count();
                    t.rows.push(vec![
                        Cell::link(o.code.to_string(), format!("/outcomes/{}", o.code)),
                        Cell::text(o.title.clone()),
                        Cell::text(
                            o.links
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        Cell::num(if *k == OutcomeKind::Local {
                            n.to_string()
                        } else {
                            "—".into()
                        }),
                    ]);
                }
                t
            })
            .collect()
    }

    fn fields(o: Option<&Self>, fw: &Framework) -> Vec<Field> {
        let kind = o.map(|o| o.kind);
        vec![
            Field::new("text", "code", "Code", o.map(|o| o.code.to_string()).unwrap_or_default()).required().hint("Letters, digits, '-', '_' or '.', e.g. LO1"),
            Field::new("text", "title", "Title", o.map(|o| o.title.clone()).unwrap_or_default()).required(),
            Field::new("select", "kind", "Kind", "").required().choices(vocabulary(OutcomeKind::ALL, kind.or(Some(OutcomeKind::Local)))),
            Field::new("checkboxes", "links", "Serves", "")
                .hint("A local outcome serves national outcomes; a priority or theme serves local outcomes.")
                .choices(outcome_choices(fw, &[OutcomeKind::National, OutcomeKind::Local], o.map(|o| o.links.as_slice()).unwrap_or(&[]))),
            Field::new("textarea", "description", "Description", o.map(|o| o.description.clone()).unwrap_or_default()),
        ]
    }

    async fn create_from_form(app: &App, c: &Caller, f: &FormData) -> Result<Rec<Self>, AppError> {
        app.create_outcome(c, &outcome_input(f)).await
    }
    async fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> Result<Rec<Self>, AppError> {
        app.update_outcome(c, key, &outcome_input(f)).await
    }

    fn facts(&self, fw: &Framework) -> Vec<Fact> {
        let led_by: Vec<Cell> = fw
            .portfolios
            .iter()
            .filter(|p| p.outcomes.contains(&self.code))
            .map(|p| {
                Cell::link(
                    format!(
                        "{} (Outcome Leader: {})",
                        p.title,
                        person_name(fw, &p.outcome_leader)
                    ),
                    format!("/portfolios/{}", p.code),
                )
            })
            .collect();
        vec![
            Fact::text("Kind", self.kind.display_name()),
            Fact::new(
                "Serves",
                if self.links.is_empty() {
                    vec![Cell::text("—")]
                } else {
                    self.links.iter().map(|l| outcome_link(fw, l)).collect()
                },
            ),
            Fact::new(
                "Led by",
                if led_by.is_empty() {
                    vec![Cell::text("No portfolio")]
                } else {
                    led_by
                },
            ),
            Fact::text(
                "Description",
                if self.description.is_empty() {
                    "—".to_string()
                } else {
                    self.description.clone()
                },
            ),
        ]
    }

    fn sections(&self, v: &View, c: &Caller) -> Vec<Section> {
        let fw = &v.framework;
        let Some(t) = fw.outcome_thread(self.code.as_str()) else {
            return vec![];
        };
        let mut above = TableView::new(
            "Outcomes this one serves (up the thread)",
            &["Outcome", "Kind"],
        )
        .empty("This outcome serves no other outcome.");
        for o in &t.above {
            above.rows.push(vec![
                outcome_link(fw, &o.code),
                Cell::text(o.kind.display_name()),
            ]);
        }
        let mut below = TableView::new(
            "Outcomes that serve this one (down the thread)",
            &["Outcome", "Kind"],
        )
        .empty("Nothing links to this outcome.");
        for o in &t.below {
            below.rows.push(vec![
                outcome_link(fw, &o.code),
                Cell::text(o.kind.display_name()),
            ]);
        }
        let mut services = TableView::new(
            "Contributing services",
            &[
                "Service",
                "Via",
                "Strength",
                "Weight",
                "Net budget",
                "Lead",
                "Note",
            ],
        )
        .numeric(&[3, 4])
        .empty("No service contributes to this outcome yet.");
        for si in &t.services {
            services.rows.push(vec![
                Cell::link(
                    si.service.title.clone(),
                    format!("/services/{}", si.service.code),
                ),
                Cell::text(si.via.to_string()),
                Cell::tag(si.strength.to_string(), si.strength.as_str()),
                Cell::num(format!("{}", si.weight)),
                Cell::num(pounds(si.service.net_budget_pence)),
                person_cell(fw, &si.service.lead),
                Cell::text(si.note.clone()),
            ]);
        }
        let mut plans = TableView::new("Plans", &["Plan", "Kind", "Owner"])
            .empty("No plan is linked to this outcome.");
        for p in &t.plans {
            plans.rows.push(vec![
                Cell::link(p.title.clone(), format!("/plans/{}", p.code)),
                Cell::text(p.kind.to_string()),
                person_cell(fw, &p.owner),
            ]);
        }
        let mut raci =
            TableView::new("RACI", &["Person", "Role in this outcome"]).empty("No RACI yet.");
        for r in &t.raci {
            raci.rows.push(vec![
                person_cell(fw, &Some(r.person.clone())),
                Cell::tag(
                    format!("{} — {}", r.raci, r.raci.display_name()),
                    r.raci.as_str(),
                ),
            ]);
        }
        let mut raci_links = Vec::new();
        if c.actor.may(Write::ReplaceRaci(&self.code), fw) {
            raci_links.push(Link::new(
                format!("/outcomes/{}/raci", self.code),
                "Edit the RACI",
            ));
        }
        let fund = fw.one_fund();
        let attributed = fund
            .outcomes
            .iter()
            .find(|o| o.outcome == self.code.as_str())
            .map(|o| o.attributed_pence)
            .unwrap_or(0);
        vec![
            Section {
                heading: "Status".into(),
                intro: "The outcome's status comes from its outcome indicators and the service indicators of the services that contribute to it, weighted by contribution strength.".into(),
                links: vec![Link::new(format!("/outcomes/{}/status", self.code), "Why this outcome has its status")],
                ..Default::default()
            },
            Section { heading: "The thread".into(), tables: vec![above, below], ..Default::default() },
            Section { heading: "Services".into(), tables: vec![services], ..Default::default() },
            Section {
                heading: "RACI".into(),
                intro: "Lines of accountability from the outcome owner: Responsible, Accountable (exactly one), Consulted, Informed.".into(),
                tables: vec![raci],
                links: raci_links,
            },
            Section { heading: "Plans".into(), tables: vec![plans], ..Default::default() },
            Section {
                heading: "One Fund".into(),
                intro: format!("{} of net budget is attributed to this outcome through contribution weights.", pounds(attributed)),
                links: vec![Link::new("/one-fund", "See the One Fund")],
                ..Default::default()
            },
        ]
    }
}

fn outcome_input(f: &FormData) -> OutcomeInput {
    OutcomeInput {
        code: f.get("code"),
        title: f.get("title"),
        kind: f.get("kind"),
        links: f.all("links"),
        description: f.get("description"),
        version: f.version(),
    }
}

// ----- portfolios -----

impl PageKind for Portfolio {
    const PATH: &'static str = "/portfolios";
    const PLURAL: &'static str = "Portfolios";
    const SINGULAR: &'static str = "portfolio";
    const INTRO: &'static str =
        "Each portfolio has a Director as Outcome Leader, accountable for the outcomes it leads.";

    fn label(&self) -> String {
        self.title.clone()
    }

    fn list_tables(v: &View) -> Vec<TableView> {
        let fw = &v.framework;
        let mut t = TableView::new(
            "",
            &[
                "Portfolio",
                "Outcome Leader",
                "Outcomes led",
                "Services",
                "Net budget",
            ],
        )
        .numeric(&[3, 4]);
        for p in &fw.portfolios {
            let services: Vec<&Service> = fw
                .services
                .iter()
                .filter(|s| s.portfolio == p.code)
                .collect();
            t.rows.push(vec![
                Cell::link(
                    format!("{} ({})", p.title, p.code),
                    format!("/portfolios/{}", p.code),
                ),
                person_cell(fw, &p.outcome_leader),
                Cell::text(
                    p.outcomes
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::num(services.len().to_string()),
                Cell::num(pounds(services.iter().map(|s| s.net_budget_pence).sum())),
            ]);
        }
        vec![t]
    }

    fn fields(p: Option<&Self>, fw: &Framework) -> Vec<Field> {
        vec![
            Field::new(
                "text",
                "code",
                "Code",
                p.map(|p| p.code.to_string()).unwrap_or_default(),
            )
            .required(),
            Field::new(
                "text",
                "title",
                "Title",
                p.map(|p| p.title.clone()).unwrap_or_default(),
            )
            .required(),
            Field::new("select", "outcome_leader", "Outcome Leader", "").choices(people_choices(
                fw,
                p.and_then(|p| p.outcome_leader.as_ref()),
            )),
            Field::new("checkboxes", "outcomes", "Outcomes led", "").choices(outcome_choices(
                fw,
                &[
                    OutcomeKind::Local,
                    OutcomeKind::Priority,
                    OutcomeKind::Theme,
                ],
                p.map(|p| p.outcomes.as_slice()).unwrap_or(&[]),
            )),
        ]
    }

    async fn create_from_form(app: &App, c: &Caller, f: &FormData) -> Result<Rec<Self>, AppError> {
        app.create_portfolio(c, &portfolio_input(f)).await
    }
    async fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> Result<Rec<Self>, AppError> {
        app.update_portfolio(c, key, &portfolio_input(f)).await
    }

    fn facts(&self, fw: &Framework) -> Vec<Fact> {
        vec![
            Fact::text("Code", self.code.to_string()),
            Fact::new(
                "Outcome Leader",
                vec![person_cell(fw, &self.outcome_leader)],
            ),
            Fact::new(
                "Outcomes led",
                if self.outcomes.is_empty() {
                    vec![Cell::text("None")]
                } else {
                    self.outcomes.iter().map(|o| outcome_link(fw, o)).collect()
                },
            ),
        ]
    }

    fn sections(&self, v: &View, _c: &Caller) -> Vec<Section> {
        let fw = &v.framework;
        let mut t = TableView::new(
            "Services in this portfolio",
            &["Service", "Lead", "Delivery model", "Net budget", "FTE"],
        )
        .numeric(&[3, 4])
        .empty("No services.");
        let mut total = 0;
        for s in fw.services.iter().filter(|s| s.portfolio == self.code) {
            total += s.net_budget_pence;
            t.rows.push(vec![
                Cell::link(s.title.clone(), format!("/services/{}", s.code)),
                person_cell(fw, &s.lead),
                Cell::text(s.delivery_model.to_string()),
                Cell::num(pounds(s.net_budget_pence)),
                Cell::num(s.fte.to_string()),
            ]);
        }
        vec![Section {
            heading: "Services".into(),
            intro: format!("Net budget in total: {}.", pounds(total)),
            tables: vec![t],
            ..Default::default()
        }]
    }
}

fn portfolio_input(f: &FormData) -> PortfolioInput {
    PortfolioInput {
        code: f.get("code"),
        title: f.get("title"),
        outcome_leader: f.opt("outcome_leader"),
        outcomes: f.all("outcomes"),
        version: f.version(),
    }
}

// ----- services -----

impl PageKind for Service {
    const PATH: &'static str = "/services";
    const PLURAL: &'static str = "Services";
    const SINGULAR: &'static str = "service";
    const INTRO: &'static str =
        "Every service, its portfolio, lead, statutory basis, delivery model and budget.";

    fn label(&self) -> String {
        self.title.clone()
    }

    fn form_field(name: &str) -> String {
        name.trim_end_matches("_pence").to_string()
    }

    fn list_tables(v: &View) -> Vec<TableView> {
        let fw = &v.framework;
        let mut t = TableView::new(
            "",
            &[
                "Service",
                "Portfolio",
                "Lead",
                "Statutory basis",
                "Delivery model",
                "Net budget",
                "FTE",
                "Next review",
            ],
        )
        .numeric(&[5, 6]);
        for s in &fw.services {
            t.rows.push(vec![
                Cell::link(
                    format!("{} ({})", s.title, s.code),
                    format!("/services/{}", s.code),
                ),
                Cell::text(s.portfolio.to_string()),
                person_cell(fw, &s.lead),
                Cell::text(s.statutory_basis.to_string()),
                Cell::text(s.delivery_model.to_string()),
                Cell::num(pounds(s.net_budget_pence)),
                Cell::num(s.fte.to_string()),
                Cell::text(
                    s.next_review
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "—".into()),
                ),
            ]);
        }
        vec![t]
    }

    fn fields(s: Option<&Self>, fw: &Framework) -> Vec<Field> {
        let money = |p: Option<i64>| p.map(format_pounds_plain).unwrap_or_default();
        vec![
            Field::new(
                "text",
                "code",
                "Code",
                s.map(|s| s.code.to_string()).unwrap_or_default(),
            )
            .required(),
            Field::new(
                "text",
                "title",
                "Title",
                s.map(|s| s.title.clone()).unwrap_or_default(),
            )
            .required(),
            Field::new("select", "portfolio", "Portfolio", "")
                .required()
                .choices(
                    fw.portfolios
                        .iter()
                        .map(|p| Choice {
                            value: p.code.to_string(),
                            label: p.title.clone(),
                            selected: s.map(|s| &s.portfolio) == Some(&p.code),
                        })
                        .collect(),
                ),
            Field::new("select", "lead", "Lead (Service Manager)", "")
                .choices(people_choices(fw, s.and_then(|s| s.lead.as_ref()))),
            Field::new("select", "statutory_basis", "Statutory basis", "")
                .required()
                .choices(vocabulary(
                    StatutoryBasis::ALL,
                    s.map(|s| s.statutory_basis),
                )),
            Field::new("select", "grouping", "Service grouping", "")
                .required()
                .choices(vocabulary(Grouping::ALL, s.map(|s| s.grouping))),
            Field::new("select", "delivery_model", "Current delivery model", "")
                .required()
                .choices(vocabulary(DeliveryModel::ALL, s.map(|s| s.delivery_model))),
            Field::new(
                "text",
                "gross_cost",
                "Gross cost (£)",
                money(s.map(|s| s.gross_cost_pence)),
            )
            .required()
            .hint("Pounds, up to 2 decimal places, e.g. 1250000 or 1250000.50"),
            Field::new(
                "text",
                "income",
                "Income (£)",
                money(s.map(|s| s.income_pence)),
            )
            .required(),
            Field::new(
                "text",
                "net_budget",
                "Net budget (£)",
                money(s.map(|s| s.net_budget_pence)),
            )
            .required(),
            Field::new(
                "text",
                "fte",
                "FTE",
                s.map(|s| s.fte.to_string()).unwrap_or_default(),
            )
            .hint("Full-time equivalent staff, e.g. 12.5"),
            Field::new(
                "date",
                "next_review",
                "Next review",
                s.and_then(|s| s.next_review)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            )
            .hint("YYYY-MM-DD"),
            Field::new(
                "textarea",
                "description",
                "Description",
                s.map(|s| s.description.clone()).unwrap_or_default(),
            ),
        ]
    }

    async fn create_from_form(app: &App, c: &Caller, f: &FormData) -> Result<Rec<Self>, AppError> {
        app.create_service(c, &service_input(f)?).await
    }
    async fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> Result<Rec<Self>, AppError> {
        app.update_service(c, key, &service_input(f)?).await
    }

    fn facts(&self, fw: &Framework) -> Vec<Fact> {
        let portfolio = fw.portfolio(self.portfolio.as_str());
        vec![
            Fact::text("Code", self.code.to_string()),
            Fact::new(
                "Portfolio",
                vec![Cell::link(
                    portfolio
                        .map(|p| p.title.clone())
                        .unwrap_or_else(|| self.portfolio.to_string()),
                    format!("/portfolios/{}", self.portfolio),
                )],
            ),
            Fact::new(
                "Outcome Leader",
                vec![person_cell(
                    fw,
                    &portfolio.and_then(|p| p.outcome_leader.clone()),
                )],
            ),
            Fact::new("Lead", vec![person_cell(fw, &self.lead)]),
            Fact::text("Statutory basis", self.statutory_basis.to_string()),
            Fact::text("Service grouping", self.grouping.to_string()),
            Fact::text("Delivery model", self.delivery_model.to_string()),
            Fact::text("Gross cost", pounds(self.gross_cost_pence)),
            Fact::text("Income", pounds(self.income_pence)),
            Fact::text("Net budget", pounds(self.net_budget_pence)),
            Fact::text("FTE", self.fte.to_string()),
            Fact::text(
                "Next review",
                self.next_review
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "Not set".into()),
            ),
            Fact::text(
                "Description",
                if self.description.is_empty() {
                    "—".to_string()
                } else {
                    self.description.clone()
                },
            ),
        ]
    }

    fn sections(&self, v: &View, c: &Caller) -> Vec<Section> {
        let fw = &v.framework;
        let Some(t) = fw.service_thread(self.code.as_str()) else {
            return vec![];
        };
        let can_edit = c.actor.may(
            Write::MatrixCell {
                service: &self.code,
            },
            fw,
        );
        let mut outcomes = TableView::new(
            "Outcomes this service serves",
            &[
                "Outcome",
                "Strength",
                "Weight",
                "Up to national level",
                "Note",
            ],
        )
        .numeric(&[2])
        .empty("This service contributes to no outcome: it is listed as a framework gap.");
        for o in &t.outcomes {
            let mut cell = Cell::tag(o.strength.to_string(), o.strength.as_str());
            if can_edit {
                cell.href = Some(format!("/matrix/{}/{}", self.code, o.outcome.code));
            }
            outcomes.rows.push(vec![
                outcome_link(fw, &o.outcome.code),
                cell,
                Cell::num(format!("{}", o.weight)),
                Cell::text(
                    o.above
                        .iter()
                        .map(|a| format!("{} {}", a.code, a.title))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Cell::text(o.note.clone()),
            ]);
        }
        let fund = fw.one_fund();
        let mut split = TableView::new(
            "How this service's net budget is attributed (One Fund)",
            &["Outcome", "Share", "Attributed"],
        )
        .numeric(&[1, 2])
        .empty("Unattributed: this service contributes to no outcome.");
        for o in &fund.outcomes {
            for sh in o
                .services
                .iter()
                .filter(|sh| sh.service == self.code.as_str())
            {
                split.rows.push(vec![
                    Cell::link(o.outcome.clone(), format!("/outcomes/{}", o.outcome)),
                    Cell::num(sh.share.clone()),
                    Cell::num(pounds(sh.attributed_pence)),
                ]);
            }
        }
        let mut plans = TableView::new(
            "Plans for the outcomes it serves",
            &["Plan", "Kind", "Owner"],
        )
        .empty("None.");
        for p in &t.plans {
            plans.rows.push(vec![
                Cell::link(p.title.clone(), format!("/plans/{}", p.code)),
                Cell::text(p.kind.to_string()),
                person_cell(fw, &p.owner),
            ]);
        }
        let links = if can_edit {
            vec![Link::new(
                "/matrix",
                "Add or change matrix cells in the matrix",
            )]
        } else {
            vec![]
        };
        vec![
            Section {
                heading: "The thread".into(),
                tables: vec![outcomes],
                links,
                ..Default::default()
            },
            Section {
                heading: "One Fund".into(),
                tables: vec![split],
                ..Default::default()
            },
            Section {
                heading: "Plans".into(),
                tables: vec![plans],
                ..Default::default()
            },
        ]
    }
}

/// Turns the service form (money in pounds) into the API's input (pence).
fn service_input(f: &FormData) -> Result<ServiceInput, AppError> {
    let mut errors = Vec::new();
    let mut money = |name: &str| -> i64 {
        let v = f.get(name);
        if v.is_empty() {
            errors.push(goldthread_app::FieldError {
                field: name.into(),
                message: "is required".into(),
            });
            return 0;
        }
        match parse_pounds(&v) {
            Ok(p) => p,
            Err(e) => {
                errors.push(goldthread_app::FieldError {
                    field: name.into(),
                    message: e.0,
                });
                0
            }
        }
    };
    let (gross, income, net) = (money("gross_cost"), money("income"), money("net_budget"));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(ServiceInput {
        code: f.get("code"),
        title: f.get("title"),
        portfolio: f.get("portfolio"),
        lead: f.opt("lead"),
        statutory_basis: f.get("statutory_basis"),
        grouping: f.get("grouping"),
        delivery_model: f.get("delivery_model"),
        gross_cost_pence: gross,
        income_pence: income,
        net_budget_pence: net,
        fte: f.get("fte"),
        next_review: f.opt("next_review"),
        description: f.get("description"),
        version: f.version(),
    })
}

// ----- plans -----

impl PageKind for Plan {
    const PATH: &'static str = "/plans";
    const PLURAL: &'static str = "Plans";
    const SINGULAR: &'static str = "plan";
    const INTRO: &'static str = "Delivery plans, enabling strategies and service plans, each linked to the outcomes it serves: one plan.";

    fn label(&self) -> String {
        self.title.clone()
    }

    fn list_tables(v: &View) -> Vec<TableView> {
        let fw = &v.framework;
        PlanKind::ALL
            .iter()
            .map(|k| {
                let mut t = TableView::new(
                    capitalise(&k.to_string().replace('-', " ")) + "s",
                    &["Plan", "Owner", "Outcomes"],
                );
                for p in fw.plans.iter().filter(|p| p.kind == *k) {
                    t.rows.push(vec![
                        Cell::link(
                            format!("{} ({})", p.title, p.code),
                            format!("/plans/{}", p.code),
                        ),
                        person_cell(fw, &p.owner),
                        Cell::text(
                            p.outcomes
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ]);
                }
                t
            })
            .collect()
    }

    fn fields(p: Option<&Self>, fw: &Framework) -> Vec<Field> {
        vec![
            Field::new(
                "text",
                "code",
                "Code",
                p.map(|p| p.code.to_string()).unwrap_or_default(),
            )
            .required(),
            Field::new(
                "text",
                "title",
                "Title",
                p.map(|p| p.title.clone()).unwrap_or_default(),
            )
            .required(),
            Field::new("select", "kind", "Kind", "")
                .required()
                .choices(vocabulary(PlanKind::ALL, p.map(|p| p.kind))),
            Field::new("select", "owner", "Owner", "")
                .choices(people_choices(fw, p.and_then(|p| p.owner.as_ref()))),
            Field::new("checkboxes", "outcomes", "Outcomes it serves", "").choices(
                outcome_choices(
                    fw,
                    &[
                        OutcomeKind::Local,
                        OutcomeKind::Priority,
                        OutcomeKind::Theme,
                    ],
                    p.map(|p| p.outcomes.as_slice()).unwrap_or(&[]),
                ),
            ),
        ]
    }

    async fn create_from_form(app: &App, c: &Caller, f: &FormData) -> Result<Rec<Self>, AppError> {
        app.create_plan(c, &plan_input(f)).await
    }
    async fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> Result<Rec<Self>, AppError> {
        app.update_plan(c, key, &plan_input(f)).await
    }

    fn facts(&self, fw: &Framework) -> Vec<Fact> {
        vec![
            Fact::text("Code", self.code.to_string()),
            Fact::text("Kind", self.kind.to_string()),
            Fact::new("Owner", vec![person_cell(fw, &self.owner)]),
            Fact::new(
                "Outcomes it serves",
                if self.outcomes.is_empty() {
                    vec![Cell::text("None")]
                } else {
                    self.outcomes.iter().map(|o| outcome_link(fw, o)).collect()
                },
            ),
        ]
    }

    fn sections(&self, _v: &View, _c: &Caller) -> Vec<Section> {
        Vec::new()
    }
}

fn plan_input(f: &FormData) -> PlanInput {
    PlanInput {
        code: f.get("code"),
        title: f.get("title"),
        kind: f.get("kind"),
        owner: f.opt("owner"),
        outcomes: f.all("outcomes"),
        version: f.version(),
    }
}

// ----- people -----

impl PageKind for Person {
    const PATH: &'static str = "/people";
    const PLURAL: &'static str = "People";
    const SINGULAR: &'static str = "person";
    const INTRO: &'static str =
        "The people who own outcomes, services and plans, with their roles.";

    fn label(&self) -> String {
        self.name.clone()
    }

    fn list_tables(v: &View) -> Vec<TableView> {
        let mut t = TableView::new("", &["Name", "Email", "Role", "Scope"]);
        for p in &v.framework.people {
            t.rows.push(vec![
                Cell::link(
                    p.name.clone(),
                    format!("/people/{}", url_encode(p.email.as_str())),
                ),
                Cell::text(p.email.to_string()),
                Cell::text(p.role.to_string()),
                Cell::text(
                    p.scope
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]);
        }
        vec![t]
    }

    fn fields(p: Option<&Self>, _fw: &Framework) -> Vec<Field> {
        vec![
            Field::new("email", "email", "Email address", p.map(|p| p.email.to_string()).unwrap_or_default()).required(),
            Field::new("text", "name", "Name", p.map(|p| p.name.clone()).unwrap_or_default()).required(),
            Field::new("select", "role", "Role", "").required().choices(vocabulary(Role::ALL, p.map(|p| p.role).or(Some(Role::Member)))),
            Field::new("text", "scope", "Scope", p.map(|p| p.scope.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(";")).unwrap_or_default())
                .hint("Portfolio or service codes the role applies to, separated by ';' (e.g. WB;PE-WASTE)"),
        ]
    }

    async fn create_from_form(app: &App, c: &Caller, f: &FormData) -> Result<Rec<Self>, AppError> {
        app.create_person(c, &person_input(f)).await
    }
    async fn update_from_form(
        app: &App,
        c: &Caller,
        key: &str,
        f: &FormData,
    ) -> Result<Rec<Self>, AppError> {
        app.update_person(c, key, &person_input(f)).await
    }

    fn facts(&self, _fw: &Framework) -> Vec<Fact> {
        vec![
            Fact::text("Email", self.email.to_string()),
            Fact::text("Role", self.role.to_string()),
            Fact::text(
                "Scope",
                if self.scope.is_empty() {
                    "—".to_string()
                } else {
                    self.scope
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
        ]
    }

    fn sections(&self, v: &View, _c: &Caller) -> Vec<Section> {
        let fw = &v.framework;
        let me = Some(self.email.clone());
        let mut t =
            TableView::new("What this person owns", &["Record", "As"]).empty("Nothing yet.");
        for p in fw.portfolios.iter().filter(|p| p.outcome_leader == me) {
            t.rows.push(vec![
                Cell::link(p.title.clone(), format!("/portfolios/{}", p.code)),
                Cell::text("Outcome Leader"),
            ]);
        }
        for s in fw.services.iter().filter(|s| s.lead == me) {
            t.rows.push(vec![
                Cell::link(s.title.clone(), format!("/services/{}", s.code)),
                Cell::text("Service lead"),
            ]);
        }
        for p in fw.plans.iter().filter(|p| p.owner == me) {
            t.rows.push(vec![
                Cell::link(p.title.clone(), format!("/plans/{}", p.code)),
                Cell::text("Plan owner"),
            ]);
        }
        for r in fw.raci.iter().filter(|r| r.person == self.email) {
            t.rows.push(vec![
                outcome_link(fw, &r.outcome),
                Cell::text(format!("RACI: {}", r.raci.display_name())),
            ]);
        }
        vec![Section {
            heading: "Ownership".into(),
            tables: vec![t],
            ..Default::default()
        }]
    }
}

fn person_input(f: &FormData) -> PersonInput {
    PersonInput {
        email: f.get("email"),
        name: f.get("name"),
        role: f.get("role"),
        scope: f
            .get("scope")
            .split(';')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        version: f.version(),
    }
}

// ----- RACI -----

fn raci_fields(
    fw: &Framework,
    outcome: &goldthread_domain::Code,
    posted: Option<&FormData>,
) -> Vec<Field> {
    let current = fw.raci_of(outcome);
    fw.people
        .iter()
        .map(|p| {
            let selected = match posted {
                Some(f) => f.get(&format!("raci:{}", p.email)),
                None => current
                    .iter()
                    .find(|r| r.person == p.email)
                    .map(|r| r.raci.to_string())
                    .unwrap_or_default(),
            };
            let mut choices = vec![Choice {
                value: String::new(),
                label: "—".into(),
                selected: selected.is_empty(),
            }];
            choices.extend(Raci::ALL.iter().map(|r| Choice {
                value: r.to_string(),
                label: format!("{} — {}", r, r.display_name()),
                selected: selected == r.as_str(),
            }));
            Field::new(
                "select",
                &format!("raci:{}", p.email),
                &format!("{} ({})", p.name, p.role),
                "",
            )
            .choices(choices)
        })
        .collect()
}

fn raci_page(
    staff: &Staff,
    fw: &Framework,
    o: &Outcome,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let form = FormView {
        heading: format!("RACI for {} — {}", o.code, o.title),
        caption: "Outcomes".into(),
        action: format!("/outcomes/{}/raci", o.code),
        fields: raci_fields(fw, &o.code, posted),
        submit: "Save RACI".into(),
        cancel: format!("/outcomes/{}", o.code),
        version: None,
        general: Vec::new(),
    }
    .with_errors(errors);
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        FormPage {
            chrome: chrome(staff, "RACI", "outcomes"),
            form,
        },
    )
}

async fn raci_form(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    match v.framework.outcome(&code) {
        Some(o)
            if staff
                .caller
                .actor
                .may(Write::ReplaceRaci(&o.code), &v.framework) =>
        {
            raci_page(&staff, &v.framework, o, vec![], None)
        }
        Some(_) => error_page(AppError::Forbidden(
            "Your role cannot change this outcome's RACI.".into(),
        )),
        None => error_page(AppError::NotFound(format!("There is no outcome '{code}'."))),
    }
}

async fn raci_save(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let items: Vec<RaciLine> = form
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("raci:").map(|p| (p, v)))
        .filter(|(_, v)| !v.is_empty())
        .map(|(p, v)| RaciLine {
            person: p.to_string(),
            raci: v.clone(),
        })
        .collect();
    match s
        .app
        .replace_raci(
            &staff.caller,
            &code,
            &RaciInput {
                items: items.clone(),
            },
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/outcomes/{code}?saved=raci")).into_response(),
        Err(AppError::Validation(errors)) => {
            let Ok(v) = s.app.view(&staff.caller).await else {
                return error_page(AppError::Internal("reload".into()));
            };
            let Some(o) = v.framework.outcome(&code) else {
                return error_page(AppError::NotFound(code));
            };
            // Map items[n].field back to the person's select.
            let mapped = errors
                .into_iter()
                .map(|e| {
                    let n: Option<usize> = e
                        .field
                        .strip_prefix("items[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|n| n.parse().ok());
                    match n.and_then(|n| items.get(n)) {
                        Some(line) => (format!("raci:{}", line.person), e.message),
                        None => (String::new(), e.message),
                    }
                })
                .collect();
            raci_page(&staff, &v.framework, o, mapped, Some(&form))
        }
        Err(e) => error_page(e),
    }
}

// ----- matrix -----

async fn matrix(State(s): State<AppState>, staff: Staff, Query(flash): Query<Flash>) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let locals: Vec<&Outcome> = fw
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Local)
        .collect();
    let m = fw.matrix();
    let can_edit =
        !staff.caller.actor.services(fw).is_empty() || staff.caller.actor.edits_everything();
    let rows = fw
        .services
        .iter()
        .map(|svc| MatrixRow {
            code: svc.code.to_string(),
            title: svc.title.clone(),
            portfolio: svc.portfolio.to_string(),
            cells: locals
                .iter()
                .map(|o| {
                    let c = m.get(&svc.code).and_then(|r| r.get(&o.code));
                    let text = c.map(|c| c.strength.to_string()).unwrap_or_default();
                    MatrixCell {
                        class: c
                            .map(|c| format!("cell-{}", c.strength))
                            .unwrap_or_default(),
                        href: format!("/matrix/{}/{}", svc.code, o.code),
                        label: format!(
                            "{} and {}: {}",
                            svc.title,
                            o.code,
                            if text.is_empty() {
                                "no contribution"
                            } else {
                                &text
                            }
                        ),
                        text,
                    }
                })
                .collect(),
        })
        .collect();
    let mut c = chrome(&staff, "Outcomes & Delivery Matrix", "matrix");
    c.flash = flash.text();
    page(MatrixPage {
        chrome: c,
        outcomes: locals
            .iter()
            .map(|o| (o.code.to_string(), o.title.clone()))
            .collect(),
        rows,
        can_edit,
    })
}

/// The form for one matrix cell. The version comes from what was posted, else from
/// the stored cell, so that a stale form is refused rather than overwriting.
fn cell_page(
    staff: &Staff,
    v: &View,
    service: &Service,
    outcome: &Outcome,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let stored = v
        .snapshot
        .contributions
        .iter()
        .find(|r| r.value.service == service.code && r.value.outcome == outcome.code);
    let strength = posted
        .map(|f| f.get("strength"))
        .or(stored.map(|r| r.value.strength.to_string()))
        .unwrap_or_default();
    let mut choices = vec![Choice {
        value: String::new(),
        label: "No contribution".into(),
        selected: strength.is_empty(),
    }];
    choices.extend(Strength::ALL.iter().map(|s| Choice {
        value: s.to_string(),
        label: format!("{} (weight {})", s, s.weight()),
        selected: strength == s.as_str(),
    }));
    let note = posted
        .map(|f| f.get("note"))
        .or(stored.map(|r| r.value.note.clone()))
        .unwrap_or_default();
    let form = FormView {
        heading: format!("{} → {}", service.title, outcome.title),
        caption: "Outcomes & Delivery Matrix".into(),
        action: format!("/matrix/{}/{}", service.code, outcome.code),
        fields: vec![
            Field::new("select", "strength", "Contribution", "")
                .choices(choices)
                .hint("Choose 'No contribution' to remove the cell."),
            Field::new("textarea", "note", "Note", note),
        ],
        submit: "Save".into(),
        cancel: "/matrix".into(),
        version: posted
            .and_then(FormData::version)
            .or(stored.map(|r| r.version)),
        general: Vec::new(),
    }
    .with_errors(errors);
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        FormPage {
            chrome: chrome(staff, "Matrix cell", "matrix"),
            form,
        },
    )
}

async fn cell_form(
    State(s): State<AppState>,
    staff: Staff,
    Path((service, outcome)): Path<(String, String)>,
) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let (Some(svc), Some(o)) = (fw.service(&service), fw.outcome(&outcome)) else {
        return error_page(AppError::NotFound("There is no such matrix cell.".into()));
    };
    if !staff
        .caller
        .actor
        .may(Write::MatrixCell { service: &svc.code }, fw)
    {
        return error_page(AppError::Forbidden(format!(
            "Your role cannot change {}'s matrix cells.",
            svc.title
        )));
    }
    cell_page(&staff, &v, svc, o, vec![], None)
}

async fn cell_save(
    State(s): State<AppState>,
    Path((service, outcome)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let strength = form.get("strength");
    let result = if strength.is_empty() {
        match form.version() {
            Some(v) => s
                .app
                .delete_cell(&staff.caller, &service, &outcome, Some(v))
                .await
                .map(|_| "cell-deleted"),
            None => Ok("cell"),
        }
    } else {
        s.app
            .put_cell(
                &staff.caller,
                &service,
                &outcome,
                &CellInput {
                    strength,
                    note: form.get("note"),
                    version: form.version(),
                },
            )
            .await
            .map(|_| "cell")
    };
    match result {
        Ok(flash) => Redirect::to(&format!("/matrix?saved={flash}")).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let Ok(v) = s.app.view(&staff.caller).await else {
                    return error_page(e);
                };
                match (v.framework.service(&service), v.framework.outcome(&outcome)) {
                    (Some(svc), Some(o)) => cell_page(&staff, &v, svc, o, errors, Some(&form)),
                    _ => error_page(e),
                }
            }
            None => error_page(e),
        },
    }
}

// ----- One Fund, gaps, audit -----

async fn one_fund(State(s): State<AppState>, staff: Staff) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let fund = fw.one_fund();
    let mut summary = TableView::new(
        "Net budget by outcome",
        &[
            "Outcome",
            "Services",
            "Attributed net budget",
            "Share of total",
        ],
    )
    .numeric(&[1, 2, 3]);
    let share = |p: i64| {
        if fund.net_budget_total_pence == 0 {
            "—".into()
        } else {
            format!(
                "{:.1}%",
                p as f64 * 100.0 / fund.net_budget_total_pence as f64
            )
        }
    };
    for o in &fund.outcomes {
        let code = goldthread_domain::Code::parse(&o.outcome).ok();
        summary.rows.push(vec![
            code.map(|c| outcome_link(fw, &c))
                .unwrap_or_else(|| Cell::text(o.outcome.clone())),
            Cell::num(o.services.len().to_string()),
            Cell::num(pounds(o.attributed_pence)),
            Cell::num(share(o.attributed_pence)),
        ]);
    }
    summary.rows.push(vec![
        Cell::text("Unattributed (services contributing to nothing)"),
        Cell::num(fund.unattributed.len().to_string()),
        Cell::num(pounds(fund.unattributed_total_pence)),
        Cell::num(share(fund.unattributed_total_pence)),
    ]);
    summary.rows.push(vec![
        Cell::text("Total net budget"),
        Cell::num(fw.services.len().to_string()),
        Cell::num(pounds(fund.net_budget_total_pence)),
        Cell::num("100%"),
    ]);
    let mut tables = vec![summary];
    for o in &fund.outcomes {
        let title = fw
            .outcome(&o.outcome)
            .map(|x| x.title.clone())
            .unwrap_or_default();
        let mut t = TableView::new(
            format!("{} — {}: {}", o.outcome, title, pounds(o.attributed_pence)),
            &[
                "Service",
                "Strength",
                "Share of its budget",
                "Service net budget",
                "Attributed",
            ],
        )
        .numeric(&[2, 3, 4]);
        for sh in &o.services {
            let name = fw
                .service(&sh.service)
                .map(|s| s.title.clone())
                .unwrap_or_else(|| sh.service.clone());
            t.rows.push(vec![
                Cell::link(name, format!("/services/{}", sh.service)),
                Cell::tag(sh.strength.to_string(), sh.strength.as_str()),
                Cell::num(sh.share.clone()),
                Cell::num(pounds(sh.service_net_budget_pence)),
                Cell::num(pounds(sh.attributed_pence)),
            ]);
        }
        tables.push(t);
    }
    page(TablePage {
        chrome: chrome(&staff, "One Fund", "one-fund"),
        heading: "One Fund: budget by outcome".into(),
        intro: "Each service's net budget is attributed to the outcomes it contributes to, in proportion to its contribution weights (primary 1.0, significant 0.5, some 0.25, normalised to sum to 1 for each service). Shares are rounded down to the penny and the pennies left over go to the largest remainders, so the totals add up exactly.".into(),
        actions: vec![Link::new("/api/v1/one-fund", "This table as JSON")],
        tables,
    })
}

async fn gaps(State(s): State<AppState>, staff: Staff) -> Response {
    let v = match s.app.view(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let fw = &v.framework;
    let g = match s.app.gaps(&staff.caller).await {
        Ok(g) => g,
        Err(e) => return error_page(e),
    };
    let outcome_rows = |codes: &[goldthread_domain::Code], caption: &str, fix: &str| {
        let mut t = TableView::new(
            format!("{caption} ({})", codes.len()),
            &["Outcome", "What to do"],
        )
        .empty("None — good.");
        for c in codes {
            t.rows.push(vec![outcome_link(fw, c), Cell::text(fix)]);
        }
        t
    };
    let mut services = TableView::new(
        format!(
            "Services contributing to nothing ({})",
            g.services_contributing_to_nothing.len()
        ),
        &["Service", "Portfolio", "What to do"],
    )
    .empty("None — good.");
    for c in &g.services_contributing_to_nothing {
        let svc = fw.service(c.as_str());
        services.rows.push(vec![
            Cell::link(
                svc.map(|s| s.title.clone())
                    .unwrap_or_else(|| c.to_string()),
                format!("/services/{c}"),
            ),
            Cell::text(svc.map(|s| s.portfolio.to_string()).unwrap_or_default()),
            Cell::text("Add the outcomes it serves in the matrix"),
        ]);
    }
    let mut indicators = TableView::new(
        format!(
            "Indicators linked to nothing ({})",
            g.indicators_linked_to_nothing.len()
        ),
        &["Indicator", "What to do"],
    )
    .empty("None — good.");
    for c in &g.indicators_linked_to_nothing {
        indicators.rows.push(vec![
            Cell::link(
                c.to_string(),
                format!("/indicators/{}", url_encode(c.as_str())),
            ),
            Cell::text("Link it to the services or outcomes it measures"),
        ]);
    }
    let mut portfolios = TableView::new(
        format!(
            "Portfolios with no Outcome Leader ({})",
            g.portfolios_without_leader.len()
        ),
        &["Portfolio", "What to do"],
    )
    .empty("None — good.");
    for c in &g.portfolios_without_leader {
        portfolios.rows.push(vec![
            Cell::link(c.to_string(), format!("/portfolios/{c}")),
            Cell::text("Name an Outcome Leader"),
        ]);
    }
    page(TablePage {
        chrome: chrome(&staff, "Framework gaps", "gaps"),
        heading: format!("Framework gaps ({})", g.total()),
        intro: "Breaks in the golden thread: outcomes no one is accountable for or no service contributes to, services that serve no outcome, and portfolios without an Outcome Leader.".into(),
        actions: vec![Link::new("/api/v1/gaps", "These gaps as JSON")],
        tables: vec![
            outcome_rows(&g.outcomes_without_accountable, "Local outcomes with no Accountable", "Name exactly one Accountable in its RACI"),
            outcome_rows(&g.outcomes_without_service, "Local outcomes no service contributes to", "Add contributing services in the matrix"),
            services,
            portfolios,
            indicators,
        ],
    })
}

#[derive(Deserialize, Default)]
pub struct AuditPageQuery {
    entity_type: Option<String>,
    actor: Option<String>,
}

async fn audit(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditPageQuery>,
) -> Response {
    let f = AuditFilter {
        entity_type: q.entity_type.filter(|s| !s.is_empty()),
        actor: q.actor.filter(|s| !s.is_empty()),
        limit: 500,
        ..Default::default()
    };
    match s.app.audit(&staff.caller, &f).await {
        Ok(rows) => {
            let mut t = TableView::new(
                "The 500 most recent changes",
                &["When", "Who", "What", "Record", "Changes"],
            )
            .empty("No changes recorded.");
            for r in &rows {
                t.rows.push(vec![
                    Cell::text(r.at.replace('T', " ").chars().take(19).collect::<String>()),
                    Cell::text(r.actor.clone()),
                    Cell::text(format!("{} {}", r.action, r.entity_type)),
                    Cell::text(r.entity_code.clone().unwrap_or_default()),
                    Cell::text(describe_change(r)),
                ]);
            }
            page(TablePage {
                chrome: chrome(&staff, "Audit trail", "audit"),
                heading: "Audit trail".into(),
                intro: "Every change, by anyone, through any route, with what it was before and after. The trail is append-only: the database refuses to change or delete it.".into(),
                actions: vec![Link::new("/api/v1/audit", "The audit trail as JSON")],
                tables: vec![t],
            })
        }
        Err(e) => error_page(e),
    }
}

// ----- import and export -----

fn data_table_names() -> Vec<String> {
    DataTable::all()
        .iter()
        .map(|t| t.name().to_string())
        .collect()
}

fn table_names() -> Vec<String> {
    goldthread_io::framework::TABLES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect()
}

async fn import_page(staff: Staff) -> Response {
    // Commissioning officers import the contracts register only; the import
    // itself refuses anything else they send.
    let can_import = staff.caller.actor.edits_everything()
        || staff
            .caller
            .actor
            .may(Write::Contracts, &Framework::default());
    page(ImportPage {
        chrome: chrome(&staff, "Import and export", "import"),
        can_import,
        report: None,
        errors: vec![],
        tables: table_names(),
        data_tables: data_table_names(),
    })
}

async fn import_upload(State(s): State<AppState>, staff: Staff, mut form: Multipart) -> Response {
    // The CSRF token and dry-run flag come first in the form; files follow.
    let mut csrf = String::new();
    let mut dry_run = false;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                let Ok(bytes) = field.bytes().await else {
                    return error_page(AppError::BadRequest("the upload was interrupted".into()));
                };
                match (name.as_str(), file_name) {
                    ("csrf", _) => csrf = String::from_utf8_lossy(&bytes).to_string(),
                    ("dry_run", _) => dry_run = true,
                    (_, Some(f)) if !bytes.is_empty() => {
                        files.insert(
                            f.rsplit(['/', '\\']).next().unwrap_or(&f).to_string(),
                            bytes.to_vec(),
                        );
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => return error_page(AppError::BadRequest(e.body_text())),
        }
    }
    if let Some(r) = csrf_refusal(&staff, &FormData(vec![("csrf".into(), csrf)])) {
        return r;
    }
    let chrome = chrome(&staff, "Import and export", "import");
    let label = files.keys().cloned().collect::<Vec<_>>().join(", ");
    let source = match files
        .iter()
        .find(|(n, b)| n.to_lowercase().ends_with(".xlsx") || b.starts_with(b"PK\x03\x04"))
    {
        Some((_, b)) => goldthread_io::Source::xlsx(b.clone()),
        None if files.is_empty() => {
            return import_refused(chrome, vec!["Choose at least one file to import.".into()]);
        }
        None => goldthread_io::Source::csv(files),
    };
    // A file too large to read safely (or a zip bomb) is refused unread.
    let source = match source {
        Ok(source) => source,
        Err(e) => return import_refused(chrome, vec![e.to_string()]),
    };
    // A data table (measurements.csv, consultations.csv, …) imports on its own;
    // the framework's tables import together.
    let data: Vec<DataTable> = match &source {
        goldthread_io::Source::Csv(files) => files
            .keys()
            .filter_map(|n| n.strip_suffix(".csv").and_then(DataTable::named))
            .collect(),
        _ => Vec::new(),
    };
    let result = match (data.as_slice(), &source) {
        ([], _) => {
            s.app
                .import_framework(&staff.caller, &source, dry_run, &label)
                .await
        }
        ([t], goldthread_io::Source::Csv(files)) if files.len() == 1 => {
            s.app
                .import_table(&staff.caller, *t, &source, dry_run, &label)
                .await
        }
        _ => Err(AppError::BadRequest(format!(
            "import {} one file at a time, on its own (the framework's tables import together)",
            data.iter()
                .map(|t| format!("{}.csv", t.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    };
    match result {
        Ok(r) => page(ImportPage {
            chrome,
            can_import: true,
            report: Some(r.summary()),
            errors: vec![],
            tables: table_names(),
            data_tables: data_table_names(),
        }),
        Err(e @ (AppError::Import(_) | AppError::BadRequest(_))) => import_refused(
            chrome,
            match e {
                AppError::Import(errors) => errors.iter().map(|e| e.to_string()).collect(),
                other => vec![other.to_string()],
            },
        ),
        Err(e) => error_page(e),
    }
}

/// The import page answering 422 with what was wrong with the upload.
fn import_refused(chrome: Chrome, errors: Vec<String>) -> Response {
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        ImportPage {
            chrome,
            can_import: true,
            report: None,
            errors,
            tables: table_names(),
            data_tables: data_table_names(),
        },
    )
}

async fn export_xlsx(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.export_framework(&staff.caller).await {
        Ok(fw) => match goldthread_io::framework::xlsx_bytes(&fw) {
            Ok(bytes) => crate::api::xlsx_response(
                bytes,
                &format!("{}-framework.xlsx", staff.caller.tenant.code),
            ),
            Err(e) => error_page(AppError::Internal(e.to_string())),
        },
        Err(e) => error_page(e),
    }
}

fn csv_download(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn export_csv(State(s): State<AppState>, staff: Staff, Path(file): Path<String>) -> Response {
    let Some(name) = file.strip_suffix(".csv") else {
        return error_page(AppError::NotFound("no such export".into()));
    };
    if let Some(t) = DataTable::named(name) {
        return match s.app.export_table(&staff.caller, t).await.and_then(|rows| {
            goldthread_io::spreadsheet::csv_bytes(t.headers(), &rows)
                .map_err(|e| AppError::Internal(e.to_string()))
        }) {
            Ok(bytes) => csv_download(t.name(), bytes),
            Err(e) => error_page(e),
        };
    }
    let fw = match s.app.export_framework(&staff.caller).await {
        Ok(fw) => fw,
        Err(e) => return error_page(e),
    };
    match goldthread_io::framework::to_tables(&fw)
        .into_iter()
        .find(|t| t.name == name)
    {
        Some(t) => match goldthread_io::spreadsheet::csv_bytes(t.headers, &t.rows) {
            Ok(bytes) => csv_download(t.name, bytes),
            Err(e) => error_page(AppError::Internal(e.to_string())),
        },
        None => error_page(AppError::NotFound(format!("no table '{name}'"))),
    }
}

// ----- national operator -----

fn operator_chrome(o: &OperatorSession, title: &str) -> Chrome {
    let caller = o.session.caller.as_ref();
    Chrome {
        title: title.into(),
        tenant_name: caller
            .map(|c| c.tenant.name.clone())
            .unwrap_or_else(|| "National operator".into()),
        user_name: caller
            .map(|c| c.name.clone())
            .unwrap_or_else(|| o.session.email.clone()),
        role: "operator".into(),
        csrf: o.session.csrf_token.clone(),
        section: "operator".into(),
        can_audit: caller.is_some_and(|c| c.actor.reads_audit()),
        signed_in: true,
        flash: None,
        tenants: Vec::new(),
        is_operator: true,
        operator_only: caller.is_none(),
    }
}

async fn operator_home(
    State(s): State<AppState>,
    o: OperatorSession,
    Query(flash): Query<Flash>,
) -> Response {
    let tenants = match s.app.tenants().await {
        Ok(t) => t,
        Err(e) => return error_page(e),
    };
    let mut t = TableView::new(
        "Councils on this instance",
        &["Code", "Name", "Area name (for benchmarking)"],
    )
    .empty("No councils yet.");
    for x in tenants {
        t.rows.push(vec![
            Cell::text(x.code),
            Cell::text(x.name),
            Cell::text(x.area_name),
        ]);
    }
    let mut c = operator_chrome(&o, "Councils");
    c.flash = flash.text();
    page(TablePage {
        chrome: c,
        heading: "Councils".into(),
        intro: "As national operator you add and list councils. You see a council's own data only if you are also given a role in it.".into(),
        actions: vec![Link::new("/operator/tenants/new", "Add a council")],
        tables: vec![t],
    })
}

fn tenant_form(
    o: &OperatorSession,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let v = |n: &str| posted.map(|f| f.get(n)).unwrap_or_default();
    let form = FormView {
        heading: "Add a council".into(),
        caption: "Councils".into(),
        action: "/operator/tenants".into(),
        fields: vec![
            Field::new("text", "code", "Code", v("code"))
                .required()
                .hint("A short code used in URLs and the CLI, e.g. falkirk"),
            Field::new("text", "name", "Name", v("name")).required(),
            Field::new("text", "area_name", "Area name", v("area_name"))
                .hint("As benchmarking data names the area; defaults to the name"),
        ],
        submit: "Add council".into(),
        cancel: "/operator".into(),
        version: None,
        general: Vec::new(),
    }
    .with_errors(errors);
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        FormPage {
            chrome: operator_chrome(o, "Add a council"),
            form,
        },
    )
}

async fn operator_new_tenant(o: OperatorSession) -> Response {
    tenant_form(&o, vec![], None)
}

async fn operator_add_tenant(
    State(s): State<AppState>,
    o: OperatorSession,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormData(form);
    if form.get("csrf").is_empty()
        || !constant_time_eq(form.get("csrf").as_bytes(), o.session.csrf_token.as_bytes())
    {
        return message_page(
            StatusCode::FORBIDDEN,
            "Your form could not be accepted",
            "The form was missing its security token or it had expired. Go back, reload the page and try again.",
        );
    }
    let who = goldthread_app::ActorRef {
        user_id: Some(o.session.user_id.clone()),
        label: o.session.email.clone(),
    };
    match s
        .app
        .add_tenant(
            &who,
            &form.get("code"),
            &form.get("name"),
            &form.get("area_name"),
        )
        .await
    {
        Ok(_) => Redirect::to("/operator?saved=created").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => tenant_form(&o, errors, Some(&form)),
            None => error_page(e),
        },
    }
}

#[cfg(test)]
mod address_tests {
    use super::client_address;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn sign_in_attempts_count_against_the_address_the_proxy_added() {
        let mut h = HeaderMap::new();
        assert_eq!(client_address(&h), "direct");
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        assert_eq!(client_address(&h), "203.0.113.9");
        // A client's forged entries come first; the proxy's comes last.
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 5.6.7.8, 203.0.113.9"),
        );
        assert_eq!(client_address(&h), "203.0.113.9");
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7 ,"),
        );
        assert_eq!(client_address(&h), "198.51.100.7");
    }
}
