//! Best Value self-assessment: the themes, every year's scores and the
//! comparison year on year; a year's scores replaced whole.
use super::ApiJson;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{Path, State};
use goldthread_app::assessment::themes_of;
use goldthread_app::performance::parse_period_as;
use goldthread_domain::assessment::{Comparison, Theme, ThemeScore};
use goldthread_domain::period::Frequency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SelfAssessment {
    /// The themes in force (the council's own, or the default Best Value themes).
    pub themes: Vec<Theme>,
    /// Every year's score per theme, by year then theme.
    pub scores: Vec<ThemeScore>,
    /// Each theme's score per year, its latest movement and each year's mean.
    pub comparison: Comparison,
}

#[utoipa::path(get, path = "/self-assessment", tag = "registers",
    responses((status = 200, body = SelfAssessment), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<SelfAssessment>> {
    let snap = s.app.self_assessment(&c).await?;
    Ok(Json(SelfAssessment {
        themes: themes_of(&snap),
        comparison: s.app.self_assessment_comparison(&c).await?,
        scores: snap.scores.into_iter().map(|r| r.value).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct YearScores {
    /// The year's scores, one per theme at most; a theme left out loses its
    /// score for the year.
    pub scores: Vec<ThemeScore>,
}

/// Replaces one financial year's scores (e.g. `2025-26` or `2025/26`;
/// administrators and performance officers; every change audited).
#[utoipa::path(put, path = "/self-assessment/{year}", tag = "registers", params(("year" = String, Path)), request_body = YearScores,
    responses((status = 200, body = SelfAssessment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn put(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(year): Path<String>,
    ApiJson(b): ApiJson<YearScores>,
) -> ApiResult<Json<SelfAssessment>> {
    let year = parse_period_as(&year.replace('-', "/"), Frequency::FinancialYear)?;
    s.app.save_self_assessment(&c, year, &b.scores).await?;
    get(State(s), ApiCaller(c)).await
}
