//! The One Report: for a period, and for every local outcome or one outcome or
//! one portfolio's outcomes — a contents list, an executive summary (outcomes and
//! indicators by status, the biggest movers since the previous period, the
//! exceptions), then per outcome its status and why, its indicators with chart,
//! trend and benchmark, and its exceptions; then an appendix of definitions. One
//! standalone, printable HTML document (A4 print styles), used by the staff report
//! page and by `goldthread report`.
use crate::AppState;
use crate::extract::Staff;
use crate::pages::{chrome_for, error_page, render_page, url_encode};
use crate::perf_pages::{dash, indicator_chart, outcome_css, target_text, today};
use crate::view::{Choice, Field, FormView};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use goldthread_app::performance::PerfData;
use goldthread_app::performance::{default_period, parse_period};
use goldthread_app::risks::RiskItem;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::Code;
use goldthread_domain::engagement::ResponseStatus;
use goldthread_domain::indicator::Indicator;
use goldthread_domain::performance::{OutcomeStatus, Rag, show};
use goldthread_domain::period::Period;
use goldthread_domain::scorecard::{Exception, IndicatorStatus, Scorecard};
use goldthread_store::engagement::EngagementSnapshot;
use time::Date;

/// Which outcomes a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Outcome(String),
    Portfolio(String),
    /// A committee's: its portfolios' local outcomes and the local outcomes it names.
    Committee(String),
}

impl Scope {
    /// The scope chosen from optional outcome, portfolio and committee codes
    /// (empty means not chosen): an outcome wins, then a portfolio, then a committee.
    pub fn choose(
        outcome: Option<&str>,
        portfolio: Option<&str>,
        committee: Option<&str>,
    ) -> Scope {
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match (given(outcome), given(portfolio), given(committee)) {
            (Some(o), _, _) => Scope::Outcome(o),
            (None, Some(p), _) => Scope::Portfolio(p),
            (None, None, Some(c)) => Scope::Committee(c),
            _ => Scope::All,
        }
    }
}

pub struct IndicatorRow {
    pub code: String,
    pub title: String,
    pub period: String,
    pub value: String,
    pub target: String,
    pub status: String,
    pub trend: String,
    pub trend_year: String,
    pub benchmark: String,
    pub why: String,
    pub chart: String,
    pub chart_caption: String,
}

pub struct OutcomeSection {
    pub code: String,
    pub title: String,
    pub status: String,
    pub css: String,
    pub why: String,
    pub indicators: Vec<IndicatorRow>,
    pub exceptions: Vec<String>,
    /// Published responses to consultations about this outcome:
    /// (you said, we did, when, consultation).
    pub you_said: Vec<(String, String, String, String)>,
    /// Open risks linked to this outcome, most serious residual first:
    /// (risk, residual score and band, appetite, next review).
    pub risks: Vec<(String, String, String, String)>,
    /// Actions linked to this outcome that are not complete or cancelled,
    /// overdue first: (action, plan, status and % complete, due).
    pub actions: Vec<(String, String, String, String)>,
    /// Initiatives of the transformation programme linked to this outcome
    /// that are not closed: (initiative, stage, RAG, end).
    pub initiatives: Vec<(String, String, String, String)>,
}

/// The registers the One Report draws on beside performance (empty for the
/// public report).
#[derive(Default)]
pub struct Registers {
    pub risks: Vec<RiskItem>,
    pub actions: Vec<goldthread_app::actions::ActionLine>,
    pub initiatives: Vec<goldthread_app::programmes::InitiativeItem>,
}

impl Registers {
    /// The caller's council's registers on `today`.
    pub async fn load(app: &App, c: &Caller, today: Date) -> Result<Registers, AppError> {
        Ok(Registers {
            risks: app.risk_items(c, today).await?,
            actions: app
                .actions(c, today, &goldthread_app::actions::ActionFilter::default())
                .await?,
            initiatives: app.initiative_items(c, today).await?,
        })
    }
}

pub struct Mover {
    pub code: String,
    pub title: String,
    pub from: String,
    pub to: String,
    pub change: String,
}

