//! Organisation design pages: the four structure states with their figures;
//! each state with its organisation chart (nested lists by reports-to) and
//! the same posts as a table, tiers, spans and adjustments; two states
//! compared (cost ranges, savings, spans, changes post by post, the XLSX
//! download); the workforce view; grades; forms for posts, grades and the
//! on-cost rate with errors beside their fields. Salaries and each post's
//! cost appear only for admins, performance officers and HR officers;
//! everyone else sees the states' totals.
use crate::AppState;
use crate::api::xlsx_response;
use crate::extract::{Staff, StaffForm};
use crate::forms::{select, vocab, words};
use crate::pages::{
    Flash, FormData, chrome_for, error_page, form_errors, form_response, render, url_encode,
};
use crate::view::{Cell, Chrome, Fact, Field, FormView, Link, RecordPage, Section, TableView};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use goldthread_app::org::{PostItem, parse_rate, state_named};
use goldthread_app::{AppError, Caller};
use goldthread_domain::money::{format_pounds_display, format_pounds_plain, parse_pounds};
use goldthread_domain::org::{
    ChangeKind, Grade, HolderStatus, Post, StateKind, StateSummary, StructureState, WorkforceLine,
};
use goldthread_domain::permission::Write;
use goldthread_domain::{Code, Fte};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(overview))
        .route("/org/states/{state}", get(state_page))
        .route("/org/compare", get(compare_page))
        .route("/org/compare.xlsx", get(compare_xlsx))
        .route("/org/workforce", get(workforce_page))
        .route("/org/grades", get(grades_page).post(create_grade))
        .route("/org/grades/new", get(new_grade))
        .route("/org/grades/{code}/edit", get(edit_grade))
        .route("/org/grades/{code}", post(update_grade))
        .route("/org/posts", post(create_post))
        .route("/org/posts/new", get(new_post))
        .route("/org/states/{state}/posts/{code}/edit", get(edit_post))
        .route("/org/states/{state}/posts/{code}", post(update_post))
        .route("/org/states/{state}/posts/{code}/delete", post(delete_post))
        .route("/org/on-cost", get(on_cost_form).post(set_on_cost))
        .route(
            "/org/states/{state}/details",
            get(details_form).post(save_details),
        )
}

fn money(p: i64) -> String {
    format_pounds_display(p)
}

fn range(lo: i64, hi: i64) -> String {
    format!("{} to {}", money(lo), money(hi))
}

fn opt_range(lo: Option<i64>, hi: Option<i64>) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => range(a, b),
        _ => "Not applicable".into(),
    }
}

fn pct(p: Option<rust_decimal::Decimal>) -> String {
    p.map(|p| format!("{p}%"))
        .unwrap_or_else(|| "No postholders".into())
}

fn may_write(s: &AppState, c: &Caller, fw: &goldthread_domain::framework::Framework) -> bool {
    let _ = s;
    c.actor.may(Write::Org, fw)
}

fn state_link(k: StateKind) -> String {
    format!("/org/states/{k}")
}

/// The figures of a state as facts.
fn summary_facts(s: &StateSummary) -> Vec<Fact> {
    let mut f = vec![
        Fact::text("Posts and FTE", format!("{} posts, {} FTE", s.posts, s.fte)),
        Fact::text(
            "Cost of the posts (grade minimum to maximum, on-costs included)",
            range(s.cost_min_pence, s.cost_max_pence),
        ),
    ];
    for a in &s.adjustments {
        f.push(Fact::text(
            "Adjustment",
            format!(
                "{} ({} FTE at grade {}): {}",
                a.adjustment.description,
                a.adjustment.fte.normalize(),
                a.adjustment.grade,
                range(a.cost_min_pence, a.cost_max_pence)
            ),
        ));
    }
    f.push(Fact::text(
        "Cost after adjustments",
        range(
            s.cost_after_adjustments_min_pence,
            s.cost_after_adjustments_max_pence,
        ),
    ));
    if let (Some(c), Some(b)) = (s.current_cost_pence, s.current_basis) {
        f.push(Fact::text(
            "Current cost the saving is measured from",
            format!("{} ({})", money(c), b.describe()),
        ));
        f.push(Fact::text(
            "Saving against the current structure",
            opt_range(s.saving_min_pence, s.saving_max_pence),
        ));
    }
    f.push(Fact::text(
        "Spans of control",
        format!(
            "{} managers; direct reports: fewest {}, median {}, most {}; {} with fewer than 3, {} with more than 10",
            s.spans.managers,
            s.spans.min,
            s.spans.median,
            s.spans.max,
            s.spans.narrow.len(),
            s.spans.wide.len()
        ),
    ));
    f.push(Fact::text("Layers", s.layers.to_string()));
    f.push(Fact::text(
        "Vacancies",
        format!("{} ({} FTE)", s.vacancies, s.vacant_fte),
    ));
    if let Some(t) = s.by_tier.iter().find(|t| t.tier == 2) {
        f.push(Fact::text(
            "Chief officers (tiers 1–2) not permanent",
            format!(
                "{} of {} postholders ({})",
                t.not_permanent_to_here,
                t.postholders_to_here,
                pct(t.not_permanent_pct_to_here)
            ),
        ));
    }
    f
}

fn tier_table(s: &StateSummary) -> TableView {
    let mut t = TableView::new(
        format!("Posts by tier, {}", s.state.display_name().to_lowercase()),
        &[
            "Tier",
            "Posts",
            "FTE",
            "Vacant",
            "Postholders not permanent",
            "From tier 1 to this tier",
        ],
    )
    .numeric(&[1, 2, 3])
    .empty("No posts.");
    for l in &s.by_tier {
        t.rows.push(vec![
            Cell::text(format!("Tier {}", l.tier)),
            Cell::num(l.posts.to_string()),
            Cell::num(l.fte.to_string()),
            Cell::num(l.vacancies.to_string()),
            Cell::text(format!(
                "{} of {} ({})",
                l.not_permanent,
                l.postholders,
                pct(l.not_permanent_pct)
            )),
            Cell::text(format!(
                "{} of {} ({})",
                l.not_permanent_to_here,
                l.postholders_to_here,
                pct(l.not_permanent_pct_to_here)
            )),
        ]);
    }
    t
}

