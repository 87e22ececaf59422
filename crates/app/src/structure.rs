//! The frames the registers hang on, one record at a time: action plans and
//! their recommendations, programmes and their workstreams. Each is checked
//! with its importer's rules (so a form, the API and a spreadsheet agree on
//! what is valid, field by field), written by administrators and performance
//! officers (the centre keeps the council's plans and programmes; officers
//! keep the actions and initiatives in them), audited, and deleted only when
//! nothing hangs on it.
use crate::framework::{field_errors, record, version_required};
use crate::indicators::rows_source;
use crate::performance::PerRecord;
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::actions::{ActionPlan, Recommendation};
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::Write;
use goldthread_domain::programme::{Programme, Workstream};
use goldthread_io::actions as aio;
use goldthread_io::programmes as pio;
use goldthread_io::{ImportError, Source};
use goldthread_store::WriteTx;
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::{actions as ast, programmes as ps};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One record as a form or the API sends it: its fields by the column names
/// of its import file (strings, numbers, `null`, or lists for `;`-separated
/// columns), and the version read when changing it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordInput {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

impl RecordInput {
    /// The input with these fields set (a form's, or a record's own for a test).
    pub fn of(fields: impl IntoIterator<Item = (String, String)>, version: Option<i64>) -> Self {
        RecordInput {
            version,
            fields: fields
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        }
    }

    /// The value of column `h` as the import file would hold it.
    fn cell(&self, h: &str) -> String {
        fn text(v: &Value) -> String {
            match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(";"),
                other => other.to_string(),
            }
        }
        self.fields.get(h).map(text).unwrap_or_default()
    }

    /// Fields that are not columns of the file: refused, so a misspelt field
    /// is not silently dropped.
    fn unknown(&self, headers: &[&str]) -> Vec<ImportError> {
        self.fields
            .keys()
            .filter(|k| !headers.contains(&k.as_str()))
            .map(|k| ImportError {
                file: String::new(),
                row: None,
                column: Some(k.clone()),
                message: format!("is not a field (expected one of: {})", headers.join(", ")),
            })
            .collect()
    }
}

/// Reads one record from `input` with an importer: every problem at once,
/// each named by its field.
fn read_one<T>(
    name: &str,
    headers: &[&str],
    input: &RecordInput,
    read: impl FnOnce(&Source) -> std::result::Result<Vec<T>, Vec<ImportError>>,
) -> Result<T> {
    let unknown = input.unknown(headers);
    if !unknown.is_empty() {
        return Err(field_errors(unknown));
    }
    let cells: Vec<String> = headers.iter().map(|h| input.cell(h)).collect();
    // An importer skips a blank row; a blank record is an error.
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Err(AppError::field("code", "is required"));
    }
    let source = rows_source(name, headers, &[cells])?;
    read(&source)
        .map_err(field_errors)?
        .pop()
        .ok_or_else(|| AppError::Internal(format!("validated {name} missing")))
}

/// The write every frame needs: a record linked to no service or outcome,
/// which the permission rules keep for administrators and performance officers.
const CENTRE: Write<'static> = Write::Register {
    services: &[],
    outcomes: &[],
};

/// Creates `value` (when `at` is none) or changes the record with key `at`
/// at the input's version, in `tx`, audited. A record's key cannot change.
async fn save_one<T: PerRecord + Clone>(
    tx: &mut WriteTx,
    c: &Caller,
    held: &[Rec<T>],
    at: Option<&str>,
    value: T,
    version: Option<i64>,
) -> Result<Rec<T>> {
    let tid = c.tenant_id();
    let key = value.key();
    let (action, before, rec) = match at {
        None => {
            if held.iter().any(|r| r.value.key() == key) {
                return Err(AppError::Duplicate(format!(
                    "{} '{key}' already exists",
                    T::ENTITY
                )));
            }
            ("create", None, T::insert(tx.conn(), &tid, &value).await?)
        }
        Some(at) => {
            let before = find(held, at)?;
            let version = version_required(version)?;
            if key != at {
                return Err(AppError::field(
                    "code",
                    format!(
                        "cannot change from '{at}' to '{key}': a {}'s code stays (add a new one instead)",
                        T::ENTITY
                    ),
                ));
            }
            crate::error::check_version(T::ENTITY, version, before.version)?;
            (
                "update",
                Some(json!(before)),
                T::update(tx.conn(), &tid, &before.id, version, &value).await?,
            )
        }
    };
    record(
        tx,
        c,
        action,
        T::ENTITY,
        Some(&rec.id),
        &key,
        before,
        Some(json!(rec)),
        None,
    )
    .await?;
    Ok(rec)
}

/// The record with key `at` and the version read, to be deleted.
fn to_delete<T: PerRecord + Clone>(
    held: &[Rec<T>],
    at: &str,
    version: Option<i64>,
) -> Result<(Rec<T>, i64)> {
    let before = find(held, at)?;
    let version = version_required(version)?;
    crate::error::check_version(T::ENTITY, version, before.version)?;
    Ok((before, version))
}

/// Audits the deletion of `before` (key `at`).
async fn deleted<T: PerRecord>(
    tx: &mut WriteTx,
    c: &Caller,
    before: &Rec<T>,
    at: &str,
) -> Result<()> {
    record(
        tx,
        c,
        "delete",
        T::ENTITY,
        Some(&before.id),
        at,
        Some(json!(before)),
        None,
        None,
    )
    .await
}

fn find<T: PerRecord + Clone>(held: &[Rec<T>], key: &str) -> Result<Rec<T>> {
    held.iter()
        .find(|r| r.value.key() == key)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no {} '{key}'", T::ENTITY)))
}

/// The key of a workstream (as `PerRecord` gives it) from its programme and code.
pub fn workstream_key(programme: &str, code: &str) -> String {
    format!("{programme} {code}")
}