pub struct Definition {
    pub code: String,
    pub title: String,
    pub definition: String,
    pub facts: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct OneReport {
    pub council: String,
    pub title: String,
    pub scope: String,
    pub period: String,
    pub generated: String,
    pub outcome_counts: Vec<(String, String, usize)>,
    pub indicator_counts: Vec<(String, usize)>,
    pub improved: Vec<Mover>,
    pub worsened: Vec<Mover>,
    pub exceptions: Vec<String>,
    pub outcomes: Vec<OutcomeSection>,
    pub definitions: Vec<Definition>,
    /// The styles, embedded in a file; served pages link them instead.
    pub inline_css: Option<&'static str>,
    /// Served pages: back to the builder, and the download address.
    pub back: Option<String>,
    /// Public pages: the council's performance site.
    pub home: Option<String>,
    pub download: String,
    pub download_pdf: String,
}

/// The report's styles, for embedding in a standalone file.
pub const CSS: &str = include_str!("../static/report.css");

fn points(r: Rag) -> Option<i8> {
    match r {
        Rag::Green => Some(2),
        Rag::Amber => Some(1),
        Rag::Red => Some(0),
        _ => None,
    }
}

/// The report's outcomes for `scope`, refusing unknown codes.
fn chosen(
    data: &PerfData,
    engagement: &EngagementSnapshot,
    scope: &Scope,
) -> Result<(String, Vec<Code>), AppError> {
    let fw = data.framework();
    let local = |c: &Code| {
        fw.outcome(c.as_str())
            .is_some_and(|o| o.kind == goldthread_domain::OutcomeKind::Local)
    };
    Ok(match scope {
        Scope::All => (
            "All local outcomes".into(),
            fw.outcomes
                .iter()
                .filter(|o| o.kind == goldthread_domain::OutcomeKind::Local)
                .map(|o| o.code.clone())
                .collect(),
        ),
        Scope::Outcome(code) => {
            let o = fw
                .outcome(code)
                .ok_or_else(|| AppError::NotFound(format!("no outcome '{code}'")))?;
            (
                format!("Outcome {}: {}", o.code, o.title),
                vec![o.code.clone()],
            )
        }
        Scope::Portfolio(code) => {
            let p = fw
                .portfolios
                .iter()
                .find(|p| p.code.as_str() == code)
                .ok_or_else(|| AppError::NotFound(format!("no portfolio '{code}'")))?;
            (
                format!("Portfolio {}: {}", p.code, p.title),
                p.outcomes.iter().filter(|c| local(c)).cloned().collect(),
            )
        }
        Scope::Committee(code) => {
            let c = engagement
                .committees
                .iter()
                .map(|r| &r.value)
                .find(|c| c.code.as_str() == code)
                .ok_or_else(|| AppError::NotFound(format!("no committee '{code}'")))?;
            let named = |o: &Code| {
                c.outcomes.contains(o)
                    || fw
                        .portfolios
                        .iter()
                        .any(|p| c.portfolios.contains(&p.code) && p.outcomes.contains(o))
            };
            (
                c.title.clone(),
                fw.outcomes
                    .iter()
                    .filter(|o| o.kind == goldthread_domain::OutcomeKind::Local && named(&o.code))
                    .map(|o| o.code.clone())
                    .collect(),
            )
        }
    })
}

fn row(
    ind: &Indicator,
    st: &IndicatorStatus,
    series: &[Period],
    all: &[IndicatorStatus],
) -> IndicatorRow {
    let u = ind.unit;
    let (chart, chart_caption) = indicator_chart(ind, series, all);
    let b = st.benchmark.as_ref();
    IndicatorRow {
        code: ind.code.to_string(),
        title: ind.title.clone(),
        period: st.period.to_string(),
        value: dash(st.value, u),
        target: target_text(st, u).unwrap_or_else(|| "—".into()),
        status: st.status.to_string(),
        trend: st.trend_previous.to_string(),
        trend_year: st.trend_year_ago.to_string(),
        benchmark: b
            .and_then(|b| {
                b.rank.map(|r| {
                    let mut s =
                        format!("rank {r} of {}, quartile {}", b.n, b.quartile.unwrap_or(0));
                    if let Some(v) = b.scotland {
                        s.push_str(&format!("; Scotland {}", show(v, u)));
                    }
                    s
                })
            })
            .unwrap_or_else(|| "—".into()),
        why: st.explanation.sentence.clone(),
        chart,
        chart_caption,
    }
}

/// Builds the One Report from `data` (pure: no database).
#[allow(clippy::too_many_arguments)]
pub fn build(
    data: &PerfData,
    engagement: &EngagementSnapshot,
    registers: &Registers,
    council: &str,
    period: Period,
    scope: &Scope,
    today: Date,
) -> Result<OneReport, AppError> {
    let card: Scorecard<'_> = data.card(today);
    let fw = data.framework();
    let (scope_text, codes) = chosen(data, engagement, scope)?;
    // Escalations as the engine finds them today, up to the end of the period
    // reported on (a run that ends later belongs to a later report).
    let exceptions: Vec<Exception> = card
        .exceptions()
        .into_iter()
        .filter(|x| x.period.end() <= period.end())
        .collect();
    let in_scope = |ind: &Indicator| {
        let serves = card.outcomes_of(ind);
        codes.iter().any(|c| serves.contains(c))
    };
    let mut outcomes = Vec::new();
    let mut outcome_counts: Vec<(OutcomeStatus, usize)> = Vec::new();
    for code in &codes {
        let e = card.outcome(code, period);
        match outcome_counts.iter_mut().find(|(s, _)| *s == e.status) {
            Some((_, n)) => *n += 1,
            None => outcome_counts.push((e.status, 1)),
        }
        let mut indicators = Vec::new();
        for item in &e.items {
            let Some(ind) = card.indicator(item.code()) else {
                continue;
            };
            let Some(q) = Scorecard::period_within(ind, period) else {
                continue;
            };
            let series: Vec<Period> = card
                .series(ind)
                .into_iter()
                .filter(|p| p.start() <= q.start())
                .collect();
            let all: Vec<IndicatorStatus> =
                series.iter().map(|p| card.status(ind, *p, None)).collect();
            indicators.push(row(ind, &card.status(ind, q, None), &series, &all));
        }
        outcomes.push(OutcomeSection {
            code: code.to_string(),
            title: fw
                .outcome(code.as_str())
                .map(|o| o.title.clone())
                .unwrap_or_default(),
            status: e.status.to_string(),
            css: format!("status-{}", outcome_css(e.status)),
            why: e.sentence.clone(),
            indicators,
            exceptions: exceptions
                .iter()
                .filter(|x| x.outcomes.contains(code))
                .map(|x| x.sentence.clone())
                .collect(),
            you_said: engagement
                .responses
                .iter()
                .filter(|r| r.value.status == ResponseStatus::Published)
                .filter_map(|r| {
                    let c = engagement.consultations.iter().find(|c| {
                        c.value.code == r.value.consultation && c.value.outcomes.contains(code)
                    })?;
                    Some((
                        r.value.you_said.clone(),
                        r.value.we_did.clone(),
                        r.value.date.to_string(),
                        c.value.title.clone(),
                    ))
                })
                .collect(),
            actions: {
                use goldthread_domain::actions::ActionStatus as S;
                let mut v: Vec<&goldthread_app::actions::ActionLine> = registers
                    .actions
                    .iter()
                    .filter(|a| a.action.outcomes.contains(code))
                    .filter(|a| !matches!(a.action.status, S::Complete | S::Cancelled))
                    .collect();
                v.sort_by(|a, b| {
                    b.overdue
                        .cmp(&a.overdue)
                        .then(a.action.due.cmp(&b.action.due))
                });
                v.into_iter()
                    .map(|a| {
                        (
                            format!("{} — {}", a.action.code, a.action.title),
                            a.plan_title.clone(),
                            format!(
                                "{} ({}%)",
                                a.action.status.to_string().replace('-', " "),
                                a.action.percent_complete
                            ),
                            match (a.action.due, a.overdue) {
                                (Some(d), true) => format!("{d} (overdue)"),
                                (Some(d), false) => d.to_string(),
                                (None, _) => a.action.timescale.clone(),
                            },
                        )
                    })
                    .collect()
            },
            initiatives: registers
                .initiatives
                .iter()
                .filter(|i| i.initiative.outcomes.contains(code))
                .filter(|i| i.initiative.stage != goldthread_domain::programme::Stage::Closed)
                .map(|i| {
                    (
                        format!("{} — {}", i.initiative.code, i.initiative.title),
                        i.initiative.stage.to_string(),
                        i.initiative.rag.to_string(),
                        match (i.initiative.end, i.late) {
                            (Some(d), true) => format!("{d} (late)"),
                            (Some(d), false) => d.to_string(),
                            (None, _) => "Not set".into(),
                        },
                    )
                })
                .collect(),
            risks: goldthread_app::risks::linked(&registers.risks, Some(code), None)
                .into_iter()
                .map(|r| {
                    (
                        format!("{} — {}", r.risk.code, r.risk.title),
                        format!(
                            "{} ({})",
                            r.residual_score,
                            r.residual_band
                                .map(|b| b.to_string().replace('-', " "))
                                .unwrap_or_default()
                        ),
                        match (r.appetite, r.above_appetite) {
                            (Some(a), true) => format!("Above appetite ({a}): escalated"),
                            (Some(a), false) => format!("Within appetite ({a})"),
                            (None, _) => "No appetite set".into(),
                        },
                        match (r.risk.review_date, r.review_overdue) {
                            (Some(d), true) => format!("{d} (overdue)"),
                            (Some(d), false) => d.to_string(),
                            (None, _) => "Not set".into(),
                        },
                    )
                })
                .collect(),
        });
    }
    // Indicators in scope, their status in the period and the one before.
    let mut indicator_counts: Vec<(String, usize)> =
        Rag::ALL.iter().map(|r| (r.to_string(), 0)).collect();
    let (mut improved, mut worsened) = (Vec::new(), Vec::new());
    let mut definitions = Vec::new();
    for ind in data.indicators.iter().filter(|i| in_scope(i)) {
        definitions.push(Definition {
            code: ind.code.to_string(),
            title: ind.title.clone(),
            definition: ind.definition.clone(),
            facts: format!(
                "{} indicator; {}, {}; {}; source {}; tolerance {}",
                ind.tier, ind.unit, ind.frequency, ind.polarity, ind.source, ind.tolerance
            ),
        });
        let Some(q) = Scorecard::period_within(ind, period) else {
            continue;
        };
        let now = card.status(ind, q, None).status;
        if let Some(c) = indicator_counts
            .iter_mut()
            .find(|(s, _)| *s == now.to_string())
        {
            c.1 += 1;
        }
        let before = card.status(ind, q.previous(), None).status;
        if let (Some(a), Some(b)) = (points(before), points(now))
            && a != b
        {
            let m = Mover {
                code: ind.code.to_string(),
                title: ind.title.clone(),
                from: format!("{before} in {}", q.previous()),
                to: format!("{now} in {q}"),
                change: format!("{:+}", b - a),
            };
            if b > a {
                improved.push((b - a, m));
            } else {
                worsened.push((a - b, m));
            }
        }
    }
    let biggest = |mut v: Vec<(i8, Mover)>| -> Vec<Mover> {
        v.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.code.cmp(&y.1.code)));
        v.into_iter().take(10).map(|(_, m)| m).collect()
    };
    let exceptions: Vec<String> = exceptions
        .iter()
        .filter(|x| codes.iter().any(|c| x.outcomes.contains(c)))
        .map(|x| x.sentence.clone())
        .collect();
    Ok(OneReport {
        council: council.to_string(),
        title: format!("{council}: performance report, {period}"),
        scope: scope_text,
        period: period.to_string(),
        generated: today.to_string(),
        outcome_counts: outcome_counts
            .into_iter()
            .map(|(s, n)| (s.to_string(), format!("status-{}", outcome_css(s)), n))
            .collect(),
        indicator_counts,
        improved: biggest(improved),
        worsened: biggest(worsened),
        exceptions,
        outcomes,
        definitions,
        inline_css: Some(CSS),
        back: None,
        home: None,
        download: String::new(),
        download_pdf: String::new(),
    })
}

