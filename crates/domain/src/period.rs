//! Typed reporting periods (DOMAIN §2): financial year `2024/25` (1 Apr–31 Mar),
//! financial quarter `2024/25 Q1` (Q1 = Apr–Jun), month `2024-05`, calendar year
//! `2024`, academic year `AY2024/25` (1 Aug–31 Jul).
//!
//! `2024-25` is accepted for a financial year on import. Because `2010-11` could be
//! the financial year 2010/11 or November 2010, parsing takes the frequency the
//! indicator is measured at; text written by goldthread is never ambiguous.
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// How often an indicator is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    FinancialYear,
    AcademicYear,
    CalendarYear,
}

impl Frequency {
    pub const ALL: &'static [Frequency] = &[
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::FinancialYear,
        Frequency::AcademicYear,
        Frequency::CalendarYear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::FinancialYear => "financial-year",
            Frequency::AcademicYear => "academic-year",
            Frequency::CalendarYear => "calendar-year",
        }
    }

    /// Periods per year.
    pub fn per_year(self) -> i32 {
        match self {
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            _ => 1,
        }
    }

    /// An example of the period's text form, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Frequency::Monthly => "2024-05",
            Frequency::Quarterly => "2024/25 Q1",
            Frequency::FinancialYear => "2024/25",
            Frequency::AcademicYear => "AY2024/25",
            Frequency::CalendarYear => "2024",
        }
    }
}

impl std::str::FromStr for Frequency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Frequency::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown frequency '{}' (expected one of: {})",
                    s.trim(),
                    Frequency::ALL
                        .iter()
                        .map(|f| f.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reporting period. Years are the year the period starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month {
        year: i32,
        month: u8,
    },
    /// Financial quarter `q` (1–4) of the financial year starting in April of `year`.
    Quarter {
        year: i32,
        q: u8,
    },
    FinancialYear(i32),
    AcademicYear(i32),
    CalendarYear(i32),
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month 1-12"), d).expect("valid date")
}

fn last_day(y: i32, m: u8) -> Date {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    date(ny, nm, 1).previous_day().expect("not the first day")
}

/// Parses `YYYY/YY` (or `YYYY-YY`): a year and the next year's last two digits.
fn split_years(s: &str, seps: &[char]) -> Option<i32> {
    let (a, b) = s.split_once(|c| seps.contains(&c))?;
    if a.len() != 4 || b.len() != 2 || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let start: i32 = a.parse().ok()?;
    let end: i32 = b.parse().ok()?;
    (end == (start + 1) % 100).then_some(start)
}

