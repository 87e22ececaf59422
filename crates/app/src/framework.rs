//! Use cases on the golden thread: read views, create/update/delete records,
//! matrix cells and RACI, and the whole-framework import and export.
use crate::input::{
    self, CellInput, OutcomeInput, PersonInput, PlanInput, PortfolioInput, RaciInput, ServiceInput,
};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::framework::{
    Contribution, Framework, Gaps, Outcome, OutcomeThread, Person, Plan, Portfolio, Service,
    ServiceThread,
};
use goldthread_domain::one_fund::OneFund;
use goldthread_domain::permission::Write;
use goldthread_domain::{Code, Email, Raci};
use goldthread_io::framework::{self as fio, FrameworkImport};
use goldthread_io::{ImportError, Source, Table};
use goldthread_store::AnyConnection;
use goldthread_store::audit::{self, AuditFilter, AuditRow, NewAudit};
use goldthread_store::framework::{self as fs, Rec, Snapshot};
use goldthread_store::{TenantId, WriteTx};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A kind of framework record that is created, changed and deleted by its key.
pub trait Entity: Clone + Serialize + PartialEq + Send + Sync + Sized {
    /// The import table (and audit entity type, singular).
    const TABLE: &'static str;
    const TYPE: &'static str;
    const HEADERS: &'static [&'static str];
    fn key(&self) -> String;
    fn records(s: &Snapshot) -> &[Rec<Self>];
    fn take(i: FrameworkImport) -> Option<Self>;
    /// The permission question for a write from `before` to `after`.
    fn write<'a>(before: Option<&'a Self>, after: Option<&'a Self>) -> Write<'a>;
    fn insert(
        c: &mut AnyConnection,
        t: &TenantId,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send;
    fn update(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
        v: &Self,
    ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send;
    fn delete(
        c: &mut AnyConnection,
        t: &TenantId,
        id: &str,
        version: i64,
    ) -> impl Future<Output = goldthread_store::Result<()>> + Send;
}

macro_rules! entity {
    ($ty:ty, $table:literal, $type:literal, $headers:expr, $field:ident, $key:ident,
     $insert:path, $update:path, $delete:path, |$b:ident, $a:ident| $write:expr) => {
        impl Entity for $ty {
            const TABLE: &'static str = $table;
            const TYPE: &'static str = $type;
            const HEADERS: &'static [&'static str] = $headers;
            fn key(&self) -> String {
                self.$key.to_string()
            }
            fn records(s: &Snapshot) -> &[Rec<Self>] {
                &s.$field
            }
            fn take(i: FrameworkImport) -> Option<Self> {
                i.$field.into_iter().next()
            }
            fn write<'a>($b: Option<&'a Self>, $a: Option<&'a Self>) -> Write<'a> {
                $write
            }
            fn insert(
                c: &mut AnyConnection,
                t: &TenantId,
                v: &Self,
            ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
                $insert(c, t, v)
            }
            fn update(
                c: &mut AnyConnection,
                t: &TenantId,
                id: &str,
                version: i64,
                v: &Self,
            ) -> impl Future<Output = goldthread_store::Result<Rec<Self>>> + Send {
                $update(c, t, id, version, v)
            }
            fn delete(
                c: &mut AnyConnection,
                t: &TenantId,
                id: &str,
                version: i64,
            ) -> impl Future<Output = goldthread_store::Result<()>> + Send {
                $delete(c, t, id, version)
            }
        }
    };
}

