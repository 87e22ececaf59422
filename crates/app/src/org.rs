//! Organisation design (DOMAIN §6): grades, posts in structure states,
//! adjustments and the on-cost rate — by import (`grades.csv`, `posts.csv`,
//! `adjustments.csv`) or one record at a time — and the views: each state's
//! summary (cost range, saving against current, tiers, spans, layers,
//! vacancies), the comparison of two states, and the workforce view.
//!
//! Writes: admin, performance-officer and hr-officer ([`Write::Org`]), each
//! audited in its transaction. Salaries and the cost of single posts are
//! shown only to those roles ([`Actor::sees_salaries`]); everyone else sees
//! costs in aggregate (a state's totals and savings).
//!
//! [`Actor::sees_salaries`]: goldthread_domain::permission::Actor::sees_salaries
use crate::engagement::put_record;
use crate::framework::{Change, ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::framework::Framework;
use goldthread_domain::org::{
    Adjustment, Comparison, Costing, Grade, Organisation, Post, StateKind, StateSummary,
    StructureState, Workforce, default_on_cost_rate, grade_problems, post_problems,
    structure_problems, workforce,
};
use goldthread_domain::permission::Write;
use goldthread_domain::{Code, ParseError};
use goldthread_io::Source;
use goldthread_io::org::{self as oio, Known};
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::org::{self as os, OrgSnapshot};
use goldthread_store::{AnyConnection, TenantId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

put_record!(Grade, "grade", |g| g.code.to_string(), os::put_grade);
put_record!(
    Post,
    "post",
    |p| format!("{} {}", p.state, p.code),
    os::put_post
);

/// Organisation design's files, imported one at a time (in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgTable {
    Grades,
    Posts,
    Adjustments,
}

impl OrgTable {
    pub const ALL: &'static [OrgTable] =
        &[OrgTable::Grades, OrgTable::Posts, OrgTable::Adjustments];
    pub fn name(self) -> &'static str {
        match self {
            OrgTable::Grades => "grades",
            OrgTable::Posts => "posts",
            OrgTable::Adjustments => "adjustments",
        }
    }
    /// The headers exports write (`posts.csv` with its optional last column).
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            OrgTable::Grades => oio::GRADES,
            OrgTable::Posts => oio::POSTS_WITH_DUTIES,
            OrgTable::Adjustments => oio::ADJUSTMENTS,
        }
    }
}

/// A grade as shown: salaries and rate only to those who may see salaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeItem {
    pub id: String,
    pub version: i64,
    pub code: Code,
    pub title: String,
    pub min_salary_pence: Option<i64>,
    pub max_salary_pence: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub on_cost_rate: Option<Decimal>,
    /// How many posts (in any state) are on it.
    pub posts: usize,
}

/// A post as shown: its cost range only to those who may see salaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostItem {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub post: Post,
    pub cost_min_pence: Option<i64>,
    pub cost_max_pence: Option<i64>,
}

/// A structure state with its details (when held) and summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateItem {
    /// None when no details were ever written for the state.
    pub id: Option<String>,
    pub version: Option<i64>,
    #[serde(flatten)]
    pub details: StructureState,
    pub summary: StateSummary,
}

/// A grade as written by a form or the API, with the version read (for a
/// change).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeInput {
    #[serde(flatten)]
    pub grade: Grade,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A post as written by a form or the API, with the version read.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostInput {
    #[serde(flatten)]
    pub post: Post,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A structure state's details as written (the state is named by the path),
/// with the version read (none the first time).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub effective: Option<time::Date>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub actual_cost_pence: Option<i64>,
    #[serde(default)]
    pub version: Option<i64>,
}

impl StateInput {
    /// The details of `state`.
    pub fn details(&self, state: StateKind) -> StructureState {
        StructureState {
            state,
            effective: self.effective,
            description: self.description.clone(),
            actual_cost_pence: self.actual_cost_pence,
        }
    }
}

/// The organisation held, as the domain reads it.
pub fn organisation(s: &OrgSnapshot) -> Organisation {
    Organisation {
        states: s.states.iter().map(|r| r.value.clone()).collect(),
        posts: s.posts.iter().map(|r| r.value.clone()).collect(),
        adjustments: s.adjustments.clone(),
    }
}

/// The council's on-cost rate (its own, else 30%).
pub fn rate(s: &OrgSnapshot) -> Decimal {
    s.on_cost_rate.unwrap_or_else(default_on_cost_rate)
}

fn grades_of(s: &OrgSnapshot) -> Vec<Grade> {
    s.grades.iter().map(|r| r.value.clone()).collect()
}