fn year4(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Period {
    pub fn frequency(self) -> Frequency {
        match self {
            Period::Month { .. } => Frequency::Monthly,
            Period::Quarter { .. } => Frequency::Quarterly,
            Period::FinancialYear(_) => Frequency::FinancialYear,
            Period::AcademicYear(_) => Frequency::AcademicYear,
            Period::CalendarYear(_) => Frequency::CalendarYear,
        }
    }

    /// Parses a period of the given frequency.
    pub fn parse(s: &str, frequency: Frequency) -> Result<Period, String> {
        let t = s.trim();
        let bad = || {
            format!(
                "'{t}' is not a {} period (write it like {})",
                frequency,
                frequency.example()
            )
        };
        let p = match frequency {
            Frequency::FinancialYear => split_years(t, &['/', '-']).map(Period::FinancialYear),
            Frequency::AcademicYear => t
                .strip_prefix("AY")
                .or_else(|| t.strip_prefix("ay"))
                .and_then(|r| split_years(r.trim(), &['/', '-']))
                .map(Period::AcademicYear),
            Frequency::CalendarYear => year4(t).map(Period::CalendarYear),
            Frequency::Quarterly => {
                let (fy, q) = t.rsplit_once(|c: char| c.is_whitespace()).ok_or_else(bad)?;
                let q = q
                    .strip_prefix('Q')
                    .or_else(|| q.strip_prefix('q'))
                    .and_then(|n| n.parse::<u8>().ok());
                match (split_years(fy.trim(), &['/', '-']), q) {
                    (Some(year), Some(q @ 1..=4)) => Some(Period::Quarter { year, q }),
                    _ => None,
                }
            }
            Frequency::Monthly => t.split_once('-').and_then(|(y, m)| {
                let year = year4(y)?;
                let month: u8 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
                (1..=12)
                    .contains(&month)
                    .then_some(Period::Month { year, month })
            }),
        };
        p.ok_or_else(bad)
    }

    /// Parses a period in any frequency from its canonical text (as goldthread writes it).
    pub fn parse_any(s: &str) -> Result<Period, String> {
        let t = s.trim();
        let f = if t.starts_with("AY") {
            Frequency::AcademicYear
        } else if t.contains('Q') {
            Frequency::Quarterly
        } else if t.contains('/') {
            Frequency::FinancialYear
        } else if t.contains('-') {
            Frequency::Monthly
        } else {
            Frequency::CalendarYear
        };
        Period::parse(t, f)
    }

    pub fn start(self) -> Date {
        match self {
            Period::Month { year, month } => date(year, month, 1),
            Period::Quarter { year, q } => {
                let m = 4 + 3 * (q - 1);
                if m > 12 {
                    date(year + 1, m - 12, 1)
                } else {
                    date(year, m, 1)
                }
            }
            Period::FinancialYear(y) => date(y, 4, 1),
            Period::AcademicYear(y) => date(y, 8, 1),
            Period::CalendarYear(y) => date(y, 1, 1),
        }
    }

    pub fn end(self) -> Date {
        match self {
            Period::Month { year, month } => last_day(year, month),
            Period::Quarter { .. } => self
                .next()
                .start()
                .previous_day()
                .expect("not the first day"),
            Period::FinancialYear(y) => date(y + 1, 3, 31),
            Period::AcademicYear(y) => date(y + 1, 7, 31),
            Period::CalendarYear(y) => date(y, 12, 31),
        }
    }

    /// A running index (periods since year 0 at this frequency), for arithmetic.
    fn index(self) -> i64 {
        match self {
            Period::Month { year, month } => i64::from(year) * 12 + i64::from(month) - 1,
            Period::Quarter { year, q } => i64::from(year) * 4 + i64::from(q) - 1,
            Period::FinancialYear(y) | Period::AcademicYear(y) | Period::CalendarYear(y) => {
                i64::from(y)
            }
        }
    }

    fn from_index(f: Frequency, i: i64) -> Period {
        match f {
            Frequency::Monthly => Period::Month {
                year: i.div_euclid(12) as i32,
                month: (i.rem_euclid(12) + 1) as u8,
            },
            Frequency::Quarterly => Period::Quarter {
                year: i.div_euclid(4) as i32,
                q: (i.rem_euclid(4) + 1) as u8,
            },
            Frequency::FinancialYear => Period::FinancialYear(i as i32),
            Frequency::AcademicYear => Period::AcademicYear(i as i32),
            Frequency::CalendarYear => Period::CalendarYear(i as i32),
        }
    }

    /// This period shifted by `n` periods of its own frequency.
    pub fn offset(self, n: i64) -> Period {
        Period::from_index(self.frequency(), self.index() + n)
    }

    pub fn previous(self) -> Period {
        self.offset(-1)
    }

    pub fn next(self) -> Period {
        self.offset(1)
    }

    /// The same period a year earlier.
    pub fn year_ago(self) -> Period {
        self.offset(-i64::from(self.frequency().per_year()))
    }

    /// Periods from `self` to `last`, inclusive, in order (empty if `last` is earlier).
    pub fn through(self, last: Period) -> Vec<Period> {
        assert_eq!(
            self.frequency(),
            last.frequency(),
            "periods of one frequency"
        );
        (self.index()..=last.index())
            .map(|i| Period::from_index(self.frequency(), i))
            .collect()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fy = |y: i32| format!("{y}/{:02}", (y + 1).rem_euclid(100));
        match *self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, q } => write!(f, "{} Q{q}", fy(year)),
            Period::FinancialYear(y) => f.write_str(&fy(y)),
            Period::AcademicYear(y) => write!(f, "AY{}", fy(y)),
            Period::CalendarYear(y) => write!(f, "{y:04}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse_any(&s).map_err(serde::de::Error::custom)
    }
}

/// A financial year (1 April to 31 March), named by the calendar year it
/// starts in: `FinancialYear(2024)` is 2024/25. Written `2024/25`; `2024-25` is
/// also read. Budgets, savings and funding gaps are kept by financial year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// Reads `2024/25` (or `2024-25`).
    pub fn parse(s: &str) -> Result<FinancialYear, String> {
        match Period::parse(s, Frequency::FinancialYear)? {
            Period::FinancialYear(y) => Ok(FinancialYear(y)),
            _ => unreachable!("a financial-year period"),
        }
    }

    /// The calendar year it starts in.
    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn period(self) -> Period {
        Period::FinancialYear(self.0)
    }

    pub fn start(self) -> Date {
        self.period().start()
    }

    pub fn end(self) -> Date {
        self.period().end()
    }

    pub fn next(self) -> FinancialYear {
        FinancialYear(self.0 + 1)
    }

    /// The financial year `d` falls in.
    pub fn containing(d: Date) -> FinancialYear {
        FinancialYear(if u8::from(d.month()) >= 4 {
            d.year()
        } else {
            d.year() - 1
        })
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.period().fmt(f)
    }
}