/// The configuration file's `chromium`, when it sets one.
static CONFIGURED_CHROMIUM: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the Chromium a configuration file gives (the environment still wins).
pub fn configure_chromium(path: &str) {
    CONFIGURED_CHROMIUM.get_or_init(|| path.to_string());
}

/// The Chromium that prints reports: `GOLDTHREAD_CHROMIUM`, else the
/// configuration file's, else `chromium` on the path.
fn chromium() -> String {
    std::env::var("GOLDTHREAD_CHROMIUM")
        .ok()
        .or_else(|| CONFIGURED_CHROMIUM.get().cloned())
        .unwrap_or_else(|| "chromium".into())
}

/// Prints a report to a tagged PDF (structure, language, title and the charts'
/// text alternatives come from the HTML) with headless Chromium, A4 by the
/// report's print styles. Chromium must be installed (Debian: `chromium` and
/// `fonts-liberation`); without it this says so rather than writing anything.
pub async fn html_to_pdf(html: &str) -> Result<Vec<u8>, AppError> {
    let dir = std::env::temp_dir().join(format!(
        "goldthread-report-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Internal(format!("cannot make a work folder: {e}")))?;
    let result = async {
        let page = dir.join("report.html");
        let pdf = dir.join("report.pdf");
        std::fs::write(&page, html).map_err(|e| AppError::Internal(format!("cannot write the page: {e}")))?;
        let out = tokio::process::Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--no-pdf-header-footer",
                "--export-tagged-pdf",
                &format!("--user-data-dir={}", dir.join("profile").display()),
                &format!("--print-to-pdf={}", pdf.display()),
                &format!("file://{}", page.display()),
            ])
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| {
                AppError::Internal(format!(
                    "PDF needs headless Chromium ({}), which could not be started: {e}; install Debian's chromium and fonts-liberation, or set GOLDTHREAD_CHROMIUM",
                    chromium()
                ))
            })?;
        std::fs::read(&pdf).map_err(|_| {
            AppError::Internal(format!(
                "Chromium did not write the PDF: {}",
                String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("no message")
            ))
        })
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The One Report as one standalone HTML document.
pub async fn one_report_html(
    app: &App,
    c: &Caller,
    period: Period,
    scope: &Scope,
    today: Date,
) -> Result<String, AppError> {
    let data = app.perf_data(c).await?;
    let engagement = app.engagement(c).await?;
    let registers = Registers::load(app, c, today).await?;
    let report = build(
        &data,
        &engagement,
        &registers,
        &c.tenant.name,
        period,
        scope,
        today,
    )?;
    report
        .render()
        .map_err(|e| AppError::Internal(format!("report could not be rendered: {e}")))
}

// ---- Staff pages: the builder and the served report ----------------------------

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report", get(builder))
        .route("/report/view", get(view))
        .route("/static/report.css", get(css))
}

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

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub portfolio: Option<String>,
    #[serde(default)]
    pub committee: Option<String>,
    /// Answer as a file to save.
    #[serde(default)]
    pub download: Option<String>,
}

