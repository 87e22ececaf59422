//! The golden thread's records: load a tenant's whole framework as a snapshot, and
//! create, update and delete records by code. Every query is tenant-scoped.
use crate::{Result, StoreError, TenantId, new_id, now_text, unique_as};
use goldthread_domain::framework::{
    Contribution, Framework, Outcome, Person, Plan, Portfolio, RaciEntry, Service,
};
use goldthread_domain::{Code, Email, Fte, Raci};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::str::FromStr;

/// A stored record: its id, its version (for optimistic concurrency) and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rec<T> {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub value: T,
}

/// One tenant's whole framework, with ids and versions.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub people: Vec<Rec<Person>>,
    pub outcomes: Vec<Rec<Outcome>>,
    pub portfolios: Vec<Rec<Portfolio>>,
    pub services: Vec<Rec<Service>>,
    pub contributions: Vec<Rec<Contribution>>,
    pub raci: Vec<RaciEntry>,
    pub plans: Vec<Rec<Plan>>,
}

impl Snapshot {
    pub fn framework(&self) -> Framework {
        fn values<T: Clone>(v: &[Rec<T>]) -> Vec<T> {
            v.iter().map(|r| r.value.clone()).collect()
        }
        Framework {
            people: values(&self.people),
            outcomes: values(&self.outcomes),
            portfolios: values(&self.portfolios),
            services: values(&self.services),
            contributions: values(&self.contributions),
            raci: self.raci.clone(),
            plans: values(&self.plans),
        }
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(format!("{what}: {e}").into()))
}

fn parse<T: FromStr>(what: &str, s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| corrupt(what, e))
}

fn codes(list: &str) -> Result<Vec<Code>> {
    list.split(';')
        .filter(|s| !s.is_empty())
        .map(|s| Code::parse(s).map_err(|e| corrupt("code list", e)))
        .collect()
}

fn email_opt(s: Option<String>) -> Result<Option<Email>> {
    s.map(|s| Email::parse(&s).map_err(|e| corrupt("email", e)))
        .transpose()
}

fn code(s: &str) -> Result<Code> {
    Code::parse(s).map_err(|e| corrupt("code", e))
}

/// Codes linked from each owner in a link table, in position order.
async fn links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    owner_col: &str,
    target_table: &str,
    target_col: &str,
) -> Result<std::collections::HashMap<String, Vec<Code>>> {
    let sql = format!(
        "SELECT l.{owner_col} AS owner, t.code FROM {table} l JOIN {target_table} t ON t.id = l.{target_col}
         WHERE l.tenant_id = $1 ORDER BY l.{owner_col}, l.position"
    );
    let rows = sqlx::query(&sql).bind(&tenant.0).fetch_all(conn).await?;
    let mut map: std::collections::HashMap<String, Vec<Code>> = Default::default();
    for r in rows {
        let owner: String = r.try_get("owner")?;
        let c: String = r.try_get("code")?;
        map.entry(owner).or_default().push(code(&c)?);
    }
    Ok(map)
}

