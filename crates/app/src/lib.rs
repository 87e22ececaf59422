//! goldthread's use cases: one function per thing a user does. Each takes the
//! acting [`Caller`], checks permission, writes through the store and writes the
//! audit row in the same transaction. The web server, the API and the CLI call
//! only this layer.
#![forbid(unsafe_code)]

pub mod actions;
pub mod assessment;
pub mod auth;
pub mod benefits;
mod cache;
pub mod commissioning;
pub mod engagement;
pub mod error;
pub mod framework;
pub mod indicators;
pub mod input;
pub mod org;
pub mod performance;
pub mod programmes;
pub mod reviews;
pub mod risks;
pub mod structure;
pub mod tables;
pub mod tenancy;

pub use error::{AppError, FieldError, Result};
pub use goldthread_store::{Db, audit::ActorRef, framework::Rec};

use goldthread_domain::permission::{Actor, Write};
use goldthread_domain::{Code, Email, Role};
use goldthread_store::TenantId;
use goldthread_store::accounts::Tenant;

/// The application: a database and the services around it.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    cache: std::sync::Arc<cache::PerfCache>,
}

impl App {
    pub fn new(db: Db) -> App {
        App {
            db,
            cache: Default::default(),
        }
    }
}

/// Someone acting within one tenant: a signed-in person, a token holder, or the CLI.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: Tenant,
    pub actor: Actor,
    pub name: String,
    pub who: ActorRef,
}

impl Caller {
    /// The command line acting on a tenant, with admin rights.
    pub fn cli(tenant: Tenant) -> Caller {
        Caller {
            tenant,
            actor: Actor {
                email: Email::parse("cli@goldthread.invalid").expect("valid"),
                role: Role::Admin,
                scope: Vec::new(),
            },
            name: "Command line".into(),
            who: ActorRef::cli(),
        }
    }

    /// Anyone reading a council's public pages: a member's rights, never a write.
    pub fn public(tenant: Tenant) -> Caller {
        Caller {
            tenant,
            actor: Actor {
                email: Email::parse("public@goldthread.invalid").expect("valid"),
                role: Role::Member,
                scope: Vec::new(),
            },
            name: "The public".into(),
            who: ActorRef::cli(),
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant.tenant_id()
    }

    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// Refuses with 403 unless the caller may make `write`.
    pub fn require(
        &self,
        write: Write<'_>,
        fw: &goldthread_domain::framework::Framework,
    ) -> Result<()> {
        if self.actor.may(write, fw) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "your role ({}) does not allow this change",
                self.actor.role
            )))
        }
    }

    /// Requires that the caller may change a register entry linked to
    /// `before` so that it links to `after` (see `Actor::may_relink`).
    pub fn require_relink(
        &self,
        before: goldthread_domain::permission::Links<'_>,
        after: goldthread_domain::permission::Links<'_>,
        fw: &goldthread_domain::framework::Framework,
    ) -> Result<()> {
        if self.actor.may_relink(before, after, fw) {
            Ok(())
        } else if self.actor.may_relink(before, before, fw) {
            Err(AppError::Forbidden(
                "you may not remove a link to a service or outcome you do not manage".into(),
            ))
        } else {
            Err(AppError::Forbidden(format!(
                "your role ({}) does not allow this change",
                self.actor.role
            )))
        }
    }

    pub fn require_audit_reader(&self) -> Result<()> {
        if self.actor.reads_audit() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only admins and auditors can read the audit trail".into(),
            ))
        }
    }

    pub fn scope_codes(&self) -> &[Code] {
        &self.actor.scope
    }
}
