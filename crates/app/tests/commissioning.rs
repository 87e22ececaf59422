//! The contracts register and the commissioning view on every database backend
//! (SQLite always; PostgreSQL when GOLDTHREAD_TEST_PG_URL is set), on a small
//! made-up council: imported whole and audited, replaced, exported as imported,
//! refused whole on any error or to the wrong role; a service with contracts is
//! not deleted; and the view's services, contracts, statuses and ending-soon list.
use goldthread_app::commissioning::{CommissioningView, ContractLine, IndicatorLine};
use goldthread_app::framework::ImportReport;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_domain::commissioning::{Contract, ContractStatus};
use goldthread_domain::framework::Service;
use goldthread_domain::performance::Rag;
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, DeliveryModel, Email, Role};
use goldthread_io::Source;
use goldthread_io::performance::Kind;
use goldthread_store::accounts::Tenant;
use goldthread_store::audit::{self, AuditFilter};
use goldthread_store::testing::{TestDb, databases};
use std::collections::BTreeMap;
use time::macros::date;

const SERVICES: &str = "code,title,portfolio,lead,statutory_basis,grouping,delivery_model,gross_cost,income,net_budget,fte,next_review,description
BUS,Supported buses,PL,,discretionary,universal-community,commercial,1200,200,1000,1,,
CARE,Care at home,PP,,statutory,vulnerable-people-families,partnership,6000,1000,5000,2,,
HALL,Community halls,PL,,discretionary,local-family-community,community-led,300,0,300,0,,
BINS,Bin collection,PL,,statutory,universal-community,self-delivery,900,100,800,10,,
ROADS,Roads,PL,,statutory,universal-community,self-delivery,700,0,700,5,,
PEST,Pest control,PL,,discretionary,universal-community,reduce,50,10,40,0.5,,
";

const INDICATORS: &str = "code,title,tier,unit,polarity,frequency,source,owner,tolerance,band_low,band_high,services,outcomes,by_locality,deadline_days,definition,benchmark_typology
BUS1,Buses on time,service,percent,higher-better,financial-year,local,,,,,BUS,,no,,,
BUS2,Complaints about buses,service,count,lower-better,financial-year,local,,,,,BUS,,no,,,
CARE1,Care visits on time,service,percent,higher-better,financial-year,local,,,,,CARE,,no,,,
CARE2,People cared for,service,count,data-only,financial-year,local,,,,,CARE,,no,,,
ROADS1,Potholes filled,service,count,higher-better,financial-year,local,,,,,ROADS,,no,,,
";

const TARGETS: &str = "indicator,period,target,band_low,band_high
BUS1,2024/25,90,,
BUS1,2025/26,90,,
BUS2,2025/26,10,,
CARE1,2025/26,80,,
ROADS1,2025/26,100,,
";

// BUS1 was red in 2024/25 and green in 2025/26 (the latest); BUS2 is within
// the default 5% tolerance (amber); CARE1 is red; CARE2 has no target.
const MEASUREMENTS: &str = "indicator,period,locality,value,missing_reason,status,note
BUS1,2024/25,,70,,assured,
BUS1,2025/26,,95,,assured,
BUS2,2025/26,,10.4,,assured,
CARE1,2025/26,,50,,draft,
CARE2,2025/26,,120,,assured,
ROADS1,2025/26,,20,,assured,
";

const HEADER: &str = "code,service,partner,title,start,end,value,description\n";

const CONTRACTS: &str = "BUS-1,BUS,Coach Co,Supported routes,2022-08-15,2027-08-13,\"£9,250,000\",Ends within the year
BUS-2,BUS,Coach Co,Supported routes (renewed),2027-08-14,2032-08-13,9500000,Not started
CARE-0,CARE,Care Co,Care at home (old),2021-04-01,2024-03-31,3000000.50,Ended
CARE-1,CARE,Care Co,Care at home,2024-04-01,2029-03-31,12000000,Current
BINS-1,BINS,Recycling Co,Recyclables reprocessing,2025-04-01,2026-11-23,400000,A self-delivered service buying in; ends today
";

fn today() -> time::Date {
    date!(2026 - 11 - 23)
}

fn csv(name: &str, body: &str) -> Source {
    Source::Csv(BTreeMap::from([(
        format!("{name}.csv"),
        body.as_bytes().to_vec(),
    )]))
}

fn contracts(rows: &str) -> Source {
    csv("contracts", &format!("{HEADER}{rows}"))
}

