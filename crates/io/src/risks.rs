//! The risk register's files: `risks.csv` (one row per risk), `controls.csv`
//! (each risk's controls, in order) and `risk-reviews.csv` (the scores each
//! review of a risk recorded). Each is validated whole; nothing is returned
//! unless every row is valid.
use crate::rows::{Row, done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::risk::{
    Appetite, Control, Risk, RiskCategory, RiskReview, RiskStatus, Scored, problems,
};
use goldthread_domain::{Code, Email};
use std::collections::{BTreeMap, BTreeSet};

pub const RISKS: &[&str] = &[
    "code",
    "title",
    "category",
    "cause",
    "event",
    "effect",
    "owner",
    "outcomes",
    "services",
    "programme",
    "review",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
    "review_date",
    "status",
];
/// `risk-appetite.csv`: the highest acceptable residual score per category.
pub const APPETITE: &[&str] = &["category", "appetite"];
pub const CONTROLS: &[&str] = &["risk", "control", "owner", "effectiveness"];
pub const RISK_REVIEWS: &[&str] = &[
    "risk",
    "date",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
    "note",
];

/// What a risk may refer to.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub outcomes: BTreeSet<Code>,
    pub services: BTreeSet<Code>,
    pub people: BTreeSet<Email>,
    pub reviews: BTreeSet<Code>,
    /// The risks held (for controls and reviews).
    pub risks: BTreeSet<Code>,
    /// The programmes in the programme register (a risk may name one).
    pub programmes: BTreeSet<Code>,
}

fn score(r: &mut Row<'_>, prefix: &str) -> Option<Scored> {
    let mut part = |p: &str| {
        let col = format!("{prefix}_{p}");
        match r.parsed::<u8>(&col) {
            Some(v) if (1..=5).contains(&v) => Some(v),
            Some(v) => {
                r.error(&col, format!("{v} is not from 1 to 5"));
                None
            }
            None => None,
        }
    };
    let (likelihood, impact) = (part("likelihood"), part("impact"));
    Some(Scored {
        likelihood: likelihood?,
        impact: impact?,
    })
}

fn known_codes(
    r: &mut Row<'_>,
    col: &str,
    codes: &Option<Vec<Code>>,
    known: &BTreeSet<Code>,
    what: &str,
) {
    for c in codes.iter().flatten() {
        if !known.contains(c) {
            r.error(col, format!("unknown {what} code '{c}'"));
        }
    }
}

/// Reads and validates `risks.csv`: codes unique; title required; a category,
/// status (empty = open), owner (a known person, optional), outcomes and
/// services (`;`-separated known codes), a known review (optional), each score
/// 1–5 with residual no worse than inherent and target no worse than residual,
/// and a review date (`YYYY-MM-DD`, optional). Controls come from
/// `controls.csv`; `existing` keeps a held risk's controls when only
/// `risks.csv` is imported.
pub fn read_risks(
    source: &Source,
    known: &Known,
    existing: &BTreeMap<Code, Vec<Control>>,
) -> Result<Vec<Risk>, Vec<ImportError>> {
    let t = required_table(source, "risks")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), RISKS, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let category = r.parsed("category");
        let owner = r.email("owner", false);
        r.known_person(
            "owner",
            owner.as_ref().and_then(|o| o.as_ref()),
            &known.people,
        );
        let outcomes = r.codes("outcomes");
        known_codes(r, "outcomes", &outcomes, &known.outcomes, "outcome");
        let services = r.codes("services");
        known_codes(r, "services", &services, &known.services, "service");
        let review = match r.raw("review").to_string() {
            v if v.is_empty() => Some(None),
            _ => r.code("review").map(Some),
        };
        if let Some(Some(c)) = &review
            && !known.reviews.contains(c)
        {
            r.error("review", format!("unknown service review '{c}'"));
        }
        let (inherent, residual, target) = (
            score(r, "inherent"),
            score(r, "residual"),
            score(r, "target"),
        );
        let review_date = r.date("review_date", false);
        let programme = r.optional("programme");
        if !programme.is_empty()
            && !Code::parse(&programme).is_ok_and(|p| known.programmes.contains(&p))
        {
            r.error(
                "programme",
                format!("unknown programme '{programme}' (give a programme's code)"),
            );
        }
        let status = if r.raw("status").is_empty() {
            Some(RiskStatus::Open)
        } else {
            r.parsed("status")
        };
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        let (
            Some(code),
            Some(title),
            Some(category),
            Some(owner),
            Some(outcomes),
            Some(services),
            Some(review),
            Some(inherent),
            Some(residual),
            Some(target),
            Some(review_date),
            Some(status),
        ) = (
            code,
            title,
            category,
            owner,
            outcomes,
            services,
            review,
            inherent,
            residual,
            target,
            review_date,
            status,
        )
        else {
            return;
        };
        let risk = Risk {
            controls: existing.get(&code).cloned().unwrap_or_default(),
            code,
            title,
            category,
            cause: r.optional("cause"),
            event: r.optional("event"),
            effect: r.optional("effect"),
            owner,
            outcomes,
            services,
            programme,
            review,
            inherent,
            residual,
            target,
            review_date,
            status,
        };
        let p = problems(&risk);
        for (field, msg) in &p {
            r.error(field, msg.clone());
        }
        if p.is_empty()
            && risk.outcomes.iter().all(|o| known.outcomes.contains(o))
            && risk.services.iter().all(|s| known.services.contains(s))
            && risk.owner.as_ref().is_none_or(|o| known.people.contains(o))
            && risk
                .review
                .as_ref()
                .is_none_or(|c| known.reviews.contains(c))
        {
            out.push(risk);
        }
    });
    done(errors, out)
}