entity!(
    Outcome,
    "outcomes",
    "outcome",
    fio::OUTCOMES,
    outcomes,
    code,
    insert_outcome_with_links,
    fs::update_outcome,
    fs::delete_outcome,
    |b, a| match (b, a) {
        (None, _) => Write::CreateOutcome,
        (Some(b), Some(_)) => Write::UpdateOutcome(&b.code),
        (Some(b), None) => Write::DeleteOutcome(&b.code),
    }
);
entity!(
    Portfolio,
    "portfolios",
    "portfolio",
    fio::PORTFOLIOS,
    portfolios,
    code,
    fs::insert_portfolio,
    fs::update_portfolio,
    fs::delete_portfolio,
    |b, a| match (b, a) {
        (None, _) => Write::CreatePortfolio,
        (Some(b), Some(_)) => Write::UpdatePortfolio(&b.code),
        (Some(b), None) => Write::DeletePortfolio(&b.code),
    }
);
entity!(
    Service,
    "services",
    "service",
    fio::SERVICES,
    services,
    code,
    fs::insert_service,
    fs::update_service,
    fs::delete_service,
    |b, a| match (b, a) {
        (None, Some(a)) => Write::CreateService {
            portfolio: &a.portfolio
        },
        (Some(b), Some(a)) => Write::UpdateService {
            service: &b.code,
            from: &b.portfolio,
            to: &a.portfolio
        },
        (Some(b), None) => Write::DeleteService {
            service: &b.code,
            portfolio: &b.portfolio
        },
        (None, None) => Write::ImportFramework,
    }
);
entity!(
    Plan,
    "plans",
    "plan",
    fio::PLANS,
    plans,
    code,
    fs::insert_plan,
    fs::update_plan,
    fs::delete_plan,
    |b, a| plan_write(b, a)
);
entity!(
    Person,
    "people",
    "person",
    fio::PEOPLE,
    people,
    email,
    fs::insert_person,
    fs::update_person,
    fs::delete_person,
    |b, a| Write::Person {
        roles: [b.map(|p| p.role), a.map(|p| p.role)]
    }
);

/// A plan write involves its owner before and after; a create or delete only the
/// side that exists.
fn plan_write<'a>(b: Option<&'a Plan>, a: Option<&'a Plan>) -> Write<'a> {
    let before = b.or(a).and_then(|p| p.owner.as_ref());
    let after = a.or(b).and_then(|p| p.owner.as_ref());
    Write::Plan {
        owners: [before, after],
    }
}

async fn insert_outcome_with_links(
    c: &mut AnyConnection,
    t: &TenantId,
    o: &Outcome,
) -> goldthread_store::Result<Rec<Outcome>> {
    let rec = fs::insert_outcome(c, t, o).await?;
    fs::set_outcome_links(c, t, &rec.id, &o.links).await?;
    Ok(rec)
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Turns one-row validation errors into field errors.
pub(crate) fn field_errors(errors: Vec<ImportError>) -> AppError {
    AppError::Validation(
        errors
            .into_iter()
            .map(|e| FieldError {
                field: e.column.unwrap_or_else(|| "input".into()),
                message: e.message,
            })
            .collect(),
    )
}

/// Validates one record with the importer's rules against the current framework.
fn validate_one<E: Entity>(cells: Vec<String>, fw: &Framework) -> Result<E> {
    let table = input::one_row(E::TABLE, E::HEADERS, cells);
    let imp = fio::validate(BTreeMap::from([(E::TABLE, table)]), fw).map_err(field_errors)?;
    E::take(imp).ok_or_else(|| AppError::Internal("validated record missing".into()))
}

fn find<'s, E: Entity>(snap: &'s Snapshot, key: &str) -> Result<&'s Rec<E>> {
    let key_norm = if E::TYPE == "person" {
        key.to_lowercase()
    } else {
        key.to_string()
    };
    E::records(snap)
        .iter()
        .find(|r| r.value.key() == key_norm)
        .ok_or_else(|| AppError::NotFound(format!("no {} '{key}'", E::TYPE)))
}

/// Writes the audit row for a change in the same transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    tx: &mut WriteTx,
    c: &Caller,
    action: &str,
    entity_type: &str,
    id: Option<&str>,
    code: &str,
    before: Option<Value>,
    after: Option<Value>,
    context: Option<Value>,
) -> Result<()> {
    record_json(
        tx,
        c,
        action,
        entity_type,
        id,
        code,
        before.map(Into::into),
        after,
        context,
    )
    .await
}

/// [`record`] with a before-image that may be JSON text already written.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_json(
    tx: &mut WriteTx,
    c: &Caller,
    action: &str,
    entity_type: &str,
    id: Option<&str>,
    code: &str,
    before: Option<goldthread_store::audit::AuditJson>,
    after: Option<Value>,
    context: Option<Value>,
) -> Result<()> {
    let tenant = c.tenant_id();
    audit::record(
        tx.conn(),
        NewAudit {
            tenant: Some(&tenant),
            actor: &c.who,
            action,
            entity_type,
            entity_id: id,
            entity_code: Some(code),
            before,
            after,
            context,
        },
    )
    .await?;
    Ok(())
}

