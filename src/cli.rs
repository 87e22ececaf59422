//! Command-line interface. Exit codes: 0 success; 1 the input was rejected
//! (nothing written); 2 usage or environment error.
use crate::config::FileConfig;
use crate::demo;
use clap::{Args, Parser, Subcommand, ValueEnum};
use goldthread_app::assessment::AssessmentTable;
use goldthread_app::input::PersonInput;
use goldthread_app::org::OrgTable;
use goldthread_app::programmes::ProgrammeTable;
use goldthread_app::risks::RiskTable;
use goldthread_app::tables::DataTable;
use goldthread_app::{App, AppError, Caller};
use goldthread_store::Db;
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Prints a line to standard output; if the reader has gone (`goldthread … | head`),
/// stops quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

#[derive(Parser)]
#[command(name = "goldthread", version, about = "Outcomes-led performance, delivery and reporting for public bodies", long_about = None)]
struct Cli {
    /// Database URL: sqlite://PATH (created if absent) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "GOLDTHREAD_DATABASE_URL",
        default_value = "sqlite://goldthread.db"
    )]
    db: String,
    /// A TOML configuration file (see the README): what a flag or a
    /// GOLDTHREAD_* variable does not set is taken from it.
    #[arg(long, global = true, env = "GOLDTHREAD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bring the database schema up to date.
    Migrate,
    /// Write an online, consistent copy of the SQLite database (`VACUUM INTO`,
    /// checked with `PRAGMA integrity_check`); the server may keep running.
    /// PostgreSQL: use pg_dump (see the README).
    Backup {
        /// The copy to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the SQLite database (`--db`) with a backup, once the backup has
    /// passed its integrity check and its migrations are brought up to date.
    /// Stop the server first. Or, given an archive from `goldthread export all`,
    /// add that council to the database (SQLite or PostgreSQL) in one
    /// transaction; refused, with nothing written, if the council is there.
    Restore {
        /// The backup to restore.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database file (otherwise refused).
        #[arg(long)]
        replace: bool,
    },
    /// Load the demo council (Clackmannanshire) if it is not there yet, print the accounts, and serve.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo and stop, without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web pages and the API.
    Serve {
        #[arg(long, env = "GOLDTHREAD_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Mark session cookies Secure (set this when users reach the server over HTTPS).
        #[arg(long, env = "GOLDTHREAD_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Manage tenants (councils).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage people and their sign-in accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage national operators (they manage tenants; they read no tenant's data unless given a role there).
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Import data from CSV files or an XLSX workbook (all or nothing).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data in the format the import reads.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print every indicator's status, trend and benchmark, and each outcome's roll-up.
    Status {
        #[arg(long)]
        tenant: String,
        /// The period (e.g. 2024/25, 2024/25 Q3, 2024-05, 2024, AY2024/25); default: the latest ended financial year.
        #[arg(long)]
        period: Option<String>,
        /// Only this indicator.
        #[arg(long)]
        indicator: Option<String>,
        /// Every period of every indicator's series, not just the one within --period.
        #[arg(long)]
        all_periods: bool,
        #[arg(long, value_enum, default_value = "json")]
        format: StatusFormat,
        /// The date to judge deadlines against (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
    /// Write the One Report for a period: every outcome's status and why, its
    /// indicators with chart, trend and benchmark, exceptions, summary and definitions.
    Report {
        #[arg(long)]
        tenant: String,
        /// The period (e.g. 2024/25); default: the latest ended financial year.
        #[arg(long)]
        period: Option<String>,
        /// Only this outcome.
        #[arg(long, conflicts_with = "portfolio")]
        outcome: Option<String>,
        /// Only the outcomes this portfolio leads.
        #[arg(long, conflicts_with = "committee")]
        portfolio: Option<String>,
        /// Only what this committee scrutinises (committees.csv).
        #[arg(long, conflicts_with = "outcome")]
        committee: Option<String>,
        /// html: one standalone document that prints on A4; pdf: the same, printed to
        /// a tagged A4 PDF by headless Chromium (GOLDTHREAD_CHROMIUM, else `chromium`).
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        #[arg(long)]
        out: PathBuf,
        /// The date to judge deadlines against (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
    /// Publish a period: freeze its statuses so later changes show as restatements.
    Publish {
        #[arg(long)]
        tenant: String,
        /// The period to publish (e.g. 2024/25).
        #[arg(long)]
        period: String,
        /// The date to judge deadlines against (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
    /// Write synthetic data for benchmarks and tests (not the demo).
    #[command(subcommand)]
    Generate(GenerateCommand),
    /// Measure: recompute every status, trend, benchmark, roll-up and exception for every tenant.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Service reviews (the Delivery Framework): list them, show one with its options
    /// appraisal, export the appraisal as a workbook with live formulas.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Organisation design: a structure state's summary (cost range, saving
    /// against current, tiers, spans, layers), or two states compared.
    #[command(subcommand)]
    Org(OrgCommand),
    /// List indicators to escalate to their outcome boards.
    Exceptions {
        #[arg(long)]
        tenant: String,
        /// The date to judge deadlines against (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Add a tenant.
    Add {
        /// A short code, e.g. `falkirk`.
        code: String,
        #[arg(long)]
        name: String,
        /// The area's name as benchmarking data knows it (defaults to the name).
        #[arg(long, default_value = "")]
        area_name: String,
    },
    /// List tenants.
    List,
    /// Show or change a tenant's performance rule settings.
    Settings {
        code: String,
        /// Red for this many consecutive periods escalates (default 2).
        #[arg(long)]
        red_periods: Option<usize>,
        /// A change within this percentage of the previous value is stable (default 1).
        #[arg(long)]
        stable_pct: Option<String>,
    },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// List a tenant's service reviews: code, service, state, preferred option, title.
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_enum, default_value = "text")]
        format: TextFormat,
    },
    /// Show a review: its state, scope, options appraisal (net present cost, saving
    /// against the status quo, weighted score, rank) and sign-offs.
    Show {
        /// The review's code.
        code: String,
        #[arg(long)]
        tenant: String,
        /// json: the review with its computed figures.
        #[arg(long, value_enum, default_value = "text")]
        format: TextFormat,
    },
    /// Export a review's options appraisal: an XLSX workbook whose figures are live
    /// formulas (when FILE ends .xlsx, and by default), or JSON (when it ends .json).
    Export {
        /// The review's code.
        code: String,
        #[arg(long)]
        tenant: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TextFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a person to a tenant (or update them); optionally set a password from standard input.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, performance-officer, outcome-leader, service-manager, commissioning-officer, hr-officer, member or auditor.
        #[arg(long)]
        role: String,
        /// Portfolio or service codes the role applies to.
        #[arg(long, num_args = 1..)]
        scope: Vec<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List a tenant's people.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum GenerateCommand {
    /// Many councils (council-01, …), each with a framework and performance data, and a shared benchmark set.
    National {
        #[arg(long, default_value_t = 32)]
        councils: usize,
        #[arg(long, default_value_t = 1000)]
        indicators: usize,
        #[arg(long, default_value_t = 20)]
        periods: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Periods end before this date (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time loading and recomputing every tenant's performance data (best of --runs).
    Recompute {
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// The date to judge deadlines against (YYYY-MM-DD); default: today.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Make someone a national operator.
    Add {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "API token")]
        name: String,
        /// The tenant the token acts in (needed when the person belongs to several).
        #[arg(long)]
        tenant: Option<String>,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
    /// List a person's tokens.
    List {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// A structure state's figures: cost at grade minimum and maximum (posts,
    /// adjustments, total), the saving against the current state, posts, FTE,
    /// vacancies, spans of control, layers and the share of postholders not
    /// permanent by tier.
    Summary {
        #[arg(long)]
        tenant: String,
        /// current, immediate, transition or future.
        #[arg(long, default_value = "immediate")]
        state: String,
        #[arg(long, value_enum, default_value = "text")]
        format: TextFormat,
    },
    /// Two states compared: costs, saving and the changes post by post; with
    /// --xlsx, also a workbook with formulas for finance to check.
    Compare {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value = "current")]
        from: String,
        #[arg(long, default_value = "immediate")]
        to: String,
        #[arg(long, value_enum, default_value = "text")]
        format: TextFormat,
        /// Write the comparison workbook (XLSX) here.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a framework: a directory of CSV files or one XLSX workbook.
    Framework(ImportArgs),
    /// Import indicators (indicators.csv).
    Indicators(ImportArgs),
    /// Import measurements (measurements.csv); existing indicator × period × locality values are replaced.
    Measurements(ImportArgs),
    /// Import targets (targets.csv).
    Targets(ImportArgs),
    /// Import localities (localities.csv).
    Localities(ImportArgs),
    /// Import benchmark family groups (benchmark-groups.csv).
    BenchmarkGroups(ImportArgs),
    /// Import benchmark values (benchmark-values.csv).
    BenchmarkValues(ImportArgs),
    /// Import consultations (consultations.csv).
    Consultations(ImportArgs),
    /// Import responses to consultations, "you said, we did" (responses.csv).
    Responses(ImportArgs),
    /// Import committees and what they scrutinise (committees.csv).
    Committees(ImportArgs),
    /// Replace the contracts register with contracts.csv (contracts it no longer lists are deleted).
    Contracts(ImportArgs),
    /// Import risks (risks.csv); each risk is created or replaced by code, its controls kept.
    Risks(ImportArgs),
    /// Import risks' controls (controls.csv); each risk named gets exactly the controls listed.
    Controls(ImportArgs),
    /// Import reviews of risks, the scores recorded on a date (risk-reviews.csv).
    RiskReviews(ImportArgs),
    /// Import the risk appetite per category (risk-appetite.csv).
    RiskAppetite(ImportArgs),
    /// Import the Best Value self-assessment's themes (assessment-themes.csv), replacing them.
    AssessmentThemes(ImportArgs),
    /// Import Best Value self-assessment scores (self-assessments.csv).
    SelfAssessments(ImportArgs),
    /// Import benefits (benefits.csv); each row creates or replaces the benefit with its code.
    Benefits(ImportArgs),
    /// Import benefit profiles (benefit-profiles.csv); each benefit named has its profile replaced.
    BenefitProfiles(ImportArgs),
    /// Replace the medium-term funding gap with budget-gap.csv (years it no longer lists are deleted).
    BudgetGap(ImportArgs),
    /// Import action plans (action-plans.csv); plans the file leaves out are kept.
    ActionPlans(ImportArgs),
    /// Import the recommendations action plans answer (recommendations.csv).
    Recommendations(ImportArgs),
    /// Import actions (actions.csv); actions the file leaves out, and every action's progress notes, are kept.
    Actions(ImportArgs),
    /// Add progress notes to actions (action-progress.csv); notes already held are left as they are.
    ActionProgress(ImportArgs),
    /// Import transformation programmes (programmes.csv); each created or replaced by code.
    Programmes(ImportArgs),
    /// Import programmes' workstreams or themes (workstreams.csv), by programme and code.
    Workstreams(ImportArgs),
    /// Import programme initiatives (initiatives.csv); each created or replaced by code.
    Initiatives(ImportArgs),
    /// Import pay grades (grades.csv); each created or replaced by code.
    Grades(ImportArgs),
    /// Import posts (posts.csv); every structure state in the file is replaced whole.
    Posts(ImportArgs),
    /// Import structure states' adjustments (adjustments.csv); every state in the file has its adjustments replaced.
    Adjustments(ImportArgs),
}

impl ImportCommand {
    /// The data table imported, or none for the framework.
    fn table(&self) -> Option<DataTable> {
        use goldthread_app::actions::ActionsKind as A;
        use goldthread_app::benefits::BenefitsFile as B;
        use goldthread_app::engagement::EngagementKind as E;
        use goldthread_io::performance::Kind;
        Some(match self {
            ImportCommand::Framework(_) => return None,
            ImportCommand::Indicators(_) => DataTable::Performance(Kind::Indicators),
            ImportCommand::Measurements(_) => DataTable::Performance(Kind::Measurements),
            ImportCommand::Targets(_) => DataTable::Performance(Kind::Targets),
            ImportCommand::Localities(_) => DataTable::Performance(Kind::Localities),
            ImportCommand::BenchmarkGroups(_) => DataTable::Performance(Kind::BenchmarkGroups),
            ImportCommand::BenchmarkValues(_) => DataTable::Performance(Kind::BenchmarkValues),
            ImportCommand::Consultations(_) => DataTable::Engagement(E::Consultations),
            ImportCommand::Responses(_) => DataTable::Engagement(E::Responses),
            ImportCommand::Committees(_) => DataTable::Engagement(E::Committees),
            ImportCommand::Contracts(_) => DataTable::Contracts,
            ImportCommand::Risks(_) => DataTable::Risk(RiskTable::Risks),
            ImportCommand::Controls(_) => DataTable::Risk(RiskTable::Controls),
            ImportCommand::RiskReviews(_) => DataTable::Risk(RiskTable::RiskReviews),
            ImportCommand::RiskAppetite(_) => DataTable::Risk(RiskTable::RiskAppetite),
            ImportCommand::AssessmentThemes(_) => DataTable::Assessment(AssessmentTable::Themes),
            ImportCommand::SelfAssessments(_) => DataTable::Assessment(AssessmentTable::Scores),
            ImportCommand::Benefits(_) => DataTable::Benefits(B::Benefits),
            ImportCommand::BenefitProfiles(_) => DataTable::Benefits(B::Profiles),
            ImportCommand::BudgetGap(_) => DataTable::Benefits(B::BudgetGap),
            ImportCommand::ActionPlans(_) => DataTable::Actions(A::ActionPlans),
            ImportCommand::Recommendations(_) => DataTable::Actions(A::Recommendations),
            ImportCommand::Actions(_) => DataTable::Actions(A::Actions),
            ImportCommand::ActionProgress(_) => DataTable::Actions(A::ActionProgress),
            ImportCommand::Programmes(_) => DataTable::Programme(ProgrammeTable::Programmes),
            ImportCommand::Workstreams(_) => DataTable::Programme(ProgrammeTable::Workstreams),
            ImportCommand::Initiatives(_) => DataTable::Programme(ProgrammeTable::Initiatives),
            ImportCommand::Grades(_) => DataTable::Org(OrgTable::Grades),
            ImportCommand::Posts(_) => DataTable::Org(OrgTable::Posts),
            ImportCommand::Adjustments(_) => DataTable::Org(OrgTable::Adjustments),
        })
    }

    fn args(&self) -> &ImportArgs {
        match self {
            ImportCommand::Framework(a)
            | ImportCommand::Indicators(a)
            | ImportCommand::Measurements(a)
            | ImportCommand::Targets(a)
            | ImportCommand::Localities(a)
            | ImportCommand::BenchmarkGroups(a)
            | ImportCommand::BenchmarkValues(a)
            | ImportCommand::Consultations(a)
            | ImportCommand::Responses(a)
            | ImportCommand::Committees(a)
            | ImportCommand::Contracts(a)
            | ImportCommand::Risks(a)
            | ImportCommand::Controls(a)
            | ImportCommand::RiskReviews(a)
            | ImportCommand::RiskAppetite(a)
            | ImportCommand::AssessmentThemes(a)
            | ImportCommand::SelfAssessments(a)
            | ImportCommand::Benefits(a)
            | ImportCommand::BenefitProfiles(a)
            | ImportCommand::BudgetGap(a)
            | ImportCommand::ActionPlans(a)
            | ImportCommand::Recommendations(a)
            | ImportCommand::Actions(a)
            | ImportCommand::ActionProgress(a)
            | ImportCommand::Programmes(a)
            | ImportCommand::Workstreams(a)
            | ImportCommand::Initiatives(a)
            | ImportCommand::Grades(a)
            | ImportCommand::Posts(a)
            | ImportCommand::Adjustments(a) => a,
        }
    }
}

#[derive(Args)]
struct ImportArgs {
    path: PathBuf,
    #[arg(long)]
    tenant: String,
    /// Validate and report without writing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Xlsx,
}

#[derive(Args)]
struct ExportArgs {
    #[arg(long)]
    tenant: String,
    /// The CSV file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Html,
    Pdf,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusFormat {
    Json,
    Csv,
}

impl ExportCommand {
    /// The data table exported, or none for the framework.
    fn table(&self) -> Option<DataTable> {
        use goldthread_app::actions::ActionsKind as A;
        use goldthread_app::benefits::BenefitsFile as B;
        use goldthread_app::engagement::EngagementKind as E;
        use goldthread_io::performance::Kind;
        Some(match self {
            ExportCommand::Framework { .. } | ExportCommand::All { .. } => return None,
            ExportCommand::Indicators(_) => DataTable::Performance(Kind::Indicators),
            ExportCommand::Measurements(_) => DataTable::Performance(Kind::Measurements),
            ExportCommand::Targets(_) => DataTable::Performance(Kind::Targets),
            ExportCommand::Localities(_) => DataTable::Performance(Kind::Localities),
            ExportCommand::BenchmarkGroups(_) => DataTable::Performance(Kind::BenchmarkGroups),
            ExportCommand::BenchmarkValues(_) => DataTable::Performance(Kind::BenchmarkValues),
            ExportCommand::Consultations(_) => DataTable::Engagement(E::Consultations),
            ExportCommand::Responses(_) => DataTable::Engagement(E::Responses),
            ExportCommand::Committees(_) => DataTable::Engagement(E::Committees),
            ExportCommand::Contracts(_) => DataTable::Contracts,
            ExportCommand::Risks(_) => DataTable::Risk(RiskTable::Risks),
            ExportCommand::Controls(_) => DataTable::Risk(RiskTable::Controls),
            ExportCommand::RiskReviews(_) => DataTable::Risk(RiskTable::RiskReviews),
            ExportCommand::RiskAppetite(_) => DataTable::Risk(RiskTable::RiskAppetite),
            ExportCommand::AssessmentThemes(_) => DataTable::Assessment(AssessmentTable::Themes),
            ExportCommand::SelfAssessments(_) => DataTable::Assessment(AssessmentTable::Scores),
            ExportCommand::Benefits(_) => DataTable::Benefits(B::Benefits),
            ExportCommand::BenefitProfiles(_) => DataTable::Benefits(B::Profiles),
            ExportCommand::BudgetGap(_) => DataTable::Benefits(B::BudgetGap),
            ExportCommand::ActionPlans(_) => DataTable::Actions(A::ActionPlans),
            ExportCommand::Recommendations(_) => DataTable::Actions(A::Recommendations),
            ExportCommand::Actions(_) => DataTable::Actions(A::Actions),
            ExportCommand::ActionProgress(_) => DataTable::Actions(A::ActionProgress),
            ExportCommand::Programmes(_) => DataTable::Programme(ProgrammeTable::Programmes),
            ExportCommand::Workstreams(_) => DataTable::Programme(ProgrammeTable::Workstreams),
            ExportCommand::Initiatives(_) => DataTable::Programme(ProgrammeTable::Initiatives),
            ExportCommand::Grades(_) => DataTable::Org(OrgTable::Grades),
            ExportCommand::Posts(_) => DataTable::Org(OrgTable::Posts),
            ExportCommand::Adjustments(_) => DataTable::Org(OrgTable::Adjustments),
        })
    }

    fn args(&self) -> Option<&ExportArgs> {
        match self {
            ExportCommand::Framework { .. } | ExportCommand::All { .. } => None,
            ExportCommand::Indicators(a)
            | ExportCommand::Measurements(a)
            | ExportCommand::Targets(a)
            | ExportCommand::Localities(a)
            | ExportCommand::BenchmarkGroups(a)
            | ExportCommand::BenchmarkValues(a)
            | ExportCommand::Consultations(a)
            | ExportCommand::Responses(a)
            | ExportCommand::Committees(a)
            | ExportCommand::Contracts(a)
            | ExportCommand::Risks(a)
            | ExportCommand::Controls(a)
            | ExportCommand::RiskReviews(a)
            | ExportCommand::RiskAppetite(a)
            | ExportCommand::AssessmentThemes(a)
            | ExportCommand::SelfAssessments(a)
            | ExportCommand::Benefits(a)
            | ExportCommand::BenefitProfiles(a)
            | ExportCommand::BudgetGap(a)
            | ExportCommand::ActionPlans(a)
            | ExportCommand::Recommendations(a)
            | ExportCommand::Actions(a)
            | ExportCommand::ActionProgress(a)
            | ExportCommand::Programmes(a)
            | ExportCommand::Workstreams(a)
            | ExportCommand::Initiatives(a)
            | ExportCommand::Grades(a)
            | ExportCommand::Posts(a)
            | ExportCommand::Adjustments(a) => Some(a),
        }
    }
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export everything one council holds, its audit trail included, as a
    /// database-neutral archive (JSON) that `goldthread restore --from FILE`
    /// puts into SQLite or PostgreSQL.
    All {
        #[arg(long)]
        tenant: String,
        /// The archive to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Export indicators as indicators.csv.
    Indicators(ExportArgs),
    /// Export measurements as measurements.csv.
    Measurements(ExportArgs),
    /// Export targets as targets.csv.
    Targets(ExportArgs),
    /// Export localities as localities.csv.
    Localities(ExportArgs),
    /// Export benchmark groups as benchmark-groups.csv.
    BenchmarkGroups(ExportArgs),
    /// Export benchmark values as benchmark-values.csv.
    BenchmarkValues(ExportArgs),
    /// Export consultations as consultations.csv.
    Consultations(ExportArgs),
    /// Export responses ("you said, we did") as responses.csv.
    Responses(ExportArgs),
    /// Export committees as committees.csv.
    Committees(ExportArgs),
    /// Export the contracts register as contracts.csv.
    Contracts(ExportArgs),
    /// Export risks as risks.csv.
    Risks(ExportArgs),
    /// Export risks' controls as controls.csv.
    Controls(ExportArgs),
    /// Export reviews of risks as risk-reviews.csv.
    RiskReviews(ExportArgs),
    /// Export the risk appetite as risk-appetite.csv.
    RiskAppetite(ExportArgs),
    /// Export the self-assessment themes as assessment-themes.csv.
    AssessmentThemes(ExportArgs),
    /// Export the self-assessment scores as self-assessments.csv.
    SelfAssessments(ExportArgs),
    /// Export the benefits register as benefits.csv.
    Benefits(ExportArgs),
    /// Export benefits' planned and realised profiles as benefit-profiles.csv.
    BenefitProfiles(ExportArgs),
    /// Export the medium-term funding gap as budget-gap.csv.
    BudgetGap(ExportArgs),
    /// Export action plans as action-plans.csv.
    ActionPlans(ExportArgs),
    /// Export the plans' recommendations as recommendations.csv.
    Recommendations(ExportArgs),
    /// Export actions as actions.csv.
    Actions(ExportArgs),
    /// Export the actions' progress notes as action-progress.csv.
    ActionProgress(ExportArgs),
    /// Export transformation programmes as programmes.csv.
    Programmes(ExportArgs),
    /// Export programmes' workstreams as workstreams.csv.
    Workstreams(ExportArgs),
    /// Export programme initiatives as initiatives.csv.
    Initiatives(ExportArgs),
    /// Export pay grades as grades.csv.
    Grades(ExportArgs),
    /// Export the posts of every structure state as posts.csv.
    Posts(ExportArgs),
    /// Export structure states' adjustments as adjustments.csv.
    Adjustments(ExportArgs),
    /// Export a framework as CSV files (a directory) or one XLSX workbook.
    Framework {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_enum)]
        format: Format,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Why the command failed, and so its exit code.
enum Failure {
    Rejected(String),
    Environment(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Failure {
        match e {
            AppError::Import(errors) => Failure::Rejected(format!(
                "{}\n{}",
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
                AppError::Import(errors.clone())
            )),
            AppError::Validation(fields) => Failure::Rejected(
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            AppError::Internal(m) => Failure::Environment(m),
            other => Failure::Rejected(other.to_string()),
        }
    }
}

impl From<goldthread_store::StoreError> for Failure {
    fn from(e: goldthread_store::StoreError) -> Failure {
        Failure::Environment(e.to_string())
    }
}

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let file = match &cli.config {
        Some(path) => match FileConfig::read(path) {
            Ok(c) => c,
            Err(m) => {
                eprintln!("error: {m}");
                return ExitCode::from(2);
            }
        },
        None => FileConfig::default(),
    };
    FileConfig::pick(
        matches.value_source("db"),
        &mut cli.db,
        file.database_url.as_ref(),
    );
    if let (
        Command::Serve {
            addr,
            secure_cookies,
        },
        Some(m),
    ) = (&mut cli.command, matches.subcommand_matches("serve"))
    {
        FileConfig::pick(m.value_source("addr"), addr, file.addr.as_ref());
        FileConfig::pick(
            m.value_source("secure_cookies"),
            secure_cookies,
            file.secure_cookies.as_ref(),
        );
    }
    if let Some(mb) = file.max_import_mb {
        goldthread_io::table::configure_max_import_mb(mb);
    }
    if let Some(path) = &file.chromium {
        goldthread_web::report::configure_chromium(path);
    }
    init_tracing(FileConfig::env_or("GOLDTHREAD_LOG", file.log.as_ref()));
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Rejected(m)) => {
            eprintln!("{m}");
            ExitCode::from(1)
        }
        Err(Failure::Environment(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
    }
}

/// Logs to stderr (JSON when it is not a terminal), filtered by `filter`
/// (`GOLDTHREAD_LOG`, else the configuration file's `log`).
fn init_tracing(filter: Option<String>) {
    let filter = filter
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| "goldthread=info,tower_http=info,warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal() {
        builder.init();
    } else {
        builder.json().init();
    }
}

/// Whether `path` is a neutral archive (JSON) rather than an SQLite backup.
fn is_archive(path: &std::path::Path) -> bool {
    let mut head = [0u8; 64];
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map(|n| head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
        .unwrap_or(false)
}

/// The file of an `sqlite://PATH[?options]` URL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn open(url: &str) -> Result<App, Failure> {
    let db = Db::open(url)
        .await
        .map_err(|e| Failure::Environment(format!("cannot open the database {url}: {e}")))?;
    Ok(App::new(db))
}

fn spinner(message: &str) -> indicatif::ProgressBar {
    let pb =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if std::io::stderr().is_terminal() {
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("template"),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(100));
    } else {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    pb
}

/// The date to judge deadlines against: `--today`, else the real date.
fn parse_today(s: Option<&str>) -> Result<time::Date, Failure> {
    match s {
        None => Ok(time::OffsetDateTime::now_utc().date()),
        Some(t) => time::Date::parse(t, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|_| {
                Failure::Rejected(format!("--today '{t}' is not a date (use YYYY-MM-DD)"))
            }),
    }
}

/// Writes one data table as CSV, exactly as its import reads it.
async fn export_table(url: &str, a: &ExportArgs, table: DataTable) -> Result<(), Failure> {
    let app = open(url).await?;
    let rows = app
        .export_table(&Caller::cli(app.tenant(&a.tenant).await?), table)
        .await?;
    let bytes = goldthread_io::spreadsheet::csv_bytes(table.headers(), &rows)
        .map_err(|e| Failure::Environment(e.to_string()))?;
    std::fs::write(&a.out, bytes)
        .map_err(|e| Failure::Environment(format!("cannot write {}: {e}", a.out.display())))?;
    say!("Exported {} rows to {}.", rows.len(), a.out.display());
    Ok(())
}

/// The status report as two CSV tables: indicators, then outcomes.
fn print_status_csv(r: &goldthread_app::performance::StatusReport) -> Result<(), Failure> {
    let fail = |e: csv::Error| Failure::Environment(e.to_string());
    let d =
        |v: Option<rust_decimal::Decimal>| v.map(|v| v.normalize().to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "indicator",
        "period",
        "locality",
        "value",
        "target",
        "band_low",
        "band_high",
        "tolerance",
        "status",
        "trend_previous",
        "trend_year_ago",
        "rank",
        "n",
        "quartile",
        "scotland",
        "family_group_average",
    ])
    .map_err(fail)?;
    // Meant for a spreadsheet: a cell that would start a formula is neutralised.
    let safe = |cells: &[String]| -> Vec<String> {
        cells
            .iter()
            .map(|c| goldthread_io::spreadsheet::neutralise(c).into_owned())
            .collect()
    };
    for s in &r.indicators {
        let b = s.benchmark.as_ref();
        w.write_record(safe(&[
            s.indicator.to_string(),
            s.period.to_string(),
            s.locality
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default(),
            d(s.value),
            d(s.target),
            d(s.band_low),
            d(s.band_high),
            s.tolerance.clone(),
            s.status.to_string(),
            s.trend_previous.to_string(),
            s.trend_year_ago.to_string(),
            b.and_then(|b| b.rank)
                .map(|x| x.to_string())
                .unwrap_or_default(),
            b.map(|b| b.n.to_string()).unwrap_or_default(),
            b.and_then(|b| b.quartile)
                .map(|x| x.to_string())
                .unwrap_or_default(),
            d(b.and_then(|b| b.scotland)),
            d(b.and_then(|b| b.family_group_average)),
        ]))
        .map_err(fail)?;
    }
    let mut o = csv::Writer::from_writer(Vec::new());
    o.write_record([
        "outcome",
        "period",
        "status",
        "score",
        "counted",
        "excluded",
        "explanation",
    ])
    .map_err(fail)?;
    for row in &r.outcomes {
        let e = &row.explanation;
        o.write_record(safe(&[
            row.outcome.to_string(),
            row.period.to_string(),
            e.status.to_string(),
            e.score.clone().unwrap_or_default(),
            e.counted.to_string(),
            e.excluded.to_string(),
            e.sentence.clone(),
        ]))
        .map_err(fail)?;
    }
    let text = |w: csv::Writer<Vec<u8>>| {
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    };
    say!("{}", text(w).trim_end());
    say!();
    say!("{}", text(o).trim_end());
    Ok(())
}

/// `goldthread review …`.
fn pounds(pence: i64) -> String {
    goldthread_domain::money::format_pounds_display(pence)
}

fn opt_pounds(pence: Option<i64>) -> String {
    pence.map_or_else(|| "-".to_string(), pounds)
}

/// A state's summary as text.
fn print_state_summary(s: &goldthread_domain::org::StateSummary) {
    say!("{}", s.state.display_name());
    say!(
        "  posts: {}  FTE: {}  vacancies: {} ({} FTE)",
        s.posts,
        s.fte,
        s.vacancies,
        s.vacant_fte
    );
    say!(
        "  posts at grade minimum–maximum: {} – {}",
        pounds(s.cost_min_pence),
        pounds(s.cost_max_pence)
    );
    for a in &s.adjustments {
        say!(
            "  adjustment: {} ({} FTE at {}): {} – {}",
            a.adjustment.description,
            a.adjustment.fte,
            a.adjustment.grade,
            pounds(a.cost_min_pence),
            pounds(a.cost_max_pence)
        );
    }
    say!(
        "  cost after adjustments: {} – {}",
        pounds(s.cost_after_adjustments_min_pence),
        pounds(s.cost_after_adjustments_max_pence)
    );
    if let (Some(c), Some(b)) = (s.current_cost_pence, s.current_basis) {
        say!("  current cost: {} ({})", pounds(c), b.describe());
        say!(
            "  saving against current: {} – {}",
            opt_pounds(s.saving_min_pence),
            opt_pounds(s.saving_max_pence)
        );
    }
    say!(
        "  spans of control: {} managers, min {}, median {}, max {}; fewer than 3: {}; more than 10: {}",
        s.spans.managers,
        s.spans.min,
        s.spans.median,
        s.spans.max,
        s.spans.narrow.len(),
        s.spans.wide.len()
    );
    say!("  layers: {}", s.layers);
    for t in &s.by_tier {
        let pct = |p: Option<rust_decimal::Decimal>| p.map_or("-".to_string(), |p| format!("{p}%"));
        say!(
            "  tier {}: {} posts, {} FTE, {} vacant; not permanent {} of {} ({}); tiers 1–{}: {} of {} ({})",
            t.tier,
            t.posts,
            t.fte,
            t.vacancies,
            t.not_permanent,
            t.postholders,
            pct(t.not_permanent_pct),
            t.tier,
            t.not_permanent_to_here,
            t.postholders_to_here,
            pct(t.not_permanent_pct_to_here)
        );
    }
    if !s.ungraded.is_empty() {
        say!(
            "  not costed (grade unknown): {}",
            s.ungraded
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

async fn org_command(url: &str, cmd: OrgCommand) -> Result<(), Failure> {
    use goldthread_app::org::state_named;
    let app = open(url).await?;
    let (OrgCommand::Summary { tenant, .. } | OrgCommand::Compare { tenant, .. }) = &cmd;
    let caller = Caller::cli(app.tenant(tenant).await?);
    match cmd {
        OrgCommand::Summary { state, format, .. } => {
            let s = app.state_summary(&caller, state_named(&state)?).await?;
            match format {
                TextFormat::Text => print_state_summary(&s),
                TextFormat::Json => say!("{}", pretty(&s)?),
            }
        }
        OrgCommand::Compare {
            from,
            to,
            format,
            xlsx,
            ..
        } => {
            let (from, to) = (state_named(&from)?, state_named(&to)?);
            let c = app.compare_states(&caller, from, to).await?;
            match format {
                TextFormat::Json => say!("{}", pretty(&c)?),
                TextFormat::Text => {
                    print_state_summary(&c.from);
                    print_state_summary(&c.to);
                    say!(
                        "Saving of {to} against {from} ({}): {} – {}",
                        c.from_basis.describe(),
                        pounds(c.saving_min_pence),
                        pounds(c.saving_max_pence)
                    );
                    for ch in &c.changes {
                        say!("{}\t{}\t{}", ch.change, ch.code, ch.fields.join(", "));
                    }
                }
            }
            if let Some(out) = xlsx {
                let bytes = app.comparison_xlsx(&caller, from, to).await?;
                std::fs::write(&out, bytes).map_err(|e| {
                    Failure::Environment(format!("cannot write {}: {e}", out.display()))
                })?;
                say!("Wrote {}.", out.display());
            }
        }
    }
    Ok(())
}

fn pretty<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure::Environment(e.to_string()))
}

async fn review_command(url: &str, cmd: ReviewCommand) -> Result<(), Failure> {
    let app = open(url).await?;
    let (ReviewCommand::List { tenant, .. }
    | ReviewCommand::Show { tenant, .. }
    | ReviewCommand::Export { tenant, .. }) = &cmd;
    let caller = Caller::cli(app.tenant(tenant).await?);
    let json = |v: &serde_json::Value| {
        serde_json::to_string_pretty(v).map_err(|e| Failure::Environment(e.to_string()))
    };
    match cmd {
        ReviewCommand::List { format, .. } => {
            let reviews = app.reviews(&caller).await?;
            match format {
                TextFormat::Text => {
                    for r in &reviews {
                        let r = &r.value;
                        say!(
                            "{}\t{}\t{}\t{}\t{}",
                            r.code,
                            r.service,
                            r.state,
                            r.appraisal
                                .preferred
                                .as_ref()
                                .map_or("-".to_string(), |p| p.to_string()),
                            r.title
                        );
                    }
                }
                TextFormat::Json => {
                    let items: Vec<serde_json::Value> = reviews
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "code": r.value.code,
                                "service": r.value.service,
                                "state": r.value.state,
                                "preferred": r.value.appraisal.preferred,
                                "title": r.value.title,
                                "version": r.version,
                            })
                        })
                        .collect();
                    say!("{}", json(&serde_json::Value::Array(items))?);
                }
            }
        }
        ReviewCommand::Show { code, format, .. } => {
            let rec = app.review(&caller, &code).await?;
            match format {
                TextFormat::Text => print_review(&rec.value),
                TextFormat::Json => say!("{}", json(&review_json(&rec))?),
            }
        }
        ReviewCommand::Export { code, out, .. } => {
            let rec = app.review(&caller, &code).await?;
            let as_json = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let bytes = if as_json {
                let mut text = json(&review_json(&rec))?;
                text.push('\n');
                text.into_bytes()
            } else {
                goldthread_io::review::appraisal_xlsx(&rec.value)
                    .map_err(|e| Failure::Environment(e.to_string()))?
            };
            std::fs::write(&out, bytes).map_err(|e| {
                Failure::Environment(format!("cannot write {}: {e}", out.display()))
            })?;
            say!(
                "Exported the options appraisal of review {} to {} ({}).",
                rec.value.code,
                out.display(),
                if as_json { "JSON" } else { "XLSX" }
            );
        }
    }
    Ok(())
}

/// A review (with its id and version) and its appraisal's computed figures.
fn review_json(
    rec: &goldthread_store::framework::Rec<goldthread_domain::review::Review>,
) -> serde_json::Value {
    let a = &rec.value.appraisal;
    serde_json::json!({
        "review": rec,
        "figures": goldthread_domain::review::appraise(&a.options, &a.criteria, a.discount_rate),
    })
}

/// Pence as pounds with two decimals and thousands separators: `-£1,234.50`.
fn pounds2(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}£{grouped}.{:02}", abs % 100)
}

/// Lines of cells padded into columns (two spaces apart); `right` marks the
/// columns aligned right (figures).
fn columns(rows: &[Vec<String>], right: &[bool]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(c, s)| {
                    let pad = " ".repeat(widths[c] - s.chars().count());
                    if right.get(c).copied().unwrap_or(false) {
                        format!("{pad}{s}")
                    } else {
                        format!("{s}{pad}")
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

/// A review as readable text: state, scope, the options appraisal and approval.
fn print_review(r: &goldthread_domain::review::Review) {
    use goldthread_domain::review::appraise;
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "none recorded".to_string()
        } else {
            s.trim().to_string()
        }
    };
    say!("Review {}: {}", r.code, r.title);
    say!("Service   {}", r.service);
    say!("State     {}", r.state);
    say!("Author    {}", r.author);

    let s = &r.scope;
    say!();
    say!("Scope");
    let outcomes: Vec<String> = s.outcomes.iter().map(|o| o.to_string()).collect();
    say!("  Intended outcomes    {}", or_none(&outcomes.join(", ")));
    if s.statutory_duties.is_empty() {
        say!("  Statutory duties     none recorded");
    } else {
        say!("  Statutory duties");
        for d in &s.statutory_duties {
            say!("    - {d}");
        }
    }
    say!("  Funding constraints  {}", or_none(&s.funding_constraints));
    say!(
        "  E-S-I-A stage        {}",
        s.esia.map_or("not chosen".to_string(), |e| e.to_string())
    );
    if let Some(p) = &s.profile {
        say!(
            "  Current profile      gross cost {}, net budget {}, {}.{:02} FTE",
            pounds2(p.gross_cost_pence),
            pounds2(p.net_budget_pence),
            p.fte_hundredths / 100,
            p.fte_hundredths.rem_euclid(100)
        );
    }

    let a = &r.appraisal;
    say!();
    say!(
        "Options appraisal ({} years, discount rate {}%)",
        a.years,
        (a.discount_rate * rust_decimal::Decimal::ONE_HUNDRED).normalize()
    );
    if a.options.is_empty() {
        say!("  No options yet.");
    } else {
        let figures = appraise(&a.options, &a.criteria, a.discount_rate);
        let mut rows = vec![
            [
                "Option",
                "Delivery model",
                "Status quo",
                "Net present cost",
                "Saving vs status quo",
                "Score",
                "Rank",
                "Fails statutory duty",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (o, f) in a.options.iter().zip(&figures) {
            let mut model = o.delivery_model.to_string();
            if o.regional {
                model.push_str(" (regional)");
            }
            let mut option = o.code.to_string();
            if a.preferred.as_ref() == Some(&o.code) {
                option.push_str(" *");
            }
            rows.push(vec![
                option,
                model,
                if o.status_quo { "yes" } else { "no" }.into(),
                pounds2(f.npc_pence),
                f.saving_vs_status_quo_pence.map_or("-".into(), pounds2),
                f.weighted_score
                    .map_or("-".into(), |v| format!("{:.2}", v.round_dp(2))),
                f.rank.map_or("-".into(), |v| v.to_string()),
                if f.fails_statutory { "yes" } else { "no" }.into(),
            ]);
        }
        let right = [false, false, false, true, true, true, true, false];
        for line in columns(&rows, &right) {
            say!("  {line}");
        }
        say!("  (* preferred; NPC at the discount rate, year 0 undiscounted; score out of 100)");
    }
    match &a.preferred {
        Some(p) => say!("  Preferred option {p}: {}", or_none(&a.rationale)),
        None => say!("  No preferred option yet."),
    }

    let ap = &r.approval;
    say!();
    say!("Approval");
    if ap.sign_offs.is_empty() {
        say!("  No sign-offs yet.");
    }
    for so in &ap.sign_offs {
        say!("  Signed off by {} ({}) on {}", so.person, so.role, so.on);
    }
    if !ap.committee_reference.trim().is_empty() || ap.committee_date.is_some() {
        say!(
            "  Committee decision {}{}",
            ap.committee_reference.trim(),
            ap.committee_date
                .map(|d| format!(" on {d}"))
                .unwrap_or_default()
        );
    }
    if !ap.rejection_reason.trim().is_empty() {
        say!("  Rejected: {}", ap.rejection_reason.trim());
    }
    if let Some(d) = ap.decided_on {
        say!("  Decided on {d}");
    }
    if let Some(d) = ap.implemented_on {
        say!("  Implemented on {d}");
    }
}

/// One line from standard input, when asked for.
fn read_password(from_stdin: bool) -> Result<Option<String>, Failure> {
    if !from_stdin {
        return Ok(None);
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Failure::Environment(e.to_string()))?;
    Ok(Some(s.lines().next().unwrap_or("").to_string()))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let url = cli.db.clone();
    match cli.command {
        Command::Backup { out } => {
            let db = Db::connect(&url).await?;
            db.backup_to(&out).await.map_err(|e| match e {
                goldthread_store::StoreError::Invalid(m) => Failure::Rejected(m),
                other => Failure::Environment(other.to_string()),
            })?;
            say!(
                "Backed up to {} ({} bytes); its integrity check passed.",
                out.display(),
                std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0)
            );
        }
        Command::Restore { from, replace } if is_archive(&from) => {
            if replace {
                return Err(Failure::Rejected(format!(
                    "{} is an archive from `goldthread export all`: restoring it adds its council and never replaces anything, so --replace does not apply (it is for an SQLite backup file); nothing was restored",
                    from.display()
                )));
            }
            let bytes = std::fs::read(&from).map_err(|e| {
                Failure::Environment(format!("cannot read {}: {e}", from.display()))
            })?;
            let archive: goldthread_store::archive::Archive = serde_json::from_slice(&bytes)
                .map_err(|e| {
                    Failure::Rejected(format!(
                        "{} is not a goldthread archive: {e}; nothing was restored",
                        from.display()
                    ))
                })?;
            let db = Db::open(&url).await.map_err(|e| {
                Failure::Environment(format!("cannot open the database {url}: {e}"))
            })?;
            let rows = db
                .restore_archive(
                    &archive,
                    &goldthread_store::audit::ActorRef::cli(),
                    &from.display().to_string(),
                )
                .await
                .map_err(|e| match e {
                    goldthread_store::StoreError::Db(_) => {
                        Failure::Environment(format!("{e}; nothing was restored"))
                    }
                    other => Failure::Rejected(other.to_string()),
                })?;
            say!(
                "Restored {} ({rows} rows) from {}.",
                archive.tenant_code,
                from.display()
            );
        }
        Command::Restore { from, replace } => {
            let target = sqlite_path(&url).ok_or_else(|| {
                Failure::Rejected(
                    "restore replaces an SQLite database file; restore PostgreSQL with pg_restore (see the README)".into(),
                )
            })?;
            if !from.is_file() {
                return Err(Failure::Rejected(format!(
                    "{} is not a file",
                    from.display()
                )));
            }
            if target.exists() && !replace {
                return Err(Failure::Rejected(format!(
                    "{} exists; add --replace to overwrite it (stop the server first)",
                    target.display()
                )));
            }
            // Check and migrate a copy beside the target, then move it into place.
            let staged = target.with_extension("restoring");
            let _ = std::fs::remove_file(&staged);
            std::fs::copy(&from, &staged).map_err(|e| {
                Failure::Environment(format!("cannot copy {}: {e}", from.display()))
            })?;
            let checked = async {
                let db = Db::connect(&format!("sqlite://{}", staged.display())).await?;
                db.integrity_check().await?;
                let applied = db.migrate().await?;
                db.close().await;
                Ok::<_, goldthread_store::StoreError>(applied)
            }
            .await;
            let applied = match checked {
                Ok(a) => a,
                Err(e) => {
                    let _ = std::fs::remove_file(&staged);
                    return Err(Failure::Rejected(format!(
                        "{} is not a sound goldthread database: {e}; nothing was replaced",
                        from.display()
                    )));
                }
            };
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
            }
            std::fs::rename(&staged, &target).map_err(|e| {
                Failure::Environment(format!("cannot move the backup into place: {e}"))
            })?;
            say!(
                "Restored {} from {}{}.",
                target.display(),
                from.display(),
                if applied.is_empty() {
                    String::new()
                } else {
                    format!(" (then applied {})", applied.join(", "))
                }
            );
        }
        Command::Migrate => {
            let db = Db::connect(&url).await?;
            let applied = db.migrate().await?;
            if applied.is_empty() {
                say!("The schema is up to date.");
            } else {
                say!("Applied migrations: {}", applied.join(", "));
            }
        }
        Command::Demo { addr, no_serve } => {
            let app = open(&url).await?;
            let pb = spinner("Loading the demo council");
            let loaded = demo::ensure(&app).await?;
            pb.finish_and_clear();
            let tenant = app.tenant(demo::TENANT).await?;
            let data = app.perf_data(&Caller::cli(tenant)).await?;
            let v = &data.view;
            say!(
                "{} the demo council: {} ({} outcomes, {} services, {} matrix cells, {} plans, {} indicators, {} measurements).",
                if loaded { "Loaded" } else { "Already there:" },
                demo::NAME,
                v.framework.outcomes.len(),
                v.framework.services.len(),
                v.framework.contributions.len(),
                v.framework.plans.len(),
                data.indicators.len(),
                data.measurements.len()
            );
            say!(
                "\nSign in with any of these accounts; the password of each is: {}",
                demo::PASSWORD
            );
            for (email, role) in demo::ACCOUNTS {
                say!("  {email:<36} {role}");
            }
            say!(
                "  {:<36} national operator (manages councils; sees none of their data)",
                demo::OPERATOR
            );
            if !no_serve {
                say!(
                    "\ngoldthread is at http://{addr}/ (API docs at http://{addr}/api/docs). Stop it with Ctrl-C."
                );
                goldthread_web::serve(app, addr, false)
                    .await
                    .map_err(|e| Failure::Environment(format!("cannot serve on {addr}: {e}")))?;
            }
        }
        Command::Serve {
            addr,
            secure_cookies,
        } => {
            let app = open(&url).await?;
            say!("goldthread is at http://{addr}/");
            goldthread_web::serve(app, addr, secure_cookies)
                .await
                .map_err(|e| Failure::Environment(format!("cannot serve on {addr}: {e}")))?;
        }
        Command::Tenant(TenantCommand::Add {
            code,
            name,
            area_name,
        }) => {
            let app = open(&url).await?;
            let t = app
                .add_tenant(&goldthread_app::ActorRef::cli(), &code, &name, &area_name)
                .await?;
            say!("Added tenant {} ({}).", t.code, t.name);
        }
        Command::Tenant(TenantCommand::Settings {
            code,
            red_periods,
            stable_pct,
        }) => {
            let app = open(&url).await?;
            let caller = Caller::cli(app.tenant(&code).await?);
            let mut s = app.rule_settings(&caller).await?;
            if red_periods.is_some() || stable_pct.is_some() {
                s.red_periods = red_periods.unwrap_or(s.red_periods);
                s.stable_pct = stable_pct.unwrap_or(s.stable_pct);
                s = app.set_rule_settings(&caller, &s).await?;
            }
            say!(
                "red_periods\t{}\nstable_pct\t{}",
                s.red_periods,
                s.stable_pct
            );
        }
        Command::Tenant(TenantCommand::List) => {
            let app = open(&url).await?;
            for t in app.tenants().await? {
                say!("{}\t{}\t{}", t.code, t.name, t.area_name);
            }
        }
        Command::Operator(OperatorCommand::Add {
            email,
            password_stdin,
        }) => {
            let app = open(&url).await?;
            let password = read_password(password_stdin)?;
            app.add_operator(
                &goldthread_app::ActorRef::cli(),
                &email,
                password.as_deref(),
            )
            .await?;
            say!("{email} is a national operator.");
        }
        Command::User(UserCommand::Add {
            tenant,
            email,
            name,
            role,
            scope,
            password_stdin,
        }) => {
            let app = open(&url).await?;
            let tenant = app.tenant(&tenant).await?;
            let password = read_password(password_stdin)?;
            let input = PersonInput {
                email,
                name,
                role,
                scope,
                version: None,
            };
            let p = app.add_user(&tenant, &input, password.as_deref()).await?;
            say!(
                "{} ({}) is a {} in {}{}.",
                p.value.name,
                p.value.email,
                p.value.role,
                tenant.code,
                if password.is_some() {
                    ", and can sign in"
                } else {
                    ""
                }
            );
        }
        Command::User(UserCommand::List { tenant }) => {
            let app = open(&url).await?;
            let tenant = app.tenant(&tenant).await?;
            for a in app.accounts(&tenant).await? {
                let p = &a.person.value;
                let scope = p
                    .scope
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(";");
                say!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.email,
                    p.name,
                    p.role,
                    scope,
                    if a.can_sign_in {
                        "can sign in"
                    } else {
                        "no password"
                    }
                );
            }
        }
        Command::Token(TokenCommand::Create {
            email,
            name,
            tenant,
            expires_days,
        }) => {
            let app = open(&url).await?;
            let t = app
                .create_token(&email, tenant.as_deref(), &name, expires_days)
                .await?;
            eprintln!(
                "Token {} created for {email}; it is shown only now:",
                t.token.id
            );
            say!("{}", t.secret);
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let app = open(&url).await?;
            app.revoke_token(&id).await?;
            say!("Revoked token {id}.");
        }
        Command::Token(TokenCommand::List { email }) => {
            let app = open(&url).await?;
            for t in app.tokens(&email).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                say!(
                    "{}\t{}\t{}\t{}\texpires {}",
                    t.id,
                    t.name,
                    t.created_at,
                    state,
                    t.expires_at.as_deref().unwrap_or("never")
                );
            }
        }
        Command::Import(cmd) => {
            let app = open(&url).await?;
            let args = cmd.args();
            let tenant = app.tenant(&args.tenant).await?;
            let source = goldthread_io::Source::from_path(&args.path)
                .map_err(|e| Failure::from(AppError::from(e)))?;
            let label = args.path.display().to_string();
            let pb = spinner("Importing");
            let caller = Caller::cli(tenant);
            let result = match cmd.table() {
                None => {
                    app.import_framework(&caller, &source, args.dry_run, &label)
                        .await
                }
                Some(DataTable::Performance(kind)) => {
                    // A bar once the size is known (a streamed measurements file).
                    let progress = |done: u64, total: u64| {
                        if pb.length() != Some(total) {
                            pb.set_length(total);
                            pb.set_style(
                                indicatif::ProgressStyle::with_template(
                                    "{msg} [{bar:30}] {percent:>3}% {elapsed} (about {eta} left)",
                                )
                                .expect("template")
                                .progress_chars("=> "),
                            );
                        }
                        pb.set_position(done);
                    };
                    app.import_performance_with(
                        &caller,
                        kind,
                        &source,
                        args.dry_run,
                        &label,
                        &progress,
                    )
                    .await
                }
                Some(t) => {
                    app.import_table(&caller, t, &source, args.dry_run, &label)
                        .await
                }
            };
            pb.finish_and_clear();
            say!("{}", result?.summary());
        }
        Command::Status {
            tenant,
            period,
            indicator,
            all_periods,
            format,
            today,
        } => {
            let app = open(&url).await?;
            let caller = Caller::cli(app.tenant(&tenant).await?);
            let today = parse_today(today.as_deref())?;
            let period = period
                .as_deref()
                .map(goldthread_app::performance::parse_period)
                .transpose()?;
            let report = app
                .status_report(&caller, period, indicator.as_deref(), all_periods, today)
                .await?;
            match format {
                StatusFormat::Json => say!(
                    "{}",
                    serde_json::to_string_pretty(&report)
                        .map_err(|e| Failure::Environment(e.to_string()))?
                ),
                StatusFormat::Csv => print_status_csv(&report)?,
            }
        }
        Command::Publish {
            tenant,
            period,
            today,
        } => {
            let app = open(&url).await?;
            let caller = Caller::cli(app.tenant(&tenant).await?);
            let period = goldthread_app::performance::parse_period(&period)?;
            let r = app
                .publish(&caller, period, parse_today(today.as_deref())?)
                .await?;
            say!(
                "Published {}: {} indicator statuses and {} outcome roll-ups frozen.",
                r.period,
                r.statuses,
                r.outcomes
            );
        }
        Command::Generate(GenerateCommand::National {
            councils,
            indicators,
            periods,
            seed,
            out,
            today,
        }) => {
            let spec = goldthread_io::generate::Spec {
                councils,
                indicators,
                periods,
                seed,
                today: parse_today(today.as_deref())?,
            };
            let pb = spinner("Generating");
            let w = goldthread_io::generate::national(&spec, &out).map_err(|e| {
                Failure::Environment(format!("cannot write {}: {e}", out.display()))
            })?;
            pb.finish_and_clear();
            say!(
                "Wrote {} councils to {}: {} indicators each, {} measurements, {} targets, {} benchmark values.",
                w.councils,
                out.display(),
                w.indicators,
                w.measurements,
                w.targets,
                w.benchmark_values
            );
        }
        Command::Bench(BenchCommand::Recompute { runs, today }) => {
            let app = open(&url).await?;
            let today = parse_today(today.as_deref())?;
            let tenants = app.tenants().await?;
            let (mut best_load, mut best_compute) = (f64::MAX, f64::MAX);
            let (mut statuses, mut indicators, mut measurements) = (0, 0, 0);
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            for _ in 0..runs.max(1) {
                let started = std::time::Instant::now();
                let mut all = Vec::new();
                for t in &tenants {
                    all.push(app.load_perf_data(&Caller::cli(t.clone())).await?);
                }
                best_load = best_load.min(started.elapsed().as_secs_f64());
                indicators = all.iter().map(|d| d.indicators.len()).sum();
                measurements = all.iter().map(|d| d.measurements.len()).sum();
                // Councils are independent: computed side by side, one thread per core.
                let started = std::time::Instant::now();
                let period = goldthread_app::performance::default_period(today);
                let chunk = all.len().div_ceil(threads).max(1);
                statuses = std::thread::scope(|scope| {
                    let workers: Vec<_> = all
                        .chunks(chunk)
                        .map(|part| {
                            scope.spawn(move || {
                                let mut n = 0;
                                for data in part {
                                    let card = data.card(today);
                                    n += card.all().len();
                                    let _ = card.outcomes(period);
                                    let _ = card.enablers(period);
                                    let _ = card.exceptions();
                                }
                                n
                            })
                        })
                        .collect();
                    workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
                });
                best_compute = best_compute.min(started.elapsed().as_secs_f64());
            }
            say!("tenants\t{}", tenants.len());
            say!("indicators\t{indicators}");
            say!("measurements\t{measurements}");
            say!("statuses computed\t{statuses}");
            say!("load from the database (best of {runs})\t{best_load:.3} s");
            say!(
                "recompute statuses, trends, benchmarks, roll-ups, exceptions on {threads} threads (best of {runs})\t{best_compute:.3} s (target ≤ 1 s)"
            );
        }
        Command::Report {
            tenant,
            period,
            outcome,
            portfolio,
            committee,
            format,
            out,
            today,
        } => {
            use goldthread_web::report::{Scope, one_report_html};
            let app = open(&url).await?;
            let caller = Caller::cli(app.tenant(&tenant).await?);
            let today = parse_today(today.as_deref())?;
            let period = match period.as_deref() {
                Some(p) => goldthread_app::performance::parse_period(p)?,
                None => goldthread_app::performance::default_period(today),
            };
            let scope = Scope::choose(
                outcome.as_deref(),
                portfolio.as_deref(),
                committee.as_deref(),
            );
            let started = std::time::Instant::now();
            let html = one_report_html(&app, &caller, period, &scope, today).await?;
            let bytes = match format {
                ReportFormat::Html => html.into_bytes(),
                ReportFormat::Pdf => goldthread_web::report::html_to_pdf(&html)
                    .await
                    .map_err(|e| Failure::Environment(e.to_string()))?,
            };
            std::fs::write(&out, &bytes).map_err(|e| {
                Failure::Environment(format!("cannot write {}: {e}", out.display()))
            })?;
            say!(
                "Wrote the One Report for {period} to {} ({} KB, {:.2} s).",
                out.display(),
                bytes.len() / 1024,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Review(cmd) => review_command(&url, cmd).await?,
        Command::Org(cmd) => org_command(&url, cmd).await?,
        Command::Exceptions { tenant, today } => {
            let app = open(&url).await?;
            let caller = Caller::cli(app.tenant(&tenant).await?);
            for e in app
                .exceptions(&caller, parse_today(today.as_deref())?)
                .await?
            {
                say!("{}", e.sentence);
            }
        }
        Command::Export(ExportCommand::All { tenant, out }) => {
            if out.exists() {
                return Err(Failure::Rejected(format!(
                    "{} exists; an archive never overwrites a file",
                    out.display()
                )));
            }
            let app = open(&url).await?;
            let tenant = app.tenant(&tenant).await?;
            let archive = app.db.export_archive(&tenant.tenant_id()).await?;
            let bytes = serde_json::to_vec(&archive)
                .map_err(|e| Failure::Environment(format!("cannot write the archive: {e}")))?;
            std::fs::write(&out, bytes).map_err(|e| {
                Failure::Environment(format!("cannot write {}: {e}", out.display()))
            })?;
            let rows: usize = archive.counts().values().sum();
            say!(
                "Archived {} ({} rows in {} tables) to {}.",
                archive.tenant_code,
                rows,
                archive.tables.len(),
                out.display()
            );
        }
        Command::Export(cmd) if cmd.table().is_some() => {
            let table = cmd.table().expect("a data table");
            let a = cmd.args().expect("export arguments");
            export_table(&url, a, table).await?
        }
        Command::Export(ExportCommand::Framework {
            tenant,
            format,
            out,
        }) => {
            let app = open(&url).await?;
            let tenant = app.tenant(&tenant).await?;
            let fw = app.export_framework(&Caller::cli(tenant)).await?;
            match format {
                Format::Csv => goldthread_io::framework::write_csv_dir(&fw, &out)
                    .map_err(|e| Failure::Environment(e.to_string()))?,
                Format::Xlsx => {
                    let bytes = goldthread_io::framework::xlsx_bytes(&fw)
                        .map_err(|e| Failure::Environment(e.to_string()))?;
                    std::fs::write(&out, bytes).map_err(|e| {
                        Failure::Environment(format!("cannot write {}: {e}", out.display()))
                    })?;
                }
            }
            say!("Exported to {}.", out.display());
        }
        Command::Export(cmd) => match (cmd.table(), cmd.args()) {
            (Some(table), Some(a)) => export_table(&url, a, table).await?,
            _ => unreachable!("every export but the framework's is a data table"),
        },
    }
    Ok(())
}
