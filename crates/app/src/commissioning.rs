//! Commissioning: the contracts register (imported whole from `contracts.csv`,
//! all or nothing, every change audited) and the commissioning view (DOMAIN §4):
//! services delivered by others — and services that buy parts in — with their
//! partners, contract dates and values, and their indicators' latest statuses;
//! and the contracts ending within a year.
use crate::engagement::put_record;
use crate::framework::{ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::commissioning::{
    Contract, ContractStatus, delivered_by_others, ending_soon_horizon,
};
use goldthread_domain::performance::Rag;
use goldthread_domain::period::Period;
use goldthread_domain::permission::Write;
use goldthread_domain::{Code, DeliveryModel};
use goldthread_io::Source;
use goldthread_io::commissioning as cio;
use goldthread_store::commissioning as cs;
use goldthread_store::framework as fs;
use goldthread_store::framework::Rec;
use goldthread_store::{AnyConnection, TenantId};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use time::Date;

put_record!(
    Contract,
    "contract",
    |c| c.code.to_string(),
    cs::put_contract
);

/// The table's name (`contracts.csv`), in import reports and audit context.
pub const TABLE: &str = "contracts";

impl App {
    /// The caller's tenant's contracts, by service, then end date, then code.
    pub async fn contracts(&self, c: &Caller) -> Result<Vec<Rec<Contract>>> {
        let mut conn = self.db.read().await?;
        Ok(cs::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Replaces the tenant's contracts with those in `contracts.csv`
    /// (administrators, performance officers and commissioning officers): each
    /// row creates or updates the contract with its code, and contracts the file
    /// no longer lists are deleted — the file is the whole register. All or
    /// nothing; one audit row per contract created, changed or deleted.
    pub async fn import_contracts(
        &self,
        c: &Caller,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::Contracts, &fw)?;
        let services: Vec<Code> = fw.services.iter().map(|s| s.code.clone()).collect();
        let rows = cio::read_contracts(source, &services).map_err(AppError::Import)?;
        let held = cs::load(tx.conn(), &tid).await?;
        let gone: Vec<Rec<Contract>> = held
            .iter()
            .filter(|h| !rows.iter().any(|r| r.code == h.value.code))
            .cloned()
            .collect();
        let context = json!({"import": label, "file": TABLE});
        let mut report = ImportReport {
            dry_run,
            rows: rows.len(),
            ..Default::default()
        };
        apply_each(&mut tx, c, &mut report, TABLE, &context, rows, &held).await?;
        for g in gone {
            cs::delete_contract(tx.conn(), &tid, &g.id, g.version).await?;
            record(
                &mut tx,
                c,
                "delete",
                Contract::ENTITY,
                Some(&g.id),
                g.value.code.as_str(),
                Some(json!(g)),
                None,
                Some(context.clone()),
            )
            .await?;
            report.count_removed(TABLE);
        }
        report.finish(tx).await
    }
}

/// A contract and where it stands on the view's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractLine {
    #[serde(flatten)]
    pub contract: Contract,
    pub status: ContractStatus,
}

/// One of a service's indicators and its status for its latest period (the
/// last that has ended, or a later one with a value), for the whole area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorLine {
    pub code: Code,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub status: Rag,
}

/// A service in the commissioning view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissionedService {
    pub code: Code,
    pub title: String,
    pub portfolio: Code,
    pub portfolio_title: String,
    pub delivery_model: DeliveryModel,
    /// Whether others deliver it (partnership, other public body, commercial,
    /// joint commissioning, community-led); false for a service the council
    /// delivers (or is reducing) that buys parts in under contract.
    pub delivered_by_others: bool,
    pub net_budget_pence: i64,
    /// Its contracts, ended and not yet started ones included, by end date.
    pub contracts: Vec<ContractLine>,
    /// Its indicators with a latest status, in indicator order.
    pub indicators: Vec<IndicatorLine>,
    /// How many of `indicators` have each status (only statuses that occur).
    pub statuses: BTreeMap<Rag, usize>,
}

