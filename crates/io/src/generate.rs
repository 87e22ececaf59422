//! Synthetic data at national scale, for benchmarks and tests: many councils,
//! each with a framework and indicators, measurements, targets and localities,
//! plus a shared benchmark set. Deterministic: the same seed gives the same
//! files, byte for byte. Not the demo (the demo is the Clackmannanshire council).
use crate::framework::csv_bytes;
use crate::performance::{
    BENCHMARK_GROUPS, BENCHMARK_VALUES, INDICATORS, LOCALITIES, MEASUREMENTS, TARGETS,
};
use goldthread_domain::period::{Frequency, Period};
use std::path::Path;

/// SplitMix64: small, fast and stable across versions (unlike library RNGs).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A uniform number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub councils: usize,
    pub indicators: usize,
    pub periods: usize,
    pub seed: u64,
    /// The last period generated ends before this date.
    pub today: time::Date,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub councils: usize,
    pub indicators: usize,
    pub measurements: usize,
    pub targets: usize,
    pub benchmark_values: usize,
}

fn write(dir: &Path, name: &str, headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = csv_bytes(headers, rows).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(format!("{name}.csv")), bytes)
}

const POLARITIES: [&str; 4] = ["higher-better", "lower-better", "in-band", "data-only"];
const FREQUENCIES: [Frequency; 5] = [
    Frequency::Quarterly,
    Frequency::FinancialYear,
    Frequency::Monthly,
    Frequency::AcademicYear,
    Frequency::CalendarYear,
];

/// The last period of `f` that ends before `today`.
fn last_ended(f: Frequency, today: time::Date) -> Period {
    let mut p = match f {
        Frequency::Monthly => Period::Month {
            year: today.year(),
            month: 1,
        },
        Frequency::Quarterly => Period::Quarter {
            year: today.year(),
            q: 1,
        },
        Frequency::FinancialYear => Period::FinancialYear(today.year()),
        Frequency::AcademicYear => Period::AcademicYear(today.year()),
        Frequency::CalendarYear => Period::CalendarYear(today.year()),
    };
    while p.end() >= today {
        p = p.previous();
    }
    while p.next().end() < today {
        p = p.next();
    }
    p
}

