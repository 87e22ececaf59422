//! Action plans (DOMAIN §5, "Action"): plans, recommendations and actions
//! imported from their files (create or update by key, nothing deleted, all or
//! nothing, every change audited); single actions created, changed and
//! deleted by whoever manages what they link to; progress notes added to an
//! action; plans with their summaries and the actions overdue on a day.
use crate::engagement::put_record;
use crate::framework::{
    Change, ImportReport, field_errors, record, version_required, with_version,
};
use crate::indicators::rows_source;
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, Result};
use goldthread_domain::Code;
use goldthread_domain::actions::{Action, ActionPlan, ActionStatus, PlanSummary, Recommendation};
use goldthread_domain::framework::Framework;
use goldthread_domain::permission::{Links, Write};
use goldthread_io::Source;
use goldthread_io::actions::{self as aio, ActionContext};
use goldthread_store::actions::{self as ast, ActionSnapshot};
use goldthread_store::framework as fs;
use goldthread_store::framework::Rec;
use goldthread_store::{AnyConnection, TenantId, WriteTx};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use time::Date;

/// The action plans' files, by name (without `.csv`), in the order they are
/// best imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionsKind {
    ActionPlans,
    Recommendations,
    Actions,
    ActionProgress,
}

impl ActionsKind {
    pub const ALL: &'static [ActionsKind] = &[
        ActionsKind::ActionPlans,
        ActionsKind::Recommendations,
        ActionsKind::Actions,
        ActionsKind::ActionProgress,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActionsKind::ActionPlans => "action-plans",
            ActionsKind::Recommendations => "recommendations",
            ActionsKind::Actions => "actions",
            ActionsKind::ActionProgress => "action-progress",
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            ActionsKind::ActionPlans => aio::ACTION_PLANS,
            ActionsKind::Recommendations => aio::RECOMMENDATIONS,
            ActionsKind::Actions => aio::ACTIONS,
            ActionsKind::ActionProgress => aio::ACTION_PROGRESS,
        }
    }
}

put_record!(
    ActionPlan,
    "action-plan",
    |p| p.code.to_string(),
    ast::put_plan
);
put_record!(
    Recommendation,
    "recommendation",
    |r| format!("{}: {}", r.plan, r.code),
    ast::put_recommendation
);
put_record!(Action, "action", |a| a.code.to_string(), ast::put_action);

/// The audit trail's name for a progress note (its code is the action's).
pub const PROGRESS_ENTITY: &str = "action-progress";

fn values<T: Clone>(v: &[Rec<T>]) -> Vec<T> {
    v.iter().map(|r| r.value.clone()).collect()
}

/// A table's rows, as its import reads them.
pub fn action_rows(s: &ActionSnapshot, kind: ActionsKind) -> Vec<Vec<String>> {
    match kind {
        ActionsKind::ActionPlans => aio::plan_rows(&values(&s.plans)),
        ActionsKind::Recommendations => aio::recommendation_rows(&values(&s.recommendations)),
        ActionsKind::Actions => aio::action_rows(&values(&s.actions)),
        ActionsKind::ActionProgress => aio::progress_rows(&values(&s.progress)),
    }
}

fn plan_codes(held: &ActionSnapshot) -> Vec<Code> {
    held.plans.iter().map(|p| p.value.code.clone()).collect()
}

fn recommendation_pairs(held: &ActionSnapshot) -> Vec<(Code, Code)> {
    held.recommendations
        .iter()
        .map(|r| (r.value.plan.clone(), r.value.code.clone()))
        .collect()
}

