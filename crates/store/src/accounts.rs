//! Tenants, login identities, sessions, API tokens and login attempts.
use crate::{Result, StoreError, TenantId, new_id, now_text, unique_as};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: String,
    pub code: String,
    pub name: String,
    pub area_name: String,
}

impl Tenant {
    pub fn tenant_id(&self) -> TenantId {
        TenantId(self.id.clone())
    }
}

fn tenant_from(r: sqlx::any::AnyRow) -> Result<Tenant> {
    Ok(Tenant {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        area_name: r.try_get("area_name")?,
    })
}

pub async fn create_tenant(
    conn: &mut AnyConnection,
    code: &str,
    name: &str,
    area_name: &str,
) -> Result<Tenant> {
    let t = Tenant {
        id: new_id(),
        code: code.to_string(),
        name: name.to_string(),
        area_name: area_name.to_string(),
    };
    sqlx::query(
        "INSERT INTO tenants (id, code, name, area_name, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&t.id)
    .bind(&t.code)
    .bind(&t.name)
    .bind(&t.area_name)
    .bind(now_text())
    .execute(conn)
    .await
    .map_err(|e| unique_as(e, || format!("a tenant with code '{code}' already exists")))?;
    Ok(t)
}

pub async fn list_tenants(conn: &mut AnyConnection) -> Result<Vec<Tenant>> {
    let rows = sqlx::query("SELECT id, code, name, area_name FROM tenants ORDER BY code")
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(tenant_from).collect()
}

pub async fn tenant_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<Tenant>> {
    let row = sqlx::query("SELECT id, code, name, area_name FROM tenants WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.map(tenant_from).transpose()
}

/// The tenant with code `code` and its data version, in one read: the public
/// site checks both on every request.
pub async fn tenant_and_version_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<(Tenant, i64)>> {
    let row =
        sqlx::query("SELECT id, code, name, area_name, data_version FROM tenants WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        let version = r.try_get("data_version")?;
        Ok((tenant_from(r)?, version))
    })
    .transpose()
}

pub async fn tenant_by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Tenant>> {
    let row = sqlx::query("SELECT id, code, name, area_name FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(tenant_from).transpose()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub is_operator: bool,
}

pub async fn user_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<User>> {
    let row =
        sqlx::query("SELECT id, email, password_hash, is_operator FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(User {
            id: r.try_get("id")?,
            email: r.try_get("email")?,
            password_hash: r.try_get("password_hash")?,
            is_operator: r.try_get::<i64, _>("is_operator")? != 0,
        })
    })
    .transpose()
}

pub async fn user_by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<User>> {
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match email {
        Some(e) => user_by_email(conn, &e).await,
        None => Ok(None),
    }
}