fn as_role(tenant: &Tenant, role: Role, email: &str) -> Caller {
    let mut c = Caller::cli(tenant.clone());
    c.actor = Actor {
        email: Email::parse(email).unwrap(),
        role,
        scope: vec![],
    };
    c.who = goldthread_app::ActorRef {
        user_id: None,
        label: email.into(),
    };
    c
}

async fn audit_count(t: &TestDb) -> i64 {
    let mut c = t.db.read().await.unwrap();
    audit::count_all(&mut c).await.unwrap()
}

/// A small made-up council: two portfolios, six services (three delivered by
/// others, two self-delivered, one being reduced) and five indicators.
async fn council(t: &TestDb) -> (App, Tenant) {
    let app = App::new(t.db.clone());
    let tenant = app
        .add_tenant(
            &goldthread_app::ActorRef::cli(),
            "small",
            "Small Council",
            "",
        )
        .await
        .unwrap();
    let cli = Caller::cli(tenant.clone());
    let framework = Source::Csv(BTreeMap::from([
        (
            "portfolios.csv".to_string(),
            b"code,title,outcome_leader,outcomes\nPL,Place,,\nPP,People,,\n".to_vec(),
        ),
        ("services.csv".to_string(), SERVICES.as_bytes().to_vec()),
    ]));
    app.import_framework(&cli, &framework, false, "small")
        .await
        .unwrap();
    for (kind, body) in [
        (Kind::Indicators, INDICATORS),
        (Kind::Targets, TARGETS),
        (Kind::Measurements, MEASUREMENTS),
    ] {
        app.import_performance(&cli, kind, &csv(kind.name(), body), false, kind.name())
            .await
            .unwrap();
    }
    (app, tenant)
}

fn counts(r: &ImportReport) -> [usize; 3] {
    r.tables["contracts"]
}