impl App {
    /// The caller's tenant's action plans, recommendations, actions and notes.
    pub async fn action_register(&self, c: &Caller) -> Result<ActionSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(ast::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Imports `action-plans.csv`, `recommendations.csv`, `actions.csv` or
    /// `action-progress.csv` (administrators and performance officers). Each
    /// row creates or updates the record with its key — a plan's code; a
    /// recommendation's plan and code; an action's code; a progress note's
    /// action, date, author and text (so a note is added once, and never
    /// changed by an import). **Nothing is deleted**: records the file does not
    /// list stay as they are, and an action keeps its progress notes. All or
    /// nothing; one audit row per record created or changed.
    pub async fn import_actions(
        &self,
        c: &Caller,
        kind: ActionsKind,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = ast::load(tx.conn(), &tid).await?;
        let table = kind.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match kind {
            ActionsKind::ActionPlans => {
                let rows = aio::read_plans(source, &fw).map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.plans).await?;
            }
            ActionsKind::Recommendations => {
                let rows = aio::read_recommendations(source, &plan_codes(&held))
                    .map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.recommendations,
                )
                .await?;
            }
            ActionsKind::Actions => {
                let (plans, recs) = (plan_codes(&held), recommendation_pairs(&held));
                let risks = crate::risks::risk_codes(tx.conn(), &tid).await?;
                let k = ActionContext {
                    framework: &fw,
                    plans: &plans,
                    recommendations: &recs,
                    risks: &risks,
                };
                let mut rows = aio::read_actions(source, &k).map_err(AppError::Import)?;
                // The file has no progress notes: each action keeps its own.
                for row in &mut rows {
                    if let Some(h) = held.actions.iter().find(|h| h.value.code == row.code) {
                        row.progress = h.value.progress.clone();
                    }
                }
                report.rows = rows.len();
                apply_each(
                    &mut tx,
                    c,
                    &mut report,
                    table,
                    &context,
                    rows,
                    &held.actions,
                )
                .await?;
            }
            ActionsKind::ActionProgress => {
                let known: Vec<Code> = held.actions.iter().map(|a| a.value.code.clone()).collect();
                let rows = aio::read_progress(source, &known).map_err(AppError::Import)?;
                report.rows = rows.len();
                for row in rows {
                    if held.progress.iter().any(|h| h.value == row) {
                        report.count(table, Change::Unchanged);
                        continue;
                    }
                    let rec = ast::put_progress(tx.conn(), &tid, None, &row).await?;
                    record(
                        &mut tx,
                        c,
                        "create",
                        PROGRESS_ENTITY,
                        Some(&rec.id),
                        row.action.as_str(),
                        None,
                        Some(json!(rec)),
                        Some(context.clone()),
                    )
                    .await?;
                    report.count(table, Change::Created);
                }
            }
        }
        report.finish(tx).await
    }
}

/// Accepts a JSON number or text (`75` or `"75"`), as text.
fn number_or_text<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i64),
        Text(String),
    }
    Ok(Option::<NumberOrText>::deserialize(d)?.map(|v| match v {
        NumberOrText::Number(n) => n.to_string(),
        NumberOrText::Text(t) => t,
    }))
}

/// An action; field names are `actions.csv`'s columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionInput {
    /// Unique in the council, e.g. BV18-A-i. It cannot change later.
    pub code: String,
    /// The action plan's code.
    pub plan: String,
    /// The code of the plan's recommendation it answers, e.g. 1.
    pub recommendation: String,
    pub title: String,
    /// The leads as the plan writes them.
    #[serde(default)]
    pub lead: String,
    /// A person's email.
    #[serde(default)]
    pub owner: Option<String>,
    /// YYYY-MM-DD; empty or absent for an ongoing action.
    #[serde(default)]
    pub due: Option<String>,
    /// The timescale as written, e.g. "May 2018 and ongoing".
    #[serde(default)]
    pub timescale: String,
    /// not-started (default), in-progress, complete or cancelled.
    #[serde(default)]
    pub status: Option<String>,
    /// A whole number 0–100 (a number or text); empty or absent: 100 when
    /// complete, else 0.
    #[serde(default, deserialize_with = "number_or_text")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub percent_complete: Option<String>,
    #[serde(default)]
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    /// Risk codes, kept as written.
    #[serde(default)]
    pub risks: Vec<String>,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ActionInput {
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.plan.clone(),
            self.recommendation.clone(),
            self.title.clone(),
            self.lead.clone(),
            self.owner.clone().unwrap_or_default(),
            self.due.clone().unwrap_or_default(),
            self.timescale.clone(),
            self.status.clone().unwrap_or_default(),
            self.percent_complete.clone().unwrap_or_default(),
            self.outcomes.join(";"),
            self.services.join(";"),
            self.risks.join(";"),
        ]
    }

    /// The input that would leave `a` as it is (for forms and tests).
    pub fn of(a: &Action, version: Option<i64>) -> ActionInput {
        let codes = |c: &[Code]| c.iter().map(|c| c.to_string()).collect();
        ActionInput {
            code: a.code.to_string(),
            plan: a.plan.to_string(),
            recommendation: a.recommendation.to_string(),
            title: a.title.clone(),
            lead: a.lead.clone(),
            owner: a.owner.as_ref().map(|e| e.to_string()),
            due: a.due.map(|d| d.to_string()),
            timescale: a.timescale.clone(),
            status: Some(a.status.to_string()),
            percent_complete: Some(a.percent_complete.to_string()),
            outcomes: codes(&a.outcomes),
            services: codes(&a.services),
            risks: codes(&a.risks),
            version,
        }
    }
}

