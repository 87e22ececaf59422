//! Who is calling: an API token, or a browser session.
use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use goldthread_app::auth::SessionInfo;
use goldthread_app::{AppError, Caller};

pub const SESSION_COOKIE: &str = "gt_session";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The caller of an API endpoint: `Authorization: Bearer <token>` or the session cookie.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            return Ok(ApiCaller(state.app.token_caller(token).await?));
        }
        if let Some(id) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some(s) = state.app.session(&id).await?
        {
            return s.caller.map(ApiCaller).ok_or_else(|| {
                ApiError(AppError::Forbidden(
                    "your account has no role in a council".into(),
                ))
            });
        }
        Err(ApiError(AppError::Unauthenticated))
    }
}

/// A signed-in person on a staff page; anyone else is sent to sign in.
pub struct Staff {
    pub session: SessionInfo,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let to_login = || {
            Redirect::to(&format!("/login?next={}", crate::pages::url_encode(&next)))
                .into_response()
        };
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match state.app.session(&id).await {
            Ok(Some(session)) => match session.caller.clone() {
                Some(caller) => Ok(Staff { session, caller }),
                None if session.is_operator => Err(Redirect::to("/operator").into_response()),
                None => Err(crate::pages::message_page(
                    axum::http::StatusCode::FORBIDDEN,
                    "No council",
                    "Your account has no role in any council on this server.",
                )),
            },
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::pages::error_page(e)),
        }
    }
}

/// A signed-in national operator; anyone else is refused.
pub struct OperatorSession {
    pub session: SessionInfo,
}

impl FromRequestParts<AppState> for OperatorSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Redirect::to("/login?next=/operator").into_response());
        };
        match state.app.session(&id).await {
            Ok(Some(session)) if session.is_operator => Ok(OperatorSession { session }),
            Ok(Some(_)) => Err(crate::pages::message_page(
                axum::http::StatusCode::FORBIDDEN,
                "You cannot do that",
                "Only national operators manage councils.",
            )),
            Ok(None) => Err(Redirect::to("/login?next=/operator").into_response()),
            Err(e) => Err(crate::pages::error_page(e)),
        }
    }
}

/// A form posted by a signed-in person, refused unless it carries the session's
/// CSRF token: every staff form handler takes this instead of `Staff` and `Form`.
pub struct StaffForm {
    pub staff: Staff,
    pub form: crate::pages::FormData,
}

impl axum::extract::FromRequest<AppState> for StaffForm {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(
            axum::extract::Request::from_parts(parts, body),
            state,
        )
        .await
        .map_err(IntoResponse::into_response)?;
        let form = crate::pages::FormData(fields);
        if let Some(refusal) = crate::pages::csrf_refusal(&staff, &form) {
            return Err(refusal);
        }
        Ok(StaffForm { staff, form })
    }
}
