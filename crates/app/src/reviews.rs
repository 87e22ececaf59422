//! Service reviews (the Delivery Framework): opening a review (its scope
//! pre-filled from the matrix and a snapshot of the service), editing its steps,
//! moving it forward or back, two-key sign-off, rejection and implementation. On
//! approval the service's delivery model and next review date change in the same
//! transaction as the review, each with its audit row.
use crate::framework::{record, version_required};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::framework::{Framework, Service};
use goldthread_domain::mixed::{Change, MixedEconomy, mixed_economy};
use goldthread_domain::permission::Write;
use goldthread_domain::review::{
    Appraisal, Approval, Assessment, Due, Missing, Profile, Review, ReviewOption, ReviewState,
    ScopeStep, ServicePlan, SignOffRole, Specification, due, next_review,
};
use goldthread_domain::{Code, Role};
use goldthread_store::WriteTx;
use goldthread_store::framework::{self as fs, Rec, Snapshot};
use goldthread_store::reviews as rs;
use serde::Deserialize;
use serde_json::json;
use time::Date;

/// A new review: its code, title and the service it reviews.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewReview {
    pub code: String,
    pub title: String,
    pub service: String,
}

/// The steps' content, replaced whole for each step given (while the review is
/// still open); the version read is required.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewEdit {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub scope: Option<ScopeStep>,
    #[serde(default)]
    pub specification: Option<Specification>,
    #[serde(default)]
    pub appraisal: Option<Appraisal>,
    #[serde(default)]
    pub plan: Option<ServicePlan>,
    #[serde(default)]
    pub assessment: Option<Assessment>,
    /// The committee decision reference and date.
    #[serde(default)]
    pub committee_reference: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub committee_date: Option<Date>,
    pub version: Option<i64>,
}

/// What to do to a review's state.
#[derive(Debug, Clone)]
pub enum Transition {
    /// On to the next step, if this one is complete.
    Advance,
    /// Back a step, with a reason.
    SendBack(String),
    /// Sign off as the service's Outcome Leader or Service Manager.
    SignOff(SignOffRole),
    /// Reject, with a reason.
    Reject(String),
    /// Mark an approved review implemented.
    Implement,
}

fn invalid(m: Vec<Missing>) -> AppError {
    AppError::Validation(
        m.into_iter()
            .map(|m| FieldError {
                field: m.field,
                message: m.message,
            })
            .collect(),
    )
}

/// The reviewed service as held (with its id and version, to change it).
fn held_service<'s>(snap: &'s Snapshot, code: &Code) -> Result<&'s Rec<Service>> {
    snap.services
        .iter()
        .find(|x| &x.value.code == code)
        .ok_or_else(|| AppError::NotFound(format!("no service '{code}'")))
}

fn find<'r>(all: &'r [Rec<Review>], code: &str) -> Result<&'r Rec<Review>> {
    all.iter()
        .find(|r| r.value.code.as_str() == code)
        .ok_or_else(|| AppError::NotFound(format!("no review '{code}'")))
}

/// Whether `c` is the service's named Outcome Leader (`role` outcome-leader) or
/// Service Manager, holding that role.
fn may_sign(c: &Caller, fw: &Framework, s: &Service, role: SignOffRole) -> bool {
    let me = &c.actor.email;
    match role {
        SignOffRole::OutcomeLeader => {
            c.role() == Role::OutcomeLeader
                && fw
                    .portfolios
                    .iter()
                    .any(|p| p.code == s.portfolio && p.outcome_leader.as_ref() == Some(me))
        }
        SignOffRole::ServiceManager => {
            c.role() == Role::ServiceManager && s.lead.as_ref() == Some(me)
        }
    }
}

impl App {
    /// The caller's council's reviews.
    pub async fn reviews(&self, c: &Caller) -> Result<Vec<Rec<Review>>> {
        let mut conn = self.db.read().await?;
        Ok(rs::load(&mut conn, &c.tenant_id()).await?)
    }

