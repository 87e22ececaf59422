//! The transformation programme (DOMAIN §5, "Programme"): programmes and their
//! workstreams by import (administrators and performance officers), and their
//! initiatives by import or one at a time (by whoever manages what an
//! initiative links to); the views — each programme with its workstreams,
//! initiatives (late ones flagged) and summary on a day.
use crate::engagement::put_record;
use crate::framework::{ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::Code;
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::{Links, Write};
use goldthread_domain::programme::{Initiative, Programme, Summary, Workstream, problems, summary};
use goldthread_io::Source;
use goldthread_io::programmes::{self as pio, Known};
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::programmes::{self as ps, ProgrammeSnapshot};
use goldthread_store::{AnyConnection, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

put_record!(
    Programme,
    "programme",
    |p| p.code.to_string(),
    ps::put_programme
);
put_record!(
    Workstream,
    "workstream",
    |w| format!("{} {}", w.programme, w.code),
    ps::put_workstream
);
put_record!(
    Initiative,
    "initiative",
    |i| i.code.to_string(),
    ps::put_initiative
);

/// The programme's tables, imported one at a time (in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeTable {
    Programmes,
    Workstreams,
    Initiatives,
}

impl ProgrammeTable {
    pub const ALL: &'static [ProgrammeTable] = &[
        ProgrammeTable::Programmes,
        ProgrammeTable::Workstreams,
        ProgrammeTable::Initiatives,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ProgrammeTable::Programmes => "programmes",
            ProgrammeTable::Workstreams => "workstreams",
            ProgrammeTable::Initiatives => "initiatives",
        }
    }
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            ProgrammeTable::Programmes => pio::PROGRAMMES,
            ProgrammeTable::Workstreams => pio::WORKSTREAMS,
            ProgrammeTable::Initiatives => pio::INITIATIVES,
        }
    }
}

/// An initiative with whether it is late on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitiativeItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub initiative: Initiative,
    /// Its end date has passed and it is not closed.
    pub late: bool,
}

impl InitiativeItem {
    pub fn of(r: &Rec<Initiative>, today: Date) -> InitiativeItem {
        InitiativeItem {
            id: r.id.clone(),
            version: r.version,
            late: r.value.late(today),
            initiative: r.value.clone(),
        }
    }
}

/// A workstream of a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkstreamItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub workstream: Workstream,
    pub summary: Summary,
}

/// A programme with its workstreams, initiatives and summary on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub programme: Programme,
    pub workstreams: Vec<WorkstreamItem>,
    pub initiatives: Vec<InitiativeItem>,
    pub summary: Summary,
}

impl ProgrammeItem {
    /// Every programme of `snap` on `today`.
    pub fn all(snap: &ProgrammeSnapshot, today: Date) -> Vec<ProgrammeItem> {
        snap.programmes
            .iter()
            .map(|p| {
                let mine: Vec<&Rec<Initiative>> = snap
                    .initiatives
                    .iter()
                    .filter(|i| i.value.programme == p.value.code)
                    .collect();
                ProgrammeItem {
                    id: p.id.clone(),
                    version: p.version,
                    programme: p.value.clone(),
                    workstreams: snap
                        .workstreams
                        .iter()
                        .filter(|w| w.value.programme == p.value.code)
                        .map(|w| WorkstreamItem {
                            id: w.id.clone(),
                            version: w.version,
                            workstream: w.value.clone(),
                            summary: summary(
                                mine.iter()
                                    .filter(|i| i.value.workstream == w.value.code)
                                    .map(|i| &i.value),
                                today,
                            ),
                        })
                        .collect(),
                    initiatives: mine.iter().map(|i| InitiativeItem::of(i, today)).collect(),
                    summary: summary(mine.iter().map(|i| &i.value), today),
                }
            })
            .collect()
    }
}

/// An initiative as written by a form or the API, with the version read (for
/// a change).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitiativeInput {
    #[serde(flatten)]
    pub initiative: Initiative,
    #[serde(default)]
    pub version: Option<i64>,
}

