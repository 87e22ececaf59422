//! The goldthread web server: staff pages (server-rendered, no JavaScript needed)
//! and the JSON API described by OpenAPI 3.1. Handlers are thin: they turn HTTP
//! into calls on the application layer and back.
#![forbid(unsafe_code)]

pub mod actions;
pub mod api;
pub mod assessment;
pub mod benefits;
pub mod chart;
pub mod engagement;
pub mod error;
pub mod extract;
mod forms;
pub mod org;
pub mod pages;
pub mod perf_pages;
mod programmes;
pub mod public;
mod public_cache;
pub mod report;
pub mod reviews;
pub mod risks;
mod structure;
pub mod view;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use goldthread_app::App;
use std::net::SocketAddr;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Rendered public pages and open-data files, per council and data version.
    public_cache: std::sync::Arc<public_cache::PublicCache>,
}

/// The whole application as a router.
pub fn router(app: App, secure_cookies: bool) -> Router {
    let state = AppState {
        app,
        secure_cookies,
        public_cache: Default::default(),
    };
    let (api_router, openapi) = api::router();
    Router::new()
        .merge(pages::router())
        .merge(perf_pages::router())
        .merge(public::router().layer(middleware::from_fn_with_state(
            state.clone(),
            public_cache::serve,
        )))
        .merge(report::router())
        .merge(engagement::router())
        .merge(reviews::router())
        .merge(risks::router())
        .merge(assessment::router())
        .merge(benefits::router())
        .merge(actions::router())
        .merge(programmes::router())
        .merge(org::router())
        .merge(api_router)
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .route("/static/app.css", get(css))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .layer(middleware::from_fn(same_origin_writes))
        .layer(middleware::from_fn(security_headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            64 * 1024 * 1024,
        ))
        // Every request gets an id (a caller's own `x-request-id` is kept),
        // logged on its span and returned on the response, so an error a
        // user reports can be found in the logs.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(DefaultOnFailure::new().level(tracing::Level::ERROR)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The span a request's logs are recorded in: method, path (not the query,
/// which may carry personal data) and request id.
fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %id,
    )
}

const CSS: &str = include_str!("../static/app.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn ready(State(s): State<AppState>) -> Response {
    match (s.app.db.ping().await, s.app.db.migrations_current().await) {
        (Ok(()), Ok(true)) => (StatusCode::OK, "ready").into_response(),
        (Ok(()), _) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

/// Security headers on every response; the API docs need inline styles.
async fn security_headers(req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = if docs {
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    } else {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Refuses cross-site writes made with a browser session: a state-changing request
/// without a bearer token must come from this site (`Sec-Fetch-Site`, else `Origin`).
/// Forms also carry a per-session CSRF token, checked by each page handler.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().get(header::AUTHORIZATION).is_some();
    let is_login = req.uri().path() == "/login";
    if unsafe_method && !bearer && !is_login && !same_origin(&req) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    match (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        // Without either header (non-browser clients), the form's CSRF token decides.
        (None, _) => true,
        _ => false,
    }
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(app: App, addr: SocketAddr, secure_cookies: bool) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving");
    // Housekeeping: expired sessions and old sign-in attempts go every 15 minutes.
    let housekeeper = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
        loop {
            every.tick().await;
            match housekeeper.prune_expired().await {
                Ok((s, a)) if s + a > 0 => {
                    tracing::info!(
                        sessions = s,
                        attempts = a,
                        "pruned expired sessions and old sign-in attempts"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not prune sessions"),
            }
        }
    });
    axum::serve(
        listener,
        router(app, secure_cookies).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
