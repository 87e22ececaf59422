//! The JSON API at `/api/v1`, described by OpenAPI 3.1 at `/api/openapi.json`.
//! Field names are the import columns' names, plus `id` and `version`; money is
//! integer pence in fields ending `_pence`; lists answer `{"items": [...]}`.
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiCaller;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use goldthread_app::framework::ImportReport;
use goldthread_app::input::{
    CellInput, OutcomeInput, PersonInput, PlanInput, PortfolioInput, RaciInput, ServiceInput,
};
use goldthread_app::{AppError, Rec};
use goldthread_domain::framework::{
    Framework, Gaps, Outcome, OutcomeThread, Person, Plan, Portfolio, Service, ServiceThread,
};
use goldthread_domain::one_fund::OneFund;
use goldthread_domain::{Code, Email, Raci, Strength};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod actions;
mod assessment;
mod benefits;
mod org;
mod programmes;
mod reviews;
mod risks;
mod structure;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "goldthread API",
        version = "1",
        description = "The golden thread of a council: outcomes, portfolios, services, plans, people, the Outcomes & Delivery Matrix, RACI, One Fund, framework gaps and the audit trail. Authenticate with `Authorization: Bearer <token>` (create one with `goldthread token create`) or a browser session. Errors are `{\"error\":{\"code\",\"message\",\"details\"}}` with a stable code."
    ),
    modifiers(&Security),
    // Types that query parameters name (utoipa refers to them by name without
    // registering them).
    components(schemas(goldthread_domain::risk::Basis)),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "framework", description = "Records of the golden thread"),
        (name = "matrix", description = "The Outcomes & Delivery Matrix and RACI"),
        (name = "views", description = "Derived views: the thread, One Fund, gaps"),
        (name = "data", description = "Import, export and the audit trail"),
        (name = "performance", description = "Indicators, statuses with explanations, outcome roll-ups and exceptions"),
        (name = "engagement", description = "Consultations, \"you said, we did\" responses and committees"),
        (name = "registers", description = "The integrated registers: risks (with bands, appetite and the heat map), the transformation programme and the Best Value self-assessment"),
        (name = "reviews", description = "Service reviews (the Delivery Framework): options appraisal, impact assessment, two-key approval, the review schedule and the mixed economy"),
        (name = "benefits", description = "The benefits register with planned and realised profiles by financial year, savings tracking and the medium-term funding gap"),
        (name = "actions", description = "Action plans: recommendations, actions with timescales and leads as written, status, percentage complete, progress notes and overdue actions"),
        (name = "organisation", description = "Organisation design: pay grades, posts in structure states (current, immediate, transition, future), cost ranges, savings against the current structure, spans of control and layers; salaries only for admins, performance officers and HR officers")
    )
)]
struct ApiDoc;

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::extract::SESSION_COOKIE,
            ))),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(outcomes::list, outcomes::create))
        .routes(routes!(outcomes::get, outcomes::update, outcomes::delete))
        .routes(routes!(portfolios::list, portfolios::create))
        .routes(routes!(
            portfolios::get,
            portfolios::update,
            portfolios::delete
        ))
        .routes(routes!(services::list, services::create))
        .routes(routes!(services::get, services::update, services::delete))
        .routes(routes!(plans::list, plans::create))
        .routes(routes!(plans::get, plans::update, plans::delete))
        .routes(routes!(people::list, people::create))
        .routes(routes!(people::get, people::update, people::delete))
        .routes(routes!(matrix))
        .routes(routes!(put_cell, delete_cell))
        .routes(routes!(get_raci, put_raci))
        .routes(routes!(outcome_thread))
        .routes(routes!(service_thread))
        .routes(routes!(one_fund))
        .routes(routes!(gaps))
        .routes(routes!(audit))
        .routes(routes!(me))
        .routes(routes!(import_framework))
        .routes(routes!(import_kind))
        .routes(routes!(status))
        .routes(routes!(indicators, create_indicator))
        .routes(routes!(indicator, update_indicator, delete_indicator))
        .routes(routes!(put_target, delete_target))
        .routes(routes!(bulk_measurements))
        .routes(routes!(bulk_targets))
        .routes(routes!(consultations, create_consultation))
        .routes(routes!(update_consultation, delete_consultation))
        .routes(routes!(create_response))
        .routes(routes!(committees))
        .routes(routes!(update_response, delete_response))
        .routes(routes!(feed))
        .routes(routes!(outcome_status))
        .routes(routes!(exceptions))
        .routes(routes!(publish))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(enter_measurement))
        .routes(routes!(assure))
        .routes(routes!(export_framework))
        .routes(routes!(reviews::list, reviews::create))
        .routes(routes!(reviews::get, reviews::update))
        .routes(routes!(reviews::options, reviews::add_option))
        .routes(routes!(reviews::update_option, reviews::delete_option))
        .routes(routes!(reviews::appraisal))
        .routes(routes!(reviews::advance))
        .routes(routes!(reviews::send_back))
        .routes(routes!(reviews::approve))
        .routes(routes!(reviews::reject))
        .routes(routes!(reviews::implement))
        .routes(routes!(reviews::schedule))
        .routes(routes!(reviews::get_cycle, reviews::put_cycle))
        .routes(routes!(reviews::mixed_economy))
        .routes(routes!(reviews::commissioning))
        .routes(routes!(risks::list, risks::create))
        .routes(routes!(risks::heat))
        .routes(routes!(risks::get, risks::update, risks::delete))
        .routes(routes!(risks::get_appetite, risks::put_appetite))
        .routes(routes!(assessment::get))
        .routes(routes!(assessment::put))
        .routes(routes!(benefits::list, benefits::create))
        .routes(routes!(benefits::get, benefits::update, benefits::delete))
        .routes(routes!(benefits::put_profile))
        .routes(routes!(benefits::savings))
        .routes(routes!(benefits::gap))
        .routes(routes!(actions::plans, structure::create_plan))
        .routes(routes!(
            actions::plan,
            structure::update_plan,
            structure::delete_plan
        ))
        .routes(routes!(structure::create_recommendation))
        .routes(routes!(
            structure::update_recommendation,
            structure::delete_recommendation
        ))
        .routes(routes!(actions::list, actions::create))
        .routes(routes!(actions::get, actions::update, actions::delete))
        .routes(routes!(actions::add_progress))
        .routes(routes!(programmes::list, structure::create_programme))
        .routes(routes!(
            programmes::get,
            structure::update_programme,
            structure::delete_programme
        ))
        .routes(routes!(structure::create_workstream))
        .routes(routes!(
            structure::update_workstream,
            structure::delete_workstream
        ))
        .routes(routes!(programmes::initiatives, programmes::create))
        .routes(routes!(
            programmes::initiative,
            programmes::update,
            programmes::delete
        ))
        .routes(routes!(org::grades, org::create_grade))
        .routes(routes!(org::update_grade, org::delete_grade))
        .routes(routes!(org::posts, org::create_post))
        .routes(routes!(org::post, org::update_post, org::delete_post))
        .routes(routes!(org::states))
        .routes(routes!(org::compare))
        .routes(routes!(org::put_state))
        .routes(routes!(org::summary));
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    document_errors(&mut openapi);
    (router, openapi)
}

