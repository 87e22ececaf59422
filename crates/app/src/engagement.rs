//! Engagement: importing consultations and their responses ("you said, we did"),
//! each change audited with before and after, all or nothing.
use crate::framework::{Change, ImportReport, record};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::permission::Write;
use goldthread_io::Source;
use goldthread_io::engagement as eio;
use goldthread_store::engagement::{self as es, EngagementSnapshot};
use goldthread_store::framework as fs;
use goldthread_store::performance as ps;
use serde_json::json;

/// The engagement files, by name (without `.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngagementKind {
    Consultations,
    Responses,
}

impl EngagementKind {
    pub fn name(self) -> &'static str {
        match self {
            EngagementKind::Consultations => "consultations",
            EngagementKind::Responses => "responses",
        }
    }
}

impl App {
    /// The caller's tenant's consultations and responses.
    pub async fn engagement(&self, c: &Caller) -> Result<EngagementSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(es::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Imports `consultations.csv` or `responses.csv` (administrators and
    /// performance officers): each row creates or replaces the record with its key
    /// (a consultation's code; a response's consultation and "you said").
    pub async fn import_engagement(
        &self,
        c: &Caller,
        kind: EngagementKind,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = es::load(tx.conn(), &tid).await?;
        let table = kind.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match kind {
            EngagementKind::Consultations => {
                let localities: Vec<Code> = ps::load_definitions(tx.conn(), &tid)
                    .await?
                    .localities
                    .into_iter()
                    .map(|l| l.value.code)
                    .collect();
                let rows =
                    eio::read_consultations(source, &fw, &localities).map_err(AppError::Import)?;
                report.rows = rows.len();
                for row in rows {
                    let before = held.consultations.iter().find(|r| r.value.code == row.code);
                    if before.is_some_and(|b| b.value == row) {
                        report.count(table, Change::Unchanged);
                        continue;
                    }
                    let rec = es::put_consultation(
                        tx.conn(),
                        &tid,
                        before.map(|b| (b.id.as_str(), b.version)),
                        &row,
                    )
                    .await?;
                    let action = if before.is_some() { "update" } else { "create" };
                    record(
                        &mut tx,
                        c,
                        action,
                        "consultation",
                        Some(&rec.id),
                        row.code.as_str(),
                        before.map(|b| json!(b)),
                        Some(json!(rec)),
                        Some(context.clone()),
                    )
                    .await?;
                    report.count(
                        table,
                        if before.is_some() {
                            Change::Updated
                        } else {
                            Change::Created
                        },
                    );
                }
            }
            EngagementKind::Responses => {
                let known: Vec<Code> = held
                    .consultations
                    .iter()
                    .map(|r| r.value.code.clone())
                    .collect();
                let rows = eio::read_responses(source, &known).map_err(AppError::Import)?;
                report.rows = rows.len();
                for row in rows {
                    let owner = held
                        .consultations
                        .iter()
                        .find(|r| r.value.code == row.consultation)
                        .ok_or_else(|| {
                            AppError::Internal("validated consultation missing".into())
                        })?;
                    let before = held.responses.iter().find(|r| {
                        r.value.consultation == row.consultation && r.value.you_said == row.you_said
                    });
                    if before.is_some_and(|b| b.value == row) {
                        report.count(table, Change::Unchanged);
                        continue;
                    }
                    let rec = es::put_response(
                        tx.conn(),
                        &tid,
                        &owner.id,
                        before.map(|b| (b.id.as_str(), b.version)),
                        &row,
                    )
                    .await?;
                    let action = if before.is_some() { "update" } else { "create" };
                    let key = format!("{}: {}", row.consultation, row.you_said);
                    record(
                        &mut tx,
                        c,
                        action,
                        "response",
                        Some(&rec.id),
                        &key,
                        before.map(|b| json!(b)),
                        Some(json!(rec)),
                        Some(context.clone()),
                    )
                    .await?;
                    report.count(
                        table,
                        if before.is_some() {
                            Change::Updated
                        } else {
                            Change::Created
                        },
                    );
                }
            }
        }
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(report)
    }
}
