//! The mixed economy (DOMAIN §4, 2026 §3.3): how many services, how many FTE and
//! how much net budget each delivery model carries — now, and as it will be when
//! the preferred options of the reviews under way take effect — for the whole
//! council, by portfolio, and by outcome through the matrix.
//!
//! By outcome, a service's FTE and net budget are shared over the outcomes it
//! contributes to by contribution weight (primary 1, significant ½, some ¼,
//! normalised per service), exactly as One Fund shares budgets: pence by
//! largest remainder so the shares sum to the service's budget, FTE exactly (to
//! 28 digits). A service counts once in each outcome it serves.
use crate::Code;
use crate::enums::DeliveryModel;
use crate::framework::{Framework, Service};
use crate::one_fund::split_pence;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// One delivery model's share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelShare {
    pub delivery_model: DeliveryModel,
    pub services: usize,
    /// FTE, exact.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fte: Decimal,
    pub net_budget_pence: i64,
}

/// Every delivery model's share (all eight, in vocabulary order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Economy {
    pub models: Vec<ModelShare>,
    pub services: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fte: Decimal,
    pub net_budget_pence: i64,
}

impl Economy {
    fn new() -> Economy {
        Economy {
            models: DeliveryModel::ALL
                .iter()
                .map(|m| ModelShare {
                    delivery_model: *m,
                    services: 0,
                    fte: Decimal::ZERO,
                    net_budget_pence: 0,
                })
                .collect(),
            services: 0,
            fte: Decimal::ZERO,
            net_budget_pence: 0,
        }
    }

    fn add(&mut self, model: DeliveryModel, fte: Decimal, pence: i64) {
        let m = self
            .models
            .iter_mut()
            .find(|m| m.delivery_model == model)
            .expect("every model has a row");
        m.services += 1;
        m.fte += fte;
        m.net_budget_pence += pence;
        self.services += 1;
        self.fte += fte;
        self.net_budget_pence += pence;
    }

    /// The share of one model.
    pub fn model(&self, m: DeliveryModel) -> &ModelShare {
        self.models
            .iter()
            .find(|x| x.delivery_model == m)
            .expect("every model has a row")
    }
}

/// A portfolio's or an outcome's mixed economy, now and projected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub code: Code,
    pub title: String,
    pub now: Economy,
    pub projected: Economy,
}

/// A service whose delivery model a review under way would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub service: Code,
    pub review: Code,
    pub from: DeliveryModel,
    pub to: DeliveryModel,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MixedEconomy {
    pub now: Economy,
    /// As it will be when the changes below take effect.
    pub projected: Economy,
    pub changes: Vec<Change>,
    pub by_portfolio: Vec<Group>,
    /// Outcomes that services contribute to, in framework order.
    pub by_outcome: Vec<Group>,
}

fn fte(s: &Service) -> Decimal {
    s.fte.value()
}

