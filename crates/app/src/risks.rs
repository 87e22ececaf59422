//! The risk register (DOMAIN §5): risks on the golden thread with their
//! controls and three scores, one at a time (by whoever manages what a risk
//! links to) or by import (administrators and performance officers); each
//! review's scores kept for the trajectory; the appetite per category; and the
//! views — every risk with its bands, the heat map, risks above appetite and
//! reviews overdue.
use crate::engagement::put_record;
use crate::framework::{ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::Code;
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::{Links, Write};
use goldthread_domain::risk::{
    Appetite, Band, Control, Risk, RiskCategory, RiskReview, RiskStatus, problems,
};
use goldthread_io::Source;
use goldthread_io::risks::{self as rio, Known};
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::reviews as rvs;
use goldthread_store::risks::{self as rs, RiskSnapshot};
use goldthread_store::{AnyConnection, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

put_record!(Risk, "risk", |r| r.code.to_string(), rs::put_risk);

/// The register's tables, imported one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskTable {
    Risks,
    Controls,
    RiskReviews,
    RiskAppetite,
}

impl RiskTable {
    pub const ALL: &'static [RiskTable] = &[
        RiskTable::Risks,
        RiskTable::Controls,
        RiskTable::RiskReviews,
        RiskTable::RiskAppetite,
    ];
    pub fn name(self) -> &'static str {
        match self {
            RiskTable::Risks => "risks",
            RiskTable::Controls => "controls",
            RiskTable::RiskReviews => "risk-reviews",
            RiskTable::RiskAppetite => "risk-appetite",
        }
    }
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            RiskTable::Risks => rio::RISKS,
            RiskTable::Controls => rio::CONTROLS,
            RiskTable::RiskReviews => rio::RISK_REVIEWS,
            RiskTable::RiskAppetite => rio::APPETITE,
        }
    }
}

/// A risk with its computed scores, bands and flags on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub risk: Risk,
    pub inherent_score: u8,
    pub inherent_band: Option<Band>,
    pub residual_score: u8,
    pub residual_band: Option<Band>,
    pub target_score: u8,
    pub target_band: Option<Band>,
    /// The appetite for its category, if set.
    pub appetite: Option<u8>,
    /// Open, with a residual score above the appetite: escalated.
    pub above_appetite: bool,
    /// Open and past its review date.
    pub review_overdue: bool,
}

impl RiskItem {
    pub fn of(r: &Rec<Risk>, appetite: &Appetite, today: Date) -> RiskItem {
        let v = &r.value;
        RiskItem {
            id: r.id.clone(),
            version: r.version,
            inherent_score: v.inherent.score(),
            inherent_band: v.inherent.band(),
            residual_score: v.residual.score(),
            residual_band: v.residual.band(),
            target_score: v.target.score(),
            target_band: v.target.band(),
            appetite: appetite.get(&v.category).copied(),
            above_appetite: v.above_appetite(appetite),
            review_overdue: v.review_overdue(today),
            risk: v.clone(),
        }
    }
}

/// A risk as written by a form or the API, with the version read (for a change).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskInput {
    #[serde(flatten)]
    pub risk: Risk,
    #[serde(default)]
    pub version: Option<i64>,
}

/// What a risk may refer to; `held` is the register as read in the same
/// transaction.
async fn known(
    conn: &mut AnyConnection,
    tid: &TenantId,
    fw: &Framework,
    held: &RiskSnapshot,
) -> Result<Known> {
    Ok(Known {
        outcomes: fw.outcomes.iter().map(|o| o.code.clone()).collect(),
        services: fw.services.iter().map(|s| s.code.clone()).collect(),
        people: fw.people.iter().map(|p| p.email.clone()).collect(),
        reviews: rvs::load(conn, tid)
            .await?
            .into_iter()
            .map(|r| r.value.code)
            .collect(),
        risks: held.risks.iter().map(|r| r.value.code.clone()).collect(),
        programmes: goldthread_store::programmes::load(conn, tid)
            .await?
            .programmes
            .into_iter()
            .map(|p| p.value.code)
            .collect(),
    })
}

/// The codes in the caller's risk register, as read in `conn`.
pub(crate) async fn risk_codes(conn: &mut AnyConnection, tid: &TenantId) -> Result<BTreeSet<Code>> {
    Ok(rs::load(conn, tid)
        .await?
        .risks
        .into_iter()
        .map(|r| r.value.code)
        .collect())
}

