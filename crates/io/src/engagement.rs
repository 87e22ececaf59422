//! The engagement import/export formats: `consultations.csv` and `responses.csv`
//! ("you said, we did"). Validated whole against the framework, the localities and
//! the consultations already held; nothing is returned unless every row is valid.
use crate::rows::{done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::Code;
use goldthread_domain::engagement::{Committee, Consultation, Response, ResponseStatus};
use goldthread_domain::framework::Framework;
use std::collections::{BTreeMap, BTreeSet};

pub const CONSULTATIONS: &[&str] = &[
    "code",
    "title",
    "purpose",
    "audience",
    "locality",
    "opens",
    "closes",
    "responses",
    "services",
    "outcomes",
];
pub const RESPONSES: &[&str] = &["consultation", "you_said", "we_did", "date", "status"];
pub const COMMITTEES: &[&str] = &["code", "title", "portfolios", "outcomes"];

/// Reads and validates `consultations.csv`: codes unique, title required, dates
/// real with opens ≤ closes, responses a whole number ≥ 0, and the locality,
/// services and outcomes known.
pub fn read_consultations(
    source: &Source,
    fw: &Framework,
    localities: &[Code],
) -> Result<Vec<Consultation>, Vec<ImportError>> {
    let t = required_table(source, "consultations")?;
    let services: BTreeSet<&str> = fw.services.iter().map(|s| s.code.as_str()).collect();
    let outcomes: BTreeSet<&str> = fw.outcomes.iter().map(|o| o.code.as_str()).collect();
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), CONSULTATIONS, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let locality = match r.optional("locality").as_str() {
            "" => Some(None),
            v => match Code::parse(v) {
                Ok(c) if localities.contains(&c) => Some(Some(c)),
                Ok(c) => {
                    r.error(
                        "locality",
                        format!("unknown locality code '{c}' (import it in localities.csv first)"),
                    );
                    None
                }
                Err(e) => {
                    r.error("locality", e.0);
                    None
                }
            },
        };
        let (opens, closes) = (
            r.date("opens", true).flatten(),
            r.date("closes", true).flatten(),
        );
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            r.error(
                "closes",
                format!("{c} is before the consultation opens ({o})"),
            );
        }
        let responses = match r.optional("responses").as_str() {
            "" => Some(0),
            v => match v.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    r.error(
                        "responses",
                        format!("'{v}' is not a whole number of responses (0 or more)"),
                    );
                    None
                }
            },
        };
        let svc = r.codes("services");
        for s in svc.iter().flatten() {
            if !services.contains(s.as_str()) {
                r.error("services", format!("unknown service code '{s}'"));
            }
        }
        let outs = r.codes("outcomes");
        for o in outs.iter().flatten() {
            if !outcomes.contains(o.as_str()) {
                r.error("outcomes", format!("unknown outcome code '{o}'"));
            }
        }
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(title),
            Some(locality),
            Some(opens),
            Some(closes),
            Some(responses),
            Some(services),
            Some(outcomes),
        ) = (code, title, locality, opens, closes, responses, svc, outs)
            && closes >= opens
            && services.iter().all(|s| fw.service(s.as_str()).is_some())
            && outcomes.iter().all(|o| fw.outcome(o.as_str()).is_some())
        {
            out.push(Consultation {
                code,
                title,
                purpose: r.optional("purpose"),
                audience: r.optional("audience"),
                locality,
                opens,
                closes,
                responses,
                services,
                outcomes,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `responses.csv` against the consultations `known` (held
/// already or imported in the same go): what people said and what the council did
/// are required; one row per consultation and "you said"; status draft or
/// published (empty = published).
pub fn read_responses(source: &Source, known: &[Code]) -> Result<Vec<Response>, Vec<ImportError>> {
    let t = required_table(source, "responses")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), RESPONSES, &mut errors, |r| {
        let consultation = r.code("consultation");
        if let Some(c) = &consultation
            && !known.contains(c)
        {
            r.error(
                "consultation",
                format!("unknown consultation code '{c}' (import it in consultations.csv first)"),
            );
        }
        let (you_said, we_did) = (r.required("you_said"), r.required("we_did"));
        let date = r.date("date", true).flatten();
        let status = match r.optional("status").as_str() {
            "" => Some(ResponseStatus::Published),
            v => v
                .parse::<ResponseStatus>()
                .map_err(|e| r.error("status", e))
                .ok(),
        };
        if let (Some(c), Some(y)) = (&consultation, &you_said)
            && r.duplicate(
                &mut seen,
                "you_said",
                (c.clone(), y.clone()),
                &format!("'{y}' for {c}"),
            )
        {
            return;
        }
        if let (Some(consultation), Some(you_said), Some(we_did), Some(date), Some(status)) =
            (consultation, you_said, we_did, date, status)
            && known.contains(&consultation)
        {
            out.push(Response {
                consultation,
                you_said,
                we_did,
                date,
                status,
            });
        }
    });
    done(errors, out)
}

/// `consultations.csv` rows, as the import reads them.
pub fn consultation_rows(v: &[Consultation]) -> Vec<Vec<String>> {
    v.iter()
        .map(|c| {
            vec![
                c.code.to_string(),
                c.title.clone(),
                c.purpose.clone(),
                c.audience.clone(),
                c.locality
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                c.opens.to_string(),
                c.closes.to_string(),
                c.responses.to_string(),
                join(&c.services),
                join(&c.outcomes),
            ]
        })
        .collect()
}

/// `responses.csv` rows, as the import reads them.
pub fn response_rows(v: &[Response]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| {
            vec![
                r.consultation.to_string(),
                r.you_said.clone(),
                r.we_did.clone(),
                r.date.to_string(),
                r.status.to_string(),
            ]
        })
        .collect()
}

/// Reads and validates `committees.csv`: codes unique, a title, and at least one
/// portfolio or outcome, each known (the committee's reports cover the local
/// outcomes of its portfolios and the outcomes it names).
pub fn read_committees(
    source: &Source,
    fw: &Framework,
) -> Result<Vec<Committee>, Vec<ImportError>> {
    let t = required_table(source, "committees")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), COMMITTEES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let portfolios = r.codes("portfolios");
        for p in portfolios.iter().flatten() {
            if !fw.portfolios.iter().any(|x| &x.code == p) {
                r.error("portfolios", format!("unknown portfolio code '{p}'"));
            }
        }
        let outcomes = r.codes("outcomes");
        for o in outcomes.iter().flatten() {
            if fw.outcome(o.as_str()).is_none() {
                r.error("outcomes", format!("unknown outcome code '{o}'"));
            }
        }
        if let (Some(p), Some(o)) = (&portfolios, &outcomes)
            && p.is_empty()
            && o.is_empty()
        {
            r.error(
                "portfolios",
                "name at least one portfolio or outcome the committee scrutinises",
            );
        }
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(title), Some(portfolios), Some(outcomes)) =
            (code, title, portfolios, outcomes)
            && !(portfolios.is_empty() && outcomes.is_empty())
            && portfolios
                .iter()
                .all(|p| fw.portfolios.iter().any(|x| &x.code == p))
            && outcomes.iter().all(|o| fw.outcome(o.as_str()).is_some())
        {
            out.push(Committee {
                code,
                title,
                portfolios,
                outcomes,
            });
        }
    });
    done(errors, out)
}

