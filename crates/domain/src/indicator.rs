//! Indicators and their data: the records behind the performance engine. Field
//! names are the import columns' names.
use crate::performance::{DataStatus, Polarity, Source, Tier, Tolerance, Unit};
use crate::period::{Frequency, Period};
use crate::{Code, Email};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub code: Code,
    pub title: String,
    pub tier: Tier,
    pub unit: Unit,
    pub polarity: Polarity,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub frequency: Frequency,
    pub source: Source,
    pub owner: Option<Email>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tolerance: Tolerance,
    /// The default target band for in-band indicators (targets may set one per period).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_low: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_high: Option<Decimal>,
    pub services: Vec<Code>,
    pub outcomes: Vec<Code>,
    pub by_locality: bool,
    /// Days after a period ends before a missing value is overdue.
    pub deadline_days: i64,
    pub definition: String,
    /// The benchmarking typology that defines this indicator's family group.
    pub benchmark_typology: Option<String>,
}

impl Indicator {
    pub fn default_band(&self) -> Option<(Decimal, Decimal)> {
        self.band_low.zip(self.band_high)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measurement {
    pub indicator: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    /// A locality code; none for the whole area.
    pub locality: Option<Code>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub value: Option<Decimal>,
    pub missing_reason: String,
    pub status: DataStatus,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    pub indicator: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub target: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_low: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band_high: Option<Decimal>,
}

impl Target {
    pub fn band(&self) -> Option<(Decimal, Decimal)> {
        self.band_low.zip(self.band_high)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Locality {
    pub code: Code,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenchmarkGroup {
    pub typology: String,
    pub group: String,
    pub area: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenchmarkValue {
    pub indicator: Code,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub period: Period,
    pub area: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Decimal,
}
