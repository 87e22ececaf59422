//! The golden thread of one tenant as plain data, and the views derived from it:
//! the thread above and below an outcome or service, the Outcomes & Delivery
//! Matrix and the framework gaps. Field names are the import columns' names.
use crate::{
    Code, DeliveryModel, Email, Fte, Grouping, OutcomeKind, PlanKind, Raci, Role, StatutoryBasis,
    Strength,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// Portfolio or service codes the role applies to.
    pub scope: Vec<Code>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub code: Code,
    pub title: String,
    pub kind: OutcomeKind,
    /// Codes of the outcomes of the layer above that this one serves.
    pub links: Vec<Code>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Portfolio {
    pub code: Code,
    pub title: String,
    pub outcome_leader: Option<Email>,
    /// The outcomes this portfolio leads.
    pub outcomes: Vec<Code>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub code: Code,
    pub title: String,
    pub portfolio: Code,
    pub lead: Option<Email>,
    pub statutory_basis: StatutoryBasis,
    pub grouping: Grouping,
    pub delivery_model: DeliveryModel,
    pub gross_cost_pence: i64,
    pub income_pence: i64,
    pub net_budget_pence: i64,
    pub fte: Fte,
    pub next_review: Option<Date>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub service: Code,
    pub outcome: Code,
    pub strength: Strength,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaciEntry {
    pub outcome: Code,
    pub person: Email,
    pub raci: Raci,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub code: Code,
    pub title: String,
    pub kind: PlanKind,
    pub owner: Option<Email>,
    pub outcomes: Vec<Code>,
}

/// Everything in one tenant's framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    pub people: Vec<Person>,
    pub outcomes: Vec<Outcome>,
    pub portfolios: Vec<Portfolio>,
    pub services: Vec<Service>,
    pub contributions: Vec<Contribution>,
    pub raci: Vec<RaciEntry>,
    pub plans: Vec<Plan>,
}

/// The framework gaps (DOMAIN §3 "Checks").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gaps {
    /// Local outcomes with no Accountable person in their RACI.
    pub outcomes_without_accountable: Vec<Code>,
    /// Services that contribute to no outcome.
    pub services_contributing_to_nothing: Vec<Code>,
    /// Local outcomes no service contributes to.
    pub outcomes_without_service: Vec<Code>,
    /// Portfolios with no Outcome Leader.
    pub portfolios_without_leader: Vec<Code>,
    /// Indicators linked to no service and no outcome.
    pub indicators_linked_to_nothing: Vec<Code>,
}

impl Gaps {
    pub fn total(&self) -> usize {
        self.outcomes_without_accountable.len()
            + self.services_contributing_to_nothing.len()
            + self.outcomes_without_service.len()
            + self.portfolios_without_leader.len()
            + self.indicators_linked_to_nothing.len()
    }

    /// Adds the indicators that are linked to no service and no outcome.
    pub fn with_indicators(mut self, indicators: &[crate::indicator::Indicator]) -> Gaps {
        self.indicators_linked_to_nothing = indicators
            .iter()
            .filter(|i| i.services.is_empty() && i.outcomes.is_empty())
            .map(|i| i.code.clone())
            .collect();
        self
    }
}

