//! Organisation design: grades, posts of each structure state, the states
//! with their summaries, and two states compared. Salaries and the cost of
//! single posts are present only for admins, performance officers and HR
//! officers (null for everyone else); state totals are for everyone.
use super::{ApiJson, ApiQuery, VersionQuery};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::org::{
    GradeInput, GradeItem, PostInput, PostItem, StateInput, StateItem, state_named,
};
use goldthread_domain::org::{Comparison, StateKind, StateSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct GradeList {
    pub items: Vec<GradeItem>,
}

/// Every pay grade; salary ranges and rates only for those who may see
/// salaries.
#[utoipa::path(get, path = "/grades", tag = "organisation",
    responses((status = 200, body = GradeList), (status = 401, body = ErrorBody)))]
pub async fn grades(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<GradeList>> {
    Ok(Json(GradeList {
        items: s.app.grades(&c).await?,
    }))
}

async fn grade_item(s: &AppState, c: &goldthread_app::Caller, code: &str) -> ApiResult<GradeItem> {
    s.app
        .grades(c)
        .await?
        .into_iter()
        .find(|g| g.code.as_str() == code)
        .ok_or_else(|| goldthread_app::AppError::NotFound(format!("no grade '{code}'")).into())
}

/// Adds a pay grade (admin, performance-officer, hr-officer).
#[utoipa::path(post, path = "/grades", tag = "organisation", request_body = GradeInput,
    responses((status = 201, body = GradeItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_grade(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(g): ApiJson<GradeInput>,
) -> ApiResult<(StatusCode, Json<GradeItem>)> {
    let r = s.app.create_grade(&c, &g.grade).await?;
    Ok((
        StatusCode::CREATED,
        Json(grade_item(&s, &c, r.value.code.as_str()).await?),
    ))
}

/// Changes a pay grade (its code stays; `version` is the one read).
#[utoipa::path(put, path = "/grades/{code}", tag = "organisation", params(("code" = String, Path)), request_body = GradeInput,
    responses((status = 200, body = GradeItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_grade(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(g): ApiJson<GradeInput>,
) -> ApiResult<Json<GradeItem>> {
    s.app.update_grade(&c, &code, &g.grade, g.version).await?;
    Ok(Json(grade_item(&s, &c, &code).await?))
}

/// Deletes a pay grade no post or adjustment uses.
#[utoipa::path(delete, path = "/grades/{code}", tag = "organisation", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_grade(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_grade(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateParam {
    /// The structure state: current, immediate, transition or future (for a
    /// single post: default current; for the list: every state).
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    pub items: Vec<PostItem>,
}

/// The posts of one structure state (or of every state); each post's cost
/// range only for those who may see salaries.
#[utoipa::path(get, path = "/posts", tag = "organisation", params(StateParam),
    responses((status = 200, body = PostList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn posts(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<StateParam>,
) -> ApiResult<Json<PostList>> {
    let state = q.state.as_deref().map(state_named).transpose()?;
    Ok(Json(PostList {
        items: s.app.posts(&c, state).await?,
    }))
}

fn state_or_current(q: &StateParam) -> ApiResult<StateKind> {
    Ok(q.state
        .as_deref()
        .map(state_named)
        .transpose()?
        .unwrap_or(StateKind::Current))
}

#[utoipa::path(get, path = "/posts/{code}", tag = "organisation", params(("code" = String, Path), StateParam),
    responses((status = 200, body = PostItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<StateParam>,
) -> ApiResult<Json<PostItem>> {
    Ok(Json(s.app.post(&c, state_or_current(&q)?, &code).await?))
}

/// Adds a post to the state it names (admin, performance-officer,
/// hr-officer). Its grade must be held, its services known, and its
/// reports-to a post of the same state without making a cycle.
#[utoipa::path(post, path = "/posts", tag = "organisation", request_body = PostInput,
    responses((status = 201, body = PostItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_post(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(p): ApiJson<PostInput>,
) -> ApiResult<(StatusCode, Json<PostItem>)> {
    let r = s.app.create_post(&c, &p.post).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.app.post(&c, r.value.state, r.value.code.as_str()).await?),
    ))
}

/// Changes a post of the state given (default current); its code and state
/// stay; `version` is the one read.
#[utoipa::path(put, path = "/posts/{code}", tag = "organisation", params(("code" = String, Path), StateParam), request_body = PostInput,
    responses((status = 200, body = PostItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_post(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<StateParam>,
    ApiJson(p): ApiJson<PostInput>,
) -> ApiResult<Json<PostItem>> {
    let state = q
        .state
        .as_deref()
        .map(state_named)
        .transpose()?
        .unwrap_or(p.post.state);
    s.app
        .update_post(&c, state, &code, &p.post, p.version)
        .await?;
    Ok(Json(s.app.post(&c, state, &code).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeletePostQuery {
    /// The structure state (default current).
    pub state: Option<String>,
    /// The version read.
    pub version: Option<i64>,
}

/// Deletes a post no other post reports to.
#[utoipa::path(delete, path = "/posts/{code}", tag = "organisation", params(("code" = String, Path), DeletePostQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_post(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DeletePostQuery>,
) -> ApiResult<StatusCode> {
    let state = state_or_current(&StateParam {
        state: q.state.clone(),
    })?;
    s.app.delete_post(&c, state, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateList {
    pub items: Vec<StateItem>,
}

/// The four structure states (current, immediate, transition, future), each
/// with its effective date, description, actual cost (when entered) and
/// summary.
#[utoipa::path(get, path = "/structure-states", tag = "organisation",
    responses((status = 200, body = StateList), (status = 401, body = ErrorBody)))]
pub async fn states(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<StateList>> {
    Ok(Json(StateList {
        items: s.app.structure_states(&c).await?,
    }))
}

/// Writes a state's details: effective date, description and actual cost
/// (pence; when entered for the current state, savings are measured from
/// it). `version` is the one read (none the first time).
#[utoipa::path(put, path = "/structure-states/{state}", tag = "organisation", params(("state" = String, Path)), request_body = StateInput,
    responses((status = 200, body = StateItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_state(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(state): Path<String>,
    ApiJson(i): ApiJson<StateInput>,
) -> ApiResult<Json<StateItem>> {
    let state = state_named(&state)?;
    s.app
        .put_structure_state(&c, &i.details(state), i.version)
        .await?;
    let items = s.app.structure_states(&c).await?;
    Ok(Json(
        items
            .into_iter()
            .find(|x| x.details.state == state)
            .expect("every state is listed"),
    ))
}

/// A state's summary: cost at grade minimum and maximum (posts, adjustments
/// and both), the saving against the current state, posts and FTE by tier,
/// the share of postholders not permanent (per tier and from tier 1 down),
/// spans of control, layers and vacancies.
#[utoipa::path(get, path = "/structure-states/{state}/summary", tag = "organisation", params(("state" = String, Path)),
    responses((status = 200, body = StateSummary), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(state): Path<String>,
) -> ApiResult<Json<StateSummary>> {
    Ok(Json(s.app.state_summary(&c, state_named(&state)?).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    /// The state compared from (default current).
    pub from: Option<String>,
    /// The state compared to (default immediate).
    pub to: Option<String>,
}

/// Two states compared: both summaries, the saving of `to` against `from`
/// and each post kept, changed (with the fields that changed), added or
/// deleted.
#[utoipa::path(get, path = "/structure-states/compare", tag = "organisation", params(CompareParams),
    responses((status = 200, body = Comparison), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn compare(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<CompareParams>,
) -> ApiResult<Json<Comparison>> {
    let from = state_named(q.from.as_deref().unwrap_or("current"))?;
    let to = state_named(q.to.as_deref().unwrap_or("immediate"))?;
    Ok(Json(s.app.compare_states(&c, from, to).await?))
}
