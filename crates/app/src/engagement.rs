//! Engagement: importing consultations and their responses ("you said, we did"),
//! each change audited with before and after, all or nothing.
use crate::framework::{ImportReport, field_errors, record, version_required, with_version};
use crate::indicators::rows_source;
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::engagement::{Committee, Consultation, Response};
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
    /// Committees and what they scrutinise (for the One Report per committee).
    Committees,
}

impl EngagementKind {
    pub const ALL: &'static [EngagementKind] = &[
        EngagementKind::Committees,
        EngagementKind::Consultations,
        EngagementKind::Responses,
    ];

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            EngagementKind::Consultations => eio::CONSULTATIONS,
            EngagementKind::Responses => eio::RESPONSES,
            EngagementKind::Committees => eio::COMMITTEES,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EngagementKind::Consultations => "consultations",
            EngagementKind::Responses => "responses",
            EngagementKind::Committees => "committees",
        }
    }
}

/// Engagement records are created or replaced by one store function,
/// `put(conn, tenant, existing, value)`, with `existing` the id and version read.
macro_rules! put_record {
    ($ty:ty, $entity:literal, |$v:ident| $key:expr, $put:path) => {
        impl PerRecord for $ty {
            const ENTITY: &'static str = $entity;
            fn key(&self) -> String {
                let $v = self;
                $key
            }
            fn insert(
                c: &mut AnyConnection,
                t: &TenantId,
                v: &Self,
            ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
                $put(c, t, None, v)
            }
            fn update(
                c: &mut AnyConnection,
                t: &TenantId,
                id: &str,
                version: i64,
                v: &Self,
            ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
                $put(c, t, Some((id, version)), v)
            }
        }
    };
}
pub(crate) use put_record;

put_record!(
    Consultation,
    "consultation",
    |c| c.code.to_string(),
    es::put_consultation
);
put_record!(
    Committee,
    "committee",
    |c| c.code.to_string(),
    es::put_committee
);
put_record!(
    Response,
    "response",
    |r| format!("{}: {}", r.consultation, r.you_said),
    es::put_response
);

impl App {
    /// The caller's tenant's consultations and responses.
    pub async fn engagement(&self, c: &Caller) -> Result<EngagementSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(es::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Imports `consultations.csv`, `responses.csv` or `committees.csv`
    /// (administrators and performance officers): each row creates or replaces the
    /// record with its key (a consultation's or committee's code; a response's
    /// consultation and "you said").
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
            EngagementKind::Committees => {
                let rows = eio::read_committees(source, &fw).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.committees,
                )
                .await?;
            }
        }
        report.finish(tx).await
    }
}

/// A consultation; field names are `consultations.csv`'s columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ConsultationInput {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub purpose: String,
    /// Who was asked (e.g. "residents", "parents and carers").
    #[serde(default)]
    pub audience: String,
    /// A locality code; empty or absent for the whole area.
    #[serde(default)]
    pub locality: Option<String>,
    /// YYYY-MM-DD.
    pub opens: String,
    /// YYYY-MM-DD, on or after `opens`.
    pub closes: String,
    /// How many responses it received (a whole number ≥ 0; empty means 0).
    #[serde(default)]
    pub responses: Option<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ConsultationInput {
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            self.purpose.clone(),
            self.audience.clone(),
            self.locality.clone().unwrap_or_default(),
            self.opens.clone(),
            self.closes.clone(),
            self.responses.clone().unwrap_or_default(),
            self.services.join(";"),
            self.outcomes.join(";"),
        ]
    }
}

/// A response to a consultation ("you said, we did"); field names are
/// `responses.csv`'s columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ResponseInput {
    /// The consultation's code.
    pub consultation: String,
    pub you_said: String,
    pub we_did: String,
    /// YYYY-MM-DD: when the council acted or reported back.
    pub date: String,
    /// draft or published (only published responses are public).
    pub status: String,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ResponseInput {
    fn cells(&self) -> Vec<String> {
        vec![
            self.consultation.clone(),
            self.you_said.clone(),
            self.we_did.clone(),
            self.date.clone(),
            self.status.clone(),
        ]
    }
}

