//! Demo data, loaded once (a marker item records that it was), through the areas' own rules
//! and stores (each area's `seed`, composed in `areas`).

use crate::db::keys::seed_marker;
use crate::db::{s, Store, Tx};
use crate::error::AppError;

/// Loads the demo data unless the marker says it is there. Returns true when it loaded now.
pub async fn load_demo_once(store: &Store) -> Result<bool, AppError> {
    let (mpk, msk) = seed_marker();
    if store.exists(&mpk, &msk).await? {
        return Ok(false);
    }
    super::areas::load_demo(store).await?;
    let marker = [
        (crate::db::keys::PK.to_owned(), s(mpk)),
        (crate::db::keys::SK.to_owned(), s(msk)),
        ("loaded_at".to_owned(), s(store.now().to_rfc3339())),
    ]
    .into_iter()
    .collect();
    let mut tx = Tx::new(store);
    tx.create("marker", marker);
    match tx.run(store).await {
        Ok(()) => Ok(true),
        Err(e) if e.failed("marker") => Ok(true),
        Err(e) => Err(crate::db::DbError::from(e).into()),
    }
}
