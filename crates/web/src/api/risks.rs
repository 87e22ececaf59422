//! The risk register: risks with their scores, bands and escalation flags, one
//! at a time; the heat map; the appetite per category.
use super::{ApiJson, ApiQuery, VersionQuery, today_of};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::AppError;
use goldthread_app::risks::{RiskInput, RiskItem};
use goldthread_domain::risk::{
    Appetite, Band, Basis, HeatMap, RiskCategory, RiskReview, RiskStatus, heat_map,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskFilter {
    pub category: Option<RiskCategory>,
    pub status: Option<RiskStatus>,
    /// The residual score's band.
    pub band: Option<Band>,
    /// Only risks whose residual score is above the appetite for their category.
    pub above_appetite: Option<bool>,
    /// Only open risks past their review date.
    pub review_overdue: Option<bool>,
    /// Only risks linked to this outcome.
    pub outcome: Option<String>,
    /// Only risks linked to this service.
    pub service: Option<String>,
    /// The date to judge review dates against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskList {
    pub items: Vec<RiskItem>,
    /// The highest acceptable residual score per category.
    #[schema(value_type = BTreeMap<String, u8>)]
    pub appetite: Appetite,
}

/// The risk register, filtered. Each risk carries `inherent_score`,
/// `residual_score` and `target_score` (likelihood × impact) with their
/// `_band`s (1–4 low, 5–9 medium, 10–16 high, 20–25 very high), and whether it
/// is above appetite (escalated) or overdue for review.
#[utoipa::path(get, path = "/risks", tag = "registers", params(RiskFilter),
    responses((status = 200, body = RiskList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(f): ApiQuery<RiskFilter>,
) -> ApiResult<Json<RiskList>> {
    let today = today_of(&f.today)?;
    let snap = s.app.risks(&c).await?;
    let items = snap
        .risks
        .iter()
        .map(|r| RiskItem::of(r, &snap.appetite, today))
        .filter(|i| f.category.is_none_or(|x| i.risk.category == x))
        .filter(|i| f.status.is_none_or(|x| i.risk.status == x))
        .filter(|i| f.band.is_none_or(|x| i.residual_band == Some(x)))
        .filter(|i| f.above_appetite.is_none_or(|x| i.above_appetite == x))
        .filter(|i| f.review_overdue.is_none_or(|x| i.review_overdue == x))
        .filter(|i| {
            f.outcome
                .as_deref()
                .is_none_or(|o| i.risk.outcomes.iter().any(|x| x.as_str() == o))
        })
        .filter(|i| {
            f.service
                .as_deref()
                .is_none_or(|v| i.risk.services.iter().any(|x| x.as_str() == v))
        })
        .collect();
    Ok(Json(RiskList {
        items,
        appetite: snap.appetite,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub item: RiskItem,
    /// Its reviews, oldest first: the scores each recorded (its trajectory).
    pub reviews: Vec<RiskReview>,
}

#[utoipa::path(get, path = "/risks/{code}", tag = "registers", params(("code" = String, Path), TodayParam),
    responses((status = 200, body = RiskDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayParam>,
) -> ApiResult<Json<RiskDetail>> {
    let today = today_of(&q.today)?;
    let snap = s.app.risks(&c).await?;
    let r = snap
        .risks
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no risk '{code}'")))?;
    Ok(Json(RiskDetail {
        item: RiskItem::of(r, &snap.appetite, today),
        reviews: snap
            .reviews
            .iter()
            .filter(|x| x.risk == r.value.code)
            .cloned()
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodayParam {
    /// The date to judge against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

async fn item(
    s: &AppState,
    c: &goldthread_app::Caller,
    code: &str,
    today: time::Date,
) -> ApiResult<RiskItem> {
    let snap = s.app.risks(c).await?;
    let r = snap
        .risks
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no risk '{code}'")))?;
    Ok(RiskItem::of(r, &snap.appetite, today))
}

/// Adds a risk: by administrators and performance officers, or by whoever
/// manages a service or leads an outcome it links to. Its scores are recorded
/// as its first review.
#[utoipa::path(post, path = "/risks", tag = "registers", request_body = RiskInput,
    responses((status = 201, body = RiskItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<RiskInput>,
) -> ApiResult<(StatusCode, Json<RiskItem>)> {
    let today = today_of(&None)?;
    let r = s.app.create_risk(&c, &i.risk, today).await?;
    Ok((
        StatusCode::CREATED,
        Json(item(&s, &c, r.value.code.as_str(), today).await?),
    ))
}

/// Changes a risk (its code stays; `version` is the one read). Changed scores
/// are recorded as a review dated today.
#[utoipa::path(put, path = "/risks/{code}", tag = "registers", params(("code" = String, Path)), request_body = RiskInput,
    responses((status = 200, body = RiskItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RiskInput>,
) -> ApiResult<Json<RiskItem>> {
    let today = today_of(&None)?;
    s.app
        .update_risk(&c, &code, &i.risk, i.version, today)
        .await?;
    Ok(Json(item(&s, &c, &code, today).await?))
}

#[utoipa::path(delete, path = "/risks/{code}", tag = "registers", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_risk(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeatQuery {
    /// `inherent` or `residual` (default).
    pub basis: Option<Basis>,
}

/// The 5×5 heat map of open risks: `cells[likelihood-1][impact-1]` lists the
/// codes of the risks there.
#[utoipa::path(get, path = "/risks/heat-map", tag = "registers", params(HeatQuery),
    responses((status = 200, body = HeatMap), (status = 401, body = ErrorBody)))]
pub async fn heat(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<HeatQuery>,
) -> ApiResult<Json<HeatMap>> {
    let snap = s.app.risks(&c).await?;
    let risks: Vec<_> = snap.risks.into_iter().map(|r| r.value).collect();
    Ok(Json(heat_map(&risks, q.basis.unwrap_or(Basis::Residual))))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppetiteBody {
    /// Category → the highest acceptable residual score (1–25), or null to clear.
    #[schema(value_type = BTreeMap<String, Option<u8>>)]
    pub appetite: BTreeMap<RiskCategory, Option<u8>>,
}

#[utoipa::path(get, path = "/risk-appetite", tag = "registers",
    responses((status = 200, body = AppetiteBody), (status = 401, body = ErrorBody)))]
pub async fn get_appetite(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<AppetiteBody>> {
    let a = s.app.risks(&c).await?.appetite;
    Ok(Json(AppetiteBody {
        appetite: RiskCategory::ALL
            .iter()
            .map(|k| (*k, a.get(k).copied()))
            .collect(),
    }))
}

/// Sets the appetite of the categories given (administrators and performance
/// officers; audited).
#[utoipa::path(put, path = "/risk-appetite", tag = "registers", request_body = AppetiteBody,
    responses((status = 200, body = AppetiteBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn put_appetite(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(b): ApiJson<AppetiteBody>,
) -> ApiResult<Json<AppetiteBody>> {
    let a = s.app.set_appetite(&c, &b.appetite).await?;
    Ok(Json(AppetiteBody {
        appetite: RiskCategory::ALL
            .iter()
            .map(|k| (*k, a.get(k).copied()))
            .collect(),
    }))
}
