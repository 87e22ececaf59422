use super::*;
use crate::framework;

fn src(name: &str, content: &str) -> Source {
    Source::Csv(
        [(format!("{name}.csv"), content.as_bytes().to_vec())]
            .into_iter()
            .collect(),
    )
}

fn framework() -> Framework {
    let files = [
        ("people.csv", "email,name,role,scope\na@x.org,Ann,admin,\n"),
        (
            "outcomes.csv",
            "code,title,kind,links,description\nLO1,Local,local,,\n",
        ),
        (
            "portfolios.csv",
            "code,title,outcome_leader,outcomes\nP1,P,a@x.org,LO1\n",
        ),
        (
            "services.csv",
            "code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description\nS1,Roads,P1,,statutory,support,self-delivery,1,0,1,1,,\n",
        ),
    ];
    let s = Source::Csv(
        files
            .iter()
            .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
            .collect(),
    );
    let i = framework::read(&s, &Framework::default()).unwrap();
    Framework {
        people: i.people,
        outcomes: i.outcomes,
        portfolios: i.portfolios,
        services: i.services,
        ..Default::default()
    }
}

const IND_HEAD: &str = "code,title,tier,unit,polarity,frequency,source,owner,tolerance,band_low,band_high,services,outcomes,by_locality,deadline_days,definition,benchmark_typology\n";

fn indicators(fw: &Framework) -> Vec<Indicator> {
    let ctx = Context::new(fw, &[], &[]);
    let csv = format!(
        "{IND_HEAD}\
         Q1,Quarterly,service,percent,higher-better,quarterly,LGBF,a@x.org,,,,S1,,yes,,d,people\n\
         B1,Band,outcome,percent,in-band,financial-year,local,,2,90,110,,LO1,no,30,d,\n\
         D1,Data,enabler,count,data-only,monthly,local,,,,,,,,,d,\n"
    );
    read_indicators(&src("indicators", &csv), &ctx).unwrap()
}

fn errors_of<T: std::fmt::Debug>(r: Result<T, Vec<ImportError>>) -> Vec<String> {
    r.unwrap_err().iter().map(|e| e.to_string()).collect()
}

#[test]
fn indicators_read_with_defaults_and_the_optional_column() {
    let fw = framework();
    let inds = indicators(&fw);
    assert_eq!(inds.len(), 3);
    assert_eq!(inds[0].tolerance, Tolerance::default());
    assert_eq!(inds[0].deadline_days, 60);
    assert!(inds[0].by_locality);
    assert_eq!(inds[0].benchmark_typology.as_deref(), Some("people"));
    assert_eq!(
        inds[1].default_band(),
        Some(("90".parse().unwrap(), "110".parse().unwrap()))
    );
    // Without the optional benchmark_typology column.
    let ctx = Context::new(&fw, &[], &[]);
    let head16 = IND_HEAD.replace(",benchmark_typology", "");
    let r = read_indicators(
        &src(
            "indicators",
            &format!("{head16}X1,T,service,count,lower-better,calendar-year,SPI,,,,,S1,,,,d\n"),
        ),
        &ctx,
    )
    .unwrap();
    assert_eq!(r[0].benchmark_typology, None);
}

#[test]
fn indicator_errors() {
    let fw = framework();
    let ctx = Context::new(&fw, &[], &[]);
    let csv = format!(
        "{IND_HEAD}\
         X1,,sector,furlongs,sideways,weekly,gossip,b@x.org,five,1,,S9,LO9,maybe,-3,d,\n\
         X2,T,service,percent,higher-better,quarterly,local,,,1,2,,,,,d,\n\
         X2,T,service,percent,in-band,quarterly,local,,,5,2,,,,,d,\n"
    );
    let got = errors_of(read_indicators(&src("indicators", &csv), &ctx));
    for e in [
        "indicators.csv:2:title: is required",
        "indicators.csv:2:tier: unknown tier 'sector' (expected one of: outcome, service, enabler)",
        "indicators.csv:2:unit: unknown unit 'furlongs' (expected one of: percent, count, money, days, rate, ratio, score)",
        "indicators.csv:2:polarity: unknown polarity 'sideways' (expected one of: higher-better, lower-better, in-band, data-only)",
        "indicators.csv:2:frequency: unknown frequency 'weekly' (expected one of: monthly, quarterly, financial-year, academic-year, calendar-year)",
        "indicators.csv:2:source: unknown source 'gossip' (expected one of: local, LGBF, SPI, NPF, partner)",
        "indicators.csv:2:owner: unknown person 'b@x.org' (add them to people.csv)",
        "indicators.csv:2:tolerance: 'five' is not a tolerance (write a percentage like 5% or an amount like 2.5)",
        "indicators.csv:2:band_high: is required when band_low is given",
        "indicators.csv:2:services: unknown service code 'S9'",
        "indicators.csv:2:outcomes: unknown outcome code 'LO9'",
        "indicators.csv:2:by_locality: 'maybe' is not yes or no",
        "indicators.csv:2:deadline_days: '-3' is not a whole number of days from 0 to 3650",
        "indicators.csv:3:band_low: a band is only for in-band indicators; this one is higher-better",
        "indicators.csv:4:band_high: 2 is below band_low 5",
        "indicators.csv:4:code: 'X2' is a duplicate of row 3",
    ] {
        assert!(got.contains(&e.to_string()), "missing: {e}\n got: {got:#?}");
    }
}

