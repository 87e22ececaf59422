//! The public performance site, for anyone, without signing in: `/p/{tenant}/…`
//! (home, outcomes, each outcome and indicator, localities) and its open data
//! (`/p/{tenant}/data/…`: CSV and JSON per table, described by a Frictionless
//! Data Package). Only the council's **assured** values are ever used
//! ([`goldthread_app::performance::PerfData::assured_only`]). Pages are
//! server-rendered, need no script, make no third-party request, and answer
//! `304 Not Modified` to a matching `If-None-Match`.
use crate::AppState;
use crate::pages::{error_page, url_encode};
use crate::perf_pages::{dash, indicator_chart, outcome_css, status_cell, target_text, today};
use crate::view::{Cell, Fact, TableView};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use goldthread_app::AppError;
use goldthread_app::performance::{PerfData, default_period};
use goldthread_app::tables::performance_rows;
use goldthread_domain::performance::show;
use goldthread_domain::period::Period;
use goldthread_domain::scorecard::Scorecard;
use goldthread_io::performance::Kind;
use serde_json::{Value, json};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{tenant}", get(home))
        .route("/p/{tenant}/", get(home))
        .route("/p/{tenant}/outcomes", get(outcomes))
        .route("/p/{tenant}/outcomes/{code}", get(outcome))
        .route("/p/{tenant}/indicators/{code}", get(indicator))
        .route("/p/{tenant}/localities", get(localities))
        .route("/p/{tenant}/localities/{code}", get(locality))
        .route("/p/{tenant}/you-said-we-did", get(you_said_we_did))
        .route("/p/{tenant}/performance-report", get(performance_report))
        .route("/p/{tenant}/data", get(open_data))
        .route("/p/{tenant}/data/{file}", get(data_file))
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    title: String,
    council: String,
    base: String,
    nav: Vec<(String, &'static str, bool)>,
    caption: String,
    heading: String,
    lead: Vec<String>,
    /// (css class, status word, label, sentence)
    status: Option<(String, String, String, String)>,
    facts: Vec<Fact>,
    chart: String,
    chart_caption: String,
    tables: Vec<TableView>,
}

/// What every public page of one council starts from.
struct Site {
    council: String,
    base: String,
    data: Arc<PerfData>,
    caller: goldthread_app::Caller,
}

/// Every public handler starts from its council, named by the `{tenant}` path
/// parameter; an unknown council answers the not-found page.
impl axum::extract::FromRequestParts<AppState> for Site {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        s: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let tenant = params
            .iter()
            .find(|(k, _)| *k == "tenant")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        Site::open(s, &tenant).await.map_err(error_page)
    }
}

impl Site {
    async fn open(s: &AppState, tenant: &str) -> Result<Site, AppError> {
        let (caller, data) = s.app.public_data(tenant).await?;
        Ok(Site {
            council: caller.tenant.name.clone(),
            base: format!("/p/{}", url_encode(&caller.tenant.code)),
            data,
            caller,
        })
    }

    fn page(&self, section: &str, title: &str, heading: String) -> PublicPage {
        let nav = [
            ("", "Home"),
            ("/outcomes", "Outcomes"),
            ("/localities", "Localities"),
            ("/you-said-we-did", "You said, we did"),
            ("/performance-report", "Performance report"),
            ("/data", "Open data"),
        ]
        .iter()
        .map(|(path, text)| (format!("{}{path}", self.base), *text, *path == section))
        .collect();
        PublicPage {
            title: title.to_string(),
            council: self.council.clone(),
            base: self.base.clone(),
            nav,
            caption: String::new(),
            heading,
            lead: Vec::new(),
            status: None,
            facts: Vec::new(),
            chart: String::new(),
            chart_caption: String::new(),
            tables: Vec::new(),
        }
    }

    fn card(&self) -> Scorecard<'_> {
        self.data.card(today())
    }
}

/// A weak ETag of the body: a page is the same until the council's assured data
/// (or the day's reporting period) changes it.
fn etag_of(body: &[u8]) -> String {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("W/\"{:016x}\"", h.finish())
}