#[tokio::test]
async fn contracts_import_whole_audited_and_export_as_imported() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        let table: DataTable = "contracts".parse().unwrap();
        assert_eq!(table, DataTable::Contracts);
        assert!(DataTable::all().contains(&DataTable::Contracts));
        assert_eq!(table.headers().join(","), HEADER.trim_end());

        // A dry run reports what would happen and writes nothing.
        let before = audit_count(&t).await;
        let dry = app
            .import_table(&cli, table, &contracts(CONTRACTS), true, "contracts.csv")
            .await
            .unwrap();
        assert_eq!((dry.rows, counts(&dry)), (5, [5, 0, 0]));
        assert!(app.contracts(&cli).await.unwrap().is_empty());
        assert_eq!(audit_count(&t).await, before);

        // Imported: one audit row per contract, with the file as context.
        let r = app
            .import_table(&cli, table, &contracts(CONTRACTS), false, "contracts.csv")
            .await
            .unwrap();
        assert_eq!(
            r,
            ImportReport {
                dry_run: false,
                ..dry
            }
        );
        assert_eq!(audit_count(&t).await, before + 5, "{:?}", t.backend());
        let held = app.contracts(&cli).await.unwrap();
        let bus = held
            .iter()
            .find(|r| r.value.code.as_str() == "BUS-1")
            .unwrap();
        assert_eq!(bus.value.value_pence, 925_000_000);
        assert_eq!(
            (bus.value.start, bus.value.end),
            (date!(2022 - 08 - 15), date!(2027 - 08 - 13))
        );
        let care0 = held
            .iter()
            .find(|r| r.value.code.as_str() == "CARE-0")
            .unwrap();
        assert_eq!(care0.value.value_pence, 300_000_050);
        let rows = audit::list(
            &mut t.db.read().await.unwrap(),
            &tenant.tenant_id(),
            &AuditFilter {
                entity: Some("BUS-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].action.as_str(), rows[0].entity_type.as_str()),
            ("create", "contract")
        );
        assert_eq!(rows[0].after.as_ref().unwrap()["partner"], "Coach Co");
        assert_eq!(rows[0].context.as_ref().unwrap()["file"], "contracts");

        // Exported exactly as the import reads it: importing the export changes nothing.
        let exported = app.export_table(&cli, table).await.unwrap();
        assert_eq!(exported.len(), 5);
        let bytes = goldthread_io::framework::csv_bytes(table.headers(), &exported).unwrap();
        let again = Source::Csv(BTreeMap::from([("contracts.csv".to_string(), bytes)]));
        let before = audit_count(&t).await;
        let r = app
            .import_contracts(&cli, &again, false, "export")
            .await
            .unwrap();
        assert_eq!(counts(&r), [0, 0, 5]);
        assert!(r.removed.is_empty());
        assert_eq!(audit_count(&t).await, before);
        let values = |v: Vec<goldthread_app::Rec<Contract>>| -> Vec<Contract> {
            v.into_iter().map(|r| r.value).collect()
        };
        assert_eq!(values(app.contracts(&cli).await.unwrap()), values(held));

        // The file is the whole register: one changed, one kept, one new, and the
        // three it no longer lists deleted — each audited with before and after.
        let next =
            "BUS-1,BUS,Coach Co,Supported routes,2022-08-15,2027-08-13,9300000,Extended value
CARE-1,CARE,Care Co,Care at home,2024-04-01,2029-03-31,12000000,Current
HALL-1,HALL,Hall Association,Community asset transfer,2025-01-01,2034-12-31,250000,
";
        let before = audit_count(&t).await;
        let r = app
            .import_contracts(&cli, &contracts(next), false, "contracts.csv")
            .await
            .unwrap();
        assert_eq!((r.rows, counts(&r)), (3, [1, 1, 1]));
        assert_eq!(r.removed, BTreeMap::from([("contracts".to_string(), 3)]));
        assert_eq!(
            r.summary(),
            "3 rows checked; contracts: 1 created, 1 updated, 1 unchanged, 3 removed"
        );
        assert_eq!(audit_count(&t).await, before + 5);
        let codes: Vec<String> = app
            .contracts(&cli)
            .await
            .unwrap()
            .iter()
            .map(|r| r.value.code.to_string())
            .collect();
        assert_eq!(codes, ["BUS-1", "CARE-1", "HALL-1"], "by service code");
        let filter = |e: &str| AuditFilter {
            entity_type: Some("contract".into()),
            entity: Some(e.into()),
            ..Default::default()
        };
        let mut conn = t.db.read().await.unwrap();
        let bus = audit::list(&mut conn, &tenant.tenant_id(), &filter("BUS-1"))
            .await
            .unwrap();
        assert_eq!(bus[0].action, "update");
        assert_eq!(bus[0].before.as_ref().unwrap()["value_pence"], 925_000_000);
        assert_eq!(bus[0].after.as_ref().unwrap()["value_pence"], 930_000_000);
        let gone = audit::list(&mut conn, &tenant.tenant_id(), &filter("CARE-0"))
            .await
            .unwrap();
        assert_eq!(gone[0].action, "delete");
        assert_eq!(
            gone[0].before.as_ref().unwrap()["title"],
            "Care at home (old)"
        );
        assert!(gone[0].after.is_none());
        drop(conn);

        // Any error and nothing is written; every problem is reported.
        let before = audit_count(&t).await;
        let bad =
            "HALL-1,HALL,Hall Association,Community asset transfer,2025-01-01,2034-12-31,250000,
NEW-1,NOPE,X,Y,2026-04-01,2026-03-31,-1,
";
        let err = app
            .import_contracts(&cli, &contracts(bad), false, "contracts.csv")
            .await
            .unwrap_err();
        let AppError::Import(errors) = err else {
            panic!("expected import errors, got {err}")
        };
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "contracts.csv:3:service: unknown service code 'NOPE' (add it to the framework first)",
                "contracts.csv:3:end: 2026-03-31 is before the contract starts (2026-04-01)",
                "contracts.csv:3:value: '-1' is negative; amounts must be zero or more",
            ]
        );
        assert_eq!(audit_count(&t).await, before);
        assert_eq!(app.contracts(&cli).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn the_register_is_kept_by_the_centre_and_the_commissioning_hub() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        for (role, allowed) in [
            (Role::CommissioningOfficer, true),
            (Role::PerformanceOfficer, true),
            (Role::Admin, true),
            (Role::OutcomeLeader, false),
            (Role::ServiceManager, false),
            (Role::Member, false),
            (Role::Auditor, false),
        ] {
            let c = as_role(&tenant, role, "someone@small.example");
            let before = audit_count(&t).await;
            let row = format!(
                "{}-1,BUS,Coach Co,Routes,2025-01-01,2027-12-31,1,\n",
                role.as_str().to_uppercase()
            );
            let r = app
                .import_table(
                    &c,
                    DataTable::Contracts,
                    &contracts(&row),
                    false,
                    "contracts.csv",
                )
                .await;
            if allowed {
                // Each replaces the register: the previous role's contract goes.
                let r = r.unwrap();
                assert_eq!(counts(&r)[0], 1, "{role}");
                assert!(audit_count(&t).await > before, "{role}");
            } else {
                assert!(matches!(r, Err(AppError::Forbidden(_))), "{role}: {r:?}");
                assert_eq!(audit_count(&t).await, before, "{role}");
            }
        }
        let left = app.contracts(&Caller::cli(tenant.clone())).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].value.code.as_str(), "ADMIN-1");
    }
}

