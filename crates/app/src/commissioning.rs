//! Commissioning: the contracts register (imported whole from `contracts.csv`,
//! all or nothing, every change audited) and the commissioning view (DOMAIN §4):
//! services delivered by others — and services that buy parts in — with their
//! partners, contract dates and values, and their indicators' latest statuses;
//! and the contracts ending within a year.
use crate::engagement::put_record;
use crate::framework::{ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::commissioning::Contract;
use goldthread_domain::permission::Write;
use goldthread_io::Source;
use goldthread_io::commissioning as cio;
use goldthread_store::commissioning as cs;
use goldthread_store::framework as fs;
use goldthread_store::framework::Rec;
use goldthread_store::{AnyConnection, TenantId};
use serde_json::json;

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
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(report)
    }
}