    /// One review.
    pub async fn review(&self, c: &Caller, code: &str) -> Result<Rec<Review>> {
        Ok(find(&self.reviews(c).await?, code)?.clone())
    }

    /// Opens a write: the framework as held (services with ids and versions)
    /// and the reviews.
    async fn review_scope(&self, c: &Caller) -> Result<(WriteTx, Snapshot, Vec<Rec<Review>>)> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let snap = fs::load(tx.conn(), &tid).await?;
        let all = rs::load(tx.conn(), &tid).await?;
        Ok((tx, snap, all))
    }

    /// Opens a review of a service: intended outcomes from the matrix, and a
    /// snapshot of its cost, FTE and indicators' latest statuses.
    pub async fn open_review(&self, c: &Caller, n: &NewReview, today: Date) -> Result<Rec<Review>> {
        let (mut tx, snap, all) = self.review_scope(c).await?;
        let fw = snap.framework();
        let mut errors = Vec::new();
        let code = Code::parse(n.code.trim())
            .map_err(|e| errors.push(FieldError::new("code", e.0)))
            .ok();
        if n.title.trim().is_empty() {
            errors.push(FieldError::new("title", "is required"));
        }
        let svc = match Code::parse(n.service.trim())
            .ok()
            .and_then(|s| fw.service(s.as_str()))
        {
            Some(s) => Some(s.clone()),
            None => {
                errors.push(FieldError::new(
                    "service",
                    format!("unknown service code '{}'", n.service.trim()),
                ));
                None
            }
        };
        let (Some(code), Some(svc), true) = (code, svc, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        c.require(Write::Review { service: &svc.code }, &fw)?;
        if all.iter().any(|r| r.value.code == code) {
            return Err(AppError::Duplicate(format!(
                "a review '{code}' already exists"
            )));
        }
        let performance = self.performance_snapshot(c, &svc.code, today).await?;
        let review = Review {
            code,
            title: n.title.trim().to_string(),
            service: svc.code.clone(),
            author: c.actor.email.clone(),
            state: ReviewState::Scoping,
            scope: ScopeStep {
                outcomes: fw
                    .contributions
                    .iter()
                    .filter(|x| x.service == svc.code)
                    .map(|x| x.outcome.clone())
                    .collect(),
                profile: Some(Profile {
                    gross_cost_pence: svc.gross_cost_pence,
                    net_budget_pence: svc.net_budget_pence,
                    fte_hundredths: (svc.fte.value() * rust_decimal::Decimal::ONE_HUNDRED)
                        .trunc()
                        .try_into()
                        .unwrap_or(0),
                    performance,
                    ..Default::default()
                }),
                ..Default::default()
            },
            specification: Specification::default(),
            appraisal: Appraisal::default(),
            plan: ServicePlan::default(),
            assessment: Assessment::default(),
            approval: Approval::default(),
        };
        let rec = rs::put(tx.conn(), &c.tenant_id(), None, &review).await?;
        let key = rec.value.code.to_string();
        record(
            &mut tx,
            c,
            "create",
            "review",
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

    /// The service's indicators' latest statuses, one line each.
    async fn performance_snapshot(
        &self,
        c: &Caller,
        service: &Code,
        today: Date,
    ) -> Result<String> {
        let data = self.perf_data(c).await?;
        let card = data.card(today);
        let mut lines = Vec::new();
        for ind in data
            .indicators
            .iter()
            .filter(|i| i.services.contains(service))
        {
            if let Some(p) = card.series(ind).last().copied() {
                let st = card.status(ind, p, None);
                lines.push(format!("{} {} ({p}): {}", ind.code, ind.title, st.status));
            }
        }
        Ok(lines.join("\n"))
    }

    /// Replaces the steps given (while the review is open).
    pub async fn edit_review(&self, c: &Caller, code: &str, e: &ReviewEdit) -> Result<Rec<Review>> {
        let (mut tx, snap, all) = self.review_scope(c).await?;
        let fw = snap.framework();
        let before = find(&all, code)?.clone();
        c.require(
            Write::Review {
                service: &before.value.service,
            },
            &fw,
        )?;
        let version = version_required(e.version)?;
        crate::error::check_version("review", version, before.version)?;
        let mut r = before.value.clone();
        if !r.state.open()
            && (e.scope.is_some()
                || e.specification.is_some()
                || e.appraisal.is_some()
                || e.plan.is_some()
                || e.assessment.is_some())
        {
            return Err(AppError::Conflict(format!(
                "review '{code}' is {}: its steps can no longer be changed",
                r.state
            )));
        }
        if let Some(t) = &e.title {
            if t.trim().is_empty() {
                return Err(AppError::field("title", "is required"));
            }
            r.title = t.trim().to_string();
        }
        if let Some(v) = &e.scope {
            let profile = r.scope.profile.take();
            r.scope = v.clone();
            // The snapshot taken at opening stays unless a new one is given.
            if r.scope.profile.is_none() {
                r.scope.profile = profile;
            }
        }
        if let Some(v) = &e.specification {
            r.specification = v.clone();
        }
        if let Some(v) = &e.appraisal {
            check_preferred(v)?;
            r.appraisal = v.clone();
        }
        if let Some(v) = &e.plan {
            r.plan = v.clone();
        }
        if let Some(v) = &e.assessment {
            r.assessment = v.clone();
        }
        if let Some(v) = &e.committee_reference {
            r.approval.committee_reference = v.trim().to_string();
        }
        if e.committee_date.is_some() {
            r.approval.committee_date = e.committee_date;
        }
        let rec = rs::put(tx.conn(), &c.tenant_id(), Some((&before.id, version)), &r).await?;
        record(
            &mut tx,
            c,
            "update",
            "review",
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

    /// Moves a review: forward, back, signed off, rejected or implemented. A
    /// second sign-off approves it: the service takes the preferred option's
    /// delivery model and its next review date, audited in the same transaction.
    pub async fn transition_review(
        &self,
        c: &Caller,
        code: &str,
        version: Option<i64>,
        t: &Transition,
        today: Date,
    ) -> Result<Rec<Review>> {
        let (mut tx, snap, all) = self.review_scope(c).await?;
        let fw = snap.framework();
        let tid = c.tenant_id();
        let before = find(&all, code)?.clone();
        let held = held_service(&snap, &before.value.service)?;
        let svc = &held.value;
        let version = version_required(version)?;
        let mut r = before.value.clone();
        let action = match t {
            Transition::SignOff(role) => {
                // The named person signs; their role is the check.
                crate::error::check_version("review", version, before.version)?;
                let allowed = may_sign(c, &fw, svc, *role);
                r.sign_off(&c.actor.email, *role, allowed, today)
                    .map_err(|m| match m.field.as_str() {
                        "role" if !allowed => AppError::Forbidden(m.message),
                        _ => invalid(vec![m]),
                    })?;
                "sign-off"
            }
            other => {
                c.require(Write::Review { service: &svc.code }, &fw)?;
                crate::error::check_version("review", version, before.version)?;
                match other {
                    Transition::Advance => {
                        r.advance(svc.delivery_model).map_err(invalid)?;
                        "advance"
                    }
                    Transition::SendBack(reason) => {
                        r.send_back(reason).map_err(|m| invalid(vec![m]))?;
                        "send-back"
                    }
                    Transition::Reject(reason) => {
                        r.reject(reason, today).map_err(|m| invalid(vec![m]))?;
                        "reject"
                    }
                    Transition::Implement => {
                        r.implement(today).map_err(|m| invalid(vec![m]))?;
                        "implement"
                    }
                    Transition::SignOff(_) => unreachable!("handled above"),
                }
            }
        };
        let context = match t {
            Transition::SendBack(reason) | Transition::Reject(reason) => {
                Some(json!({"from": before.value.state, "to": r.state, "reason": reason}))
            }
            _ => Some(json!({"from": before.value.state, "to": r.state})),
        };
        let rec = rs::put(tx.conn(), &tid, Some((&before.id, version)), &r).await?;
        record(
            &mut tx,
            c,
            action,
            "review",
            Some(&rec.id),
            code,
            Some(json!(before)),
            Some(json!(rec)),
            context,
        )
        .await?;
        if before.value.state != ReviewState::Approved && r.state == ReviewState::Approved {
            let preferred = r.preferred().ok_or_else(|| {
                AppError::Internal("an approved review has no preferred option".into())
            })?;
            let cycle = rs::review_cycle(tx.conn(), &tid).await?;
            let mut changed = held.value.clone();
            changed.delivery_model = preferred.delivery_model;
            changed.next_review = Some(next_review(today, cycle));
            let after =
                fs::update_service(tx.conn(), &tid, &held.id, held.version, &changed).await?;
            record(
                &mut tx,
                c,
                "update",
                "service",
                Some(&after.id),
                svc.code.as_str(),
                Some(json!(held)),
                Some(json!(after)),
                Some(json!({"review": code, "approved": today.to_string()})),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rec)
    }
}

/// Refuses a preferred option that is not one of the options or fails a
/// statutory duty (a failing option can never be preferred).
fn check_preferred(a: &Appraisal) -> Result<()> {
    let Some(p) = &a.preferred else {
        return Ok(());
    };
    match a.options.iter().find(|o| &o.code == p) {
        None => Err(AppError::field(
            "preferred",
            format!("there is no option '{p}'"),
        )),
        Some(o) if o.fails_statutory() => {
            let duties: Vec<String> = o
                .duties
                .iter()
                .filter(|d| !d.meets)
                .map(|d| format!("‘{}’", d.duty))
                .collect();
            Err(AppError::field(
                "preferred",
                format!(
                    "option {p} fails the statutory duty {} and cannot be preferred",
                    duties.join(", ")
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

/// What is always wrong with an option, whatever step the review is at:
/// a blank title, a second status quo, a code in use, costs for the wrong number
/// of years, a risk score outside 1–25, scores outside 0–5 or against unknown
/// criteria, duties not listed in scope.
fn check_option(r: &Review, o: &ReviewOption, replacing: Option<&str>) -> Vec<FieldError> {
    let a = &r.appraisal;
    let mut e = Vec::new();
    let others = || {
        a.options
            .iter()
            .filter(move |x| Some(x.code.as_str()) != replacing)
    };
    if others().any(|x| x.code == o.code) {
        e.push(FieldError::new(
            "code",
            format!("there is already an option '{}'", o.code),
        ));
    }
    if o.title.trim().is_empty() {
        e.push(FieldError::new("title", "is required"));
    }
    if o.status_quo
        && let Some(q) = others().find(|x| x.status_quo)
    {
        e.push(FieldError::new(
            "status_quo",
            format!("option {} is already the status quo", q.code),
        ));
    }
    if o.years.len() != usize::from(a.years) {
        e.push(FieldError::new(
            "years",
            format!(
                "give costs for each of the appraisal's {} years (got {})",
                a.years,
                o.years.len()
            ),
        ));
    }
    if !(1..=25).contains(&o.risk_score) {
        e.push(FieldError::new(
            "risk_score",
            "is 1 to 25 (likelihood × impact, as in the risk register)",
        ));
    }
    for s in &o.scores {
        if !a.criteria.iter().any(|c| c.name == s.criterion) {
            e.push(FieldError::new(
                "scores",
                format!("'{}' is not one of this appraisal's criteria", s.criterion),
            ));
        } else if s.score > 5 {
            e.push(FieldError::new(
                format!("score.{}", s.criterion),
                "is scored 0 to 5",
            ));
        }
    }
    for (i, s) in o.scores.iter().enumerate() {
        if o.scores[..i].iter().any(|x| x.criterion == s.criterion) {
            e.push(FieldError::new(
                "scores",
                format!("'{}' is scored twice", s.criterion),
            ));
        }
    }
    for d in &o.duties {
        if !r.scope.statutory_duties.contains(&d.duty) {
            e.push(FieldError::new(
                "duties",
                format!("'{}' is not a statutory duty listed in scope", d.duty),
            ));
        }
    }
    e
}

/// A service due (or overdue) for review, and any review of it under way.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueService {
    pub service: Code,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub next_review: Option<Date>,
    /// `overdue`, `due-soon` (within 6 months) or `no-date` (never scheduled).
    pub due: String,
    /// The review under way, if one is open.
    pub open_review: Option<Code>,
    pub open_review_state: Option<ReviewState>,
}

/// One portfolio's review schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioSchedule {
    pub portfolio: Code,
    pub title: String,
    pub overdue: usize,
    pub due_soon: usize,
    pub no_date: usize,
    /// Services overdue first, then due soon (soonest first), then undated.
    pub services: Vec<DueService>,
}

impl App {
    /// Adds an option to a review's appraisal (`replacing` none) or replaces
    /// the option `replacing` (its code may change); refused once the review has
    /// left the open steps.
    pub async fn save_option(
        &self,
        c: &Caller,
        code: &str,
        replacing: Option<&str>,
        o: &ReviewOption,
        version: Option<i64>,
    ) -> Result<Rec<Review>> {
        let before = self.review(c, code).await?;
        let mut a = before.value.appraisal.clone();
        let errors = check_option(&before.value, o, replacing);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        match replacing {
            None => a.options.push(o.clone()),
            Some(old) => {
                let i = a
                    .options
                    .iter()
                    .position(|x| x.code.as_str() == old)
                    .ok_or_else(|| {
                        AppError::NotFound(format!("review '{code}' has no option '{old}'"))
                    })?;
                if a.preferred.as_ref().is_some_and(|p| p.as_str() == old) {
                    a.preferred = Some(o.code.clone());
                }
                a.options[i] = o.clone();
            }
        }
        self.save_appraisal(c, code, a, version).await
    }

    /// Replaces the appraisal (the options' changes go through here).
    async fn save_appraisal(
        &self,
        c: &Caller,
        code: &str,
        a: Appraisal,
        version: Option<i64>,
    ) -> Result<Rec<Review>> {
        self.edit_review(
            c,
            code,
            &ReviewEdit {
                appraisal: Some(a),
                version,
                ..Default::default()
            },
        )
        .await
    }

    /// Removes an option (not the preferred one: choose another first).
    pub async fn delete_option(
        &self,
        c: &Caller,
        code: &str,
        option: &str,
        version: Option<i64>,
    ) -> Result<Rec<Review>> {
        let before = self.review(c, code).await?;
        let mut a = before.value.appraisal.clone();
        let n = a.options.len();
        a.options.retain(|x| x.code.as_str() != option);
        if a.options.len() == n {
            return Err(AppError::NotFound(format!(
                "review '{code}' has no option '{option}'"
            )));
        }
        if a.preferred.as_ref().is_some_and(|p| p.as_str() == option) {
            return Err(AppError::Conflict(format!(
                "option {option} is the preferred option: choose another before removing it"
            )));
        }
        self.save_appraisal(c, code, a, version).await
    }

    /// The role in which the caller may sign this review off, if any (Outcome
    /// Leader first, for a person who is both).
    pub async fn sign_off_role(&self, c: &Caller, r: &Review) -> Result<Option<SignOffRole>> {
        let fw = self.view(c).await?.framework;
        let Some(s) = fw.service(r.service.as_str()) else {
            return Ok(None);
        };
        Ok(SignOffRole::ALL
            .iter()
            .copied()
            .find(|role| may_sign(c, &fw, s, *role)))
    }

    /// Years between a service's reviews (3 to 5).
    pub async fn review_cycle(&self, c: &Caller) -> Result<u8> {
        let mut conn = self.db.read().await?;
        Ok(rs::review_cycle(&mut conn, &c.tenant_id()).await?)
    }

    /// Sets the years between reviews: 3, 4 or 5 (administrators and
    /// performance officers; audited). Dates already set are kept.
    pub async fn set_review_cycle(&self, c: &Caller, years: i64) -> Result<u8> {
        let Some(y) = u8::try_from(years).ok().filter(|y| (3..=5).contains(y)) else {
            return Err(AppError::field("review_cycle_years", "is 3, 4 or 5 years"));
        };
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let before = rs::review_cycle(tx.conn(), &tid).await?;
        rs::set_review_cycle(tx.conn(), &tid, y).await?;
        record(
            &mut tx,
            c,
            "update",
            "settings",
            None,
            "review cycle",
            Some(json!({"review_cycle_years": before})),
            Some(json!({"review_cycle_years": y})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(y)
    }

    /// Services overdue for review, due within 6 months, or never scheduled,
    /// per portfolio.
    pub async fn review_schedule(&self, c: &Caller, today: Date) -> Result<Vec<PortfolioSchedule>> {
        let fw = self.view(c).await?.framework;
        let reviews = self.reviews(c).await?;
        Ok(fw
            .portfolios
            .iter()
            .map(|p| {
                let mut services: Vec<DueService> = fw
                    .services
                    .iter()
                    .filter(|s| s.portfolio == p.code)
                    .filter_map(|s| {
                        let due = match (s.next_review, due(s.next_review, today)) {
                            (None, _) => "no-date",
                            (_, Due::Overdue) => "overdue",
                            (_, Due::DueSoon) => "due-soon",
                            (_, Due::NotDue) => return None,
                        };
                        let open = reviews
                            .iter()
                            .find(|r| r.value.service == s.code && r.value.state.under_way());
                        Some(DueService {
                            service: s.code.clone(),
                            title: s.title.clone(),
                            next_review: s.next_review,
                            due: due.to_string(),
                            open_review: open.map(|r| r.value.code.clone()),
                            open_review_state: open.map(|r| r.value.state),
                        })
                    })
                    .collect();
                let order = |d: &str| match d {
                    "overdue" => 0,
                    "due-soon" => 1,
                    _ => 2,
                };
                services.sort_by(|a, b| {
                    order(&a.due)
                        .cmp(&order(&b.due))
                        .then(a.next_review.cmp(&b.next_review))
                        .then(a.service.cmp(&b.service))
                });
                let count = |d: &str| services.iter().filter(|s| s.due == d).count();
                PortfolioSchedule {
                    portfolio: p.code.clone(),
                    title: p.title.clone(),
                    overdue: count("overdue"),
                    due_soon: count("due-soon"),
                    no_date: count("no-date"),
                    services,
                }
            })
            .collect())
    }

    /// The mixed economy now, and as it will be when the preferred options of
    /// reviews under way take effect (approved reviews have already changed
    /// their services).
    pub async fn mixed_economy(&self, c: &Caller) -> Result<MixedEconomy> {
        let fw = self.view(c).await?.framework;
        let reviews = self.reviews(c).await?;
        let changes: Vec<Change> = reviews
            .iter()
            .filter(|r| r.value.state.under_way())
            .filter_map(|r| {
                let p = r.value.preferred()?;
                let s = fw.service(r.value.service.as_str())?;
                Some(Change {
                    service: s.code.clone(),
                    review: r.value.code.clone(),
                    from: s.delivery_model,
                    to: p.delivery_model,
                })
            })
            .collect();
        Ok(mixed_economy(&fw, &changes))
    }
}