/// Documents the errors any operation can answer, where its own annotation
/// does not: 400 when a parameter or the body cannot be read at all (not JSON,
/// a number that is not one), 404 when the record or one a parameter names
/// does not exist (in the caller's council), and 422 when a field, parameter
/// or row is not valid. All carry the usual error body.
fn document_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    let errors = [
        (
            "400",
            "`bad_request`: a parameter or the body cannot be read (not JSON, or a value of the wrong type)",
        ),
        (
            "404",
            "`not_found`: the record, or one a parameter or field names, is not in your council",
        ),
        (
            "422",
            "`validation` or `import_rejected`: a field, parameter or row is not valid; nothing was written",
        ),
    ];
    for item in openapi.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            for (status, description) in errors {
                op.responses
                    .responses
                    .entry(status.into())
                    .or_insert_with(|| error(description).into());
            }
        }
    }
}

/// JSON body whose rejections are reported in the API's error format.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(ApiError(AppError::BadRequest(r.body_text()))),
        }
    }
}

/// A multipart upload whose rejections (no boundary, not multipart) are
/// reported in the API's error format.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|r| ApiError(AppError::BadRequest(r.body_text())))
    }
}

/// Query string whose rejections are reported in the API's error format.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(ApiError(AppError::BadRequest(r.body_text()))),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version you read; a stale version is refused with 409.
    pub version: Option<i64>,
}

macro_rules! item_types {
    ($item:ident, $list:ident, $t:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $item {
            pub id: String,
            pub version: i64,
            #[serde(flatten)]
            pub value: $t,
        }
        impl From<Rec<$t>> for $item {
            fn from(r: Rec<$t>) -> Self {
                $item {
                    id: r.id,
                    version: r.version,
                    value: r.value,
                }
            }
        }
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $list {
            pub items: Vec<$item>,
        }
    };
}

item_types!(OutcomeItem, OutcomeList, Outcome);
item_types!(PortfolioItem, PortfolioList, Portfolio);
item_types!(ServiceItem, ServiceList, Service);
item_types!(PlanItem, PlanList, Plan);
item_types!(PersonItem, PersonList, Person);