/// A progress note to add to an action; field names are
/// `action-progress.csv`'s columns (its action is the one addressed).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgressInput {
    /// YYYY-MM-DD; empty or absent: today.
    #[serde(default)]
    pub date: Option<String>,
    /// Who reports it, as written; empty or absent: the caller's name.
    #[serde(default)]
    pub by: Option<String>,
    pub text: String,
}

/// What a caller may write on an action linked to these services and outcomes.
fn register<'a>(services: &'a [Code], outcomes: &'a [Code]) -> Write<'a> {
    Write::Register { services, outcomes }
}

fn find_action<'s>(s: &'s ActionSnapshot, code: &str) -> Result<&'s Rec<Action>> {
    s.actions
        .iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no action '{code}'")))
}

impl App {
    /// Opens a write on actions: the framework (for permission and links) and
    /// the action plans as they are.
    async fn action_scope(&self, c: &Caller) -> Result<(WriteTx, Framework, ActionSnapshot)> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        // Refuse at once anyone who may write no action whatever its links.
        let (services, outcomes): (Vec<Code>, Vec<Code>) = (
            fw.services.iter().map(|s| s.code.clone()).collect(),
            fw.outcomes.iter().map(|o| o.code.clone()).collect(),
        );
        c.require(register(&services, &outcomes), &fw)?;
        let held = ast::load(tx.conn(), &tid).await?;
        Ok((tx, fw, held))
    }

    /// Validates one action with the importer's rules, against the plans and
    /// risk register as read in the write's transaction.
    async fn validate_action(
        tx: &mut WriteTx,
        c: &Caller,
        fw: &Framework,
        held: &ActionSnapshot,
        i: &ActionInput,
    ) -> Result<Action> {
        let (plans, recs) = (plan_codes(held), recommendation_pairs(held));
        let risks = crate::risks::risk_codes(tx.conn(), &c.tenant_id()).await?;
        let k = ActionContext {
            framework: fw,
            plans: &plans,
            recommendations: &recs,
            risks: &risks,
        };
        let source = rows_source("actions", aio::ACTIONS, &[i.cells()])?;
        let mut v = aio::read_actions(&source, &k).map_err(field_errors)?;
        v.pop()
            .ok_or_else(|| AppError::Internal("validated action missing".into()))
    }

    /// Records a new action. Whoever manages one of the services it links to
    /// (or, for an Outcome Leader, leads one of its outcomes) may; an action
    /// linked to nothing is for administrators and performance officers.
    pub async fn create_action(&self, c: &Caller, i: &ActionInput) -> Result<Rec<Action>> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.action_scope(c).await?;
        let value = Self::validate_action(&mut tx, c, &fw, &held, i).await?;
        c.require(register(&value.services, &value.outcomes), &fw)?;
        if find_action(&held, value.code.as_str()).is_ok() {
            return Err(AppError::Duplicate(format!(
                "an action '{}' already exists",
                value.code
            )));
        }
        let rec = ast::put_action(tx.conn(), &tid, None, &value).await?;
        record(
            &mut tx,
            c,
            "create",
            Action::ENTITY,
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

    /// Changes an action (its code stays). The caller must be allowed to write
    /// the action both as it was and as it will be (by its links), so no one
    /// moves an action out of, or into, what they do not manage.
    pub async fn update_action(
        &self,
        c: &Caller,
        code: &str,
        i: &ActionInput,
    ) -> Result<Rec<Action>> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.action_scope(c).await?;
        let before = find_action(&held, code)?.clone();
        c.require(
            register(&before.value.services, &before.value.outcomes),
            &fw,
        )?;
        let (mut value, version) = with_version(
            Self::validate_action(&mut tx, c, &fw, &held, i).await,
            i.version,
        )?;
        if value.code != before.value.code {
            return Err(AppError::field(
                "code",
                format!(
                    "cannot change from '{}' to '{}': an action's code stays (add a new action instead)",
                    before.value.code, value.code
                ),
            ));
        }
        c.require_relink(
            Links {
                services: &before.value.services,
                outcomes: &before.value.outcomes,
            },
            Links {
                services: &value.services,
                outcomes: &value.outcomes,
            },
            &fw,
        )?;
        crate::error::check_version("action", version, before.version)?;
        value.progress = before.value.progress.clone();
        let rec = ast::put_action(tx.conn(), &tid, Some((&before.id, version)), &value).await?;
        record(
            &mut tx,
            c,
            "update",
            Action::ENTITY,
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

    /// Deletes an action with its links and progress notes (the audit row
    /// keeps them all), at the version read.
    pub async fn delete_action(&self, c: &Caller, code: &str, version: Option<i64>) -> Result<()> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.action_scope(c).await?;
        let before = find_action(&held, code)?.clone();
        c.require(
            register(&before.value.services, &before.value.outcomes),
            &fw,
        )?;
        let version = version_required(version)?;
        crate::error::check_version("action", version, before.version)?;
        ast::delete_action(tx.conn(), &tid, &before.id, version).await?;
        record(
            &mut tx,
            c,
            "delete",
            Action::ENTITY,
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

    /// Adds a progress note to an action (whoever may change the action),
    /// dated `today` and by the caller unless the input says otherwise; the
    /// same note twice is refused. Answers the action with its notes. The
    /// action's version does not change.
    pub async fn add_progress(
        &self,
        c: &Caller,
        code: &str,
        i: &ProgressInput,
        today: Date,
    ) -> Result<Rec<Action>> {
        let tid = c.tenant_id();
        let (mut tx, fw, held) = self.action_scope(c).await?;
        let before = find_action(&held, code)?.clone();
        c.require(
            register(&before.value.services, &before.value.outcomes),
            &fw,
        )?;
        let cells = vec![
            before.value.code.to_string(),
            i.date
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| today.to_string()),
            i.by.clone()
                .filter(|b| !b.trim().is_empty())
                .unwrap_or_else(|| c.name.clone()),
            i.text.clone(),
        ];
        let source = rows_source("action-progress", aio::ACTION_PROGRESS, &[cells])?;
        let note = aio::read_progress(&source, std::slice::from_ref(&before.value.code))
            .map_err(field_errors)?
            .pop()
            .ok_or_else(|| AppError::Internal("validated note missing".into()))?;
        if before.value.progress.contains(&note.note) {
            return Err(AppError::Duplicate(format!(
                "action '{code}' already has this note by {} on {}",
                note.note.by, note.note.on
            )));
        }
        let rec = ast::put_progress(tx.conn(), &tid, None, &note).await?;
        record(
            &mut tx,
            c,
            "create",
            PROGRESS_ENTITY,
            Some(&rec.id),
            code,
            None,
            Some(json!(rec)),
            None,
        )
        .await?;
        let after = ast::load(tx.conn(), &tid).await?;
        let rec = find_action(&after, code)?.clone();
        tx.commit().await?;
        Ok(rec)
    }
}

/// An action as lists show it: the action, its plan's title, and whether it
/// is overdue on the list's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionLine {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
    pub plan_title: String,
    /// Due date passed (due < the day) and neither complete nor cancelled.
    pub overdue: bool,
    /// Whole days past the due date, when overdue.
    pub days_overdue: Option<i64>,
}