impl ReportQuery {
    fn scope(&self) -> Scope {
        Scope::choose(
            self.outcome.as_deref(),
            self.portfolio.as_deref(),
            self.committee.as_deref(),
        )
    }

    fn query_string(&self, period: Period) -> String {
        format!(
            "period={}&outcome={}&portfolio={}&committee={}",
            url_encode(&period.to_string()),
            url_encode(self.outcome.as_deref().unwrap_or("")),
            url_encode(self.portfolio.as_deref().unwrap_or("")),
            url_encode(self.committee.as_deref().unwrap_or(""))
        )
    }
}

#[derive(Template)]
#[template(path = "report_builder.html")]
struct Builder {
    chrome: crate::view::Chrome,
    form: FormView,
    tenant: String,
    period: String,
}

async fn builder(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (data, engagement) = match (
        s.app.perf_data(&staff.caller).await,
        s.app.engagement(&staff.caller).await,
    ) {
        (Ok(d), Ok(e)) => (d, e),
        (Err(e), _) | (_, Err(e)) => return error_page(e),
    };
    let fw = data.framework();
    let period = default_period(today()).to_string();
    let pick = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    let mut outcomes = vec![Choice {
        value: String::new(),
        label: "Every local outcome".into(),
        selected: true,
    }];
    outcomes.extend(
        fw.outcomes
            .iter()
            .filter(|o| o.kind == goldthread_domain::OutcomeKind::Local)
            .map(|o| Choice {
                value: o.code.to_string(),
                label: format!("{}: {}", o.code, o.title),
                selected: pick(&q.outcome, o.code.as_str()),
            }),
    );
    let mut portfolios = vec![Choice {
        value: String::new(),
        label: "No portfolio (use the outcome above)".into(),
        selected: true,
    }];
    portfolios.extend(fw.portfolios.iter().map(|p| Choice {
        value: p.code.to_string(),
        label: format!("{}: {}", p.code, p.title),
        selected: pick(&q.portfolio, p.code.as_str()),
    }));
    let mut committees = vec![Choice {
        value: String::new(),
        label: "No committee".into(),
        selected: true,
    }];
    committees.extend(engagement.committees.iter().map(|c| Choice {
        value: c.value.code.to_string(),
        label: c.value.title.clone(),
        selected: pick(&q.committee, c.value.code.as_str()),
    }));
    let form = FormView {
        heading: "One Report".into(),
        caption: String::new(),
        action: "/report/view".into(),
        fields: vec![
            Field::new(
                "text",
                "period",
                "Period",
                q.period.clone().unwrap_or_else(|| period.clone()),
            )
            .hint("A financial year such as 2024/25 (or a quarter, month, calendar or academic year).")
            .required(),
            Field::new("select", "outcome", "Outcome", "").choices(outcomes),
            Field::new("select", "portfolio", "Or a portfolio's outcomes", "").choices(portfolios),
            Field::new("select", "committee", "Or a committee's outcomes", "")
                .hint("A committee's report covers the local outcomes of the portfolios it scrutinises and any outcomes it names (import committees.csv to set them).")
                .choices(committees),
        ],
        submit: "Show the report".into(),
        cancel: String::new(),
        version: None,
        general: Vec::new(),
    };
    render_page(Builder {
        chrome: chrome_for(&staff, "One Report", "report"),
        form,
        tenant: staff.caller.tenant.code.clone(),
        period,
    })
}

