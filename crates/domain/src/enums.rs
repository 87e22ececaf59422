//! Closed vocabularies of the domain, each with its canonical text form.

/// Defines a closed vocabulary with a canonical kebab-case text form.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $label:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the vocabulary is called in messages.
            pub const LABEL: &'static str = $label;

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted values, for error messages: `a, b, c`.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} '{}' (expected one of: {})", $label, other, Self::expected())),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> { s.parse() }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str { v.as_str() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .description(Some(concat!("A ", $label, ".")))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

vocabulary!(
    /// A person's role within one tenant (council).
    Role, "role" {
        Admin => "admin",
        PerformanceOfficer => "performance-officer",
        OutcomeLeader => "outcome-leader",
        ServiceManager => "service-manager",
        CommissioningOfficer => "commissioning-officer",
        HrOfficer => "hr-officer",
        Member => "member",
        Auditor => "auditor",
    }
);

vocabulary!(
    /// The layer of the golden thread an outcome sits in.
    OutcomeKind, "outcome kind" {
        National => "national",
        Local => "local",
        Priority => "priority",
        Theme => "theme",
    }
);

impl OutcomeKind {
    /// The kinds an outcome of this kind may link to (the layer it serves).
    pub fn may_link_to(self) -> &'static [OutcomeKind] {
        match self {
            OutcomeKind::National => &[],
            OutcomeKind::Local => &[OutcomeKind::National],
            OutcomeKind::Priority | OutcomeKind::Theme => &[OutcomeKind::Local],
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            OutcomeKind::National => "National outcome",
            OutcomeKind::Local => "Local outcome",
            OutcomeKind::Priority => "Priority",
            OutcomeKind::Theme => "Programme theme",
        }
    }
}

vocabulary!(
    /// How strongly a service contributes to an outcome (DOMAIN §3).
    Strength, "strength" {
        Primary => "primary",
        Significant => "significant",
        Some => "some",
    }
);

impl Strength {
    /// The contribution weight in quarters (primary 1.0 = 4, significant 0.5 = 2,
    /// some 0.25 = 1), so that weights can be summed and divided exactly.
    pub fn quarters(self) -> i64 {
        match self {
            Strength::Primary => 4,
            Strength::Significant => 2,
            Strength::Some => 1,
        }
    }

    /// The contribution weight as a number (1.0, 0.5, 0.25).
    pub fn weight(self) -> f64 {
        self.quarters() as f64 / 4.0
    }
}

vocabulary!(
    /// The statutory basis of a service (2014: "mandatory and priority discretionary").
    StatutoryBasis, "statutory basis" {
        Statutory => "statutory",
        PriorityDiscretionary => "priority-discretionary",
        Discretionary => "discretionary",
    }
);

vocabulary!(
    /// The six service groupings of the 2014 target operating model.
    Grouping, "grouping" {
        UniversalTransactional => "universal-transactional",
        LocalFamilyCommunity => "local-family-community",
        VulnerablePeopleFamilies => "vulnerable-people-families",
        UniversalCommunity => "universal-community",
        CentralisedSpecialist => "centralised-specialist",
        Support => "support",
    }
);

vocabulary!(
    /// How a service is delivered (DOMAIN §4).
    DeliveryModel, "delivery model" {
        SelfDelivery => "self-delivery",
        Partnership => "partnership",
        OtherPublicBody => "other-public-body",
        Commercial => "commercial",
        JointCommissioning => "joint-commissioning",
        CommunityLed => "community-led",
        Reduce => "reduce",
        Stop => "stop",
    }
);

vocabulary!(
    /// The kind of plan in the "one plan" layer.
    PlanKind, "plan kind" {
        DeliveryPlan => "delivery-plan",
        EnablingStrategy => "enabling-strategy",
        ServicePlan => "service-plan",
    }
);

vocabulary!(
    /// A RACI letter for a person on an outcome (2026 §5.3).
    Raci, "RACI letter" {
        Responsible => "R",
        Accountable => "A",
        Consulted => "C",
        Informed => "I",
    }
);

impl Raci {
    pub fn display_name(self) -> &'static str {
        match self {
            Raci::Responsible => "Responsible",
            Raci::Accountable => "Accountable",
            Raci::Consulted => "Consulted",
            Raci::Informed => "Informed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_round_trips_through_text() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        for m in DeliveryModel::ALL {
            assert_eq!(m.as_str().parse::<DeliveryModel>().unwrap(), *m);
        }
        for g in Grouping::ALL {
            assert_eq!(g.as_str().parse::<Grouping>().unwrap(), *g);
        }
        assert_eq!(Grouping::ALL.len(), 6);
        assert_eq!(DeliveryModel::ALL.len(), 8);
    }

    #[test]
    fn unknown_values_name_the_accepted_ones() {
        let e = "primry".parse::<Strength>().unwrap_err();
        assert_eq!(
            e,
            "unknown strength 'primry' (expected one of: primary, significant, some)"
        );
    }

    #[test]
    fn weights_are_the_specified_ones() {
        assert_eq!(Strength::Primary.weight(), 1.0);
        assert_eq!(Strength::Significant.weight(), 0.5);
        assert_eq!(Strength::Some.weight(), 0.25);
    }

    #[test]
    fn serde_uses_the_text_form() {
        assert_eq!(serde_json::to_string(&Raci::Accountable).unwrap(), "\"A\"");
        let k: OutcomeKind = serde_json::from_str("\"theme\"").unwrap();
        assert_eq!(k, OutcomeKind::Theme);
        assert!(serde_json::from_str::<OutcomeKind>("\"nation\"").is_err());
    }
}