fn find_consultation<'e>(e: &'e EngagementSnapshot, code: &str) -> Result<&'e Rec<Consultation>> {
    e.consultations
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no consultation '{code}'")))
}

fn find_response<'e>(e: &'e EngagementSnapshot, id: &str) -> Result<&'e Rec<Response>> {
    e.responses
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no response '{id}'")))
}

impl App {
    /// Opens a write for an engagement change: the framework (for permission and
    /// links) and the engagement records as they are.
    async fn engagement_scope(
        &self,
        c: &Caller,
    ) -> Result<(
        goldthread_store::WriteTx,
        goldthread_domain::framework::Framework,
        EngagementSnapshot,
    )> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = es::load(tx.conn(), &tid).await?;
        Ok((tx, fw, held))
    }

    /// Validates one consultation with the importer's rules.
    async fn validate_consultation(
        tx: &mut goldthread_store::WriteTx,
        tid: &TenantId,
        fw: &goldthread_domain::framework::Framework,
        i: &ConsultationInput,
    ) -> Result<Consultation> {
        let localities: Vec<Code> = ps::load_definitions(tx.conn(), tid)
            .await?
            .localities
            .into_iter()
            .map(|l| l.value.code)
            .collect();
        let source = rows_source("consultations", eio::CONSULTATIONS, &[i.cells()])?;
        let mut v = eio::read_consultations(&source, fw, &localities).map_err(field_errors)?;
        v.pop()
            .ok_or_else(|| AppError::Internal("validated consultation missing".into()))
    }

    /// Records a new consultation (administrators and performance officers).
    pub async fn create_consultation(
        &self,
        c: &Caller,
        i: &ConsultationInput,
    ) -> Result<Rec<Consultation>> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.engagement_scope(c).await?;
        let value = Self::validate_consultation(&mut tx, &tid, &fw, i).await?;
        if find_consultation(&held, value.code.as_str()).is_ok() {
            return Err(AppError::Duplicate(format!(
                "a consultation '{}' already exists",
                value.code
            )));
        }
        let rec = es::put_consultation(tx.conn(), &tid, None, &value).await?;
        let key = value.code.to_string();
        record(
            &mut tx,
            c,
            "create",
            Consultation::ENTITY,
            Some(&rec.id),
            &key,
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a consultation (its code stays: responses are filed under it).
    pub async fn update_consultation(
        &self,
        c: &Caller,
        code: &str,
        i: &ConsultationInput,
    ) -> Result<Rec<Consultation>> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.engagement_scope(c).await?;
        let before = find_consultation(&held, code)?.clone();
        let (value, version) = with_version(
            Self::validate_consultation(&mut tx, &tid, &fw, i).await,
            i.version,
        )?;
        if value.code != before.value.code {
            return Err(AppError::field(
                "code",
                format!(
                    "cannot change from '{}' to '{}': responses are filed under a consultation's code (add a new consultation instead)",
                    before.value.code, value.code
                ),
            ));
        }
        crate::error::check_version("consultation", version, before.version)?;
        let rec =
            es::put_consultation(tx.conn(), &tid, Some((&before.id, version)), &value).await?;
        record(
            &mut tx,
            c,
            "update",
            Consultation::ENTITY,
            Some(&rec.id),
            code,
            Some(json!(before)),
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a consultation that has no responses (delete those first, so no
    /// "you said, we did" is lost by accident).
    pub async fn delete_consultation(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, _, held) = self.engagement_scope(c).await?;
        let before = find_consultation(&held, code)?.clone();
        let version = version_required(version)?;
        crate::error::check_version("consultation", version, before.version)?;
        let n = held
            .responses
            .iter()
            .filter(|r| r.value.consultation == before.value.code)
            .count();
        if n > 0 {
            return Err(AppError::InUse(format!(
                "consultation '{code}' has {n} responses; delete them first"
            )));
        }
        es::delete_consultation(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            Consultation::ENTITY,
            Some(&before.id),
            code,
            Some(json!(before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Validates one response with the importer's rules.
    fn validate_response(held: &EngagementSnapshot, i: &ResponseInput) -> Result<Response> {
        let known: Vec<Code> = held
            .consultations
            .iter()
            .map(|r| r.value.code.clone())
            .collect();
        let source = rows_source("responses", eio::RESPONSES, &[i.cells()])?;
        let mut v = eio::read_responses(&source, &known).map_err(field_errors)?;
        v.pop()
            .ok_or_else(|| AppError::Internal("validated response missing".into()))
    }

    /// Records what the council did about what people said in a consultation.
    pub async fn create_response(&self, c: &Caller, i: &ResponseInput) -> Result<Rec<Response>> {
        let tid = c.tenant_id();
        let (mut tx, _, held) = self.engagement_scope(c).await?;
        let value = Self::validate_response(&held, i)?;
        if held.responses.iter().any(|r| r.value.key() == value.key()) {
            return Err(AppError::Duplicate(format!(
                "consultation '{}' already has a response to \"{}\"",
                value.consultation, value.you_said
            )));
        }
        let rec = es::put_response(tx.conn(), &tid, None, &value).await?;
        record(
            &mut tx,
            c,
            "create",
            Response::ENTITY,
            Some(&rec.id),
            &value.key(),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a response, found by its id (it stays with its consultation).
    pub async fn update_response(
        &self,
        c: &Caller,
        id: &str,
        i: &ResponseInput,
    ) -> Result<Rec<Response>> {
        let tid = c.tenant_id();
        let (mut tx, _, held) = self.engagement_scope(c).await?;
        let before = find_response(&held, id)?.clone();
        let (value, version) = with_version(Self::validate_response(&held, i), i.version)?;
        if value.consultation != before.value.consultation {
            return Err(AppError::field(
                "consultation",
                format!(
                    "cannot move a response from '{}' to '{}' (add it to the other consultation instead)",
                    before.value.consultation, value.consultation
                ),
            ));
        }
        if held
            .responses
            .iter()
            .any(|r| r.id != before.id && r.value.key() == value.key())
        {
            return Err(AppError::Duplicate(format!(
                "consultation '{}' already has a response to \"{}\"",
                value.consultation, value.you_said
            )));
        }
        crate::error::check_version("response", version, before.version)?;
        let rec = es::put_response(tx.conn(), &tid, Some((&before.id, version)), &value).await?;
        record(
            &mut tx,
            c,
            "update",
            Response::ENTITY,
            Some(&rec.id),
            &value.key(),
            Some(json!(before)),
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a response, answering what was deleted.
    pub async fn delete_response(
        &self,
        c: &Caller,
        id: &str,
        version: Option<i64>,
    ) -> Result<Response> {
        let tid = c.tenant_id();
        let (mut tx, _, held) = self.engagement_scope(c).await?;
        let before = find_response(&held, id)?.clone();
        let version = version_required(version)?;
        crate::error::check_version("response", version, before.version)?;
        es::delete_response(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            Response::ENTITY,
            Some(&before.id),
            &before.value.key(),
            Some(json!(before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before.value)
    }
}

/// What the engagement pages show and their forms choose from, read together.
#[derive(Debug, Clone)]
pub struct EngagementView {
    pub framework: goldthread_domain::framework::Framework,
    pub localities: Vec<goldthread_domain::indicator::Locality>,
    pub records: EngagementSnapshot,
}

impl App {
    /// The caller's framework, localities and engagement records.
    pub async fn engagement_view(&self, c: &Caller) -> Result<EngagementView> {
        let tid = c.tenant_id();
        let mut conn = self.db.read().await?;
        let framework = fs::load(&mut conn, &tid).await?.framework();
        let localities = ps::load_definitions(&mut conn, &tid)
            .await?
            .localities
            .into_iter()
            .map(|l| l.value)
            .collect();
        let records = es::load(&mut conn, &tid).await?;
        Ok(EngagementView {
            framework,
            localities,
            records,
        })
    }
}