/// Loads a tenant's whole framework.
pub async fn load(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Snapshot> {
    let t = &tenant.0;
    let mut snap = Snapshot::default();

    for r in sqlx::query(
        "SELECT p.id, p.version, u.email, p.name, p.role, p.scope FROM people p JOIN users u ON u.id = p.user_id
         WHERE p.tenant_id = $1 ORDER BY u.email",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.people.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Person {
                email: Email::parse(&r.try_get::<String, _>("email")?).map_err(|e| corrupt("email", e))?,
                name: r.try_get("name")?,
                role: parse("role", &r.try_get::<String, _>("role")?)?,
                scope: codes(&r.try_get::<String, _>("scope")?)?,
            },
        });
    }

    let mut outcome_links = links(
        conn,
        tenant,
        "outcome_links",
        "outcome_id",
        "outcomes",
        "parent_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT id, version, code, title, kind, description FROM outcomes WHERE tenant_id = $1 ORDER BY code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        snap.outcomes.push(Rec {
            version: r.try_get("version")?,
            value: Outcome {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                kind: parse("kind", &r.try_get::<String, _>("kind")?)?,
                links: outcome_links.remove(&id).unwrap_or_default(),
                description: r.try_get("description")?,
            },
            id,
        });
    }

    let mut led = links(
        conn,
        tenant,
        "portfolio_outcomes",
        "portfolio_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT p.id, p.version, p.code, p.title, u.email FROM portfolios p
         LEFT JOIN people pe ON pe.id = p.outcome_leader_id LEFT JOIN users u ON u.id = pe.user_id
         WHERE p.tenant_id = $1 ORDER BY p.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        snap.portfolios.push(Rec {
            version: r.try_get("version")?,
            value: Portfolio {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                outcome_leader: email_opt(r.try_get("email")?)?,
                outcomes: led.remove(&id).unwrap_or_default(),
            },
            id,
        });
    }

    for r in sqlx::query(
        "SELECT s.id, s.version, s.code, s.title, p.code AS portfolio, u.email, s.statutory_basis, s.grouping,
                s.delivery_model, s.gross_cost_pence, s.income_pence, s.net_budget_pence, s.fte, s.next_review, s.description
         FROM services s JOIN portfolios p ON p.id = s.portfolio_id
         LEFT JOIN people pe ON pe.id = s.lead_id LEFT JOIN users u ON u.id = pe.user_id
         WHERE s.tenant_id = $1 ORDER BY s.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let next_review: Option<String> = r.try_get("next_review")?;
        snap.services.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Service {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                portfolio: code(&r.try_get::<String, _>("portfolio")?)?,
                lead: email_opt(r.try_get("email")?)?,
                statutory_basis: parse("statutory_basis", &r.try_get::<String, _>("statutory_basis")?)?,
                grouping: parse("grouping", &r.try_get::<String, _>("grouping")?)?,
                delivery_model: parse("delivery_model", &r.try_get::<String, _>("delivery_model")?)?,
                gross_cost_pence: r.try_get("gross_cost_pence")?,
                income_pence: r.try_get("income_pence")?,
                net_budget_pence: r.try_get("net_budget_pence")?,
                fte: Fte::parse(&r.try_get::<String, _>("fte")?).map_err(|e| corrupt("fte", e))?,
                next_review: next_review.map(|d| parse_date(&d)).transpose()?,
                description: r.try_get("description")?,
            },
        });
    }

    for r in sqlx::query(
        "SELECT c.id, c.version, s.code AS service, o.code AS outcome, c.strength, c.note FROM contributions c
         JOIN services s ON s.id = c.service_id JOIN outcomes o ON o.id = c.outcome_id
         WHERE c.tenant_id = $1 ORDER BY s.code, o.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.contributions.push(Rec {
            id: r.try_get("id")?,
            version: r.try_get("version")?,
            value: Contribution {
                service: code(&r.try_get::<String, _>("service")?)?,
                outcome: code(&r.try_get::<String, _>("outcome")?)?,
                strength: parse("strength", &r.try_get::<String, _>("strength")?)?,
                note: r.try_get("note")?,
            },
        });
    }

    for r in sqlx::query(
        "SELECT o.code, u.email, r.raci FROM raci r JOIN outcomes o ON o.id = r.outcome_id
         JOIN people pe ON pe.id = r.person_id JOIN users u ON u.id = pe.user_id
         WHERE r.tenant_id = $1 ORDER BY o.code, r.raci, u.email",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        snap.raci.push(RaciEntry {
            outcome: code(&r.try_get::<String, _>("code")?)?,
            person: Email::parse(&r.try_get::<String, _>("email")?)
                .map_err(|e| corrupt("email", e))?,
            raci: parse::<Raci>("raci", &r.try_get::<String, _>("raci")?)?,
        });
    }

    let mut plan_outcomes = links(
        conn,
        tenant,
        "plan_outcomes",
        "plan_id",
        "outcomes",
        "outcome_id",
    )
    .await?;
    for r in sqlx::query(
        "SELECT p.id, p.version, p.code, p.title, p.kind, u.email FROM plans p
         LEFT JOIN people pe ON pe.id = p.owner_id LEFT JOIN users u ON u.id = pe.user_id
         WHERE p.tenant_id = $1 ORDER BY p.code",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.try_get("id")?;
        snap.plans.push(Rec {
            version: r.try_get("version")?,
            value: Plan {
                code: code(&r.try_get::<String, _>("code")?)?,
                title: r.try_get("title")?,
                kind: parse("kind", &r.try_get::<String, _>("kind")?)?,
                owner: email_opt(r.try_get("email")?)?,
                outcomes: plan_outcomes.remove(&id).unwrap_or_default(),
            },
            id,
        });
    }
    Ok(snap)
}

