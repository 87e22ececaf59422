//! Forms for the frames the registers hang on: programmes and their
//! workstreams, action plans and their recommendations (administrators and
//! performance officers). One form shape serves all four: its fields are the
//! record's import columns, so the app checks it with the importer's rules
//! and each error appears beside its field, with what was typed kept.
use crate::AppState;
use crate::extract::{Staff, StaffForm};
use crate::forms::select;
use crate::pages::{FormData, error_page, form_errors, form_response, url_encode};
use crate::view::{Field, FormView};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use goldthread_app::structure::RecordInput;
use goldthread_app::{AppError, Caller};
use goldthread_domain::framework::Framework;
use serde_json::Value;

/// Which kind of frame a form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Programme,
    Workstream,
    Plan,
    Recommendation,
}

/// A form's place: the frame, its parent's code (a workstream's programme,
/// a recommendation's plan) and, when changing one, its own code.
#[derive(Debug, Clone)]
struct Place {
    frame: Frame,
    parent: Option<String>,
    code: Option<String>,
}

impl Place {
    fn parent(&self) -> &str {
        self.parent.as_deref().unwrap_or_default()
    }

    /// The parent column of a child frame.
    fn parent_field(&self) -> Option<&'static str> {
        match self.frame {
            Frame::Workstream => Some("programme"),
            Frame::Recommendation => Some("plan"),
            _ => None,
        }
    }

    /// The record's import columns, in the form's order.
    fn columns(&self) -> &'static [&'static str] {
        match self.frame {
            Frame::Programme => goldthread_io::programmes::PROGRAMMES,
            Frame::Workstream => goldthread_io::programmes::WORKSTREAMS,
            Frame::Plan => goldthread_io::actions::ACTION_PLANS,
            Frame::Recommendation => goldthread_io::actions::RECOMMENDATIONS,
        }
    }

    /// What the frame is called, in words.
    fn noun(&self) -> &'static str {
        match self.frame {
            Frame::Programme => "programme",
            Frame::Workstream => "workstream",
            Frame::Plan => "action plan",
            Frame::Recommendation => "recommendation",
        }
    }

    /// What the frame is called, with its article.
    fn a_noun(&self) -> String {
        let n = self.noun();
        if n.starts_with(['a', 'e', 'i', 'o', 'u']) {
            format!("an {n}")
        } else {
            format!("a {n}")
        }
    }

    /// The nav section the form sits in.
    fn section(&self) -> &'static str {
        match self.frame {
            Frame::Programme | Frame::Workstream => "programmes",
            Frame::Plan | Frame::Recommendation => "actions",
        }
    }

    /// Where new records are posted.
    fn collection(&self) -> String {
        let p = url_encode(self.parent());
        match self.frame {
            Frame::Programme => "/programmes".into(),
            Frame::Workstream => format!("/programmes/{p}/workstreams"),
            Frame::Plan => "/action-plans".into(),
            Frame::Recommendation => format!("/action-plans/{p}/recommendations"),
        }
    }

    /// Where this record's changes are posted.
    fn path(&self) -> String {
        format!(
            "{}/{}",
            self.collection(),
            url_encode(self.code.as_deref().unwrap_or_default())
        )
    }

    /// The page the record is shown on (its own, or its parent's).
    fn shown_at(&self, code: &str) -> String {
        let p = url_encode(self.parent());
        match self.frame {
            Frame::Programme => format!("/programmes/{}", url_encode(code)),
            Frame::Plan => format!("/action-plans/{}", url_encode(code)),
            Frame::Workstream => format!("/programmes/{p}"),
            Frame::Recommendation => format!("/action-plans/{p}"),
        }
    }

    /// Where a deleted record's reader goes.
    fn after_delete(&self) -> String {
        match self.frame {
            Frame::Programme => "/programmes?saved=deleted".into(),
            Frame::Plan => "/actions?saved=deleted".into(),
            _ => format!("{}?saved=deleted", self.shown_at("")),
        }
    }

    /// The fields, filled from `existing` (the record as JSON).
    fn fields(&self, fw: &Framework, existing: Option<&Value>) -> Vec<Field> {
        let value = |name: &str| -> String {
            match existing.and_then(|v| v.get(name)) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }
        };
        let people: Vec<(String, String)> = fw
            .people
            .iter()
            .map(|p| (p.email.to_string(), format!("{} ({})", p.name, p.email)))
            .collect();
        let person =
            |name: &str, label: &str| select(name, label, "No one yet", &people, &value(name));
        let mut f = Vec::new();
        if existing.is_none() {
            f.push(
                Field::new("text", "code", "Code", "")
                    .hint(match self.frame {
                        Frame::Programme => "A short unique reference, e.g. TTC-2026. It cannot change later.",
                        Frame::Workstream => "Unique within the programme, e.g. WAVE1. It cannot change later.",
                        Frame::Plan => "A short unique reference, e.g. BVAR-2018. It cannot change later.",
                        Frame::Recommendation => "Its number or code within the plan, e.g. 1 or A. It cannot change later.",
                    })
                    .required(),
            );
        }
        match self.frame {
            Frame::Programme => f.extend([
                Field::new("text", "title", "Title", value("title")).required(),
                person("sponsor", "Sponsor"),
                person("lead", "Lead"),
                Field::new("date", "start", "Start", value("start"))
                    .hint("For example: 2025-11-01.")
                    .required(),
                Field::new("date", "end", "End", value("end")).hint("Not before the start. Leave empty if open."),
                Field::new("textarea", "description", "Description", value("description")),
            ]),
            Frame::Workstream => f.extend([
                Field::new("text", "title", "Title", value("title")).required(),
                person("lead", "Lead"),
            ]),
            Frame::Plan => f.extend([
                Field::new("text", "title", "Title", value("title")).required(),
                Field::new("text", "source", "What it answers", value("source"))
                    .hint("The report or inspection, e.g. Audit Scotland Best Value Assurance Report 2018."),
                person("owner", "Owner"),
                Field::new("date", "approved", "Approved", value("approved"))
                    .hint("When Council (or a committee) approved it, if it has been."),
                Field::new("textarea", "description", "Description", value("description")),
            ]),
            Frame::Recommendation => f.push(
                Field::new("textarea", "text", "Recommendation", value("text"))
                    .hint("As the report words it.")
                    .required(),
            ),
        }
        f
    }

    /// The input a posted form amounts to: its columns, the parent and (when
    /// changing) the code from the address.
    fn input(&self, form: &FormData) -> RecordInput {
        let mut i = RecordInput::of(
            self.columns().iter().map(|c| (c.to_string(), form.get(c))),
            form.version(),
        );
        if let Some(p) = self.parent_field() {
            i.fields
                .insert(p.into(), Value::String(self.parent().into()));
        }
        if let Some(code) = &self.code {
            i.fields.insert("code".into(), Value::String(code.clone()));
        }
        i
    }
}