/// Computes the mixed economy. `changes` are the preferred options of reviews
/// under way (the first change of a service wins; a change to the model the
/// service already has is dropped).
pub fn mixed_economy(fw: &Framework, changes: &[Change]) -> MixedEconomy {
    let mut to: BTreeMap<&Code, &Change> = BTreeMap::new();
    for c in changes {
        let current = fw.services.iter().find(|s| s.code == c.service);
        if current.is_some_and(|s| s.delivery_model != c.to) {
            to.entry(&c.service).or_insert(c);
        }
    }
    let projected_model = |s: &Service| to.get(&s.code).map_or(s.delivery_model, |c| c.to);
    let mut now = Economy::new();
    let mut projected = Economy::new();
    for s in &fw.services {
        now.add(s.delivery_model, fte(s), s.net_budget_pence);
        projected.add(projected_model(s), fte(s), s.net_budget_pence);
    }
    let by_portfolio = fw
        .portfolios
        .iter()
        .map(|p| {
            let mut g = Group {
                code: p.code.clone(),
                title: p.title.clone(),
                now: Economy::new(),
                projected: Economy::new(),
            };
            for s in fw.services.iter().filter(|s| s.portfolio == p.code) {
                g.now.add(s.delivery_model, fte(s), s.net_budget_pence);
                g.projected
                    .add(projected_model(s), fte(s), s.net_budget_pence);
            }
            g
        })
        .collect();
    // Each service's shares by outcome, weighted as One Fund weights them.
    let mut shares: BTreeMap<&Code, Vec<(&Service, Decimal, i64)>> = BTreeMap::new();
    for s in &fw.services {
        let mut contributions: Vec<_> = fw
            .contributions
            .iter()
            .filter(|c| c.service == s.code)
            .collect();
        if contributions.is_empty() {
            continue;
        }
        contributions.sort_by(|a, b| a.outcome.cmp(&b.outcome));
        let weights: Vec<i64> = contributions
            .iter()
            .map(|c| c.strength.quarters())
            .collect();
        let keys: Vec<&str> = contributions.iter().map(|c| c.outcome.as_str()).collect();
        let total: i64 = weights.iter().sum();
        let pence = split_pence(s.net_budget_pence, &weights, &keys);
        for ((c, w), p) in contributions.iter().zip(&weights).zip(pence) {
            let f = fte(s) * Decimal::from(*w) / Decimal::from(total);
            shares.entry(&c.outcome).or_default().push((s, f, p));
        }
    }
    let by_outcome = fw
        .outcomes
        .iter()
        .filter_map(|o| {
            let v = shares.get(&o.code)?;
            let mut g = Group {
                code: o.code.clone(),
                title: o.title.clone(),
                now: Economy::new(),
                projected: Economy::new(),
            };
            for (s, f, p) in v {
                g.now.add(s.delivery_model, *f, *p);
                g.projected.add(projected_model(s), *f, *p);
            }
            Some(g)
        })
        .collect();
    let mut changes: Vec<Change> = to.into_values().cloned().collect();
    changes.sort_by(|a, b| a.service.cmp(&b.service));
    MixedEconomy {
        now,
        projected,
        changes,
        by_portfolio,
        by_outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Contribution, Outcome, Portfolio};
    use crate::{Fte, Strength};

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn service(c: &str, p: &str, m: DeliveryModel, fte: &str, net: i64) -> Service {
        Service {
            code: code(c),
            title: c.to_string(),
            portfolio: code(p),
            lead: None,
            statutory_basis: crate::StatutoryBasis::Statutory,
            grouping: crate::Grouping::UniversalTransactional,
            delivery_model: m,
            gross_cost_pence: net,
            income_pence: 0,
            net_budget_pence: net,
            fte: Fte::parse(fte).unwrap(),
            next_review: None,
            description: String::new(),
        }
    }

    fn framework() -> Framework {
        let outcome = |c: &str| Outcome {
            code: code(c),
            title: format!("Outcome {c}"),
            kind: crate::OutcomeKind::Local,
            links: vec![],
            description: String::new(),
        };
        let portfolio = |c: &str| Portfolio {
            code: code(c),
            title: format!("Portfolio {c}"),
            outcome_leader: None,
            outcomes: vec![],
        };
        let contribution = |s: &str, o: &str, st: Strength| Contribution {
            service: code(s),
            outcome: code(o),
            strength: st,
            note: String::new(),
        };
        Framework {
            outcomes: vec![outcome("LO1"), outcome("LO2"), outcome("LO3")],
            portfolios: vec![portfolio("P1"), portfolio("P2")],
            services: vec![
                service("S1", "P1", DeliveryModel::SelfDelivery, "10.5", 100_000),
                service("S2", "P1", DeliveryModel::Commercial, "2", 1_001),
                service("S3", "P2", DeliveryModel::SelfDelivery, "4", 50_000),
            ],
            contributions: vec![
                contribution("S1", "LO1", Strength::Primary),
                contribution("S1", "LO2", Strength::Significant),
                contribution("S2", "LO2", Strength::Some),
                contribution("S2", "LO1", Strength::Some),
            ],
            ..Default::default()
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn now_and_projected_by_model_portfolio_and_outcome() {
        let fw = framework();
        let changes = vec![
            Change {
                service: code("S1"),
                review: code("R1"),
                from: DeliveryModel::SelfDelivery,
                to: DeliveryModel::Partnership,
            },
            // Already commercial: no change.
            Change {
                service: code("S2"),
                review: code("R2"),
                from: DeliveryModel::Commercial,
                to: DeliveryModel::Commercial,
            },
        ];
        let m = mixed_economy(&fw, &changes);
        assert_eq!(m.changes.len(), 1);
        let sd = m.now.model(DeliveryModel::SelfDelivery);
        assert_eq!(
            (sd.services, sd.fte, sd.net_budget_pence),
            (2, dec("14.5"), 150_000)
        );
        assert_eq!(m.now.net_budget_pence, 151_001);
        let sd = m.projected.model(DeliveryModel::SelfDelivery);
        assert_eq!(
            (sd.services, sd.fte, sd.net_budget_pence),
            (1, dec("4"), 50_000)
        );
        let pa = m.projected.model(DeliveryModel::Partnership);
        assert_eq!(
            (pa.services, pa.fte, pa.net_budget_pence),
            (1, dec("10.5"), 100_000)
        );
        // Totals never change: the projection moves services between models.
        assert_eq!(m.projected.net_budget_pence, m.now.net_budget_pence);
        assert_eq!(m.projected.fte, m.now.fte);
        // By portfolio.
        let p1 = &m.by_portfolio[0];
        assert_eq!(p1.now.services, 2);
        assert_eq!(p1.projected.model(DeliveryModel::Partnership).services, 1);
        // By outcome: S1 is 2/3 LO1 and 1/3 LO2; S2 half and half (1,001p →
        // 501p to LO1, the first code, and 500p to LO2). S3 serves no outcome;
        // LO3 has no services and is left out.
        assert_eq!(m.by_outcome.len(), 2);
        let lo1 = &m.by_outcome[0];
        assert_eq!(lo1.code, code("LO1"));
        assert_eq!(
            lo1.now.model(DeliveryModel::SelfDelivery).net_budget_pence,
            66_667
        );
        assert_eq!(
            lo1.now.model(DeliveryModel::Commercial).net_budget_pence,
            501
        );
        assert_eq!(lo1.now.model(DeliveryModel::SelfDelivery).fte, dec("7"));
        let lo2 = &m.by_outcome[1];
        assert_eq!(
            lo2.now.model(DeliveryModel::SelfDelivery).net_budget_pence,
            33_333
        );
        assert_eq!(
            lo2.projected
                .model(DeliveryModel::Partnership)
                .net_budget_pence,
            33_333
        );
        assert_eq!(lo2.now.model(DeliveryModel::SelfDelivery).fte, dec("3.5"));
        // Each service's outcome shares add up to its budget exactly.
        let total: i64 = m.by_outcome.iter().map(|g| g.now.net_budget_pence).sum();
        assert_eq!(total, 101_001);
    }
}
