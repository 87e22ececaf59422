//! Tenants, accounts and API tokens: the operator's and administrator's tools.
use crate::auth::{hash_password, new_secret, sha256_hex};
use crate::input::PersonInput;
use crate::{App, AppError, Caller, Result};
use goldthread_domain::framework::Person;
use goldthread_domain::{Code, Email};
use goldthread_store::accounts::{self, Tenant, Token};
use goldthread_store::audit::{self, ActorRef, NewAudit};
use goldthread_store::framework::Rec;
use serde_json::json;

/// A new API token: shown once, stored only as a hash.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: Token,
    pub secret: String,
}

/// A person of a tenant, with whether they can sign in.
#[derive(Debug, Clone)]
pub struct Account {
    pub person: Rec<Person>,
    pub can_sign_in: bool,
}

impl App {
    pub async fn add_tenant(
        &self,
        who: &ActorRef,
        code: &str,
        name: &str,
        area_name: &str,
    ) -> Result<Tenant> {
        let code = Code::parse(code).map_err(|e| AppError::field("code", e.0))?;
        let code = code.as_str().to_lowercase();
        if name.trim().is_empty() {
            return Err(AppError::field("name", "is required"));
        }
        let area = if area_name.trim().is_empty() {
            name.trim()
        } else {
            area_name.trim()
        };
        let mut tx = self.db.write(None).await?;
        let t = accounts::create_tenant(tx.conn(), &code, name.trim(), area).await?;
        let tid = t.tenant_id();
        audit::record(
            tx.conn(),
            NewAudit {
                tenant: Some(&tid),
                actor: who,
                action: "create",
                entity_type: "tenant",
                entity_id: Some(&t.id),
                entity_code: Some(&t.code),
                before: None,
                after: Some(json!(t)),
                context: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let mut c = self.db.read().await?;
        Ok(accounts::list_tenants(&mut c).await?)
    }

    pub async fn tenant(&self, code: &str) -> Result<Tenant> {
        let mut c = self.db.read().await?;
        accounts::tenant_by_code(&mut c, &code.to_lowercase())
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("no tenant '{code}' (see `goldthread tenant list`)"))
            })
    }

    /// Adds a person to a tenant (or updates them), optionally setting their password.
    pub async fn add_user(
        &self,
        tenant: &Tenant,
        input: &PersonInput,
        password: Option<&str>,
    ) -> Result<Rec<Person>> {
        let cli = Caller::cli(tenant.clone());
        let existing = self
            .get::<Person>(&cli, &input.email.to_lowercase())
            .await
            .ok();
        let rec = match existing {
            Some(before) => {
                let mut i = input.clone();
                i.version = Some(before.version);
                self.update_person(&cli, &input.email, &i).await?
            }
            None => self.create_person(&cli, input).await?,
        };
        if let Some(p) = password {
            self.set_password(&cli, &rec.value.email, p).await?;
        }
        Ok(rec)
    }

    /// Makes someone a national operator (manages tenants; reads no tenant's data
    /// unless also given a role there), optionally setting their password.
    pub async fn add_operator(
        &self,
        who: &ActorRef,
        email: &str,
        password: Option<&str>,
    ) -> Result<()> {
        let email = Email::parse(email).map_err(|e| AppError::field("email", e.0))?;
        let hash = password.map(hash_password).transpose()?;
        let mut tx = self.db.write(None).await?;
        let user = accounts::ensure_user(tx.conn(), email.as_str()).await?;
        accounts::set_operator(tx.conn(), &user.id, true).await?;
        if let Some(h) = &hash {
            accounts::set_password_hash(tx.conn(), &user.id, h).await?;
        }
        audit::record(
            tx.conn(),
            NewAudit {
                tenant: None,
                actor: who,
                action: "grant",
                entity_type: "operator",
                entity_id: Some(&user.id),
                entity_code: Some(email.as_str()),
                before: Some(json!({"is_operator": user.is_operator}).into()),
                after: Some(json!({"is_operator": true, "password_set": hash.is_some()})),
                context: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a person's password (audited without the password or its hash).
    pub async fn set_password(&self, c: &Caller, email: &Email, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let mut tx = self.db.write(Some(&c.tenant_id())).await?;
        let user = accounts::ensure_user(tx.conn(), email.as_str()).await?;
        accounts::set_password_hash(tx.conn(), &user.id, &hash).await?;
        let tid = c.tenant_id();
        audit::record(
            tx.conn(),
            NewAudit {
                tenant: Some(&tid),
                actor: &c.who,
                action: "set-password",
                entity_type: "person",
                entity_id: None,
                entity_code: Some(email.as_str()),
                before: None,
                after: None,
                context: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn accounts(&self, tenant: &Tenant) -> Result<Vec<Account>> {
        let cli = Caller::cli(tenant.clone());
        let people = self.list::<Person>(&cli).await?;
        let mut conn = self.db.read().await?;
        let mut out = Vec::new();
        for person in people {
            let user = accounts::user_by_email(&mut conn, person.value.email.as_str()).await?;
            out.push(Account {
                can_sign_in: user.is_some_and(|u| u.password_hash.is_some()),
                person,
            });
        }
        Ok(out)
    }

    /// Creates an API token for a person (in `tenant`, or their only tenant).
    pub async fn create_token(
        &self,
        email: &str,
        tenant: Option<&str>,
        name: &str,
        expires_days: Option<i64>,
    ) -> Result<NewToken> {
        let email = Email::parse(email).map_err(|e| AppError::field("email", e.0))?;
        let mut tx = self.db.write(None).await?;
        let user = accounts::user_by_email(tx.conn(), email.as_str())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no user '{email}'")))?;
        let memberships = accounts::memberships(tx.conn(), &user.id).await?;
        let membership = match tenant {
            Some(code) => memberships
                .iter()
                .find(|m| m.tenant.code == code.to_lowercase())
                .ok_or_else(|| {
                    AppError::NotFound(format!("{email} has no role in tenant '{code}'"))
                })?,
            None if memberships.len() == 1 => &memberships[0],
            None if memberships.is_empty() => {
                return Err(AppError::BadRequest(format!(
                    "{email} has no role in any tenant"
                )));
            }
            None => {
                return Err(AppError::BadRequest(format!(
                    "{email} belongs to several tenants: say which with --tenant"
                )));
            }
        };
        let secret = format!("gt_{}", new_secret());
        let expires = expires_days.map(|d| {
            goldthread_store::timestamp_text(
                time::OffsetDateTime::now_utc() + time::Duration::days(d),
            )
        });
        let label = if name.trim().is_empty() {
            "API token"
        } else {
            name.trim()
        };
        let token = accounts::create_token(
            tx.conn(),
            &user.id,
            Some(&membership.tenant.id),
            label,
            &sha256_hex(&secret),
            expires.as_deref(),
        )
        .await?;
        let tid = membership.tenant.tenant_id();
        audit::record(
            tx.conn(),
            NewAudit {
                tenant: Some(&tid),
                actor: &ActorRef::cli(),
                action: "create",
                entity_type: "api-token",
                entity_id: Some(&token.id),
                entity_code: Some(email.as_str()),
                before: None,
                after: Some(json!({"name": token.name, "expires_at": token.expires_at})),
                context: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewToken { token, secret })
    }

    pub async fn tokens(&self, email: &str) -> Result<Vec<Token>> {
        let mut c = self.db.read().await?;
        let user = accounts::user_by_email(&mut c, &email.to_lowercase())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no user '{email}'")))?;
        Ok(accounts::tokens_of(&mut c, &user.id).await?)
    }

    pub async fn revoke_token(&self, id: &str) -> Result<()> {
        let mut tx = self.db.write(None).await?;
        if !accounts::revoke_token(tx.conn(), id).await? {
            return Err(AppError::NotFound(format!("no live token with id '{id}'")));
        }
        audit::record(
            tx.conn(),
            NewAudit {
                tenant: None,
                actor: &ActorRef::cli(),
                action: "revoke",
                entity_type: "api-token",
                entity_id: Some(id),
                entity_code: None,
                before: None,
                after: None,
                context: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