/// What an initiative may refer to; `held` is the programme as read in the
/// same transaction.
pub(crate) async fn known(
    conn: &mut AnyConnection,
    tid: &TenantId,
    fw: &Framework,
    held: &ProgrammeSnapshot,
) -> Result<Known> {
    Ok(Known {
        outcomes: fw.outcomes.iter().map(|o| o.code.clone()).collect(),
        services: fw.services.iter().map(|s| s.code.clone()).collect(),
        people: fw.people.iter().map(|p| p.email.clone()).collect(),
        risks: crate::risks::risk_codes(conn, tid).await?,
        programmes: held
            .programmes
            .iter()
            .map(|p| p.value.code.clone())
            .collect(),
        workstreams: held
            .workstreams
            .iter()
            .map(|w| (w.value.programme.clone(), w.value.code.clone()))
            .collect(),
        benefits: goldthread_store::benefits::load(conn, tid)
            .await?
            .benefits
            .into_iter()
            .map(|b| b.value.code)
            .collect(),
    })
}

/// Field errors for an initiative: its own rules and links to things that do
/// not exist.
fn errors_of(i: &Initiative, k: &Known) -> Vec<FieldError> {
    let mut e: Vec<FieldError> = problems(i)
        .into_iter()
        .map(|(f, m)| FieldError::new(&f, m))
        .collect();
    if !k.programmes.contains(&i.programme) {
        e.push(FieldError::new(
            "programme",
            format!("unknown programme '{}'", i.programme),
        ));
    } else if !k
        .workstreams
        .contains(&(i.programme.clone(), i.workstream.clone()))
    {
        e.push(FieldError::new(
            "workstream",
            format!(
                "programme {} has no workstream '{}'",
                i.programme, i.workstream
            ),
        ));
    }
    for (field, codes, held, what) in [
        ("outcomes", &i.outcomes, &k.outcomes, "outcome"),
        ("services", &i.services, &k.services, "service"),
        ("risks", &i.risks, &k.risks, "risk"),
        ("benefits", &i.benefits, &k.benefits, "benefit"),
    ] {
        for c in codes.iter().filter(|c| !held.contains(*c)) {
            e.push(FieldError::new(field, format!("unknown {what} code '{c}'")));
        }
    }
    for (field, who) in [("sponsor", &i.sponsor), ("lead", &i.lead)] {
        if let Some(p) = who.as_ref().filter(|p| !k.people.contains(*p)) {
            e.push(FieldError::new(field, format!("unknown person '{p}'")));
        }
    }
    e
}

/// An initiative's links on the golden thread.
fn links(i: &Initiative) -> Links<'_> {
    Links {
        services: &i.services,
        outcomes: &i.outcomes,
    }
}

/// The register write for an initiative as it links (services, outcomes).
fn write_for(i: &Initiative) -> Write<'_> {
    Write::Register {
        services: &i.services,
        outcomes: &i.outcomes,
    }
}

