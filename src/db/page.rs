//! The one paged query: a page of a partition of the table or of an index, with the opaque
//! cursor of the next page. Every cursor-paged list goes through here.

use super::{cursor, from_item, s, DbError, Index, Item, Store};
use serde::de::DeserializeOwned;

/// One page of a partition of the table or of an index.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    pub index: Index,
    pub pk: &'a str,
    /// Only sort keys that start with this.
    pub sk_prefix: Option<&'a str>,
    /// Descending sort-key order (newest first for time-keyed items).
    pub descending: bool,
    /// The page link of the previous page, if any.
    pub cursor: Option<&'a str>,
    /// Items per page (clamped to 1..=100).
    pub limit: i32,
}

impl<'a> PageQuery<'a> {
    /// The first page of `pk` in `index`, ascending, 50 items.
    pub fn new(index: Index, pk: &'a str) -> Self {
        Self {
            index,
            pk,
            sk_prefix: None,
            descending: false,
            cursor: None,
            limit: 50,
        }
    }

    pub fn prefix(self, sk_prefix: &'a str) -> Self {
        Self {
            sk_prefix: (!sk_prefix.is_empty()).then_some(sk_prefix),
            ..self
        }
    }

    pub fn newest_first(self) -> Self {
        Self {
            descending: true,
            ..self
        }
    }

    pub fn after(self, cursor: Option<&'a str>) -> Self {
        Self { cursor, ..self }
    }

    pub fn limit(self, limit: i32) -> Self {
        Self { limit, ..self }
    }
}

impl Store {
    /// One page of a partition (of the table or an index), in one Query: the raw items and the
    /// page link of the next page. Every cursor-paged list goes through here.
    pub async fn page_items(
        &self,
        q: PageQuery<'_>,
    ) -> Result<(Vec<Item>, Option<String>), DbError> {
        let start = cursor::start(q.cursor, &q.index.key_attributes())?;
        let (pk_attr, sk_attr) = (q.index.pk(), q.index.sk());
        let mut req = self
            .client
            .query()
            .table_name(self.table())
            .set_index_name(q.index.name().map(str::to_owned))
            .expression_attribute_values(":pk", s(q.pk))
            .scan_index_forward(!q.descending)
            .set_exclusive_start_key(start)
            .limit(q.limit.clamp(1, 100));
        req = match q.sk_prefix {
            Some(prefix) => req
                .key_condition_expression(format!(
                    "{pk_attr} = :pk AND begins_with({sk_attr}, :prefix)"
                ))
                .expression_attribute_values(":prefix", s(prefix)),
            None => req.key_condition_expression(format!("{pk_attr} = :pk")),
        };
        let out = self.call(req.send()).await?;
        let items = out.items.unwrap_or_default();
        let next = out
            .last_evaluated_key
            .filter(|_| !items.is_empty())
            .map(|k| cursor::encode(&cursor::key_strings(&k)));
        Ok((items, next))
    }

    /// [`Store::page_items`], each item decoded as `T`.
    pub async fn page<T: DeserializeOwned>(
        &self,
        q: PageQuery<'_>,
    ) -> Result<(Vec<T>, Option<String>), DbError> {
        let (items, next) = self.page_items(q).await?;
        let items = items
            .into_iter()
            .map(from_item)
            .collect::<Result<Vec<T>, _>>()?;
        Ok((items, next))
    }
}
