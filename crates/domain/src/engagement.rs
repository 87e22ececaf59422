//! Engagement (DOMAIN §7): consultations and their published responses — "you
//! said, we did" — linked to the services and outcomes they concern.
use crate::Code;
use serde::{Deserialize, Serialize};
use time::Date;

vocabulary!(
    /// Whether a response is shown to the public (and in the One Report).
    ResponseStatus, "response status" {
        Draft => "draft",
        Published => "published",
    }
);

/// A consultation: who was asked what, where and when, and how many answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultation {
    pub code: Code,
    pub title: String,
    pub purpose: String,
    pub audience: String,
    /// A locality code; none for the whole area.
    pub locality: Option<Code>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub opens: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub closes: Date,
    /// How many responses it received.
    pub responses: i64,
    pub services: Vec<Code>,
    pub outcomes: Vec<Code>,
}

/// What people said in a consultation and what the council did about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub consultation: Code,
    pub you_said: String,
    pub we_did: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub date: Date,
    pub status: ResponseStatus,
}

/// A council committee and what it scrutinises: the local outcomes of its
/// portfolios and any outcomes it names (DOMAIN §7: the One Report "per
/// committee"; Clackmannanshire aligned its committees to its portfolios in 2018).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Committee {
    pub code: Code,
    pub title: String,
    pub portfolios: Vec<Code>,
    pub outcomes: Vec<Code>,
}