/// Field errors for a risk's links to things that do not exist.
fn link_errors(r: &Risk, k: &Known) -> Vec<FieldError> {
    let mut e = Vec::new();
    for o in r.outcomes.iter().filter(|o| !k.outcomes.contains(*o)) {
        e.push(FieldError::new(
            "outcomes",
            format!("unknown outcome code '{o}'"),
        ));
    }
    for s in r.services.iter().filter(|s| !k.services.contains(*s)) {
        e.push(FieldError::new(
            "services",
            format!("unknown service code '{s}'"),
        ));
    }
    if let Some(o) = r.owner.as_ref().filter(|o| !k.people.contains(*o)) {
        e.push(FieldError::new("owner", format!("unknown person '{o}'")));
    }
    for (i, c) in r.controls.iter().enumerate() {
        if let Some(o) = c.owner.as_ref().filter(|o| !k.people.contains(*o)) {
            e.push(FieldError::new(
                format!("controls[{i}].owner"),
                format!("unknown person '{o}'"),
            ));
        }
    }
    if !r.programme.is_empty()
        && !Code::parse(&r.programme).is_ok_and(|p| k.programmes.contains(&p))
    {
        e.push(FieldError::new(
            "programme",
            format!(
                "unknown programme '{}' (give a programme's code)",
                r.programme
            ),
        ));
    }
    if let Some(v) = r.review.as_ref().filter(|v| !k.reviews.contains(*v)) {
        e.push(FieldError::new(
            "review",
            format!("unknown service review '{v}'"),
        ));
    }
    e
}

/// A risk's links on the golden thread.
fn links(r: &Risk) -> Links<'_> {
    Links {
        services: &r.services,
        outcomes: &r.outcomes,
    }
}

/// The register write for a risk as it links (services, outcomes).
fn write_for(r: &Risk) -> Write<'_> {
    Write::Register {
        services: &r.services,
        outcomes: &r.outcomes,
    }
}

/// The review a risk's current scores amount to.
fn review_of(r: &Risk, date: Date, note: &str) -> RiskReview {
    RiskReview {
        risk: r.code.clone(),
        date,
        inherent: r.inherent,
        residual: r.residual,
        target: r.target,
        note: note.to_string(),
    }
}

fn same_scores(a: &Risk, b: &Risk) -> bool {
    (a.inherent, a.residual, a.target) == (b.inherent, b.residual, b.target)
}

