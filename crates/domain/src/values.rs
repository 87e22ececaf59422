//! Newtypes that parse input into valid domain values, so that invalid states
//! cannot be represented further in.
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value could not be parsed; the text is shown to the user as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A human code for a record (e.g. `LO1`, `WB-CP`), unique per tenant and kind.
/// 1–40 characters: letters, digits, `-`, `_` and `.`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub const MAX_LEN: usize = 40;

    pub fn parse(s: &str) -> Result<Code, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseError("a code is required".into()));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(ParseError(format!(
                "code '{s}' is longer than {} characters",
                Self::MAX_LEN
            )));
        }
        let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !first_ok || !rest_ok {
            return Err(ParseError(format!(
                "code '{s}' may only contain letters, digits, '-', '_' and '.', and must start with a letter or digit"
            )));
        }
        Ok(Code(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Code::parse(&s)
    }
}
impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address identifying a person; stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ParseError("an email address is required".into()));
        }
        let bad = || ParseError(format!("'{s}' is not a valid email address"));
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Email(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Full-time equivalent staffing: an exact, non-negative decimal with at most two places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Fte(Decimal);

impl Fte {
    pub fn parse(s: &str) -> Result<Fte, ParseError> {
        let t = s.trim();
        if t.is_empty() {
            return Ok(Fte(Decimal::ZERO));
        }
        let d: Decimal = t
            .parse()
            .map_err(|_| ParseError(format!("'{t}' is not a number")))?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(ParseError(format!("FTE cannot be negative ('{t}')")));
        }
        if d.normalize().scale() > 2 {
            return Err(ParseError(format!(
                "FTE has at most 2 decimal places ('{t}')"
            )));
        }
        Ok(Fte(d.normalize()))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Fte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Fte {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Fte {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            F(serde_json::Number),
        }
        let text = match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::F(n) => n.to_string(),
        };
        Fte::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Code::parse(" LO1 ").unwrap().as_str(), "LO1");
        assert!(Code::parse("WB-CP_2.a").is_ok());
        for bad in ["", "-X", "A B", "A;B", "é", &"X".repeat(41)] {
            assert!(Code::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("Director.Wellbeing@Demo.Example")
                .unwrap()
                .as_str(),
            "director.wellbeing@demo.example"
        );
        for bad in [
            "", "x", "x@", "@y.z", "a b@c.d", "a@b", "a@.b", "a@b.", "a@b@c.d",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn fte() {
        assert_eq!(Fte::parse("12.50").unwrap().to_string(), "12.5");
        assert_eq!(Fte::parse("").unwrap().to_string(), "0");
        assert!(Fte::parse("-1").is_err());
        assert!(Fte::parse("1.234").is_err());
        assert!(Fte::parse("abc").is_err());
    }
}

/// Text-valued newtypes appear in the API as strings with a pattern or format.
#[cfg(feature = "openapi")]
mod openapi {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    fn string(description: &str, pattern: Option<&str>, format: Option<&str>) -> RefOr<Schema> {
        let mut b = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description));
        if let Some(p) = pattern {
            b = b.pattern(Some(p));
        }
        if let Some(f) = format {
            b = b.format(Some(utoipa::openapi::SchemaFormat::Custom(f.to_string())));
        }
        b.into()
    }

    impl utoipa::PartialSchema for super::Code {
        fn schema() -> RefOr<Schema> {
            string(
                "A human code, unique per tenant.",
                Some("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"),
                None,
            )
        }
    }
    impl utoipa::ToSchema for super::Code {}

    impl utoipa::PartialSchema for super::Email {
        fn schema() -> RefOr<Schema> {
            string(
                "An email address identifying a person.",
                None,
                Some("email"),
            )
        }
    }
    impl utoipa::ToSchema for super::Email {}

    impl utoipa::PartialSchema for super::Fte {
        fn schema() -> RefOr<Schema> {
            string(
                "Full-time equivalent staff, an exact decimal with at most 2 places.",
                Some("^[0-9]+(\\.[0-9]{1,2})?$"),
                None,
            )
        }
    }
    impl utoipa::ToSchema for super::Fte {}
}
