//! The data tables that are imported and exported one file at a time, by name:
//! the performance files (`indicators.csv`, `measurements.csv`, …), the
//! engagement and reporting files (`consultations.csv`, `responses.csv`,
//! `committees.csv`), the contracts register (`contracts.csv`), the benefits
//! files (`benefits.csv`, `benefit-profiles.csv`, `budget-gap.csv`), the risk
//! register's files, the action plans (`action-plans.csv`,
//! `recommendations.csv`, `actions.csv`, `action-progress.csv`), the Best
//! Value self-assessment's and the transformation programme's
//! (`programmes.csv`, `workstreams.csv`, `initiatives.csv`) and organisation
//! design's (`grades.csv`, `posts.csv`, `adjustments.csv`). (The framework's
//! tables import together; see `framework`.) Every export is exactly what its
//! import reads.
use crate::actions::ActionsKind;
use crate::assessment::AssessmentTable;
use crate::benefits::BenefitsFile;
use crate::engagement::EngagementKind;
use crate::framework::ImportReport;
use crate::org::OrgTable;
use crate::performance::PerfData;
use crate::programmes::ProgrammeTable;
use crate::risks::RiskTable;
use crate::{App, AppError, Caller, Result};
use goldthread_io::Source;
use goldthread_io::engagement as eio;
use goldthread_io::performance::{self as pio, Kind};
use goldthread_store::engagement::EngagementSnapshot;

/// One of the tables that import and export by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataTable {
    Performance(Kind),
    Engagement(EngagementKind),
    /// The contracts register, imported whole (see [`App::import_contracts`]).
    Contracts,
    /// The risk register's files (see [`App::import_risks`]).
    Risk(RiskTable),
    /// The Best Value self-assessment's files (see [`App::import_self_assessment`]).
    Assessment(AssessmentTable),
    /// The benefits register, profiles and budget gap (see [`App::import_benefits`]).
    Benefits(BenefitsFile),
    /// Action plans, recommendations, actions and progress notes (see
    /// [`App::import_actions`]).
    Actions(ActionsKind),
    /// The transformation programme's files (see [`App::import_programmes`]).
    Programme(ProgrammeTable),
    /// Organisation design's files (see [`App::import_org`]).
    Org(OrgTable),
}

impl DataTable {
    /// Every such table, in the order they are best imported.
    pub fn all() -> Vec<DataTable> {
        Kind::ALL
            .iter()
            .map(|k| DataTable::Performance(*k))
            .chain(
                EngagementKind::ALL
                    .iter()
                    .map(|k| DataTable::Engagement(*k)),
            )
            .chain([DataTable::Contracts])
            // Programmes and workstreams before the risks that name them;
            // initiatives after the risks and benefits they name; actions
            // after the risks they mitigate, self-assessments after the
            // actions they feed.
            .chain([
                DataTable::Programme(ProgrammeTable::Programmes),
                DataTable::Programme(ProgrammeTable::Workstreams),
            ])
            .chain(RiskTable::ALL.iter().map(|t| DataTable::Risk(*t)))
            .chain(BenefitsFile::ALL.iter().map(|f| DataTable::Benefits(*f)))
            .chain([DataTable::Programme(ProgrammeTable::Initiatives)])
            .chain(ActionsKind::ALL.iter().map(|k| DataTable::Actions(*k)))
            .chain(
                AssessmentTable::ALL
                    .iter()
                    .map(|t| DataTable::Assessment(*t)),
            )
            .chain(OrgTable::ALL.iter().map(|t| DataTable::Org(*t)))
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            DataTable::Performance(k) => k.name(),
            DataTable::Engagement(k) => k.name(),
            DataTable::Contracts => crate::commissioning::TABLE,
            DataTable::Risk(t) => t.name(),
            DataTable::Assessment(t) => t.name(),
            DataTable::Benefits(f) => f.name(),
            DataTable::Actions(k) => k.name(),
            DataTable::Programme(t) => t.name(),
            DataTable::Org(t) => t.name(),
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            DataTable::Performance(k) => k.headers(),
            DataTable::Engagement(k) => k.headers(),
            DataTable::Contracts => goldthread_io::commissioning::CONTRACTS,
            DataTable::Risk(t) => t.headers(),
            DataTable::Assessment(t) => t.headers(),
            DataTable::Benefits(f) => f.headers(),
            DataTable::Actions(k) => k.headers(),
            DataTable::Programme(t) => t.headers(),
            DataTable::Org(t) => t.headers(),
        }
    }

    /// The table called `name` (without `.csv`), if there is one.
    pub fn named(name: &str) -> Option<DataTable> {
        DataTable::all().into_iter().find(|t| t.name() == name)
    }
}

