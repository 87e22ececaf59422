//! Who may change what (issue: "Accounts, roles, security"). Pure rules over the
//! acting person and the tenant's framework; the application layer asks these
//! before every write.
//!
//! - `admin` and `performance-officer` edit everything in their tenant, except that
//!   only an admin may create, change or remove an admin account.
//! - `outcome-leader` edits within their portfolios: the portfolios themselves, the
//!   outcomes those portfolios lead (details and RACI), the services in them
//!   (including creating and deleting), their matrix cells, and plans they own.
//! - `service-manager` edits their services (not moving them to another portfolio),
//!   those services' matrix cells, and plans they own.
//! - Measurements: admin and performance-officer enter any; an outcome-leader or
//!   service-manager enters values for indicators of their services (and an
//!   outcome-leader for outcome indicators of outcomes their portfolios lead).
//!   Only admin and performance-officer assure.
//! - Contracts (the commissioning register, imported whole): admin,
//!   performance-officer and `commissioning-officer` — the Commissioning Hub
//!   "tracks commissioned and partnership contracts" (DOMAIN, who uses it).
//! - Organisation design (grades, posts, structure states, adjustments and
//!   the on-cost rate): admin, performance-officer and `hr-officer`, who are
//!   also the only ones to see salaries and a post's cost; everyone else sees
//!   costs only in aggregate (a structure state's totals).
//! - Otherwise `commissioning-officer`, `hr-officer`, `member` and `auditor`
//!   read only;
//!   `auditor` and `admin` also read the audit trail.
//!
//! An outcome-leader's portfolios are the portfolio codes in their scope plus the
//! portfolios naming them as Outcome Leader; a person's services are the service
//! codes in their scope, the services they lead, and (for outcome-leaders) every
//! service in their portfolios.
use crate::framework::Framework;
use crate::{Code, Email, Role};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub email: Email,
    pub role: Role,
    pub scope: Vec<Code>,
}

