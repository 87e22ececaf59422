//! Benefits and savings: the benefits register with each benefit's profile,
//! savings tracking by portfolio and year, and the medium-term funding gap.
use super::{ApiJson, ApiQuery, VersionQuery};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use goldthread_app::benefits::{BenefitInput, BenefitRecord, ProfileInput};
use goldthread_app::{AppError, Rec};
use goldthread_domain::benefits::{
    Benefit, BenefitProfile, Figures, GapTable, SavingsTable, benefit_figures,
};
use goldthread_domain::period::FinancialYear;
use goldthread_store::benefits::BenefitsSnapshot;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One year of a benefit's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileItem {
    /// A financial year such as 2026/27.
    #[schema(value_type = String, example = "2026/27")]
    pub year: FinancialYear,
    pub planned_pence: i64,
    /// Absent (null) until the year's realised figure is reported.
    pub realised_pence: Option<i64>,
}

/// A benefit with its profile and the figures over it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitItem {
    pub id: String,
    /// Raised by any change to the benefit or its profile.
    pub version: i64,
    #[serde(flatten)]
    pub value: Benefit,
    /// By financial year.
    pub profile: Vec<ProfileItem>,
    /// Planned, achieved, over/(under) and not yet reported, over its profile.
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitList {
    pub items: Vec<BenefitItem>,
}

fn item(benefit: Rec<Benefit>, profile: &[&Rec<BenefitProfile>]) -> BenefitItem {
    let values: Vec<BenefitProfile> = profile.iter().map(|p| p.value.clone()).collect();
    BenefitItem {
        id: benefit.id,
        version: benefit.version,
        value: benefit.value,
        profile: values
            .iter()
            .map(|p| ProfileItem {
                year: p.year,
                planned_pence: p.planned_pence,
                realised_pence: p.realised_pence,
            })
            .collect(),
        figures: benefit_figures(&values),
    }
}

fn of_record(r: BenefitRecord) -> BenefitItem {
    let profile: Vec<&Rec<BenefitProfile>> = r.profile.iter().collect();
    item(r.benefit, &profile)
}

fn of_snapshot(s: &BenefitsSnapshot, b: Rec<Benefit>) -> BenefitItem {
    let profile = s.profile_of(&b.value.code);
    item(b, &profile)
}

#[utoipa::path(get, path = "/benefits", tag = "benefits",
    responses((status = 200, body = BenefitList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<BenefitList>> {
    let snap = s.app.benefits(&c).await?;
    Ok(Json(BenefitList {
        items: snap
            .benefits
            .iter()
            .cloned()
            .map(|b| of_snapshot(&snap, b))
            .collect(),
    }))
}

/// Adds a benefit. Administrators and performance officers add any; the
/// Outcome Leader of its portfolio and the managers of the portfolio's
/// services add the portfolio's.
#[utoipa::path(post, path = "/benefits", tag = "benefits", request_body = BenefitInput,
    responses((status = 201, body = BenefitItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<BenefitInput>,
) -> ApiResult<(StatusCode, Json<BenefitItem>)> {
    let r = s.app.create_benefit(&c, &i).await?;
    Ok((StatusCode::CREATED, Json(item(r, &[]))))
}

#[utoipa::path(get, path = "/benefits/{code}", tag = "benefits", params(("code" = String, Path)),
    responses((status = 200, body = BenefitItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<BenefitItem>> {
    Ok(Json(of_record(s.app.benefit(&c, &code).await?)))
}

/// Changes a benefit (not its code); `version` is the one read.
#[utoipa::path(put, path = "/benefits/{code}", tag = "benefits", params(("code" = String, Path)), request_body = BenefitInput,
    responses((status = 200, body = BenefitItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<BenefitInput>,
) -> ApiResult<Json<BenefitItem>> {
    s.app.update_benefit(&c, &code, &i).await?;
    Ok(Json(of_record(s.app.benefit(&c, &code).await?)))
}

/// Deletes a benefit whose profile is empty (409 `in_use` otherwise).
#[utoipa::path(delete, path = "/benefits/{code}", tag = "benefits", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Stale version, or the benefit has a profile")))]
pub async fn delete(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_benefit(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces a benefit's profile: the years sent are its whole profile (years
/// not sent are removed). `version` is the benefit's, and rises when the
/// profile changes. Errors name the line: `items[0].planned_pence`.
#[utoipa::path(put, path = "/benefits/{code}/profile", tag = "benefits", params(("code" = String, Path)), request_body = ProfileInput,
    responses((status = 200, body = BenefitItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_profile(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<ProfileInput>,
) -> ApiResult<Json<BenefitItem>> {
    Ok(Json(of_record(
        s.app.set_benefit_profile(&c, &code, &i).await?,
    )))
}

/// Savings tracking: cashable benefits' planned and achieved savings by
/// portfolio, line (a benefit's `group`, such as a 2018 directorate) and
/// financial year, with `variance_pence` = achieved − planned over the years
/// reported (negative = under-achieved), and totals per line, per
/// portfolio, per year and overall.
#[utoipa::path(get, path = "/savings", tag = "benefits",
    responses((status = 200, body = SavingsTable), (status = 401, body = ErrorBody)))]
pub async fn savings(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<SavingsTable>> {
    Ok(Json(s.app.savings(&c).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    /// Count from this financial year (e.g. 2026/27); default: the first year recorded.
    pub from: Option<String>,
}

/// The medium-term funding gap by financial year, with the cashable savings
/// planned and realised each year, the gap remaining after each, and running
/// totals.
#[utoipa::path(get, path = "/finance/gap", tag = "benefits", params(GapQuery),
    responses((status = 200, body = GapTable), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn gap(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<GapQuery>,
) -> ApiResult<Json<GapTable>> {
    let from = q
        .from
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(|f| FinancialYear::parse(f).map_err(|e| AppError::field("from", e)))
        .transpose()?;
    Ok(Json(s.app.funding_gap(&c, from).await?))
}