/// The record at `place` as JSON with its version and title, if it exists.
async fn existing(
    s: &AppState,
    c: &Caller,
    place: &Place,
) -> Result<(Value, i64, String), AppError> {
    let code = place.code.as_deref().unwrap_or_default();
    let parent = place.parent();
    let found = match place.frame {
        Frame::Programme | Frame::Workstream => {
            let snap = s.app.programme_snapshot(c).await?;
            if place.frame == Frame::Programme {
                snap.programmes
                    .into_iter()
                    .find(|r| r.value.code.as_str() == code)
                    .map(|r| (serde_json::to_value(&r.value), r.version, r.value.title))
            } else {
                snap.workstreams
                    .into_iter()
                    .find(|r| r.value.programme.as_str() == parent && r.value.code.as_str() == code)
                    .map(|r| (serde_json::to_value(&r.value), r.version, r.value.title))
            }
        }
        Frame::Plan | Frame::Recommendation => {
            let snap = s.app.action_register(c).await?;
            if place.frame == Frame::Plan {
                snap.plans
                    .into_iter()
                    .find(|r| r.value.code.as_str() == code)
                    .map(|r| (serde_json::to_value(&r.value), r.version, r.value.title))
            } else {
                snap.recommendations
                    .into_iter()
                    .find(|r| r.value.plan.as_str() == parent && r.value.code.as_str() == code)
                    .map(|r| (serde_json::to_value(&r.value), r.version, r.value.text))
            }
        }
    };
    match found {
        Some((Ok(v), version, title)) => Ok((v, version, title)),
        Some((Err(e), ..)) => Err(AppError::Internal(e.to_string())),
        None => Err(AppError::NotFound(format!(
            "There is no {} '{code}'{}.",
            place.noun(),
            if parent.is_empty() {
                String::new()
            } else {
                format!(" in {parent}")
            }
        ))),
    }
}