/// A write someone wants to make.
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    CreateOutcome,
    UpdateOutcome(&'a Code),
    DeleteOutcome(&'a Code),
    ReplaceRaci(&'a Code),
    CreatePortfolio,
    UpdatePortfolio(&'a Code),
    DeletePortfolio(&'a Code),
    /// Create a service in a portfolio.
    CreateService {
        portfolio: &'a Code,
    },
    /// Update a service, possibly moving it from one portfolio to another.
    UpdateService {
        service: &'a Code,
        from: &'a Code,
        to: &'a Code,
    },
    DeleteService {
        service: &'a Code,
        portfolio: &'a Code,
    },
    MatrixCell {
        service: &'a Code,
    },
    /// Create, update or delete a plan; `owners` are the owner before and after.
    Plan {
        owners: [Option<&'a Email>; 2],
    },
    /// Create, update or delete a person; `roles` are the role before and after.
    Person {
        roles: [Option<Role>; 2],
    },
    ImportFramework,
    /// Enter or change a measurement of an indicator measuring these services and outcomes.
    Measurement {
        services: &'a [Code],
        outcomes: &'a [Code],
    },
    /// Mark a measurement as assured (checked for publication).
    Assure,
    /// Create, change or delete a register entry (a risk, benefit, action or
    /// initiative) linked to these services and outcomes. The application asks
    /// for the entry as it was and as it will be; an entry linked to nothing is
    /// for administrators and performance officers only.
    Register {
        services: &'a [Code],
        outcomes: &'a [Code],
    },
    /// Open or work on a review of this service (the sign-off itself is checked
    /// against the service's named Outcome Leader and Service Manager).
    Review {
        service: &'a Code,
    },
    /// Replace the tenant's contracts register (every service's contracts).
    Contracts,
    /// Change the organisation design: grades, posts, structure states,
    /// adjustments, the on-cost rate.
    Org,
}

impl Actor {
    pub fn edits_everything(&self) -> bool {
        matches!(self.role, Role::Admin | Role::PerformanceOfficer)
    }

    /// May see salaries and the cost of single posts (organisation design);
    /// others see costs only in aggregate.
    pub fn sees_salaries(&self) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::PerformanceOfficer | Role::HrOfficer
        )
    }

    pub fn reads_audit(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Auditor)
    }

    /// The portfolios an outcome-leader leads (empty for other roles).
    pub fn portfolios<'f>(&self, fw: &'f Framework) -> BTreeSet<&'f Code> {
        if self.role != Role::OutcomeLeader {
            return BTreeSet::new();
        }
        fw.portfolios
            .iter()
            .filter(|p| {
                p.outcome_leader.as_ref() == Some(&self.email) || self.scope.contains(&p.code)
            })
            .map(|p| &p.code)
            .collect()
    }

    /// The services this person manages (for outcome-leaders and service-managers).
    pub fn services<'f>(&self, fw: &'f Framework) -> BTreeSet<&'f Code> {
        if !matches!(self.role, Role::OutcomeLeader | Role::ServiceManager) {
            return BTreeSet::new();
        }
        let portfolios = self.portfolios(fw);
        fw.services
            .iter()
            .filter(|s| {
                s.lead.as_ref() == Some(&self.email)
                    || self.scope.contains(&s.code)
                    || portfolios.contains(&s.portfolio)
            })
            .map(|s| &s.code)
            .collect()
    }

    /// May this person make this write? `fw` is the framework before the write.
    pub fn may(&self, write: Write<'_>, fw: &Framework) -> bool {
        if let Write::Person { roles } = write {
            return match self.role {
                Role::Admin => true,
                Role::PerformanceOfficer => !roles.contains(&Some(Role::Admin)),
                _ => false,
            };
        }
        if self.edits_everything() {
            return true;
        }
        let leads = |outcome: &Code| {
            let mine = self.portfolios(fw);
            fw.portfolios
                .iter()
                .any(|p| mine.contains(&p.code) && p.outcomes.contains(outcome))
        };
        match write {
            Write::CreateOutcome
            | Write::DeleteOutcome(_)
            | Write::CreatePortfolio
            | Write::DeletePortfolio(_)
            | Write::ImportFramework
            | Write::Person { .. } => false,
            Write::UpdateOutcome(o) | Write::ReplaceRaci(o) => {
                self.role == Role::OutcomeLeader && leads(o)
            }
            Write::UpdatePortfolio(p) => self.portfolios(fw).contains(p),
            Write::CreateService { portfolio } | Write::DeleteService { portfolio, .. } => {
                self.portfolios(fw).contains(portfolio)
            }
            Write::UpdateService { service, from, to } => match self.role {
                Role::OutcomeLeader => {
                    let mine = self.portfolios(fw);
                    (mine.contains(from) && mine.contains(to))
                        || (from == to && self.services(fw).contains(service))
                }
                Role::ServiceManager => from == to && self.services(fw).contains(service),
                _ => false,
            },
            Write::MatrixCell { service } => self.services(fw).contains(service),
            // The Commissioning Hub runs options appraisals for every service.
            Write::Review { service } => {
                self.role == Role::CommissioningOfficer || self.services(fw).contains(service)
            }
            Write::Measurement { services, outcomes } | Write::Register { services, outcomes } => {
                let mine = self.services(fw);
                services.iter().any(|s| mine.contains(s))
                    || (self.role == Role::OutcomeLeader && outcomes.iter().any(leads))
            }
            Write::Assure => false,
            Write::Contracts => self.role == Role::CommissioningOfficer,
            Write::Org => self.role == Role::HrOfficer,
            Write::Plan { owners } => {
                matches!(self.role, Role::OutcomeLeader | Role::ServiceManager)
                    && owners.iter().all(|o| *o == Some(&self.email))
            }
        }
    }
}

