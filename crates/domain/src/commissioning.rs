//! Commissioning (DOMAIN §4, "the commissioning view of partnership and
//! commissioned services with partner, contract dates and performance"): the
//! contracts and agreements through which a service is delivered or bought in,
//! and where each stands against today.
use crate::{Code, DeliveryModel};
use serde::{Deserialize, Serialize};
use time::Date;

/// How far ahead a contract's end counts as "ending soon": re-procuring,
/// extending or bringing a service back in-house takes about a year.
pub const ENDING_SOON_MONTHS: u32 = 12;

vocabulary!(
    /// Where a contract stands on a given day.
    ContractStatus, "contract status" {
        NotStarted => "not-started",
        Current => "current",
        EndingSoon => "ending-soon",
        Ended => "ended",
    }
);

/// A contract or agreement with a partner for (part of) a service: a commercial
/// contract, a partnership or service-level agreement, a grant to a community
/// body. Its code is the council's contract reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    pub code: Code,
    /// The service it delivers or buys in for.
    pub service: Code,
    /// Who delivers it: a company, public body, partnership or community group.
    pub partner: String,
    pub title: String,
    /// The first day of the contract.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub start: Date,
    /// The last day of the contract (on or after `start`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub end: Date,
    /// Its total value over the whole term, in pence (zero or more).
    pub value_pence: i64,
    pub description: String,
}

impl Contract {
    /// Where the contract stands on `today` (see [`classify`]).
    pub fn status(&self, today: Date) -> ContractStatus {
        classify(self.start, self.end, today)
    }
}

/// Where a contract running from `start` to `end` (both days included) stands
/// on `today`:
/// - **ended** once its last day has passed (`end < today`);
/// - **not started** before its first day (`today < start`);
/// - **ending soon** while it runs and ends within [`ENDING_SOON_MONTHS`]
///   months, i.e. `end ≤ today + 12 months` (a month later is the same day of
///   the month, or that month's last day when it has no such day: from
///   29 February the horizon is 28 February next year);
/// - **current** while it runs and ends after that.
///
/// A contract on its last day is still running (ending soon, not ended); on its
/// first day it has started.
pub fn classify(start: Date, end: Date, today: Date) -> ContractStatus {
    if end < today {
        ContractStatus::Ended
    } else if today < start {
        ContractStatus::NotStarted
    } else if end <= ending_soon_horizon(today) {
        ContractStatus::EndingSoon
    } else {
        ContractStatus::Current
    }
}

/// The last end date that counts as ending soon on `today`.
pub fn ending_soon_horizon(today: Date) -> Date {
    add_months(today, ENDING_SOON_MONTHS)
}

/// `months` calendar months after `d`: the same day of the month, or the last
/// day of the month reached when it is shorter (31 January + 1 month =
/// 28 or 29 February).
pub fn add_months(d: Date, months: u32) -> Date {
    let total = i64::from(u8::from(d.month())) - 1 + i64::from(months);
    let year = d.year() + i32::try_from(total / 12).expect("a year in range");
    let month = time::Month::try_from((total % 12 + 1) as u8).expect("a month");
    let day = d.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).expect("a real date")
}