async fn view(State(s): State<AppState>, staff: Staff, Query(q): Query<ReportQuery>) -> Response {
    let period = match q
        .period
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| parse_period(p.trim()))
        .transpose()
    {
        Ok(p) => p.unwrap_or_else(|| default_period(today())),
        Err(e) => return error_page(e),
    };
    let data = match s.app.perf_data(&staff.caller).await {
        Ok(d) => d,
        Err(e) => return error_page(e),
    };
    let engagement = match s.app.engagement(&staff.caller).await {
        Ok(e) => e,
        Err(e) => return error_page(e),
    };
    let registers = match Registers::load(&s.app, &staff.caller, today()).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let mut report = match build(
        &data,
        &engagement,
        &registers,
        &staff.caller.tenant.name,
        period,
        &q.scope(),
        today(),
    ) {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    if let Some(kind) = q.download.as_deref() {
        let html = match report.render() {
            Ok(h) => h,
            Err(e) => return error_page(AppError::Internal(e.to_string())),
        };
        let (body, content_type, ext) = if kind == "pdf" {
            match html_to_pdf(&html).await {
                Ok(pdf) => (pdf, "application/pdf", "pdf"),
                Err(e) => return error_page(e),
            }
        } else {
            (html.into_bytes(), "text/html; charset=utf-8", "html")
        };
        let name = format!(
            "attachment; filename=\"one-report-{}.{ext}\"",
            period.to_string().replace(['/', ' '], "-")
        );
        return (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::CONTENT_DISPOSITION, name),
            ],
            body,
        )
            .into_response();
    }
    report.inline_css = None;
    report.back = Some(format!("/report?{}", q.query_string(period)));
    report.download = format!("/report/view?{}&download=1", q.query_string(period));
    report.download_pdf = format!("/report/view?{}&download=pdf", q.query_string(period));
    match report.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(AppError::Internal(e.to_string())),
    }
}