async fn form_page(
    s: &AppState,
    staff: &Staff,
    place: &Place,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let c = &staff.caller;
    if !c.actor.edits_everything() {
        return error_page(AppError::Forbidden(format!(
            "Your role ({}) cannot change {}s: the council's programmes and action plans are kept by administrators and performance officers.",
            c.role(),
            place.noun()
        )));
    }
    let fw = match s.app.view(c).await {
        Ok(v) => v.framework,
        Err(e) => return error_page(e),
    };
    let held = match &place.code {
        Some(_) => match existing(s, c, place).await {
            Ok(h) => Some(h),
            Err(e) => return error_page(e),
        },
        None => None,
    };
    let mut fields = place.fields(&fw, held.as_ref().map(|h| &h.0));
    if let Some(p) = posted {
        p.refill(&mut fields);
    }
    let within = match place.frame {
        Frame::Workstream => format!(" to programme {}", place.parent()),
        Frame::Recommendation => format!(" to action plan {}", place.parent()),
        _ => String::new(),
    };
    let (heading, action, cancel, submit, version) = match &held {
        Some((_, version, title)) => {
            let code = place.code.as_deref().unwrap_or_default();
            (
                format!("Edit {} {code} — {title}", place.noun()),
                place.path(),
                place.shown_at(code),
                "Save changes".to_string(),
                Some(posted.and_then(FormData::version).unwrap_or(*version)),
            )
        }
        None => (
            format!("Add {}{within}", place.a_noun()),
            place.collection(),
            match place.frame {
                Frame::Programme => "/programmes".into(),
                Frame::Plan => "/actions".into(),
                _ => place.shown_at(""),
            },
            format!("Add {}", place.noun()),
            None,
        ),
    };
    form_response(
        staff,
        place.section(),
        FormView {
            heading,
            caption: match place.section() {
                "programmes" => "Transformation programme".into(),
                _ => "Action plans".into(),
            },
            action,
            fields,
            submit,
            cancel,
            version,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

/// Saves a posted form: back to the record's page, or the form with its errors.
async fn save(s: &AppState, staff: &Staff, place: Place, form: &FormData) -> Response {
    let c = &staff.caller;
    let i = place.input(form);
    let at = place.code.as_deref();
    let parent = place.parent();
    let saved = match place.frame {
        Frame::Programme => s.app.save_programme(c, at, &i).await.map(|r| r.value.code),
        Frame::Workstream => s
            .app
            .save_workstream(c, at.map(|w| (parent, w)), &i)
            .await
            .map(|r| r.value.code),
        Frame::Plan => s
            .app
            .save_action_plan(c, at, &i)
            .await
            .map(|r| r.value.code),
        Frame::Recommendation => s
            .app
            .save_recommendation(c, at.map(|r| (parent, r)), &i)
            .await
            .map(|r| r.value.code),
    };
    match saved {
        Ok(code) => Redirect::to(&format!(
            "{}?saved={}",
            place.shown_at(code.as_str()),
            if at.is_some() { "updated" } else { "created" }
        ))
        .into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => form_page(s, staff, &place, errors, Some(form)).await,
            None => error_page(e),
        },
    }
}

/// Deletes the record at `place`; a refusal (something still hangs on it, a
/// stale version) is shown on its form.
async fn remove(s: &AppState, staff: &Staff, place: Place, form: &FormData) -> Response {
    let c = &staff.caller;
    let code = place.code.as_deref().unwrap_or_default();
    let parent = place.parent();
    let v = form.version();
    let done = match place.frame {
        Frame::Programme => s.app.delete_programme(c, code, v).await,
        Frame::Workstream => s.app.delete_workstream(c, parent, code, v).await,
        Frame::Plan => s.app.delete_action_plan(c, code, v).await,
        Frame::Recommendation => s.app.delete_recommendation(c, parent, code, v).await,
    };
    match done {
        Ok(()) => Redirect::to(&place.after_delete()).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => form_page(s, staff, &place, errors, None).await,
            None => error_page(e),
        },
    }
}

fn top(frame: Frame, code: Option<String>) -> Place {
    Place {
        frame,
        parent: None,
        code,
    }
}

fn child(frame: Frame, parent: String, code: Option<String>) -> Place {
    Place {
        frame,
        parent: Some(parent),
        code,
    }
}

// ----- handlers -----

pub(crate) async fn new_programme(State(s): State<AppState>, staff: Staff) -> Response {
    form_page(&s, &staff, &top(Frame::Programme, None), vec![], None).await
}
pub(crate) async fn create_programme(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, top(Frame::Programme, None), &form).await
}
pub(crate) async fn edit_programme(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    form_page(&s, &staff, &top(Frame::Programme, Some(code)), vec![], None).await
}
pub(crate) async fn update_programme(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, top(Frame::Programme, Some(code)), &form).await
}
pub(crate) async fn delete_programme(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    remove(&s, &staff, top(Frame::Programme, Some(code)), &form).await
}

