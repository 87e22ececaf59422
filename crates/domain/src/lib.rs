//! Pure domain types and rules for goldthread. No I/O lives here: every rule the
//! product computes (One Fund attribution, framework gaps, the golden thread,
//! permissions) is a function of plain data, so it can be table- and property-tested.
#![forbid(unsafe_code)]

#[macro_use]
pub mod enums;
pub mod actions;
pub mod assessment;
pub mod benefits;
pub mod commissioning;
pub mod engagement;
pub mod framework;
pub mod indicator;
pub mod mixed;
pub mod money;
pub mod one_fund;
pub mod org;
pub mod performance;
pub mod period;
pub mod permission;
pub mod programme;
pub mod review;
pub mod risk;
pub mod scorecard;
pub mod values;

pub use enums::*;
pub use values::{Code, Email, Fte, ParseError};
