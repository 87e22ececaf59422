//! The frames the registers hang on, one at a time: programmes and their
//! workstreams, action plans and their recommendations (administrators and
//! performance officers). Each body has the fields of the record's import
//! file (as the record reads back, plus `version` when changing it); every
//! problem is answered at once, field by field.
use super::{ApiJson, ApiQuery, VersionQuery};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::structure::RecordInput;
use goldthread_domain::actions::{ActionPlan, Recommendation};
use goldthread_domain::programme::{Programme, Workstream};
use goldthread_store::framework::Rec;
use serde::Serialize;
use utoipa::ToSchema;

macro_rules! record_type {
    ($name:ident, $t:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub id: String,
            pub version: i64,
            #[serde(flatten)]
            pub value: $t,
        }
        impl From<Rec<$t>> for $name {
            fn from(r: Rec<$t>) -> Self {
                $name {
                    id: r.id,
                    version: r.version,
                    value: r.value,
                }
            }
        }
    };
}

record_type!(ProgrammeRecord, Programme);
record_type!(WorkstreamRecord, Workstream);
record_type!(ActionPlanRecord, ActionPlan);
record_type!(RecommendationRecord, Recommendation);

/// Adds a programme.
#[utoipa::path(post, path = "/programmes", tag = "registers", request_body = Programme,
    responses((status = 201, body = ProgrammeRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_programme(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<ProgrammeRecord>)> {
    let r = s.app.save_programme(&c, None, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Changes a programme (its code stays; `version` is the one read).
#[utoipa::path(put, path = "/programmes/{code}", tag = "registers", params(("code" = String, Path)), request_body = Programme,
    responses((status = 200, body = ProgrammeRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_programme(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<Json<ProgrammeRecord>> {
    Ok(Json(
        s.app.save_programme(&c, Some(&code), &i).await?.into(),
    ))
}

/// Deletes a programme: refused (409 `in_use`) while it has workstreams or
/// risks name it.
#[utoipa::path(delete, path = "/programmes/{code}", tag = "registers", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_programme(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_programme(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a workstream to a programme (the body's `programme`, if given, must
/// be the one addressed).
#[utoipa::path(post, path = "/programmes/{code}/workstreams", tag = "registers", params(("code" = String, Path)), request_body = Workstream,
    responses((status = 201, body = WorkstreamRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_workstream(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<WorkstreamRecord>)> {
    let i = addressed(i, "programme", &code)?;
    let r = s.app.save_workstream(&c, None, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Changes a workstream (its programme and code stay).
#[utoipa::path(put, path = "/programmes/{code}/workstreams/{workstream}", tag = "registers",
    params(("code" = String, Path), ("workstream" = String, Path)), request_body = Workstream,
    responses((status = 200, body = WorkstreamRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_workstream(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, workstream)): Path<(String, String)>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<Json<WorkstreamRecord>> {
    let i = addressed(i, "programme", &code)?;
    Ok(Json(
        s.app
            .save_workstream(&c, Some((&code, &workstream)), &i)
            .await?
            .into(),
    ))
}

/// Deletes a workstream: refused (409 `in_use`) while it has initiatives.
#[utoipa::path(delete, path = "/programmes/{code}/workstreams/{workstream}", tag = "registers",
    params(("code" = String, Path), ("workstream" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_workstream(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, workstream)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app
        .delete_workstream(&c, &code, &workstream, q.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an action plan.
#[utoipa::path(post, path = "/action-plans", tag = "registers", request_body = ActionPlan,
    responses((status = 201, body = ActionPlanRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_plan(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<ActionPlanRecord>)> {
    let r = s.app.save_action_plan(&c, None, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Changes an action plan (its code stays).
#[utoipa::path(put, path = "/action-plans/{code}", tag = "registers", params(("code" = String, Path)), request_body = ActionPlan,
    responses((status = 200, body = ActionPlanRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_plan(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<Json<ActionPlanRecord>> {
    Ok(Json(
        s.app.save_action_plan(&c, Some(&code), &i).await?.into(),
    ))
}

/// Deletes an action plan: refused (409 `in_use`) while it has recommendations.
#[utoipa::path(delete, path = "/action-plans/{code}", tag = "registers", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_plan(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_action_plan(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a recommendation to an action plan.
#[utoipa::path(post, path = "/action-plans/{code}/recommendations", tag = "registers", params(("code" = String, Path)),
    request_body = Recommendation,
    responses((status = 201, body = RecommendationRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_recommendation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<RecommendationRecord>)> {
    let i = addressed(i, "plan", &code)?;
    let r = s.app.save_recommendation(&c, None, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Changes a recommendation's text (its plan and code stay).
#[utoipa::path(put, path = "/action-plans/{code}/recommendations/{recommendation}", tag = "registers",
    params(("code" = String, Path), ("recommendation" = String, Path)), request_body = Recommendation,
    responses((status = 200, body = RecommendationRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_recommendation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, recommendation)): Path<(String, String)>,
    ApiJson(i): ApiJson<RecordInput>,
) -> ApiResult<Json<RecommendationRecord>> {
    let i = addressed(i, "plan", &code)?;
    Ok(Json(
        s.app
            .save_recommendation(&c, Some((&code, &recommendation)), &i)
            .await?
            .into(),
    ))
}

/// Deletes a recommendation: refused (409 `in_use`) while it has actions.
#[utoipa::path(delete, path = "/action-plans/{code}/recommendations/{recommendation}", tag = "registers",
    params(("code" = String, Path), ("recommendation" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_recommendation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, recommendation)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app
        .delete_recommendation(&c, &code, &recommendation, q.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The input with its parent field (`programme` or `plan`) set from the
/// path; a body naming another parent is refused rather than moved.
fn addressed(mut i: RecordInput, field: &str, parent: &str) -> ApiResult<RecordInput> {
    match i.fields.get(field).and_then(|v| v.as_str()) {
        Some(v) if !v.is_empty() && v != parent => Err(goldthread_app::AppError::field(
            field,
            format!("'{v}' is not the {field} addressed ('{parent}')"),
        )
        .into()),
        _ => {
            i.fields
                .insert(field.into(), serde_json::Value::String(parent.into()));
            Ok(i)
        }
    }
}