impl std::str::FromStr for FinancialYear {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FinancialYear::parse(s)
    }
}

impl Serialize for FinancialYear {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for FinancialYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FinancialYear::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn p(s: &str, f: Frequency) -> Period {
        Period::parse(s, f).unwrap()
    }

    #[test]
    fn text_forms_and_dates() {
        use Frequency::*;
        let cases = [
            (
                "2024/25",
                FinancialYear,
                "2024/25",
                date!(2024 - 04 - 01),
                date!(2025 - 03 - 31),
            ),
            (
                "2024-25",
                FinancialYear,
                "2024/25",
                date!(2024 - 04 - 01),
                date!(2025 - 03 - 31),
            ),
            (
                "1999/00",
                FinancialYear,
                "1999/00",
                date!(1999 - 04 - 01),
                date!(2000 - 03 - 31),
            ),
            (
                "2024/25 Q1",
                Quarterly,
                "2024/25 Q1",
                date!(2024 - 04 - 01),
                date!(2024 - 06 - 30),
            ),
            (
                "2024/25 Q3",
                Quarterly,
                "2024/25 Q3",
                date!(2024 - 10 - 01),
                date!(2024 - 12 - 31),
            ),
            (
                "2024/25 Q4",
                Quarterly,
                "2024/25 Q4",
                date!(2025 - 01 - 01),
                date!(2025 - 03 - 31),
            ),
            (
                "2024-02",
                Monthly,
                "2024-02",
                date!(2024 - 02 - 01),
                date!(2024 - 02 - 29),
            ),
            (
                "2024",
                CalendarYear,
                "2024",
                date!(2024 - 01 - 01),
                date!(2024 - 12 - 31),
            ),
            (
                "AY2024/25",
                AcademicYear,
                "AY2024/25",
                date!(2024 - 08 - 01),
                date!(2025 - 07 - 31),
            ),
        ];
        for (text, f, canonical, start, end) in cases {
            let period = p(text, f);
            assert_eq!(period.to_string(), canonical, "{text}");
            assert_eq!((period.start(), period.end()), (start, end), "{text}");
            assert_eq!(Period::parse_any(canonical).unwrap(), period, "{canonical}");
        }
    }

    #[test]
    fn the_frequency_decides_ambiguous_text() {
        assert_eq!(
            p("2010-11", Frequency::FinancialYear),
            Period::FinancialYear(2010)
        );
        assert_eq!(
            p("2010-11", Frequency::Monthly),
            Period::Month {
                year: 2010,
                month: 11
            }
        );
    }

