//! One Fund (DOMAIN §3, 2026 §4.4): each service's net budget attributed to the
//! outcomes it contributes to, in proportion to contribution weight (primary 1.0,
//! significant 0.5, some 0.25), the weights of one service normalised to sum to 1.
//!
//! Rounding: every share is computed exactly as `net × w / Σw` and rounded down to
//! the penny (towards −∞, so it also holds for negative budgets); the pennies left
//! over (fewer than the number of outcomes the service serves) go one each to the
//! shares with the largest remainders, ties to the outcome whose code sorts first.
//! So each service's shares sum to its net budget exactly, and the attributed total
//! plus the unattributed total equals the sum of all net budgets to the penny.
use crate::Strength;
use serde::Serialize;
use std::collections::BTreeMap;

/// One service's budget and its contributions (outcome code, strength).
#[derive(Debug, Clone)]
pub struct ServiceBudget {
    pub service: String,
    pub net_pence: i64,
    pub contributions: Vec<(String, Strength)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceShare {
    pub service: String,
    pub strength: Strength,
    /// The service's normalised weight for this outcome as an exact fraction `n/d`.
    pub share: String,
    pub service_net_budget_pence: i64,
    pub attributed_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeFund {
    pub outcome: String,
    pub attributed_pence: i64,
    pub services: Vec<ServiceShare>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unattributed {
    pub service: String,
    pub net_budget_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OneFund {
    pub outcomes: Vec<OutcomeFund>,
    pub unattributed: Vec<Unattributed>,
    pub attributed_total_pence: i64,
    pub unattributed_total_pence: i64,
    pub net_budget_total_pence: i64,
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// Splits `net` pence over `weights` (in quarters), as described in the module docs.
/// `keys` orders ties. Returns one amount per weight, summing to `net`.
pub fn split_pence(net: i64, weights: &[i64], keys: &[&str]) -> Vec<i64> {
    let total: i64 = weights.iter().sum();
    assert!(total > 0, "split_pence needs a positive total weight");
    let mut amounts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = i128::from(net) * i128::from(*w);
        let floor = exact.div_euclid(i128::from(total));
        let rem = exact.rem_euclid(i128::from(total));
        amounts.push(floor as i64);
        remainders.push((rem, i));
    }
    let leftover = net - amounts.iter().sum::<i64>();
    // Largest remainder first; ties to the first key.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| keys[a.1].cmp(keys[b.1])));
    for (_, i) in remainders.iter().take(leftover as usize) {
        amounts[*i] += 1;
    }
    amounts
}

/// Computes the One Fund over all services.
pub fn compute(services: &[ServiceBudget]) -> OneFund {
    let mut by_outcome: BTreeMap<String, Vec<ServiceShare>> = BTreeMap::new();
    let mut unattributed = Vec::new();
    for s in services {
        if s.contributions.is_empty() {
            unattributed.push(Unattributed {
                service: s.service.clone(),
                net_budget_pence: s.net_pence,
            });
            continue;
        }
        let mut contributions = s.contributions.clone();
        contributions.sort_by(|a, b| a.0.cmp(&b.0));
        let weights: Vec<i64> = contributions.iter().map(|c| c.1.quarters()).collect();
        let keys: Vec<&str> = contributions.iter().map(|c| c.0.as_str()).collect();
        let total: i64 = weights.iter().sum();
        let amounts = split_pence(s.net_pence, &weights, &keys);
        for ((outcome, strength), amount) in contributions.iter().zip(amounts) {
            let g = gcd(strength.quarters(), total);
            by_outcome
                .entry(outcome.clone())
                .or_default()
                .push(ServiceShare {
                    service: s.service.clone(),
                    strength: *strength,
                    share: format!("{}/{}", strength.quarters() / g, total / g),
                    service_net_budget_pence: s.net_pence,
                    attributed_pence: amount,
                });
        }
    }
    let outcomes: Vec<OutcomeFund> = by_outcome
        .into_iter()
        .map(|(outcome, mut services)| {
            services.sort_by(|a, b| a.service.cmp(&b.service));
            OutcomeFund {
                attributed_pence: services.iter().map(|s| s.attributed_pence).sum(),
                outcome,
                services,
            }
        })
        .collect();
    let attributed_total_pence = outcomes.iter().map(|o| o.attributed_pence).sum();
    let unattributed_total_pence = unattributed.iter().map(|u| u.net_budget_pence).sum();
    OneFund {
        net_budget_total_pence: services.iter().map(|s| s.net_pence).sum(),
        outcomes,
        unattributed,
        attributed_total_pence,
        unattributed_total_pence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sb(service: &str, net: i64, c: &[(&str, Strength)]) -> ServiceBudget {
        ServiceBudget {
            service: service.into(),
            net_pence: net,
            contributions: c.iter().map(|(o, s)| (o.to_string(), *s)).collect(),
        }
    }

    #[test]
    fn hand_computed_split() {
        // primary + significant + some = 4 + 2 + 1 = 7 quarters; 100 pence.
        // exact: 57.14, 28.57, 14.28 → floors 57, 28, 14 (=99); the penny left goes to
        // the largest remainder: 400 mod 7 = 1, 200 mod 7 = 4, 100 mod 7 = 2 → LO2.
        let f = compute(&[sb(
            "S1",
            100,
            &[
                ("LO1", Strength::Primary),
                ("LO2", Strength::Significant),
                ("LO3", Strength::Some),
            ],
        )]);
        let got: Vec<(String, i64, String)> = f
            .outcomes
            .iter()
            .map(|o| {
                (
                    o.outcome.clone(),
                    o.attributed_pence,
                    o.services[0].share.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("LO1".into(), 57, "4/7".into()),
                ("LO2".into(), 29, "2/7".into()),
                ("LO3".into(), 14, "1/7".into())
            ]
        );
    }

    #[test]
    fn equal_weights_tie_break_by_code() {
        let f = compute(&[sb("S", 1, &[("B", Strength::Some), ("A", Strength::Some)])]);
        assert_eq!(f.outcomes[0].outcome, "A");
        assert_eq!(f.outcomes[0].attributed_pence, 1);
        assert_eq!(f.outcomes[1].attributed_pence, 0);
    }

    #[test]
    fn negative_budgets_split_exactly() {
        let f = compute(&[sb(
            "S",
            -101,
            &[("A", Strength::Primary), ("B", Strength::Primary)],
        )]);
        let total: i64 = f.outcomes.iter().map(|o| o.attributed_pence).sum();
        assert_eq!(total, -101);
    }

    #[test]
    fn services_contributing_to_nothing_are_unattributed() {
        let f = compute(&[
            sb("S1", 500, &[("LO1", Strength::Primary)]),
            sb("S2", 250, &[]),
        ]);
        assert_eq!(f.attributed_total_pence, 500);
        assert_eq!(f.unattributed_total_pence, 250);
        assert_eq!(f.net_budget_total_pence, 750);
        assert_eq!(f.unattributed[0].service, "S2");
    }

    fn strength() -> impl Strategy<Value = Strength> {
        prop_oneof![
            Just(Strength::Primary),
            Just(Strength::Significant),
            Just(Strength::Some)
        ]
    }

    proptest! {
        /// For any matrix, attributed + unattributed equals the sum of net budgets to
        /// the penny, each service's shares sum to its budget, and no share is off its
        /// exact value by a penny or more.
        #[test]
        fn totals_hold_to_the_penny(
            services in prop::collection::vec(
                (-1_000_000_000i64..5_000_000_000i64,
                 prop::collection::btree_map(0usize..12, strength(), 0..6)),
                0..40)
        ) {
            let input: Vec<ServiceBudget> = services.iter().enumerate().map(|(i, (net, cells))| ServiceBudget {
                service: format!("S{i:03}"),
                net_pence: *net,
                contributions: cells.iter().map(|(o, s)| (format!("LO{o:02}"), *s)).collect(),
            }).collect();
            let f = compute(&input);
            prop_assert_eq!(f.attributed_total_pence + f.unattributed_total_pence, f.net_budget_total_pence);
            prop_assert_eq!(f.net_budget_total_pence, input.iter().map(|s| s.net_pence).sum::<i64>());
            prop_assert_eq!(f.outcomes.iter().map(|o| o.attributed_pence).sum::<i64>(), f.attributed_total_pence);
            for s in &input {
                let shares: Vec<&ServiceShare> = f.outcomes.iter().flat_map(|o| o.services.iter()).filter(|x| x.service == s.service).collect();
                if s.contributions.is_empty() { prop_assert!(shares.is_empty()); continue; }
                prop_assert_eq!(shares.iter().map(|x| x.attributed_pence).sum::<i64>(), s.net_pence);
                let total_q: i64 = s.contributions.iter().map(|c| c.1.quarters()).sum();
                for x in shares {
                    let exact = s.net_pence as f64 * x.strength.quarters() as f64 / total_q as f64;
                    prop_assert!((x.attributed_pence as f64 - exact).abs() < 1.0 + 1e-6);
                }
            }
        }
    }
}