/// Whether a service delivered this way is delivered by others (partnership,
/// another public body, a commercial provider, jointly commissioned with other
/// councils or community-led) — the commissioning view's services.
pub fn delivered_by_others(model: DeliveryModel) -> bool {
    matches!(
        model,
        DeliveryModel::Partnership
            | DeliveryModel::OtherPublicBody
            | DeliveryModel::Commercial
            | DeliveryModel::JointCommissioning
            | DeliveryModel::CommunityLed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_later_keep_the_day_or_take_the_months_last() {
        for (from, months, to) in [
            (date!(2026 - 11 - 23), 12, date!(2027 - 11 - 23)),
            (date!(2024 - 02 - 29), 12, date!(2025 - 02 - 28)),
            (date!(2027 - 02 - 28), 12, date!(2028 - 02 - 28)),
            (date!(2023 - 02 - 28), 12, date!(2024 - 02 - 28)),
            (date!(2025 - 01 - 31), 1, date!(2025 - 02 - 28)),
            (date!(2024 - 01 - 31), 1, date!(2024 - 02 - 29)),
            (date!(2025 - 03 - 31), 1, date!(2025 - 04 - 30)),
            (date!(2025 - 08 - 31), 6, date!(2026 - 02 - 28)),
            (date!(2025 - 12 - 31), 12, date!(2026 - 12 - 31)),
            (date!(2025 - 12 - 15), 1, date!(2026 - 01 - 15)),
            (date!(2025 - 06 - 30), 0, date!(2025 - 06 - 30)),
            (date!(2025 - 05 - 31), 25, date!(2027 - 06 - 30)),
        ] {
            assert_eq!(add_months(from, months), to, "{from} + {months} months");
        }
    }

    #[test]
    fn a_contract_is_classified_against_today() {
        use ContractStatus::*;
        let today = date!(2026 - 11 - 23);
        for (start, end, expected) in [
            // Ended only once its last day has passed.
            (date!(2023 - 04 - 01), date!(2026 - 11 - 22), Ended),
            (date!(2023 - 04 - 01), date!(2026 - 11 - 23), EndingSoon),
            // Ending soon up to and including a year on; current after.
            (date!(2023 - 04 - 01), date!(2027 - 11 - 23), EndingSoon),
            (date!(2023 - 04 - 01), date!(2027 - 11 - 24), Current),
            (date!(2024 - 04 - 01), date!(2029 - 03 - 31), Current),
            // Started on its first day; not before.
            (date!(2026 - 11 - 23), date!(2029 - 11 - 22), Current),
            (date!(2026 - 11 - 24), date!(2029 - 11 - 22), NotStarted),
            // Not yet started wins over ending within the year.
            (date!(2027 - 01 - 01), date!(2027 - 06 - 30), NotStarted),
            // A one-day contract.
            (today, today, EndingSoon),
        ] {
            assert_eq!(
                classify(start, end, today),
                expected,
                "{start}..{end} on {today}"
            );
        }
    }

    #[test]
    fn the_horizon_at_month_ends_and_in_leap_years() {
        use ContractStatus::*;
        let from = date!(2020 - 01 - 01);
        for (today, end, expected) in [
            // From 29 February the horizon is 28 February next year.
            (date!(2024 - 02 - 29), date!(2025 - 02 - 28), EndingSoon),
            (date!(2024 - 02 - 29), date!(2025 - 03 - 01), Current),
            // From 28 February before a leap year it is 28 February, not the 29th.
            (date!(2027 - 02 - 28), date!(2028 - 02 - 28), EndingSoon),
            (date!(2027 - 02 - 28), date!(2028 - 02 - 29), Current),
            // Month ends of 31-day months stay month ends.
            (date!(2026 - 03 - 31), date!(2027 - 03 - 31), EndingSoon),
            (date!(2026 - 03 - 31), date!(2027 - 04 - 01), Current),
            (date!(2026 - 12 - 31), date!(2027 - 12 - 31), EndingSoon),
            (date!(2026 - 12 - 31), date!(2028 - 01 - 01), Current),
            // Financial year ends.
            (date!(2026 - 04 - 01), date!(2027 - 03 - 31), EndingSoon),
            (date!(2026 - 03 - 31), date!(2027 - 03 - 31), EndingSoon),
            (date!(2026 - 03 - 30), date!(2027 - 03 - 31), Current),
        ] {
            assert_eq!(
                classify(from, end, today),
                expected,
                "ending {end} on {today}"
            );
        }
    }

    #[test]
    fn the_status_has_a_text_form_and_the_contract_classifies_itself() {
        for s in ContractStatus::ALL {
            assert_eq!(s.as_str().parse::<ContractStatus>().unwrap(), *s);
        }
        let c = Contract {
            code: Code::parse("C-1").unwrap(),
            service: Code::parse("S1").unwrap(),
            partner: "Partner".into(),
            title: "Title".into(),
            start: date!(2025 - 04 - 01),
            end: date!(2027 - 03 - 31),
            value_pence: 100,
            description: String::new(),
        };
        assert_eq!(c.status(date!(2026 - 03 - 31)), ContractStatus::EndingSoon);
        assert_eq!(c.status(date!(2026 - 03 - 30)), ContractStatus::Current);
    }

    #[test]
    fn services_delivered_by_others() {
        let by_others: Vec<&str> = DeliveryModel::ALL
            .iter()
            .filter(|m| delivered_by_others(**m))
            .map(|m| m.as_str())
            .collect();
        assert_eq!(
            by_others,
            [
                "partnership",
                "other-public-body",
                "commercial",
                "joint-commissioning",
                "community-led"
            ]
        );
    }
}