pub(crate) async fn new_workstream(
    State(s): State<AppState>,
    staff: Staff,
    Path(p): Path<String>,
) -> Response {
    form_page(&s, &staff, &child(Frame::Workstream, p, None), vec![], None).await
}
pub(crate) async fn create_workstream(
    State(s): State<AppState>,
    Path(p): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, child(Frame::Workstream, p, None), &form).await
}
pub(crate) async fn edit_workstream(
    State(s): State<AppState>,
    staff: Staff,
    Path((p, w)): Path<(String, String)>,
) -> Response {
    form_page(
        &s,
        &staff,
        &child(Frame::Workstream, p, Some(w)),
        vec![],
        None,
    )
    .await
}
pub(crate) async fn update_workstream(
    State(s): State<AppState>,
    Path((p, w)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, child(Frame::Workstream, p, Some(w)), &form).await
}
pub(crate) async fn delete_workstream(
    State(s): State<AppState>,
    Path((p, w)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    remove(&s, &staff, child(Frame::Workstream, p, Some(w)), &form).await
}

pub(crate) async fn new_plan(State(s): State<AppState>, staff: Staff) -> Response {
    form_page(&s, &staff, &top(Frame::Plan, None), vec![], None).await
}
pub(crate) async fn create_plan(
    State(s): State<AppState>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, top(Frame::Plan, None), &form).await
}
pub(crate) async fn edit_plan(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    form_page(&s, &staff, &top(Frame::Plan, Some(code)), vec![], None).await
}
pub(crate) async fn update_plan(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, top(Frame::Plan, Some(code)), &form).await
}
pub(crate) async fn delete_plan(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    remove(&s, &staff, top(Frame::Plan, Some(code)), &form).await
}

pub(crate) async fn new_recommendation(
    State(s): State<AppState>,
    staff: Staff,
    Path(p): Path<String>,
) -> Response {
    form_page(
        &s,
        &staff,
        &child(Frame::Recommendation, p, None),
        vec![],
        None,
    )
    .await
}
pub(crate) async fn create_recommendation(
    State(s): State<AppState>,
    Path(p): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, child(Frame::Recommendation, p, None), &form).await
}
pub(crate) async fn edit_recommendation(
    State(s): State<AppState>,
    staff: Staff,
    Path((p, r)): Path<(String, String)>,
) -> Response {
    form_page(
        &s,
        &staff,
        &child(Frame::Recommendation, p, Some(r)),
        vec![],
        None,
    )
    .await
}
pub(crate) async fn update_recommendation(
    State(s): State<AppState>,
    Path((p, r)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    save(&s, &staff, child(Frame::Recommendation, p, Some(r)), &form).await
}
pub(crate) async fn delete_recommendation(
    State(s): State<AppState>,
    Path((p, r)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    remove(&s, &staff, child(Frame::Recommendation, p, Some(r)), &form).await
}
