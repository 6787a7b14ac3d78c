//! An update and/or condition expression with its attribute names and values, built step by
//! step: `Expr::set("SET #st = :to").when("#st = :from").name("#st", "status").value(":to", s(..))`.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Expr {
    update: Option<String>,
    condition: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

pub(crate) type Parts = (
    Option<String>,
    Option<String>,
    Option<HashMap<String, String>>,
    Option<HashMap<String, AttributeValue>>,
);

impl Expr {
    /// An update expression (`SET …`, `ADD …`, `REMOVE …`).
    pub fn set(update: impl Into<String>) -> Self {
        Self {
            update: Some(update.into()),
            ..Self::default()
        }
    }

    /// A condition alone (for a ConditionCheck or a Delete).
    pub fn condition(condition: impl Into<String>) -> Self {
        Self::default().when(condition)
    }

    /// The item exists.
    pub fn exists() -> Self {
        Self::condition("attribute_exists(pk)")
    }

    /// Adds a condition; several are joined with AND.
    pub fn when(mut self, condition: impl Into<String>) -> Self {
        let c = condition.into();
        self.condition = Some(match self.condition.take() {
            Some(prev) => format!("({prev}) AND ({c})"),
            None => c,
        });
        self
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names
            .insert(placeholder.to_owned(), attribute.to_owned());
        self
    }

    pub fn value(mut self, placeholder: &str, v: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), v);
        self
    }

    pub(crate) fn into_parts(self) -> Parts {
        (
            self.update,
            self.condition,
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}