/// Parses a state named in a path or query.
pub fn state_named(s: &str) -> Result<StateKind> {
    s.parse()
        .map_err(|e: String| AppError::NotFound(e.replace("unknown", "no such")))
}

fn known(fw: &Framework, held: &OrgSnapshot) -> Known {
    Known {
        grades: held.grades.iter().map(|g| g.value.code.clone()).collect(),
        services: fw.services.iter().map(|s| s.code.clone()).collect(),
    }
}

fn field_errors(p: Vec<(String, String)>) -> Vec<FieldError> {
    p.into_iter().map(|(f, m)| FieldError::new(&f, m)).collect()
}

/// Field errors for a post in the state it will be in: its own rules, a held
/// grade, known services, and reports-to a post of the state without a cycle.
fn post_errors(p: &Post, fw: &Framework, held: &OrgSnapshot) -> Vec<FieldError> {
    let mut e = field_errors(post_problems(p));
    let k = known(fw, held);
    if !k.grades.contains(&p.grade) {
        e.push(FieldError::new(
            "grade",
            format!("unknown grade '{}'", p.grade),
        ));
    }
    for s in p.services.iter().filter(|s| !k.services.contains(*s)) {
        e.push(FieldError::new(
            "services",
            format!("unknown service code '{s}'"),
        ));
    }
    if e.is_empty() {
        let mut posts: Vec<&Post> = held
            .posts
            .iter()
            .map(|r| &r.value)
            .filter(|x| x.state == p.state && x.code != p.code)
            .collect();
        posts.push(p);
        for (code, msg) in structure_problems(&posts) {
            if code == p.code || msg.contains("cycle") {
                e.push(FieldError::new("reports_to", msg));
            }
        }
    }
    e
}

fn held_post(held: &OrgSnapshot, state: StateKind, code: &str) -> Result<Rec<Post>> {
    held.posts
        .iter()
        .find(|p| p.value.state == state && p.value.code.as_str() == code)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no post '{code}' in the {state} state")))
}

fn held_grade(held: &OrgSnapshot, code: &str) -> Result<Rec<Grade>> {
    held.grades
        .iter()
        .find(|g| g.value.code.as_str() == code)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no grade '{code}'")))
}

fn require_salaries(c: &Caller) -> Result<()> {
    if c.actor.sees_salaries() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "your role ({}) sees costs only in aggregate; salaries are for admins, performance officers and HR officers",
            c.actor.role
        )))
    }
}

async fn load(conn: &mut AnyConnection, tid: &TenantId) -> Result<(Framework, OrgSnapshot)> {
    let fw = fs::load(conn, tid).await?.framework();
    let held = os::load(conn, tid).await?;
    Ok((fw, held))
}

