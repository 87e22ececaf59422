//! Service reviews (the Delivery Framework): open, edit step by step, appraise
//! options, move forward or back, sign off (two keys), reject, implement; the
//! review schedule, the review cycle and the mixed economy.
use super::{ApiJson, ApiQuery, VersionQuery, today_of};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::reviews::{NewReview, PortfolioSchedule, ReviewEdit, Transition};
use goldthread_app::{AppError, Rec};
use goldthread_domain::mixed::MixedEconomy;
use goldthread_domain::review::table::AppraisalTable;
use goldthread_domain::review::{Missing, Review, ReviewOption, SignOffRole};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A review, with what its current step still needs before it may move on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: Review,
    /// The current step's missing or invalid fields (empty when it may advance).
    pub missing: Vec<Missing>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewItem>,
}

async fn item(s: &AppState, c: &goldthread_app::Caller, r: Rec<Review>) -> ApiResult<ReviewItem> {
    Ok(item_in(&s.app.view(c).await?.framework, r))
}

/// A review with what its current step needs, judged against `fw`.
fn item_in(fw: &goldthread_domain::framework::Framework, r: Rec<Review>) -> ReviewItem {
    let missing = fw
        .service(r.value.service.as_str())
        .map(|svc| r.value.missing(svc.delivery_model))
        .unwrap_or_default();
    ReviewItem {
        id: r.id,
        version: r.version,
        value: r.value,
        missing,
    }
}