/// Money arrives through the API in pence: name its fields as the caller sent them.
fn pence_fields(e: AppError) -> AppError {
    match e {
        AppError::Validation(v) => AppError::Validation(
            v.into_iter()
                .map(|mut f| {
                    if matches!(f.field.as_str(), "gross_cost" | "income" | "net_budget") {
                        f.field.push_str("_pence");
                    }
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

pub(crate) fn version_required(v: Option<i64>) -> Result<i64> {
    v.ok_or_else(|| {
        AppError::field(
            "version",
            "is required when changing a record: send the version you read",
        )
    })
}

/// Every problem at once: the fields' and, when changing, a missing version.
pub(crate) fn with_version<T>(value: Result<T>, version: Option<i64>) -> Result<(T, i64)> {
    match (value, version_required(version)) {
        (Ok(value), Ok(version)) => Ok((value, version)),
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.extend(b);
            Err(AppError::Validation(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Everything a page or endpoint shows about the framework, read in one go.
#[derive(Debug, Clone)]
pub struct View {
    pub snapshot: Snapshot,
    pub framework: Framework,
}

impl App {
    async fn begin(&self, c: &Caller) -> Result<(WriteTx, Snapshot)> {
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let snap = fs::load(tx.conn(), &c.tenant_id()).await?;
        Ok((tx, snap))
    }

    /// The caller's tenant's whole framework.
    pub async fn view(&self, c: &Caller) -> Result<View> {
        let mut conn = self.db.read().await?;
        let snapshot = fs::load(&mut conn, &c.tenant_id()).await?;
        let framework = snapshot.framework();
        Ok(View {
            snapshot,
            framework,
        })
    }

    pub async fn list<E: Entity>(&self, c: &Caller) -> Result<Vec<Rec<E>>> {
        Ok(E::records(&self.view(c).await?.snapshot).to_vec())
    }

    pub async fn get<E: Entity>(&self, c: &Caller, key: &str) -> Result<Rec<E>> {
        let v = self.view(c).await?;
        find::<E>(&v.snapshot, key).cloned()
    }

    async fn create<E: Entity>(&self, c: &Caller, cells: Vec<String>) -> Result<Rec<E>> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let value: E = validate_one(cells, &fw)?;
        c.require(E::write(None, Some(&value)), &fw)?;
        if find::<E>(&snap, &value.key()).is_ok() {
            return Err(AppError::Duplicate(format!(
                "a {} '{}' already exists",
                E::TYPE,
                value.key()
            )));
        }
        let rec = E::insert(tx.conn(), &c.tenant_id(), &value).await?;
        record(
            &mut tx,
            c,
            "create",
            E::TYPE,
            Some(&rec.id),
            &value.key(),
            None,
            Some(to_json(&rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    async fn update<E: Entity>(
        &self,
        c: &Caller,
        key: &str,
        version: Option<i64>,
        cells: Vec<String>,
    ) -> Result<Rec<E>> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let before = find::<E>(&snap, key)?.clone();
        c.require(E::write(Some(&before.value), Some(&before.value)), &fw)?;
        let version = version_required(version)?;
        let value: E = validate_one(cells, &fw)?;
        c.require(E::write(Some(&before.value), Some(&value)), &fw)?;
        if value.key() != before.value.key() && find::<E>(&snap, &value.key()).is_ok() {
            return Err(AppError::Duplicate(format!(
                "a {} '{}' already exists",
                E::TYPE,
                value.key()
            )));
        }
        crate::error::check_version(E::TYPE, version, before.version)?;
        let rec = E::update(tx.conn(), &c.tenant_id(), &before.id, version, &value).await?;
        record(
            &mut tx,
            c,
            "update",
            E::TYPE,
            Some(&rec.id),
            &value.key(),
            Some(to_json(&before)),
            Some(to_json(&rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    pub async fn delete<E: Entity>(
        &self,
        c: &Caller,
        key: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let before = find::<E>(&snap, key)?.clone();
        c.require(E::write(Some(&before.value), None), &fw)?;
        let version = version_required(version)?;
        crate::error::check_version(E::TYPE, version, before.version)?;
        E::delete(tx.conn(), &c.tenant_id(), &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            E::TYPE,
            Some(&before.id),
            &before.value.key(),
            Some(to_json(&before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_outcome(&self, c: &Caller, i: &OutcomeInput) -> Result<Rec<Outcome>> {
        self.create(c, i.cells()).await
    }
    pub async fn update_outcome(
        &self,
        c: &Caller,
        code: &str,
        i: &OutcomeInput,
    ) -> Result<Rec<Outcome>> {
        self.update(c, code, i.version, i.cells()).await
    }
    pub async fn create_portfolio(&self, c: &Caller, i: &PortfolioInput) -> Result<Rec<Portfolio>> {
        self.create(c, i.cells()).await
    }
    pub async fn update_portfolio(
        &self,
        c: &Caller,
        code: &str,
        i: &PortfolioInput,
    ) -> Result<Rec<Portfolio>> {
        self.update(c, code, i.version, i.cells()).await
    }
    pub async fn create_service(&self, c: &Caller, i: &ServiceInput) -> Result<Rec<Service>> {
        self.create(c, i.cells()).await.map_err(pence_fields)
    }
    pub async fn update_service(
        &self,
        c: &Caller,
        code: &str,
        i: &ServiceInput,
    ) -> Result<Rec<Service>> {
        self.update(c, code, i.version, i.cells())
            .await
            .map_err(pence_fields)
    }
    pub async fn create_plan(&self, c: &Caller, i: &PlanInput) -> Result<Rec<Plan>> {
        self.create(c, i.cells()).await
    }
    pub async fn update_plan(&self, c: &Caller, code: &str, i: &PlanInput) -> Result<Rec<Plan>> {
        self.update(c, code, i.version, i.cells()).await
    }
    pub async fn create_person(&self, c: &Caller, i: &PersonInput) -> Result<Rec<Person>> {
        self.create(c, i.cells()).await
    }
    pub async fn update_person(
        &self,
        c: &Caller,
        email: &str,
        i: &PersonInput,
    ) -> Result<Rec<Person>> {
        self.update(c, email, i.version, i.cells()).await
    }

    /// Creates or changes one matrix cell.
    pub async fn put_cell(
        &self,
        c: &Caller,
        service: &str,
        outcome: &str,
        i: &CellInput,
    ) -> Result<Rec<Contribution>> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let svc = find::<Service>(&snap, service)?.value.code.clone();
        c.require(Write::MatrixCell { service: &svc }, &fw)?;
        let cells = vec![
            service.to_string(),
            outcome.to_string(),
            i.strength.clone(),
            i.note.clone(),
        ];
        let table = input::one_row("contributions", fio::CONTRIBUTIONS, cells);
        let value = fio::validate(BTreeMap::from([("contributions", table)]), &fw)
            .map_err(field_errors)?
            .contributions
            .remove(0);
        let existing = snap
            .contributions
            .iter()
            .find(|r| r.value.service == value.service && r.value.outcome == value.outcome);
        let key = format!("{}/{}", value.service, value.outcome);
        let rec = match existing {
            Some(before) => {
                let version = version_required(i.version)?;
                crate::error::check_version("matrix cell", version, before.version)?;
                let rec =
                    fs::update_contribution(tx.conn(), &c.tenant_id(), &before.id, version, &value)
                        .await?;
                record(
                    &mut tx,
                    c,
                    "update",
                    "contribution",
                    Some(&rec.id),
                    &key,
                    Some(to_json(before)),
                    Some(to_json(&rec)),
                    None,
                )
                .await?;
                rec
            }
            None => {
                let rec = fs::insert_contribution(tx.conn(), &c.tenant_id(), &value).await?;
                record(
                    &mut tx,
                    c,
                    "create",
                    "contribution",
                    Some(&rec.id),
                    &key,
                    None,
                    Some(to_json(&rec)),
                    None,
                )
                .await?;
                rec
            }
        };
        tx.commit().await?;
        Ok(rec)
    }

    pub async fn delete_cell(
        &self,
        c: &Caller,
        service: &str,
        outcome: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let before = snap
            .contributions
            .iter()
            .find(|r| r.value.service.as_str() == service && r.value.outcome.as_str() == outcome)
            .ok_or_else(|| {
                AppError::NotFound(format!("{service} does not contribute to {outcome}"))
            })?
            .clone();
        c.require(
            Write::MatrixCell {
                service: &before.value.service,
            },
            &fw,
        )?;
        let version = version_required(version)?;
        crate::error::check_version("matrix cell", version, before.version)?;
        fs::delete_contribution(tx.conn(), &c.tenant_id(), &before.id, version).await?;
        let key = format!("{service}/{outcome}");
        record(
            &mut tx,
            c,
            "delete",
            "contribution",
            Some(&before.id),
            &key,
            Some(to_json(&before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an outcome's RACI (at most one Accountable).
    pub async fn replace_raci(
        &self,
        c: &Caller,
        outcome: &str,
        i: &RaciInput,
    ) -> Result<Vec<(Email, Raci)>> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        let o = find::<Outcome>(&snap, outcome)?.clone();
        c.require(Write::ReplaceRaci(&o.value.code), &fw)?;
        let table = Table {
            name: "raci".into(),
            headers: fio::RACI.iter().map(|h| h.to_string()).collect(),
            rows: i
                .items
                .iter()
                .enumerate()
                .map(|(n, l)| {
                    (
                        n + 2,
                        vec![outcome.to_string(), l.person.clone(), l.raci.clone()],
                    )
                })
                .collect(),
        };
        let entries = if i.items.is_empty() {
            Vec::new()
        } else {
            let imp = fio::validate(BTreeMap::from([("raci", table)]), &fw).map_err(|errors| {
                AppError::Validation(
                    errors
                        .into_iter()
                        .map(|e| FieldError {
                            field: format!(
                                "items[{}].{}",
                                e.row.unwrap_or(2) - 2,
                                e.column.unwrap_or_default()
                            ),
                            message: e.message,
                        })
                        .collect(),
                )
            })?;
            imp.raci.into_values().next().unwrap_or_default()
        };
        let before = fw.raci_of(&o.value.code);
        fs::replace_raci(tx.conn(), &c.tenant_id(), &o.value.code, &entries).await?;
        let after: Vec<Value> = entries
            .iter()
            .map(|(p, r)| json!({"person": p, "raci": r}))
            .collect();
        let before: Vec<Value> = before
            .iter()
            .map(|e| json!({"person": e.person, "raci": e.raci}))
            .collect();
        record(
            &mut tx,
            c,
            "update",
            "raci",
            Some(&o.id),
            o.value.code.as_str(),
            Some(json!(before)),
            Some(json!(after)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(entries)
    }

    pub async fn outcome_thread(&self, c: &Caller, code: &str) -> Result<OutcomeThread> {
        self.view(c)
            .await?
            .framework
            .outcome_thread(code)
            .ok_or_else(|| AppError::NotFound(format!("no outcome '{code}'")))
    }

    pub async fn service_thread(&self, c: &Caller, code: &str) -> Result<ServiceThread> {
        self.view(c)
            .await?
            .framework
            .service_thread(code)
            .ok_or_else(|| AppError::NotFound(format!("no service '{code}'")))
    }

    pub async fn one_fund(&self, c: &Caller) -> Result<OneFund> {
        Ok(self.view(c).await?.framework.one_fund())
    }

    /// The framework gaps, including indicators linked to nothing.
    pub async fn gaps(&self, c: &Caller) -> Result<Gaps> {
        let data = self.perf_data(c).await?;
        Ok(data.framework().gaps().with_indicators(&data.indicators))
    }

    /// The audit trail (admins and auditors only).
    pub async fn audit(&self, c: &Caller, f: &AuditFilter) -> Result<Vec<AuditRow>> {
        c.require_audit_reader()?;
        let mut conn = self.db.read().await?;
        Ok(audit::list(&mut conn, &c.tenant_id(), f).await?)
    }

    /// One record's history, for its page (readable by anyone who can read the record).
    pub async fn history(
        &self,
        c: &Caller,
        entity_type: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditRow>> {
        let mut conn = self.db.read().await?;
        let f = AuditFilter {
            entity_type: Some(entity_type.into()),
            entity: Some(entity_id.into()),
            ..Default::default()
        };
        Ok(audit::list(&mut conn, &c.tenant_id(), &f).await?)
    }

    /// Imports a framework (create or replace by code; RACI replaced per outcome
    /// named). All or nothing: any invalid row and nothing is written. With
    /// `dry_run`, everything is checked and counted, then rolled back.
    pub async fn import_framework(
        &self,
        c: &Caller,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let (mut tx, snap) = self.begin(c).await?;
        let fw = snap.framework();
        c.require(Write::ImportFramework, &fw)?;
        let imp = fio::read(source, &fw).map_err(AppError::Import)?;
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        let ctx = json!({"import": label});
        apply_all::<Person>(&mut tx, c, &snap, imp.people.clone(), &mut report, &ctx).await?;
        // New outcomes first without links, so links may point at any outcome in the files.
        let mut new_links = Vec::new();
        let mut outcome_ids: BTreeMap<Code, String> = snap
            .outcomes
            .iter()
            .map(|r| (r.value.code.clone(), r.id.clone()))
            .collect();
        for o in &imp.outcomes {
            if find::<Outcome>(&snap, o.code.as_str()).is_err() {
                let rec = fs::insert_outcome(tx.conn(), &c.tenant_id(), o).await?;
                outcome_ids.insert(o.code.clone(), rec.id.clone());
                new_links.push((rec.id.clone(), o.links.clone()));
                record(
                    &mut tx,
                    c,
                    "create",
                    "outcome",
                    Some(&rec.id),
                    o.code.as_str(),
                    None,
                    Some(to_json(&rec)),
                    Some(ctx.clone()),
                )
                .await?;
                report.count("outcomes", Change::Created);
            }
        }
        for (id, links) in new_links {
            fs::set_outcome_links(tx.conn(), &c.tenant_id(), &id, &links).await?;
        }
        let existing_outcomes: Vec<Outcome> = imp
            .outcomes
            .iter()
            .filter(|o| find::<Outcome>(&snap, o.code.as_str()).is_ok())
            .cloned()
            .collect();
        apply_all::<Outcome>(&mut tx, c, &snap, existing_outcomes, &mut report, &ctx).await?;
        apply_all::<Portfolio>(&mut tx, c, &snap, imp.portfolios.clone(), &mut report, &ctx)
            .await?;
        apply_all::<Service>(&mut tx, c, &snap, imp.services.clone(), &mut report, &ctx).await?;
        for v in &imp.contributions {
            let key = format!("{}/{}", v.service, v.outcome);
            match snap
                .contributions
                .iter()
                .find(|r| r.value.service == v.service && r.value.outcome == v.outcome)
            {
                Some(before) if &before.value == v => {
                    report.count("contributions", Change::Unchanged)
                }
                Some(before) => {
                    let rec = fs::update_contribution(
                        tx.conn(),
                        &c.tenant_id(),
                        &before.id,
                        before.version,
                        v,
                    )
                    .await?;
                    record(
                        &mut tx,
                        c,
                        "update",
                        "contribution",
                        Some(&rec.id),
                        &key,
                        Some(to_json(before)),
                        Some(to_json(&rec)),
                        Some(ctx.clone()),
                    )
                    .await?;
                    report.count("contributions", Change::Updated);
                }
                None => {
                    let rec = fs::insert_contribution(tx.conn(), &c.tenant_id(), v).await?;
                    record(
                        &mut tx,
                        c,
                        "create",
                        "contribution",
                        Some(&rec.id),
                        &key,
                        None,
                        Some(to_json(&rec)),
                        Some(ctx.clone()),
                    )
                    .await?;
                    report.count("contributions", Change::Created);
                }
            }
        }
        for (outcome, entries) in &imp.raci {
            let before: Vec<(Email, Raci)> = snap
                .raci
                .iter()
                .filter(|e| &e.outcome == outcome)
                .map(|e| (e.person.clone(), e.raci))
                .collect();
            let mut b = before.clone();
            let mut a = entries.clone();
            b.sort();
            a.sort();
            if a == b {
                report.count("raci", Change::Unchanged);
                continue;
            }
            fs::replace_raci(tx.conn(), &c.tenant_id(), outcome, entries).await?;
            let j = |v: &[(Email, Raci)]| {
                json!(
                    v.iter()
                        .map(|(p, r)| json!({"person": p, "raci": r}))
                        .collect::<Vec<_>>()
                )
            };
            let id = outcome_ids.get(outcome).map(String::as_str);
            record(
                &mut tx,
                c,
                "update",
                "raci",
                id,
                outcome.as_str(),
                Some(j(&before)),
                Some(j(entries)),
                Some(ctx.clone()),
            )
            .await?;
            report.count(
                "raci",
                if before.is_empty() {
                    Change::Created
                } else {
                    Change::Updated
                },
            );
        }
        apply_all::<Plan>(&mut tx, c, &snap, imp.plans.clone(), &mut report, &ctx).await?;
        report.rows = imp.rows();
        report.finish(tx).await
    }

    /// The tenant's framework, for export.
    pub async fn export_framework(&self, c: &Caller) -> Result<Framework> {
        Ok(self.view(c).await?.framework)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// What an import did (or, for a dry run, would do), per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: usize,
    /// table → [created, updated, unchanged]
    pub tables: BTreeMap<String, [usize; 3]>,
    /// table → records deleted because the file no longer lists them (only
    /// tables imported whole, such as contracts; absent when none were).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub removed: BTreeMap<String, usize>,
}

impl ImportReport {
    /// Ends an import: commits its transaction, or rolls it back when it was
    /// a dry run (which writes nothing).
    pub(crate) async fn finish(self, tx: goldthread_store::WriteTx) -> Result<ImportReport> {
        if self.dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(self)
    }

    pub(crate) fn count(&mut self, table: &str, change: Change) {
        let e = self.tables.entry(table.to_string()).or_default();
        e[change as usize] += 1;
    }

    /// Counts a record deleted because a table imported whole no longer lists it.
    pub(crate) fn count_removed(&mut self, table: &str) {
        self.tables.entry(table.to_string()).or_default();
        *self.removed.entry(table.to_string()).or_default() += 1;
    }

    pub fn summary(&self) -> String {
        // In the order the tables are applied: people, outcomes, portfolios, …
        let order = |t: &str| {
            fio::TABLES
                .iter()
                .position(|(n, _)| *n == t)
                .unwrap_or(usize::MAX)
        };
        let mut tables: Vec<(&String, &[usize; 3])> = self.tables.iter().collect();
        tables.sort_by_key(|(t, _)| order(t));
        let parts: Vec<String> = tables
            .into_iter()
            .map(|(t, [c, u, n])| {
                let removed = match self.removed.get(t) {
                    Some(r) => format!(", {r} removed"),
                    None => String::new(),
                };
                format!("{t}: {c} created, {u} updated, {n} unchanged{removed}")
            })
            .collect();
        format!(
            "{}{} rows checked; {}",
            if self.dry_run {
                "Dry run (nothing written): "
            } else {
                ""
            },
            self.rows,
            if parts.is_empty() {
                "no changes".into()
            } else {
                parts.join("; ")
            }
        )
    }
}

/// Creates or replaces records by key, auditing each change.
async fn apply_all<E: Entity>(
    tx: &mut WriteTx,
    c: &Caller,
    snap: &Snapshot,
    values: Vec<E>,
    report: &mut ImportReport,
    ctx: &Value,
) -> Result<()> {
    for v in values {
        match find::<E>(snap, &v.key()) {
            Ok(before) if before.value == v => report.count(E::TABLE, Change::Unchanged),
            Ok(before) => {
                let rec =
                    E::update(tx.conn(), &c.tenant_id(), &before.id, before.version, &v).await?;
                record(
                    tx,
                    c,
                    "update",
                    E::TYPE,
                    Some(&rec.id),
                    &v.key(),
                    Some(to_json(before)),
                    Some(to_json(&rec)),
                    Some(ctx.clone()),
                )
                .await?;
                report.count(E::TABLE, Change::Updated);
            }
            Err(_) => {
                let rec = E::insert(tx.conn(), &c.tenant_id(), &v).await?;
                record(
                    tx,
                    c,
                    "create",
                    E::TYPE,
                    Some(&rec.id),
                    &v.key(),
                    None,
                    Some(to_json(&rec)),
                    Some(ctx.clone()),
                )
                .await?;
                report.count(E::TABLE, Change::Created);
            }
        }
    }
    Ok(())
}