#[tokio::test]
async fn a_service_with_contracts_is_not_deleted() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        app.import_contracts(&cli, &contracts(CONTRACTS), false, "contracts.csv")
            .await
            .unwrap();
        let before = audit_count(&t).await;
        let version = app.get::<Service>(&cli, "BINS").await.unwrap().version;
        let err = app
            .delete::<Service>(&cli, "BINS", Some(version))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::InUse(_)), "{err}");
        assert_eq!(err.code(), "in_use");
        assert!(err.to_string().contains("1 contract(s)"), "{err}");
        assert_eq!(audit_count(&t).await, before);
        assert!(app.get::<Service>(&cli, "BINS").await.is_ok());
        // Once its contract is gone from the register, it may go.
        let without_bins: String = CONTRACTS
            .lines()
            .filter(|l| !l.starts_with("BINS-1"))
            .map(|l| format!("{l}\n"))
            .collect();
        app.import_contracts(&cli, &contracts(&without_bins), false, "contracts.csv")
            .await
            .unwrap();
        app.delete::<Service>(&cli, "BINS", Some(version))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_commissioning_view_of_a_small_council() {
    for t in databases().await {
        let (app, tenant) = council(&t).await;
        let cli = Caller::cli(tenant.clone());
        app.import_contracts(&cli, &contracts(CONTRACTS), false, "contracts.csv")
            .await
            .unwrap();
        let member = as_role(&tenant, Role::Member, "member@small.example");
        let v: CommissioningView = app.commissioning(&member, today()).await.unwrap();
        assert_eq!((v.today, v.horizon), (today(), date!(2027 - 11 - 23)));

        // Services delivered by others, and the self-delivered one buying in;
        // not the self-delivered or reduced services without contracts.
        let shown: Vec<(&str, DeliveryModel, bool, i64)> = v
            .services
            .iter()
            .map(|s| {
                (
                    s.code.as_str(),
                    s.delivery_model,
                    s.delivered_by_others,
                    s.net_budget_pence,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("BINS", DeliveryModel::SelfDelivery, false, 80_000),
                ("BUS", DeliveryModel::Commercial, true, 100_000),
                ("CARE", DeliveryModel::Partnership, true, 500_000),
                ("HALL", DeliveryModel::CommunityLed, true, 30_000),
            ]
        );
        let svc = |code: &str| v.services.iter().find(|s| s.code.as_str() == code).unwrap();
        assert_eq!(
            (
                svc("BUS").portfolio.as_str(),
                svc("BUS").portfolio_title.as_str()
            ),
            ("PL", "Place")
        );
        assert_eq!(svc("CARE").portfolio_title, "People");

        // Contracts by end date, each classified on the day.
        let lines = |code: &str| -> Vec<(String, ContractStatus)> {
            svc(code)
                .contracts
                .iter()
                .map(|l: &ContractLine| (l.contract.code.to_string(), l.status))
                .collect()
        };
        assert_eq!(
            lines("BUS"),
            [
                ("BUS-1".into(), ContractStatus::EndingSoon),
                ("BUS-2".into(), ContractStatus::NotStarted)
            ]
        );
        assert_eq!(
            lines("CARE"),
            [
                ("CARE-0".into(), ContractStatus::Ended),
                ("CARE-1".into(), ContractStatus::Current)
            ]
        );
        assert_eq!(
            lines("BINS"),
            [("BINS-1".into(), ContractStatus::EndingSoon)]
        );
        assert!(svc("HALL").contracts.is_empty());
        let bus1 = &svc("BUS").contracts[0].contract;
        assert_eq!(
            (bus1.partner.as_str(), bus1.value_pence),
            ("Coach Co", 925_000_000)
        );

        // Each indicator's latest status (2025/26: the last year ended by the
        // day), drafts included, and the counts by status.
        let p = goldthread_domain::period::Period::FinancialYear(2025);
        let ind = |code: &str, title: &str, status: Rag| IndicatorLine {
            code: Code::parse(code).unwrap(),
            title: title.into(),
            period: p,
            status,
        };
        assert_eq!(
            svc("BUS").indicators,
            [
                ind("BUS1", "Buses on time", Rag::Green),
                ind("BUS2", "Complaints about buses", Rag::Amber)
            ]
        );
        assert_eq!(
            svc("BUS").statuses,
            BTreeMap::from([(Rag::Green, 1), (Rag::Amber, 1)])
        );
        assert_eq!(
            svc("CARE").statuses,
            BTreeMap::from([(Rag::Red, 1), (Rag::NoTarget, 1)])
        );
        assert_eq!(
            svc("CARE").indicators[0],
            ind("CARE1", "Care visits on time", Rag::Red)
        );
        assert!(svc("HALL").indicators.is_empty() && svc("HALL").statuses.is_empty());
        assert!(svc("BINS").indicators.is_empty());

        // Ending within 12 months, soonest first: the one ending today, then BUS-1.
        let ending: Vec<(&str, &str, &str, i64)> = v
            .ending_soon
            .iter()
            .map(|e| {
                (
                    e.contract.code.as_str(),
                    e.contract.service.as_str(),
                    e.service_title.as_str(),
                    e.days_left,
                )
            })
            .collect();
        assert_eq!(
            ending,
            [
                ("BINS-1", "BINS", "Bin collection", 0),
                ("BUS-1", "BUS", "Supported buses", 263)
            ]
        );
        assert_eq!(v.ending_soon[1].delivery_model, DeliveryModel::Commercial);

        // A year on, BUS-1 has ended and the renewal is current and ending soon.
        let later = app
            .commissioning(&cli, date!(2027 - 08 - 14))
            .await
            .unwrap();
        let bus: Vec<ContractStatus> = later
            .services
            .iter()
            .find(|s| s.code.as_str() == "BUS")
            .unwrap()
            .contracts
            .iter()
            .map(|l| l.status)
            .collect();
        assert_eq!(bus, [ContractStatus::Ended, ContractStatus::Current]);
        let codes: Vec<&str> = later
            .ending_soon
            .iter()
            .map(|e| e.contract.code.as_str())
            .collect();
        assert!(codes.is_empty(), "{codes:?}");

        // As JSON, a contract line is the contract's fields and its status.
        let json = serde_json::to_value(&v).unwrap();
        let first = &json["services"][1]["contracts"][0];
        assert_eq!(first["code"], "BUS-1");
        assert_eq!(first["end"], "2027-08-13");
        assert_eq!(first["status"], "ending-soon");
        assert_eq!(json["services"][1]["statuses"]["green"], 1);
        assert_eq!(json["ending_soon"][0]["days_left"], 0);
    }
}

#[tokio::test]
async fn the_demo_councils_commissioning_view() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo Council", "")
            .await
            .unwrap();
        let cli = Caller::cli(tenant);
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/clackmannanshire");
        app.import_framework(&cli, &Source::Dir(dir.clone()), false, "demo")
            .await
            .unwrap();
        let r = app
            .import_contracts(&cli, &Source::Dir(dir), false, "contracts.csv")
            .await
            .unwrap();
        assert_eq!(counts(&r), [22, 0, 0]);
        let v = app.commissioning(&cli, today()).await.unwrap();
        let others = v.services.iter().filter(|s| s.delivered_by_others).count();
        let buying_in: Vec<&str> = v
            .services
            .iter()
            .filter(|s| !s.delivered_by_others)
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!((others, buying_in), (16, vec!["CS-IT", "PE-WASTE"]));
        assert!(
            v.services
                .iter()
                .filter(|s| s.delivered_by_others)
                .all(|s| !s.contracts.is_empty()),
            "every commissioned demo service has a contract"
        );
        let ending: Vec<&str> = v
            .ending_soon
            .iter()
            .map(|e| e.contract.code.as_str())
            .collect();
        assert_eq!(
            ending,
            [
                "CC-2024-006",
                "CC-2024-020",
                "CC-2026-031",
                "CC-2023-005",
                "CC-2024-018",
                "CC-2022-027",
                "CC-2017-003",
                "CC-2022-019"
            ]
        );
    }
}
