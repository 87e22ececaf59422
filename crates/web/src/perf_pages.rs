//! Staff pages of the performance engine: indicators (list with filters, and one
//! indicator with its chart, data table and explained statuses), why an outcome
//! has its status, and the exceptions to escalate.
use crate::AppState;
use crate::chart::{Series, line_chart};
use crate::extract::Staff;
use crate::extract::StaffForm;
use crate::pages::{FormData, chrome_for, error_page, render_page, url_encode};
use crate::view::{Cell, Choice, Fact, Field, Link, TablePage, TableView};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use goldthread_app::AppError;
use goldthread_app::performance::{default_period, parse_period};
use goldthread_domain::indicator::Indicator;
use goldthread_domain::performance::{Rag, show};
use goldthread_domain::scorecard::{IndicatorStatus, Scorecard};
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(list))
        .route("/indicators/{code}", get(one))
        .route("/outcomes/{code}/status", get(outcome_status))
        .route("/exceptions", get(exceptions))
        .route("/dashboard", get(dashboard))
        .route("/indicators/publish", axum::routing::post(publish))
        .route(
            "/indicators/{code}/measurements",
            axum::routing::post(enter),
        )
        .route("/indicators/{code}/assure", axum::routing::post(assure))
}

pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A value as tables show it, or "—" when there is none.
pub(crate) fn dash(
    v: Option<rust_decimal::Decimal>,
    u: goldthread_domain::performance::Unit,
) -> String {
    v.map(|v| show(v, u)).unwrap_or_else(|| "—".into())
}

/// A status's target as people read it: the target, or its band "low–high".
pub(crate) fn target_text(
    st: &IndicatorStatus,
    u: goldthread_domain::performance::Unit,
) -> Option<String> {
    match (st.target, st.band_low, st.band_high) {
        (Some(t), _, _) => Some(show(t, u)),
        (None, Some(lo), Some(hi)) => Some(format!("{}–{}", show(lo, u), show(hi, u))),
        _ => None,
    }
}

/// A status as a tag: the word is always there; colour only repeats it.
pub fn status_cell(s: Rag) -> Cell {
    Cell::tag(s.to_string(), &format!("status-{s}"))
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    chrome: crate::view::Chrome,
    /// Shown to those who may publish: the default period and what is published.
    can_publish: bool,
    publish_default: String,
    published: Vec<String>,
    filters: Vec<Field>,
    tables: Vec<TableView>,
    shown: usize,
    total: usize,
    as_at: String,
}

#[derive(Deserialize, Default)]
struct Filters {
    saved: Option<String>,
    tier: Option<String>,
    outcome: Option<String>,
    service: Option<String>,
    status: Option<String>,
    owner: Option<String>,
}

fn select(
    name: &str,
    label: &str,
    current: &Option<String>,
    options: Vec<(String, String)>,
) -> Field {
    let cur = current.clone().unwrap_or_default();
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any".into(),
        selected: cur.is_empty(),
    }];
    choices.extend(options.into_iter().map(|(v, l)| Choice {
        selected: v == cur,
        value: v,
        label: l,
    }));
    Field::new("select", name, label, "").choices(choices)
}

/// The latest whole-area status of an indicator (its last series period).
fn latest(card: &Scorecard<'_>, ind: &Indicator) -> Option<IndicatorStatus> {
    card.series(ind).last().map(|p| card.status(ind, *p, None))
}

