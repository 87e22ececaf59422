//! One error type for every use case, with a stable code for the API.
use goldthread_io::ImportError;
use goldthread_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    Duplicate(String),
    #[error("some fields are not valid")]
    Validation(Vec<FieldError>),
    #[error("the import was rejected; nothing was written ({} problem(s))", .0.len())]
    Import(Vec<ImportError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("too many failed sign-in attempts; try again in a few minutes")]
    RateLimited,
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::InUse(_) => "in_use",
            AppError::Duplicate(_) => "duplicate",
            AppError::Validation(_) => "validation",
            AppError::Import(_) => "import_rejected",
            AppError::BadRequest(_) => "bad_request",
            AppError::RateLimited => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// Field-level details, if any.
    pub fn details(&self) -> Vec<FieldError> {
        match self {
            AppError::Validation(v) => v.clone(),
            AppError::Import(errors) => errors
                .iter()
                .map(|e| FieldError {
                    field: match (&e.row, &e.column) {
                        (Some(r), Some(c)) => format!("{}:{r}:{c}", e.file),
                        (Some(r), None) => format!("{}:{r}", e.file),
                        _ => e.file.clone(),
                    },
                    message: e.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { .. } => AppError::Conflict(e.to_string()),
            StoreError::NotFound => AppError::NotFound("not found".into()),
            StoreError::InUse(m) => AppError::InUse(m),
            StoreError::Duplicate(m) => AppError::Duplicate(m),
            StoreError::Invalid(m) => AppError::BadRequest(m),
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

/// Refuses a change made against a version of `what` that is no longer current.
pub(crate) fn check_version(what: &str, sent: i64, current: i64) -> Result<()> {
    if sent == current {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "this {what} was changed by someone else (you sent version {sent}, it is now at {current}); reload and try again"
        )))
    }
}

impl From<ImportError> for AppError {
    /// A file refused before any of it was read (too large, a zip bomb): an
    /// import rejected with that one problem.
    fn from(e: ImportError) -> Self {
        AppError::Import(vec![e])
    }
}