impl ActionLine {
    fn of(r: &Rec<Action>, held: &ActionSnapshot, today: Date) -> ActionLine {
        ActionLine {
            id: r.id.clone(),
            version: r.version,
            plan_title: held
                .plans
                .iter()
                .find(|p| p.value.code == r.value.plan)
                .map(|p| p.value.title.clone())
                .unwrap_or_default(),
            overdue: r.value.is_overdue(today),
            days_overdue: r.value.days_overdue(today),
            action: r.value.clone(),
        }
    }
}

/// An action plan with its summary on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanLine {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub plan: ActionPlan,
    pub summary: PlanSummary,
}

/// A recommendation with the actions answering it, in the plan's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationLine {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub actions: Vec<ActionLine>,
}

/// An action plan recommendation by recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDetail {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub plan: ActionPlan,
    /// The day overdue is judged on.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub today: Date,
    pub summary: PlanSummary,
    pub recommendations: Vec<RecommendationLine>,
}

/// Which actions a list shows; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub plan: Option<Code>,
    pub status: Option<ActionStatus>,
    /// Only overdue actions (true) or only those not overdue (false).
    pub overdue: Option<bool>,
    /// The lead exactly as written (ignoring case and surrounding spaces).
    pub lead: Option<String>,
    pub outcome: Option<Code>,
    pub service: Option<Code>,
    /// Only actions that mitigate this risk.
    pub risk: Option<Code>,
}

impl ActionFilter {
    pub fn keeps(&self, a: &Action, today: Date) -> bool {
        self.plan.as_ref().is_none_or(|p| &a.plan == p)
            && self.status.is_none_or(|s| a.status == s)
            && self.overdue.is_none_or(|o| a.is_overdue(today) == o)
            && self
                .lead
                .as_ref()
                .is_none_or(|l| a.lead.trim().eq_ignore_ascii_case(l.trim()))
            && self.outcome.as_ref().is_none_or(|o| a.outcomes.contains(o))
            && self.service.as_ref().is_none_or(|s| a.services.contains(s))
            && self.risk.as_ref().is_none_or(|r| a.risks.contains(r))
    }
}