fn parse_date(s: &str) -> Result<time::Date> {
    time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| corrupt("date", e))
}

pub fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The id of the record with `code` in `table` (outcomes, portfolios, services, plans).
pub(crate) async fn id_of(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    code: &Code,
) -> Result<String> {
    let sql = format!("SELECT id FROM {table} WHERE tenant_id = $1 AND code = $2");
    sqlx::query_scalar(&sql)
        .bind(&tenant.0)
        .bind(code.as_str())
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The id of this tenant's person with `email`.
async fn person_id(conn: &mut AnyConnection, tenant: &TenantId, email: &Email) -> Result<String> {
    sqlx::query_scalar(
        "SELECT p.id FROM people p JOIN users u ON u.id = p.user_id WHERE p.tenant_id = $1 AND u.email = $2",
    )
    .bind(&tenant.0)
    .bind(email.as_str())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

pub(crate) async fn person_id_opt(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    email: &Option<Email>,
) -> Result<Option<String>> {
    match email {
        Some(e) => Ok(Some(person_id(conn, tenant, e).await?)),
        None => Ok(None),
    }
}

/// Replaces the links in `table` from one owner to `targets` (codes of records in
/// `target_table`), keeping their order.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn replace_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    owner_col: &str,
    owner_id: &str,
    target_col: &str,
    target_table: &str,
    targets: &[Code],
) -> Result<()> {
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE tenant_id = $1 AND {owner_col} = $2"
    ))
    .bind(&tenant.0)
    .bind(owner_id)
    .execute(&mut *conn)
    .await?;
    for (i, c) in targets.iter().enumerate() {
        let target = id_of(conn, tenant, target_table, c).await?;
        sqlx::query(&format!(
            "INSERT INTO {table} (tenant_id, {owner_col}, {target_col}, position) VALUES ($1, $2, $3, $4)"
        ))
        .bind(&tenant.0)
        .bind(owner_id)
        .bind(target)
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// After an UPDATE … WHERE version = $n touched nothing: conflict or not found.
pub(crate) async fn stale_or_missing(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    id: &str,
    expected: i64,
) -> StoreError {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND id = $2");
    match sqlx::query_scalar::<_, i64>(&sql)
        .bind(&tenant.0)
        .bind(id)
        .fetch_one(conn)
        .await
    {
        Ok(0) => StoreError::NotFound,
        Ok(_) => StoreError::Conflict { expected },
        Err(e) => StoreError::Db(e),
    }
}

/// Deletes the record `id` of `table` at `version`, unless a row refers to it
/// (`uses`: what they are, and SQL counting them by `$1` = `id`); `what`
/// names the record in the refusal.
pub(crate) async fn delete_unless_used(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    (table, what): (&str, &str),
    uses: &[(&str, &str)],
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(conn, what, uses, id).await?;
    delete_versioned(conn, tenant, table, id, version).await
}

/// Counts rows referencing a record, for "in use" refusals: (what, SQL counting them).
pub(crate) async fn refuse_if_used(
    conn: &mut AnyConnection,
    what: &str,
    checks: &[(&str, &str)],
    id: &str,
) -> Result<()> {
    let mut uses = Vec::new();
    for (label, sql) in checks {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if n > 0 {
            uses.push(format!("{n} {label}"));
        }
    }
    if uses.is_empty() {
        Ok(())
    } else {
        Err(StoreError::InUse(format!(
            "{what} is still used by {}; remove those first",
            uses.join(", ")
        )))
    }
}

// ----- people -----

fn scope_text(scope: &[Code]) -> String {
    scope.iter().map(Code::as_str).collect::<Vec<_>>().join(";")
}

pub async fn insert_person(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    p: &Person,
) -> Result<Rec<Person>> {
    let user = crate::accounts::ensure_user(conn, p.email.as_str()).await?;
    let id = new_id();
    let now = now_text();
    sqlx::query("INSERT INTO people (id, tenant_id, user_id, name, role, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(&user.id)
        .bind(&p.name)
        .bind(p.role.as_str())
        .bind(scope_text(&p.scope))
        .bind(&now)
        .execute(conn)
        .await
        .map_err(|e| unique_as(e, || format!("a person with email '{}' already exists", p.email)))?;
    Ok(Rec {
        id,
        version: 1,
        value: p.clone(),
    })
}

pub async fn update_person(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    p: &Person,
) -> Result<Rec<Person>> {
    let user = crate::accounts::ensure_user(conn, p.email.as_str()).await?;
    let n = sqlx::query("UPDATE people SET user_id = $1, name = $2, role = $3, scope = $4, version = version + 1, updated_at = $5
                         WHERE tenant_id = $6 AND id = $7 AND version = $8")
        .bind(&user.id)
        .bind(&p.name)
        .bind(p.role.as_str())
        .bind(scope_text(&p.scope))
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("a person with email '{}' already exists", p.email)))?
        .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "people", id, version).await);
    }
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: p.clone(),
    })
}

