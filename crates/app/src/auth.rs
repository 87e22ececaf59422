//! Signing in and out, sessions, API tokens and password rules.
use crate::{App, AppError, Caller, Result};
use goldthread_domain::permission::Actor;
use goldthread_domain::{Code, Email, Role};
use goldthread_store::accounts::{self, Membership, Tenant};
use goldthread_store::audit::ActorRef;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed sign-ins allowed per account, and per address, in [`LOCKOUT_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const LOCKOUT_MINUTES: i64 = 15;
pub const MIN_PASSWORD_LENGTH: usize = 10;

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "1234567890",
    "123456789",
    "12345678",
    "qwertyuiop",
    "iloveyou",
    "letmein123",
    "welcome123",
    "administrator",
    "passw0rd123",
    "qwerty1234",
    "football123",
    "changeme123",
];

pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Checks the password rules, then hashes with Argon2.
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(AppError::field(
            "password",
            format!("must be at least {MIN_PASSWORD_LENGTH} characters"),
        ));
    }
    if COMMON_PASSWORDS.contains(&password.to_lowercase().as_str()) {
        return Err(AppError::field("password", "is too common; choose another"));
    }
    Ok(password_auth::generate_hash(password))
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id_hash: String,
    pub user_id: String,
    pub email: String,
    pub csrf_token: String,
    pub is_operator: bool,
    /// The person's roles in every tenant they belong to.
    pub memberships: Vec<Membership>,
    /// Acting in the session's current tenant, if any.
    pub caller: Option<Caller>,
}

fn caller_from(m: &Membership, email: &str, user_id: &str) -> Result<Caller> {
    let role: Role = m.role.parse().map_err(AppError::Internal)?;
    let scope = m
        .scope
        .split(';')
        .filter(|s| !s.is_empty())
        .filter_map(|s| Code::parse(s).ok())
        .collect();
    Ok(Caller {
        tenant: m.tenant.clone(),
        actor: Actor {
            email: Email::parse(email).map_err(|e| AppError::Internal(e.0))?,
            role,
            scope,
        },
        name: m.name.clone(),
        who: ActorRef {
            user_id: Some(user_id.to_string()),
            label: email.to_string(),
        },
    })
}

impl App {
    /// Checks a password and opens a session. Returns the session id (for the
    /// cookie; only its hash is stored). Rate-limited per account and per address.
    pub async fn login(&self, email: &str, password: &str, address: &str) -> Result<String> {
        let email = email.trim().to_lowercase();
        let since = goldthread_store::timestamp_text(
            OffsetDateTime::now_utc() - Duration::minutes(LOCKOUT_MINUTES),
        );
        let mut tx = self.db.write(None).await?;
        let (by_email, by_address) =
            accounts::failed_logins_since(tx.conn(), &email, address, &since).await?;
        if by_email >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
            return Err(AppError::RateLimited);
        }
        let user = accounts::user_by_email(tx.conn(), &email).await?;
        let ok = match user.as_ref().and_then(|u| u.password_hash.clone()) {
            Some(hash) => password_auth::verify_password(password, &hash).is_ok(),
            None => {
                // Same work whether or not the account exists.
                let _ = password_auth::verify_password(password, DUMMY_HASH);
                false
            }
        };
        accounts::record_login_attempt(tx.conn(), &email, address, ok).await?;
        let Some(user) = user.filter(|_| ok) else {
            tx.commit().await?;
            return Err(AppError::BadRequest(
                "the email address or password is not right".into(),
            ));
        };
        let memberships = accounts::memberships(tx.conn(), &user.id).await?;
        if memberships.is_empty() && !user.is_operator {
            tx.commit().await?;
            return Err(AppError::Forbidden(
                "this account has no role in any council".into(),
            ));
        }
        let id = new_secret();
        let expires = goldthread_store::timestamp_text(
            OffsetDateTime::now_utc() + Duration::hours(SESSION_HOURS),
        );
        accounts::create_session(
            tx.conn(),
            &sha256_hex(&id),
            &user.id,
            memberships.first().map(|m| m.tenant.id.as_str()),
            &new_secret(),
            &expires,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ends the session with this id (from the cookie).
    pub async fn logout(&self, session_id: &str) -> Result<()> {
        self.end_session_hash(&sha256_hex(session_id)).await
    }

    /// Ends a signed-in session.
    pub async fn end_session(&self, s: &SessionInfo) -> Result<()> {
        self.end_session_hash(&s.id_hash).await
    }

    async fn end_session_hash(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.db.write(None).await?;
        accounts::delete_session(tx.conn(), id_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session with this id, if any.
    pub async fn session(&self, session_id: &str) -> Result<Option<SessionInfo>> {
        let id_hash = sha256_hex(session_id);
        let mut c = self.db.read().await?;
        let Some(s) = accounts::session(&mut c, &id_hash).await? else {
            return Ok(None);
        };
        let Some(user) = accounts::user_by_id(&mut c, &s.user_id).await? else {
            return Ok(None);
        };
        let memberships = accounts::memberships(&mut c, &user.id).await?;
        let caller = match memberships
            .iter()
            .find(|m| Some(&m.tenant.id) == s.tenant_id.as_ref())
        {
            Some(m) => Some(caller_from(m, &user.email, &user.id)?),
            None => None,
        };
        Ok(Some(SessionInfo {
            id_hash,
            user_id: user.id,
            email: user.email,
            csrf_token: s.csrf_token,
            is_operator: user.is_operator,
            memberships,
            caller,
        }))
    }

    /// Switches a session to another tenant the user belongs to.
    pub async fn switch_tenant(&self, s: &SessionInfo, tenant_code: &str) -> Result<Tenant> {
        let m = s
            .memberships
            .iter()
            .find(|m| m.tenant.code == tenant_code)
            .ok_or_else(|| AppError::NotFound(format!("you have no role in '{tenant_code}'")))?;
        let mut tx = self.db.write(None).await?;
        accounts::set_session_tenant(tx.conn(), &s.id_hash, &m.tenant.id).await?;
        tx.commit().await?;
        Ok(m.tenant.clone())
    }

    /// The caller an API token acts as.
    pub async fn token_caller(&self, secret: &str) -> Result<Caller> {
        let mut c = self.db.read().await?;
        let token = accounts::live_token(&mut c, &sha256_hex(secret))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = accounts::user_by_id(&mut c, &token.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let memberships = accounts::memberships(&mut c, &user.id).await?;
        let m = memberships
            .iter()
            .find(|m| Some(&m.tenant.id) == token.tenant_id.as_ref())
            .ok_or(AppError::Unauthenticated)?;
        let mut caller = caller_from(m, &user.email, &user.id)?;
        caller.who.label = format!("{} (token {})", user.email, token.name);
        Ok(caller)
    }
}

/// An Argon2 hash of a random string, verified against when the account does not
/// exist so that timing does not reveal which emails have accounts.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3ZyFqCZSSqo0mG2PnTsvlxvAEmSR2zMyIxkG2cCpTLM";

impl App {
    /// Deletes expired sessions, and sign-in attempts older than a day (the rate
    /// limits look back [`LOCKOUT_MINUTES`]); `serve` runs this every 15 minutes.
    pub async fn prune_expired(&self) -> Result<(u64, u64)> {
        let now = OffsetDateTime::now_utc();
        let mut conn = self.db.read().await?;
        Ok(accounts::prune(
            &mut conn,
            &goldthread_store::timestamp_text(now),
            &goldthread_store::timestamp_text(now - Duration::days(1)),
        )
        .await?)
    }
}