/// A contract ending within [`ENDING_SOON_MONTHS`] months, with its service.
///
/// [`ENDING_SOON_MONTHS`]: goldthread_domain::commissioning::ENDING_SOON_MONTHS
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndingContract {
    #[serde(flatten)]
    pub contract: Contract,
    pub service_title: String,
    pub delivery_model: DeliveryModel,
    /// Days from the view's day to the contract's last day (0 = ends today).
    pub days_left: i64,
}

/// The commissioning view of a council on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommissioningView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub today: Date,
    /// Contracts running today that end on or before this day are ending soon
    /// (`today` + 12 months).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub horizon: Date,
    /// Every service delivered by others, and every other service with a
    /// contract, in the framework's order.
    pub services: Vec<CommissionedService>,
    /// Contracts ending soon, soonest first (then by code).
    pub ending_soon: Vec<EndingContract>,
}

impl App {
    /// The commissioning view on `today`: for every service delivered by
    /// others (partnership, other-public-body, commercial, joint-commissioning,
    /// community-led) and every other service with a contract, its portfolio,
    /// delivery model, net budget, contracts with where each stands, and its
    /// indicators' latest statuses; and the contracts ending within 12 months.
    /// Anyone in the tenant may read it.
    pub async fn commissioning(&self, c: &Caller, today: Date) -> Result<CommissioningView> {
        let data = self.perf_data(c).await?;
        let contracts = self.contracts(c).await?;
        let fw = &data.view.framework;
        let card = data.card(today);
        let mut by_service: BTreeMap<&Code, Vec<&Contract>> = BTreeMap::new();
        for r in &contracts {
            by_service
                .entry(&r.value.service)
                .or_default()
                .push(&r.value);
        }
        let mut services = Vec::new();
        let mut ending_soon = Vec::new();
        for s in &fw.services {
            let held = by_service.remove(&s.code).unwrap_or_default();
            let others = delivered_by_others(s.delivery_model);
            if !others && held.is_empty() {
                continue;
            }
            let mut lines: Vec<ContractLine> = held
                .into_iter()
                .map(|k| ContractLine {
                    contract: k.clone(),
                    status: k.status(today),
                })
                .collect();
            lines.sort_by(|a, b| {
                (a.contract.end, &a.contract.code).cmp(&(b.contract.end, &b.contract.code))
            });
            for l in &lines {
                if l.status == ContractStatus::EndingSoon {
                    ending_soon.push(EndingContract {
                        contract: l.contract.clone(),
                        service_title: s.title.clone(),
                        delivery_model: s.delivery_model,
                        days_left: (l.contract.end - today).whole_days(),
                    });
                }
            }
            let mut indicators = Vec::new();
            let mut statuses: BTreeMap<Rag, usize> = BTreeMap::new();
            for ind in data
                .indicators
                .iter()
                .filter(|i| i.services.contains(&s.code))
            {
                if let Some(p) = card.series(ind).last().copied() {
                    let status = card.status(ind, p, None).status;
                    *statuses.entry(status).or_default() += 1;
                    indicators.push(IndicatorLine {
                        code: ind.code.clone(),
                        title: ind.title.clone(),
                        period: p,
                        status,
                    });
                }
            }
            services.push(CommissionedService {
                code: s.code.clone(),
                title: s.title.clone(),
                portfolio: s.portfolio.clone(),
                portfolio_title: fw
                    .portfolios
                    .iter()
                    .find(|p| p.code == s.portfolio)
                    .map(|p| p.title.clone())
                    .unwrap_or_default(),
                delivery_model: s.delivery_model,
                delivered_by_others: others,
                net_budget_pence: s.net_budget_pence,
                contracts: lines,
                indicators,
                statuses,
            });
        }
        ending_soon.sort_by(|a, b| {
            (a.contract.end, &a.contract.code).cmp(&(b.contract.end, &b.contract.code))
        });
        Ok(CommissioningView {
            today,
            horizon: ending_soon_horizon(today),
            services,
            ending_soon,
        })
    }
}