impl App {
    /// The caller's council's risk register.
    pub async fn risks(&self, c: &Caller) -> Result<RiskSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(rs::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Every risk with its scores, bands and flags on `today`.
    pub async fn risk_items(&self, c: &Caller, today: Date) -> Result<Vec<RiskItem>> {
        let s = self.risks(c).await?;
        Ok(s.risks
            .iter()
            .map(|r| RiskItem::of(r, &s.appetite, today))
            .collect())
    }

    /// Adds a risk (by whoever manages what it links to). Its first review,
    /// dated `today`, records its scores.
    pub async fn create_risk(&self, c: &Caller, r: &Risk, today: Date) -> Result<Rec<Risk>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = rs::load(tx.conn(), &tid).await?;
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let mut errors: Vec<FieldError> = problems(r)
            .into_iter()
            .map(|(f, m)| FieldError::new(&f, m))
            .collect();
        errors.extend(link_errors(r, &k));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        c.require(write_for(r), &fw)?;
        if k.risks.contains(&r.code) {
            return Err(AppError::Duplicate(format!(
                "a risk '{}' already exists",
                r.code
            )));
        }
        let rec = rs::put_risk(tx.conn(), &tid, None, r).await?;
        rs::put_review(tx.conn(), &tid, &rec.id, &review_of(r, today, "Recorded")).await?;
        record(
            &mut tx,
            c,
            "create",
            "risk",
            Some(&rec.id),
            r.code.as_str(),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a risk (its code stays). The caller must manage what it linked
    /// to and what it will link to; new scores are recorded as a review dated
    /// `today`.
    pub async fn update_risk(
        &self,
        c: &Caller,
        code: &str,
        r: &Risk,
        version: Option<i64>,
        today: Date,
    ) -> Result<Rec<Risk>> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = rs::load(tx.conn(), &tid).await?;
        let before = held
            .risks
            .iter()
            .find(|x| x.value.code.as_str() == code)
            .ok_or_else(|| AppError::NotFound(format!("no risk '{code}'")))?
            .clone();
        if r.code != before.value.code {
            return Err(AppError::field(
                "code",
                "a risk's code cannot change (its reviews are filed under it)",
            ));
        }
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let mut errors: Vec<FieldError> = problems(r)
            .into_iter()
            .map(|(f, m)| FieldError::new(&f, m))
            .collect();
        errors.extend(link_errors(r, &k));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        c.require_relink(links(&before.value), links(r), &fw)?;
        crate::error::check_version("risk", version, before.version)?;
        let rec = rs::put_risk(tx.conn(), &tid, Some((&before.id, version)), r).await?;
        if !same_scores(&before.value, r) {
            rs::put_review(
                tx.conn(),
                &tid,
                &rec.id,
                &review_of(r, today, "Scores changed"),
            )
            .await?;
        }
        record(
            &mut tx,
            c,
            "update",
            "risk",
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

    /// Deletes a risk with its reviews (the audit trail keeps it).
    pub async fn delete_risk(&self, c: &Caller, code: &str, version: Option<i64>) -> Result<()> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        let held = rs::load(tx.conn(), &tid).await?;
        let before = held
            .risks
            .iter()
            .find(|x| x.value.code.as_str() == code)
            .ok_or_else(|| AppError::NotFound(format!("no risk '{code}'")))?
            .clone();
        c.require(write_for(&before.value), &fw)?;
        crate::error::check_version("risk", version, before.version)?;
        let mut uses = Vec::new();
        let initiatives: Vec<String> = goldthread_store::programmes::load(tx.conn(), &tid)
            .await?
            .initiatives
            .into_iter()
            .filter(|i| i.value.risks.contains(&before.value.code))
            .map(|i| i.value.code.to_string())
            .collect();
        if !initiatives.is_empty() {
            uses.push(format!("initiative(s) {}", initiatives.join(", ")));
        }
        let actions: Vec<String> = goldthread_store::actions::load(tx.conn(), &tid)
            .await?
            .actions
            .into_iter()
            .filter(|a| a.value.risks.contains(&before.value.code))
            .map(|a| a.value.code.to_string())
            .collect();
        if !actions.is_empty() {
            uses.push(format!("action(s) {}", actions.join(", ")));
        }
        if !uses.is_empty() {
            return Err(AppError::InUse(format!(
                "risk '{code}' is named by {}; take it off those first (or close the risk instead)",
                uses.join(" and ")
            )));
        }
        rs::delete_risk(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            "risk",
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

    /// Sets the appetite: the highest acceptable residual score (1–25) per
    /// category, none to clear (administrators and performance officers).
    pub async fn set_appetite(
        &self,
        c: &Caller,
        new: &BTreeMap<RiskCategory, Option<u8>>,
    ) -> Result<Appetite> {
        let errors: Vec<FieldError> = new
            .iter()
            .filter(|(_, a)| a.is_some_and(|a| !(1..=25).contains(&a)))
            .map(|(k, _)| FieldError::new(k.as_str(), "is a whole number from 1 to 25"))
            .collect();
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let before = rs::load(tx.conn(), &tid).await?.appetite;
        for (k, a) in new {
            rs::set_appetite(tx.conn(), &tid, *k, *a).await?;
        }
        let after = rs::load(tx.conn(), &tid).await?.appetite;
        record(
            &mut tx,
            c,
            "update",
            "settings",
            None,
            "risk appetite",
            Some(json!(before)),
            Some(json!(after)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Imports one of the register's files (administrators and performance
    /// officers): `risks.csv` creates or replaces each risk by code (its
    /// controls kept); `controls.csv` replaces the controls of each risk it
    /// names; `risk-reviews.csv` records each review (one per risk and date,
    /// replacing one on the same date); `risk-appetite.csv` sets the appetite
    /// of each category it names. All or nothing; every change audited.
    pub async fn import_risks(
        &self,
        c: &Caller,
        t: RiskTable,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = rs::load(tx.conn(), &tid).await?;
        let k = known(tx.conn(), &tid, &fw, &held).await?;
        let table = t.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match t {
            RiskTable::Risks => {
                let controls: BTreeMap<Code, Vec<Control>> = held
                    .risks
                    .iter()
                    .map(|r| (r.value.code.clone(), r.value.controls.clone()))
                    .collect();
                let rows = rio::read_risks(source, &k, &controls).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.risks).await?;
            }
            RiskTable::Controls => {
                let by_risk = rio::read_controls(source, &k).map_err(AppError::Import)?;
                report.rows = by_risk.values().map(Vec::len).sum();
                let rows: Vec<Risk> = held
                    .risks
                    .iter()
                    .filter_map(|r| {
                        by_risk.get(&r.value.code).map(|cs| Risk {
                            controls: cs.clone(),
                            ..r.value.clone()
                        })
                    })
                    .collect();
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.risks).await?;
            }
            RiskTable::RiskReviews => {
                let rows = rio::read_risk_reviews(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                for row in rows {
                    let risk = held
                        .risks
                        .iter()
                        .find(|r| r.value.code == row.risk)
                        .ok_or_else(|| AppError::Internal("a validated risk vanished".into()))?;
                    let before = held
                        .reviews
                        .iter()
                        .find(|x| x.risk == row.risk && x.date == row.date);
                    if before == Some(&row) {
                        report.count(table, crate::framework::Change::Unchanged);
                        continue;
                    }
                    rs::put_review(tx.conn(), &tid, &risk.id, &row).await?;
                    record(
                        &mut tx,
                        c,
                        if before.is_some() { "update" } else { "create" },
                        "risk review",
                        Some(&risk.id),
                        &format!("{} {}", row.risk, row.date),
                        before.map(|b| json!(b)),
                        Some(json!(row)),
                        Some(context.clone()),
                    )
                    .await?;
                    report.count(
                        table,
                        if before.is_some() {
                            crate::framework::Change::Updated
                        } else {
                            crate::framework::Change::Created
                        },
                    );
                }
            }
            RiskTable::RiskAppetite => {
                let rows = rio::read_appetite(source).map_err(AppError::Import)?;
                report.rows = rows.len();
                let after: Appetite = held
                    .appetite
                    .iter()
                    .map(|(k, v)| (*k, *v))
                    .chain(rows.iter().copied())
                    .collect();
                for (k, a) in &rows {
                    rs::set_appetite(tx.conn(), &tid, *k, Some(*a)).await?;
                    report.count(
                        table,
                        match held.appetite.get(k) {
                            Some(b) if b == a => crate::framework::Change::Unchanged,
                            Some(_) => crate::framework::Change::Updated,
                            None => crate::framework::Change::Created,
                        },
                    );
                }
                if after != held.appetite {
                    record(
                        &mut tx,
                        c,
                        "update",
                        "settings",
                        None,
                        "risk appetite",
                        Some(json!(held.appetite)),
                        Some(json!(after)),
                        Some(context.clone()),
                    )
                    .await?;
                }
            }
        }
        report.finish(tx).await
    }

    /// One of the register's files, as its import reads it.
    pub async fn export_risks(&self, c: &Caller, t: RiskTable) -> Result<Vec<Vec<String>>> {
        let s = self.risks(c).await?;
        let risks: Vec<Risk> = s.risks.iter().map(|r| r.value.clone()).collect();
        Ok(match t {
            RiskTable::Risks => rio::risk_rows(&risks),
            RiskTable::Controls => rio::control_rows(&risks),
            RiskTable::RiskReviews => rio::risk_review_rows(&s.reviews),
            RiskTable::RiskAppetite => rio::appetite_rows(&s.appetite),
        })
    }
}

/// The open risks linked to an outcome or a service, most serious residual
/// first.
pub fn linked<'r>(
    items: &'r [RiskItem],
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Vec<&'r RiskItem> {
    let mut v: Vec<&RiskItem> = items
        .iter()
        .filter(|i| i.risk.status == RiskStatus::Open)
        .filter(|i| {
            outcome.is_some_and(|o| i.risk.outcomes.contains(o))
                || service.is_some_and(|s| i.risk.services.contains(s))
        })
        .collect();
    v.sort_by(|a, b| {
        b.residual_score
            .cmp(&a.residual_score)
            .then(a.risk.code.cmp(&b.risk.code))
    });
    v
}
