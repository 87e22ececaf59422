//! Action plans: plans with their summaries, a plan recommendation by
//! recommendation, actions (list with filters, one, create, change, delete)
//! and progress notes. Overdue is judged on `?today=` (default: today).
use super::{ApiJson, ApiQuery, TodayQuery, VersionQuery, today_of};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::AppError;
use goldthread_app::actions::{
    ActionFilter, ActionInput, ActionLine, PlanDetail, PlanLine, ProgressInput, parse_status,
};
use goldthread_domain::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPlanList {
    pub items: Vec<PlanLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionLine>,
}

/// Every action plan with its summary: actions by status, how many are
/// overdue on the day, and the mean percentage complete of those not cancelled.
#[utoipa::path(get, path = "/action-plans", tag = "actions", params(TodayQuery),
    responses((status = 200, body = ActionPlanList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn plans(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<ActionPlanList>> {
    Ok(Json(ActionPlanList {
        items: s.app.action_plans(&c, today_of(&q.today)?).await?,
    }))
}

/// One action plan, recommendation by recommendation, each with its actions
/// in the order the plan writes them.
#[utoipa::path(get, path = "/action-plans/{code}", tag = "actions", params(("code" = String, Path), TodayQuery),
    responses((status = 200, body = PlanDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn plan(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<PlanDetail>> {
    Ok(Json(
        s.app.action_plan(&c, &code, today_of(&q.today)?).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionsQuery {
    /// The date to judge overdue against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
    /// `true`: only actions overdue on the day (due date passed, neither
    /// complete nor cancelled), longest overdue first; `false`: only those not.
    pub overdue: Option<bool>,
    /// Only this plan's actions.
    pub plan: Option<String>,
    /// Only actions with this status (not-started, in-progress, complete, cancelled).
    pub status: Option<String>,
    /// Only actions whose lead is exactly this (ignoring case).
    pub lead: Option<String>,
    /// Only actions linked to this outcome.
    pub outcome: Option<String>,
    /// Only actions linked to this service.
    pub service: Option<String>,
    /// Only actions that mitigate this risk.
    pub risk: Option<String>,
}

fn code_filter(field: &str, v: &Option<String>) -> Result<Option<Code>, AppError> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Code::parse(s).map_err(|e| AppError::field(field, e.0)))
        .transpose()
}

/// Actions, in the order their plans write them (overdue ones longest overdue
/// first with `overdue=true`), each with whether it is overdue on the day.
#[utoipa::path(get, path = "/actions", tag = "actions", params(ActionsQuery),
    responses((status = 200, body = ActionList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<ActionsQuery>,
) -> ApiResult<Json<ActionList>> {
    let today = today_of(&q.today)?;
    let filter = ActionFilter {
        plan: code_filter("plan", &q.plan)?,
        status: q
            .status
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(parse_status)
            .transpose()?,
        overdue: q.overdue,
        lead: q.lead.clone().filter(|l| !l.trim().is_empty()),
        outcome: code_filter("outcome", &q.outcome)?,
        service: code_filter("service", &q.service)?,
        risk: code_filter("risk", &q.risk)?,
    };
    let mut items = s.app.actions(&c, today, &filter).await?;
    if q.overdue == Some(true) {
        items.sort_by(|a, b| (a.action.due, &a.action.code).cmp(&(b.action.due, &b.action.code)));
    }
    Ok(Json(ActionList { items }))
}

/// Records an action in a plan, answering one of its recommendations. Allowed
/// to whoever manages a service it links to (or, for an Outcome Leader, leads
/// an outcome it links to); an action linked to nothing, to administrators
/// and performance officers.
#[utoipa::path(post, path = "/actions", tag = "actions", request_body = ActionInput,
    responses((status = 201, body = ActionLine), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<ActionInput>,
) -> ApiResult<(StatusCode, Json<ActionLine>)> {
    let r = s.app.create_action(&c, &i).await?;
    let line = s
        .app
        .action(&c, r.value.code.as_str(), today_of(&None)?)
        .await?;
    Ok((StatusCode::CREATED, Json(line)))
}

#[utoipa::path(get, path = "/actions/{code}", tag = "actions", params(("code" = String, Path), TodayQuery),
    responses((status = 200, body = ActionLine), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<ActionLine>> {
    Ok(Json(s.app.action(&c, &code, today_of(&q.today)?).await?))
}

/// Replaces an action's fields (its code stays; its progress notes are kept);
/// `version` is the one read. The caller must be allowed the action both by
/// the links it had and by those it will have.
#[utoipa::path(put, path = "/actions/{code}", tag = "actions", params(("code" = String, Path)), request_body = ActionInput,
    responses((status = 200, body = ActionLine), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<ActionInput>,
) -> ApiResult<Json<ActionLine>> {
    s.app.update_action(&c, &code, &i).await?;
    Ok(Json(s.app.action(&c, &code, today_of(&None)?).await?))
}

/// Deletes an action with its links and progress notes (kept in the audit row).
#[utoipa::path(delete, path = "/actions/{code}", tag = "actions", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_action(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a progress note to an action (whoever may change the action): dated
/// `date` (default: `?today=`, else today) and by `by` (default: the caller's
/// name). The same note twice is refused with 409. Answers the action with
/// its notes; its version does not change.
#[utoipa::path(post, path = "/actions/{code}/progress", tag = "actions", params(("code" = String, Path), TodayQuery),
    request_body = ProgressInput,
    responses((status = 201, body = ActionLine), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_progress(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayQuery>,
    ApiJson(i): ApiJson<ProgressInput>,
) -> ApiResult<(StatusCode, Json<ActionLine>)> {
    let today = today_of(&q.today)?;
    s.app.add_progress(&c, &code, &i, today).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.app.action(&c, &code, today).await?),
    ))
}