/// `committees.csv` rows, as the import reads them.
pub fn committee_rows(v: &[Committee]) -> Vec<Vec<String>> {
    v.iter()
        .map(|c| {
            vec![
                c.code.to_string(),
                c.title.clone(),
                join(&c.portfolios),
                join(&c.outcomes),
            ]
        })
        .collect()
}

fn join(c: &[Code]) -> String {
    c.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(";")
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

    fn fw() -> Framework {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        let i = crate::framework::read(&Source::Dir(dir), &Framework::default()).unwrap();
        Framework {
            outcomes: i.outcomes,
            services: i.services,
            portfolios: i.portfolios,
            ..Default::default()
        }
    }

    #[test]
    fn committees_need_a_title_and_something_to_scrutinise() {
        let h = COMMITTEES.join(",");
        let body = format!(
            "{h}\nPLACE,Place Committee,PE,\nPLACE,Again,WB,\nAUDIT,,,\nPEOPLE,People Committee,NOPE,LO9\n"
        );
        let e = read_committees(&src("committees", &body), &fw()).unwrap_err();
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "committees.csv:3:code: 'PLACE' is a duplicate of row 2",
                "committees.csv:4:title: is required",
                "committees.csv:4:portfolios: name at least one portfolio or outcome the committee scrutinises",
                "committees.csv:5:portfolios: unknown portfolio code 'NOPE'",
                "committees.csv:5:outcomes: unknown outcome code 'LO9'",
            ]
        );
        let ok = read_committees(
            &src(
                "committees",
                &format!("{h}\nAUDIT,Audit and Scrutiny,,LO1;LO2\nPLACE,Place,PE,\n"),
            ),
            &fw(),
        )
        .unwrap();
        assert_eq!(
            committee_rows(&ok)[0],
            ["AUDIT", "Audit and Scrutiny", "", "LO1;LO2"]
        );
        assert_eq!(ok[1].portfolios, [Code::parse("PE").unwrap()]);
    }

    #[test]
    fn consultation_errors_name_row_and_column() {
        let h = CONSULTATIONS.join(",");
        let body = format!(
            "{h}\nBUDGET,Budget,Choices,Residents,ALLOA,2025-01-10,2025-02-28,1200,PE-WASTE,LO1\n\
             BUDGET,Again,,,,2025-01-10,2025-01-01,-3,NOPE,LO9\n,,,,NOWHERE,2025-13-01,,x,,\n"
        );
        let e = read_consultations(
            &src("consultations", &body),
            &fw(),
            &[Code::parse("ALLOA").unwrap()],
        )
        .unwrap_err();
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "consultations.csv:3:closes: 2025-01-01 is before the consultation opens (2025-01-10)",
                "consultations.csv:3:responses: '-3' is not a whole number of responses (0 or more)",
                "consultations.csv:3:services: unknown service code 'NOPE'",
                "consultations.csv:3:outcomes: unknown outcome code 'LO9'",
                "consultations.csv:3:code: 'BUDGET' is a duplicate of row 2",
                "consultations.csv:4:code: is required",
                "consultations.csv:4:title: is required",
                "consultations.csv:4:locality: unknown locality code 'NOWHERE' (import it in localities.csv first)",
                "consultations.csv:4:opens: '2025-13-01' is not a date (use YYYY-MM-DD)",
                "consultations.csv:4:closes: is required",
                "consultations.csv:4:responses: 'x' is not a whole number of responses (0 or more)",
            ]
        );
    }

    #[test]
    fn the_demo_files_round_trip_through_export() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        let localities: Vec<Code> = ["ALLOA", "HILLFOOTS", "WESTERN", "TULLIBODY", "CLACKS-EAST"]
            .iter()
            .map(|c| Code::parse(c).unwrap())
            .collect();
        let c = read_consultations(&Source::Dir(dir.clone()), &fw(), &localities).unwrap();
        let again = crate::framework::csv_bytes(CONSULTATIONS, &consultation_rows(&c)).unwrap();
        let c2 = read_consultations(
            &src("consultations", std::str::from_utf8(&again).unwrap()),
            &fw(),
            &localities,
        )
        .unwrap();
        assert_eq!(c, c2);
        let codes: Vec<Code> = c.iter().map(|c| c.code.clone()).collect();
        let m = read_committees(&Source::Dir(dir.clone()), &fw()).unwrap();
        let again = crate::framework::csv_bytes(COMMITTEES, &committee_rows(&m)).unwrap();
        assert_eq!(
            read_committees(
                &src("committees", std::str::from_utf8(&again).unwrap()),
                &fw()
            )
            .unwrap(),
            m
        );
        assert_eq!(m.len(), 3);
        let r = read_responses(&Source::Dir(dir), &codes).unwrap();
        let again = crate::framework::csv_bytes(RESPONSES, &response_rows(&r)).unwrap();
        assert_eq!(
            read_responses(
                &src("responses", std::str::from_utf8(&again).unwrap()),
                &codes
            )
            .unwrap(),
            r
        );
        assert_eq!((c.len(), r.len()), (5, 9));
    }

    #[test]
    fn responses_need_a_known_consultation_and_both_halves() {
        let h = RESPONSES.join(",");
        let body = format!(
            "{h}\nBUDGET,Keep libraries open,Opening hours kept,2025-04-01,\nBUDGET,Keep libraries open,Again,2025-04-01,draft\nNOPE,,x,2025-04-31,secret\n"
        );
        let e = read_responses(&src("responses", &body), &[Code::parse("BUDGET").unwrap()])
            .unwrap_err();
        let shown: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "responses.csv:3:you_said: 'Keep libraries open' for BUDGET is a duplicate of row 2",
                "responses.csv:4:consultation: unknown consultation code 'NOPE' (import it in consultations.csv first)",
                "responses.csv:4:you_said: is required",
                "responses.csv:4:date: '2025-04-31' is not a date (use YYYY-MM-DD)",
                "responses.csv:4:status: unknown response status 'secret' (expected one of: draft, published)",
            ]
        );
        let ok = read_responses(
            &src(
                "responses",
                &format!("{h}\nBUDGET,Keep libraries open,Opening hours kept,2025-04-01,\n"),
            ),
            &[Code::parse("BUDGET").unwrap()],
        )
        .unwrap();
        assert_eq!(ok[0].status, ResponseStatus::Published);
        assert_eq!(
            response_rows(&ok)[0],
            [
                "BUDGET",
                "Keep libraries open",
                "Opening hours kept",
                "2025-04-01",
                "published"
            ]
        );
    }
}