/// What the action pages show and their forms choose from, read together.
#[derive(Debug, Clone)]
pub struct ActionsView {
    pub framework: Framework,
    pub records: ActionSnapshot,
}

impl App {
    /// The caller's framework and action plans.
    pub async fn actions_view(&self, c: &Caller) -> Result<ActionsView> {
        let tid = c.tenant_id();
        let mut conn = self.db.read().await?;
        Ok(ActionsView {
            framework: fs::load(&mut conn, &tid).await?.framework(),
            records: ast::load(&mut conn, &tid).await?,
        })
    }

    /// Every action plan with its summary on `today` (by plan code).
    pub async fn action_plans(&self, c: &Caller, today: Date) -> Result<Vec<PlanLine>> {
        let held = self.action_register(c).await?;
        Ok(plan_lines(&held, today))
    }

    /// One action plan, recommendation by recommendation, each with its
    /// actions (overdue judged on `today`).
    pub async fn action_plan(&self, c: &Caller, code: &str, today: Date) -> Result<PlanDetail> {
        let held = self.action_register(c).await?;
        plan_detail(&held, code, today)
    }

    /// The actions `filter` keeps, in the order they were written (plan by
    /// plan), each with whether it is overdue on `today`.
    pub async fn actions(
        &self,
        c: &Caller,
        today: Date,
        filter: &ActionFilter,
    ) -> Result<Vec<ActionLine>> {
        let held = self.action_register(c).await?;
        Ok(action_lines(&held, today, filter))
    }

    /// One action, with whether it is overdue on `today`.
    pub async fn action(&self, c: &Caller, code: &str, today: Date) -> Result<ActionLine> {
        let held = self.action_register(c).await?;
        Ok(ActionLine::of(find_action(&held, code)?, &held, today))
    }

    /// The actions overdue on `today` — due date passed, neither complete nor
    /// cancelled — longest overdue first (then by code).
    pub async fn overdue_actions(&self, c: &Caller, today: Date) -> Result<Vec<ActionLine>> {
        let held = self.action_register(c).await?;
        Ok(overdue_lines(&held, today))
    }
}

/// Every plan with its summary on `today`.
pub fn plan_lines(held: &ActionSnapshot, today: Date) -> Vec<PlanLine> {
    held.plans
        .iter()
        .map(|p| PlanLine {
            id: p.id.clone(),
            version: p.version,
            plan: p.value.clone(),
            summary: PlanSummary::of(
                held.actions
                    .iter()
                    .map(|a| &a.value)
                    .filter(|a| a.plan == p.value.code),
                today,
            ),
        })
        .collect()
}

/// One plan recommendation by recommendation.
pub fn plan_detail(held: &ActionSnapshot, code: &str, today: Date) -> Result<PlanDetail> {
    let p = held
        .plans
        .iter()
        .find(|p| p.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no action plan '{code}'")))?;
    let mine = |a: &&Rec<Action>| a.value.plan == p.value.code;
    let recommendations = held
        .recommendations
        .iter()
        .filter(|r| r.value.plan == p.value.code)
        .map(|r| RecommendationLine {
            id: r.id.clone(),
            version: r.version,
            recommendation: r.value.clone(),
            actions: held
                .actions
                .iter()
                .filter(mine)
                .filter(|a| a.value.recommendation == r.value.code)
                .map(|a| ActionLine::of(a, held, today))
                .collect(),
        })
        .collect();
    Ok(PlanDetail {
        id: p.id.clone(),
        version: p.version,
        plan: p.value.clone(),
        today,
        summary: PlanSummary::of(held.actions.iter().filter(mine).map(|a| &a.value), today),
        recommendations,
    })
}

/// The actions `filter` keeps, in the order they were written.
pub fn action_lines(held: &ActionSnapshot, today: Date, filter: &ActionFilter) -> Vec<ActionLine> {
    held.actions
        .iter()
        .filter(|a| filter.keeps(&a.value, today))
        .map(|a| ActionLine::of(a, held, today))
        .collect()
}

/// The overdue actions, longest overdue first (then by code).
pub fn overdue_lines(held: &ActionSnapshot, today: Date) -> Vec<ActionLine> {
    let mut v = action_lines(
        held,
        today,
        &ActionFilter {
            overdue: Some(true),
            ..Default::default()
        },
    );
    v.sort_by(|a, b| (a.action.due, &a.action.code).cmp(&(b.action.due, &b.action.code)));
    v
}

/// Parses a status filter's text (`?status=`).
pub fn parse_status(s: &str) -> Result<ActionStatus> {
    s.parse().map_err(|e: String| AppError::field("status", e))
}
