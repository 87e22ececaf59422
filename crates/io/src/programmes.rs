//! The transformation programme's files: `programmes.csv`, `workstreams.csv`
//! (each programme's workstreams or themes) and `initiatives.csv`. Each is
//! validated whole; nothing is returned unless every row is valid.
use crate::rows::{Row, done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::money::{format_pounds_plain, parse_pounds};
use goldthread_domain::programme::{
    Initiative, Programme, Workstream, problems, programme_problems,
};
use goldthread_domain::{Code, Email};
use std::collections::{BTreeMap, BTreeSet};

pub const PROGRAMMES: &[&str] = &[
    "code",
    "title",
    "sponsor",
    "lead",
    "start",
    "end",
    "description",
];
pub const WORKSTREAMS: &[&str] = &["programme", "code", "title", "lead"];
pub const INITIATIVES: &[&str] = &[
    "code",
    "programme",
    "workstream",
    "title",
    "scope",
    "stage",
    "start",
    "end",
    "rag",
    "commentary",
    "business_case",
    "budget",
    "sponsor",
    "lead",
    "outcomes",
    "services",
    "risks",
    "benefits",
];

/// What the programme's files may refer to.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub outcomes: BTreeSet<Code>,
    pub services: BTreeSet<Code>,
    pub people: BTreeSet<Email>,
    /// Codes in the risk register.
    pub risks: BTreeSet<Code>,
    /// The programmes held.
    pub programmes: BTreeSet<Code>,
    /// The workstreams held: (programme, workstream).
    pub workstreams: BTreeSet<(Code, Code)>,
    /// Codes in the benefits register.
    pub benefits: BTreeSet<Code>,
}

fn known_codes(
    r: &mut Row<'_>,
    col: &str,
    codes: &Option<Vec<Code>>,
    known: &BTreeSet<Code>,
    what: &str,
) -> bool {
    let mut ok = true;
    for c in codes.iter().flatten() {
        if !known.contains(c) {
            r.error(col, format!("unknown {what} code '{c}'"));
            ok = false;
        }
    }
    ok
}

fn person(r: &mut Row<'_>, col: &str, people: &BTreeSet<Email>) -> Option<Option<Email>> {
    let e = r.email(col, false)?;
    if let Some(p) = &e
        && !people.contains(p)
    {
        r.known_person(col, Some(p), people);
        return None;
    }
    Some(e)
}

fn report(r: &mut Row<'_>, p: Vec<(String, String)>) -> bool {
    let ok = p.is_empty();
    for (field, msg) in p {
        r.error(&field, msg);
    }
    ok
}

/// Reads and validates `programmes.csv`: codes unique; a title; a sponsor and
/// a lead (known people, optional); a start date and an end date (optional,
/// not before the start), `YYYY-MM-DD`.
pub fn read_programmes(source: &Source, known: &Known) -> Result<Vec<Programme>, Vec<ImportError>> {
    let t = required_table(source, "programmes")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), PROGRAMMES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let sponsor = person(r, "sponsor", &known.people);
        let lead = person(r, "lead", &known.people);
        let start = r.date("start", true).flatten();
        let end = r.date("end", false);
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        let (Some(code), Some(title), Some(sponsor), Some(lead), Some(start), Some(end)) =
            (code, title, sponsor, lead, start, end)
        else {
            return;
        };
        let p = Programme {
            code,
            title,
            sponsor,
            lead,
            start,
            end,
            description: r.optional("description"),
        };
        if report(r, programme_problems(&p)) {
            out.push(p);
        }
    });
    done(errors, out)
}