pub async fn delete_person(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(
        conn,
        "this person",
        &[
            (
                "portfolio(s) as Outcome Leader",
                "SELECT COUNT(*) FROM portfolios WHERE outcome_leader_id = $1",
            ),
            (
                "service(s) as lead",
                "SELECT COUNT(*) FROM services WHERE lead_id = $1",
            ),
            (
                "plan(s) as owner",
                "SELECT COUNT(*) FROM plans WHERE owner_id = $1",
            ),
            (
                "RACI entr(ies)",
                "SELECT COUNT(*) FROM raci WHERE person_id = $1",
            ),
            (
                "benefit(s) as owner",
                "SELECT COUNT(*) FROM benefits WHERE owner_id = $1",
            ),
            (
                "action plan(s) as owner",
                "SELECT COUNT(*) FROM action_plans WHERE owner_id = $1",
            ),
            (
                "action(s) as owner",
                "SELECT COUNT(*) FROM actions WHERE owner_id = $1",
            ),
        ],
        id,
    )
    .await?;
    delete_versioned(conn, tenant, "people", id, version).await
}

pub(crate) async fn delete_versioned(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    table: &str,
    id: &str,
    version: i64,
) -> Result<()> {
    let n = sqlx::query(&format!(
        "DELETE FROM {table} WHERE tenant_id = $1 AND id = $2 AND version = $3"
    ))
    .bind(&tenant.0)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, table, id, version).await);
    }
    Ok(())
}

// ----- outcomes -----

pub async fn insert_outcome(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    o: &Outcome,
) -> Result<Rec<Outcome>> {
    let id = new_id();
    let now = now_text();
    sqlx::query("INSERT INTO outcomes (id, tenant_id, code, title, kind, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(o.code.as_str())
        .bind(&o.title)
        .bind(o.kind.as_str())
        .bind(&o.description)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("an outcome with code '{}' already exists", o.code)))?;
    Ok(Rec {
        id,
        version: 1,
        value: o.clone(),
    })
}

/// Sets an outcome's links (done after all outcomes exist, so imports can link in any order).
pub async fn set_outcome_links(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    links: &[Code],
) -> Result<()> {
    replace_links(
        conn,
        tenant,
        "outcome_links",
        "outcome_id",
        id,
        "parent_id",
        "outcomes",
        links,
    )
    .await
}

pub async fn update_outcome(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    o: &Outcome,
) -> Result<Rec<Outcome>> {
    let n = sqlx::query("UPDATE outcomes SET code = $1, title = $2, kind = $3, description = $4, version = version + 1, updated_at = $5
                         WHERE tenant_id = $6 AND id = $7 AND version = $8")
        .bind(o.code.as_str())
        .bind(&o.title)
        .bind(o.kind.as_str())
        .bind(&o.description)
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("an outcome with code '{}' already exists", o.code)))?
        .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "outcomes", id, version).await);
    }
    set_outcome_links(conn, tenant, id, &o.links).await?;
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: o.clone(),
    })
}