#[utoipa::path(get, path = "/reviews", tag = "reviews",
    responses((status = 200, body = ReviewList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<ReviewList>> {
    let fw = s.app.view(&c).await?.framework;
    let items = s
        .app
        .reviews(&c)
        .await?
        .into_iter()
        .map(|r| item_in(&fw, r))
        .collect();
    Ok(Json(ReviewList { items }))
}

/// Opens a review of a service: its intended outcomes come from the matrix and
/// its current profile (cost, FTE, indicator statuses) is snapshotted.
#[utoipa::path(post, path = "/reviews", tag = "reviews", request_body = NewReview,
    responses((status = 201, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(n): ApiJson<NewReview>,
) -> ApiResult<(StatusCode, Json<ReviewItem>)> {
    let today = today_of(&None)?;
    let r = s.app.open_review(&c, &n, today).await?;
    Ok((StatusCode::CREATED, Json(item(&s, &c, r).await?)))
}

#[utoipa::path(get, path = "/reviews/{code}", tag = "reviews", params(("code" = String, Path)),
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<ReviewItem>> {
    let r = s.app.review(&c, &code).await?;
    Ok(Json(item(&s, &c, r).await?))
}

/// Replaces the steps given (scope, specification, appraisal, plan,
/// assessment), the title, or the committee reference and date. Steps can only
/// change while the review is open; `version` is the one read. Omit
/// `scope.profile` to keep the snapshot taken when the review was opened.
#[utoipa::path(patch, path = "/reviews/{code}", tag = "reviews", params(("code" = String, Path)), request_body = ReviewEdit,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(e): ApiJson<ReviewEdit>,
) -> ApiResult<Json<ReviewItem>> {
    let r = s.app.edit_review(&c, &code, &e).await?;
    Ok(Json(item(&s, &c, r).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OptionList {
    /// The review's version, for the next change.
    pub version: i64,
    pub items: Vec<ReviewOption>,
}

#[utoipa::path(get, path = "/reviews/{code}/options", tag = "reviews", params(("code" = String, Path)),
    responses((status = 200, body = OptionList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn options(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<OptionList>> {
    let r = s.app.review(&c, &code).await?;
    Ok(Json(OptionList {
        version: r.version,
        items: r.value.appraisal.options,
    }))
}

/// Adds an option to the appraisal. `years` holds one `{one_off_pence,
/// recurring_pence}` per year of the appraisal period, year 0 first.
#[utoipa::path(post, path = "/reviews/{code}/options", tag = "reviews", params(("code" = String, Path), VersionQuery),
    request_body = ReviewOption,
    responses((status = 201, body = OptionList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_option(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
    ApiJson(o): ApiJson<ReviewOption>,
) -> ApiResult<(StatusCode, Json<OptionList>)> {
    let r = s.app.save_option(&c, &code, None, &o, q.version).await?;
    Ok((
        StatusCode::CREATED,
        Json(OptionList {
            version: r.version,
            items: r.value.appraisal.options,
        }),
    ))
}

/// Replaces one option (its code may change; a preferred option stays preferred).
#[utoipa::path(put, path = "/reviews/{code}/options/{option}", tag = "reviews",
    params(("code" = String, Path), ("option" = String, Path), VersionQuery), request_body = ReviewOption,
    responses((status = 200, body = OptionList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_option(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, option)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
    ApiJson(o): ApiJson<ReviewOption>,
) -> ApiResult<Json<OptionList>> {
    let r = s
        .app
        .save_option(&c, &code, Some(&option), &o, q.version)
        .await?;
    Ok(Json(OptionList {
        version: r.version,
        items: r.value.appraisal.options,
    }))
}

#[utoipa::path(delete, path = "/reviews/{code}/options/{option}", tag = "reviews",
    params(("code" = String, Path), ("option" = String, Path), VersionQuery),
    responses((status = 200, body = OptionList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Stale version, or the option is preferred")))]
pub async fn delete_option(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((code, option)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<OptionList>> {
    let r = s.app.delete_option(&c, &code, &option, q.version).await?;
    Ok(Json(OptionList {
        version: r.version,
        items: r.value.appraisal.options,
    }))
}

/// The options appraisal, computed: per option its years (with discount
/// factors and present values), net present cost, saving against the status
/// quo, weighted criteria score, risk, statutory flags and rank, each figure
/// with a sentence explaining how it was reached.
#[utoipa::path(get, path = "/reviews/{code}/appraisal", tag = "reviews", params(("code" = String, Path)),
    responses((status = 200, body = AppraisalTable), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn appraisal(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<AppraisalTable>> {
    let r = s.app.review(&c, &code).await?;
    Ok(Json(AppraisalTable::of(&r.value.appraisal)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionBody {
    /// The version you read.
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonBody {
    pub version: Option<i64>,
    /// Why (required).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApproveBody {
    pub version: Option<i64>,
    /// `outcome-leader` or `service-manager`; default: the role in which the
    /// caller may sign this review.
    #[serde(default)]
    pub role: Option<SignOffRole>,
}

async fn move_review(
    s: &AppState,
    c: &goldthread_app::Caller,
    code: &str,
    version: Option<i64>,
    t: Transition,
) -> ApiResult<Json<ReviewItem>> {
    let today = today_of(&None)?;
    let r = s.app.transition_review(c, code, version, &t, today).await?;
    Ok(Json(item(s, c, r).await?))
}

/// Moves the review to the next step if this one is complete (422 lists what
/// is missing, field by field).
#[utoipa::path(post, path = "/reviews/{code}/advance", tag = "reviews", params(("code" = String, Path)), request_body = VersionBody,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn advance(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Json<ReviewItem>> {
    move_review(&s, &c, &code, b.version, Transition::Advance).await
}

/// Sends the review back a step, with a reason (sign-offs are cleared).
#[utoipa::path(post, path = "/reviews/{code}/send-back", tag = "reviews", params(("code" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<ReviewItem>> {
    move_review(&s, &c, &code, b.version, Transition::SendBack(b.reason)).await
}

/// Signs the review off as the service's Outcome Leader or Service Manager.
/// The second, distinct, signature approves it: the service takes the
/// preferred option's delivery model and its next review date. 403 for anyone
/// else; 422 for a second signature by the same person or an outstanding
/// compliance check.
#[utoipa::path(post, path = "/reviews/{code}/approve", tag = "reviews", params(("code" = String, Path)), request_body = ApproveBody,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Json<ReviewItem>> {
    let role = match b.role {
        Some(r) => r,
        None => {
            let r = s.app.review(&c, &code).await?;
            s.app.sign_off_role(&c, &r.value).await?.ok_or_else(|| {
                AppError::Forbidden(format!(
                    "{} is neither the Outcome Leader nor the Service Manager of service {}",
                    c.actor.email, r.value.service
                ))
            })?
        }
    };
    move_review(&s, &c, &code, b.version, Transition::SignOff(role)).await
}

/// Rejects a review awaiting approval, with a reason.
#[utoipa::path(post, path = "/reviews/{code}/reject", tag = "reviews", params(("code" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<ReviewItem>> {
    move_review(&s, &c, &code, b.version, Transition::Reject(b.reason)).await
}

/// Marks an approved review implemented.
#[utoipa::path(post, path = "/reviews/{code}/implement", tag = "reviews", params(("code" = String, Path)), request_body = VersionBody,
    responses((status = 200, body = ReviewItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn implement(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<Json<ReviewItem>> {
    move_review(&s, &c, &code, b.version, Transition::Implement).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodayQuery {
    /// The date to judge against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Schedule {
    pub items: Vec<PortfolioSchedule>,
}

/// Services overdue for review, due within 6 months, or with no review date,
/// per portfolio, with any review under way.
#[utoipa::path(get, path = "/review-schedule", tag = "reviews", params(TodayQuery),
    responses((status = 200, body = Schedule), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<Schedule>> {
    let today = today_of(&q.today)?;
    Ok(Json(Schedule {
        items: s.app.review_schedule(&c, today).await?,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewCycle {
    /// Years between a service's reviews: 3, 4 or 5.
    pub review_cycle_years: i64,
}

#[utoipa::path(get, path = "/settings/review-cycle", tag = "reviews",
    responses((status = 200, body = ReviewCycle), (status = 401, body = ErrorBody)))]
pub async fn get_cycle(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<ReviewCycle>> {
    Ok(Json(ReviewCycle {
        review_cycle_years: i64::from(s.app.review_cycle(&c).await?),
    }))
}

#[utoipa::path(put, path = "/settings/review-cycle", tag = "reviews", request_body = ReviewCycle,
    responses((status = 200, body = ReviewCycle), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn put_cycle(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(b): ApiJson<ReviewCycle>,
) -> ApiResult<Json<ReviewCycle>> {
    Ok(Json(ReviewCycle {
        review_cycle_years: i64::from(s.app.set_review_cycle(&c, b.review_cycle_years).await?),
    }))
}

/// Services, FTE and net budget by delivery model: now, and as it will be when
/// the preferred options of reviews under way take effect; by portfolio and by
/// outcome (shared by matrix weight).
#[utoipa::path(get, path = "/mixed-economy", tag = "reviews",
    responses((status = 200, body = MixedEconomy), (status = 401, body = ErrorBody)))]
pub async fn mixed_economy(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<MixedEconomy>> {
    Ok(Json(s.app.mixed_economy(&c).await?))
}

/// Services delivered with or by others (and self-delivered services that buy
/// parts in) with their contracts and indicators' latest statuses, and the
/// contracts ending within 12 months.
#[utoipa::path(get, path = "/commissioning", tag = "reviews", params(TodayQuery),
    responses((status = 200, body = goldthread_app::commissioning::CommissioningView), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn commissioning(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<goldthread_app::commissioning::CommissioningView>> {
    let today = today_of(&q.today)?;
    Ok(Json(s.app.commissioning(&c, today).await?))
}