impl App {
    /// The caller's council's organisation design, as held (salaries
    /// included: callers that show it check [`Caller`]'s rights).
    pub async fn org_snapshot(&self, c: &Caller) -> Result<OrgSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(os::load(&mut conn, &c.tenant_id()).await?)
    }

    /// The grades, salaries only for those who may see them.
    pub async fn grades(&self, c: &Caller) -> Result<Vec<GradeItem>> {
        let s = self.org_snapshot(c).await?;
        let sees = c.actor.sees_salaries();
        Ok(s.grades
            .iter()
            .map(|g| GradeItem {
                id: g.id.clone(),
                version: g.version,
                code: g.value.code.clone(),
                title: g.value.title.clone(),
                min_salary_pence: sees.then_some(g.value.min_salary_pence),
                max_salary_pence: sees.then_some(g.value.max_salary_pence),
                on_cost_rate: if sees { g.value.on_cost_rate } else { None },
                posts: s
                    .posts
                    .iter()
                    .filter(|p| p.value.grade == g.value.code)
                    .count(),
            })
            .collect())
    }

    /// The posts of one state (or every state), each post's cost range only
    /// for those who may see salaries.
    pub async fn posts(&self, c: &Caller, state: Option<StateKind>) -> Result<Vec<PostItem>> {
        let s = self.org_snapshot(c).await?;
        Ok(post_items(c, &s, state))
    }

    /// One post of a state.
    pub async fn post(&self, c: &Caller, state: StateKind, code: &str) -> Result<PostItem> {
        let s = self.org_snapshot(c).await?;
        post_items(c, &s, Some(state))
            .into_iter()
            .find(|p| p.post.code.as_str() == code)
            .ok_or_else(|| AppError::NotFound(format!("no post '{code}' in the {state} state")))
    }

    /// Every structure state with its details and summary (costs in
    /// aggregate, for everyone).
    pub async fn structure_states(&self, c: &Caller) -> Result<Vec<StateItem>> {
        let s = self.org_snapshot(c).await?;
        let (o, grades) = (organisation(&s), grades_of(&s));
        let costing = Costing {
            grades: &grades,
            default_rate: rate(&s),
        };
        Ok(StateKind::ALL
            .iter()
            .map(|k| {
                let rec = s.states.iter().find(|r| r.value.state == *k);
                StateItem {
                    id: rec.map(|r| r.id.clone()),
                    version: rec.map(|r| r.version),
                    details: o.state(*k),
                    summary: costing.summary(&o, *k),
                }
            })
            .collect())
    }

    /// One state's summary.
    pub async fn state_summary(&self, c: &Caller, state: StateKind) -> Result<StateSummary> {
        let s = self.org_snapshot(c).await?;
        let grades = grades_of(&s);
        Ok(Costing {
            grades: &grades,
            default_rate: rate(&s),
        }
        .summary(&organisation(&s), state))
    }

    /// Two states compared.
    pub async fn compare_states(
        &self,
        c: &Caller,
        from: StateKind,
        to: StateKind,
    ) -> Result<Comparison> {
        let s = self.org_snapshot(c).await?;
        let grades = grades_of(&s);
        Ok(Costing {
            grades: &grades,
            default_rate: rate(&s),
        }
        .compare(&organisation(&s), from, to))
    }

    /// Two states compared as an XLSX workbook with formulas (salaries in
    /// it: for those who may see them).
    pub async fn comparison_xlsx(
        &self,
        c: &Caller,
        from: StateKind,
        to: StateKind,
    ) -> Result<Vec<u8>> {
        require_salaries(c)?;
        let s = self.org_snapshot(c).await?;
        let (o, grades) = (organisation(&s), grades_of(&s));
        let costing = Costing {
            grades: &grades,
            default_rate: rate(&s),
        };
        let cmp = costing.compare(&o, from, to);
        let posts: Vec<&Post> = o
            .posts
            .iter()
            .filter(|p| p.state == from || p.state == to)
            .collect();
        let adjustments: Vec<&Adjustment> = o
            .adjustments
            .iter()
            .filter(|a| a.state == from || a.state == to)
            .collect();
        oio::comparison_xlsx(
            &cmp,
            &posts,
            &adjustments,
            &grades,
            rate(&s),
            &c.tenant.name,
        )
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The workforce view of a state.
    pub async fn workforce(&self, c: &Caller, state: StateKind) -> Result<Workforce> {
        let mut conn = self.db.read().await?;
        let (fw, s) = load(&mut conn, &c.tenant_id()).await?;
        let o = organisation(&s);
        Ok(workforce(&o.posts_of(state), |code| {
            fw.services
                .iter()
                .find(|x| &x.code == code)
                .map(|x| x.delivery_model.to_string())
        }))
    }

    /// The council's on-cost rate, and whether it is its own (not the default).
    pub async fn on_cost_rate(&self, c: &Caller) -> Result<(Decimal, bool)> {
        let mut conn = self.db.read().await?;
        let own = os::on_cost_rate(&mut conn, &c.tenant_id()).await?;
        Ok((own.unwrap_or_else(default_on_cost_rate), own.is_some()))
    }

    /// Sets the council's on-cost rate (a fraction from 0 to 1).
    pub async fn set_on_cost_rate(&self, c: &Caller, rate: Decimal) -> Result<()> {
        if rate.is_sign_negative() || rate > Decimal::ONE {
            return Err(AppError::field(
                "on_cost_rate",
                format!("'{rate}' is not a rate between 0 and 1 (0.3 is 30%)"),
            ));
        }
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::Org, &fw)?;
        let before = os::on_cost_rate(tx.conn(), &tid).await?;
        os::set_on_cost_rate(tx.conn(), &tid, rate).await?;
        record(
            &mut tx,
            c,
            "update",
            "on-cost rate",
            None,
            "on_cost_rate",
            Some(json!({"on_cost_rate": before.map(|r| r.to_string())})),
            Some(json!({"on_cost_rate": rate.normalize().to_string()})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a state's details (effective date, description, actual cost).
    pub async fn put_structure_state(
        &self,
        c: &Caller,
        s: &StructureState,
        version: Option<i64>,
    ) -> Result<Rec<StructureState>> {
        if s.actual_cost_pence.is_some_and(|a| a < 0) {
            return Err(AppError::field("actual_cost", "cannot be negative"));
        }
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let before = held.states.iter().find(|r| r.value.state == s.state);
        let existing = match before {
            Some(b) => {
                let v = crate::framework::version_required(version)?;
                crate::error::check_version("structure state", v, b.version)?;
                Some((b.id.as_str(), v))
            }
            None => None,
        };
        let rec = os::put_state(tx.conn(), &tid, existing, s).await?;
        record(
            &mut tx,
            c,
            if before.is_some() { "update" } else { "create" },
            "structure state",
            Some(&rec.id),
            s.state.as_str(),
            before.map(|b| json!(b)),
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Adds a grade.
    pub async fn create_grade(&self, c: &Caller, g: &Grade) -> Result<Rec<Grade>> {
        let errors = field_errors(grade_problems(g));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        if held.grades.iter().any(|x| x.value.code == g.code) {
            return Err(AppError::Duplicate(format!(
                "a grade '{}' already exists",
                g.code
            )));
        }
        let rec = os::put_grade(tx.conn(), &tid, None, g).await?;
        record(
            &mut tx,
            c,
            "create",
            "grade",
            Some(&rec.id),
            g.code.as_str(),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a grade (its code stays).
    pub async fn update_grade(
        &self,
        c: &Caller,
        code: &str,
        g: &Grade,
        version: Option<i64>,
    ) -> Result<Rec<Grade>> {
        let version = crate::framework::version_required(version)?;
        let mut errors = field_errors(grade_problems(g));
        if g.code.as_str() != code {
            errors.push(FieldError::new("code", "a grade's code cannot change"));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let before = held_grade(&held, code)?;
        crate::error::check_version("grade", version, before.version)?;
        let rec = os::put_grade(tx.conn(), &tid, Some((&before.id, version)), g).await?;
        record(
            &mut tx,
            c,
            "update",
            "grade",
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

    /// Deletes a grade no post or adjustment uses.
    pub async fn delete_grade(&self, c: &Caller, code: &str, version: Option<i64>) -> Result<()> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let before = held_grade(&held, code)?;
        crate::error::check_version("grade", version, before.version)?;
        os::delete_grade(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            "grade",
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

    /// Adds a post to its state.
    pub async fn create_post(&self, c: &Caller, p: &Post) -> Result<Rec<Post>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        if held
            .posts
            .iter()
            .any(|x| x.value.state == p.state && x.value.code == p.code)
        {
            return Err(AppError::Duplicate(format!(
                "the {} state already has a post '{}'",
                p.state, p.code
            )));
        }
        let errors = post_errors(p, &fw, &held);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let rec = os::put_post(tx.conn(), &tid, None, p).await?;
        record(
            &mut tx,
            c,
            "create",
            "post",
            Some(&rec.id),
            &format!("{} {}", p.state, p.code),
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Changes a post (its state and code stay).
    pub async fn update_post(
        &self,
        c: &Caller,
        state: StateKind,
        code: &str,
        p: &Post,
        version: Option<i64>,
    ) -> Result<Rec<Post>> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let before = held_post(&held, state, code)?;
        let mut errors = Vec::new();
        if p.code.as_str() != code || p.state != state {
            errors.push(FieldError::new(
                "code",
                "a post's code and state cannot change",
            ));
        }
        errors.extend(post_errors(p, &fw, &held));
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        crate::error::check_version("post", version, before.version)?;
        let rec = os::put_post(tx.conn(), &tid, Some((&before.id, version)), p).await?;
        record(
            &mut tx,
            c,
            "update",
            "post",
            Some(&rec.id),
            &format!("{state} {code}"),
            Some(json!(before)),
            Some(json!(rec)),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Deletes a post nothing reports to.
    pub async fn delete_post(
        &self,
        c: &Caller,
        state: StateKind,
        code: &str,
        version: Option<i64>,
    ) -> Result<()> {
        let version = crate::framework::version_required(version)?;
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let before = held_post(&held, state, code)?;
        let reports: Vec<&str> = held
            .posts
            .iter()
            .filter(|p| {
                p.value.state == state && p.value.reports_to.as_ref() == Some(&before.value.code)
            })
            .map(|p| p.value.code.as_str())
            .collect();
        if !reports.is_empty() {
            return Err(AppError::InUse(format!(
                "{} post(s) report to {code} ({}); move them first",
                reports.len(),
                reports.join(", ")
            )));
        }
        crate::error::check_version("post", version, before.version)?;
        os::delete_post(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            "post",
            Some(&before.id),
            &format!("{state} {code}"),
            Some(json!(before)),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports one of organisation design's files (admin, performance-officer,
    /// hr-officer). `grades.csv`: each row creates or replaces the grade with
    /// its code. `posts.csv`: every state in the file is replaced whole — its
    /// posts are created or replaced by code and those the file no longer
    /// lists are removed; reports-to cycles are refused. `adjustments.csv`:
    /// every state in the file has its adjustments replaced. All or nothing;
    /// every change audited.
    pub async fn import_org(
        &self,
        c: &Caller,
        t: OrgTable,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let (fw, held) = load(tx.conn(), &tid).await?;
        c.require(Write::Org, &fw)?;
        let k = known(&fw, &held);
        let table = t.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match t {
            OrgTable::Grades => {
                let rows = oio::read_grades(source).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.grades).await?;
            }
            OrgTable::Posts => {
                let mut rows = oio::read_posts(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                // A file without the optional extra_duties column keeps each
                // held post's extra duties rather than clearing them.
                if !source.has_column(table, "extra_duties") {
                    for r in &mut rows {
                        if let Some(h) = held
                            .posts
                            .iter()
                            .find(|h| h.value.state == r.state && h.value.code == r.code)
                        {
                            r.extra_duties = h.value.extra_duties.clone();
                        }
                    }
                }
                let states: BTreeSet<StateKind> = rows.iter().map(|p| p.state).collect();
                let listed: BTreeSet<(StateKind, &Code)> =
                    rows.iter().map(|p| (p.state, &p.code)).collect();
                for gone in held.posts.iter().filter(|p| {
                    states.contains(&p.value.state)
                        && !listed.contains(&(p.value.state, &p.value.code))
                }) {
                    os::delete_post(tx.conn(), &tid, &gone.id, gone.version).await?;
                    record(
                        &mut tx,
                        c,
                        "delete",
                        "post",
                        Some(&gone.id),
                        &gone.value.key(),
                        Some(json!(gone)),
                        None,
                        Some(context.clone()),
                    )
                    .await?;
                    report.count_removed(table);
                }
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.posts).await?;
            }
            OrgTable::Adjustments => {
                let rows = oio::read_adjustments(source, &k).map_err(AppError::Import)?;
                report.rows = rows.len();
                let states: BTreeSet<StateKind> = rows.iter().map(|a| a.state).collect();
                for s in states {
                    let before: Vec<&Adjustment> =
                        held.adjustments.iter().filter(|a| a.state == s).collect();
                    let after: Vec<Adjustment> =
                        rows.iter().filter(|a| a.state == s).cloned().collect();
                    let same = before.len() == after.len()
                        && before.iter().zip(&after).all(|(a, b)| *a == b);
                    if same {
                        for _ in &after {
                            report.count(table, Change::Unchanged);
                        }
                        continue;
                    }
                    os::replace_adjustments(tx.conn(), &tid, s, &after).await?;
                    record(
                        &mut tx,
                        c,
                        "replace",
                        "adjustments",
                        None,
                        s.as_str(),
                        Some(json!(before)),
                        Some(json!(after)),
                        Some(context.clone()),
                    )
                    .await?;
                    for _ in &after {
                        report.count(table, Change::Created);
                    }
                    for _ in &before {
                        report.count_removed(table);
                    }
                }
            }
        }
        report.finish(tx).await
    }

    /// One of organisation design's files, as its import reads it (grades
    /// carry salaries: for those who may see them).
    pub async fn export_org(&self, c: &Caller, t: OrgTable) -> Result<Vec<Vec<String>>> {
        let s = self.org_snapshot(c).await?;
        Ok(match t {
            OrgTable::Grades => {
                require_salaries(c)?;
                oio::grade_rows(&grades_of(&s))
            }
            OrgTable::Posts => oio::post_rows(&organisation(&s).posts),
            OrgTable::Adjustments => oio::adjustment_rows(&s.adjustments),
        })
    }
}

fn post_items(c: &Caller, s: &OrgSnapshot, state: Option<StateKind>) -> Vec<PostItem> {
    let grades = grades_of(s);
    let costing = Costing {
        grades: &grades,
        default_rate: rate(s),
    };
    let sees = c.actor.sees_salaries();
    s.posts
        .iter()
        .filter(|p| state.is_none_or(|k| p.value.state == k))
        .map(|p| {
            let cost = if sees {
                costing.post_cost(&p.value)
            } else {
                None
            };
            PostItem {
                id: p.id.clone(),
                version: p.version,
                post: p.value.clone(),
                cost_min_pence: cost.as_ref().map(|c| c.cost_min_pence),
                cost_max_pence: cost.as_ref().map(|c| c.cost_max_pence),
            }
        })
        .collect()
}

/// Parses an on-cost rate as a user writes it (`0.3` or `30%`).
pub fn parse_rate(s: &str) -> std::result::Result<Decimal, ParseError> {
    oio::parse_rate(s).map_err(ParseError)
}