/// The key of a recommendation from its plan and code.
pub fn recommendation_key(plan: &str, code: &str) -> String {
    format!("{plan}: {code}")
}

impl App {
    /// Opens a write on the frames: the framework, after checking the caller
    /// is one who keeps them.
    async fn frame_scope(&self, c: &Caller) -> Result<(WriteTx, Framework)> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(CENTRE, &fw)?;
        Ok((tx, fw))
    }

    /// Creates a programme (`at` none) or changes the programme `at`.
    pub async fn save_programme(
        &self,
        c: &Caller,
        at: Option<&str>,
        input: &RecordInput,
    ) -> Result<Rec<Programme>> {
        let tid = c.tenant_id();
        let (mut tx, fw) = self.frame_scope(c).await?;
        let held = ps::load(tx.conn(), &tid).await?;
        let k = crate::programmes::known(tx.conn(), &tid, &fw, &held).await?;
        let value = read_one("programmes", pio::PROGRAMMES, input, |s| {
            pio::read_programmes(s, &k)
        })?;
        let rec = save_one(&mut tx, c, &held.programmes, at, value, input.version).await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a programme: refused while it has workstreams or risks name it.
    pub async fn delete_programme(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, _) = self.frame_scope(c).await?;
        let held = ps::load(tx.conn(), &tid).await?;
        let risks: Vec<String> = goldthread_store::risks::load(tx.conn(), &tid)
            .await?
            .risks
            .into_iter()
            .filter(|r| r.value.programme == code)
            .map(|r| r.value.code.to_string())
            .collect();
        if !risks.is_empty() {
            return Err(AppError::InUse(format!(
                "programme '{code}' is named by risk(s) {}; take it off those first",
                risks.join(", ")
            )));
        }
        let at = code;
        let (before, version) = to_delete(&held.programmes, at, version)?;
        ps::delete_programme(tx.conn(), &tid, &before.id, version).await?;
        deleted(&mut tx, c, &before, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a workstream (`at` none) or changes the workstream `at`
    /// (programme, code).
    pub async fn save_workstream(
        &self,
        c: &Caller,
        at: Option<(&str, &str)>,
        input: &RecordInput,
    ) -> Result<Rec<Workstream>> {
        let tid = c.tenant_id();
        let (mut tx, fw) = self.frame_scope(c).await?;
        let held = ps::load(tx.conn(), &tid).await?;
        let k = crate::programmes::known(tx.conn(), &tid, &fw, &held).await?;
        let value = read_one("workstreams", pio::WORKSTREAMS, input, |s| {
            pio::read_workstreams(s, &k)
        })?;
        let at = at.map(|(p, w)| workstream_key(p, w));
        let rec = save_one(
            &mut tx,
            c,
            &held.workstreams,
            at.as_deref(),
            value,
            input.version,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a workstream: refused while it has initiatives.
    pub async fn delete_workstream(
        &self,
        c: &Caller,
        programme: &str,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, _) = self.frame_scope(c).await?;
        let held = ps::load(tx.conn(), &tid).await?;
        let at = &workstream_key(programme, code);
        let (before, version) = to_delete(&held.workstreams, at, version)?;
        ps::delete_workstream(tx.conn(), &tid, &before.id, version).await?;
        deleted(&mut tx, c, &before, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an action plan (`at` none) or changes the plan `at`.
    pub async fn save_action_plan(
        &self,
        c: &Caller,
        at: Option<&str>,
        input: &RecordInput,
    ) -> Result<Rec<ActionPlan>> {
        let tid = c.tenant_id();
        let (mut tx, fw) = self.frame_scope(c).await?;
        let held = ast::load(tx.conn(), &tid).await?;
        let value = read_one("action-plans", aio::ACTION_PLANS, input, |s| {
            aio::read_plans(s, &fw)
        })?;
        let rec = save_one(&mut tx, c, &held.plans, at, value, input.version).await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes an action plan: refused while it has recommendations.
    pub async fn delete_action_plan(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, _) = self.frame_scope(c).await?;
        let held = ast::load(tx.conn(), &tid).await?;
        let at = code;
        let (before, version) = to_delete(&held.plans, at, version)?;
        ast::delete_plan(tx.conn(), &tid, &before.id, version).await?;
        deleted(&mut tx, c, &before, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a recommendation (`at` none) or changes the recommendation
    /// `at` (plan, code).
    pub async fn save_recommendation(
        &self,
        c: &Caller,
        at: Option<(&str, &str)>,
        input: &RecordInput,
    ) -> Result<Rec<Recommendation>> {
        let tid = c.tenant_id();
        let (mut tx, _) = self.frame_scope(c).await?;
        let held = ast::load(tx.conn(), &tid).await?;
        let plans: Vec<Code> = held.plans.iter().map(|p| p.value.code.clone()).collect();
        let value = read_one("recommendations", aio::RECOMMENDATIONS, input, |s| {
            aio::read_recommendations(s, &plans)
        })?;
        let at = at.map(|(p, r)| recommendation_key(p, r));
        let rec = save_one(
            &mut tx,
            c,
            &held.recommendations,
            at.as_deref(),
            value,
            input.version,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a recommendation: refused while it has actions.
    pub async fn delete_recommendation(
        &self,
        c: &Caller,
        plan: &str,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, _) = self.frame_scope(c).await?;
        let held = ast::load(tx.conn(), &tid).await?;
        let at = &recommendation_key(plan, code);
        let (before, version) = to_delete(&held.recommendations, at, version)?;
        ast::delete_recommendation(tx.conn(), &tid, &before.id, version).await?;
        deleted(&mut tx, c, &before, at).await?;
        tx.commit().await?;
        Ok(())
    }
}