async fn overview(State(s): State<AppState>, staff: Staff, Query(flash): Query<Flash>) -> Response {
    let c = &staff.caller;
    let (states, fw, rate) = match async {
        Ok::<_, AppError>((
            s.app.structure_states(c).await?,
            s.app.view(c).await?.framework,
            s.app.on_cost_rate(c).await?,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut t = TableView::new(
        "The structure states",
        &[
            "State",
            "Effective",
            "Posts",
            "FTE",
            "Cost of the posts",
            "Cost after adjustments",
            "Saving against current",
            "Layers",
            "Vacancies",
        ],
    )
    .numeric(&[2, 3, 7, 8]);
    for st in &states {
        let m = &st.summary;
        t.rows.push(vec![
            Cell::link(m.state.display_name(), state_link(m.state)),
            Cell::text(
                st.details
                    .effective
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "Not set".into()),
            ),
            Cell::num(m.posts.to_string()),
            Cell::num(m.fte.to_string()),
            Cell::text(range(m.cost_min_pence, m.cost_max_pence)),
            Cell::text(range(
                m.cost_after_adjustments_min_pence,
                m.cost_after_adjustments_max_pence,
            )),
            Cell::text(opt_range(m.saving_min_pence, m.saving_max_pence)),
            Cell::num(m.layers.to_string()),
            Cell::num(m.vacancies.to_string()),
        ]);
    }
    let mut actions = vec![
        Link::new(
            "/org/compare?from=current&to=immediate",
            "Compare two states",
        ),
        Link::new("/org/workforce", "Workforce view"),
        Link::new("/org/grades", "Grades"),
    ];
    if may_write(&s, c, &fw) {
        actions.push(Link::new("/org/posts/new", "Add a post"));
        actions.push(Link::new("/org/on-cost", "Change the on-cost rate"));
    }
    let mut chrome = chrome_for(&staff, "Organisation design", "org");
    chrome.flash = flash.text();
    let sections = states
        .iter()
        .filter(|st| !st.details.description.is_empty())
        .map(|st| Section {
            heading: st.summary.state.display_name().into(),
            intro: st.details.description.clone(),
            links: vec![Link::new(
                state_link(st.summary.state),
                format!(
                    "The {} with its organisation chart",
                    st.summary.state.display_name().to_lowercase()
                ),
            )],
            ..Default::default()
        })
        .collect::<Vec<_>>();
    let mut all = vec![Section {
        heading: "Structure states".into(),
        intro: format!(
            "The management structure as it is and as proposed (2026 §3.10): each state's cost is every post's salary × FTE × (1 + on-cost rate) at grade minimum and at grade maximum, plus stated adjustments, rounded to the penny at the end. The saving is the current cost less the state's maximum (lowest saving) or minimum (highest saving). On-cost rate: {}%{}.",
            (rate.0 * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
            if rate.1 {
                " (set by the council)"
            } else {
                " (the default)"
            }
        ),
        tables: vec![t],
        links: vec![],
    }];
    all.extend(sections);
    render(
        StatusCode::OK,
        RecordPage {
            chrome,
            caption: String::new(),
            heading: "Organisation design".into(),
            facts: vec![],
            actions,
            delete: None,
            sections: all,
        },
    )
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn holder_words(h: HolderStatus) -> &'static str {
    match h {
        HolderStatus::Permanent => "permanent",
        HolderStatus::Interim => "interim",
        HolderStatus::Acting => "acting",
        HolderStatus::Secondment => "on secondment",
        HolderStatus::Vacant => "vacant",
    }
}

/// The organisation chart as nested lists by reports-to (posts whose
/// reports-to is not in the state start their own list).
fn chart(posts: &[&Post]) -> String {
    let codes: Vec<&Code> = posts.iter().map(|p| &p.code).collect();
    let mut children: BTreeMap<Option<&Code>, Vec<&Post>> = BTreeMap::new();
    for p in posts {
        let parent = p.reports_to.as_ref().filter(|r| codes.contains(r));
        children.entry(parent).or_default().push(p);
    }
    for v in children.values_mut() {
        v.sort_by(|a, b| (a.tier, &a.code).cmp(&(b.tier, &b.code)));
    }
    fn list(
        out: &mut String,
        parent: Option<&Code>,
        children: &BTreeMap<Option<&Code>, Vec<&Post>>,
        depth: usize,
    ) {
        let Some(kids) = children.get(&parent) else {
            return;
        };
        if depth > 30 {
            return;
        }
        out.push_str("<ul>");
        for p in kids {
            out.push_str("<li><span class=\"org-post\"><strong>");
            out.push_str(&esc(&p.title));
            out.push_str("</strong> ");
            let mut meta = format!(
                "({}; tier {}; grade {}; {} FTE; {})",
                p.code,
                p.tier,
                p.grade,
                p.fte,
                holder_words(p.holder_status)
            );
            if !p.extra_duties.is_empty() {
                meta.push_str(&format!(" — also {}", p.extra_duties));
            }
            out.push_str(&esc(&meta));
            out.push_str("</span>");
            list(out, Some(&p.code), children, depth + 1);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    let mut out = String::new();
    list(&mut out, None, &children, 0);
    out
}

#[derive(Template)]
#[template(path = "org_state.html")]
pub struct StatePage {
    pub chrome: Chrome,
    pub heading: String,
    pub description: String,
    pub facts: Vec<Fact>,
    pub actions: Vec<Link>,
    pub chart: String,
    pub sections: Vec<Section>,
}

fn post_table(caption: &str, items: &[&PostItem], sees: bool, editable: bool) -> TableView {
    let mut head = vec![
        "Post",
        "Tier",
        "Grade",
        "FTE",
        "Holder",
        "Reports to",
        "Portfolio",
        "Services managed",
    ];
    if sees {
        head.push("Cost (min to max)");
    }
    let mut t = TableView::new(caption, &head)
        .numeric(&[1, 3])
        .empty("No posts in this state.");
    for i in items {
        let p = &i.post;
        let name = format!("{} — {}", p.code, p.title);
        let mut row = vec![
            if editable {
                Cell::link(
                    name,
                    format!(
                        "/org/states/{}/posts/{}/edit",
                        p.state,
                        url_encode(p.code.as_str())
                    ),
                )
            } else {
                Cell::text(name)
            },
            Cell::num(p.tier.to_string()),
            Cell::text(p.grade.to_string()),
            Cell::num(p.fte.to_string()),
            Cell::text(words(holder_words(p.holder_status))),
            Cell::text(
                p.reports_to
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "No one (top)".into()),
            ),
            Cell::text(p.portfolio.clone()),
            Cell::text(
                p.services
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        if sees {
            row.push(Cell::text(opt_range(i.cost_min_pence, i.cost_max_pence)));
        }
        t.rows.push(row);
    }
    t
}

async fn state_page(
    State(s): State<AppState>,
    staff: Staff,
    Path(state): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let r = async {
        let k = state_named(&state)?;
        Ok::<_, AppError>((
            k,
            s.app.structure_states(c).await?,
            s.app.posts(c, Some(k)).await?,
            s.app.view(c).await?.framework,
        ))
    }
    .await;
    let (k, states, posts, fw) = match r {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let st = states
        .into_iter()
        .find(|x| x.details.state == k)
        .expect("every state is listed");
    let sees = c.actor.sees_salaries();
    let editable = may_write(&s, c, &fw);
    let plain: Vec<&Post> = posts.iter().map(|p| &p.post).collect();
    let refs: Vec<&PostItem> = posts.iter().collect();
    let m = &st.summary;
    let mut spans = TableView::new(
        "Managers with fewer than 3 or more than 10 direct reports",
        &["Post", "Direct reports"],
    )
    .numeric(&[1])
    .empty("Every manager has 3 to 10 direct reports.");
    for (code, n) in m.spans.narrow.iter().chain(&m.spans.wide) {
        let title = plain
            .iter()
            .find(|p| &p.code == code)
            .map(|p| p.title.clone())
            .unwrap_or_default();
        spans.rows.push(vec![
            Cell::text(format!("{code} — {title}")),
            Cell::num(n.to_string()),
        ]);
    }
    let mut actions = vec![
        Link::new("/org", "All structure states"),
        Link::new(
            format!("/org/compare?from=current&to={k}"),
            "Compare with the current structure",
        ),
        Link::new(format!("/org/workforce?state={k}"), "Workforce view"),
    ];
    if editable {
        actions.push(Link::new(format!("/org/posts/new?state={k}"), "Add a post"));
        actions.push(Link::new(
            format!("/org/states/{k}/details"),
            "Edit the date, description and actual cost",
        ));
    }
    let mut chrome = chrome_for(&staff, k.display_name(), "org");
    chrome.flash = flash.text();
    render(
        StatusCode::OK,
        StatePage {
            chrome,
            heading: k.display_name().into(),
            description: format!(
                "{}{}",
                st.details
                    .effective
                    .map(|d| format!("Effective {d}. "))
                    .unwrap_or_default(),
                st.details.description
            ),
            facts: summary_facts(m),
            actions,
            chart: chart(&plain),
            sections: vec![
                Section {
                    heading: "Posts".into(),
                    intro: if sees {
                        "The same posts as the chart, with each post's cost at grade minimum and maximum (on-costs included).".into()
                    } else {
                        "The same posts as the chart. Costs are shown for the whole state only.".into()
                    },
                    tables: vec![post_table(
                        &format!("Posts in the {}", k.display_name().to_lowercase()),
                        &refs,
                        sees,
                        editable,
                    )],
                    links: vec![],
                },
                Section {
                    heading: "Tiers".into(),
                    intro: "Tier 1 is the Chief Executive, 2 Directors, 3 Heads of Service, 4 Senior or Service Managers, 5 Team Leaders. The share not permanent counts postholders (vacant posts aside) who are interim, acting or seconded.".into(),
                    tables: vec![tier_table(m)],
                    links: vec![],
                },
                Section {
                    heading: "Spans of control".into(),
                    intro: String::new(),
                    tables: vec![spans],
                    links: vec![],
                },
            ],
        },
    )
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

fn pair(q: &CompareQuery) -> Result<(StateKind, StateKind), AppError> {
    Ok((
        state_named(q.from.as_deref().unwrap_or("current"))?,
        state_named(q.to.as_deref().unwrap_or("immediate"))?,
    ))
}

fn describe(p: &Option<Post>) -> String {
    p.as_ref()
        .map(|p| {
            format!(
                "{} (tier {}, grade {}, {} FTE, {}{})",
                p.title,
                p.tier,
                p.grade,
                p.fte,
                holder_words(p.holder_status),
                p.reports_to
                    .as_ref()
                    .map(|r| format!(", reports to {r}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "—".into())
}

async fn compare_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<CompareQuery>,
) -> Response {
    let c = &staff.caller;
    let r = async {
        let (from, to) = pair(&q)?;
        Ok::<_, AppError>((from, to, s.app.compare_states(c, from, to).await?))
    }
    .await;
    let (from, to, cmp) = match r {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let (a, b) = (&cmp.from, &cmp.to);
    let mut figures = TableView::new(
        format!(
            "{} and {}",
            from.display_name(),
            to.display_name().to_lowercase()
        ),
        &["Figure", from.display_name(), to.display_name()],
    );
    let mut row = |label: &str, x: String, y: String| {
        figures
            .rows
            .push(vec![Cell::text(label), Cell::text(x), Cell::text(y)]);
    };
    row("Posts", a.posts.to_string(), b.posts.to_string());
    row("FTE", a.fte.to_string(), b.fte.to_string());
    row(
        "Cost of the posts",
        range(a.cost_min_pence, a.cost_max_pence),
        range(b.cost_min_pence, b.cost_max_pence),
    );
    row(
        "Adjustments",
        range(a.adjustments_min_pence, a.adjustments_max_pence),
        range(b.adjustments_min_pence, b.adjustments_max_pence),
    );
    row(
        "Cost after adjustments",
        range(
            a.cost_after_adjustments_min_pence,
            a.cost_after_adjustments_max_pence,
        ),
        range(
            b.cost_after_adjustments_min_pence,
            b.cost_after_adjustments_max_pence,
        ),
    );
    row("Layers", a.layers.to_string(), b.layers.to_string());
    row(
        "Spans of control (fewest, median, most)",
        format!("{}, {}, {}", a.spans.min, a.spans.median, a.spans.max),
        format!("{}, {}, {}", b.spans.min, b.spans.median, b.spans.max),
    );
    row(
        "Managers with fewer than 3 / more than 10 reports",
        format!("{} / {}", a.spans.narrow.len(), a.spans.wide.len()),
        format!("{} / {}", b.spans.narrow.len(), b.spans.wide.len()),
    );
    row(
        "Vacancies",
        a.vacancies.to_string(),
        b.vacancies.to_string(),
    );
    let mut changes = TableView::new(
        "Changes post by post",
        &["Post", "Change", "Before", "After", "What changed"],
    )
    .empty("Neither state has posts.");
    for ch in &cmp.changes {
        let tag = match ch.change {
            ChangeKind::Kept => Cell::text("Kept"),
            ChangeKind::Changed => Cell::tag("Changed", "status-amber"),
            ChangeKind::Added => Cell::tag("Added", "status-green"),
            ChangeKind::Deleted => Cell::tag("Deleted", "status-red"),
        };
        changes.rows.push(vec![
            Cell::text(ch.code.to_string()),
            tag,
            Cell::text(describe(&ch.from)),
            Cell::text(describe(&ch.to)),
            Cell::text(
                ch.fields
                    .iter()
                    .map(|f| words(&f.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]);
    }
    let counts = cmp
        .counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut actions: Vec<Link> = StateKind::ALL
        .iter()
        .filter(|k| **k != from && **k != to)
        .map(|k| {
            Link::new(
                format!("/org/compare?from={from}&to={k}"),
                format!(
                    "Compare with the {} instead",
                    k.display_name().to_lowercase()
                ),
            )
        })
        .collect();
    if c.actor.sees_salaries() {
        actions.insert(
            0,
            Link::new(
                format!("/org/compare.xlsx?from={from}&to={to}"),
                "Download the comparison (XLSX with formulas)",
            ),
        );
    }
    render(
        StatusCode::OK,
        RecordPage {
            chrome: chrome_for(&staff, "Compare structure states", "org"),
            caption: "Organisation design".into(),
            heading: format!(
                "{} compared with the {}",
                to.display_name(),
                from.display_name().to_lowercase()
            ),
            facts: vec![
                Fact::text(
                    "Cost the saving is measured from",
                    format!(
                        "{} ({})",
                        money(cmp.from_cost_pence),
                        cmp.from_basis.describe()
                    ),
                ),
                Fact::text("Saving", range(cmp.saving_min_pence, cmp.saving_max_pence)),
                Fact::text("Posts", counts),
            ],
            actions,
            delete: None,
            sections: vec![
                Section {
                    heading: "Figures side by side".into(),
                    tables: vec![figures],
                    ..Default::default()
                },
                Section {
                    heading: "Changes post by post".into(),
                    tables: vec![changes],
                    ..Default::default()
                },
            ],
        },
    )
}

async fn compare_xlsx(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<CompareQuery>,
) -> Response {
    let r = async {
        let (from, to) = pair(&q)?;
        Ok::<_, AppError>((
            from,
            to,
            s.app.comparison_xlsx(&staff.caller, from, to).await?,
        ))
    }
    .await;
    match r {
        Ok((from, to, bytes)) => xlsx_response(bytes, &format!("structure-{from}-{to}.xlsx")),
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize, Default)]
pub struct StateQuery {
    state: Option<String>,
}

fn workforce_table(caption: &str, first: &str, lines: &[WorkforceLine]) -> TableView {
    let mut t = TableView::new(
        caption,
        &[
            first,
            "Posts",
            "Headcount",
            "FTE",
            "Vacancies",
            "Interim cover",
        ],
    )
    .numeric(&[1, 2, 3, 4, 5])
    .empty("No posts.");
    for l in lines {
        t.rows.push(vec![
            Cell::text(words(&l.key)),
            Cell::num(l.posts.to_string()),
            Cell::num(l.headcount.to_string()),
            Cell::num(l.fte.to_string()),
            Cell::num(l.vacancies.to_string()),
            Cell::num(l.interim_cover.to_string()),
        ]);
    }
    t
}

async fn workforce_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<StateQuery>,
) -> Response {
    let c = &staff.caller;
    let r = async {
        let k = state_named(q.state.as_deref().unwrap_or("current"))?;
        Ok::<_, AppError>((k, s.app.workforce(c, k).await?))
    }
    .await;
    let (k, w) = match r {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let actions = StateKind::ALL
        .iter()
        .filter(|x| **x != k)
        .map(|x| {
            Link::new(
                format!("/org/workforce?state={x}"),
                format!("The {}", x.display_name().to_lowercase()),
            )
        })
        .collect();
    let section = |h: &str, t: TableView| Section {
        heading: h.into(),
        tables: vec![t],
        ..Default::default()
    };
    render(
        StatusCode::OK,
        RecordPage {
            chrome: chrome_for(&staff, "Workforce view", "org"),
            caption: "Organisation design".into(),
            heading: format!("Workforce view: {}", k.display_name().to_lowercase()),
            facts: vec![
                Fact::text("Posts", w.total.posts.to_string()),
                Fact::text("Headcount (posts held)", w.total.headcount.to_string()),
                Fact::text("FTE", w.total.fte.to_string()),
                Fact::text("Vacancies", w.total.vacancies.to_string()),
                Fact::text(
                    "Interim cover (interim, acting or seconded)",
                    w.total.interim_cover.to_string(),
                ),
            ],
            actions,
            delete: None,
            sections: vec![
                section("By portfolio", workforce_table("Posts by portfolio", "Portfolio", &w.by_portfolio)),
                section("By tier", workforce_table("Posts by tier", "Tier", &w.by_tier)),
                section("By grade", workforce_table("Posts by grade", "Grade", &w.by_grade)),
                section(
                    "By holder status",
                    workforce_table("Posts by holder status", "Holder status", &w.by_holder_status),
                ),
                Section {
                    heading: "By delivery model of the services managed".into(),
                    intro: "A post's FTE is split equally over the services it manages and counted under each service's delivery model (the mixed economy); a post counts once in each model it works in.".into(),
                    tables: vec![workforce_table(
                        "FTE by delivery model",
                        "Delivery model",
                        &w.by_delivery_model,
                    )],
                    links: vec![Link::new("/mixed-economy", "The mixed economy")],
                },
            ],
        },
    )
}

async fn grades_page(
    State(s): State<AppState>,
    staff: Staff,
    Query(flash): Query<Flash>,
) -> Response {
    let c = &staff.caller;
    let (grades, fw) =
        match async { Ok::<_, AppError>((s.app.grades(c).await?, s.app.view(c).await?.framework)) }
            .await
        {
            Ok(v) => v,
            Err(e) => return error_page(e),
        };
    let sees = c.actor.sees_salaries();
    let editable = may_write(&s, c, &fw);
    let mut head = vec!["Grade", "Posts on it"];
    if sees {
        head.extend(["Minimum salary", "Maximum salary", "On-cost rate"]);
    }
    let mut t = TableView::new("Pay grades", &head)
        .numeric(&[1])
        .empty("No grades yet: import grades.csv.");
    for g in &grades {
        let name = format!("{} — {}", g.code, g.title);
        let mut row = vec![
            if editable {
                Cell::link(
                    name,
                    format!("/org/grades/{}/edit", url_encode(g.code.as_str())),
                )
            } else {
                Cell::text(name)
            },
            Cell::num(g.posts.to_string()),
        ];
        if sees {
            row.push(Cell::text(
                g.min_salary_pence.map(money).unwrap_or_default(),
            ));
            row.push(Cell::text(
                g.max_salary_pence.map(money).unwrap_or_default(),
            ));
            row.push(Cell::text(
                g.on_cost_rate
                    .map(|r| format!("{}%", (r * rust_decimal::Decimal::ONE_HUNDRED).normalize()))
                    .unwrap_or_else(|| "The council's".into()),
            ));
        }
        t.rows.push(row);
    }
    let mut actions = vec![Link::new("/org", "Organisation design")];
    if editable {
        actions.push(Link::new("/org/grades/new", "Add a grade"));
    }
    let mut chrome = chrome_for(&staff, "Grades", "org");
    chrome.flash = flash.text();
    render(
        StatusCode::OK,
        RecordPage {
            chrome,
            caption: "Organisation design".into(),
            heading: "Grades".into(),
            facts: vec![],
            actions,
            delete: None,
            sections: vec![Section {
                heading: "Pay grades".into(),
                intro: if sees {
                    "Annual salary ranges; a post costs its grade's salary × FTE × (1 + on-cost rate).".into()
                } else {
                    "Salaries are shown to admins, performance officers and HR officers only."
                        .into()
                },
                tables: vec![t],
                links: vec![],
            }],
        },
    )
}

type Errors = Vec<(String, String)>;

fn grade_fields(g: Option<&Grade>) -> Vec<Field> {
    let text = |f: fn(&Grade) -> String| g.map(f).unwrap_or_default();
    let mut f = Vec::new();
    if g.is_none() {
        f.push(
            Field::new("text", "code", "Code", "")
                .hint("A short unique reference, e.g. HOS. It cannot change later.")
                .required(),
        );
    }
    f.extend([
        Field::new("text", "title", "Title", text(|g| g.title.clone())).required(),
        Field::new(
            "text",
            "min_salary",
            "Minimum annual salary (£)",
            text(|g| format_pounds_plain(g.min_salary_pence)),
        )
        .hint("In pounds, e.g. 88685.")
        .required(),
        Field::new(
            "text",
            "max_salary",
            "Maximum annual salary (£)",
            text(|g| format_pounds_plain(g.max_salary_pence)),
        )
        .hint("Not below the minimum.")
        .required(),
        Field::new(
            "text",
            "on_cost_rate",
            "On-cost rate of this grade",
            text(|g| g.on_cost_rate.map(|r| r.to_string()).unwrap_or_default()),
        )
        .hint("Employer's national insurance and pension, e.g. 0.3 or 30%. Leave empty to use the council's rate."),
    ]);
    f
}

fn grade_from(f: &FormData, code: Option<&str>) -> Result<Grade, Errors> {
    let mut e: Errors = Vec::new();
    let code = Code::parse(&code.map(str::to_string).unwrap_or_else(|| f.get("code")))
        .map_err(|x| e.push(("code".into(), x.0)))
        .ok();
    let mut pounds = |name: &str| {
        parse_pounds(&f.get(name))
            .map_err(|x| e.push((name.into(), x.0)))
            .ok()
    };
    let min = pounds("min_salary");
    let max = pounds("max_salary");
    let rate = f.opt("on_cost_rate").and_then(|v| {
        parse_rate(&v)
            .map_err(|x| e.push(("on_cost_rate".into(), x.0)))
            .ok()
    });
    let g = match (code, min, max) {
        (Some(code), Some(min), Some(max)) => Grade {
            code,
            title: f.get("title"),
            min_salary_pence: min,
            max_salary_pence: max,
            on_cost_rate: rate,
        },
        _ => return Err(e),
    };
    e.extend(goldthread_domain::org::grade_problems(&g));
    if e.is_empty() { Ok(g) } else { Err(e) }
}

fn grade_form(
    staff: &Staff,
    existing: Option<(&Grade, i64)>,
    errors: Errors,
    posted: Option<&FormData>,
) -> Response {
    let mut fields = grade_fields(existing.map(|e| e.0));
    if let Some(p) = posted {
        p.refill(&mut fields);
    }
    let (heading, action, submit, version) = match existing {
        Some((g, v)) => (
            format!("Edit grade {} — {}", g.code, g.title),
            format!("/org/grades/{}", url_encode(g.code.as_str())),
            "Save changes",
            Some(posted.and_then(FormData::version).unwrap_or(v)),
        ),
        None => (
            "Add a grade".into(),
            "/org/grades".into(),
            "Add grade",
            None,
        ),
    };
    form_response(
        staff,
        "org",
        FormView {
            heading,
            caption: "Organisation design".into(),
            action,
            fields,
            submit: submit.into(),
            cancel: "/org/grades".into(),
            version,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

async fn new_grade(staff: Staff) -> Response {
    grade_form(&staff, None, vec![], None)
}

async fn held_grade(s: &AppState, c: &Caller, code: &str) -> Result<(Grade, i64), AppError> {
    s.app
        .org_snapshot(c)
        .await?
        .grades
        .into_iter()
        .find(|g| g.value.code.as_str() == code)
        .map(|g| (g.value, g.version))
        .ok_or_else(|| AppError::NotFound(format!("There is no grade '{code}'.")))
}

async fn edit_grade(State(s): State<AppState>, staff: Staff, Path(code): Path<String>) -> Response {
    if !staff.caller.actor.sees_salaries() {
        return error_page(AppError::Forbidden(
            "your role sees costs only in aggregate".into(),
        ));
    }
    match held_grade(&s, &staff.caller, &code).await {
        Ok((g, v)) => grade_form(&staff, Some((&g, v)), vec![], None),
        Err(e) => error_page(e),
    }
}

async fn create_grade(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let g = match grade_from(&form, None) {
        Ok(g) => g,
        Err(errors) => return grade_form(&staff, None, errors, Some(&form)),
    };
    match s.app.create_grade(&staff.caller, &g).await {
        Ok(_) => Redirect::to("/org/grades?saved=created").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => grade_form(&staff, None, errors, Some(&form)),
            None => error_page(e),
        },
    }
}

async fn update_grade(
    State(s): State<AppState>,
    Path(code): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let before = match held_grade(&s, &staff.caller, &code).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let g = match grade_from(&form, Some(&code)) {
        Ok(g) => g,
        Err(errors) => return grade_form(&staff, Some((&before.0, before.1)), errors, Some(&form)),
    };
    match s
        .app
        .update_grade(&staff.caller, &code, &g, form.version())
        .await
    {
        Ok(_) => Redirect::to("/org/grades?saved=updated").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => grade_form(&staff, Some((&before.0, before.1)), errors, Some(&form)),
            None => error_page(e),
        },
    }
}

struct PostChoices {
    grades: Vec<(String, String)>,
    posts: Vec<(String, String)>,
    services: Vec<(String, String)>,
}

async fn post_choices(s: &AppState, c: &Caller, k: StateKind) -> Result<PostChoices, AppError> {
    let snap = s.app.org_snapshot(c).await?;
    let fw = s.app.view(c).await?.framework;
    Ok(PostChoices {
        grades: snap
            .grades
            .iter()
            .map(|g| {
                (
                    g.value.code.to_string(),
                    format!("{} — {}", g.value.code, g.value.title),
                )
            })
            .collect(),
        posts: snap
            .posts
            .iter()
            .filter(|p| p.value.state == k)
            .map(|p| {
                (
                    p.value.code.to_string(),
                    format!("{} — {}", p.value.code, p.value.title),
                )
            })
            .collect(),
        services: fw
            .services
            .iter()
            .map(|x| (x.code.to_string(), format!("{} — {}", x.code, x.title)))
            .collect(),
    })
}

fn post_fields(k: &PostChoices, state: StateKind, p: Option<&Post>) -> Vec<Field> {
    let text = |f: fn(&Post) -> String| p.map(f).unwrap_or_default();
    let mut f = Vec::new();
    if p.is_none() {
        f.push(
            select(
                "state",
                "Structure state",
                "Choose a state",
                &vocab(StateKind::ALL),
                state.as_str(),
            )
            .required(),
        );
        f.push(
            Field::new("text", "code", "Code", "")
                .hint("Unique within the state, e.g. HOS-CS. The same code in two states is the same post.")
                .required(),
        );
    }
    f.extend([
        Field::new("text", "title", "Title", text(|p| p.title.clone())).required(),
        Field::new("number", "tier", "Tier", text(|p| p.tier.to_string()))
            .hint("1 Chief Executive, 2 Directors, 3 Heads of Service, 4 Senior or Service Managers, 5 Team Leaders.")
            .required(),
        select("grade", "Grade", "Choose a grade", &k.grades, &text(|p| p.grade.to_string())).required(),
        Field::new("text", "fte", "FTE", text(|p| p.fte.to_string()))
            .hint("For example 1 or 0.5 (at most 2 decimal places).")
            .required(),
        select(
            "holder_status",
            "Holder",
            "Choose one",
            &vocab(HolderStatus::ALL),
            &text(|p| p.holder_status.to_string()),
        )
        .required(),
        select(
            "reports_to",
            "Reports to",
            "No one (the top of the structure)",
            &k.posts,
            &text(|p| p.reports_to.as_ref().map(|c| c.to_string()).unwrap_or_default()),
        ),
        Field::new("text", "portfolio", "Portfolio", text(|p| p.portfolio.clone())),
        Field::new("checkboxes", "services", "Services it manages", "").choices(
            k.services
                .iter()
                .map(|(v, l)| crate::view::Choice {
                    value: v.clone(),
                    label: l.clone(),
                    selected: p.is_some_and(|p| p.services.iter().any(|c| c.as_str() == v)),
                })
                .collect(),
        ),
        Field::new("text", "extra_duties", "Extra duties", text(|p| p.extra_duties.clone()))
            .hint("For example: Depute Chief Executive."),
    ]);
    f
}

fn post_from(f: &FormData, fixed: Option<(StateKind, &str)>) -> Result<Post, Errors> {
    let mut e: Errors = Vec::new();
    let state = match fixed {
        Some((k, _)) => Some(k),
        None => f
            .get("state")
            .parse::<StateKind>()
            .map_err(|_| e.push(("state".into(), "choose a structure state".into())))
            .ok(),
    };
    let code = Code::parse(
        &fixed
            .map(|x| x.1.to_string())
            .unwrap_or_else(|| f.get("code")),
    )
    .map_err(|x| e.push(("code".into(), x.0)))
    .ok();
    let tier = f
        .get("tier")
        .trim()
        .parse::<u8>()
        .map_err(|_| e.push(("tier".into(), "is a whole number from 1 to 9".into())))
        .ok();
    let grade = Code::parse(&f.get("grade"))
        .map_err(|_| e.push(("grade".into(), "choose a grade".into())))
        .ok();
    let fte = Fte::parse(&f.get("fte"))
        .map_err(|x| e.push(("fte".into(), x.0)))
        .ok();
    let holder = f
        .get("holder_status")
        .parse::<HolderStatus>()
        .map_err(|_| e.push(("holder_status".into(), "choose who holds the post".into())))
        .ok();
    let reports_to = f.opt("reports_to").and_then(|v| {
        Code::parse(&v)
            .map_err(|x| e.push(("reports_to".into(), x.0)))
            .ok()
    });
    let services: Vec<Code> = f
        .all("services")
        .iter()
        .filter_map(|v| Code::parse(v).ok())
        .collect();
    match (state, code, tier, grade, fte, holder) {
        (Some(state), Some(code), Some(tier), Some(grade), Some(fte), Some(holder_status))
            if e.is_empty() =>
        {
            Ok(Post {
                state,
                code,
                title: f.get("title"),
                tier,
                grade,
                fte,
                holder_status,
                reports_to,
                portfolio: f.get("portfolio"),
                services,
                extra_duties: f.get("extra_duties"),
            })
        }
        _ => Err(e),
    }
}

async fn post_form(
    s: &AppState,
    staff: &Staff,
    state: StateKind,
    existing: Option<(&Post, i64)>,
    errors: Errors,
    posted: Option<&FormData>,
) -> Response {
    let k = match post_choices(s, &staff.caller, state).await {
        Ok(k) => k,
        Err(e) => return error_page(e),
    };
    let mut fields = post_fields(&k, state, existing.map(|x| x.0));
    if let Some(p) = posted {
        p.refill(&mut fields);
    }
    let (heading, action, submit, version) = match existing {
        Some((p, v)) => (
            format!(
                "Edit {} — {} ({})",
                p.code,
                p.title,
                state.display_name().to_lowercase()
            ),
            format!("/org/states/{state}/posts/{}", url_encode(p.code.as_str())),
            "Save changes",
            Some(posted.and_then(FormData::version).unwrap_or(v)),
        ),
        None => ("Add a post".into(), "/org/posts".into(), "Add post", None),
    };
    form_response(
        staff,
        "org",
        FormView {
            heading,
            caption: "Organisation design".into(),
            action,
            fields,
            submit: submit.into(),
            cancel: state_link(state),
            version,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

async fn new_post(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<StateQuery>,
) -> Response {
    let state = q
        .state
        .as_deref()
        .and_then(|x| x.parse().ok())
        .unwrap_or(StateKind::Current);
    post_form(&s, &staff, state, None, vec![], None).await
}

async fn edit_post(
    State(s): State<AppState>,
    staff: Staff,
    Path((state, code)): Path<(String, String)>,
) -> Response {
    let r = async {
        let k = state_named(&state)?;
        Ok::<_, AppError>((k, s.app.post(&staff.caller, k, &code).await?))
    }
    .await;
    match r {
        Ok((k, p)) => post_form(&s, &staff, k, Some((&p.post, p.version)), vec![], None).await,
        Err(e) => error_page(e),
    }
}

async fn create_post(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let state = form.get("state").parse().unwrap_or(StateKind::Current);
    let p = match post_from(&form, None) {
        Ok(p) => p,
        Err(errors) => return post_form(&s, &staff, state, None, errors, Some(&form)).await,
    };
    match s.app.create_post(&staff.caller, &p).await {
        Ok(_) => Redirect::to(&format!("{}?saved=created", state_link(p.state))).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => post_form(&s, &staff, state, None, errors, Some(&form)).await,
            None => error_page(e),
        },
    }
}

async fn update_post(
    State(s): State<AppState>,
    Path((state, code)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let r = async {
        let k = state_named(&state)?;
        Ok::<_, AppError>((k, s.app.post(&staff.caller, k, &code).await?))
    }
    .await;
    let (k, before) = match r {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let existing = Some((&before.post, before.version));
    let p = match post_from(&form, Some((k, &code))) {
        Ok(p) => p,
        Err(errors) => return post_form(&s, &staff, k, existing, errors, Some(&form)).await,
    };
    match s
        .app
        .update_post(&staff.caller, k, &code, &p, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=updated", state_link(k))).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => post_form(&s, &staff, k, existing, errors, Some(&form)).await,
            None => error_page(e),
        },
    }
}

async fn delete_post(
    State(s): State<AppState>,
    Path((state, code)): Path<(String, String)>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let r = async {
        let k = state_named(&state)?;
        s.app
            .delete_post(&staff.caller, k, &code, form.version())
            .await?;
        Ok::<_, AppError>(k)
    }
    .await;
    match r {
        Ok(k) => Redirect::to(&format!("{}?saved=deleted", state_link(k))).into_response(),
        Err(e) => error_page(e),
    }
}

fn on_cost_view(rate: &str, errors: Errors) -> FormView {
    FormView {
        heading: "The council's on-cost rate".into(),
        caption: "Organisation design".into(),
        action: "/org/on-cost".into(),
        fields: vec![Field::new("text", "on_cost_rate", "On-cost rate", rate)
            .hint("Employer's national insurance and pension on top of salary, e.g. 0.3 or 30%. Grades with a rate of their own keep it.")
            .required()],
        submit: "Save rate".into(),
        cancel: "/org".into(),
        version: None,
        general: Vec::new(),
    }
    .with_errors(errors)
}

async fn on_cost_form(State(s): State<AppState>, staff: Staff) -> Response {
    match s.app.on_cost_rate(&staff.caller).await {
        Ok((r, _)) => form_response(
            &staff,
            "org",
            on_cost_view(&r.normalize().to_string(), vec![]),
        ),
        Err(e) => error_page(e),
    }
}

async fn set_on_cost(State(s): State<AppState>, StaffForm { staff, form }: StaffForm) -> Response {
    let raw = form.get("on_cost_rate");
    let rate = match parse_rate(&raw) {
        Ok(r) => r,
        Err(e) => {
            return form_response(
                &staff,
                "org",
                on_cost_view(&raw, vec![("on_cost_rate".into(), e.0)]),
            );
        }
    };
    match s.app.set_on_cost_rate(&staff.caller, rate).await {
        Ok(()) => Redirect::to("/org?saved=updated").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => form_response(&staff, "org", on_cost_view(&raw, errors)),
            None => error_page(e),
        },
    }
}

/// The form for a state's details: its effective date, description and (for
/// the current state, when the real pay of holders is known) actual cost.
fn details_view(
    k: StateKind,
    values: [String; 3],
    version: Option<i64>,
    errors: Errors,
) -> FormView {
    let [effective, description, actual] = values;
    let mut fields = vec![
        Field::new("date", "effective", "Effective from", effective)
            .hint("The day the structure takes (or took) effect, e.g. 2026-05-01."),
        Field::new("textarea", "description", "Description", description),
    ];
    if k == StateKind::Current {
        fields.push(
            Field::new("text", "actual_cost", "Actual annual cost (£)", actual).hint(
                "When the real pay of the holders is known: savings are then measured from it instead of the current posts at grade maximum. In pounds, on-costs included; leave empty to use the grades.",
            ),
        );
    }
    FormView {
        heading: format!("{}: date, description and cost", k.display_name()),
        caption: "Organisation design".into(),
        action: format!("/org/states/{k}/details"),
        fields,
        submit: "Save".into(),
        cancel: state_link(k),
        version,
        general: Vec::new(),
    }
    .with_errors(errors)
}

async fn details_form(
    State(s): State<AppState>,
    staff: Staff,
    Path(state): Path<String>,
) -> Response {
    let c = &staff.caller;
    let r = async {
        let k = state_named(&state)?;
        let fw = s.app.view(c).await?.framework;
        if !c.actor.may(Write::Org, &fw) {
            return Err(AppError::Forbidden(format!(
                "Your role ({}) cannot change the organisation design.",
                c.role()
            )));
        }
        let item = s
            .app
            .structure_states(c)
            .await?
            .into_iter()
            .find(|i| i.details.state == k)
            .ok_or_else(|| AppError::NotFound(format!("no {k} state")))?;
        Ok::<_, AppError>((k, item))
    }
    .await;
    match r {
        Ok((k, i)) => form_response(
            &staff,
            "org",
            details_view(
                k,
                [
                    i.details
                        .effective
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    i.details.description.clone(),
                    i.details
                        .actual_cost_pence
                        .map(format_pounds_plain)
                        .unwrap_or_default(),
                ],
                i.version,
                vec![],
            ),
        ),
        Err(e) => error_page(e),
    }
}

async fn save_details(
    State(s): State<AppState>,
    Path(state): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let k = match state_named(&state) {
        Ok(k) => k,
        Err(e) => return error_page(e),
    };
    let values = [
        form.get("effective"),
        form.get("description"),
        form.get("actual_cost"),
    ];
    let mut errors: Errors = Vec::new();
    let effective = match values[0].trim() {
        "" => None,
        v => time::Date::parse(v, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|_| {
                errors.push((
                    "effective".into(),
                    format!("'{v}' is not a date (use YYYY-MM-DD)"),
                ))
            })
            .ok(),
    };
    let actual = match values[2].trim() {
        "" => None,
        v => parse_pounds(v)
            .map_err(|e| errors.push(("actual_cost".into(), e.0)))
            .ok(),
    };
    if !errors.is_empty() {
        return form_response(
            &staff,
            "org",
            details_view(k, values, form.version(), errors),
        );
    }
    let details = StructureState {
        state: k,
        effective,
        description: values[1].trim().to_string(),
        actual_cost_pence: actual,
    };
    match s
        .app
        .put_structure_state(&staff.caller, &details, form.version())
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=updated", state_link(k))).into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => form_response(
                &staff,
                "org",
                details_view(k, values, form.version(), errors),
            ),
            None => error_page(e),
        },
    }
}