pub async fn delete_outcome(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(
        conn,
        "this outcome",
        &[
            (
                "outcome(s) linking to it",
                "SELECT COUNT(*) FROM outcome_links WHERE parent_id = $1",
            ),
            (
                "portfolio(s) leading it",
                "SELECT COUNT(*) FROM portfolio_outcomes WHERE outcome_id = $1",
            ),
            (
                "matrix cell(s)",
                "SELECT COUNT(*) FROM contributions WHERE outcome_id = $1",
            ),
            (
                "RACI entr(ies)",
                "SELECT COUNT(*) FROM raci WHERE outcome_id = $1",
            ),
            (
                "plan(s)",
                "SELECT COUNT(*) FROM plan_outcomes WHERE outcome_id = $1",
            ),
            (
                "indicator(s)",
                "SELECT COUNT(*) FROM indicator_outcomes WHERE outcome_id = $1",
            ),
            (
                "consultation(s)",
                "SELECT COUNT(*) FROM consultation_outcomes WHERE outcome_id = $1",
            ),
            (
                "committee(s)",
                "SELECT COUNT(*) FROM committee_outcomes WHERE outcome_id = $1",
            ),
            (
                "risk(s)",
                "SELECT COUNT(*) FROM risk_outcomes WHERE outcome_id = $1",
            ),
            (
                "self-assessment score(s)",
                "SELECT COUNT(*) FROM self_assessment_outcomes WHERE outcome_id = $1",
            ),
            (
                "action(s)",
                "SELECT COUNT(*) FROM action_links WHERE outcome_id = $1",
            ),
            (
                "initiative(s)",
                "SELECT COUNT(*) FROM initiative_outcomes WHERE outcome_id = $1",
            ),
        ],
        id,
    )
    .await?;
    sqlx::query("DELETE FROM outcome_links WHERE tenant_id = $1 AND outcome_id = $2")
        .bind(&tenant.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    delete_versioned(conn, tenant, "outcomes", id, version).await
}

// ----- portfolios -----

pub async fn insert_portfolio(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    p: &Portfolio,
) -> Result<Rec<Portfolio>> {
    let id = new_id();
    let now = now_text();
    let leader = person_id_opt(conn, tenant, &p.outcome_leader).await?;
    sqlx::query("INSERT INTO portfolios (id, tenant_id, code, title, outcome_leader_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(p.code.as_str())
        .bind(&p.title)
        .bind(leader)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("a portfolio with code '{}' already exists", p.code)))?;
    replace_links(
        conn,
        tenant,
        "portfolio_outcomes",
        "portfolio_id",
        &id,
        "outcome_id",
        "outcomes",
        &p.outcomes,
    )
    .await?;
    Ok(Rec {
        id,
        version: 1,
        value: p.clone(),
    })
}

pub async fn update_portfolio(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    p: &Portfolio,
) -> Result<Rec<Portfolio>> {
    let leader = person_id_opt(conn, tenant, &p.outcome_leader).await?;
    let n = sqlx::query("UPDATE portfolios SET code = $1, title = $2, outcome_leader_id = $3, version = version + 1, updated_at = $4
                         WHERE tenant_id = $5 AND id = $6 AND version = $7")
        .bind(p.code.as_str())
        .bind(&p.title)
        .bind(leader)
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("a portfolio with code '{}' already exists", p.code)))?
        .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "portfolios", id, version).await);
    }
    replace_links(
        conn,
        tenant,
        "portfolio_outcomes",
        "portfolio_id",
        id,
        "outcome_id",
        "outcomes",
        &p.outcomes,
    )
    .await?;
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: p.clone(),
    })
}