/// A register entry's links: the services and outcomes it is on.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub services: &'a [Code],
    pub outcomes: &'a [Code],
}

impl Actor {
    /// May this person change a register entry linked to `before` so that it
    /// links to `after`? They must be allowed to write the entry as it was and
    /// as it will be, and each link removed must be one they could write
    /// alone: the manager of one service on a shared entry cannot take another
    /// manager's service off it. Adding a link shares the entry, as linking it
    /// when it is created does, and is allowed.
    pub fn may_relink<'a>(&self, before: Links<'a>, after: Links<'a>, fw: &Framework) -> bool {
        let may = |l: Links<'_>| {
            self.may(
                Write::Register {
                    services: l.services,
                    outcomes: l.outcomes,
                },
                fw,
            )
        };
        let removed = |a: &'a [Code], b: &'a [Code]| a.iter().filter(move |c| !b.contains(c));
        may(before)
            && may(after)
            && removed(before.services, after.services).all(|s| {
                may(Links {
                    services: std::slice::from_ref(s),
                    outcomes: &[],
                })
            })
            && removed(before.outcomes, after.outcomes).all(|o| {
                may(Links {
                    services: &[],
                    outcomes: std::slice::from_ref(o),
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::tests::{code, email, sample};

    fn actor(role: Role, who: &str, scope: &[&str]) -> Actor {
        Actor {
            email: email(who),
            role,
            scope: scope.iter().map(|s| code(s)).collect(),
        }
    }

    #[test]
    fn the_permission_table() {
        let fw = sample();
        let (lo1, lo2, p1, p2, s1, s2) = (
            code("LO1"),
            code("LO2"),
            code("P1"),
            code("P2"),
            code("S1"),
            code("S2"),
        );
        let leader = actor(Role::OutcomeLeader, "a@x.org", &[]);
        let manager = actor(Role::ServiceManager, "z@x.org", &["S2"]);
        let me = email("a@x.org");
        let table: Vec<(&Actor, Write, bool)> = vec![
            (&leader, Write::UpdateOutcome(&lo1), true),
            (&leader, Write::UpdateOutcome(&lo2), false),
            (&leader, Write::ReplaceRaci(&lo1), true),
            (&leader, Write::CreateOutcome, false),
            (&leader, Write::UpdatePortfolio(&p1), true),
            (&leader, Write::UpdatePortfolio(&p2), false),
            (&leader, Write::CreateService { portfolio: &p1 }, true),
            (&leader, Write::CreateService { portfolio: &p2 }, false),
            (
                &leader,
                Write::UpdateService {
                    service: &s1,
                    from: &p1,
                    to: &p2,
                },
                false,
            ),
            (&leader, Write::MatrixCell { service: &s1 }, true),
            (&leader, Write::MatrixCell { service: &s2 }, false),
            (
                &leader,
                Write::Plan {
                    owners: [Some(&me), Some(&me)],
                },
                true,
            ),
            (
                &leader,
                Write::Plan {
                    owners: [None, Some(&me)],
                },
                false,
            ),
            (&leader, Write::ImportFramework, false),
            (
                &manager,
                Write::UpdateService {
                    service: &s2,
                    from: &p2,
                    to: &p2,
                },
                true,
            ),
            (
                &manager,
                Write::UpdateService {
                    service: &s2,
                    from: &p2,
                    to: &p1,
                },
                false,
            ),
            (
                &manager,
                Write::UpdateService {
                    service: &s1,
                    from: &p1,
                    to: &p1,
                },
                false,
            ),
            (&manager, Write::MatrixCell { service: &s2 }, true),
            (&manager, Write::CreateService { portfolio: &p2 }, false),
            (&manager, Write::UpdateOutcome(&lo1), false),
        ];
        for (a, w, expected) in table {
            assert_eq!(a.may(w, &fw), expected, "{:?} {:?}", a.role, w);
        }
    }

    #[test]
    fn register_entries_are_written_by_those_who_manage_what_they_link_to() {
        let fw = sample();
        let (s1, s2, lo1, none) = (
            vec![code("S1")],
            vec![code("S2")],
            vec![code("LO1")],
            vec![],
        );
        let manager = actor(Role::ServiceManager, "z@x.org", &["S2"]);
        let hub = actor(Role::CommissioningOfficer, "h@x.org", &[]);
        let officer = actor(Role::PerformanceOfficer, "p@x.org", &[]);
        let w = |services, outcomes| Write::Register { services, outcomes };
        assert!(manager.may(w(&s2, &none), &fw));
        assert!(!manager.may(w(&s1, &none), &fw));
        assert!(!manager.may(w(&none, &lo1), &fw));
        assert!(
            !manager.may(w(&none, &none), &fw),
            "unlinked: the centre only"
        );
        assert!(officer.may(w(&none, &none), &fw));
        assert!(!hub.may(w(&s2, &lo1), &fw));
    }

    #[test]
    fn a_shared_entry_keeps_the_links_of_other_managers() {
        let fw = sample();
        let (s1, s2, lo1) = (code("S1"), code("S2"), code("LO1"));
        let l = |services, outcomes| Links { services, outcomes };
        let manager = actor(Role::ServiceManager, "z@x.org", &["S2"]);
        let leader = actor(Role::OutcomeLeader, "a@x.org", &[]);
        let officer = actor(Role::PerformanceOfficer, "p@x.org", &[]);
        let both = [s1.clone(), s2.clone()];
        let only2 = [s2.clone()];
        let only1 = [s1.clone()];
        // S2's manager may edit the shared entry without touching S1's link…
        assert!(manager.may_relink(l(&both, &[]), l(&both, &[]), &fw));
        // …and may share their own entry with S1, but not take S1 off it.
        assert!(manager.may_relink(l(&only2, &[]), l(&both, &[]), &fw));
        assert!(!manager.may_relink(l(&both, &[]), l(&only2, &[]), &fw));
        // Nor move it out of their own service entirely.
        assert!(!manager.may_relink(l(&only2, &[]), l(&only1, &[]), &fw));
        // The Outcome Leader of P1 leads LO1 and manages S1 (its portfolio),
        // so may put LO1 on S1's entry, but not take P2's S2 off a shared one…
        assert!(leader.may_relink(l(&only1, &[]), l(&only1, std::slice::from_ref(&lo1)), &fw));
        assert!(!leader.may_relink(l(&both, &[]), l(&only1, &[]), &fw));
        // …and the centre may relink anything.
        assert!(officer.may_relink(l(&both, &[]), l(&[], &[]), &fw));
    }

    #[test]
    fn read_only_roles_write_nothing_and_full_roles_everything() {
        let fw = sample();
        let s1 = code("S1");
        for role in [Role::Member, Role::Auditor, Role::CommissioningOfficer] {
            let a = actor(role, "r@x.org", &["S1", "P1"]);
            assert!(!a.may(Write::MatrixCell { service: &s1 }, &fw));
            assert!(!a.may(Write::CreateOutcome, &fw));
            // Only the Commissioning Hub works on reviews of services it does not manage.
            assert_eq!(
                a.may(Write::Review { service: &s1 }, &fw),
                role == Role::CommissioningOfficer
            );
            assert!(!a.may(Write::ImportFramework, &fw));
        }
        for role in [Role::Admin, Role::PerformanceOfficer] {
            let a = actor(role, "r@x.org", &[]);
            assert!(a.may(Write::MatrixCell { service: &s1 }, &fw));
            assert!(a.may(Write::ImportFramework, &fw));
        }
    }

    #[test]
    fn contracts_are_kept_by_the_centre_and_the_commissioning_hub() {
        let fw = sample();
        for (role, scope, may) in [
            (Role::Admin, &[][..], true),
            (Role::PerformanceOfficer, &[], true),
            (Role::CommissioningOfficer, &[], true),
            // The register is replaced whole, across every service: not a
            // write within one's own portfolio or services.
            (Role::OutcomeLeader, &["P1"], false),
            (Role::ServiceManager, &["S1"], false),
            (Role::Member, &[], false),
            (Role::Auditor, &[], false),
        ] {
            let a = actor(role, "c@x.org", scope);
            assert_eq!(a.may(Write::Contracts, &fw), may, "{role:?}");
        }
    }

    #[test]
    fn measurements_are_entered_for_ones_own_services_and_assured_by_the_centre() {
        let fw = sample();
        let (s1, s2, lo1) = (code("S1"), code("S2"), code("LO1"));
        let manager = actor(Role::ServiceManager, "z@x.org", &["S2"]);
        let leader = actor(Role::OutcomeLeader, "a@x.org", &[]);
        let po = actor(Role::PerformanceOfficer, "p@x.org", &[]);
        let on = |services: &'static [&str]| services.iter().map(|s| code(s)).collect::<Vec<_>>();
        let s2v = on(&["S2"]);
        let s1v = on(&["S1"]);
        assert!(manager.may(
            Write::Measurement {
                services: &s2v,
                outcomes: &[]
            },
            &fw
        ));
        assert!(!manager.may(
            Write::Measurement {
                services: &s1v,
                outcomes: &[]
            },
            &fw
        ));
        assert!(leader.may(
            Write::Measurement {
                services: &[],
                outcomes: std::slice::from_ref(&lo1)
            },
            &fw
        ));
        assert!(leader.may(
            Write::Measurement {
                services: &s1v,
                outcomes: &[]
            },
            &fw
        ));
        assert!(!leader.may(
            Write::Measurement {
                services: &s2v,
                outcomes: &[]
            },
            &fw
        ));
        assert!(!manager.may(Write::Assure, &fw) && !leader.may(Write::Assure, &fw));
        assert!(po.may(Write::Assure, &fw));
        let member = actor(Role::Member, "m@x.org", &["S1", "S2"]);
        assert!(!member.may(
            Write::Measurement {
                services: &[s1.clone(), s2.clone()],
                outcomes: &[]
            },
            &fw
        ));
    }

    #[test]
    fn organisation_design_is_kept_and_salaries_seen_by_the_centre_and_hr() {
        let fw = sample();
        for (role, may) in [
            (Role::Admin, true),
            (Role::PerformanceOfficer, true),
            (Role::HrOfficer, true),
            (Role::OutcomeLeader, false),
            (Role::ServiceManager, false),
            (Role::CommissioningOfficer, false),
            (Role::Member, false),
            (Role::Auditor, false),
        ] {
            let a = actor(role, "h@x.org", &["P1", "S1"]);
            assert_eq!(a.may(Write::Org, &fw), may, "{role:?}");
            assert_eq!(a.sees_salaries(), may, "{role:?}");
        }
        // HR officers write nothing else.
        let hr = actor(Role::HrOfficer, "h@x.org", &["S1"]);
        let s1 = code("S1");
        assert!(!hr.may(Write::MatrixCell { service: &s1 }, &fw));
        assert!(!hr.may(Write::ImportFramework, &fw));
        assert!(!hr.may(Write::Contracts, &fw));
        assert!(!hr.may(Write::Review { service: &s1 }, &fw));
    }

    #[test]
    fn only_admins_manage_admins() {
        let fw = sample();
        let po = actor(Role::PerformanceOfficer, "p@x.org", &[]);
        let admin = actor(Role::Admin, "q@x.org", &[]);
        let grant = Write::Person {
            roles: [Some(Role::Member), Some(Role::Admin)],
        };
        assert!(!po.may(grant, &fw));
        assert!(admin.may(grant, &fw));
        assert!(po.may(
            Write::Person {
                roles: [None, Some(Role::Member)]
            },
            &fw
        ));
    }
}