    #[test]
    fn malformed_periods_are_refused() {
        use Frequency::*;
        for (text, f) in [
            ("2024/26", FinancialYear),
            ("2024", FinancialYear),
            ("2024/25 Q5", Quarterly),
            ("2024/25", Quarterly),
            ("2024-13", Monthly),
            ("2024-5", Monthly),
            ("24", CalendarYear),
            ("2024/25", AcademicYear),
            ("", Monthly),
        ] {
            assert!(Period::parse(text, f).is_err(), "{text} as {f}");
        }
        assert_eq!(
            Period::parse("2024-13", Monthly).unwrap_err(),
            "'2024-13' is not a monthly period (write it like 2024-05)"
        );
    }

    #[test]
    fn previous_and_year_ago() {
        use Frequency::*;
        assert_eq!(
            p("2024/25 Q1", Quarterly).previous(),
            p("2023/24 Q4", Quarterly)
        );
        assert_eq!(
            p("2024/25 Q1", Quarterly).year_ago(),
            p("2023/24 Q1", Quarterly)
        );
        assert_eq!(p("2024-01", Monthly).previous(), p("2023-12", Monthly));
        assert_eq!(p("2024-01", Monthly).year_ago(), p("2023-01", Monthly));
        assert_eq!(
            p("2024/25", FinancialYear).previous(),
            p("2023/24", FinancialYear)
        );
        assert_eq!(
            p("2024/25", FinancialYear).year_ago(),
            p("2023/24", FinancialYear)
        );
        assert_eq!(
            p("AY2024/25", AcademicYear).year_ago(),
            p("AY2023/24", AcademicYear)
        );
        assert_eq!(p("2024", CalendarYear).previous(), p("2023", CalendarYear));
        assert_eq!(
            p("2024/25 Q2", Quarterly)
                .through(p("2025/26 Q1", Quarterly))
                .len(),
            4
        );
    }

    fn any_period() -> impl Strategy<Value = Period> {
        prop_oneof![
            (1990i32..2100, 1u8..=12).prop_map(|(year, month)| Period::Month { year, month }),
            (1990i32..2100, 1u8..=4).prop_map(|(year, q)| Period::Quarter { year, q }),
            (1990i32..2100).prop_map(Period::FinancialYear),
            (1990i32..2100).prop_map(Period::AcademicYear),
            (1990i32..2100).prop_map(Period::CalendarYear),
        ]
    }

    proptest! {
        /// Text round-trips; consecutive periods tile time with no gap or overlap;
        /// a year ago is `per_year` steps back and 365 or 366 days earlier.
        #[test]
        fn periods_tile_time(period in any_period()) {
            prop_assert_eq!(Period::parse(&period.to_string(), period.frequency()).unwrap(), period);
            prop_assert_eq!(Period::parse_any(&period.to_string()).unwrap(), period);
            prop_assert_eq!(period.next().start(), period.end().next_day().unwrap());
            prop_assert_eq!(period.next().previous(), period);
            prop_assert!(period.start() <= period.end());
            let back = (period.start() - period.year_ago().start()).whole_days();
            prop_assert!(back == 365 || back == 366);
        }
    }

    #[test]
    fn financial_years_read_write_and_contain_their_days() {
        let y = FinancialYear::parse("2024/25").unwrap();
        assert_eq!(y, FinancialYear(2024));
        assert_eq!(FinancialYear::parse("2024-25").unwrap(), y);
        assert_eq!(y.to_string(), "2024/25");
        assert_eq!(FinancialYear(1999).to_string(), "1999/00");
        assert_eq!(
            (y.start(), y.end()),
            (date!(2024 - 04 - 01), date!(2025 - 03 - 31))
        );
        assert_eq!(FinancialYear::containing(date!(2025 - 03 - 31)), y);
        assert_eq!(FinancialYear::containing(date!(2025 - 04 - 01)), y.next());
        for bad in ["2024", "2024/26", "2024/25 Q1", "AY2024/25", ""] {
            assert!(FinancialYear::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            FinancialYear::parse("2024").unwrap_err(),
            "'2024' is not a financial-year period (write it like 2024/25)"
        );
        let json = serde_json::to_string(&y).unwrap();
        assert_eq!(json, "\"2024/25\"");
        assert_eq!(serde_json::from_str::<FinancialYear>(&json).unwrap(), y);
    }
}
