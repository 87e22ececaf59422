//! Benefits and savings (DOMAIN §5 "Benefit", §6 "Medium-term financial
//! plan"): the benefits register with each benefit's planned and realised
//! profile by financial year, imported from `benefits.csv`,
//! `benefit-profiles.csv` and `budget-gap.csv` (all or nothing, every change
//! audited) or kept one benefit at a time; savings tracking; and the
//! medium-term funding gap with the savings set against it.
//!
//! Who may write: a benefit has no service or outcome links of its own, so it
//! is treated as linked to the services of its portfolio — `Write::Register`
//! with those services. Administrators and performance officers write every
//! benefit; the portfolio's Outcome Leader and the managers of its services
//! write its benefits (a benefit moved between portfolios needs both). Whole
//! files and the budget gap are the centre's (`Write::ImportFramework`).
use crate::engagement::put_record;
use crate::framework::{ImportReport, field_errors, record, version_required, with_version};
use crate::indicators::rows_source;
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::Code;
use goldthread_domain::benefits::{
    self as domain, Benefit, BenefitKind, BenefitProfile, BenefitSource, BudgetGap, GapTable,
    SavingsTable,
};
use goldthread_domain::framework::Framework;
use goldthread_domain::money::format_pounds_plain;
use goldthread_domain::period::FinancialYear;
use goldthread_domain::permission::Write;
use goldthread_io::Source;
use goldthread_io::benefits::{self as bio, Known};
use goldthread_store::audit::{self, AuditFilter, AuditRow};
use goldthread_store::benefits::{self as bs, BenefitsSnapshot};
use goldthread_store::framework as fs;
use goldthread_store::framework::Rec;
use goldthread_store::{AnyConnection, TenantId, WriteTx};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeSet;

put_record!(Benefit, "benefit", |b| b.code.to_string(), bs::put_benefit);
put_record!(
    BenefitProfile,
    "benefit-profile",
    |p| p.key(),
    bs::put_profile
);
put_record!(BudgetGap, "budget-gap", |g| g.year.to_string(), bs::put_gap);

/// A record that a whole-file import (or a profile replacement) removes when
/// the new rows no longer list it.
trait Removable: PerRecord + Clone {
    fn remove(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
    ) -> impl Future<Output = goldthread_store::Result<()>> + Send;
}

impl Removable for BenefitProfile {
    fn remove(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
    ) -> impl Future<Output = goldthread_store::Result<()>> + Send {
        bs::delete_profile(c, t, id, version)
    }
}

impl Removable for BudgetGap {
    fn remove(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
    ) -> impl Future<Output = goldthread_store::Result<()>> + Send {
        bs::delete_gap(c, t, id, version)
    }
}

/// The benefits files, by name (without `.csv`), in the order they are
/// best imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenefitsFile {
    /// `benefits.csv`: each row creates or replaces the benefit with its code.
    Benefits,
    /// `benefit-profiles.csv`: each benefit named has its profile replaced
    /// by the file's rows for it.
    Profiles,
    /// `budget-gap.csv`: the whole medium-term plan, replaced.
    BudgetGap,
}

impl BenefitsFile {
    pub const ALL: &'static [BenefitsFile] = &[
        BenefitsFile::Benefits,
        BenefitsFile::Profiles,
        BenefitsFile::BudgetGap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BenefitsFile::Benefits => "benefits",
            BenefitsFile::Profiles => "benefit-profiles",
            BenefitsFile::BudgetGap => "budget-gap",
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            BenefitsFile::Benefits => bio::BENEFITS,
            BenefitsFile::Profiles => bio::BENEFIT_PROFILES,
            BenefitsFile::BudgetGap => bio::BUDGET_GAP,
        }
    }

    /// The file's rows as its import reads them.
    pub fn rows(self, s: &BenefitsSnapshot) -> Vec<Vec<String>> {
        match self {
            BenefitsFile::Benefits => bio::benefit_rows(&s.benefit_values()),
            BenefitsFile::Profiles => bio::profile_rows(&s.profile_values()),
            BenefitsFile::BudgetGap => bio::gap_rows(&s.gap_values()),
        }
    }
}

/// The services a benefit in `portfolio` counts as linked to: the
/// portfolio's services.
fn portfolio_services(fw: &Framework, portfolio: &Code) -> Vec<Code> {
    fw.services
        .iter()
        .filter(|s| &s.portfolio == portfolio)
        .map(|s| s.code.clone())
        .collect()
}

