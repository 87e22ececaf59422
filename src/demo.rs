//! The demo council (Clackmannanshire), built from the seed papers. Its framework
//! files are embedded in the binary and loaded through the ordinary importer.
use goldthread_app::engagement::EngagementKind;
use goldthread_app::input::PersonInput;
use goldthread_app::{App, AppError, Caller};
use goldthread_io::Source;
use goldthread_io::performance::Kind;
use std::collections::BTreeMap;

pub const TENANT: &str = "clackmannanshire";
pub const NAME: &str = "Clackmannanshire Council";
pub const AREA: &str = "Clackmannanshire";
/// The password of every demo account. It is a demo: change it on a real server.
pub const PASSWORD: &str = "clacks-demo-2026";

const FILES: &[(&str, &str)] = &[
    (
        "people.csv",
        include_str!("../demo/clackmannanshire/people.csv"),
    ),
    (
        "outcomes.csv",
        include_str!("../demo/clackmannanshire/outcomes.csv"),
    ),
    (
        "portfolios.csv",
        include_str!("../demo/clackmannanshire/portfolios.csv"),
    ),
    (
        "services.csv",
        include_str!("../demo/clackmannanshire/services.csv"),
    ),
    (
        "contributions.csv",
        include_str!("../demo/clackmannanshire/contributions.csv"),
    ),
    (
        "raci.csv",
        include_str!("../demo/clackmannanshire/raci.csv"),
    ),
    (
        "plans.csv",
        include_str!("../demo/clackmannanshire/plans.csv"),
    ),
];

/// The demo's performance data, in the order it is imported.
const PERFORMANCE: &[(Kind, &str)] = &[
    (
        Kind::Localities,
        include_str!("../demo/clackmannanshire/localities.csv"),
    ),
    (
        Kind::Indicators,
        include_str!("../demo/clackmannanshire/indicators.csv"),
    ),
    (
        Kind::Targets,
        include_str!("../demo/clackmannanshire/targets.csv"),
    ),
    (
        Kind::Measurements,
        include_str!("../demo/clackmannanshire/measurements.csv"),
    ),
    (
        Kind::BenchmarkGroups,
        include_str!("../demo/clackmannanshire/benchmark-groups.csv"),
    ),
    (
        Kind::BenchmarkValues,
        include_str!("../demo/clackmannanshire/benchmark-values.csv"),
    ),
];

/// Committees (aligned to the portfolios, as the council's were in 2018), and
/// consultations and "you said, we did", drawn from the papers' engagement themes.
const ENGAGEMENT: &[(EngagementKind, &str)] = &[
    (
        EngagementKind::Committees,
        include_str!("../demo/clackmannanshire/committees.csv"),
    ),
    (
        EngagementKind::Consultations,
        include_str!("../demo/clackmannanshire/consultations.csv"),
    ),
    (
        EngagementKind::Responses,
        include_str!("../demo/clackmannanshire/responses.csv"),
    ),
];

/// The contracts register for the commissioned services (and two services that
/// buy parts in): partners, dates and values are illustrative.
const CONTRACTS: &str = include_str!("../demo/clackmannanshire/contracts.csv");

/// One sign-in account per role.
pub const ACCOUNTS: &[(&str, &str)] = &[
    ("admin@demo.example", "admin"),
    ("performance@demo.example", "performance-officer"),
    (
        "director.wellbeing@demo.example",
        "outcome-leader (Wellbeing)",
    ),
    (
        "director.place@demo.example",
        "outcome-leader (Place and Economy)",
    ),
    (
        "head.corporate@demo.example",
        "outcome-leader (Corporate Services)",
    ),
    ("service.manager@demo.example", "service-manager"),
    ("commissioning@demo.example", "commissioning-officer"),
    ("member@demo.example", "member"),
    ("auditor@demo.example", "auditor"),
];

/// A national operator, who manages councils and reads none of their data.
pub const OPERATOR: &str = "operator@demo.example";

pub fn source() -> Source {
    Source::Csv(
        FILES
            .iter()
            .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Loads the demo council unless it is there already. Returns whether it was loaded.
pub async fn ensure(app: &App) -> Result<bool, AppError> {
    if app.tenant(TENANT).await.is_ok() {
        return Ok(false);
    }
    let tenant = app
        .add_tenant(&goldthread_app::ActorRef::cli(), TENANT, NAME, AREA)
        .await?;
    let cli = Caller::cli(tenant.clone());
    app.import_framework(&cli, &source(), false, "demo council")
        .await?;
    for (kind, content) in PERFORMANCE {
        let file = format!("{}.csv", kind.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_performance(&cli, *kind, &source, false, &file)
            .await?;
    }
    for (kind, content) in ENGAGEMENT {
        let file = format!("{}.csv", kind.name());
        let source = Source::Csv(BTreeMap::from([(
            file.clone(),
            content.as_bytes().to_vec(),
        )]));
        app.import_engagement(&cli, *kind, &source, false, &file)
            .await?;
    }
    let file = "contracts.csv";
    let source = Source::Csv(BTreeMap::from([(
        file.to_string(),
        CONTRACTS.as_bytes().to_vec(),
    )]));
    app.import_contracts(&cli, &source, false, file).await?;
    for (email, _) in ACCOUNTS {
        let person = app
            .get::<goldthread_domain::framework::Person>(&cli, email)
            .await?;
        let input = PersonInput {
            email: person.value.email.to_string(),
            name: person.value.name.clone(),
            role: person.value.role.to_string(),
            scope: person.value.scope.iter().map(|c| c.to_string()).collect(),
            version: Some(person.version),
        };
        app.add_user(&tenant, &input, Some(PASSWORD)).await?;
    }
    app.add_operator(&goldthread_app::ActorRef::cli(), OPERATOR, Some(PASSWORD))
        .await?;
    Ok(true)
}
