//! The framework import/export format (people, outcomes, portfolios, services,
//! contributions, raci, plans). Parsing validates every row against the files
//! together with what the tenant already holds; nothing is returned unless every
//! row of every file is valid.
use crate::rows::each_row;
use crate::table::{ImportError, Source, Table};
use goldthread_domain::framework::{
    Contribution, Framework, Outcome, Person, Plan, Portfolio, RaciEntry, Service,
};
use goldthread_domain::money::format_pounds_plain;
use goldthread_domain::{Code, Email, Fte, OutcomeKind, Raci};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const PEOPLE: &[&str] = &["email", "name", "role", "scope"];
pub const OUTCOMES: &[&str] = &["code", "title", "kind", "links", "description"];
pub const PORTFOLIOS: &[&str] = &["code", "title", "outcome_leader", "outcomes"];
pub const SERVICES: &[&str] = &[
    "code",
    "title",
    "portfolio",
    "lead",
    "statutory_basis",
    "grouping",
    "delivery_model",
    "gross_cost",
    "income",
    "net_budget",
    "fte",
    "next_review",
    "description",
];
pub const CONTRIBUTIONS: &[&str] = &["service", "outcome", "strength", "note"];
pub const RACI: &[&str] = &["outcome", "person", "raci"];
pub const PLANS: &[&str] = &["code", "title", "kind", "owner", "outcomes"];

/// The tables of the format, in the order they are applied.
pub const TABLES: &[(&str, &[&str])] = &[
    ("people", PEOPLE),
    ("outcomes", OUTCOMES),
    ("portfolios", PORTFOLIOS),
    ("services", SERVICES),
    ("contributions", CONTRIBUTIONS),
    ("raci", RACI),
    ("plans", PLANS),
];

/// A validated framework import: the records to create or replace (by code, email,
/// or service × outcome) and the outcomes whose RACI is replaced wholesale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameworkImport {
    pub people: Vec<Person>,
    pub outcomes: Vec<Outcome>,
    pub portfolios: Vec<Portfolio>,
    pub services: Vec<Service>,
    pub contributions: Vec<Contribution>,
    pub raci: BTreeMap<Code, Vec<(Email, Raci)>>,
    pub plans: Vec<Plan>,
    /// Which tables the source held.
    pub tables: Vec<String>,
}

impl FrameworkImport {
    pub fn rows(&self) -> usize {
        self.people.len()
            + self.outcomes.len()
            + self.portfolios.len()
            + self.services.len()
            + self.contributions.len()
            + self.raci.values().map(Vec::len).sum::<usize>()
            + self.plans.len()
    }
}

/// Remembers the first row a key was seen on, to report duplicates.
fn first_seen<K: Ord>(seen: &mut BTreeMap<K, usize>, key: K, row: usize) -> Option<usize> {
    match seen.get(&key) {
        Some(first) => Some(*first),
        None => {
            seen.insert(key, row);
            None
        }
    }
}