/// A contribution seen from the outcome side of the thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInThread {
    pub service: Service,
    /// The outcome the service contributes to (the thread's outcome or one below it).
    pub via: Code,
    pub strength: Strength,
    pub weight: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeThread {
    pub outcome: Outcome,
    /// Every outcome this one serves, transitively (e.g. national outcomes).
    pub above: Vec<Outcome>,
    /// Every outcome that serves this one, transitively (e.g. priorities and themes).
    pub below: Vec<Outcome>,
    pub portfolios: Vec<Portfolio>,
    pub services: Vec<ServiceInThread>,
    pub plans: Vec<Plan>,
    pub raci: Vec<RaciEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeServed {
    pub outcome: Outcome,
    pub strength: Strength,
    pub weight: f64,
    pub note: String,
    /// The outcomes above this one, up to national level.
    pub above: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceThread {
    pub service: Service,
    pub portfolio: Option<Portfolio>,
    pub outcomes: Vec<OutcomeServed>,
    pub plans: Vec<Plan>,
}

impl Framework {
    pub fn outcome(&self, code: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.code.as_str() == code)
    }
    pub fn portfolio(&self, code: &str) -> Option<&Portfolio> {
        self.portfolios.iter().find(|p| p.code.as_str() == code)
    }
    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code.as_str() == code)
    }
    pub fn plan(&self, code: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.code.as_str() == code)
    }
    pub fn person(&self, email: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.email.as_str() == email)
    }

    /// Outcomes reached by following `step` from `start`, breadth first, each once,
    /// never including `start` (safe on cycles).
    fn walk(&self, start: &Code, step: impl Fn(&Code) -> Vec<Code>) -> Vec<Outcome> {
        let mut seen: BTreeSet<Code> = BTreeSet::from([start.clone()]);
        let mut queue: VecDeque<Code> = VecDeque::from([start.clone()]);
        let mut found = Vec::new();
        while let Some(code) = queue.pop_front() {
            for next in step(&code) {
                if seen.insert(next.clone()) {
                    if let Some(o) = self.outcome(next.as_str()) {
                        found.push(o.clone());
                    }
                    queue.push_back(next);
                }
            }
        }
        found
    }

    /// Every outcome `code` serves, transitively.
    pub fn above(&self, code: &Code) -> Vec<Outcome> {
        self.walk(code, |c| {
            self.outcome(c.as_str())
                .map(|o| o.links.clone())
                .unwrap_or_default()
        })
    }

    /// Every outcome that serves `code`, transitively.
    pub fn below(&self, code: &Code) -> Vec<Outcome> {
        self.walk(code, |c| {
            self.outcomes
                .iter()
                .filter(|o| o.links.contains(c))
                .map(|o| o.code.clone())
                .collect()
        })
    }

    /// Everything beneath an outcome and above it.
    pub fn outcome_thread(&self, code: &str) -> Option<OutcomeThread> {
        let outcome = self.outcome(code)?.clone();
        let above = self.above(&outcome.code);
        let below = self.below(&outcome.code);
        let mut scope: BTreeSet<&Code> = below.iter().map(|o| &o.code).collect();
        scope.insert(&outcome.code);
        let portfolios = self
            .portfolios
            .iter()
            .filter(|p| p.outcomes.iter().any(|o| scope.contains(o)))
            .cloned()
            .collect();
        let mut services: Vec<ServiceInThread> = self
            .contributions
            .iter()
            .filter(|c| scope.contains(&c.outcome))
            .filter_map(|c| {
                Some(ServiceInThread {
                    service: self.service(c.service.as_str())?.clone(),
                    via: c.outcome.clone(),
                    strength: c.strength,
                    weight: c.strength.weight(),
                    note: c.note.clone(),
                })
            })
            .collect();
        services.sort_by(|a, b| {
            a.strength
                .cmp(&b.strength)
                .then_with(|| a.service.code.cmp(&b.service.code))
        });
        let plans = self
            .plans
            .iter()
            .filter(|p| p.outcomes.iter().any(|o| scope.contains(o)))
            .cloned()
            .collect();
        let raci = self.raci_of(&outcome.code);
        Some(OutcomeThread {
            outcome,
            above,
            below,
            portfolios,
            services,
            plans,
            raci,
        })
    }

    /// Every outcome a service serves, up to national level.
    pub fn service_thread(&self, code: &str) -> Option<ServiceThread> {
        let service = self.service(code)?.clone();
        let portfolio = self.portfolio(service.portfolio.as_str()).cloned();
        let mut outcomes: Vec<OutcomeServed> = self
            .contributions
            .iter()
            .filter(|c| c.service == service.code)
            .filter_map(|c| {
                let outcome = self.outcome(c.outcome.as_str())?.clone();
                Some(OutcomeServed {
                    above: self.above(&outcome.code),
                    outcome,
                    strength: c.strength,
                    weight: c.strength.weight(),
                    note: c.note.clone(),
                })
            })
            .collect();
        outcomes.sort_by(|a, b| {
            a.strength
                .cmp(&b.strength)
                .then_with(|| a.outcome.code.cmp(&b.outcome.code))
        });
        let served: BTreeSet<&Code> = outcomes.iter().map(|o| &o.outcome.code).collect();
        let plans = self
            .plans
            .iter()
            .filter(|p| p.outcomes.iter().any(|o| served.contains(o)))
            .cloned()
            .collect();
        Some(ServiceThread {
            service,
            portfolio,
            outcomes,
            plans,
        })
    }

    /// The RACI of one outcome, ordered R, A, C, I then by person.
    pub fn raci_of(&self, outcome: &Code) -> Vec<RaciEntry> {
        let mut r: Vec<RaciEntry> = self
            .raci
            .iter()
            .filter(|e| &e.outcome == outcome)
            .cloned()
            .collect();
        r.sort_by(|a, b| a.raci.cmp(&b.raci).then_with(|| a.person.cmp(&b.person)));
        r
    }

    /// The matrix as a map service → outcome → contribution.
    pub fn matrix(&self) -> BTreeMap<&Code, BTreeMap<&Code, &Contribution>> {
        let mut m: BTreeMap<&Code, BTreeMap<&Code, &Contribution>> = BTreeMap::new();
        for c in &self.contributions {
            m.entry(&c.service).or_default().insert(&c.outcome, c);
        }
        m
    }

    pub fn gaps(&self) -> Gaps {
        let local = || {
            self.outcomes
                .iter()
                .filter(|o| o.kind == OutcomeKind::Local)
        };
        let accountable: BTreeSet<&Code> = self
            .raci
            .iter()
            .filter(|e| e.raci == Raci::Accountable)
            .map(|e| &e.outcome)
            .collect();
        let contributing: BTreeSet<&Code> = self.contributions.iter().map(|c| &c.service).collect();
        let served: BTreeSet<&Code> = self.contributions.iter().map(|c| &c.outcome).collect();
        Gaps {
            outcomes_without_accountable: local()
                .filter(|o| !accountable.contains(&o.code))
                .map(|o| o.code.clone())
                .collect(),
            services_contributing_to_nothing: self
                .services
                .iter()
                .filter(|s| !contributing.contains(&s.code))
                .map(|s| s.code.clone())
                .collect(),
            outcomes_without_service: local()
                .filter(|o| !served.contains(&o.code))
                .map(|o| o.code.clone())
                .collect(),
            portfolios_without_leader: self
                .portfolios
                .iter()
                .filter(|p| p.outcome_leader.is_none())
                .map(|p| p.code.clone())
                .collect(),
            indicators_linked_to_nothing: Vec::new(),
        }
    }

    /// The One Fund over this framework's services.
    pub fn one_fund(&self) -> crate::one_fund::OneFund {
        let budgets: Vec<crate::one_fund::ServiceBudget> = self
            .services
            .iter()
            .map(|s| crate::one_fund::ServiceBudget {
                service: s.code.to_string(),
                net_pence: s.net_budget_pence,
                contributions: self
                    .contributions
                    .iter()
                    .filter(|c| c.service == s.code)
                    .map(|c| (c.outcome.to_string(), c.strength))
                    .collect(),
            })
            .collect();
        crate::one_fund::compute(&budgets)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }
    pub fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    /// A small framework: NPF1 ← LO1 ← CP1; NPF2 ← LO2 (no A, no services);
    /// portfolio P1 leads LO1 (leader a@x.org); P2 has no leader; S1 serves LO1, S2 nothing.
    pub fn sample() -> Framework {
        let outcome = |c: &str, kind, links: &[&str]| Outcome {
            code: code(c),
            title: format!("Outcome {c}"),
            kind,
            links: links.iter().map(|l| code(l)).collect(),
            description: String::new(),
        };
        let service = |c: &str, p: &str| Service {
            code: code(c),
            title: format!("Service {c}"),
            portfolio: code(p),
            lead: Some(email("m@x.org")),
            statutory_basis: StatutoryBasis::Statutory,
            grouping: Grouping::Support,
            delivery_model: DeliveryModel::SelfDelivery,
            gross_cost_pence: 1000,
            income_pence: 0,
            net_budget_pence: 1000,
            fte: Fte::default(),
            next_review: None,
            description: String::new(),
        };
        Framework {
            people: vec![Person {
                email: email("a@x.org"),
                name: "A".into(),
                role: Role::OutcomeLeader,
                scope: vec![],
            }],
            outcomes: vec![
                outcome("NPF1", OutcomeKind::National, &[]),
                outcome("NPF2", OutcomeKind::National, &[]),
                outcome("LO1", OutcomeKind::Local, &["NPF1"]),
                outcome("LO2", OutcomeKind::Local, &["NPF2"]),
                outcome("CP1", OutcomeKind::Priority, &["LO1"]),
            ],
            portfolios: vec![
                Portfolio {
                    code: code("P1"),
                    title: "P1".into(),
                    outcome_leader: Some(email("a@x.org")),
                    outcomes: vec![code("LO1")],
                },
                Portfolio {
                    code: code("P2"),
                    title: "P2".into(),
                    outcome_leader: None,
                    outcomes: vec![],
                },
            ],
            services: vec![service("S1", "P1"), service("S2", "P2")],
            contributions: vec![Contribution {
                service: code("S1"),
                outcome: code("LO1"),
                strength: Strength::Primary,
                note: "core".into(),
            }],
            raci: vec![RaciEntry {
                outcome: code("LO1"),
                person: email("a@x.org"),
                raci: Raci::Accountable,
            }],
            plans: vec![Plan {
                code: code("PL1"),
                title: "Plan".into(),
                kind: PlanKind::DeliveryPlan,
                owner: Some(email("a@x.org")),
                outcomes: vec![code("LO1")],
            }],
        }
    }

    #[test]
    fn gaps_are_listed() {
        let g = sample().gaps();
        assert_eq!(g.outcomes_without_accountable, vec![code("LO2")]);
        assert_eq!(g.services_contributing_to_nothing, vec![code("S2")]);
        assert_eq!(g.outcomes_without_service, vec![code("LO2")]);
        assert_eq!(g.portfolios_without_leader, vec![code("P2")]);
        assert_eq!(g.total(), 4);
    }

    #[test]
    fn thread_from_a_national_outcome_reaches_services_through_local_ones() {
        let fw = sample();
        let t = fw.outcome_thread("NPF1").unwrap();
        let below: Vec<&str> = t.below.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(below, vec!["LO1", "CP1"]);
        assert!(t.above.is_empty());
        assert_eq!(t.services.len(), 1);
        assert_eq!(t.services[0].via.as_str(), "LO1");
        assert_eq!(t.portfolios[0].code.as_str(), "P1");
        assert_eq!(t.plans[0].code.as_str(), "PL1");
    }

    #[test]
    fn thread_from_a_service_climbs_to_national_level() {
        let fw = sample();
        let t = fw.service_thread("S1").unwrap();
        assert_eq!(t.outcomes.len(), 1);
        assert_eq!(t.outcomes[0].outcome.code.as_str(), "LO1");
        assert_eq!(t.outcomes[0].above[0].code.as_str(), "NPF1");
        assert_eq!(t.portfolio.unwrap().code.as_str(), "P1");
        assert!(fw.service_thread("S2").unwrap().outcomes.is_empty());
    }

    #[test]
    fn walking_survives_a_cycle() {
        let mut fw = sample();
        fw.outcomes[0].links = vec![code("CP1")]; // NPF1 → CP1 → LO1 → NPF1
        let above = fw.above(&code("LO1"));
        assert_eq!(above.len(), 2);
    }
}
