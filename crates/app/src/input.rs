//! What callers send to create or change records. Field names are the import
//! columns' names (money as integer pence with `_pence` added). Each input becomes
//! a one-row table and is validated by the importer's own rules.
use goldthread_domain::money::format_pounds_plain;
use goldthread_io::Table;
use serde::Deserialize;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutcomeInput {
    pub code: String,
    pub title: String,
    /// national, local, priority or theme.
    pub kind: String,
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// Required when updating: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PortfolioInput {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub outcome_leader: Option<String>,
    #[serde(default)]
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceInput {
    pub code: String,
    pub title: String,
    pub portfolio: String,
    #[serde(default)]
    pub lead: Option<String>,
    pub statutory_basis: String,
    pub grouping: String,
    pub delivery_model: String,
    pub gross_cost_pence: i64,
    pub income_pence: i64,
    pub net_budget_pence: i64,
    /// An exact decimal such as "12.5".
    #[serde(default)]
    pub fte: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub next_review: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanInput {
    pub code: String,
    pub title: String,
    /// delivery-plan, enabling-strategy or service-plan.
    pub kind: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    pub email: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CellInput {
    /// primary, significant or some.
    pub strength: String,
    #[serde(default)]
    pub note: String,
    /// Required when changing an existing cell: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RaciLine {
    /// The person's email.
    pub person: String,
    /// R, A, C or I.
    pub raci: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RaciInput {
    pub items: Vec<RaciLine>,
}

fn list(v: &[String]) -> String {
    v.join(";")
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// A one-row table named after `table`, whose error rows are reported without a file.
pub(crate) fn one_row(table: &str, headers: &[&str], cells: Vec<String>) -> Table {
    Table {
        name: table.to_string(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: vec![(2, cells)],
    }
}

impl OutcomeInput {
    pub(crate) fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            self.kind.clone(),
            list(&self.links),
            self.description.clone(),
        ]
    }
}
impl PortfolioInput {
    pub(crate) fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            opt(&self.outcome_leader),
            list(&self.outcomes),
        ]
    }
}
impl ServiceInput {
    pub(crate) fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            self.portfolio.clone(),
            opt(&self.lead),
            self.statutory_basis.clone(),
            self.grouping.clone(),
            self.delivery_model.clone(),
            format_pounds_plain(self.gross_cost_pence),
            format_pounds_plain(self.income_pence),
            format_pounds_plain(self.net_budget_pence),
            self.fte.clone(),
            opt(&self.next_review),
            self.description.clone(),
        ]
    }
}
impl PlanInput {
    pub(crate) fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title.clone(),
            self.kind.clone(),
            opt(&self.owner),
            list(&self.outcomes),
        ]
    }
}
impl PersonInput {
    pub(crate) fn cells(&self) -> Vec<String> {
        vec![
            self.email.clone(),
            self.name.clone(),
            self.role.clone(),
            list(&self.scope),
        ]
    }
}
