//! Engagement: importing consultations and their responses ("you said, we did"),
//! each change audited with before and after, all or nothing.
use crate::framework::ImportReport;
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::engagement::{Consultation, Response};
use goldthread_domain::permission::Write;
use goldthread_io::Source;
use goldthread_io::engagement as eio;
use goldthread_store::engagement::{self as es, EngagementSnapshot};
use goldthread_store::framework as fs;
use goldthread_store::framework::Rec;
use goldthread_store::performance as ps;
use goldthread_store::{AnyConnection, TenantId};
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

impl PerRecord for Consultation {
    const ENTITY: &'static str = "consultation";
    fn key(&self) -> String {
        self.code.to_string()
    }
    fn insert(
        c: &mut AnyConnection,
        t: &TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        es::put_consultation(c, t, None, v)
    }
    fn update(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        es::put_consultation(c, t, Some((id, version)), v)
    }
}

impl PerRecord for Response {
    const ENTITY: &'static str = "response";
    fn key(&self) -> String {
        format!("{}: {}", self.consultation, self.you_said)
    }
    fn insert(
        c: &mut AnyConnection,
        t: &TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        es::put_response(c, t, None, v)
    }
    fn update(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
        es::put_response(c, t, Some((id, version)), v)
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
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.consultations,
                )
                .await?;
            }
            EngagementKind::Responses => {
                let known: Vec<Code> = held
                    .consultations
                    .iter()
                    .map(|r| r.value.code.clone())
                    .collect();
                let rows = eio::read_responses(source, &known).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.responses,
                )
                .await?;
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