pub async fn delete_portfolio(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(
        conn,
        "this portfolio",
        &[
            (
                "service(s)",
                "SELECT COUNT(*) FROM services WHERE portfolio_id = $1",
            ),
            (
                "committee(s)",
                "SELECT COUNT(*) FROM committee_portfolios WHERE portfolio_id = $1",
            ),
            (
                "benefit(s)",
                "SELECT COUNT(*) FROM benefits WHERE portfolio_id = $1",
            ),
        ],
        id,
    )
    .await?;
    sqlx::query("DELETE FROM portfolio_outcomes WHERE tenant_id = $1 AND portfolio_id = $2")
        .bind(&tenant.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    delete_versioned(conn, tenant, "portfolios", id, version).await
}

// ----- services -----

pub async fn insert_service(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    s: &Service,
) -> Result<Rec<Service>> {
    let id = new_id();
    let portfolio = id_of(conn, tenant, "portfolios", &s.portfolio).await?;
    let lead = person_id_opt(conn, tenant, &s.lead).await?;
    let now = now_text();
    sqlx::query(
        "INSERT INTO services (id, tenant_id, code, title, portfolio_id, lead_id, statutory_basis, grouping, delivery_model,
            gross_cost_pence, income_pence, net_budget_pence, fte, next_review, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
    )
    .bind(&id)
    .bind(&tenant.0)
    .bind(s.code.as_str())
    .bind(&s.title)
    .bind(portfolio)
    .bind(lead)
    .bind(s.statutory_basis.as_str())
    .bind(s.grouping.as_str())
    .bind(s.delivery_model.as_str())
    .bind(s.gross_cost_pence)
    .bind(s.income_pence)
    .bind(s.net_budget_pence)
    .bind(s.fte.to_string())
    .bind(s.next_review.map(date_text))
    .bind(&s.description)
    .bind(&now)
    .execute(conn)
    .await
    .map_err(|e| unique_as(e, || format!("a service with code '{}' already exists", s.code)))?;
    Ok(Rec {
        id,
        version: 1,
        value: s.clone(),
    })
}

pub async fn update_service(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    s: &Service,
) -> Result<Rec<Service>> {
    let portfolio = id_of(conn, tenant, "portfolios", &s.portfolio).await?;
    let lead = person_id_opt(conn, tenant, &s.lead).await?;
    let n = sqlx::query(
        "UPDATE services SET code = $1, title = $2, portfolio_id = $3, lead_id = $4, statutory_basis = $5, grouping = $6,
            delivery_model = $7, gross_cost_pence = $8, income_pence = $9, net_budget_pence = $10, fte = $11,
            next_review = $12, description = $13, version = version + 1, updated_at = $14
         WHERE tenant_id = $15 AND id = $16 AND version = $17",
    )
    .bind(s.code.as_str())
    .bind(&s.title)
    .bind(portfolio)
    .bind(lead)
    .bind(s.statutory_basis.as_str())
    .bind(s.grouping.as_str())
    .bind(s.delivery_model.as_str())
    .bind(s.gross_cost_pence)
    .bind(s.income_pence)
    .bind(s.net_budget_pence)
    .bind(s.fte.to_string())
    .bind(s.next_review.map(date_text))
    .bind(&s.description)
    .bind(now_text())
    .bind(&tenant.0)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_as(e, || format!("a service with code '{}' already exists", s.code)))?
    .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "services", id, version).await);
    }
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: s.clone(),
    })
}

pub async fn delete_service(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    refuse_if_used(
        conn,
        "this service",
        &[
            (
                "matrix cell(s)",
                "SELECT COUNT(*) FROM contributions WHERE service_id = $1",
            ),
            (
                "indicator(s)",
                "SELECT COUNT(*) FROM indicator_services WHERE service_id = $1",
            ),
            (
                "consultation(s)",
                "SELECT COUNT(*) FROM consultation_services WHERE service_id = $1",
            ),
            (
                "service review(s)",
                "SELECT COUNT(*) FROM service_reviews WHERE service_id = $1",
            ),
            (
                "contract(s)",
                "SELECT COUNT(*) FROM contracts WHERE service_id = $1",
            ),
            (
                "risk(s)",
                "SELECT COUNT(*) FROM risk_services WHERE service_id = $1",
            ),
            (
                "action(s)",
                "SELECT COUNT(*) FROM action_links WHERE service_id = $1",
            ),
            (
                "initiative(s)",
                "SELECT COUNT(*) FROM initiative_services WHERE service_id = $1",
            ),
            (
                "post(s)",
                "SELECT COUNT(*) FROM post_services WHERE service_id = $1",
            ),
        ],
        id,
    )
    .await?;
    delete_versioned(conn, tenant, "services", id, version).await
}

// ----- matrix -----

