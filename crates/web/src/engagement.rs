//! Engagement pages: staff see every consultation and response (drafts too);
//! the public sees published responses — "you said, we did".
use crate::AppState;
use crate::extract::Staff;
use crate::pages::{chrome_for, error_page, render_page};
use crate::view::{Cell, Link, TablePage, TableView};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use goldthread_domain::engagement::{Consultation, ResponseStatus};
use goldthread_domain::framework::Framework;
use goldthread_store::engagement::EngagementSnapshot;

pub fn router() -> Router<AppState> {
    Router::new().route("/engagement", get(staff_page))
}

fn names(fw: &Framework, c: &Consultation) -> (String, String) {
    let svc: Vec<String> = c
        .services
        .iter()
        .map(|s| {
            fw.service(s.as_str())
                .map(|x| x.title.clone())
                .unwrap_or_else(|| s.to_string())
        })
        .collect();
    let out: Vec<String> = c
        .outcomes
        .iter()
        .map(|o| {
            fw.outcome(o.as_str())
                .map(|x| x.title.clone())
                .unwrap_or_else(|| o.to_string())
        })
        .collect();
    (svc.join("; "), out.join("; "))
}

/// The consultations table: what was asked, of whom, where, when, how many answered.
pub(crate) fn consultation_table(
    fw: &Framework,
    e: &EngagementSnapshot,
    link: impl Fn(&str) -> Option<String>,
) -> TableView {
    let mut t = TableView::new(
        "Consultations",
        &[
            "Consultation",
            "Purpose",
            "Who was asked",
            "Where",
            "Open",
            "Responses",
            "Services",
            "Outcomes",
        ],
    )
    .numeric(&[5])
    .empty("No consultations yet.");
    for r in &e.consultations {
        let c = &r.value;
        let (svc, out) = names(fw, c);
        t.rows.push(vec![
            match link(c.code.as_str()) {
                Some(href) => Cell::link(c.title.clone(), href),
                None => Cell::text(c.title.clone()),
            },
            Cell::text(c.purpose.clone()),
            Cell::text(c.audience.clone()),
            Cell::text(
                c.locality
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "Whole area".into()),
            ),
            Cell::text(format!("{} to {}", c.opens, c.closes)),
            Cell::num(c.responses.to_string()),
            Cell::text(svc),
            Cell::text(out),
        ]);
    }
    t
}

/// "You said, we did": responses, published only unless `drafts`.
pub(crate) fn responses_table(e: &EngagementSnapshot, drafts: bool) -> TableView {
    let mut headers = vec!["You said", "We did", "When", "Consultation"];
    if drafts {
        headers.push("Status");
    }
    let mut t = TableView::new("You said, we did", &headers).empty("No responses published yet.");
    for r in e
        .responses
        .iter()
        .filter(|r| drafts || r.value.status == ResponseStatus::Published)
    {
        let x = &r.value;
        let title = e
            .consultations
            .iter()
            .find(|c| c.value.code == x.consultation)
            .map(|c| c.value.title.clone())
            .unwrap_or_else(|| x.consultation.to_string());
        let mut row = vec![
            Cell::text(x.you_said.clone()),
            Cell::text(x.we_did.clone()),
            Cell::text(x.date.to_string()),
            Cell::text(title),
        ];
        if drafts {
            row.push(Cell::tag(
                x.status.to_string(),
                if x.status == ResponseStatus::Published {
                    "primary"
                } else {
                    "some"
                },
            ));
        }
        t.rows.push(row);
    }
    t
}

async fn staff_page(State(s): State<AppState>, staff: Staff) -> Response {
    let (view, e) = match (
        s.app.view(&staff.caller).await,
        s.app.engagement(&staff.caller).await,
    ) {
        (Ok(v), Ok(e)) => (v, e),
        (Err(e), _) | (_, Err(e)) => return error_page(e),
    };
    render_page(TablePage {
        chrome: chrome_for(&staff, "Engagement", "engagement"),
        heading: "Engagement: you said, we did".into(),
        intro: "Consultations and what the council did about what people said. Published responses appear on the public site and in the One Report; drafts stay here. Import consultations.csv and responses.csv on Import & export, or with goldthread import consultations|responses.".into(),
        actions: vec![Link::new(
            format!("/p/{}/you-said-we-did", staff.caller.tenant.code),
            "See the public page",
        )],
        tables: vec![consultation_table(&view.framework, &e, |_| None), responses_table(&e, true)],
    })
}
