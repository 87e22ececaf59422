//! The contracts register's import/export format, `contracts.csv`: each service's
//! contracts and agreements with partners. Validated whole against the services
//! held; nothing is returned unless every row is valid.
use crate::rows::{done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::Code;
use goldthread_domain::commissioning::Contract;
use goldthread_domain::money::format_pounds_plain;
use std::collections::BTreeMap;

pub const CONTRACTS: &[&str] = &[
    "code",
    "service",
    "partner",
    "title",
    "start",
    "end",
    "value",
    "description",
];

/// Reads and validates `contracts.csv`: codes unique; a known service; partner
/// and title required; start and end real dates (`YYYY-MM-DD`) with the end on
/// or after the start; the value in pounds (up to 2 decimal places, £ and
/// thousands separators allowed) and not negative.
pub fn read_contracts(
    source: &Source,
    known_services: &[Code],
) -> Result<Vec<Contract>, Vec<ImportError>> {
    let t = required_table(source, "contracts")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), CONTRACTS, &mut errors, |r| {
        let code = r.code("code");
        let service = r.code("service");
        if let Some(s) = &service
            && !known_services.contains(s)
        {
            r.error(
                "service",
                format!("unknown service code '{s}' (add it to the framework first)"),
            );
        }
        let (partner, title) = (r.required("partner"), r.required("title"));
        let (start, end) = (
            r.date("start", true).flatten(),
            r.date("end", true).flatten(),
        );
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            r.error("end", format!("{e} is before the contract starts ({s})"));
        }
        let value = r.money("value");
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(service),
            Some(partner),
            Some(title),
            Some(start),
            Some(end),
            Some(value_pence),
        ) = (code, service, partner, title, start, end, value)
            && known_services.contains(&service)
            && start <= end
        {
            out.push(Contract {
                code,
                service,
                partner,
                title,
                start,
                end,
                value_pence,
                description: r.optional("description"),
            });
        }
    });
    done(errors, out)
}

