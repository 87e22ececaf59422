//! Errors as JSON for the API (`{"error":{"code","message","details"}}`, with a
//! stable code) and as pages for people.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use goldthread_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one field (or, for imports, one `file:row:column`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorField {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: unauthenticated, forbidden, not_found, conflict,
    /// in_use, duplicate, validation, import_rejected, bad_request, rate_limited, internal.
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorField>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::InUse(_) | AppError::Duplicate(_) => StatusCode::CONFLICT,
        AppError::Validation(_) | AppError::Import(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An API error response.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let message = match &e {
            AppError::Internal(_) => {
                "something went wrong on our side; it has been logged".to_string()
            }
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().to_string(),
                message,
                details: e
                    .details()
                    .into_iter()
                    .map(|d| ErrorField {
                        field: d.field,
                        message: d.message,
                    })
                    .collect(),
            },
        };
        (status_of(&e), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