/// Reads and validates a framework import against the tenant's `existing` framework.
pub fn read(source: &Source, existing: &Framework) -> Result<FrameworkImport, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut tables = BTreeMap::new();
    for (name, _) in TABLES {
        match source.table(name) {
            Ok(Some(t)) => {
                tables.insert(*name, t);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    validate(tables, existing)
}

/// Validates tables (keyed by table name, e.g. `services`) against the tenant's
/// `existing` framework. The API and web forms validate single records through
/// this same function, as one-row tables, so every entry route applies one set of rules.
pub fn validate(
    given: BTreeMap<&str, Table>,
    existing: &Framework,
) -> Result<FrameworkImport, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut given = given;
    let tables: BTreeMap<&str, Option<Table>> =
        TABLES.iter().map(|(n, _)| (*n, given.remove(n))).collect();
    if tables.values().all(Option::is_none) {
        let names: Vec<String> = TABLES.iter().map(|(n, _)| format!("{n}.csv")).collect();
        return Err(vec![ImportError::file(
            "import",
            format!("found none of the framework files ({})", names.join(", ")),
        )]);
    }
    let mut out = FrameworkImport {
        tables: tables
            .iter()
            .filter(|(_, t)| t.is_some())
            .map(|(n, _)| n.to_string())
            .collect(),
        ..Default::default()
    };

    // people
    let mut seen = BTreeMap::new();
    let mut scopes: Vec<(usize, String, Vec<Code>)> = Vec::new();
    each_row(&tables["people"], PEOPLE, &mut errors, |r| {
        let email = r.email("email", true).flatten();
        let name = r.required("name");
        let role = r.parsed("role");
        let scope = r.codes("scope");
        if let Some(e) = &email
            && r.duplicate(&mut seen, "email", e.clone(), &format!("'{e}'"))
        {
            return;
        }
        if let (Some(email), Some(name), Some(role), Some(scope)) = (email, name, role, scope) {
            scopes.push((r.number, r.file.to_string(), scope.clone()));
            out.people.push(Person {
                email,
                name,
                role,
                scope,
            });
        }
    });

    // outcomes (links checked once all codes are known)
    let mut seen = BTreeMap::new();
    let mut link_checks: Vec<(usize, String, Option<OutcomeKind>, Vec<Code>)> = Vec::new();
    each_row(&tables["outcomes"], OUTCOMES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let kind: Option<OutcomeKind> = r.parsed("kind");
        let links = r.codes("links");
        let description = r.optional("description");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let Some(links) = &links {
            link_checks.push((r.number, r.file.to_string(), kind, links.clone()));
        }
        if let (Some(code), Some(title), Some(kind), Some(links)) = (code, title, kind, links) {
            out.outcomes.push(Outcome {
                code,
                title,
                kind,
                links,
                description,
            });
        }
    });

    // What exists after the import: existing records overlaid with the files' rows.
    let mut kinds: BTreeMap<Code, OutcomeKind> = existing
        .outcomes
        .iter()
        .map(|o| (o.code.clone(), o.kind))
        .collect();
    kinds.extend(out.outcomes.iter().map(|o| (o.code.clone(), o.kind)));
    let mut people: BTreeSet<Email> = existing.people.iter().map(|p| p.email.clone()).collect();
    people.extend(out.people.iter().map(|p| p.email.clone()));

    // Every row's links are checked, even where its kind was not valid, so that
    // one pass reports every problem.
    for (number, file, kind, links) in &link_checks {
        for link in links {
            match (kinds.get(link), kind) {
                (None, _) => errors.push(ImportError::at(
                    file,
                    *number,
                    "links",
                    format!("unknown outcome code '{link}'"),
                )),
                (Some(k), Some(kind)) if !kind.may_link_to().contains(k) => {
                    let allowed = kind.may_link_to();
                    let msg = if allowed.is_empty() {
                        format!("a national outcome links to nothing, but '{link}' is given")
                    } else {
                        format!(
                            "a {} links to {} outcomes, but '{link}' is a {} outcome",
                            kind,
                            allowed
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(" or "),
                            k
                        )
                    };
                    errors.push(ImportError::at(file, *number, "links", msg));
                }
                _ => {}
            }
        }
    }

    // portfolios
    let mut seen = BTreeMap::new();
    let mut portfolio_codes: BTreeSet<Code> =
        existing.portfolios.iter().map(|p| p.code.clone()).collect();
    each_row(&tables["portfolios"], PORTFOLIOS, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let leader = r.email("outcome_leader", false);
        let outcomes = r.codes("outcomes");
        r.known_person("outcome_leader", leader.clone().flatten().as_ref(), &people);
        r.known_outcomes("outcomes", &outcomes, &kinds);
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(title), Some(outcome_leader), Some(outcomes)) =
            (code, title, leader, outcomes)
        {
            portfolio_codes.insert(code.clone());
            out.portfolios.push(Portfolio {
                code,
                title,
                outcome_leader,
                outcomes,
            });
        }
    });

    // services
    let mut seen = BTreeMap::new();
    let mut service_codes: BTreeSet<Code> =
        existing.services.iter().map(|s| s.code.clone()).collect();
    each_row(&tables["services"], SERVICES, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let portfolio = r.code("portfolio");
        if let Some(p) = &portfolio
            && !portfolio_codes.contains(p)
        {
            r.error("portfolio", format!("unknown portfolio code '{p}'"));
        }
        let lead = r.email("lead", false);
        r.known_person("lead", lead.clone().flatten().as_ref(), &people);
        let statutory_basis = r.parsed("statutory_basis");
        let grouping = r.parsed("grouping");
        let delivery_model = r.parsed("delivery_model");
        let gross = r.money("gross_cost");
        let income = r.money("income");
        let net = r.money("net_budget");
        let fte = {
            let v = r.optional("fte");
            Fte::parse(&v).map_err(|e| r.error("fte", e.0)).ok()
        };
        let next_review = r.date("next_review", false);
        let description = r.optional("description");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(title),
            Some(portfolio),
            Some(lead),
            Some(statutory_basis),
            Some(grouping),
            Some(delivery_model),
            Some(gross_cost_pence),
            Some(income_pence),
            Some(net_budget_pence),
            Some(fte),
            Some(next_review),
        ) = (
            code,
            title,
            portfolio,
            lead,
            statutory_basis,
            grouping,
            delivery_model,
            gross,
            income,
            net,
            fte,
            next_review,
        ) {
            service_codes.insert(code.clone());
            out.services.push(Service {
                code,
                title,
                portfolio,
                lead,
                statutory_basis,
                grouping,
                delivery_model,
                gross_cost_pence,
                income_pence,
                net_budget_pence,
                fte,
                next_review,
                description,
            });
        }
    });

    // people's scopes refer to portfolios or services
    for (number, file, scope) in &scopes {
        for c in scope {
            if !portfolio_codes.contains(c) && !service_codes.contains(c) {
                errors.push(ImportError::at(
                    file,
                    *number,
                    "scope",
                    format!("unknown portfolio or service code '{c}'"),
                ));
            }
        }
    }

    // contributions
    let mut seen = BTreeMap::new();
    each_row(&tables["contributions"], CONTRIBUTIONS, &mut errors, |r| {
        let service = r.code("service");
        let outcome = r.code("outcome");
        let strength = r.parsed("strength");
        let note = r.optional("note");
        if let Some(s) = &service
            && !service_codes.contains(s)
        {
            r.error("service", format!("unknown service code '{s}'"));
        }
        if let Some(o) = &outcome {
            match kinds.get(o) {
                None => r.error("outcome", format!("unknown outcome code '{o}'")),
                Some(OutcomeKind::Local) => {}
                Some(k) => r.error(
                    "outcome",
                    format!("services contribute to local outcomes; '{o}' is a {k} outcome"),
                ),
            }
        }
        if let (Some(s), Some(o)) = (&service, &outcome)
            && r.duplicate(
                &mut seen,
                "outcome",
                (s.clone(), o.clone()),
                &format!("{s} → {o}"),
            )
        {
            return;
        }
        if let (Some(service), Some(outcome), Some(strength)) = (service, outcome, strength) {
            out.contributions.push(Contribution {
                service,
                outcome,
                strength,
                note,
            });
        }
    });

    // raci
    let mut seen = BTreeMap::new();
    let mut accountable: BTreeMap<Code, (Email, usize)> = BTreeMap::new();
    each_row(&tables["raci"], RACI, &mut errors, |r| {
        let outcome = r.code("outcome");
        let person = r.email("person", true).flatten();
        let letter: Option<Raci> = r.parsed("raci");
        r.known_outcomes("outcome", &outcome.clone().map(|o| vec![o]), &kinds);
        r.known_person("person", person.as_ref(), &people);
        if let (Some(o), Some(p)) = (&outcome, &person)
            && let Some(first) = first_seen(&mut seen, (o.clone(), p.clone()), r.number)
        {
            r.error(
                "person",
                format!("{p} is already in the RACI of {o} (row {first})"),
            );
            return;
        }
        if let (Some(o), Some(p), Some(Raci::Accountable)) = (&outcome, &person, letter) {
            if let Some((who, first)) = accountable.get(o) {
                r.error("raci", format!("{o} already has an Accountable ({who}, row {first}); exactly one A per outcome"));
                return;
            }
            accountable.insert(o.clone(), (p.clone(), r.number));
        }
        if let (Some(outcome), Some(person), Some(letter)) = (outcome, person, letter) {
            out.raci.entry(outcome).or_default().push((person, letter));
        }
    });

    // plans
    let mut seen = BTreeMap::new();
    each_row(&tables["plans"], PLANS, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let kind = r.parsed("kind");
        let owner = r.email("owner", false);
        let outcomes = r.codes("outcomes");
        r.known_person("owner", owner.clone().flatten().as_ref(), &people);
        r.known_outcomes("outcomes", &outcomes, &kinds);
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(title), Some(kind), Some(owner), Some(outcomes)) =
            (code, title, kind, owner, outcomes)
        {
            out.plans.push(Plan {
                code,
                title,
                kind,
                owner,
                outcomes,
            });
        }
    });

    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by(|a, b| {
            let order = |f: &str| {
                TABLES
                    .iter()
                    .position(|(n, _)| f.starts_with(n))
                    .unwrap_or(99)
            };
            order(&a.file).cmp(&order(&b.file)).then(a.row.cmp(&b.row))
        });
        Err(errors)
    }
}