macro_rules! crud {
    ($m:ident, $t:ty, $input:ty, $item:ident, $list:ident, $path:literal, $one:literal, $key:literal, $create:ident, $update:ident) => {
        pub mod $m {
            use super::*;

            #[utoipa::path(get, path = $path, tag = "framework",
                responses((status = 200, body = $list), (status = 401, body = ErrorBody)))]
            pub async fn list(State(s): State<AppState>, ApiCaller(c): ApiCaller) -> ApiResult<Json<$list>> {
                Ok(Json($list { items: s.app.list::<$t>(&c).await?.into_iter().map(Into::into).collect() }))
            }

            #[utoipa::path(post, path = $path, tag = "framework", request_body = $input,
                responses((status = 201, body = $item), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                          (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
            pub async fn create(State(s): State<AppState>, ApiCaller(c): ApiCaller, ApiJson(i): ApiJson<$input>) -> ApiResult<(StatusCode, Json<$item>)> {
                Ok((StatusCode::CREATED, Json(s.app.$create(&c, &i).await?.into())))
            }

            #[utoipa::path(get, path = $one, tag = "framework", params(($key = String, Path)),
                responses((status = 200, body = $item), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
            pub async fn get(State(s): State<AppState>, ApiCaller(c): ApiCaller, Path(key): Path<String>) -> ApiResult<Json<$item>> {
                Ok(Json(s.app.get::<$t>(&c, &key).await?.into()))
            }

            #[utoipa::path(put, path = $one, tag = "framework", params(($key = String, Path)), request_body = $input,
                responses((status = 200, body = $item), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                          (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
            pub async fn update(State(s): State<AppState>, ApiCaller(c): ApiCaller, Path(key): Path<String>, ApiJson(i): ApiJson<$input>) -> ApiResult<Json<$item>> {
                Ok(Json(s.app.$update(&c, &key, &i).await?.into()))
            }

            #[utoipa::path(delete, path = $one, tag = "framework", params(($key = String, Path), VersionQuery),
                responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                          (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
            pub async fn delete(State(s): State<AppState>, ApiCaller(c): ApiCaller, Path(key): Path<String>, ApiQuery(q): ApiQuery<VersionQuery>) -> ApiResult<StatusCode> {
                s.app.delete::<$t>(&c, &key, q.version).await?;
                Ok(StatusCode::NO_CONTENT)
            }
        }
    };
}

crud!(
    outcomes,
    Outcome,
    OutcomeInput,
    OutcomeItem,
    OutcomeList,
    "/outcomes",
    "/outcomes/{code}",
    "code",
    create_outcome,
    update_outcome
);
crud!(
    portfolios,
    Portfolio,
    PortfolioInput,
    PortfolioItem,
    PortfolioList,
    "/portfolios",
    "/portfolios/{code}",
    "code",
    create_portfolio,
    update_portfolio
);
crud!(
    services,
    Service,
    ServiceInput,
    ServiceItem,
    ServiceList,
    "/services",
    "/services/{code}",
    "code",
    create_service,
    update_service
);
crud!(
    plans,
    Plan,
    PlanInput,
    PlanItem,
    PlanList,
    "/plans",
    "/plans/{code}",
    "code",
    create_plan,
    update_plan
);
crud!(
    people,
    Person,
    PersonInput,
    PersonItem,
    PersonList,
    "/people",
    "/people/{email}",
    "email",
    create_person,
    update_person
);

/// One cell of the Outcomes & Delivery Matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    pub id: String,
    pub version: i64,
    pub service: Code,
    pub outcome: Code,
    pub strength: Strength,
    /// 1.0 primary, 0.5 significant, 0.25 some.
    pub weight: f64,
    pub note: String,
}

impl From<Rec<goldthread_domain::framework::Contribution>> for Cell {
    fn from(r: Rec<goldthread_domain::framework::Contribution>) -> Self {
        Cell {
            id: r.id,
            version: r.version,
            weight: r.value.strength.weight(),
            service: r.value.service,
            outcome: r.value.outcome,
            strength: r.value.strength,
            note: r.value.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CellList {
    pub items: Vec<Cell>,
}

#[utoipa::path(get, path = "/matrix", tag = "matrix", responses((status = 200, body = CellList), (status = 401, body = ErrorBody)))]
async fn matrix(State(s): State<AppState>, ApiCaller(c): ApiCaller) -> ApiResult<Json<CellList>> {
    let v = s.app.view(&c).await?;
    Ok(Json(CellList {
        items: v
            .snapshot
            .contributions
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

#[utoipa::path(put, path = "/matrix/{service}/{outcome}", tag = "matrix", request_body = CellInput,
    params(("service" = String, Path), ("outcome" = String, Path)),
    responses((status = 200, body = Cell), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_cell(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((service, outcome)): Path<(String, String)>,
    ApiJson(i): ApiJson<CellInput>,
) -> ApiResult<Json<Cell>> {
    Ok(Json(
        s.app.put_cell(&c, &service, &outcome, &i).await?.into(),
    ))
}

#[utoipa::path(delete, path = "/matrix/{service}/{outcome}", tag = "matrix",
    params(("service" = String, Path), ("outcome" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_cell(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path((service, outcome)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_cell(&c, &service, &outcome, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RaciItem {
    pub person: Email,
    pub name: String,
    pub raci: Raci,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RaciList {
    pub outcome: Code,
    pub items: Vec<RaciItem>,
}

fn raci_list(fw: &Framework, outcome: &Code) -> RaciList {
    RaciList {
        outcome: outcome.clone(),
        items: fw
            .raci_of(outcome)
            .into_iter()
            .map(|e| RaciItem {
                name: fw
                    .person(e.person.as_str())
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                person: e.person,
                raci: e.raci,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/outcomes/{code}/raci", tag = "matrix", params(("code" = String, Path)),
    responses((status = 200, body = RaciList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_raci(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<RaciList>> {
    let v = s.app.view(&c).await?;
    let o = v
        .framework
        .outcome(&code)
        .ok_or_else(|| AppError::NotFound(format!("no outcome '{code}'")))?;
    Ok(Json(raci_list(&v.framework, &o.code)))
}

#[utoipa::path(put, path = "/outcomes/{code}/raci", tag = "matrix", params(("code" = String, Path)), request_body = RaciInput,
    responses((status = 200, body = RaciList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_raci(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<RaciInput>,
) -> ApiResult<Json<RaciList>> {
    s.app.replace_raci(&c, &code, &i).await?;
    let v = s.app.view(&c).await?;
    let o = v
        .framework
        .outcome(&code)
        .ok_or_else(|| AppError::NotFound(format!("no outcome '{code}'")))?;
    Ok(Json(raci_list(&v.framework, &o.code)))
}

#[utoipa::path(get, path = "/thread/outcomes/{code}", tag = "views", params(("code" = String, Path)),
    responses((status = 200, body = OutcomeThread, description = "Everything beneath the outcome and above it"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn outcome_thread(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<OutcomeThread>> {
    Ok(Json(s.app.outcome_thread(&c, &code).await?))
}

#[utoipa::path(get, path = "/thread/services/{code}", tag = "views", params(("code" = String, Path)),
    responses((status = 200, body = ServiceThread, description = "Every outcome the service serves, up to national level"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn service_thread(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<ServiceThread>> {
    Ok(Json(s.app.service_thread(&c, &code).await?))
}

#[utoipa::path(get, path = "/one-fund", tag = "views",
    responses((status = 200, body = OneFund, description = "Net budget attributed to outcomes by contribution weight. Each service's budget is split exactly in proportion to its weights (normalised to sum to 1); shares are rounded down to the penny and the pennies left over go one each to the largest remainders (ties: the outcome code that sorts first), so totals hold to the penny."),
              (status = 401, body = ErrorBody)))]
async fn one_fund(State(s): State<AppState>, ApiCaller(c): ApiCaller) -> ApiResult<Json<OneFund>> {
    Ok(Json(s.app.one_fund(&c).await?))
}

#[utoipa::path(get, path = "/gaps", tag = "views", responses((status = 200, body = Gaps), (status = 401, body = ErrorBody)))]
async fn gaps(State(s): State<AppState>, ApiCaller(c): ApiCaller) -> ApiResult<Json<Gaps>> {
    Ok(Json(s.app.gaps(&c).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub entity_type: Option<String>,
    /// An entity's id or code.
    pub entity_id: Option<String>,
    /// The actor's email (or `cli:<user>`).
    pub actor: Option<String>,
    /// Rows at or after this time (RFC 3339) or date (YYYY-MM-DD).
    pub since: Option<String>,
    /// At most this many rows, newest first (default 500, at most 5000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    pub id: String,
    pub actor: String,
    pub at: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub entity_code: Option<String>,
    /// The record before the change (an object, or a list for an import),
    /// or null.
    #[schema(value_type = Value)]
    pub before: Option<serde_json::Value>,
    /// The record after the change, or null.
    #[schema(value_type = Value)]
    pub after: Option<serde_json::Value>,
    /// What the change was part of (e.g. an import and its file), or null.
    #[schema(value_type = Value)]
    pub context: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditItem>,
}

#[utoipa::path(get, path = "/audit", tag = "data", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn audit(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditList>> {
    let f = goldthread_store::audit::AuditFilter {
        entity_type: q.entity_type,
        entity: q.entity_id,
        actor: q.actor,
        since: q.since,
        limit: q.limit.unwrap_or(500),
    };
    let rows = s.app.audit(&c, &f).await?;
    Ok(Json(AuditList {
        items: rows
            .into_iter()
            .map(|r| AuditItem {
                id: r.id,
                actor: r.actor,
                at: r.at,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                entity_code: r.entity_code,
                before: r.before,
                after: r.after,
                context: r.context,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub email: Email,
    pub name: String,
    pub role: goldthread_domain::Role,
    pub scope: Vec<Code>,
    pub tenant_code: String,
    pub tenant_name: String,
}

#[utoipa::path(get, path = "/me", tag = "data", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiCaller(c): ApiCaller) -> Json<Me> {
    Json(Me {
        email: c.actor.email.clone(),
        name: c.name.clone(),
        role: c.actor.role,
        scope: c.actor.scope.clone(),
        tenant_code: c.tenant.code.clone(),
        tenant_name: c.tenant.name.clone(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check and count without writing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Reads a multipart upload into an import source: one XLSX workbook, or CSV files
/// named after their tables (`services.csv`, …).
pub async fn upload_source(
    mut form: Multipart,
) -> Result<(goldthread_io::Source, String), AppError> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field
            .file_name()
            .or(field.name())
            .unwrap_or("upload")
            .to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        if !bytes.is_empty() {
            files.insert(
                name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string(),
                bytes.to_vec(),
            );
        }
    }
    let label = files.keys().cloned().collect::<Vec<_>>().join(", ");
    if let Some((_, bytes)) = files
        .iter()
        .find(|(n, b)| n.to_lowercase().ends_with(".xlsx") || b.starts_with(b"PK\x03\x04"))
    {
        return Ok((goldthread_io::Source::xlsx(bytes.clone())?, label));
    }
    if files.is_empty() {
        return Err(AppError::BadRequest("no file was uploaded".into()));
    }
    Ok((goldthread_io::Source::csv(files)?, label))
}

#[utoipa::path(post, path = "/import/framework", tag = "data", params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "One XLSX workbook, or CSV files named people.csv, outcomes.csv, portfolios.csv, services.csv, contributions.csv, raci.csv, plans.csv"),
    responses((status = 200, body = ImportReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Rejected; nothing written. details[].field is file:row:column")))]
async fn import_framework(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiMultipart(form): ApiMultipart,
) -> ApiResult<Json<ImportReport>> {
    let (source, label) = upload_source(form).await?;
    Ok(Json(
        s.app
            .import_framework(&c, &source, q.dry_run, &label)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `xlsx` (the workbook the import reads).
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/export/framework", tag = "data", params(ExportQuery),
    responses((status = 200, body = Framework, description = "The whole framework (JSON), or the import workbook (format=xlsx)"),
              (status = 401, body = ErrorBody)))]
async fn export_framework(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let fw = s.app.export_framework(&c).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(fw).into_response()),
        "xlsx" => {
            let bytes = goldthread_io::framework::xlsx_bytes(&fw)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(xlsx_response(
                bytes,
                &format!("{}-framework.xlsx", c.tenant.code),
            ))
        }
        other => {
            Err(AppError::BadRequest(format!("unknown format '{other}' (json or xlsx)")).into())
        }
    }
}

pub fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// A period such as 2024/25, 2024/25 Q3, 2024-05, 2024 or AY2024/25; default: the latest ended financial year.
    pub period: Option<String>,
    /// Only this indicator.
    pub indicator: Option<String>,
    /// Every period of every series, not just the one within `period`.
    #[serde(default)]
    pub all_periods: bool,
    /// The date to judge deadlines against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

fn today_of(s: &Option<String>) -> Result<time::Date, AppError> {
    match s {
        None => Ok(time::OffsetDateTime::now_utc().date()),
        Some(t) => time::Date::parse(t, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|_| AppError::field("today", format!("'{t}' is not a date (use YYYY-MM-DD)"))),
    }
}

fn period_of(s: &Option<String>) -> Result<Option<goldthread_domain::period::Period>, AppError> {
    s.as_deref()
        .map(goldthread_app::performance::parse_period)
        .transpose()
}

#[utoipa::path(get, path = "/status", tag = "performance", params(StatusQuery),
    responses((status = 200, body = goldthread_app::performance::StatusReport, description = "Every indicator's status (with its explanation), trends and benchmark for the period, and each local outcome's roll-up"),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn status(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<goldthread_app::performance::StatusReport>> {
    let today = today_of(&q.today)?;
    let report = s
        .app
        .status_report(
            &c,
            period_of(&q.period)?,
            q.indicator.as_deref(),
            q.all_periods,
            today,
        )
        .await?;
    Ok(Json(std::sync::Arc::unwrap_or_clone(report)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: goldthread_domain::indicator::Indicator,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<IndicatorItem>,
}

#[utoipa::path(get, path = "/indicators", tag = "performance", responses((status = 200, body = IndicatorList), (status = 401, body = ErrorBody)))]
async fn indicators(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<IndicatorList>> {
    let data = s.app.perf_data(&c).await?;
    Ok(Json(IndicatorList {
        items: data
            .perf
            .indicators
            .iter()
            .map(|r| IndicatorItem {
                id: r.id.clone(),
                version: r.version,
                value: r.value.clone(),
            })
            .collect(),
    }))
}

/// An indicator: its definition, every measurement and target, and its status for every period.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDetail {
    pub indicator: IndicatorItem,
    pub measurements: Vec<goldthread_domain::indicator::Measurement>,
    pub targets: Vec<goldthread_domain::indicator::Target>,
    pub statuses: Vec<goldthread_domain::scorecard::IndicatorStatus>,
    /// The outcomes it serves, directly or through its services.
    pub outcomes: Vec<Code>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TodayQuery {
    /// The date to judge deadlines against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[utoipa::path(get, path = "/indicators/{code}", tag = "performance", params(("code" = String, Path), TodayQuery),
    responses((status = 200, body = IndicatorDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn indicator(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<IndicatorDetail>> {
    let today = today_of(&q.today)?;
    let data = s.app.perf_data(&c).await?;
    let rec = data
        .perf
        .indicators
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no indicator '{code}'")))?;
    let card = data.card(today);
    let ind = &rec.value;
    let mut statuses = Vec::new();
    for p in card.series(ind) {
        statuses.push(card.status(ind, p, None));
        if ind.by_locality {
            for l in &data.localities {
                statuses.push(card.status(ind, p, Some(l)));
            }
        }
    }
    Ok(Json(IndicatorDetail {
        outcomes: card.outcomes_of(ind),
        measurements: data
            .measurements
            .iter()
            .filter(|m| m.indicator == ind.code)
            .cloned()
            .collect(),
        targets: data
            .targets
            .iter()
            .filter(|t| t.indicator == ind.code)
            .cloned()
            .collect(),
        statuses,
        indicator: IndicatorItem {
            id: rec.id.clone(),
            version: rec.version,
            value: ind.clone(),
        },
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeStatusQuery {
    /// Default: the latest ended financial year.
    pub period: Option<String>,
    pub today: Option<String>,
}

#[utoipa::path(get, path = "/outcomes/{code}/status", tag = "performance", params(("code" = String, Path), OutcomeStatusQuery),
    responses((status = 200, body = goldthread_app::performance::OutcomeRow, description = "The outcome's status for the period with its explanation: inputs, weights, rule and thresholds"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn outcome_status(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<OutcomeStatusQuery>,
) -> ApiResult<Json<goldthread_app::performance::OutcomeRow>> {
    Ok(Json(
        s.app
            .outcome_status(&c, &code, period_of(&q.period)?, today_of(&q.today)?)
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionList {
    pub items: Vec<goldthread_domain::scorecard::Exception>,
}

#[utoipa::path(get, path = "/exceptions", tag = "performance", params(TodayQuery),
    responses((status = 200, body = ExceptionList, description = "Indicators red for the tenant's number of consecutive periods, or overdue, with the outcome boards they go to"),
              (status = 401, body = ErrorBody)))]
async fn exceptions(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> ApiResult<Json<ExceptionList>> {
    Ok(Json(ExceptionList {
        items: s.app.exceptions(&c, today_of(&q.today)?).await?,
    }))
}

#[utoipa::path(post, path = "/import/{kind}", tag = "data",
    params(("kind" = String, Path, description = "indicators, measurements, targets, localities, benchmark-groups, benchmark-values, consultations, responses, committees, contracts, benefits, benefit-profiles or budget-gap"), ImportQuery),
    params(("kind" = String, Path, description = "indicators, measurements, targets, localities, benchmark-groups, benchmark-values, consultations, responses, committees, contracts, action-plans, recommendations, actions or action-progress"), ImportQuery),
    request_body(content_type = "multipart/form-data", description = "One CSV file (or an XLSX workbook with a sheet named after the kind)"),
    responses((status = 200, body = ImportReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "Rejected; nothing written. details[].field is file:row:column")))]
async fn import_kind(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(kind): Path<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiMultipart(form): ApiMultipart,
) -> ApiResult<Json<ImportReport>> {
    let table: goldthread_app::tables::DataTable = kind.parse()?;
    let (source, label) = upload_source(form).await?;
    Ok(Json(
        s.app
            .import_table(&c, table, &source, q.dry_run, &label)
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: goldthread_domain::engagement::Consultation,
    /// Its responses ("you said, we did"), drafts included.
    pub responses_given: Vec<ResponseItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseItem {
    /// The response's id, for changing or deleting it.
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: goldthread_domain::engagement::Response,
}

impl From<Rec<goldthread_domain::engagement::Response>> for ResponseItem {
    fn from(r: Rec<goldthread_domain::engagement::Response>) -> Self {
        ResponseItem {
            id: r.id,
            version: r.version,
            value: r.value,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationList {
    pub items: Vec<ConsultationItem>,
}

#[utoipa::path(get, path = "/consultations", tag = "engagement",
    responses((status = 200, body = ConsultationList), (status = 401, body = ErrorBody)))]
async fn consultations(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<ConsultationList>> {
    let e = s.app.engagement(&c).await?;
    Ok(Json(ConsultationList {
        items: e
            .consultations
            .iter()
            .map(|r| ConsultationItem {
                responses_given: e
                    .responses
                    .iter()
                    .filter(|x| x.value.consultation == r.value.code)
                    .cloned()
                    .map(ResponseItem::from)
                    .collect(),
                ..consultation_item(r.clone())
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitteeItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: goldthread_domain::engagement::Committee,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitteeList {
    pub items: Vec<CommitteeItem>,
}

/// The council's committees and what each scrutinises (import committees.csv
/// to change them); a committee's One Report covers its portfolios' local
/// outcomes and the outcomes it names.
#[utoipa::path(get, path = "/committees", tag = "engagement",
    responses((status = 200, body = CommitteeList), (status = 401, body = ErrorBody)))]
async fn committees(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<CommitteeList>> {
    let e = s.app.engagement(&c).await?;
    Ok(Json(CommitteeList {
        items: e
            .committees
            .into_iter()
            .map(|r| CommitteeItem {
                id: r.id,
                version: r.version,
                value: r.value,
            })
            .collect(),
    }))
}

fn consultation_item(r: Rec<goldthread_domain::engagement::Consultation>) -> ConsultationItem {
    ConsultationItem {
        id: r.id,
        version: r.version,
        value: r.value,
        responses_given: Vec::new(),
    }
}

use goldthread_app::engagement::{ConsultationInput, ResponseInput};

#[utoipa::path(post, path = "/consultations", tag = "engagement", request_body = ConsultationInput,
    responses((status = 201, body = ConsultationItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_consultation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<ConsultationInput>,
) -> ApiResult<(StatusCode, Json<ConsultationItem>)> {
    let r = s.app.create_consultation(&c, &i).await?;
    Ok((StatusCode::CREATED, Json(consultation_item(r))))
}

#[utoipa::path(put, path = "/consultations/{code}", tag = "engagement", params(("code" = String, Path)), request_body = ConsultationInput,
    responses((status = 200, body = ConsultationItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_consultation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<ConsultationInput>,
) -> ApiResult<Json<ConsultationItem>> {
    let r = s.app.update_consultation(&c, &code, &i).await?;
    Ok(Json(consultation_item(r)))
}

#[utoipa::path(delete, path = "/consultations/{code}", tag = "engagement", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Stale version, or the consultation has responses")))]
async fn delete_consultation(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_consultation(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/responses", tag = "engagement", request_body = ResponseInput,
    responses((status = 201, body = ResponseItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_response(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<ResponseInput>,
) -> ApiResult<(StatusCode, Json<ResponseItem>)> {
    let r = s.app.create_response(&c, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(put, path = "/responses/{id}", tag = "engagement", params(("id" = String, Path)), request_body = ResponseInput,
    responses((status = 200, body = ResponseItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_response(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<ResponseInput>,
) -> ApiResult<Json<ResponseItem>> {
    Ok(Json(s.app.update_response(&c, &id, &i).await?.into()))
}

#[utoipa::path(delete, path = "/responses/{id}", tag = "engagement", params(("id" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn delete_response(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_response(&c, &id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// The period to publish, e.g. 2024/25.
    pub period: String,
    /// The date to judge deadlines against (YYYY-MM-DD); default: today.
    pub today: Option<String>,
}

#[utoipa::path(post, path = "/publish", tag = "performance", params(PublishQuery),
    responses((status = 201, body = goldthread_app::performance::PublishReport, description = "The period's statuses are frozen; later changes show as restatements"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already published"),
              (status = 422, body = ErrorBody)))]
async fn publish(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiQuery(q): ApiQuery<PublishQuery>,
) -> ApiResult<(StatusCode, Json<goldthread_app::performance::PublishReport>)> {
    let period = goldthread_app::performance::parse_period(&q.period)?;
    Ok((
        StatusCode::CREATED,
        Json(s.app.publish(&c, period, today_of(&q.today)?).await?),
    ))
}

#[utoipa::path(put, path = "/indicators/{code}/measurements", tag = "performance", params(("code" = String, Path)),
    request_body = goldthread_app::performance::MeasurementInput,
    responses((status = 200, body = goldthread_domain::indicator::Measurement, description = "Saved as a draft, or submitted for assurance"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enter_measurement(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<goldthread_app::performance::MeasurementInput>,
) -> ApiResult<Json<goldthread_domain::indicator::Measurement>> {
    Ok(Json(s.app.enter_measurement(&c, &code, &i).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssureInput {
    pub period: String,
    #[serde(default)]
    pub locality: Option<String>,
}

#[utoipa::path(post, path = "/indicators/{code}/assure", tag = "performance", params(("code" = String, Path)), request_body = AssureInput,
    responses((status = 200, body = goldthread_domain::indicator::Measurement, description = "The submitted value is now assured"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn assure(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<AssureInput>,
) -> ApiResult<Json<goldthread_domain::indicator::Measurement>> {
    Ok(Json(
        s.app
            .assure(&c, &code, &i.period, i.locality.as_deref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/settings", tag = "performance",
    responses((status = 200, body = goldthread_app::performance::RuleSettings), (status = 401, body = ErrorBody)))]
async fn get_settings(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Json<goldthread_app::performance::RuleSettings>> {
    Ok(Json(s.app.rule_settings(&c).await?))
}

#[utoipa::path(put, path = "/settings", tag = "performance", request_body = goldthread_app::performance::RuleSettings,
    responses((status = 200, body = goldthread_app::performance::RuleSettings), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<goldthread_app::performance::RuleSettings>,
) -> ApiResult<Json<goldthread_app::performance::RuleSettings>> {
    Ok(Json(s.app.set_rule_settings(&c, &i).await?))
}

use goldthread_app::indicators::{IndicatorInput, MeasurementRow, TargetInput, TargetRow};

#[utoipa::path(post, path = "/indicators", tag = "performance", request_body = IndicatorInput,
    responses((status = 201, body = IndicatorItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_indicator(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(i): ApiJson<IndicatorInput>,
) -> ApiResult<(StatusCode, Json<IndicatorItem>)> {
    let r = s.app.create_indicator(&c, &i).await?;
    Ok((
        StatusCode::CREATED,
        Json(IndicatorItem {
            id: r.id,
            version: r.version,
            value: r.value,
        }),
    ))
}

#[utoipa::path(put, path = "/indicators/{code}", tag = "performance", params(("code" = String, Path)), request_body = IndicatorInput,
    responses((status = 200, body = IndicatorItem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_indicator(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<IndicatorInput>,
) -> ApiResult<Json<IndicatorItem>> {
    let r = s.app.update_indicator(&c, &code, &i).await?;
    Ok(Json(IndicatorItem {
        id: r.id,
        version: r.version,
        value: r.value,
    }))
}

#[utoipa::path(delete, path = "/indicators/{code}", tag = "performance", params(("code" = String, Path), VersionQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Stale version, or the indicator has data")))]
async fn delete_indicator(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_indicator(&c, &code, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    /// A period of the indicator's frequency, e.g. 2025/26 or 2025/26 Q2.
    pub period: String,
    /// For a delete: the version you read.
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/indicators/{code}/targets", tag = "performance", params(("code" = String, Path), TargetQuery),
    request_body = TargetInput,
    responses((status = 200, body = goldthread_domain::indicator::Target), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_target(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TargetQuery>,
    ApiJson(i): ApiJson<TargetInput>,
) -> ApiResult<Json<goldthread_domain::indicator::Target>> {
    Ok(Json(s.app.put_target(&c, &code, &q.period, &i).await?))
}

#[utoipa::path(delete, path = "/indicators/{code}/targets", tag = "performance", params(("code" = String, Path), TargetQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_target(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> ApiResult<StatusCode> {
    s.app.delete_target(&c, &code, &q.period, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkMeasurements {
    pub items: Vec<MeasurementRow>,
    /// Check and count without saving.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkTargets {
    pub items: Vec<TargetRow>,
    #[serde(default)]
    pub dry_run: bool,
}

#[utoipa::path(post, path = "/measurements", tag = "performance", request_body = BulkMeasurements,
    responses((status = 200, body = ImportReport, description = "All saved (one audit row), or none: errors name items[i].field"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn bulk_measurements(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(b): ApiJson<BulkMeasurements>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(
        s.app.bulk_measurements(&c, &b.items, b.dry_run).await?,
    ))
}

#[utoipa::path(post, path = "/targets", tag = "performance", request_body = BulkTargets,
    responses((status = 200, body = ImportReport, description = "All saved (one audit row), or none: errors name items[i].field"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn bulk_targets(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    ApiJson(b): ApiJson<BulkTargets>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(s.app.bulk_targets(&c, &b.items, b.dry_run).await?))
}

#[utoipa::path(get, path = "/feeds/{file}", tag = "data",
    params(("file" = String, Path, description = "indicators, measurements, targets or outcomes, with .csv or .json")),
    responses((status = 200, description = "The table as CSV, or JSON {\"items\":[…]}: every value whatever its status (draft, submitted, assured); a stable address for Power BI and Excel with a bearer token"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn feed(
    State(s): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
) -> ApiResult<axum::response::Response> {
    let data = s.app.perf_data(&c).await?;
    let missing = || AppError::NotFound(format!("no feed '{file}'"));
    let (name, ext) = file.rsplit_once('.').ok_or_else(missing)?;
    let (cols, _, rows) = crate::public::data_table(&data, name).ok_or_else(missing)?;
    crate::public::table_file(&headers, &cols, &rows, ext).ok_or_else(|| missing().into())
}