/// `contracts.csv` rows, as the import reads them.
pub fn contract_rows(v: &[Contract]) -> Vec<Vec<String>> {
    v.iter()
        .map(|c| {
            vec![
                c.code.to_string(),
                c.service.to_string(),
                c.partner.clone(),
                c.title.clone(),
                c.start.to_string(),
                c.end.to_string(),
                format_pounds_plain(c.value_pence),
                c.description.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn src(body: &str) -> Source {
        Source::Csv(
            [("contracts.csv".to_string(), body.as_bytes().to_vec())]
                .into_iter()
                .collect(),
        )
    }

    fn services() -> Vec<Code> {
        ["WB-COUNSEL", "PE-TRANSPORT"]
            .iter()
            .map(|c| Code::parse(c).unwrap())
            .collect()
    }

    fn shown(e: Vec<ImportError>) -> Vec<String> {
        e.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn good_rows_are_read_with_the_value_in_pence() {
        let h = CONTRACTS.join(",");
        let body = format!(
            "{h}\nCON-001,WB-COUNSEL,Counselling Co,Young people's counselling,2024-04-01,2027-03-31,\"£1,026,000.50\",Illustrative.\n\
             CON-002,PE-TRANSPORT,Bus Co,Route 63,2025-08-18,2025-08-18,0,\n"
        );
        let v = read_contracts(&src(&body), &services()).unwrap();
        assert_eq!(
            v[0],
            Contract {
                code: Code::parse("CON-001").unwrap(),
                service: Code::parse("WB-COUNSEL").unwrap(),
                partner: "Counselling Co".into(),
                title: "Young people's counselling".into(),
                start: date!(2024 - 04 - 01),
                end: date!(2027 - 03 - 31),
                value_pence: 102_600_050,
                description: "Illustrative.".into(),
            }
        );
        assert_eq!((v[1].start, v[1].value_pence), (v[1].end, 0));
        assert_eq!(
            contract_rows(&v),
            [
                vec![
                    "CON-001",
                    "WB-COUNSEL",
                    "Counselling Co",
                    "Young people's counselling",
                    "2024-04-01",
                    "2027-03-31",
                    "1026000.50",
                    "Illustrative."
                ],
                vec![
                    "CON-002",
                    "PE-TRANSPORT",
                    "Bus Co",
                    "Route 63",
                    "2025-08-18",
                    "2025-08-18",
                    "0",
                    ""
                ],
            ]
        );
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let h = CONTRACTS.join(",");
        let body = format!(
            "{h}\nCON-001,WB-COUNSEL,Counselling Co,Counselling,2024-04-01,2027-03-31,342000,\n\
             CON-001,PE-TRANSPORT,Bus Co,Again,2024-04-01,2027-03-31,1,\n\
             CON-002,NOPE,,,2025-02-29,2025-13-01,-5,\n\
             CON-003,PE-TRANSPORT,Bus Co,Backwards,2026-04-01,2026-03-31,1.234,\n\
             ,,Bus Co,No code,,,,\n\
             bad code!,PE-TRANSPORT,Bus Co,Bad code,2026-04-01,2026-04-30,ten pounds,\n\
             CON-004,PE-TRANSPORT,Bus Co,Too many,2026-04-01,2026-04-30,1,,extra\n"
        );
        let e = read_contracts(&src(&body), &services()).unwrap_err();
        let bad_code = Code::parse("bad code!").unwrap_err().0;
        assert_eq!(
            shown(e),
            [
                "contracts.csv:3:code: 'CON-001' is a duplicate of row 2".to_string(),
                "contracts.csv:4:service: unknown service code 'NOPE' (add it to the framework first)".into(),
                "contracts.csv:4:partner: is required".into(),
                "contracts.csv:4:title: is required".into(),
                "contracts.csv:4:start: '2025-02-29' is not a date (use YYYY-MM-DD)".into(),
                "contracts.csv:4:end: '2025-13-01' is not a date (use YYYY-MM-DD)".into(),
                "contracts.csv:4:value: '-5' is negative; amounts must be zero or more".into(),
                "contracts.csv:5:end: 2026-03-31 is before the contract starts (2026-04-01)".into(),
                "contracts.csv:5:value: '1.234' has more than 2 decimal places (money is kept to the penny)".into(),
                "contracts.csv:6:code: is required".into(),
                "contracts.csv:6:service: is required".into(),
                "contracts.csv:6:start: is required".into(),
                "contracts.csv:6:end: is required".into(),
                "contracts.csv:6:value: is required".into(),
                format!("contracts.csv:7:code: {bad_code}"),
                "contracts.csv:7:value: 'ten pounds' is not an amount in pounds".into(),
                "contracts.csv:8: has 9 fields but the header has 8".into(),
            ]
        );
    }

    #[test]
    fn the_file_and_its_headers_are_required() {
        let e = read_contracts(&Source::Csv(Default::default()), &services()).unwrap_err();
        assert_eq!(
            shown(e),
            ["contracts: found no contracts.csv (or sheet 'contracts')"]
        );
        let e = read_contracts(
            &src("code,service,partner,title,start,finish,value,description\n"),
            &services(),
        )
        .unwrap_err();
        assert_eq!(
            shown(e),
            [
                "contracts.csv:1:end: the headers must be exactly 'code,service,partner,title,start,end,value,description' (found 'code,service,partner,title,start,finish,value,description')"
            ]
        );
        assert_eq!(
            read_contracts(&src(&CONTRACTS.join(",")), &services()).unwrap(),
            []
        );
    }

    #[test]
    fn the_demo_file_round_trips_through_export() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        let fw = crate::framework::read(
            &Source::Dir(dir.clone()),
            &goldthread_domain::framework::Framework::default(),
        )
        .unwrap();
        let known: Vec<Code> = fw.services.iter().map(|s| s.code.clone()).collect();
        let v = read_contracts(&Source::Dir(dir), &known).unwrap();
        let again = crate::framework::csv_bytes(CONTRACTS, &contract_rows(&v)).unwrap();
        assert_eq!(
            read_contracts(&src(std::str::from_utf8(&again).unwrap()), &known).unwrap(),
            v
        );
        assert!(v.len() >= 15, "{} contracts", v.len());
        assert!(
            v.iter()
                .all(|c| c.description.to_lowercase().contains("illustrative")),
            "every demo contract says it is illustrative"
        );
        let today = date!(2026 - 11 - 23);
        let ending = v
            .iter()
            .filter(|c| {
                c.status(today) == goldthread_domain::commissioning::ContractStatus::EndingSoon
            })
            .count();
        assert!(ending >= 3, "{ending} end within 12 months of {today}");
    }
}