fn join(codes: &[Code]) -> String {
    codes.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

fn email_text(e: &Option<Email>) -> String {
    e.as_ref().map(|e| e.to_string()).unwrap_or_default()
}

/// One table of an export: its name (without `.csv`), headers and rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTable {
    pub name: &'static str,
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

/// The framework as tables of text, exactly as the import reads them.
pub fn to_tables(fw: &Framework) -> Vec<ExportTable> {
    let kind_order = |k: OutcomeKind| OutcomeKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    let mut outcomes: Vec<&Outcome> = fw.outcomes.iter().collect();
    outcomes.sort_by(|a, b| {
        kind_order(a.kind)
            .cmp(&kind_order(b.kind))
            .then(a.code.cmp(&b.code))
    });
    let mut raci: Vec<&RaciEntry> = fw.raci.iter().collect();
    raci.sort_by(|a, b| {
        a.outcome
            .cmp(&b.outcome)
            .then(a.raci.cmp(&b.raci))
            .then(a.person.cmp(&b.person))
    });
    let mut people: Vec<&Person> = fw.people.iter().collect();
    people.sort_by(|a, b| a.email.cmp(&b.email));
    let mut portfolios: Vec<&Portfolio> = fw.portfolios.iter().collect();
    portfolios.sort_by(|a, b| a.code.cmp(&b.code));
    let mut services: Vec<&Service> = fw.services.iter().collect();
    services.sort_by(|a, b| a.code.cmp(&b.code));
    let mut contributions: Vec<&Contribution> = fw.contributions.iter().collect();
    contributions.sort_by(|a, b| a.service.cmp(&b.service).then(a.outcome.cmp(&b.outcome)));
    let mut plans: Vec<&Plan> = fw.plans.iter().collect();
    plans.sort_by(|a, b| a.code.cmp(&b.code));
    let tables = vec![
        (
            "people",
            PEOPLE,
            people
                .iter()
                .map(|p| {
                    vec![
                        p.email.to_string(),
                        p.name.clone(),
                        p.role.to_string(),
                        join(&p.scope),
                    ]
                })
                .collect(),
        ),
        (
            "outcomes",
            OUTCOMES,
            outcomes
                .iter()
                .map(|o| {
                    vec![
                        o.code.to_string(),
                        o.title.clone(),
                        o.kind.to_string(),
                        join(&o.links),
                        o.description.clone(),
                    ]
                })
                .collect(),
        ),
        (
            "portfolios",
            PORTFOLIOS,
            portfolios
                .iter()
                .map(|p| {
                    vec![
                        p.code.to_string(),
                        p.title.clone(),
                        email_text(&p.outcome_leader),
                        join(&p.outcomes),
                    ]
                })
                .collect(),
        ),
        (
            "services",
            SERVICES,
            services
                .iter()
                .map(|s| {
                    vec![
                        s.code.to_string(),
                        s.title.clone(),
                        s.portfolio.to_string(),
                        email_text(&s.lead),
                        s.statutory_basis.to_string(),
                        s.grouping.to_string(),
                        s.delivery_model.to_string(),
                        format_pounds_plain(s.gross_cost_pence),
                        format_pounds_plain(s.income_pence),
                        format_pounds_plain(s.net_budget_pence),
                        s.fte.to_string(),
                        s.next_review.map(|d| d.to_string()).unwrap_or_default(),
                        s.description.clone(),
                    ]
                })
                .collect(),
        ),
        (
            "contributions",
            CONTRIBUTIONS,
            contributions
                .iter()
                .map(|c| {
                    vec![
                        c.service.to_string(),
                        c.outcome.to_string(),
                        c.strength.to_string(),
                        c.note.clone(),
                    ]
                })
                .collect(),
        ),
        (
            "raci",
            RACI,
            raci.iter()
                .map(|r| {
                    vec![
                        r.outcome.to_string(),
                        r.person.to_string(),
                        r.raci.to_string(),
                    ]
                })
                .collect(),
        ),
        (
            "plans",
            PLANS,
            plans
                .iter()
                .map(|p| {
                    vec![
                        p.code.to_string(),
                        p.title.clone(),
                        p.kind.to_string(),
                        email_text(&p.owner),
                        join(&p.outcomes),
                    ]
                })
                .collect(),
        ),
    ];
    tables
        .into_iter()
        .map(|(name, headers, rows)| ExportTable {
            name,
            headers,
            rows,
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {0}: {1}")]
    Io(String, std::io::Error),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// One table as CSV bytes, every value exactly as held.
pub fn csv_bytes(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, ExportError> {
    csv_bytes_with(headers, rows, std::borrow::Cow::Borrowed)
}

/// One table as CSV bytes, every cell (headers too) written as `cell` gives it.
pub(crate) fn csv_bytes_with<'a>(
    headers: &[&'a str],
    rows: &'a [Vec<String>],
    cell: impl Fn(&'a str) -> std::borrow::Cow<'a, str>,
) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut record = |cells: &mut dyn Iterator<Item = &'a str>| -> Result<(), csv::Error> {
        for c in cells {
            w.write_field(cell(c).as_bytes())?;
        }
        // An empty record ends the one the fields were written to.
        w.write_record(std::iter::empty::<&[u8]>())
    };
    record(&mut headers.iter().copied())?;
    for r in rows {
        record(&mut r.iter().map(String::as_str))?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Io("csv".into(), e.into_error()))
}

/// Writes the framework as a directory of CSV files.
pub fn write_csv_dir(fw: &Framework, dir: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Io(dir.display().to_string(), e))?;
    for t in to_tables(fw) {
        let path = dir.join(format!("{}.csv", t.name));
        std::fs::write(&path, crate::spreadsheet::csv_bytes(t.headers, &t.rows)?)
            .map_err(|e| ExportError::Io(path.display().to_string(), e))?;
    }
    Ok(())
}

/// The framework as an XLSX workbook with one sheet per table. Every cell is text,
/// so codes and amounts come back exactly as they went out.
pub fn xlsx_bytes(fw: &Framework) -> Result<Vec<u8>, ExportError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for t in to_tables(fw) {
        let ws = wb.add_worksheet();
        ws.set_name(t.name)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(files: &[(&str, &str)]) -> Source {
        Source::Csv(
            files
                .iter()
                .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
                .collect(),
        )
    }

    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        read(&src(files), &Framework::default())
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    const PEOPLE_OK: &str = "email,name,role,scope\na@x.org,Ann,outcome-leader,P1\n";
    const OUTCOMES_OK: &str =
        "code,title,kind,links,description\nN1,Nat,national,,\nLO1,Local,local,N1,\n";
    const PORTFOLIOS_OK: &str = "code,title,outcome_leader,outcomes\nP1,Place,a@x.org,LO1\n";
    const SERVICE_HEAD: &str = "code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description\n";

    #[test]
    fn a_valid_set_reads() {
        let s = format!(
            "{SERVICE_HEAD}S1,Roads,P1,a@x.org,statutory,universal-community,self-delivery,1000.50,0.50,1000,3.5,2027-04-01,x\n"
        );
        let imp = read(
            &src(&[
                ("people.csv", PEOPLE_OK),
                ("outcomes.csv", OUTCOMES_OK),
                ("portfolios.csv", PORTFOLIOS_OK),
                ("services.csv", &s),
                (
                    "contributions.csv",
                    "service,outcome,strength,note\nS1,LO1,primary,core\n",
                ),
                ("raci.csv", "outcome,person,raci\nLO1,a@x.org,A\n"),
            ]),
            &Framework::default(),
        )
        .unwrap();
        assert_eq!(imp.services[0].gross_cost_pence, 100_050);
        assert_eq!(imp.services[0].income_pence, 50);
        assert_eq!(imp.rows(), 7);
    }

    #[test]
    fn every_error_kind_is_reported_with_file_row_and_column() {
        let s = format!(
            "{SERVICE_HEAD}\
             S1,Roads,PLCE,a@x.org,statutory,universal-community,self-delivery,1,0,1,1,,\n\
             S2,,P1,nobody@x.org,sometimes,universal-community,self-delivery,-5,0,1,1,2027-02-30,\n\
             S1,Dup,P1,,statutory,support,in-house,1.234,abc,1,x,,\n"
        );
        let got = errors(&[
            ("people.csv", PEOPLE_OK),
            (
                "outcomes.csv",
                "code,title,kind,links,description\nN1,Nat,national,,\nLO1,Local,local,N1;CP9,\nLO1,Again,local,,\nCP1,Pri,priority,N1,\n",
            ),
            ("portfolios.csv", PORTFOLIOS_OK),
            ("services.csv", &s),
            (
                "contributions.csv",
                "service,outcome,strength,note\nS1,LO1,primary,\nS1,LO1,some,\nS9,N1,strong,\n",
            ),
            (
                "raci.csv",
                "outcome,person,raci\nLO1,a@x.org,A\nLO1,b@x.org,A\nLO1,a@x.org,R\n",
            ),
            ("plans.csv", "code,title\nPL1,Plan\n"),
        ]);
        let expected = [
            "outcomes.csv:3:links: unknown outcome code 'CP9'",
            "outcomes.csv:4:code: 'LO1' is a duplicate of row 3",
            "outcomes.csv:5:links: a priority links to local outcomes, but 'N1' is a national outcome",
            "services.csv:2:portfolio: unknown portfolio code 'PLCE'",
            "services.csv:3:title: is required",
            "services.csv:3:lead: unknown person 'nobody@x.org' (add them to people.csv)",
            "services.csv:3:statutory_basis: unknown statutory basis 'sometimes' (expected one of: statutory, priority-discretionary, discretionary)",
            "services.csv:3:gross_cost: '-5' is negative; amounts must be zero or more",
            "services.csv:3:next_review: '2027-02-30' is not a date (use YYYY-MM-DD)",
            "services.csv:4:delivery_model: unknown delivery model 'in-house' (expected one of: self-delivery, partnership, other-public-body, commercial, joint-commissioning, community-led, reduce, stop)",
            "services.csv:4:gross_cost: '1.234' has more than 2 decimal places (money is kept to the penny)",
            "services.csv:4:income: 'abc' is not an amount in pounds",
            "services.csv:4:fte: 'x' is not a number",
            "services.csv:4:code: 'S1' is a duplicate of row 2",
            "contributions.csv:3:outcome: S1 → LO1 is a duplicate of row 2",
            "contributions.csv:4:service: unknown service code 'S9'",
            "contributions.csv:4:outcome: services contribute to local outcomes; 'N1' is a national outcome",
            "contributions.csv:4:strength: unknown strength 'strong' (expected one of: primary, significant, some)",
            "raci.csv:3:person: unknown person 'b@x.org' (add them to people.csv)",
            "raci.csv:3:raci: LO1 already has an Accountable (a@x.org, row 2); exactly one A per outcome",
            "raci.csv:4:person: a@x.org is already in the RACI of LO1 (row 2)",
            "plans.csv:1:kind: the headers must be exactly 'code,title,kind,owner,outcomes' (found 'code,title')",
        ];
        for e in expected {
            assert!(got.contains(&e.to_string()), "missing: {e}\n got: {got:#?}");
        }
        assert_eq!(got.len(), expected.len(), "{got:#?}");
    }

    #[test]
    fn references_may_point_at_existing_records() {
        let existing = read(
            &src(&[
                ("people.csv", "email,name,role,scope\na@x.org,Ann,admin,\n"),
                ("outcomes.csv", OUTCOMES_OK),
            ]),
            &Framework::default(),
        )
        .unwrap();
        let fw = Framework {
            people: existing.people,
            outcomes: existing.outcomes,
            ..Default::default()
        };
        let imp = read(&src(&[("portfolios.csv", PORTFOLIOS_OK)]), &fw).unwrap();
        assert_eq!(imp.portfolios.len(), 1);
        assert_eq!(imp.tables, vec!["portfolios"]);
    }

    #[test]
    fn an_empty_source_is_refused() {
        let e = read(&src(&[]), &Framework::default()).unwrap_err();
        assert!(
            e[0].to_string()
                .starts_with("import: found none of the framework files")
        );
    }
}