/// Writes `DIR/council-NN/*.csv` for every council and `DIR/benchmark-*.csv`.
pub fn national(spec: &Spec, out: &Path) -> std::io::Result<Written> {
    let mut rng = Rng(spec.seed);
    let mut w = Written {
        councils: spec.councils,
        indicators: spec.indicators,
        ..Default::default()
    };
    // Indicator definitions are shared by every council (as LGBF measures are).
    struct Def {
        code: String,
        polarity: &'static str,
        frequency: Frequency,
        tier: &'static str,
        base: f64,
        by_locality: bool,
    }
    let defs: Vec<Def> = (0..spec.indicators)
        .map(|i| Def {
            code: format!("IND{:05}", i + 1),
            polarity: POLARITIES[i % 4],
            frequency: FREQUENCIES[(i / 4) % 5],
            tier: ["outcome", "service", "service", "enabler"][(i / 3) % 4],
            base: 20.0 + rng.unit() * 60.0,
            by_locality: i % 50 == 7,
        })
        .collect();
    let areas: Vec<String> = (1..=spec.councils)
        .map(|k| format!("Council {k:02}"))
        .collect();
    let mut bench_values = Vec::new();
    for (k, area) in areas.iter().enumerate() {
        let dir = out.join(format!("council-{:02}", k + 1));
        let services = 40;
        write(&dir, "people", crate::framework::PEOPLE, &{
            let mut v = vec![vec![
                format!("admin@council{:02}.example", k + 1),
                "Admin".into(),
                "admin".into(),
                String::new(),
            ]];
            for d in 1..=3 {
                v.push(vec![
                    format!("director{d}@council{:02}.example", k + 1),
                    format!("Director {d}"),
                    "outcome-leader".into(),
                    format!("P{d}"),
                ]);
            }
            v
        })?;
        let national = [
            "CYP", "COM", "CUL", "ECO", "EDU", "ENV", "FWB", "HEA", "HR", "INT", "POV",
        ];
        let mut outcomes: Vec<Vec<String>> = national
            .iter()
            .map(|n| {
                vec![
                    format!("NPF-{n}"),
                    format!("National {n}"),
                    "national".into(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        for l in 1..=4 {
            outcomes.push(vec![
                format!("LO{l}"),
                format!("Local outcome {l}"),
                "local".into(),
                format!("NPF-{}", national[l * 2]),
                String::new(),
            ]);
        }
        write(&dir, "outcomes", crate::framework::OUTCOMES, &outcomes)?;
        write(
            &dir,
            "portfolios",
            crate::framework::PORTFOLIOS,
            &(1..=3)
                .map(|d| {
                    vec![
                        format!("P{d}"),
                        format!("Portfolio {d}"),
                        format!("director{d}@council{:02}.example", k + 1),
                        format!("LO{d}"),
                    ]
                })
                .collect::<Vec<_>>(),
        )?;
        let groupings = [
            "universal-transactional",
            "local-family-community",
            "vulnerable-people-families",
            "universal-community",
            "centralised-specialist",
            "support",
        ];
        write(
            &dir,
            "services",
            crate::framework::SERVICES,
            &(1..=services)
                .map(|s| {
                    let gross = 100_000 + rng.below(5_000_000);
                    let income = rng.below(gross / 2);
                    vec![
                        format!("S{s:03}"),
                        format!("Service {s}"),
                        format!("P{}", 1 + s % 3),
                        String::new(),
                        "statutory".into(),
                        groupings[s % 6].into(),
                        "self-delivery".into(),
                        gross.to_string(),
                        income.to_string(),
                        (gross - income).to_string(),
                        format!("{}", 1 + rng.below(200)),
                        String::new(),
                        "Synthetic.".into(),
                    ]
                })
                .collect::<Vec<_>>(),
        )?;
        write(
            &dir,
            "contributions",
            crate::framework::CONTRIBUTIONS,
            &(1..=services)
                .map(|s| {
                    vec![
                        format!("S{s:03}"),
                        format!("LO{}", 1 + s % 4),
                        ["primary", "significant", "some"][s % 3].into(),
                        String::new(),
                    ]
                })
                .collect::<Vec<_>>(),
        )?;
        write(
            &dir,
            "raci",
            crate::framework::RACI,
            &(1..=3)
                .map(|d| {
                    vec![
                        format!("LO{d}"),
                        format!("director{d}@council{:02}.example", k + 1),
                        "A".into(),
                    ]
                })
                .collect::<Vec<_>>(),
        )?;
        write(
            &dir,
            "localities",
            LOCALITIES,
            &(1..=4)
                .map(|l| vec![format!("L{l}"), format!("Locality {l}")])
                .collect::<Vec<_>>(),
        )?;
        let mut inds = Vec::new();
        let mut targets = Vec::new();
        let mut measurements = Vec::new();
        for (i, d) in defs.iter().enumerate() {
            let in_band = d.polarity == "in-band";
            let (services_col, outcomes_col) = match d.tier {
                "outcome" => (String::new(), format!("LO{}", 1 + i % 4)),
                "service" => (format!("S{:03}", 1 + i % services), String::new()),
                _ => (String::new(), String::new()),
            };
            inds.push(vec![
                d.code.clone(),
                format!("Indicator {}", i + 1),
                d.tier.into(),
                "percent".into(),
                d.polarity.into(),
                d.frequency.as_str().into(),
                if i % 3 == 0 {
                    "LGBF".into()
                } else {
                    "local".into()
                },
                String::new(),
                if i % 7 == 0 {
                    "10%".into()
                } else {
                    String::new()
                },
                if in_band {
                    format!("{:.0}", d.base - 5.0)
                } else {
                    String::new()
                },
                if in_band {
                    format!("{:.0}", d.base + 5.0)
                } else {
                    String::new()
                },
                services_col,
                outcomes_col,
                if d.by_locality {
                    "yes".into()
                } else {
                    "no".into()
                },
                String::new(),
                "Synthetic.".into(),
                if i % 3 == 0 {
                    "people".into()
                } else {
                    String::new()
                },
            ]);
            let last = last_ended(d.frequency, spec.today);
            let first = last.offset(-(spec.periods as i64 - 1));
            for (n, p) in first.through(last).into_iter().enumerate() {
                let drift =
                    (rng.unit() - 0.5) * 8.0 + (k as f64 - spec.councils as f64 / 2.0) * 0.2;
                let value = d.base + drift + n as f64 * 0.1;
                let missing = rng.below(100) < 2;
                let row = |loc: String, v: f64| {
                    vec![
                        d.code.clone(),
                        p.to_string(),
                        loc,
                        if missing {
                            String::new()
                        } else {
                            format!("{v:.2}")
                        },
                        if missing {
                            "Not collected".into()
                        } else {
                            String::new()
                        },
                        if n + 1 == spec.periods {
                            "submitted".into()
                        } else {
                            "assured".into()
                        },
                        String::new(),
                    ]
                };
                measurements.push(row(String::new(), value));
                if d.by_locality {
                    for l in 1..=4 {
                        measurements.push(row(format!("L{l}"), value + l as f64 - 2.5));
                    }
                }
                if d.polarity != "data-only" {
                    targets.push(if in_band {
                        vec![
                            d.code.clone(),
                            p.to_string(),
                            String::new(),
                            format!("{:.0}", d.base - 5.0),
                            format!("{:.0}", d.base + 5.0),
                        ]
                    } else {
                        vec![
                            d.code.clone(),
                            p.to_string(),
                            format!("{:.1}", d.base),
                            String::new(),
                            String::new(),
                        ]
                    });
                }
                if i % 3 == 0 && !missing {
                    bench_values.push(vec![
                        d.code.clone(),
                        p.to_string(),
                        area.clone(),
                        format!("{value:.2}"),
                    ]);
                }
            }
        }
        w.measurements += measurements.len();
        w.targets += targets.len();
        write(&dir, "indicators", INDICATORS, &inds)?;
        write(&dir, "targets", TARGETS, &targets)?;
        write(&dir, "measurements", MEASUREMENTS, &measurements)?;
    }
    w.benchmark_values = bench_values.len();
    write(
        out,
        "benchmark-groups",
        BENCHMARK_GROUPS,
        &areas
            .iter()
            .enumerate()
            .map(|(k, a)| vec!["people".into(), format!("{}", 1 + k % 4), a.clone()])
            .collect::<Vec<_>>(),
    )?;
    write(out, "benchmark-values", BENCHMARK_VALUES, &bench_values)?;
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_files() {
        let spec = Spec {
            councils: 2,
            indicators: 20,
            periods: 4,
            seed: 7,
            today: time::macros::date!(2026 - 11 - 23),
        };
        let base = std::env::temp_dir().join(format!("gt-gen-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        let wa = national(&spec, &a).unwrap();
        national(&spec, &b).unwrap();
        for f in [
            "council-01/measurements.csv",
            "council-02/indicators.csv",
            "benchmark-values.csv",
        ] {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        assert_eq!(
            wa.measurements,
            2 * (20 * 4 + 4 * 4),
            "one by-locality indicator adds 4 rows a period"
        );
        std::fs::remove_dir_all(base).unwrap();
    }
}