/// A performance table's rows, as its import reads them.
pub fn performance_rows(data: &PerfData, kind: Kind) -> Vec<Vec<String>> {
    let p = &data.perf;
    match kind {
        Kind::Indicators => pio::indicator_rows(&data.indicators),
        Kind::Measurements => pio::measurement_rows(&data.measurements),
        Kind::Targets => pio::target_rows(&data.targets),
        Kind::Localities => pio::locality_rows(
            &p.localities
                .iter()
                .map(|r| r.value.clone())
                .collect::<Vec<_>>(),
        ),
        Kind::BenchmarkGroups => pio::benchmark_group_rows(&p.benchmark_groups),
        Kind::BenchmarkValues => pio::benchmark_value_rows(&p.benchmark_values),
    }
}

/// An engagement table's rows, as its import reads them.
pub fn engagement_rows(e: &EngagementSnapshot, kind: EngagementKind) -> Vec<Vec<String>> {
    fn values<T: Clone>(v: &[goldthread_store::framework::Rec<T>]) -> Vec<T> {
        v.iter().map(|r| r.value.clone()).collect()
    }
    match kind {
        EngagementKind::Consultations => eio::consultation_rows(&values(&e.consultations)),
        EngagementKind::Responses => eio::response_rows(&values(&e.responses)),
        EngagementKind::Committees => eio::committee_rows(&values(&e.committees)),
    }
}

impl App {
    /// The rows of one data table of the caller's council, drafts included (staff
    /// only: the public's open data is assured values alone).
    pub async fn export_table(&self, c: &Caller, t: DataTable) -> Result<Vec<Vec<String>>> {
        Ok(match t {
            DataTable::Performance(k) => performance_rows(&*self.perf_data(c).await?, k),
            DataTable::Engagement(k) => engagement_rows(&self.engagement(c).await?, k),
            DataTable::Contracts => goldthread_io::commissioning::contract_rows(
                &self
                    .contracts(c)
                    .await?
                    .into_iter()
                    .map(|r| r.value)
                    .collect::<Vec<_>>(),
            ),
            DataTable::Risk(t) => self.export_risks(c, t).await?,
            DataTable::Assessment(t) => self.export_self_assessment(c, t).await?,
            DataTable::Benefits(f) => f.rows(&self.benefits(c).await?),
            DataTable::Actions(k) => {
                crate::actions::action_rows(&self.action_register(c).await?, k)
            }
            DataTable::Programme(t) => self.export_programmes(c, t).await?,
            DataTable::Org(t) => self.export_org(c, t).await?,
        })
    }

    /// Imports one data table (all or nothing, audited).
    pub async fn import_table(
        &self,
        c: &Caller,
        t: DataTable,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        source.require_rows(t.name(), t.headers())?;
        match t {
            DataTable::Performance(k) => {
                self.import_performance(c, k, source, dry_run, label).await
            }
            DataTable::Engagement(k) => self.import_engagement(c, k, source, dry_run, label).await,
            DataTable::Contracts => self.import_contracts(c, source, dry_run, label).await,
            DataTable::Risk(t) => self.import_risks(c, t, source, dry_run, label).await,
            DataTable::Assessment(t) => {
                self.import_self_assessment(c, t, source, dry_run, label)
                    .await
            }
            DataTable::Benefits(f) => self.import_benefits(c, f, source, dry_run, label).await,
            DataTable::Actions(k) => self.import_actions(c, k, source, dry_run, label).await,
            DataTable::Programme(t) => self.import_programmes(c, t, source, dry_run, label).await,
            DataTable::Org(t) => self.import_org(c, t, source, dry_run, label).await,
        }
    }
}

impl std::str::FromStr for DataTable {
    type Err = AppError;
    fn from_str(s: &str) -> Result<DataTable> {
        DataTable::named(s).ok_or_else(|| {
            AppError::NotFound(format!(
                "unknown table '{s}' (expected one of: {})",
                DataTable::all()
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}