/// Reads and validates `controls.csv`: each row one control of a known risk
/// (held, or in the `risks.csv` imported with it), the control described, an
/// owner (a known person, optional) and its effectiveness. Returns each risk's
/// controls in file order; a risk the file names has exactly those controls.
pub fn read_controls(
    source: &Source,
    known: &Known,
) -> Result<BTreeMap<Code, Vec<Control>>, Vec<ImportError>> {
    let t = required_table(source, "controls")?;
    let (mut errors, mut out) = (Vec::new(), BTreeMap::<Code, Vec<Control>>::new());
    let mut seen = BTreeMap::new();
    each_row(&Some(t), CONTROLS, &mut errors, |r| {
        let risk = r.code("risk");
        if let Some(c) = &risk
            && !known.risks.contains(c)
        {
            r.error("risk", format!("unknown risk '{c}' (add it to risks.csv)"));
        }
        let control = r.required("control");
        let owner = r.email("owner", false);
        r.known_person(
            "owner",
            owner.as_ref().and_then(|o| o.as_ref()),
            &known.people,
        );
        let effectiveness = r.parsed("effectiveness");
        if let (Some(k), Some(c)) = (&risk, &control)
            && r.duplicate(
                &mut seen,
                "control",
                (k.clone(), c.to_lowercase()),
                &format!("control '{c}' of risk {k}"),
            )
        {
            return;
        }
        if let (Some(risk), Some(control), Some(owner), Some(effectiveness)) =
            (risk, control, owner, effectiveness)
            && known.risks.contains(&risk)
            && owner.as_ref().is_none_or(|o| known.people.contains(o))
        {
            out.entry(risk).or_default().push(Control {
                control,
                owner,
                effectiveness,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `risk-reviews.csv`: each row the scores one review of a
/// known risk recorded on a date (one per risk and date), each 1–5, residual
/// no worse than inherent, target no worse than residual.
pub fn read_risk_reviews(
    source: &Source,
    known: &Known,
) -> Result<Vec<RiskReview>, Vec<ImportError>> {
    let t = required_table(source, "risk-reviews")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), RISK_REVIEWS, &mut errors, |r| {
        let risk = r.code("risk");
        if let Some(c) = &risk
            && !known.risks.contains(c)
        {
            r.error("risk", format!("unknown risk '{c}' (add it to risks.csv)"));
        }
        let date = r.date("date", true).flatten();
        let (inherent, residual, target) = (
            score(r, "inherent"),
            score(r, "residual"),
            score(r, "target"),
        );
        if let (Some(k), Some(d)) = (&risk, date)
            && r.duplicate(
                &mut seen,
                "date",
                (k.clone(), d),
                &format!("the review of {k} on {d}"),
            )
        {
            return;
        }
        if let (Some(i), Some(res)) = (inherent, residual)
            && res.score() > i.score()
        {
            r.error(
                "residual_likelihood",
                format!(
                    "the residual score ({}) cannot be above the inherent score ({})",
                    res.score(),
                    i.score()
                ),
            );
            return;
        }
        if let (Some(res), Some(t)) = (residual, target)
            && t.score() > res.score()
        {
            r.error(
                "target_likelihood",
                format!(
                    "the target score ({}) cannot be above the residual score ({})",
                    t.score(),
                    res.score()
                ),
            );
            return;
        }
        if let (Some(risk), Some(date), Some(inherent), Some(residual), Some(target)) =
            (risk, date, inherent, residual, target)
            && known.risks.contains(&risk)
        {
            out.push(RiskReview {
                risk,
                date,
                inherent,
                residual,
                target,
                note: r.optional("note"),
            });
        }
    });
    done(errors, out)
}

/// Reads `risk-appetite.csv`: each category once, with the highest acceptable
/// residual score, a whole number from 1 to 25.
pub fn read_appetite(source: &Source) -> Result<Vec<(RiskCategory, u8)>, Vec<ImportError>> {
    let t = required_table(source, "risk-appetite")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), APPETITE, &mut errors, |r| {
        let category: Option<RiskCategory> = r.parsed("category");
        let appetite = match r.parsed::<u8>("appetite") {
            Some(a) if (1..=25).contains(&a) => Some(a),
            Some(a) => {
                r.error("appetite", format!("{a} is not from 1 to 25"));
                None
            }
            None => None,
        };
        if let Some(c) = category
            && r.duplicate(&mut seen, "category", c, &format!("'{c}'"))
        {
            return;
        }
        if let (Some(c), Some(a)) = (category, appetite) {
            out.push((c, a));
        }
    });
    done(errors, out)
}

/// `risk-appetite.csv` rows, as the import reads them.
pub fn appetite_rows(a: &Appetite) -> Vec<Vec<String>> {
    a.iter()
        .map(|(k, v)| vec![k.to_string(), v.to_string()])
        .collect()
}

fn codes_text(v: &[Code]) -> String {
    v.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

/// `risks.csv` rows, as the import reads them.
pub fn risk_rows(v: &[Risk]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| {
            vec![
                r.code.to_string(),
                r.title.clone(),
                r.category.to_string(),
                r.cause.clone(),
                r.event.clone(),
                r.effect.clone(),
                r.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                codes_text(&r.outcomes),
                codes_text(&r.services),
                r.programme.clone(),
                r.review.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                r.inherent.likelihood.to_string(),
                r.inherent.impact.to_string(),
                r.residual.likelihood.to_string(),
                r.residual.impact.to_string(),
                r.target.likelihood.to_string(),
                r.target.impact.to_string(),
                r.review_date.map(|d| d.to_string()).unwrap_or_default(),
                r.status.to_string(),
            ]
        })
        .collect()
}

/// `controls.csv` rows, as the import reads them.
pub fn control_rows(v: &[Risk]) -> Vec<Vec<String>> {
    v.iter()
        .flat_map(|r| {
            r.controls.iter().map(|c| {
                vec![
                    r.code.to_string(),
                    c.control.clone(),
                    c.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                    c.effectiveness.to_string(),
                ]
            })
        })
        .collect()
}

/// `risk-reviews.csv` rows, as the import reads them.
pub fn risk_review_rows(v: &[RiskReview]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| {
            vec![
                r.risk.to_string(),
                r.date.to_string(),
                r.inherent.likelihood.to_string(),
                r.inherent.impact.to_string(),
                r.residual.likelihood.to_string(),
                r.residual.impact.to_string(),
                r.target.likelihood.to_string(),
                r.target.impact.to_string(),
                r.note.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, body: &str) -> Source {
        Source::Csv(
            [(format!("{name}.csv"), body.as_bytes().to_vec())]
                .into_iter()
                .collect(),
        )
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn known() -> Known {
        Known {
            outcomes: [code("LO1")].into_iter().collect(),
            services: [code("PE-WASTE")].into_iter().collect(),
            people: [Email::parse("owner@demo.example").unwrap()]
                .into_iter()
                .collect(),
            reviews: [code("REV-1")].into_iter().collect(),
            risks: [code("R1")].into_iter().collect(),
            programmes: [code("TTC-2026")].into_iter().collect(),
        }
    }

    fn shown(e: Vec<ImportError>) -> Vec<String> {
        e.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn risks_are_read_and_written_back_the_same() {
        let h = RISKS.join(",");
        let body = format!(
            "{h}\nR1,Partners do not materialise,partnership,Ambition,Partners hold back,Sunk costs,owner@demo.example,LO1,PE-WASTE,TTC-2026,REV-1,4,4,3,4,2,3,2027-03-31,\n"
        );
        let v = read_risks(&src("risks", &body), &known(), &BTreeMap::new()).unwrap();
        assert_eq!(v[0].residual.score(), 12);
        assert_eq!(v[0].status, RiskStatus::Open);
        let rows = risk_rows(&v);
        assert_eq!(rows[0][18], "open");
        assert_eq!(rows[0][10], "REV-1");
        assert_eq!(rows[0][9], "TTC-2026");
    }

    #[test]
    fn every_risk_error_is_reported_by_row_and_column() {
        let h = RISKS.join(",");
        let body = format!(
            "{h}\n\
             R1,,misc,,,,nobody@demo.example,LO9,NOPE,Transformation Through Collaboration,REV-9,6,4,3,4,2,3,2027-02-30,live\n\
             R2,Worse after controls,delivery,,,,,,,,,2,2,3,3,1,1,,\n\
             R2,Again,delivery,,,,,,,,,2,2,1,1,1,1,,\n"
        );
        let e = shown(read_risks(&src("risks", &body), &known(), &BTreeMap::new()).unwrap_err());
        for expected in [
            "risks.csv:2:title: is required",
            "risks.csv:2:category:",
            "risks.csv:2:owner: unknown person 'nobody@demo.example'",
            "risks.csv:2:outcomes: unknown outcome code 'LO9'",
            "risks.csv:2:services: unknown service code 'NOPE'",
            "risks.csv:2:review: unknown service review 'REV-9'",
            "risks.csv:2:programme: unknown programme 'Transformation Through Collaboration' (give a programme's code)",
            "risks.csv:2:inherent_likelihood: 6 is not from 1 to 5",
            "risks.csv:2:review_date:",
            "risks.csv:2:status:",
            "risks.csv:3:residual_likelihood: the residual score (9) cannot be above the inherent score (4)",
            "risks.csv:4:code: 'R2' is a duplicate of row 3",
        ] {
            assert!(
                e.iter().any(|x| x.starts_with(expected)),
                "missing {expected} in {e:#?}"
            );
        }
    }

    #[test]
    fn controls_and_reviews_name_known_risks() {
        let body = "risk,control,owner,effectiveness\nR1,Outcome boards,owner@demo.example,partly\nR1,Escalation routes,,effective\nR9,Nothing,,effective\nR1,outcome boards,,sometimes\n";
        let e = shown(read_controls(&src("controls", body), &known()).unwrap_err());
        assert!(
            e.iter()
                .any(|x| x.starts_with("controls.csv:4:risk: unknown risk 'R9'")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|x| x.starts_with("controls.csv:5:control:")),
            "{e:?}"
        );
        let ok = read_controls(
            &src(
                "controls",
                &body.lines().take(3).collect::<Vec<_>>().join("\n"),
            ),
            &known(),
        )
        .unwrap();
        assert_eq!(ok[&code("R1")].len(), 2);
        let h = RISK_REVIEWS.join(",");
        let body = format!(
            "{h}\nR1,2026-03-31,4,4,3,4,2,3,First\nR1,2026-03-31,4,4,3,3,2,3,Again\nR1,2026-06-30,2,2,3,3,1,1,\n"
        );
        let e = shown(read_risk_reviews(&src("risk-reviews", &body), &known()).unwrap_err());
        assert!(
            e.iter().any(|x| x.starts_with(
                "risk-reviews.csv:3:date: the review of R1 on 2026-03-31 is a duplicate of row 2"
            )),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|x| x.starts_with("risk-reviews.csv:4:residual_likelihood:")),
            "{e:?}"
        );
    }
}
