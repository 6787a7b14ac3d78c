//! Reads shared by the requests that wait for them, and never older than any of them.
//!
//! Many requests for one page at once each need the same small read (the page's versions).
//! The first starts a read; those that arrive while it is in flight wait for the *next* read,
//! which starts when it returns and serves all of them together. So every request gets a value
//! read after it arrived — exactly what it would get reading alone (a write that returned
//! before the request was sent is in it) — while a key has at most one read in flight.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

type Waiters<T> = Vec<oneshot::Sender<(T, usize)>>;

pub struct Coalescer<T> {
    /// A key is present while its reads run; its waiters are those of the next read.
    slots: Mutex<HashMap<String, Waiters<T>>>,
}

impl<T> Default for Coalescer<T> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone + Send + 'static> Coalescer<T> {
    /// The value of `read` for `key`, read after this call began, and how many requests that
    /// one read served. None if the reading task went away.
    pub async fn read<F, Fut>(self: &Arc<Self>, key: String, read: F) -> Option<(T, usize)>
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut slots = self.slots.lock().ok()?;
            match slots.get_mut(&key) {
                Some(waiters) => {
                    waiters.push(tx);
                    false
                }
                None => {
                    slots.insert(key.clone(), vec![tx]);
                    true
                }
            }
        };
        if lead {
            tokio::spawn(self.clone().flights(key, read));
        }
        rx.await.ok()
    }

    /// Reads for `key` until nobody waits.
    async fn flights<F, Fut>(self: Arc<Self>, key: String, read: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        loop {
            let waiters = {
                let Ok(mut slots) = self.slots.lock() else {
                    return;
                };
                let waiting = slots.get_mut(&key).map(std::mem::take).unwrap_or_default();
                if waiting.is_empty() {
                    slots.remove(&key);
                    return;
                }
                waiting
            };
            // Everyone in `waiters` arrived before this read starts.
            let value = read().await;
            let n = waiters.len();
            for w in waiters {
                let _ = w.send((value.clone(), n));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn waiters_share_a_read_that_began_after_they_arrived() {
        let c = Arc::new(Coalescer::<u64>::default());
        // The "database": a counter bumped by writes; a read takes 50 ms and sees the value
        // at its start.
        let db = Arc::new(AtomicU64::new(0));
        let reads = Arc::new(AtomicU64::new(0));
        let reader = |db: Arc<AtomicU64>, reads: Arc<AtomicU64>| {
            move || {
                let (db, reads) = (db.clone(), reads.clone());
                async move {
                    reads.fetch_add(1, Ordering::SeqCst);
                    let v = db.load(Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    v
                }
            }
        };
        let first = {
            let c = c.clone();
            let r = reader(db.clone(), reads.clone());
            tokio::spawn(async move { c.read("k".into(), r).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        // A write returns while the first read is in flight; every later request must see it.
        db.store(1, Ordering::SeqCst);
        let later: Vec<_> = (0..20)
            .map(|_| {
                let c = c.clone();
                let r = reader(db.clone(), reads.clone());
                tokio::spawn(async move { c.read("k".into(), r).await })
            })
            .collect();
        assert_eq!(first.await.unwrap().unwrap().0, 0);
        for l in later {
            let (v, shared) = l.await.unwrap().unwrap();
            assert_eq!(v, 1, "a read older than the request is never used");
            assert_eq!(shared, 20);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 2, "21 requests, 2 reads");
        assert!(c.slots.lock().unwrap().is_empty());
    }
}
