//! The transformation programme: programmes with their workstreams,
//! initiatives and summaries; initiatives one at a time.
use super::{ApiJson, ApiQuery, VersionQuery, today_of};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::AppError;
use goldthread_app::programmes::{InitiativeInput, InitiativeItem, ProgrammeItem};
use goldthread_domain::programme::{InitiativeRag, Stage};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodayParam {
    /// The date to judge lateness against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeItem>,
}

/// Every programme with its workstreams (each with a summary), its
/// initiatives (each flagged `late` when its end date has passed and it is
/// not closed) and a summary: counts by stage and RAG, late, budget total.
#[utoipa::path(get, path = "/programmes", tag = "registers", params(TodayParam),
    responses((status = 200, body = ProgrammeList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<TodayParam>,
) -> ApiResult<Json<ProgrammeList>> {
    let today = today_of(&q.today)?;
    Ok(Json(ProgrammeList {
        items: s.app.programmes(&c, today).await?,
    }))
}

#[utoipa::path(get, path = "/programmes/{code}", tag = "registers", params(("code" = String, Path), TodayParam),
    responses((status = 200, body = ProgrammeItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayParam>,
) -> ApiResult<Json<ProgrammeItem>> {
    let today = today_of(&q.today)?;
    s.app
        .programmes(&c, today)
        .await?
        .into_iter()
        .find(|p| p.programme.code.as_str() == code)
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("no programme '{code}'")).into())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InitiativeFilter {
    pub programme: Option<String>,
    pub workstream: Option<String>,
    pub stage: Option<Stage>,
    pub rag: Option<InitiativeRag>,
    /// Only initiatives past their end date and not closed (or only others).
    pub late: Option<bool>,
    /// Only initiatives linked to this outcome.
    pub outcome: Option<String>,
    /// Only initiatives linked to this service.
    pub service: Option<String>,
    /// Only initiatives carrying this risk.
    pub risk: Option<String>,
    /// The date to judge lateness against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeList {
    pub items: Vec<InitiativeItem>,
}

/// Every initiative, filtered.
#[utoipa::path(get, path = "/initiatives", tag = "registers", params(InitiativeFilter),
    responses((status = 200, body = InitiativeList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn initiatives(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(f): ApiQuery<InitiativeFilter>,
) -> ApiResult<Json<InitiativeList>> {
    let today = today_of(&f.today)?;
    let has = |v: &[goldthread_domain::Code], x: &Option<String>| {
        x.as_deref()
            .is_none_or(|x| v.iter().any(|c| c.as_str() == x))
    };
    let items = s
        .app
        .initiative_items(&c, today)
        .await?
        .into_iter()
        .filter(|i| {
            let v = &i.initiative;
            f.programme
                .as_deref()
                .is_none_or(|x| v.programme.as_str() == x)
                && f.workstream
                    .as_deref()
                    .is_none_or(|x| v.workstream.as_str() == x)
                && f.stage.is_none_or(|x| v.stage == x)
                && f.rag.is_none_or(|x| v.rag == x)
                && f.late.is_none_or(|x| i.late == x)
                && has(&v.outcomes, &f.outcome)
                && has(&v.services, &f.service)
                && has(&v.risks, &f.risk)
        })
        .collect();
    Ok(Json(InitiativeList { items }))
}

async fn item(
    s: &AppState,
    c: &goldthread_app::Caller,
    code: &str,
    today: time::Date,
) -> ApiResult<InitiativeItem> {
    s.app
        .initiative_items(c, today)
        .await?
        .into_iter()
        .find(|i| i.initiative.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no initiative '{code}'")).into())
}

#[utoipa::path(get, path = "/initiatives/{code}", tag = "registers", params(("code" = String, Path), TodayParam),
    responses((status = 200, body = InitiativeItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn initiative(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayParam>,
) -> ApiResult<Json<InitiativeItem>> {
    let today = today_of(&q.today)?;
    Ok(Json(item(&s, &c, &code, today).await?))
}

/// Adds an initiative: by administrators and performance officers, or by
/// whoever manages a service or leads an outcome it links to. Its programme
/// and workstream must exist, and its risks be in the risk register.
#[utoipa::path(post, path = "/initiatives", tag = "registers", request_body = InitiativeInput,
    responses((status = 201, body = InitiativeItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<InitiativeInput>,
) -> ApiResult<(StatusCode, Json<InitiativeItem>)> {
    let today = today_of(&None)?;
    let r = s.app.create_initiative(&c, &i.initiative).await?;
    Ok((
        StatusCode::CREATED,
        Json(item(&s, &c, r.value.code.as_str(), today).await?),
    ))
}

/// Changes an initiative (its code stays; `version` is the one read).
#[utoipa::path(put, path = "/initiatives/{code}", tag = "registers", params(("code" = String, Path)), request_body = InitiativeInput,
    responses((status = 200, body = InitiativeItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<InitiativeInput>,
) -> ApiResult<Json<InitiativeItem>> {
    let today = today_of(&None)?;
    s.app
        .update_initiative(&c, &code, &i.initiative, i.version)
        .await?;
    Ok(Json(item(&s, &c, &code, today).await?))
}

#[utoipa::path(delete, path = "/initiatives/{code}", tag = "registers", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_initiative(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