#[test]
fn measurement_errors() {
    let fw = framework();
    let inds = indicators(&fw);
    let locs = vec![Locality {
        code: Code::parse("ALLOA").unwrap(),
        name: "Alloa".into(),
    }];
    let ctx = Context::new(&fw, &inds, &locs);
    let csv = "indicator,period,locality,value,missing_reason,status,note\n\
        Q1,2024/25 Q1,,71.2,,assured,\n\
        Q1,2024/25 Q1,ALLOA,70,,,\n\
        Q1,2024/25,,70,,,\n\
        Q1,2024/25 Q2,NOWHERE,70,,,\n\
        B1,2024/25,ALLOA,100,,,\n\
        Q1,2024/25 Q3,,,,,\n\
        Q1,2024/25 Q4,,1.5e3,,,\n\
        Q1,2025/26 Q1,,1,late,final,\n\
        Q1,2024/25 Q1,,72,,,\n\
        ZZ,2024/25,,1,,,\n";
    let got = errors_of(read_measurements(&src("measurements", csv), &ctx));
    let expected = [
        "measurements.csv:4:period: '2024/25' is a financial-year period but the indicator is measured quarterly (like 2024/25 Q1)",
        "measurements.csv:5:locality: unknown locality code 'NOWHERE' (import it in localities.csv first)",
        "measurements.csv:6:locality: B1 is not reported by locality (leave locality empty)",
        "measurements.csv:7:missing_reason: is required when there is no value",
        "measurements.csv:8:value: '1.5e3' is not a number (write an exact decimal such as 71.25)",
        "measurements.csv:9:missing_reason: must be empty when there is a value (use note for comments)",
        "measurements.csv:9:status: unknown data status 'final' (expected one of: draft, submitted, assured)",
        "measurements.csv:10:period: Q1 2024/25 Q1 is a duplicate of row 2",
        "measurements.csv:11:indicator: unknown indicator code 'ZZ' (import it in indicators.csv first)",
    ];
    for e in expected {
        assert!(got.contains(&e.to_string()), "missing: {e}\n got: {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    // Values stay exact.
    let ok = read_measurements(&src("measurements", "indicator,period,locality,value,missing_reason,status,note\nQ1,2024/25 Q1,,0.1000000000000000000001,,,\n"), &ctx).unwrap();
    assert_eq!(ok[0].value.unwrap().to_string(), "0.1000000000000000000001");
    assert_eq!(ok[0].status, DataStatus::Submitted);
}

#[test]
fn target_errors() {
    let fw = framework();
    let inds = indicators(&fw);
    let ctx = Context::new(&fw, &inds, &[]);
    let csv = "indicator,period,target,band_low,band_high\n\
        Q1,2024/25 Q1,75,,\n\
        Q1,2024/25 Q2,,,\n\
        B1,2024/25,,,\n\
        D1,2024-05,5,,\n\
        Q1,2024/25 Q1,80,,\n\
        Q1,2024/25 Q3,70,60,80\n";
    let got = errors_of(read_targets(&src("targets", csv), &ctx));
    for e in [
        "targets.csv:3:target: is required",
        "targets.csv:4:band_low: B1 is in-band: give band_low and band_high",
        "targets.csv:5:indicator: D1 is data-only: it has no targets",
        "targets.csv:6:period: Q1 2024/25 Q1 is a duplicate of row 2",
        "targets.csv:7:band_low: a band is only for in-band indicators; Q1 is higher-better",
    ] {
        assert!(got.contains(&e.to_string()), "missing: {e}\n got: {got:#?}");
    }
}

#[test]
fn benchmarks_localities_and_a_file_with_any_name() {
    let fw = framework();
    let inds = indicators(&fw);
    let ctx = Context::new(&fw, &inds, &[]);
    let g = read_benchmark_groups(&src(
        "whatever",
        "typology,group,area\npeople,3,Clackmannanshire\npeople,1,Fife\npeople,2,Fife\n",
    ));
    assert_eq!(
        errors_of(g),
        vec!["whatever.csv:4:area: Fife in people is a duplicate of row 3"]
    );
    let v = read_benchmark_values(
        &src(
            "v",
            "indicator,period,area,value\nQ1,2024/25 Q1,Fife,1\nQ1,2024/25 Q1,Scotland,\n",
        ),
        &ctx,
    );
    assert_eq!(errors_of(v), vec!["v.csv:3:value: is required"]);
    let l = read_localities(&src(
        "localities",
        "code,name\nALLOA,Alloa\nALLOA,Again\n,Nameless\n",
    ));
    assert_eq!(
        errors_of(l),
        vec![
            "localities.csv:3:code: 'ALLOA' is a duplicate of row 2",
            "localities.csv:4:code: is required"
        ]
    );
}