pub async fn insert_contribution(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    c: &Contribution,
) -> Result<Rec<Contribution>> {
    let id = new_id();
    let service = id_of(conn, tenant, "services", &c.service).await?;
    let outcome = id_of(conn, tenant, "outcomes", &c.outcome).await?;
    let now = now_text();
    sqlx::query("INSERT INTO contributions (id, tenant_id, service_id, outcome_id, strength, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(service)
        .bind(outcome)
        .bind(c.strength.as_str())
        .bind(&c.note)
        .bind(&now)
        .execute(conn)
        .await
        .map_err(|e| unique_as(e, || format!("service '{}' already contributes to '{}'", c.service, c.outcome)))?;
    Ok(Rec {
        id,
        version: 1,
        value: c.clone(),
    })
}

pub async fn update_contribution(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    c: &Contribution,
) -> Result<Rec<Contribution>> {
    let n = sqlx::query(
        "UPDATE contributions SET strength = $1, note = $2, version = version + 1, updated_at = $3
                         WHERE tenant_id = $4 AND id = $5 AND version = $6",
    )
    .bind(c.strength.as_str())
    .bind(&c.note)
    .bind(now_text())
    .bind(&tenant.0)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "contributions", id, version).await);
    }
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: c.clone(),
    })
}

pub async fn delete_contribution(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    delete_versioned(conn, tenant, "contributions", id, version).await
}

// ----- RACI -----

/// Replaces one outcome's RACI.
pub async fn replace_raci(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    outcome: &Code,
    entries: &[(Email, Raci)],
) -> Result<()> {
    let outcome_id = id_of(conn, tenant, "outcomes", outcome).await?;
    sqlx::query("DELETE FROM raci WHERE tenant_id = $1 AND outcome_id = $2")
        .bind(&tenant.0)
        .bind(&outcome_id)
        .execute(&mut *conn)
        .await?;
    for (email, letter) in entries {
        let person = person_id(conn, tenant, email).await?;
        sqlx::query(
            "INSERT INTO raci (tenant_id, outcome_id, person_id, raci) VALUES ($1, $2, $3, $4)",
        )
        .bind(&tenant.0)
        .bind(&outcome_id)
        .bind(person)
        .bind(letter.as_str())
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            unique_as(e, || {
                format!("{email} appears twice in the RACI of {outcome}")
            })
        })?;
    }
    Ok(())
}

// ----- plans -----

pub async fn insert_plan(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    p: &Plan,
) -> Result<Rec<Plan>> {
    let id = new_id();
    let owner = person_id_opt(conn, tenant, &p.owner).await?;
    let now = now_text();
    sqlx::query("INSERT INTO plans (id, tenant_id, code, title, kind, owner_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(&id)
        .bind(&tenant.0)
        .bind(p.code.as_str())
        .bind(&p.title)
        .bind(p.kind.as_str())
        .bind(owner)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("a plan with code '{}' already exists", p.code)))?;
    replace_links(
        conn,
        tenant,
        "plan_outcomes",
        "plan_id",
        &id,
        "outcome_id",
        "outcomes",
        &p.outcomes,
    )
    .await?;
    Ok(Rec {
        id,
        version: 1,
        value: p.clone(),
    })
}

pub async fn update_plan(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
    p: &Plan,
) -> Result<Rec<Plan>> {
    let owner = person_id_opt(conn, tenant, &p.owner).await?;
    let n = sqlx::query("UPDATE plans SET code = $1, title = $2, kind = $3, owner_id = $4, version = version + 1, updated_at = $5
                         WHERE tenant_id = $6 AND id = $7 AND version = $8")
        .bind(p.code.as_str())
        .bind(&p.title)
        .bind(p.kind.as_str())
        .bind(owner)
        .bind(now_text())
        .bind(&tenant.0)
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_as(e, || format!("a plan with code '{}' already exists", p.code)))?
        .rows_affected();
    if n == 0 {
        return Err(stale_or_missing(conn, tenant, "plans", id, version).await);
    }
    replace_links(
        conn,
        tenant,
        "plan_outcomes",
        "plan_id",
        id,
        "outcome_id",
        "outcomes",
        &p.outcomes,
    )
    .await?;
    Ok(Rec {
        id: id.to_string(),
        version: version + 1,
        value: p.clone(),
    })
}

pub async fn delete_plan(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    version: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM plan_outcomes WHERE tenant_id = $1 AND plan_id = $2")
        .bind(&tenant.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    delete_versioned(conn, tenant, "plans", id, version).await
}