/// Returns the user with this email, creating a login identity (with no password) if needed.
pub async fn ensure_user(conn: &mut AnyConnection, email: &str) -> Result<User> {
    if let Some(u) = user_by_email(conn, email).await? {
        return Ok(u);
    }
    let id = new_id();
    sqlx::query("INSERT INTO users (id, email, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(email)
        .bind(now_text())
        .execute(conn)
        .await?;
    Ok(User {
        id,
        email: email.to_string(),
        password_hash: None,
        is_operator: false,
    })
}

pub async fn set_password_hash(conn: &mut AnyConnection, user_id: &str, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_operator(conn: &mut AnyConnection, user_id: &str, on: bool) -> Result<()> {
    sqlx::query("UPDATE users SET is_operator = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A user's place in one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub tenant: Tenant,
    pub person_id: String,
    pub name: String,
    pub role: String,
    pub scope: String,
}

pub async fn memberships(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT t.id, t.code, t.name AS tname, t.area_name, p.id AS person_id, p.name, p.role, p.scope
         FROM people p JOIN tenants t ON t.id = p.tenant_id WHERE p.user_id = $1 ORDER BY t.code",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Membership {
                tenant: Tenant {
                    id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("tname")?,
                    area_name: r.try_get("area_name")?,
                },
                person_id: r.try_get("person_id")?,
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                scope: r.try_get("scope")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub tenant_id: Option<String>,
    pub csrf_token: String,
    pub expires_at: String,
}

pub async fn create_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    user_id: &str,
    tenant_id: Option<&str>,
    csrf: &str,
    expires_at: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO sessions (id_hash, user_id, tenant_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id_hash)
        .bind(user_id)
        .bind(tenant_id.map(str::to_string))
        .bind(csrf)
        .bind(now_text())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The session with this id hash, if it exists and has not expired.
pub async fn session(conn: &mut AnyConnection, id_hash: &str) -> Result<Option<Session>> {
    let row = sqlx::query("SELECT user_id, tenant_id, csrf_token, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2")
        .bind(id_hash)
        .bind(now_text())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Session {
            user_id: r.try_get("user_id")?,
            tenant_id: r.try_get("tenant_id")?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn set_session_tenant(
    conn: &mut AnyConnection,
    id_hash: &str,
    tenant_id: &str,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET tenant_id = $1 WHERE id_hash = $2")
        .bind(tenant_id)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: String,
    pub user_id: String,
    pub tenant_id: Option<String>,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn token_from(r: sqlx::any::AnyRow) -> Result<Token> {
    Ok(Token {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        tenant_id: r.try_get("tenant_id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub async fn create_token(
    conn: &mut AnyConnection,
    user_id: &str,
    tenant_id: Option<&str>,
    name: &str,
    hash: &str,
    expires_at: Option<&str>,
) -> Result<Token> {
    let id = new_id();
    sqlx::query("INSERT INTO api_tokens (id, user_id, tenant_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(user_id)
        .bind(tenant_id.map(str::to_string))
        .bind(name)
        .bind(hash)
        .bind(now_text())
        .bind(expires_at.map(str::to_string))
        .execute(&mut *conn)
        .await?;
    tokens_where(conn, "id", &id)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

async fn tokens_where(conn: &mut AnyConnection, column: &str, value: &str) -> Result<Vec<Token>> {
    let sql = format!(
        "SELECT id, user_id, tenant_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE {column} = $1 ORDER BY created_at"
    );
    let rows = sqlx::query(&sql).bind(value).fetch_all(conn).await?;
    rows.into_iter().map(token_from).collect()
}

/// A live (not revoked, not expired) token by its hash.
pub async fn live_token(conn: &mut AnyConnection, hash: &str) -> Result<Option<Token>> {
    let now = now_text();
    Ok(tokens_where(conn, "token_hash", hash)
        .await?
        .into_iter()
        .find(|t| {
            t.revoked_at.is_none() && t.expires_at.as_deref().is_none_or(|e| e > now.as_str())
        }))
}

pub async fn tokens_of(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Token>> {
    tokens_where(conn, "user_id", user_id).await
}

pub async fn revoke_token(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let n =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_text())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected();
    Ok(n > 0)
}

pub async fn record_login_attempt(
    conn: &mut AnyConnection,
    email: &str,
    address: &str,
    ok: bool,
) -> Result<()> {
    sqlx::query("INSERT INTO login_attempts (id, email, address, at, succeeded) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(email)
        .bind(address)
        .bind(now_text())
        .bind(i64::from(ok))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed attempts since `since` for this email and for this address.
pub async fn failed_logins_since(
    conn: &mut AnyConnection,
    email: &str,
    address: &str,
    since: &str,
) -> Result<(i64, i64)> {
    let by_email: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $2 AND succeeded = 0",
    )
    .bind(email)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let by_address: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE address = $1 AND at >= $2 AND succeeded = 0",
    )
    .bind(address)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((by_email, by_address))
}

/// Deletes sessions that expired before `now` and sign-in attempts made before
/// `attempts_before` (older than any rate-limit window looks back). Returns how
/// many of each went. Neither is a tenant's record, so nothing is audited.
pub async fn prune(
    conn: &mut AnyConnection,
    now: &str,
    attempts_before: &str,
) -> Result<(u64, u64)> {
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let attempts = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(attempts_before)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok((sessions, attempts))
}