/// Whether the caller may create, change or delete a benefit of `portfolio`.
pub fn may_write_benefit(c: &Caller, fw: &Framework, portfolio: &Code) -> bool {
    let services = portfolio_services(fw, portfolio);
    c.actor.may(
        Write::Register {
            services: &services,
            outcomes: &[],
        },
        fw,
    )
}

/// Whether the caller may add a benefit to any portfolio.
pub fn may_add_benefits(c: &Caller, fw: &Framework) -> bool {
    c.actor.edits_everything()
        || fw
            .portfolios
            .iter()
            .any(|p| may_write_benefit(c, fw, &p.code))
}

fn require_benefit(c: &Caller, fw: &Framework, portfolios: &[&Code]) -> Result<()> {
    for p in portfolios {
        let services = portfolio_services(fw, p);
        c.require(
            Write::Register {
                services: &services,
                outcomes: &[],
            },
            fw,
        )?;
    }
    Ok(())
}

fn find<'s>(s: &'s BenefitsSnapshot, code: &str) -> Result<&'s Rec<Benefit>> {
    s.benefits
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no benefit '{code}'")))
}

/// A benefit with its profile, by year.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitRecord {
    pub benefit: Rec<Benefit>,
    pub profile: Vec<Rec<BenefitProfile>>,
}

/// A benefit; field names are `benefits.csv`'s columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BenefitInput {
    pub code: String,
    pub title: String,
    /// cashable, non-cashable or non-financial.
    pub kind: String,
    /// The accountable person's email.
    #[serde(default)]
    pub owner: Option<String>,
    /// review, project, decision or restructure.
    pub source: String,
    /// The review's code (for a benefit from a review), or free text.
    #[serde(default)]
    pub source_ref: String,
    /// The portfolio's code.
    pub portfolio: String,
    /// The line it is tracked on within its portfolio (e.g. a 2018
    /// directorate); empty for the portfolio's own line.
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub baseline: String,
    /// An indicator's code; required for a non-financial benefit.
    #[serde(default)]
    pub measure: Option<String>,
    /// planned, on-track, at-risk, realised or not-realised.
    pub status: String,
    /// high, medium or low.
    pub confidence: String,
    #[serde(default)]
    pub description: String,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl BenefitInput {
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            self.kind.clone(),
            self.owner.clone().unwrap_or_default(),
            self.source.clone(),
            self.source_ref.clone(),
            self.portfolio.clone(),
            self.baseline.clone(),
            self.measure.clone().unwrap_or_default(),
            self.status.clone(),
            self.confidence.clone(),
            self.description.clone(),
            self.group.clone(),
        ]
    }

    /// The input that would recreate `b` (for forms and tests).
    pub fn of(b: &Benefit, version: Option<i64>) -> BenefitInput {
        BenefitInput {
            code: b.code.to_string(),
            title: b.title.clone(),
            kind: b.kind.to_string(),
            owner: b.owner.as_ref().map(|e| e.to_string()),
            source: b.source.to_string(),
            source_ref: b.source_ref.clone(),
            portfolio: b.portfolio.to_string(),
            group: b.group.clone(),
            baseline: b.baseline.clone(),
            measure: b.measure.as_ref().map(|m| m.to_string()),
            status: b.status.to_string(),
            confidence: b.confidence.to_string(),
            description: b.description.clone(),
            version,
        }
    }
}

/// One financial year of a benefit's profile, as sent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileLine {
    /// A financial year such as 2026/27.
    pub year: String,
    /// Planned in the year, in pence (zero or more).
    pub planned_pence: i64,
    /// Realised in the year, in pence (zero or more); absent until known.
    #[serde(default)]
    pub realised_pence: Option<i64>,
}

/// A benefit's whole profile: the years given replace every year it had.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileInput {
    pub items: Vec<ProfileLine>,
    /// The benefit's version you read (a profile change raises it).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Errors of a profile, by line: row n of the one-benefit table is
/// `items[n - 2]`, and money columns are named as sent (`planned_pence`).
fn line_errors(errors: Vec<goldthread_io::ImportError>) -> AppError {
    AppError::Validation(
        errors
            .into_iter()
            .map(|e| {
                let col = match e.column.as_deref() {
                    Some("planned") => "planned_pence".to_string(),
                    Some("realised") => "realised_pence".to_string(),
                    Some(c) => c.to_string(),
                    None => String::new(),
                };
                FieldError {
                    field: match e.row {
                        Some(r) if col.is_empty() => format!("items[{}]", r.saturating_sub(2)),
                        Some(r) => format!("items[{}].{col}", r.saturating_sub(2)),
                        None => "items".into(),
                    },
                    message: e.message,
                }
            })
            .collect(),
    )
}

