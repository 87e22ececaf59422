//! Small helpers the register pages share: vocabulary values in words and a
//! select field with a blank first choice.
use crate::pages::capitalise;
use crate::view::{Choice, Field};

/// A vocabulary value in words: `very-high` → "Very high".
pub(crate) fn words(s: &str) -> String {
    capitalise(&s.replace('-', " "))
}

/// A select field: `blank` first (chosen when `chosen` is empty), then the
/// (value, label) pairs.
pub(crate) fn select(
    name: &str,
    label: &str,
    blank: &str,
    values: &[(String, String)],
    chosen: &str,
) -> Field {
    let mut choices = vec![Choice {
        value: String::new(),
        label: blank.into(),
        selected: chosen.is_empty(),
    }];
    choices.extend(values.iter().map(|(v, l)| Choice {
        value: v.clone(),
        label: l.clone(),
        selected: v == chosen,
    }));
    Field::new("select", name, label, "").choices(choices)
}

/// Every value of a vocabulary as (value, words) choices.
pub(crate) fn vocab<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<(String, String)> {
    all.iter()
        .map(|x| (x.to_string(), words(&x.to_string())))
        .collect()
}