/// The response for `body`, or 304 when the client already has it.
fn cacheable(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    let etag = etag_of(&body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let common = [
        (header::ETAG, HeaderValue::from_str(&etag).expect("ascii")),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

fn html(headers: &HeaderMap, page: PublicPage) -> Response {
    match page.render() {
        Ok(body) => cacheable(headers, "text/html; charset=utf-8", body.into_bytes()),
        Err(e) => error_page(AppError::Internal(e.to_string())),
    }
}

/// The outcomes table: each local outcome's roll-up for `p`, and why.
fn outcome_table(site: &Site, card: &Scorecard<'_>, p: Period) -> TableView {
    let fw = site.data.framework();
    let mut t = TableView::new(format!("Outcomes, {p}"), &["Outcome", "Status", "Why"])
        .empty("The council has not yet linked indicators to its outcomes.");
    for (code, e) in card.outcomes(p) {
        let title = fw
            .outcome(code.as_str())
            .map(|o| o.title.clone())
            .unwrap_or_default();
        t.rows.push(vec![
            Cell::link(title, format!("{}/outcomes/{code}", site.base)),
            Cell::tag(
                e.status.to_string(),
                &format!("status-{}", outcome_css(e.status)),
            ),
            Cell::text(e.sentence.clone()),
        ]);
    }
    t
}

async fn home(site: Site, headers: HeaderMap) -> Response {
    let card = site.card();
    let p = default_period(today());
    let mut page = site.page(
        "",
        "How the council is doing",
        format!("How {} is doing", site.council),
    );
    page.lead = vec![
        format!(
            "The council works towards the outcomes below with its partners. Each outcome's status for {p} is worked out from the indicators that measure it, and the reason is given beside it."
        ),
        "Choose an outcome to see its indicators, or an indicator to see its figures over time, with a chart and a table of the same figures.".into(),
        "Only figures the council has checked and assured are published. A figure not yet assured counts as missing, and as overdue once the council's deadline for it has passed.".into(),
    ];
    page.tables.push(outcome_table(&site, &card, p));
    let mut counts = TableView::new(
        format!("Indicators by status, {p}"),
        &["Status", "Indicators"],
    )
    .numeric(&[1]);
    let statuses: Vec<_> = site
        .data
        .indicators
        .iter()
        .filter_map(|i| Scorecard::period_within(i, p).map(|q| card.status(i, q, None).status))
        .collect();
    for r in goldthread_domain::performance::Rag::ALL {
        counts.rows.push(vec![
            status_cell(*r),
            Cell::num(statuses.iter().filter(|s| *s == r).count().to_string()),
        ]);
    }
    page.tables.push(counts);
    html(&headers, page)
}

async fn outcomes(site: Site, headers: HeaderMap) -> Response {
    let card = site.card();
    let p = default_period(today());
    let mut page = site.page("/outcomes", "Outcomes", "Outcomes".into());
    page.lead = vec![format!(
        "Green: the indicators measuring the outcome score 1.5 or more on average (green counts 2, amber 1, red 0, weighted by how directly each service contributes); amber: 0.75 or more; red: below that."
    )];
    page.tables.push(outcome_table(&site, &card, p));
    // Earlier years, so a change of colour can be seen.
    let mut history = TableView::new("The last five years", &["Outcome", "Year", "Status"]);
    let fw = site.data.framework();
    for o in fw
        .outcomes
        .iter()
        .filter(|o| o.kind == goldthread_domain::OutcomeKind::Local)
    {
        let mut year = p;
        for _ in 0..5 {
            let e = card.outcome(&o.code, year);
            history.rows.push(vec![
                Cell::link(
                    o.title.clone(),
                    format!("{}/outcomes/{}", site.base, o.code),
                ),
                Cell::text(year.to_string()),
                Cell::tag(
                    e.status.to_string(),
                    &format!("status-{}", outcome_css(e.status)),
                ),
            ]);
            year = year.previous();
        }
    }
    page.tables.push(history);
    html(&headers, page)
}

async fn outcome(
    site: Site,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let fw = site.data.framework();
    let Some(o) = fw.outcome(&code) else {
        return error_page(AppError::NotFound(format!("There is no outcome '{code}'.")));
    };
    let card = site.card();
    let p = default_period(today());
    let e = card.outcome(&o.code, p);
    let mut page = site.page("/outcomes", &o.title, o.title.clone());
    page.caption = format!("Outcome {}", o.code);
    if !o.description.is_empty() {
        page.lead.push(o.description.clone());
    }
    page.status = Some((
        format!("status-{}", outcome_css(e.status)),
        e.status.to_string(),
        format!("{p}"),
        e.sentence.clone(),
    ));
    let mut t = TableView::new(
        format!("Indicators counted for this outcome, {p}"),
        &[
            "Indicator",
            "Period",
            "Value",
            "Target",
            "Status",
            "Trend",
            "Counts as",
        ],
    )
    .numeric(&[2, 3])
    .empty("No indicator measures this outcome yet.");
    for item in &e.items {
        let Some(ind) = card.indicator(item.code()) else {
            continue;
        };
        let Some(q) = Scorecard::period_within(ind, p) else {
            continue;
        };
        let st = card.status(ind, q, None);
        let u = ind.unit;
        t.rows.push(vec![
            Cell::link(
                ind.title.clone(),
                format!("{}/indicators/{}", site.base, ind.code),
            ),
            Cell::text(q.to_string()),
            Cell::num(dash(st.value, u)),
            Cell::num(dash(st.target, u)),
            status_cell(st.status),
            Cell::text(st.trend_previous.to_string()),
            Cell::text(format!("weight {} ({})", item.weight, item.via)),
        ]);
    }
    page.tables.push(t);
    html(&headers, page)
}

async fn indicator(
    site: Site,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(ind) = site
        .data
        .indicators
        .iter()
        .find(|i| i.code.as_str() == code)
    else {
        return error_page(AppError::NotFound(format!(
            "There is no indicator '{code}'."
        )));
    };
    let card = site.card();
    let series = card.series(ind);
    let statuses: Vec<_> = series.iter().map(|p| card.status(ind, *p, None)).collect();
    let u = ind.unit;
    let mut page = site.page("/outcomes", &ind.title, ind.title.clone());
    page.caption = format!("Indicator {}", ind.code);
    if !ind.definition.is_empty() {
        page.lead.push(ind.definition.clone());
    }
    page.status = statuses.last().map(|st| {
        (
            format!("status-{}", st.status),
            st.status.to_string(),
            format!("Latest: {}", st.period),
            st.explanation.sentence.clone(),
        )
    });
    page.facts = vec![
        Fact::text(
            "Better is",
            match ind.polarity {
                goldthread_domain::performance::Polarity::HigherBetter => "higher",
                goldthread_domain::performance::Polarity::LowerBetter => "lower",
                goldthread_domain::performance::Polarity::InBand => "within the target band",
                goldthread_domain::performance::Polarity::DataOnly => {
                    "not judged (reported for information)"
                }
            },
        ),
        Fact::text("Measured", format!("{}, {}", ind.unit, ind.frequency)),
        Fact::text("Source", ind.source.to_string()),
        Fact::new(
            "Serves outcomes",
            card.outcomes_of(ind)
                .iter()
                .map(|c| {
                    Cell::link(
                        site.data
                            .framework()
                            .outcome(c.as_str())
                            .map(|o| o.title.clone())
                            .unwrap_or_else(|| c.to_string()),
                        format!("{}/outcomes/{c}", site.base),
                    )
                })
                .collect(),
        ),
    ];
    (page.chart, page.chart_caption) = indicator_chart(ind, &series, &statuses);
    let mut t = TableView::new(
        "Figures, targets and statuses",
        &[
            "Period", "Value", "Target", "Status", "Trend", "Scotland", "Why",
        ],
    )
    .numeric(&[1, 2, 5])
    .empty("No assured figures yet.");
    for st in statuses.iter().rev() {
        let target = target_text(st, u).unwrap_or_else(|| "—".into());
        t.rows.push(vec![
            Cell::text(st.period.to_string()),
            Cell::num(dash(st.value, u)),
            Cell::num(target),
            status_cell(st.status),
            Cell::text(st.trend_previous.to_string()),
            Cell::num(
                st.benchmark
                    .as_ref()
                    .and_then(|b| b.scotland)
                    .map(|v| show(v, u))
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::text(st.explanation.sentence.clone()),
        ]);
    }
    page.tables.push(t);
    html(&headers, page)
}

async fn localities(site: Site, headers: HeaderMap) -> Response {
    let mut page = site.page("/localities", "Localities", "Localities".into());
    page.lead = vec![
        "Some indicators are reported for each locality as well as for the whole area.".into(),
    ];
    let mut t = TableView::new("Localities", &["Locality", "Code"])
        .empty("The council does not report by locality.");
    for l in &site.data.perf.localities {
        t.rows.push(vec![
            Cell::link(
                l.value.name.clone(),
                format!("{}/localities/{}", site.base, l.value.code),
            ),
            Cell::text(l.value.code.to_string()),
        ]);
    }
    page.tables.push(t);
    html(&headers, page)
}

async fn locality(
    site: Site,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(l) = site
        .data
        .perf
        .localities
        .iter()
        .find(|l| l.value.code.as_str() == code)
    else {
        return error_page(AppError::NotFound(format!(
            "There is no locality '{code}'."
        )));
    };
    let card = site.card();
    let mut page = site.page("/localities", &l.value.name, l.value.name.clone());
    page.caption = "Locality".into();
    let mut t = TableView::new(
        "Latest figures for this locality, beside the whole area",
        &["Indicator", "Period", "Locality", "Status", "Whole area"],
    )
    .numeric(&[2, 4])
    .empty("No indicator is reported for this locality yet.");
    for ind in site.data.indicators.iter().filter(|i| i.by_locality) {
        let Some(p) = card.series(ind).last().copied() else {
            continue;
        };
        let here = card.status(ind, p, Some(&l.value.code));
        let all = card.status(ind, p, None);
        let u = ind.unit;
        t.rows.push(vec![
            Cell::link(
                ind.title.clone(),
                format!("{}/indicators/{}", site.base, ind.code),
            ),
            Cell::text(p.to_string()),
            Cell::num(dash(here.value, u)),
            status_cell(here.status),
            Cell::num(dash(all.value, u)),
        ]);
    }
    page.tables.push(t);
    html(&headers, page)
}

async fn you_said_we_did(State(s): State<AppState>, site: Site, headers: HeaderMap) -> Response {
    let e = match s.app.engagement(&site.caller).await {
        Ok(e) => e,
        Err(e) => return error_page(e),
    };
    let mut page = site.page(
        "/you-said-we-did",
        "You said, we did",
        "You said, we did".into(),
    );
    page.lead = vec![
        "What people told the council in its consultations, and what the council did about it."
            .into(),
    ];
    page.tables
        .push(crate::engagement::responses_table(&e, false, false));
    page.tables.push(crate::engagement::consultation_table(
        site.data.framework(),
        &e,
        |_| None,
    ));
    html(&headers, page)
}

/// The annual performance report: the One Report for the latest financial year
/// that has ended, on assured values and published responses only.
async fn performance_report(State(s): State<AppState>, site: Site, headers: HeaderMap) -> Response {
    let e = match s.app.engagement(&site.caller).await {
        Ok(e) => e,
        Err(e) => return error_page(e),
    };
    let period = default_period(today());
    // The public report leaves the registers out: they are staff and
    // members' tools, published through committee papers, not on the site.
    let mut report = match crate::report::build(
        &site.data,
        &e,
        &crate::report::Registers::default(),
        &site.council,
        period,
        &crate::report::Scope::All,
        today(),
    ) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    report.inline_css = None;
    report.scope =
        "The annual performance report: every local outcome, from the figures the council has assured".into();
    report.home = Some(site.base.clone());
    match report.render() {
        Ok(body) => cacheable(&headers, "text/html; charset=utf-8", body.into_bytes()),
        Err(e) => error_page(AppError::Internal(e.to_string())),
    }
}

/// The open-data tables: name, title, description.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "indicators",
        "Indicators",
        "Every indicator's definition: tier, unit, polarity, frequency, source, tolerance, the services and outcomes it measures.",
    ),
    (
        "measurements",
        "Measurements",
        "Every assured value, by indicator, period and locality (empty locality: the whole area).",
    ),
    (
        "targets",
        "Targets",
        "Targets (and target bands) by indicator and period.",
    ),
    (
        "outcomes",
        "Outcome statuses",
        "Each outcome's status for the reporting period, with its score and the reason.",
    ),
];

/// An open-data table: its columns, each column's Table Schema type, and rows.
type OpenTable = (Vec<&'static str>, Vec<&'static str>, Vec<Vec<String>>);

/// A table's columns, their types for its schema, and its rows.
fn table(site: &Site, name: &str) -> Option<OpenTable> {
    data_table(&site.data, name)
}

/// A data table of `d` by name (indicators, measurements, targets — rows as
/// their imports read them — and outcomes):
/// the public site's open data (assured values), or a staff feed (everything).
pub(crate) fn data_table(d: &PerfData, name: &str) -> Option<OpenTable> {
    let text = |n: usize| vec!["string"; n];
    Some(match name {
        "indicators" => (
            Kind::Indicators.headers().to_vec(),
            {
                let mut t = text(Kind::Indicators.headers().len());
                t[14] = "integer";
                t
            },
            performance_rows(d, Kind::Indicators),
        ),
        "measurements" => (
            Kind::Measurements.headers().to_vec(),
            {
                let mut t = text(7);
                t[3] = "number";
                t
            },
            performance_rows(d, Kind::Measurements),
        ),
        "targets" => (
            Kind::Targets.headers().to_vec(),
            vec!["string", "string", "number", "number", "number"],
            performance_rows(d, Kind::Targets),
        ),
        "outcomes" => {
            let card = d.card(today());
            let p = default_period(today());
            let rows = card
                .outcomes(p)
                .into_iter()
                .map(|(code, e)| {
                    vec![
                        code.to_string(),
                        p.to_string(),
                        e.status.to_string(),
                        e.score.clone().unwrap_or_default(),
                        e.counted.to_string(),
                        e.excluded.to_string(),
                        e.sentence.clone(),
                    ]
                })
                .collect();
            (
                vec![
                    "outcome",
                    "period",
                    "status",
                    "score",
                    "counted",
                    "excluded",
                    "explanation",
                ],
                vec![
                    "string", "string", "string", "number", "integer", "integer", "string",
                ],
                rows,
            )
        }
        _ => return None,
    })
}

async fn open_data(site: Site, headers: HeaderMap) -> Response {
    let mut page = site.page("/data", "Open data", "Open data".into());
    page.lead = vec![
        "The figures behind these pages, free to reuse. Each table has a stable address as CSV and as JSON, described by a Frictionless Data Package; Excel and Power BI can read the CSV addresses directly.".into(),
        "Values are exact decimals as the council recorded them (no rounding), and only assured values are included.".into(),
    ];
    let mut t = TableView::new("Tables", &["Table", "About", "CSV", "JSON"]);
    for (name, title, about) in TABLES {
        t.rows.push(vec![
            Cell::text(*title),
            Cell::text(*about),
            Cell::link(
                format!("{title} (CSV)"),
                format!("{}/data/{name}.csv", site.base),
            ),
            Cell::link(
                format!("{title} (JSON)"),
                format!("{}/data/{name}.json", site.base),
            ),
        ]);
    }
    t.rows.push(vec![
        Cell::text("Data package"),
        Cell::text("The description of every table and its columns (datapackage.json)."),
        Cell::text("—"),
        Cell::link(
            "datapackage.json",
            format!("{}/data/datapackage.json", site.base),
        ),
    ]);
    page.tables.push(t);
    html(&headers, page)
}

async fn data_file(
    site: Site,
    Path((_, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if file == "datapackage.json" {
        return cacheable(
            &headers,
            "application/json",
            serde_json::to_vec_pretty(&datapackage(&site)).unwrap_or_default(),
        );
    }
    let not_found = || {
        error_page(AppError::NotFound(format!(
            "There is no open-data file '{file}'."
        )))
    };
    let Some((name, ext)) = file.rsplit_once('.') else {
        return not_found();
    };
    let Some((cols, _, rows)) = table(&site, name) else {
        return not_found();
    };
    table_file(&headers, &cols, &rows, ext).unwrap_or_else(not_found)
}

/// A table as `csv` or `json` (`{"items":[{column: value}]}`), cacheable; none for
/// another extension. Values are exact: no spreadsheet-formula neutralising here
/// (the data package says so).
pub(crate) fn table_file(
    headers: &HeaderMap,
    cols: &[&str],
    rows: &[Vec<String>],
    ext: &str,
) -> Option<Response> {
    Some(match ext {
        "csv" => match goldthread_io::framework::csv_bytes(cols, rows) {
            Ok(bytes) => cacheable(headers, "text/csv; charset=utf-8", bytes),
            Err(e) => error_page(AppError::Internal(e.to_string())),
        },
        "json" => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    Value::Object(
                        cols.iter()
                            .zip(r)
                            .map(|(c, v)| (c.to_string(), Value::String(v.clone())))
                            .collect(),
                    )
                })
                .collect();
            cacheable(
                headers,
                "application/json",
                serde_json::to_vec(&json!({ "items": items })).unwrap_or_default(),
            )
        }
        _ => return None,
    })
}

/// The Frictionless Data Package describing every open-data table.
fn datapackage(site: &Site) -> Value {
    let resources: Vec<Value> = TABLES
        .iter()
        .filter_map(|(name, title, about)| {
            let (cols, types, _) = table(site, name)?;
            Some(json!({
                "name": name,
                "title": title,
                "description": about,
                // Relative to datapackage.json, which sits beside the tables.
                "path": format!("{name}.csv"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": cols.iter().zip(types).map(|(c, t)| json!({
                        "name": c,
                        "type": t,
                    })).collect::<Vec<_>>(),
                    "missingValues": [""],
                },
            }))
        })
        .collect();
    json!({
        "profile": "tabular-data-package",
        "name": format!("{}-performance", site.base.trim_start_matches("/p/")),
        "title": format!("{}: performance open data", site.council),
        "description": "Indicators, assured measurements, targets and outcome statuses. Values are exact decimals as recorded, never rounded and never altered for spreadsheets; cells beginning with =, +, - or @ are data, not formulas.",
        "licenses": [{"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0", "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}],
        "resources": resources,
    })
}