/// Creates, changes and deletes `held` records so that exactly `rows` remain,
/// each change audited with `context`; counts them in `report` under `table`.
async fn replace_with<T: Removable>(
    tx: &mut WriteTx,
    c: &Caller,
    report: &mut ImportReport,
    table: &str,
    context: Option<&Value>,
    rows: Vec<T>,
    held: &[Rec<T>],
) -> Result<()> {
    let tid = c.tenant_id();
    let gone: Vec<&Rec<T>> = held
        .iter()
        .filter(|h| !rows.iter().any(|r| r.key() == h.value.key()))
        .collect();
    let ctx = context.cloned().unwrap_or(Value::Null);
    apply_each(tx, c, report, table, &ctx, rows, held).await?;
    for g in gone {
        T::remove(tx.conn(), &tid, &g.id, g.version).await?;
        record(
            tx,
            c,
            "delete",
            T::ENTITY,
            Some(&g.id),
            &g.value.key(),
            Some(json!(g)),
            None,
            context.cloned(),
        )
        .await?;
        report.count_removed(table);
    }
    Ok(())
}

impl App {
    /// The caller's tenant's benefits, profiles and budget gaps (anyone in
    /// the tenant may read them).
    pub async fn benefits(&self, c: &Caller) -> Result<BenefitsSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(bs::load(&mut conn, &c.tenant_id()).await?)
    }

    /// One benefit and its profile.
    pub async fn benefit(&self, c: &Caller, code: &str) -> Result<BenefitRecord> {
        let s = self.benefits(c).await?;
        let benefit = find(&s, code)?.clone();
        let profile = s
            .profile_of(&benefit.value.code)
            .into_iter()
            .cloned()
            .collect();
        Ok(BenefitRecord { benefit, profile })
    }

    /// Savings tracking: cashable benefits' planned and realised savings by
    /// portfolio (and line) and year, with every total.
    pub async fn savings(&self, c: &Caller) -> Result<SavingsTable> {
        let s = self.benefits(c).await?;
        Ok(domain::savings(&s.benefit_values(), &s.profile_values()))
    }

    /// The medium-term funding gap by year with the cashable savings planned
    /// and realised against it; running totals from `from` (default: the
    /// first year recorded).
    pub async fn funding_gap(&self, c: &Caller, from: Option<FinancialYear>) -> Result<GapTable> {
        let s = self.benefits(c).await?;
        Ok(domain::funding_gap(
            &s.gap_values(),
            &s.benefit_values(),
            &s.profile_values(),
            from,
        ))
    }

    /// A benefit's history: its own changes and its profile's (deleted
    /// years included), newest first.
    pub async fn benefit_history(&self, c: &Caller, b: &Rec<Benefit>) -> Result<Vec<AuditRow>> {
        let mut conn = self.db.read().await?;
        let tid = c.tenant_id();
        let mut rows = audit::list(
            &mut conn,
            &tid,
            &AuditFilter {
                entity_type: Some(Benefit::ENTITY.into()),
                entity: Some(b.id.clone()),
                ..Default::default()
            },
        )
        .await?;
        let prefix = format!("{} ", b.value.code);
        rows.extend(
            audit::list(
                &mut conn,
                &tid,
                &AuditFilter {
                    entity_type: Some(BenefitProfile::ENTITY.into()),
                    limit: 5000,
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .filter(|r| {
                r.entity_code
                    .as_deref()
                    .is_some_and(|k| k.starts_with(&prefix))
            }),
        );
        rows.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(rows)
    }

    /// What benefits are checked against, in `tx`.
    async fn known(tx: &mut WriteTx, tid: &TenantId) -> Result<(Framework, Vec<Code>, Vec<Code>)> {
        let fw = fs::load(tx.conn(), tid).await?.framework();
        let indicators = bs::indicator_codes(tx.conn(), tid).await?;
        let reviews = bs::review_codes(tx.conn(), tid).await?;
        Ok((fw, indicators, reviews))
    }

    /// Imports `benefits.csv`, `benefit-profiles.csv` or `budget-gap.csv`
    /// (administrators and performance officers). Benefits are created or
    /// replaced by code (others are left alone); each benefit named in
    /// `benefit-profiles.csv` has its profile replaced by the file's years for
    /// it; `budget-gap.csv` is the whole plan (years it no longer lists are
    /// deleted). All or nothing; one audit row per record changed.
    pub async fn import_benefits(
        &self,
        c: &Caller,
        file: BenefitsFile,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, indicators, reviews) = Self::known(&mut tx, &tid).await?;
        c.require(Write::ImportFramework, &fw)?;
        let held = bs::load(tx.conn(), &tid).await?;
        let table = file.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match file {
            BenefitsFile::Benefits => {
                let known = Known {
                    framework: &fw,
                    indicators: &indicators,
                    reviews: &reviews,
                };
                let mut rows = bio::read_benefits(source, &known).map_err(AppError::Import)?;
                report.rows = rows.len();
                // A file without the optional group column keeps each held
                // benefit's group rather than clearing it.
                if !source.has_column(table, "group") {
                    for r in &mut rows {
                        if let Some(h) = held.benefits.iter().find(|h| h.value.code == r.code) {
                            r.group = h.value.group.clone();
                        }
                    }
                }
                // A benefit that becomes non-financial loses its money profile.
                for r in &rows {
                    if r.kind == BenefitKind::NonFinancial
                        && held.profiles.iter().any(|p| p.value.benefit == r.code)
                    {
                        return Err(AppError::Import(vec![goldthread_io::ImportError::file(
                            "benefits.csv",
                            format!(
                                "'{}' has a money profile, so it cannot become non-financial; clear its profile first",
                                r.code
                            ),
                        )]));
                    }
                }
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.benefits,
                )
                .await?;
            }
            BenefitsFile::Profiles => {
                let rows =
                    bio::read_profiles(source, &held.benefit_values()).map_err(AppError::Import)?;
                report.rows = rows.len();
                let named: BTreeSet<Code> = rows.iter().map(|r| r.benefit.clone()).collect();
                let mut changed = Vec::new();
                for b in held
                    .benefits
                    .iter()
                    .filter(|b| named.contains(&b.value.code))
                {
                    let mut before: Vec<&BenefitProfile> = held
                        .profile_of(&b.value.code)
                        .into_iter()
                        .map(|p| &p.value)
                        .collect();
                    let mut after: Vec<&BenefitProfile> =
                        rows.iter().filter(|r| r.benefit == b.value.code).collect();
                    before.sort_by_key(|p| p.year);
                    after.sort_by_key(|p| p.year);
                    if before != after {
                        changed.push(b);
                    }
                }
                let scoped: Vec<Rec<BenefitProfile>> = held
                    .profiles
                    .iter()
                    .filter(|p| named.contains(&p.value.benefit))
                    .cloned()
                    .collect();
                replace_with(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    Some(&context),
                    rows,
                    &scoped,
                )
                .await?;
                for b in changed {
                    bs::touch_benefit(tx.conn(), &tid, &b.id, b.version).await?;
                }
            }
            BenefitsFile::BudgetGap => {
                let rows = bio::read_budget_gap(source).map_err(AppError::Import)?;
                report.rows = rows.len();
                replace_with(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    Some(&context),
                    rows,
                    &held.gaps,
                )
                .await?;
            }
        }
        report.finish(tx).await
    }

    /// Validates one benefit with the importer's rules.
    fn validate_benefit(
        fw: &Framework,
        indicators: &[Code],
        reviews: &[Code],
        i: &BenefitInput,
    ) -> Result<Benefit> {
        let known = Known {
            framework: fw,
            indicators,
            reviews,
        };
        let source = rows_source("benefits", bio::BENEFITS, &[i.cells()])?;
        let mut v = bio::read_benefits(&source, &known).map_err(field_errors)?;
        v.pop()
            .ok_or_else(|| AppError::Internal("validated benefit missing".into()))
    }

    /// Adds a benefit to the register.
    pub async fn create_benefit(&self, c: &Caller, i: &BenefitInput) -> Result<Rec<Benefit>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, indicators, reviews) = Self::known(&mut tx, &tid).await?;
        if !may_add_benefits(c, &fw) {
            return Err(AppError::Forbidden(format!(
                "your role ({}) does not allow this change",
                c.role()
            )));
        }
        let value = Self::validate_benefit(&fw, &indicators, &reviews, i)?;
        require_benefit(c, &fw, &[&value.portfolio])?;
        let held = bs::load(tx.conn(), &tid).await?;
        if find(&held, value.code.as_str()).is_ok() {
            return Err(AppError::Duplicate(format!(
                "a benefit '{}' already exists",
                value.code
            )));
        }
        let rec = bs::put_benefit(tx.conn(), &tid, None, &value).await?;
        record(
            &mut tx,
            c,
            "create",
            Benefit::ENTITY,
            Some(&rec.id),
            value.code.as_str(),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a benefit (its code stays: its profile and history are filed
    /// under it). Moving it to another portfolio needs the right to write in
    /// both.
    pub async fn update_benefit(
        &self,
        c: &Caller,
        code: &str,
        i: &BenefitInput,
    ) -> Result<Rec<Benefit>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let held = bs::load(tx.conn(), &tid).await?;
        let before = find(&held, code)?.clone();
        let (fw, indicators, reviews) = Self::known(&mut tx, &tid).await?;
        require_benefit(c, &fw, &[&before.value.portfolio])?;
        let (value, version) = with_version(
            Self::validate_benefit(&fw, &indicators, &reviews, i),
            i.version,
        )?;
        if value.code != before.value.code {
            return Err(AppError::field(
                "code",
                format!(
                    "cannot change from '{}' to '{}': its profile and history are filed under its code (add a new benefit instead)",
                    before.value.code, value.code
                ),
            ));
        }
        require_benefit(c, &fw, &[&value.portfolio])?;
        if value.kind == BenefitKind::NonFinancial && !held.profile_of(&value.code).is_empty() {
            return Err(AppError::field(
                "kind",
                "this benefit has a money profile, so it cannot become non-financial; clear its profile first",
            ));
        }
        crate::error::check_version("benefit", version, before.version)?;
        let rec = bs::put_benefit(tx.conn(), &tid, Some((&before.id, version)), &value).await?;
        record(
            &mut tx,
            c,
            "update",
            Benefit::ENTITY,
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

    /// Deletes a benefit whose profile is empty (clear its profile first, so
    /// that no realised saving is lost by accident).
    pub async fn delete_benefit(&self, c: &Caller, code: &str, version: Option<i64>) -> Result<()> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let held = bs::load(tx.conn(), &tid).await?;
        let before = find(&held, code)?.clone();
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        require_benefit(c, &fw, &[&before.value.portfolio])?;
        let version = version_required(version)?;
        crate::error::check_version("benefit", version, before.version)?;
        let n = held.profile_of(&before.value.code).len();
        if n > 0 {
            return Err(AppError::InUse(format!(
                "benefit '{code}' has {n} profile year(s); clear its profile first"
            )));
        }
        let initiatives: Vec<String> = goldthread_store::programmes::load(tx.conn(), &tid)
            .await?
            .initiatives
            .into_iter()
            .filter(|i| i.value.benefits.contains(&before.value.code))
            .map(|i| i.value.code.to_string())
            .collect();
        if !initiatives.is_empty() {
            return Err(AppError::InUse(format!(
                "benefit '{code}' is named by initiative(s) {}; take it off those first",
                initiatives.join(", ")
            )));
        }
        bs::delete_benefit(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            Benefit::ENTITY,
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

    /// Replaces a benefit's profile with `i.items` (each year once; planned
    /// and realised not negative; realised absent until known): years not
    /// given are removed. One audit row per year created, changed or removed;
    /// the benefit's version rises when anything changed. A non-financial
    /// benefit has no money profile.
    pub async fn set_benefit_profile(
        &self,
        c: &Caller,
        code: &str,
        i: &ProfileInput,
    ) -> Result<BenefitRecord> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let held = bs::load(tx.conn(), &tid).await?;
        let before = find(&held, code)?.clone();
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        require_benefit(c, &fw, &[&before.value.portfolio])?;
        if before.value.kind == BenefitKind::NonFinancial && !i.items.is_empty() {
            return Err(AppError::field(
                "items",
                "a non-financial benefit has no money profile (its indicator measures it)",
            ));
        }
        let cells: Vec<Vec<String>> = i
            .items
            .iter()
            .map(|l| {
                vec![
                    before.value.code.to_string(),
                    l.year.clone(),
                    format_pounds_plain(l.planned_pence),
                    l.realised_pence
                        .map(format_pounds_plain)
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let source = rows_source("benefit-profiles", bio::BENEFIT_PROFILES, &cells)?;
        let rows = with_version(
            bio::read_profiles(&source, std::slice::from_ref(&before.value)).map_err(line_errors),
            i.version,
        );
        let (rows, version) = rows?;
        crate::error::check_version("benefit", version, before.version)?;
        let held_profile: Vec<Rec<BenefitProfile>> = held
            .profile_of(&before.value.code)
            .into_iter()
            .cloned()
            .collect();
        let mut report = ImportReport::default();
        replace_with(
            &mut tx,
            c,
            &mut report,
            "benefit-profiles",
            None,
            rows,
            &held_profile,
        )
        .await?;
        let changed =
            report.tables.values().any(|[c, u, _]| c + u > 0) || !report.removed.is_empty();
        let mut benefit = before.clone();
        if changed {
            benefit.version = bs::touch_benefit(tx.conn(), &tid, &before.id, version).await?;
        }
        tx.commit().await?;
        let profile = bs::load(&mut *self.db.read().await?, &tid)
            .await?
            .profile_of(&benefit.value.code)
            .into_iter()
            .cloned()
            .collect();
        Ok(BenefitRecord { benefit, profile })
    }
}

/// A benefit on an outcome's or a service's page, with why it is there.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedBenefit {
    pub benefit: Rec<Benefit>,
    /// Each way the benefit reaches the page, in words: the review it comes
    /// from, the indicator that measures it, the initiative that delivers it.
    pub via: Vec<String>,
}

/// What a benefit may be reached through on the golden thread.
pub struct BenefitLinks<'a> {
    pub framework: &'a Framework,
    pub reviews: &'a [Rec<goldthread_domain::review::Review>],
    pub indicators: &'a [goldthread_domain::indicator::Indicator],
    pub initiatives: &'a [Rec<goldthread_domain::programme::Initiative>],
}

/// The benefits on an outcome's or a service's page. A benefit is on a
/// service's page when it comes from a review of the service, its measure
/// is an indicator of the service, or an initiative that delivers it changes
/// the service; on an outcome's page when its review's service contributes to
/// the outcome (the matrix), its measure is an indicator of the outcome, or
/// an initiative that delivers it serves the outcome. Benefits are otherwise
/// held by portfolio, which is too coarse to place them on the thread.
pub fn linked_benefits(
    benefits: &[Rec<Benefit>],
    l: &BenefitLinks<'_>,
    outcome: Option<&Code>,
    service: Option<&Code>,
) -> Vec<LinkedBenefit> {
    let serves = |s: &Code| {
        outcome.is_some_and(|o| {
            l.framework
                .contributions
                .iter()
                .any(|c| &c.service == s && &c.outcome == o)
        })
    };
    let on = |services: &[Code], outcomes: &[Code]| {
        service.is_some_and(|s| services.contains(s))
            || outcome.is_some_and(|o| outcomes.contains(o))
    };
    benefits
        .iter()
        .filter_map(|b| {
            let v = &b.value;
            let mut via = Vec::new();
            if v.source == BenefitSource::Review
                && let Some(r) = l
                    .reviews
                    .iter()
                    .find(|r| r.value.code.as_str() == v.source_ref)
                && (service == Some(&r.value.service) || serves(&r.value.service))
            {
                via.push(format!(
                    "From review {} of {}",
                    r.value.code, r.value.service
                ));
            }
            if let Some(m) = &v.measure
                && let Some(i) = l.indicators.iter().find(|i| &i.code == m)
                && on(&i.services, &i.outcomes)
            {
                via.push(format!("Measured by indicator {m}"));
            }
            for i in l
                .initiatives
                .iter()
                .filter(|i| i.value.benefits.contains(&v.code))
                .filter(|i| on(&i.value.services, &i.value.outcomes))
            {
                via.push(format!("Delivered by initiative {}", i.value.code));
            }
            (!via.is_empty()).then(|| LinkedBenefit {
                benefit: b.clone(),
                via,
            })
        })
        .collect()
}

impl App {
    /// The benefits on an outcome's or a service's page (see [`linked_benefits`]).
    pub async fn benefits_linked(
        &self,
        c: &Caller,
        outcome: Option<&Code>,
        service: Option<&Code>,
    ) -> Result<Vec<LinkedBenefit>> {
        let data = self.perf_data(c).await?;
        let benefits = self.benefits(c).await?;
        let reviews = self.reviews(c).await?;
        let initiatives = self.programme_snapshot(c).await?.initiatives;
        Ok(linked_benefits(
            &benefits.benefits,
            &BenefitLinks {
                framework: &data.view.framework,
                reviews: &reviews,
                indicators: &data.indicators,
                initiatives: &initiatives,
            },
            outcome,
            service,
        ))
    }
}