impl App {
    /// The caller's council's transformation programme, as held.
    pub async fn programme_snapshot(&self, c: &Caller) -> Result<ProgrammeSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(ps::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Every programme with its workstreams, initiatives and summary on `today`.
    pub async fn programmes(&self, c: &Caller, today: Date) -> Result<Vec<ProgrammeItem>> {
        Ok(ProgrammeItem::all(
            &self.programme_snapshot(c).await?,
            today,
        ))
    }

    /// Every initiative, with whether it is late on `today`.
    pub async fn initiative_items(&self, c: &Caller, today: Date) -> Result<Vec<InitiativeItem>> {
        Ok(self
            .programme_snapshot(c)
            .await?
            .initiatives
            .iter()
            .map(|i| InitiativeItem::of(i, today))
            .collect())
    }

    /// Adds an initiative (by whoever manages what it links to).
    pub async fn create_initiative(&self, c: &Caller, i: &Initiative) -> Result<Rec<Initiative>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = ps::load(tx.conn(), &tid).await?;
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let errors = errors_of(i, &k);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        c.require(write_for(i), &fw)?;
        let held = ps::load(tx.conn(), &tid).await?;
        if held.initiatives.iter().any(|x| x.value.code == i.code) {
            return Err(AppError::Duplicate(format!(
                "an initiative '{}' already exists",
                i.code
            )));
        }
        let rec = ps::put_initiative(tx.conn(), &tid, None, i).await?;
        record(
            &mut tx,
            c,
            "create",
            "initiative",
            Some(&rec.id),
            i.code.as_str(),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes an initiative (its code stays; it may move workstream or
    /// programme). The caller must manage what it linked to and what it will
    /// link to.
    pub async fn update_initiative(
        &self,
        c: &Caller,
        code: &str,
        i: &Initiative,
        version: Option<i64>,
    ) -> Result<Rec<Initiative>> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = ps::load(tx.conn(), &tid).await?;
        let before = held_initiative(&held, code)?;
        if i.code != before.value.code {
            return Err(AppError::field(
                "code",
                "an initiative's code cannot change",
            ));
        }
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let errors = errors_of(i, &k);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        c.require_relink(links(&before.value), links(i), &fw)?;
        crate::error::check_version("initiative", version, before.version)?;
        let rec = ps::put_initiative(tx.conn(), &tid, Some((&before.id, version)), i).await?;
        record(
            &mut tx,
            c,
            "update",
            "initiative",
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

    /// Deletes an initiative (the audit trail keeps it).
    pub async fn delete_initiative(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = ps::load(tx.conn(), &tid).await?;
        let before = held_initiative(&held, code)?;
        c.require(write_for(&before.value), &fw)?;
        crate::error::check_version("initiative", version, before.version)?;
        ps::delete_initiative(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            "initiative",
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

    /// Imports one of the programme's files (administrators and performance
    /// officers): each row creates or replaces the programme, workstream
    /// (by programme and code) or initiative (by code) it describes. All or
    /// nothing; every change audited.
    pub async fn import_programmes(
        &self,
        c: &Caller,
        t: ProgrammeTable,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = ps::load(tx.conn(), &tid).await?;
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let table = t.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match t {
            ProgrammeTable::Programmes => {
                let rows = pio::read_programmes(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.programmes,
                )
                .await?;
            }
            ProgrammeTable::Workstreams => {
                let rows = pio::read_workstreams(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.workstreams,
                )
                .await?;
            }
            ProgrammeTable::Initiatives => {
                let rows = pio::read_initiatives(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.initiatives,
                )
                .await?;
            }
        }
        report.finish(tx).await
    }

    /// One of the programme's files, as its import reads it.
    pub async fn export_programmes(
        &self,
        c: &Caller,
        t: ProgrammeTable,
    ) -> Result<Vec<Vec<String>>> {
        let s = self.programme_snapshot(c).await?;
        fn values<T: Clone>(v: &[Rec<T>]) -> Vec<T> {
            v.iter().map(|r| r.value.clone()).collect()
        }
        Ok(match t {
            ProgrammeTable::Programmes => pio::programme_rows(&values(&s.programmes)),
            ProgrammeTable::Workstreams => pio::workstream_rows(&values(&s.workstreams)),
            ProgrammeTable::Initiatives => pio::initiative_rows(&values(&s.initiatives)),
        })
    }
}

fn held_initiative(held: &ProgrammeSnapshot, code: &str) -> Result<Rec<Initiative>> {
    held.initiatives
        .iter()
        .find(|x| x.value.code.as_str() == code)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no initiative '{code}'")))
}

/// The initiatives linked to an outcome or a service, by code.
pub fn linked<'i>(
    items: &'i [InitiativeItem],
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Vec<&'i InitiativeItem> {
    items
        .iter()
        .filter(|i| {
            outcome.is_some_and(|o| i.initiative.outcomes.contains(o))
                || service.is_some_and(|s| i.initiative.services.contains(s))
        })
        .collect()
}
