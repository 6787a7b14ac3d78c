//! The one Query: a page of a partition of the table or of an index, with the opaque cursor of
//! the next page. Every list and every partial read of a partition goes through here.

use super::{cursor, from_item, s, DbError, Expr, Index, Item, Store};
use serde::de::DeserializeOwned;

/// Which sort keys of the partition a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey<'a> {
    All,
    Prefix(&'a str),
    Equals(&'a str),
    /// Strictly after this.
    After(&'a str),
    /// Up to and including this.
    UpTo(&'a str),
    /// From the first to the second, both included.
    Between(&'a str, &'a str),
}

/// One page of a partition of the table or of an index.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    pub index: Index,
    pub pk: &'a str,
    pub sk: SortKey<'a>,
    /// Read only the items' keys.
    pub keys_only: bool,
    /// Descending sort-key order (newest first for time-keyed items).
    pub descending: bool,
    /// The page link of the previous page, if any.
    pub cursor: Option<&'a str>,
    /// Items per page (clamped to 1..=100); `None`: as many as one call returns (1 MB).
    pub limit: Option<i32>,
    /// Strongly consistent (the table and local indexes only).
    pub consistent: bool,
    /// Only items that match this condition (read, then dropped: DynamoDB's filter).
    pub filter: Option<&'a Expr>,
}

impl<'a> PageQuery<'a> {
    /// The first page of `pk` in `index`, ascending, 50 items.
    pub fn new(index: Index, pk: &'a str) -> Self {
        Self {
            index,
            pk,
            sk: SortKey::All,
            keys_only: false,
            descending: false,
            cursor: None,
            limit: Some(50),
            consistent: false,
            filter: None,
        }
    }

    /// Reads what every write before it wrote (the table and local indexes only).
    pub fn consistent(self) -> Self {
        Self {
            consistent: true,
            ..self
        }
    }

    pub fn filter(self, filter: Option<&'a Expr>) -> Self {
        Self { filter, ..self }
    }

    /// Only sort keys that start with `prefix` (all of them for an empty prefix).
    pub fn prefix(self, prefix: &'a str) -> Self {
        let sk = if prefix.is_empty() {
            SortKey::All
        } else {
            SortKey::Prefix(prefix)
        };
        Self { sk, ..self }
    }

    pub fn sort_key(self, sk: SortKey<'a>) -> Self {
        Self { sk, ..self }
    }

    pub fn keys_only(self) -> Self {
        Self {
            keys_only: true,
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

    /// What a page link of this query is bound to: the index, the partition and the range.
    fn list(&self) -> String {
        format!(
            "{}|{}|{:?}|{}",
            self.index.name().unwrap_or("table"),
            self.pk,
            self.sk,
            self.descending
        )
    }

    pub fn limit(self, limit: i32) -> Self {
        Self {
            limit: Some(limit),
            ..self
        }
    }

    /// As many items as one call returns (up to 1 MB): for a partition known to be small.
    pub fn unlimited(self) -> Self {
        Self {
            limit: None,
            ..self
        }
    }
}

impl Store {
    /// One page of a partition (of the table or an index), in one Query: the raw items and the
    /// page link of the next page. Every cursor-paged list goes through here.
    pub async fn page_items(
        &self,
        q: PageQuery<'_>,
    ) -> Result<(Vec<Item>, Option<String>), DbError> {
        let list = q.list();
        let start = self
            .cursors()
            .start(&list, q.cursor, &q.index.key_attributes())?;
        let (pk_attr, sk_attr) = (q.index.pk(), q.index.sk());
        let mut req = self
            .client
            .query()
            .table_name(self.table())
            .set_index_name(q.index.name().map(str::to_owned))
            .expression_attribute_values(":pk", s(q.pk))
            .scan_index_forward(!q.descending)
            .set_exclusive_start_key(start)
            .set_limit(q.limit.map(|l| l.clamp(1, 100)));
        if q.keys_only {
            req = req.projection_expression(q.index.key_attributes().join(", "));
        }
        if q.consistent && matches!(q.index, Index::Table | Index::Lsi1) {
            req = req.consistent_read(true);
        }
        if let Some(f) = q.filter {
            let (_, condition, names, values) = f.clone().into_parts();
            req = req
                .set_filter_expression(condition)
                .set_expression_attribute_names(names);
            for (k, v) in values.unwrap_or_default() {
                req = req.expression_attribute_values(k, v);
            }
        }
        let (condition, values): (String, Vec<(&str, &str)>) = match q.sk {
            SortKey::All => (String::new(), vec![]),
            SortKey::Prefix(p) => (format!(" AND begins_with({sk_attr}, :a)"), vec![(":a", p)]),
            SortKey::Equals(v) => (format!(" AND {sk_attr} = :a"), vec![(":a", v)]),
            SortKey::After(v) => (format!(" AND {sk_attr} > :a"), vec![(":a", v)]),
            SortKey::UpTo(v) => (format!(" AND {sk_attr} <= :a"), vec![(":a", v)]),
            SortKey::Between(a, b) => (
                format!(" AND {sk_attr} BETWEEN :a AND :b"),
                vec![(":a", a), (":b", b)],
            ),
        };
        req = req.key_condition_expression(format!("{pk_attr} = :pk{condition}"));
        for (name, v) in values {
            req = req.expression_attribute_values(name, s(v));
        }
        let out = self.call(req.send()).await?;
        let items = out.items.unwrap_or_default();
        let next = out
            .last_evaluated_key
            .filter(|_| !items.is_empty() || q.filter.is_some())
            .map(|k| self.cursors().seal(&list, &cursor::key_strings(&k)));
        Ok((items, next))
    }

    /// A page link that continues `q` after `key` (for a list that makes its own links).
    pub fn link(&self, q: &PageQuery<'_>, key: &cursor::KeyStrings) -> String {
        self.cursors().seal(&q.list(), key)
    }

    /// Every item of `q`, following its pages (a list that must be read whole: a sprint's
    /// events, a project's head).
    pub async fn all_items(&self, q: PageQuery<'_>) -> Result<Vec<Item>, DbError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (items, next) = self.page_items(q.after(cursor.as_deref())).await?;
            out.extend(items);
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// [`Store::all_items`], each item decoded as `T`.
    pub async fn all<T: DeserializeOwned>(&self, q: PageQuery<'_>) -> Result<Vec<T>, DbError> {
        self.all_items(q)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
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
