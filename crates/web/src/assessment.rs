//! Best Value self-assessment pages: every theme year on year (the score in
//! words and figures, the movement in words), the latest year's evidence and
//! improvement actions, and a form per year with errors beside the fields.
use crate::AppState;
use crate::extract::{Staff, StaffForm};
use crate::pages::{
    Flash, FormData, chrome_for, error_page, form_errors, form_response, render_page, url_encode,
};
use crate::view::{Cell, Choice, Field, FormView, Link, TablePage, TableView};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use goldthread_app::assessment::themes_of;
use goldthread_app::performance::parse_period_as;
use goldthread_domain::Code;
use goldthread_domain::assessment::{Movement, Theme, ThemeScore};
use goldthread_domain::period::{Frequency, Period};
use goldthread_domain::permission::Write;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/self-assessment", get(overview))
        .route("/self-assessment/{year}", get(year_form).post(save_year))
}

const WORDS: [&str; 5] = [
    "1 weak",
    "2 unsatisfactory",
    "3 satisfactory",
    "4 good",
    "5 excellent",
];

fn year_path(y: Period) -> String {
    format!(
        "/self-assessment/{}",
        url_encode(&y.to_string().replace('/', "-"))
    )
}

async fn overview(State(s): State<AppState>, staff: Staff, Query(flash): Query<Flash>) -> Response {
    let c = &staff.caller;
    let (cmp, snap, fw) = match async {
        Ok::<_, goldthread_app::AppError>((
            s.app.self_assessment_comparison(c).await?,
            s.app.self_assessment(c).await?,
            s.app.view(c).await?.framework,
        ))
    }
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let mut headers = vec!["Theme".to_string()];
    headers.extend(cmp.years.iter().map(|y| y.to_string()));
    headers.push("Latest movement".into());
    let heads: Vec<&str> = headers.iter().map(String::as_str).collect();
    let n = cmp.years.len();
    let mut t = TableView::new("Scores year on year (1 weak to 5 excellent)", &heads)
        .numeric(&(1..=n).collect::<Vec<_>>())
        .empty("No year has been assessed yet.");
    for r in cmp.rows.iter().filter(|_| n > 0) {
        let mut row = vec![Cell::text(r.theme.title.clone())];
        row.extend(r.scores.iter().map(|s| {
            Cell::num(
                s.map(|v| WORDS[usize::from(v) - 1].to_string())
                    .unwrap_or_else(|| "Not assessed".into()),
            )
        }));
        row.push(match r.movement {
            Movement::Improved => Cell::tag("Improved", "status-green"),
            Movement::Declined => Cell::tag("Declined", "gap"),
            Movement::Same => Cell::text("No change"),
            Movement::New => Cell::text("Not comparable"),
        });
        t.rows.push(row);
    }
    if n > 0 {
        let mut row = vec![Cell::text("Mean")];
        row.extend(
            cmp.means
                .iter()
                .map(|m| Cell::num(m.clone().unwrap_or_default())),
        );
        row.push(Cell::text(""));
        t.rows.push(row);
    }
    let mut tables = vec![t];
    if let Some(latest) = cmp.years.last() {
        let mut d = TableView::new(
            format!("{latest}: evidence and improvement actions"),
            &[
                "Theme",
                "Score",
                "Evidence",
                "Outcomes",
                "Improvement actions",
            ],
        );
        for th in themes_of(&snap) {
            if let Some(sc) = snap
                .scores
                .iter()
                .find(|r| r.value.year == *latest && r.value.theme == th.code)
            {
                d.rows.push(vec![
                    Cell::text(th.title.clone()),
                    Cell::text(WORDS[usize::from(sc.value.score) - 1]),
                    Cell::text(sc.value.evidence.clone()),
                    Cell::text(
                        sc.value
                            .outcomes
                            .iter()
                            .map(|o| o.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(sc.value.actions.join(", ")),
                ]);
            }
        }
        tables.push(d);
    }
    let mut actions = Vec::new();
    if c.actor.may(Write::ImportFramework, &fw) {
        let this =
            goldthread_app::performance::default_period(time::OffsetDateTime::now_utc().date());
        let fy = match this {
            Period::FinancialYear(y) => Period::FinancialYear(y),
            other => Period::FinancialYear(other.start().year()),
        };
        actions.push(Link::new(year_path(fy), format!("Assess {fy}")));
        for y in cmp.years.iter().rev() {
            if *y != fy {
                actions.push(Link::new(year_path(*y), format!("Change {y}")));
            }
        }
    }
    actions.push(Link::new(
        "/export/self-assessments.csv",
        "Download self-assessments.csv",
    ));
    let mut chrome = chrome_for(&staff, "Best Value self-assessment", "self-assessment");
    chrome.flash = flash.text();
    render_page(TablePage {
        chrome,
        heading: "Best Value self-assessment".into(),
        intro: "Each year the council scores itself 1 (weak) to 5 (excellent) against its Best Value themes, with the evidence and the improvement actions each score leads to. Movements compare the latest year with the one before.".into(),
        actions,
        tables,
    })
}

fn year_of(s: &str) -> Result<Period, goldthread_app::AppError> {
    parse_period_as(&s.replace('-', "/"), Frequency::FinancialYear)
}

fn fields(themes: &[Theme], scores: &[&ThemeScore]) -> Vec<Field> {
    let mut f = Vec::new();
    for t in themes {
        let s = scores.iter().find(|s| s.theme == t.code);
        let mut choices = vec![Choice {
            value: String::new(),
            label: "Not assessed".into(),
            selected: s.is_none(),
        }];
        choices.extend(WORDS.iter().enumerate().map(|(i, w)| Choice {
            value: (i + 1).to_string(),
            label: w.to_string(),
            selected: s.is_some_and(|s| usize::from(s.score) == i + 1),
        }));
        f.push(Field::new(
            "heading",
            &format!("h_{}", t.code),
            &t.title,
            "",
        ));
        f.push(
            Field::new(
                "select",
                &format!("score_{}", t.code),
                &format!("{}: score", t.title),
                "",
            )
            .choices(choices),
        );
        f.push(Field::new(
            "textarea",
            &format!("evidence_{}", t.code),
            &format!("{}: evidence", t.title),
            s.map(|s| s.evidence.clone()).unwrap_or_default(),
        ));
        f.push(
            Field::new(
                "text",
                &format!("outcomes_{}", t.code),
                &format!("{}: outcomes", t.title),
                s.map(|s| {
                    s.outcomes
                        .iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
            )
            .hint("Outcome codes, separated by semicolons, e.g. LO1; LO4."),
        );
        f.push(
            Field::new(
                "text",
                &format!("actions_{}", t.code),
                &format!("{}: improvement actions", t.title),
                s.map(|s| s.actions.join("; ")).unwrap_or_default(),
            )
            .hint("Action codes from the action plans, separated by semicolons."),
        );
    }
    f
}

fn page(
    staff: &Staff,
    year: Period,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
) -> Response {
    form_response(
        staff,
        "self-assessment",
        FormView {
            heading: format!("Self-assessment {year}"),
            caption: "Best Value self-assessment".into(),
            action: year_path(year),
            fields,
            submit: "Save".into(),
            cancel: "/self-assessment".into(),
            version: None,
            general: Vec::new(),
        }
        .with_errors(errors),
    )
}

async fn year_form(State(s): State<AppState>, staff: Staff, Path(year): Path<String>) -> Response {
    let year = match year_of(&year) {
        Ok(y) => y,
        Err(e) => return error_page(e),
    };
    match s.app.self_assessment(&staff.caller).await {
        Ok(snap) => {
            let scores: Vec<&ThemeScore> = snap
                .scores
                .iter()
                .map(|r| &r.value)
                .filter(|v| v.year == year)
                .collect();
            page(&staff, year, fields(&themes_of(&snap), &scores), vec![])
        }
        Err(e) => error_page(e),
    }
}

/// The scores a year's form describes, or its field errors.
fn scores_from(
    f: &FormData,
    year: Period,
    themes: &[Theme],
) -> Result<Vec<ThemeScore>, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for t in themes {
        let k = |x: &str| format!("{x}_{}", t.code);
        let score = f.get(&k("score"));
        let evidence = f.get(&k("evidence"));
        if score.is_empty() {
            if !evidence.is_empty() {
                errors.push((k("score"), "score the theme, or remove its evidence".into()));
            }
            continue;
        }
        let Ok(v) = score.parse::<u8>() else {
            errors.push((k("score"), "choose 1 to 5".into()));
            continue;
        };
        let mut outcomes = Vec::new();
        for o in f
            .get(&k("outcomes"))
            .split(';')
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            match Code::parse(o) {
                Ok(c) => outcomes.push(c),
                Err(e) => errors.push((k("outcomes"), e.0)),
            }
        }
        out.push(ThemeScore {
            year,
            theme: t.code.clone(),
            score: v,
            evidence,
            outcomes,
            actions: f
                .get(&k("actions"))
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn save_year(
    State(s): State<AppState>,
    Path(year): Path<String>,
    StaffForm { staff, form }: StaffForm,
) -> Response {
    let year = match year_of(&year) {
        Ok(y) => y,
        Err(e) => return error_page(e),
    };
    let snap = match s.app.self_assessment(&staff.caller).await {
        Ok(v) => v,
        Err(e) => return error_page(e),
    };
    let themes = themes_of(&snap);
    let again = |errors: Vec<(String, String)>| {
        let mut f = fields(&themes, &[]);
        form.refill(&mut f);
        page(&staff, year, f, errors)
    };
    let scores = match scores_from(&form, year, &themes) {
        Ok(v) => v,
        Err(errors) => return again(errors),
    };
    match s
        .app
        .save_self_assessment(&staff.caller, year, &scores)
        .await
    {
        Ok(_) => Redirect::to("/self-assessment?saved=updated").into_response(),
        Err(e) => match form_errors(&e) {
            Some(errors) => again(errors),
            None => error_page(e),
        },
    }
}