/// Reads and validates `workstreams.csv`: each row a workstream (or theme) of
/// a held programme (import `programmes.csv` first), its code unique within
/// the programme, a title and a lead (a known person, optional).
pub fn read_workstreams(
    source: &Source,
    known: &Known,
) -> Result<Vec<Workstream>, Vec<ImportError>> {
    let t = required_table(source, "workstreams")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), WORKSTREAMS, &mut errors, |r| {
        let programme = r.code("programme");
        if let Some(p) = &programme
            && !known.programmes.contains(p)
        {
            r.error(
                "programme",
                format!("unknown programme '{p}' (import programmes.csv first)"),
            );
        }
        let code = r.code("code");
        let title = r.required("title");
        let lead = person(r, "lead", &known.people);
        if let (Some(p), Some(c)) = (&programme, &code)
            && r.duplicate(
                &mut seen,
                "code",
                (p.clone(), c.clone()),
                &format!("workstream '{c}' of {p}"),
            )
        {
            return;
        }
        if let (Some(programme), Some(code), Some(title), Some(lead)) =
            (programme, code, title, lead)
            && known.programmes.contains(&programme)
        {
            out.push(Workstream {
                programme,
                code,
                title,
                lead,
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `initiatives.csv`: codes unique; a held programme and
/// one of its workstreams; a title; a stage (idea, scoped, planned,
/// implementation, closed) and a RAG (green, amber, red); start and end dates
/// (`YYYY-MM-DD`, optional; the end not before the start; a closed initiative
/// has an end); a budget in pounds (up to 2 decimal places, optional); a
/// sponsor and lead (known people, optional); outcomes, services and risks
/// (`;`-separated known codes) and benefits (`;`-separated codes in the benefits
/// register).
pub fn read_initiatives(
    source: &Source,
    known: &Known,
) -> Result<Vec<Initiative>, Vec<ImportError>> {
    let t = required_table(source, "initiatives")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), INITIATIVES, &mut errors, |r| {
        let code = r.code("code");
        let programme = r.code("programme");
        let mut linked = true;
        if let Some(p) = &programme
            && !known.programmes.contains(p)
        {
            r.error(
                "programme",
                format!("unknown programme '{p}' (import programmes.csv first)"),
            );
            linked = false;
        }
        let workstream = r.code("workstream");
        if let (Some(p), Some(w)) = (&programme, &workstream)
            && known.programmes.contains(p)
            && !known.workstreams.contains(&(p.clone(), w.clone()))
        {
            r.error(
                "workstream",
                format!("programme {p} has no workstream '{w}' (add it to workstreams.csv)"),
            );
            linked = false;
        }
        let title = r.required("title");
        let stage = r.parsed("stage");
        let start = r.date("start", false);
        let end = r.date("end", false);
        let rag = r.parsed("rag");
        let budget = match r.raw("budget").to_string() {
            v if v.is_empty() => Some(None),
            v => match parse_pounds(&v) {
                Ok(p) if p < 0 => {
                    r.error("budget", format!("'{v}' is negative"));
                    None
                }
                Ok(p) => Some(Some(p)),
                Err(e) => {
                    r.error("budget", e.0);
                    None
                }
            },
        };
        let sponsor = person(r, "sponsor", &known.people);
        let lead = person(r, "lead", &known.people);
        let outcomes = r.codes("outcomes");
        linked &= known_codes(r, "outcomes", &outcomes, &known.outcomes, "outcome");
        let services = r.codes("services");
        linked &= known_codes(r, "services", &services, &known.services, "service");
        let risks = r.codes("risks");
        linked &= known_codes(r, "risks", &risks, &known.risks, "risk");
        let benefits = r.codes("benefits");
        linked &= known_codes(r, "benefits", &benefits, &known.benefits, "benefit");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        let (
            Some(code),
            Some(programme),
            Some(workstream),
            Some(title),
            Some(stage),
            Some(start),
            Some(end),
            Some(rag),
            Some(budget_pence),
            Some(sponsor),
            Some(lead),
            Some(outcomes),
            Some(services),
            Some(risks),
            Some(benefits),
        ) = (
            code, programme, workstream, title, stage, start, end, rag, budget, sponsor, lead,
            outcomes, services, risks, benefits,
        )
        else {
            return;
        };
        let i = Initiative {
            code,
            programme,
            workstream,
            title,
            scope: r.optional("scope"),
            stage,
            start,
            end,
            rag,
            commentary: r.optional("commentary"),
            business_case: r.optional("business_case"),
            budget_pence,
            sponsor,
            lead,
            outcomes,
            services,
            risks,
            benefits,
        };
        if report(r, problems(&i)) && linked {
            out.push(i);
        }
    });
    done(errors, out)
}

fn opt_email(e: &Option<Email>) -> String {
    e.as_ref().map(|e| e.to_string()).unwrap_or_default()
}

fn opt_date(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn codes_text(v: &[Code]) -> String {
    v.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

/// `programmes.csv` rows, as the import reads them.
pub fn programme_rows(v: &[Programme]) -> Vec<Vec<String>> {
    v.iter()
        .map(|p| {
            vec![
                p.code.to_string(),
                p.title.clone(),
                opt_email(&p.sponsor),
                opt_email(&p.lead),
                p.start.to_string(),
                opt_date(p.end),
                p.description.clone(),
            ]
        })
        .collect()
}

/// `workstreams.csv` rows, as the import reads them.
pub fn workstream_rows(v: &[Workstream]) -> Vec<Vec<String>> {
    v.iter()
        .map(|w| {
            vec![
                w.programme.to_string(),
                w.code.to_string(),
                w.title.clone(),
                opt_email(&w.lead),
            ]
        })
        .collect()
}

/// `initiatives.csv` rows, as the import reads them.
pub fn initiative_rows(v: &[Initiative]) -> Vec<Vec<String>> {
    v.iter()
        .map(|i| {
            vec![
                i.code.to_string(),
                i.programme.to_string(),
                i.workstream.to_string(),
                i.title.clone(),
                i.scope.clone(),
                i.stage.to_string(),
                opt_date(i.start),
                opt_date(i.end),
                i.rag.to_string(),
                i.commentary.clone(),
                i.business_case.clone(),
                i.budget_pence.map(format_pounds_plain).unwrap_or_default(),
                opt_email(&i.sponsor),
                opt_email(&i.lead),
                codes_text(&i.outcomes),
                codes_text(&i.services),
                codes_text(&i.risks),
                codes_text(&i.benefits),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use goldthread_domain::programme::{InitiativeRag, Stage};

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
            services: [code("CS-REV")].into_iter().collect(),
            people: [Email::parse("lead@demo.example").unwrap()]
                .into_iter()
                .collect(),
            risks: [code("DR03")].into_iter().collect(),
            programmes: [code("TTC")].into_iter().collect(),
            workstreams: [(code("TTC"), code("1"))].into_iter().collect(),
            benefits: [code("BEN-1"), code("BEN-2")].into_iter().collect(),
        }
    }

    fn shown(e: Vec<ImportError>) -> Vec<String> {
        e.iter().map(|e| e.to_string()).collect()
    }

    fn has(e: &[String], expected: &str) {
        assert!(
            e.iter().any(|x| x.starts_with(expected)),
            "missing {expected} in {e:#?}"
        );
    }

    #[test]
    fn programmes_and_workstreams_round_trip_and_report_errors() {
        let body = "code,title,sponsor,lead,start,end,description\nTTC,Transformation,lead@demo.example,,2025-11-01,,Agreed\n";
        let v = read_programmes(&src("programmes", body), &known()).unwrap();
        assert_eq!(
            programme_rows(&v)[0],
            [
                "TTC",
                "Transformation",
                "lead@demo.example",
                "",
                "2025-11-01",
                "",
                "Agreed"
            ]
        );
        let bad = "code,title,sponsor,lead,start,end,description\nA,,nobody@demo.example,,2025-13-01,,\nB,B,,,2026-04-01,2026-03-31,\nB,Again,,,,,\n";
        let e = shown(read_programmes(&src("programmes", bad), &known()).unwrap_err());
        for x in [
            "programmes.csv:2:title: is required",
            "programmes.csv:2:sponsor: unknown person 'nobody@demo.example'",
            "programmes.csv:2:start: '2025-13-01' is not a date",
            "programmes.csv:3:end: the end (2026-03-31) is before the start (2026-04-01)",
            "programmes.csv:4:code: 'B' is a duplicate of row 3",
        ] {
            has(&e, x);
        }
        let body = "programme,code,title,lead\nTTC,1,Making It Happen,lead@demo.example\nTTC,1,Again,\nNOPE,2,Other,\n";
        let e = shown(read_workstreams(&src("workstreams", body), &known()).unwrap_err());
        has(
            &e,
            "workstreams.csv:3:code: workstream '1' of TTC is a duplicate of row 2",
        );
        has(&e, "workstreams.csv:4:programme: unknown programme 'NOPE'");
        let ok = read_workstreams(
            &src(
                "workstreams",
                "programme,code,title,lead\nTTC,1,Making It Happen,\n",
            ),
            &known(),
        )
        .unwrap();
        assert_eq!(
            workstream_rows(&ok)[0],
            ["TTC", "1", "Making It Happen", ""]
        );
    }

    #[test]
    fn initiatives_round_trip() {
        let h = INITIATIVES.join(",");
        let body = format!(
            "{h}\nI1,TTC,1,Revenues review,Single Financial Assessment,implementation,2026-04-01,2027-03-31,amber,On track,Saves money,12500.50,lead@demo.example,,LO1,CS-REV,DR03,BEN-1;BEN-2\n"
        );
        let v = read_initiatives(&src("initiatives", &body), &known()).unwrap();
        assert_eq!(v[0].stage, Stage::Implementation);
        assert_eq!(v[0].rag, InitiativeRag::Amber);
        assert_eq!(v[0].budget_pence, Some(1_250_050));
        assert_eq!(v[0].benefits, [code("BEN-1"), code("BEN-2")]);
        let rows = initiative_rows(&v);
        let mut again = csv::Reader::from_reader(body.as_bytes());
        let expected: Vec<String> = again
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(rows[0], expected);
    }

    #[test]
    fn every_initiative_error_is_reported_by_row_and_column() {
        let h = INITIATIVES.join(",");
        let body = format!(
            "{h}\n\
             I1,NOPE,1,,,started,2026-04-01,,purple,,,12.345,nobody@demo.example,,LO9,XX,DR99,BEN-9\n\
             I2,TTC,9,Wrong workstream,,closed,2026-04-01,,green,,,-5,,,,,,\n\
             I3,TTC,1,Backwards,,planned,2026-04-01,2026-03-01,green,,,,,,,,,\n\
             I3,TTC,1,Again,,idea,,,green,,,,,,,,,\n"
        );
        let e = shown(read_initiatives(&src("initiatives", &body), &known()).unwrap_err());
        for x in [
            "initiatives.csv:2:programme: unknown programme 'NOPE'",
            "initiatives.csv:2:title: is required",
            "initiatives.csv:2:stage: unknown initiative stage 'started'",
            "initiatives.csv:2:rag: unknown initiative RAG 'purple'",
            "initiatives.csv:2:budget: '12.345' has more than 2 decimal places",
            "initiatives.csv:2:sponsor: unknown person 'nobody@demo.example'",
            "initiatives.csv:2:outcomes: unknown outcome code 'LO9'",
            "initiatives.csv:2:services: unknown service code 'XX'",
            "initiatives.csv:2:risks: unknown risk code 'DR99'",
            "initiatives.csv:2:benefits: unknown benefit code 'BEN-9'",
            "initiatives.csv:3:workstream: programme TTC has no workstream '9'",
            "initiatives.csv:3:budget: '-5' is negative",
            "initiatives.csv:4:end: the end (2026-03-01) is before the start (2026-04-01)",
            "initiatives.csv:5:code: 'I3' is a duplicate of row 4",
        ] {
            has(&e, x);
        }
        let closed = format!("{h}\nI4,TTC,1,Closed,,closed,2026-04-01,,green,,,,,,,,,\n");
        let e = shown(read_initiatives(&src("initiatives", &closed), &known()).unwrap_err());
        has(
            &e,
            "initiatives.csv:2:end: a closed initiative needs an end date",
        );
    }
}