async fn list(State(s): State<AppState>, staff: Staff, Query(f): Query<Filters>) -> Response {
    let data = match s.app.perf_data(&staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let card = data.card(today());
    let fw = data.framework();
    let blank = |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    let (tier, outcome, service, status, owner) = (
        blank(&f.tier),
        blank(&f.outcome),
        blank(&f.service),
        blank(&f.status),
        blank(&f.owner),
    );
    let mut t = TableView::new(
        "",
        &[
            "Indicator",
            "Tier",
            "Latest period",
            "Value",
            "Target",
            "Status",
            "Trend",
            "Owner",
        ],
    )
    .numeric(&[3, 4])
    .empty("No indicator matches these filters.");
    let mut shown = 0;
    for ind in &data.indicators {
        let st = latest(&card, ind);
        let keep = tier.as_ref().is_none_or(|t| ind.tier.as_str() == t)
            && outcome
                .as_ref()
                .is_none_or(|o| card.outcomes_of(ind).iter().any(|c| c.as_str() == o))
            && service
                .as_ref()
                .is_none_or(|sv| ind.services.iter().any(|c| c.as_str() == sv))
            && status
                .as_ref()
                .is_none_or(|x| st.as_ref().is_some_and(|s| s.status.as_str() == x))
            && owner
                .as_ref()
                .is_none_or(|o| ind.owner.as_ref().is_some_and(|e| e.as_str() == o));
        if !keep {
            continue;
        }
        shown += 1;
        let target = st.as_ref().and_then(|s| target_text(s, ind.unit));
        t.rows.push(vec![
            Cell::link(
                format!("{} — {}", ind.code, ind.title),
                format!("/indicators/{}", url_encode(ind.code.as_str())),
            ),
            Cell::text(ind.tier.to_string()),
            Cell::text(
                st.as_ref()
                    .map(|s| s.period.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::num(
                st.as_ref()
                    .and_then(|s| s.value)
                    .map(|v| show(v, ind.unit))
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::num(target.unwrap_or_else(|| "—".into())),
            st.as_ref()
                .map(|s| status_cell(s.status))
                .unwrap_or_else(|| Cell::text("no data")),
            Cell::text(
                st.as_ref()
                    .map(|s| s.trend_previous.to_string())
                    .unwrap_or_default(),
            ),
            Cell::text(
                ind.owner
                    .as_ref()
                    .and_then(|e| fw.person(e.as_str()))
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            ),
        ]);
    }
    let filters = vec![
        select(
            "tier",
            "Tier",
            &tier,
            ["outcome", "service", "enabler"]
                .iter()
                .map(|t| (t.to_string(), t.to_string()))
                .collect(),
        ),
        select(
            "outcome",
            "Outcome",
            &outcome,
            fw.outcomes
                .iter()
                .filter(|o| o.kind == goldthread_domain::OutcomeKind::Local)
                .map(|o| (o.code.to_string(), format!("{} — {}", o.code, o.title)))
                .collect(),
        ),
        select(
            "service",
            "Service",
            &service,
            fw.services
                .iter()
                .map(|s| (s.code.to_string(), s.title.clone()))
                .collect(),
        ),
        select(
            "status",
            "Status",
            &status,
            Rag::ALL
                .iter()
                .map(|r| (r.to_string(), r.to_string()))
                .collect(),
        ),
        select(
            "owner",
            "Owner",
            &owner,
            fw.people
                .iter()
                .map(|p| (p.email.to_string(), p.name.clone()))
                .collect(),
        ),
    ];
    let published = s.app.publications(&staff.caller).await.unwrap_or_default();
    let mut chrome = chrome_for(&staff, "Indicators", "indicators");
    if f.saved.as_deref() == Some("published") {
        chrome.flash = Some("Published: the period's statuses are frozen.".into());
    }
    render_page(IndicatorsPage {
        can_publish: staff.caller.actor.edits_everything(),
        publish_default: default_period(today()).to_string(),
        published: published
            .iter()
            .map(|p| {
                format!(
                    "{} (by {} on {})",
                    p.period,
                    p.published_by,
                    &p.published_at[..10]
                )
            })
            .collect(),
        chrome,
        filters,
        tables: vec![t],
        shown,
        total: data.indicators.len(),
        as_at: today().to_string(),
    })
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    chrome: crate::view::Chrome,
    heading: String,
    /// (status css, status, headline, sentence) for the latest period.
    latest: Option<(String, String, String, String)>,
    facts: Vec<Fact>,
    chart: String,
    chart_caption: String,
    tables: Vec<TableView>,
    code: String,
    /// The value entry form, for those who may enter values.
    entry: Option<crate::view::FormView>,
    /// Submitted values a performance officer may assure: (key, label).
    assurable: Vec<(String, String)>,
}

fn f64_of(d: Option<rust_decimal::Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64())
}

async fn one(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    indicator_page(&s, &staff, &code, Vec::new(), None).await
}

/// The indicator page; `errors` and `posted` re-show the entry form after a refusal.
async fn indicator_page(
    s: &AppState,
    staff: &Staff,
    code: &str,
    errors: Vec<(String, String)>,
    posted: Option<&FormData>,
) -> Response {
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let data = match s.app.perf_data(&staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let Some(ind) = data.indicators.iter().find(|i| i.code.as_str() == code) else {
        return error_page(AppError::NotFound(format!(
            "There is no indicator '{code}'."
        )));
    };
    let card = data.card(today());
    let fw = data.framework();
    let series = card.series(ind);
    let statuses: Vec<IndicatorStatus> =
        series.iter().map(|p| card.status(ind, *p, None)).collect();
    let u = ind.unit;
    let mut facts = vec![
        Fact::text(
            "Definition",
            if ind.definition.is_empty() {
                "—".to_string()
            } else {
                ind.definition.clone()
            },
        ),
        Fact::text("Tier", ind.tier.to_string()),
        Fact::text("Polarity", ind.polarity.to_string()),
        Fact::text(
            "Unit and frequency",
            format!("{}, {}", ind.unit, ind.frequency),
        ),
        Fact::text("Source", ind.source.to_string()),
        Fact::text("Tolerance", ind.tolerance.to_string()),
        Fact::text(
            "Deadline",
            format!("{} days after each period ends", ind.deadline_days),
        ),
    ];
    if let Some((lo, hi)) = ind.default_band() {
        facts.push(Fact::text(
            "Default target band",
            format!("{}–{}", show(lo, u), show(hi, u)),
        ));
    }
    facts.push(Fact::new(
        "Owner",
        vec![match &ind.owner {
            Some(e) => Cell::link(
                fw.person(e.as_str())
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| e.to_string()),
                format!("/people/{}", url_encode(e.as_str())),
            ),
            None => Cell::text("No one yet"),
        }],
    ));
    let services: Vec<Cell> = ind
        .services
        .iter()
        .map(|c| {
            Cell::link(
                fw.service(c.as_str())
                    .map(|s| s.title.clone())
                    .unwrap_or_else(|| c.to_string()),
                format!("/services/{c}"),
            )
        })
        .collect();
    facts.push(Fact::new(
        "Services",
        if services.is_empty() {
            vec![Cell::text("—")]
        } else {
            services
        },
    ));
    let outcomes: Vec<Cell> = card
        .outcomes_of(ind)
        .iter()
        .map(|c| Cell::link(c.to_string(), format!("/outcomes/{c}")))
        .collect();
    facts.push(Fact::new(
        "Serves outcomes",
        if outcomes.is_empty() {
            vec![Cell::text("None: linked to nothing (a framework gap)")]
        } else {
            outcomes
        },
    ));

    let (chart, chart_caption) = indicator_chart(ind, &series, &statuses);

    let mut t = TableView::new(
        "Values, targets and statuses",
        &[
            "Period",
            "Value",
            "Target",
            "Status",
            "Trend (previous)",
            "Trend (a year ago)",
            "Rank",
            "Scotland",
            "Data",
            "Why",
        ],
    )
    .numeric(&[1, 2, 6, 7])
    .empty("No values or targets yet.");
    for st in statuses.iter().rev() {
        let target = target_text(st, u).unwrap_or_else(|| "—".into());
        let b = st.benchmark.as_ref();
        t.rows.push(vec![
            Cell::text(st.period.to_string()),
            Cell::num(dash(st.value, u)),
            Cell::num(target),
            status_cell(st.status),
            Cell::text(st.trend_previous.to_string()),
            Cell::text(st.trend_year_ago.to_string()),
            Cell::num(
                b.and_then(|b| {
                    b.rank
                        .map(|r| format!("{r} of {} (Q{})", b.n, b.quartile.unwrap_or(0)))
                })
                .unwrap_or_else(|| "—".into()),
            ),
            Cell::num(
                b.and_then(|b| b.scotland)
                    .map(|v| show(v, u))
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::text(st.data_status.map(|d| d.to_string()).unwrap_or_default()),
            Cell::text(st.explanation.sentence.clone()),
            Cell::text(match (&st.published, &st.current_explanation) {
                (false, _) => "no".to_string(),
                (true, None) => "yes".to_string(),
                (true, Some(now)) => format!("yes; restated since: {}", now.sentence),
            }),
        ]);
    }
    let mut tables = vec![t];
    if ind.by_locality
        && let Some(p) = series.last()
    {
        let mut lt = TableView::new(
            format!("By locality, {p}"),
            &["Locality", "Value", "Status", "Why"],
        )
        .numeric(&[1]);
        for l in &data.perf.localities {
            let st = card.status(ind, *p, Some(&l.value.code));
            lt.rows.push(vec![
                Cell::text(l.value.name.clone()),
                Cell::num(dash(st.value, u)),
                status_cell(st.status),
                Cell::text(st.explanation.sentence),
            ]);
        }
        tables.push(lt);
    }
    let latest = statuses.last().map(|st| {
        (
            format!("status-{}", st.status),
            st.status.to_string(),
            format!("Latest: {}", st.period),
            st.explanation.sentence.clone(),
        )
    });
    let may_enter = staff.caller.actor.may(
        goldthread_domain::permission::Write::Measurement {
            services: &ind.services,
            outcomes: &ind.outcomes,
        },
        fw,
    );
    let entry = may_enter.then(|| {
        let get = |k: &str| posted.map(|f| f.get(k)).unwrap_or_default();
        let mut periods: Vec<goldthread_domain::period::Period> = series.clone();
        if let Some(last) = series.last() {
            periods.push(last.next());
        }
        let chosen = if posted.is_some() {
            get("period")
        } else {
            series.last().map(|p| p.to_string()).unwrap_or_default()
        };
        let mut fields = vec![
            Field::new("select", "period", "Period", "").choices(
                periods
                    .iter()
                    .rev()
                    .map(|p| Choice {
                        value: p.to_string(),
                        label: p.to_string(),
                        selected: p.to_string() == chosen,
                    })
                    .collect(),
            ),
        ];
        if ind.by_locality {
            let mut choices = vec![Choice {
                value: String::new(),
                label: "Whole area".into(),
                selected: get("locality").is_empty(),
            }];
            choices.extend(data.perf.localities.iter().map(|l| Choice {
                value: l.value.code.to_string(),
                label: l.value.name.clone(),
                selected: get("locality") == l.value.code.as_str(),
            }));
            fields.push(Field::new("select", "locality", "Locality", "").choices(choices));
        }
        fields.push(
            Field::new(
                "text",
                "value",
                &format!("Value ({})", ind.unit),
                get("value"),
            )
            .hint("An exact number, e.g. 71.25; leave empty if the value is missing"),
        );
        fields.push(
            Field::new(
                "text",
                "missing_reason",
                "Why the value is missing",
                get("missing_reason"),
            )
            .hint("Only when there is no value"),
        );
        fields.push(Field::new("textarea", "note", "Note", get("note")));
        crate::view::FormView {
            action: format!("/indicators/{}/measurements", url_encode(ind.code.as_str())),
            fields,
            ..Default::default()
        }
        .with_errors(errors)
    });
    let assurable: Vec<(String, String)> = if staff.caller.actor.edits_everything() {
        data.measurements
            .iter()
            .filter(|m| {
                m.indicator == ind.code
                    && m.status == goldthread_domain::performance::DataStatus::Submitted
            })
            .map(|m| {
                let loc = m
                    .locality
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default();
                let shown = m
                    .value
                    .map(|v| show(v, u))
                    .unwrap_or_else(|| "missing".into());
                let place = if loc.is_empty() {
                    String::new()
                } else {
                    format!(" {loc}")
                };
                (
                    format!("{}|{loc}", m.period),
                    format!("{}{place} — {shown}", m.period),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = format!(
        "{}{} — {}",
        if status.is_success() { "" } else { "Error: " },
        ind.code,
        ind.title
    );
    let page = IndicatorPage {
        code: url_encode(ind.code.as_str()),
        entry,
        assurable,
        chrome: chrome_for(staff, &title, "indicators"),
        heading: format!("{} — {}", ind.code, ind.title),
        latest,
        facts,
        chart_caption,
        chart,
        tables,
    };
    match page.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(e) => error_page(AppError::Internal(e.to_string())),
    }
}

async fn enter(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    // The stored version of this period's value, so the change is checked against it.
    let version = match s.app.perf_data(&staff.caller).await {
        Ok(d) => {
            let loc = form.get("locality");
            d.perf
                .measurements
                .iter()
                .find(|r| {
                    r.value.indicator.as_str() == code
                        && r.value.period.to_string() == form.get("period")
                        && r.value
                            .locality
                            .as_ref()
                            .map(|l| l.to_string())
                            .unwrap_or_default()
                            == loc
                })
                .map(|r| r.version)
        }
        Err(e) => return error_page(e),
    };
    let value = form.get("value");
    let input = goldthread_app::performance::MeasurementInput {
        period: form.get("period"),
        locality: Some(form.get("locality")).filter(|l| !l.is_empty()),
        value: Some(value).filter(|v| !v.is_empty()),
        missing_reason: form.get("missing_reason"),
        note: form.get("note"),
        submit: form.get("action") == "submit",
        version,
    };
    match s.app.enter_measurement(&staff.caller, &code, &input).await {
        Ok(_) => axum::response::Redirect::to(&format!("/indicators/{}", url_encode(&code)))
            .into_response(),
        Err(AppError::Validation(v)) => {
            indicator_page(
                &s,
                &staff,
                &code,
                v.into_iter().map(|f| (f.field, f.message)).collect(),
                Some(&form),
            )
            .await
        }
        Err(e @ (AppError::Conflict(_) | AppError::BadRequest(_))) => {
            indicator_page(
                &s,
                &staff,
                &code,
                vec![(String::new(), e.to_string())],
                Some(&form),
            )
            .await
        }
        Err(e) => error_page(e),
    }
}

async fn assure(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let key = form.get("key");
    let (period, locality) = key.split_once('|').unwrap_or((key.as_str(), ""));
    match s
        .app
        .assure(&staff.caller, &code, period, Some(locality))
        .await
    {
        Ok(_) => axum::response::Redirect::to(&format!("/indicators/{}", url_encode(&code)))
            .into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    period: Option<String>,
}

async fn outcome_status(
    State(s): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let period = match q
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(parse_period)
        .transpose()
    {
        Ok(p) => p.unwrap_or_else(|| default_period(today())),
        Err(e) => return error_page(e),
    };
    let row = match s
        .app
        .outcome_status(&staff.caller, &code, Some(period), today())
        .await
    {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let e = &row.explanation;
    let mut t = TableView::new(
        "The indicators behind it",
        &[
            "Indicator",
            "Status",
            "Weight",
            "Points",
            "How it reaches the outcome",
        ],
    )
    .numeric(&[2, 3])
    .empty("No indicator reaches this outcome.");
    for i in &e.items {
        t.rows.push(vec![
            Cell::link(
                i.indicator.clone(),
                format!("/indicators/{}", url_encode(i.code())),
            ),
            status_cell(i.status),
            Cell::num(i.weight.to_string()),
            Cell::num(
                i.points
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "excluded".into()),
            ),
            Cell::text(i.via.clone()),
        ]);
    }
    let previous = period.previous();
    render_page(TablePage {
        chrome: chrome_for(&staff, &format!("{} status", row.outcome), "outcomes"),
        heading: format!("Why is {} {} for {}?", row.outcome, e.status, row.period),
        intro: format!("{} Rule: {}.", e.sentence, e.rule),
        actions: vec![
            Link::new(format!("/outcomes/{}", row.outcome), "Back to the outcome"),
            Link::new(
                format!(
                    "/outcomes/{}/status?period={}",
                    row.outcome,
                    url_encode(&previous.to_string())
                ),
                format!("See {previous}"),
            ),
        ],
        tables: vec![t],
    })
}

async fn exceptions(State(s): State<AppState>, staff: Staff) -> Response {
    let list = match s.app.exceptions(&staff.caller, today()).await {
        Ok(l) => l,
        Err(e) => return error_page(e),
    };
    let (overdue, fw) = match (
        s.app.overdue_actions(&staff.caller, today()).await,
        s.app.view(&staff.caller).await,
    ) {
        (Ok(o), Ok(v)) => (o, v.framework),
        (Err(e), _) | (_, Err(e)) => return error_page(e),
    };
    let mut t = TableView::new(
        format!("Indicators to escalate ({})", list.len()),
        &["Indicator", "Period", "Why", "Outcome boards", "Owner"],
    )
    .empty("Nothing to escalate.");
    for x in &list {
        t.rows.push(vec![
            Cell::link(
                format!("{} — {}", x.indicator, x.title),
                format!("/indicators/{}", url_encode(x.indicator.as_str())),
            ),
            Cell::text(x.period.to_string()),
            Cell::text(x.sentence.clone()),
            Cell::text(
                x.boards
                    .iter()
                    .map(|(p, l)| {
                        format!(
                            "{p}{}",
                            l.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::text(x.owner.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        ]);
    }
    let risks = s
        .app
        .risk_items(&staff.caller, today())
        .await
        .unwrap_or_default();
    let above: Vec<_> = risks.iter().filter(|r| r.above_appetite).collect();
    let risk_table = crate::risks::risk_table(
        &format!("Risks above appetite ({})", above.len()),
        &above,
        "No risk is above the council's appetite.",
    );
    // Benefits at risk or not realised, and late initiatives, escalate too.
    let mut benefits_table = TableView::new(
        "Benefits at risk or not realised",
        &["Benefit", "Portfolio", "Status", "Confidence", "Owner"],
    )
    .empty("No benefit is at risk.");
    if let Ok(b) = s.app.benefits(&staff.caller).await {
        use goldthread_domain::benefits::BenefitStatus as B;
        for r in b
            .benefits
            .iter()
            .filter(|r| matches!(r.value.status, B::AtRisk | B::NotRealised))
        {
            let v = &r.value;
            benefits_table.rows.push(vec![
                Cell::link(
                    format!("{} — {}", v.code, v.title),
                    format!("/benefits/{}", url_encode(v.code.as_str())),
                ),
                Cell::text(v.portfolio.to_string()),
                Cell::tag(v.status.to_string().replace('-', " "), "gap"),
                Cell::text(v.confidence.to_string()),
                Cell::text(v.owner.as_ref().map(|e| e.to_string()).unwrap_or_default()),
            ]);
        }
    }
    let mut late_table = TableView::new(
        "Late initiatives",
        &["Initiative", "Programme", "Stage", "RAG", "End"],
    )
    .empty("No initiative is late.");
    for i in s
        .app
        .initiative_items(&staff.caller, today())
        .await
        .unwrap_or_default()
        .iter()
        .filter(|i| i.late)
    {
        let v = &i.initiative;
        late_table.rows.push(vec![
            Cell::link(
                format!("{} — {}", v.code, v.title),
                format!("/initiatives/{}", url_encode(v.code.as_str())),
            ),
            Cell::text(v.programme.to_string()),
            Cell::text(v.stage.to_string()),
            Cell::text(v.rag.to_string()),
            Cell::tag(
                format!(
                    "Late: ended {}",
                    v.end.map(|d| d.to_string()).unwrap_or_default()
                ),
                "gap",
            ),
        ]);
    }
    render_page(TablePage {
        chrome: chrome_for(&staff, "Exceptions", "exceptions"),
        heading: "Exceptions".into(),
        intro: "Indicators red for the council's number of consecutive periods (2 unless changed in its settings) up to the latest reported one, or with an overdue value — each goes to the outcome board of the portfolio leading an outcome it serves. Beside them, open risks whose residual score is above the council's appetite for their category, the actions of the council's action plans that are overdue (due date passed, neither complete nor cancelled, longest overdue first), benefits at risk or not realised, and initiatives of the transformation programme past their end date and not closed.".into(),
        actions: vec![
            Link::new("/api/v1/exceptions", "Exceptions as JSON"),
            Link::new("/api/v1/risks?above_appetite=true", "Risks above appetite as JSON"),
            Link::new("/api/v1/actions?overdue=true", "Overdue actions as JSON"),
        ],
        tables: vec![
            t,
            risk_table,
            crate::actions::overdue_table(&fw, &overdue),
            benefits_table,
            late_table,
        ],
    })
}

async fn publish(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let period = match parse_period(&form.get("period")) {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    match s.app.publish(&staff.caller, period, today()).await {
        Ok(_) => axum::response::Redirect::to("/indicators?saved=published").into_response(),
        Err(e) => error_page(e),
    }
}

/// The outcome dashboard: every local outcome's roll-up for a period, with why,
/// the enablers view, and the indicator statuses behind them.
async fn dashboard(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let period = match q
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(parse_period)
        .transpose()
    {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let report = match s
        .app
        .status_report(&staff.caller, period, None, false, today())
        .await
    {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let p = report.period;
    let mut outcomes = TableView::new(
        format!("Outcomes, {p}"),
        &[
            "Outcome",
            "Status",
            "Score",
            "Indicators counted",
            "Excluded",
            "Why",
        ],
    )
    .numeric(&[2, 3, 4]);
    for o in &report.outcomes {
        let e = &o.explanation;
        outcomes.rows.push(vec![
            Cell::link(
                format!("{} — {}", o.outcome, o.title),
                format!(
                    "/outcomes/{}/status?period={}",
                    o.outcome,
                    url_encode(&p.to_string())
                ),
            ),
            Cell::tag(
                e.status.to_string(),
                &format!("status-{}", outcome_css(e.status)),
            ),
            Cell::num(e.score.clone().unwrap_or_else(|| "—".into())),
            Cell::num(e.counted.to_string()),
            Cell::num(e.excluded.to_string()),
            Cell::text(e.sentence.clone()),
        ]);
    }
    let en = &report.enablers;
    outcomes.rows.push(vec![
        Cell::text("Enablers (all enabler indicators)"),
        Cell::tag(
            en.status.to_string(),
            &format!("status-{}", outcome_css(en.status)),
        ),
        Cell::num(en.score.clone().unwrap_or_else(|| "—".into())),
        Cell::num(en.counted.to_string()),
        Cell::num(en.excluded.to_string()),
        Cell::text(en.sentence.clone()),
    ]);
    let mut counts = TableView::new(
        format!("Indicator statuses, {p} (whole area)"),
        &["Status", "Indicators"],
    )
    .numeric(&[1]);
    for r in Rag::ALL {
        let n = report
            .indicators
            .iter()
            .filter(|s| s.locality.is_none() && s.status == *r)
            .count();
        counts.rows.push(vec![
            Cell::link(r.to_string(), format!("/indicators?status={r}")),
            Cell::num(n.to_string()),
        ]);
    }
    let previous = p.previous();
    render_page(TablePage {
        chrome: chrome_for(&staff, "Outcome dashboard", "dashboard"),
        heading: format!("Outcome dashboard, {p}"),
        intro: "Each local outcome's status comes from its outcome indicators and the service indicators of the services that contribute to it, weighted by contribution strength; select an outcome to see why it has its status.".into(),
        actions: vec![
            Link::new(format!("/dashboard?period={}", url_encode(&previous.to_string())), format!("See {previous}")),
            Link::new(format!("/api/v1/status?period={}", url_encode(&p.to_string())), "These statuses as JSON"),
        ],
        tables: vec![outcomes, counts],
    })
}

/// Outcome statuses share the indicator status colours (no-data looks like no-target).
pub(crate) fn outcome_css(s: goldthread_domain::performance::OutcomeStatus) -> &'static str {
    use goldthread_domain::performance::OutcomeStatus::*;
    match s {
        Green => "green",
        Amber => "amber",
        Red => "red",
        NoData => "no-target",
    }
}

/// The SVG line chart of an indicator's values with its target or band and the
/// Scotland and family-group comparators (its text alternative lists the values),
/// and its caption.
pub(crate) fn indicator_chart(
    ind: &goldthread_domain::indicator::Indicator,
    series: &[goldthread_domain::period::Period],
    statuses: &[IndicatorStatus],
) -> (String, String) {
    let u = ind.unit;
    let labels: Vec<String> = series.iter().map(|p| p.to_string()).collect();
    let mut lines = vec![Series {
        name: "Value".into(),
        values: statuses.iter().map(|s| f64_of(s.value)).collect(),
        style: "solid",
        markers: true,
    }];
    if statuses.iter().any(|s| s.target.is_some()) {
        lines.push(Series {
            name: "Target".into(),
            values: statuses.iter().map(|s| f64_of(s.target)).collect(),
            style: "dashed",
            markers: false,
        });
    }
    if statuses.iter().any(|s| s.band_low.is_some()) {
        lines.push(Series {
            name: "Band low".into(),
            values: statuses.iter().map(|s| f64_of(s.band_low)).collect(),
            style: "dotted",
            markers: false,
        });
        lines.push(Series {
            name: "Band high".into(),
            values: statuses.iter().map(|s| f64_of(s.band_high)).collect(),
            style: "dotted",
            markers: false,
        });
    }
    let bench: Vec<Option<&goldthread_domain::performance::Benchmark>> =
        statuses.iter().map(|s| s.benchmark.as_ref()).collect();
    if bench.iter().any(|b| b.and_then(|b| b.scotland).is_some()) {
        lines.push(Series {
            name: "Scotland".into(),
            values: bench
                .iter()
                .map(|b| f64_of(b.and_then(|b| b.scotland)))
                .collect(),
            style: "dotted",
            markers: true,
        });
    }
    if bench
        .iter()
        .any(|b| b.and_then(|b| b.family_group_average).is_some())
    {
        lines.push(Series {
            name: "Family group".into(),
            values: bench
                .iter()
                .map(|b| f64_of(b.and_then(|b| b.family_group_average)))
                .collect(),
            style: "dashed",
            markers: true,
        });
    }
    let described: Vec<String> = statuses
        .iter()
        .filter_map(|s| s.value.map(|v| format!("{} {}", s.period, show(v, u))))
        .collect();
    let caption = format!(
        "{} for each period{}.",
        ind.title,
        if lines.len() > 1 {
            ", with the target and comparators"
        } else {
            ""
        }
    );
    (
        line_chart(
            "ind",
            &format!("{} by period", ind.title),
            &format!("Values: {}.", described.join("; ")),
            &labels,
            &lines,
        ),
        caption,
    )
}
