//! Which sessions are still good: a bounded in-process cache of each signed-in account's
//! status, session epoch and open sessions, read from DynamoDB at most once per account per
//! check interval (30 s by default).
//!
//! A session token names its session and the epoch of its account at sign-in. Signing out, or
//! ending a session on `/account`, takes the session out of the account's open sessions (a
//! copied token of it is refused too); a new password moves the epoch on (every token issued
//! before is refused); deactivating the account changes its status. The instance where that happens forgets
//! its cached entry at once; every other instance sees the change at its next check, within
//! the interval. When DynamoDB cannot be read, a session whose token is valid is kept (and the
//! next request tries again): an outage must not sign everybody out.

use crate::db::account_state::{self as accounts, AccountState};
use crate::db::Store;
use crate::model::AccountStatus;
use lru::LruCache;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most accounts remembered; past that, the stalest entries are dropped.
pub const CAPACITY: usize = 50_000;

#[derive(Debug, Clone)]
struct Entry {
    status: AccountStatus,
    epoch: u64,
    email_confirmed: bool,
    sessions: Arc<BTreeSet<String>>,
    checked: Instant,
}

/// How often a session's "last seen" is written, at most, per instance.
pub const TOUCH_EVERY: Duration = Duration::from_secs(300);

/// What a verified token's session is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Good,
    /// Signed out since (or the account is gone).
    Ended,
    Deactivated,
}

/// Told of an account whose sessions ended here (see [`SessionGuard::on_end`]).
type EndListener = Box<dyn Fn(&str) + Send + Sync>;

pub struct SessionGuard {
    /// At most [`CAPACITY`] accounts; past that the least recently used is dropped (its next
    /// request reads it again).
    entries: Mutex<LruCache<String, Entry>>,
    interval: Duration,
    listeners: Mutex<Vec<EndListener>>,
    /// When each session's "last seen" was last written from here.
    touched: Mutex<LruCache<String, Instant>>,
}

impl SessionGuard {
    pub fn new(interval: Duration) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(
                std::num::NonZeroUsize::new(CAPACITY).unwrap_or(std::num::NonZeroUsize::MIN),
            )),
            interval,
            listeners: Mutex::default(),
            touched: Mutex::new(LruCache::new(
                std::num::NonZeroUsize::new(CAPACITY).unwrap_or(std::num::NonZeroUsize::MIN),
            )),
        }
    }

    /// Calls `listener` with the account's id whenever [`SessionGuard::end`] is called on this
    /// instance (the live streams end an account's open pages with it).
    pub fn on_end(&self, listener: impl Fn(&str) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.push(Box::new(listener));
        }
    }

    /// The account's sessions have ended (signed out, or its status changed): what is known of
    /// it is dropped, so that its next request reads it again, and the listeners are told.
    pub fn end(&self, user_id: &str) {
        self.forget(user_id);
        if let Ok(listeners) = self.listeners.lock() {
            for listener in listeners.iter() {
                listener(user_id);
            }
        }
    }

    /// A token's session: `token_epoch` and `sid` as the token says (an empty `sid`: a token
    /// from before sessions had ids, judged by its epoch alone).
    fn verdict(entry: &Entry, token_epoch: u64, sid: &str) -> Verdict {
        if entry.status == AccountStatus::Deactivated {
            Verdict::Deactivated
        } else if token_epoch < entry.epoch || (!sid.is_empty() && !entry.sessions.contains(sid)) {
            Verdict::Ended
        } else {
            Verdict::Good
        }
    }

    /// Whether this instance should write that session `sid` was seen now (at most once per
    /// [`TOUCH_EVERY`]).
    pub fn touch(&self, sid: &str) -> bool {
        if sid.is_empty() {
            return false;
        }
        let Ok(mut touched) = self.touched.lock() else {
            return false;
        };
        let due = touched
            .get(sid)
            .is_none_or(|at| at.elapsed() >= TOUCH_EVERY);
        if due {
            touched.put(sid.to_owned(), Instant::now());
        }
        due
    }

    /// What is known of `user_id`, if read within the interval and if it knows session `sid`
    /// (a session opened since, on another instance, is not in it: the account is read again).
    fn fresh(&self, user_id: &str, sid: &str) -> Option<Entry> {
        let mut entries = self.entries.lock().ok()?;
        entries
            .get(user_id)
            .cloned()
            .filter(|e| e.checked.elapsed() < self.interval)
            .filter(|e| sid.is_empty() || e.sessions.contains(sid))
    }

    /// The session `sid` of `user_id` with a token of `token_epoch`: from the cache, or (at
    /// most once per interval) from the account itself.
    pub async fn check(
        &self,
        store: &Store,
        user_id: &str,
        token_epoch: u64,
        sid: &str,
    ) -> Verdict {
        if let Some(entry) = self.fresh(user_id, sid) {
            return Self::verdict(&entry, token_epoch, sid);
        }
        match accounts::get(store, user_id).await {
            Ok(Some(account)) => self.judge(&account, token_epoch, sid),
            Ok(None) => Verdict::Ended,
            Err(e) => {
                tracing::warn!(error = %e, "could not check a session; kept for now");
                Verdict::Good
            }
        }
    }

    /// [`SessionGuard::check`] of many sessions at once (`(user id, token epoch, session id)`),
    /// in their order: the accounts not checked within the interval are read together, one
    /// batched read per hundred (the live streams' re-check).
    pub async fn check_many(&self, store: &Store, sessions: &[(&str, u64, &str)]) -> Vec<Verdict> {
        let cached: Vec<Option<Entry>> = sessions
            .iter()
            .map(|(user, _, sid)| self.fresh(user, sid))
            .collect();
        let mut stale: Vec<&str> = sessions
            .iter()
            .zip(&cached)
            .filter(|(_, c)| c.is_none())
            .map(|((user, ..), _)| *user)
            .collect();
        stale.sort_unstable();
        stale.dedup();
        let read = if stale.is_empty() {
            Ok(Default::default())
        } else {
            accounts::by_ids(store, &stale).await
        };
        // A failed read keeps the sessions it could not check (an outage signs nobody out).
        let read = read
            .inspect_err(|e| tracing::warn!(error = %e, "could not check sessions; kept for now"))
            .ok();
        sessions
            .iter()
            .zip(cached)
            .map(|((user, epoch, sid), cached)| match (cached, &read) {
                (Some(entry), _) => Self::verdict(&entry, *epoch, sid),
                (None, Some(found)) => found
                    .get(*user)
                    .map_or(Verdict::Ended, |u| self.judge(u, *epoch, sid)),
                (None, None) => Verdict::Good,
            })
            .collect()
    }

    /// Whether the account's address is confirmed, as last read (nothing when it is not
    /// remembered): a token that says otherwise is renewed.
    pub fn email_confirmed(&self, user_id: &str) -> Option<bool> {
        let entries = self.entries.lock().ok()?;
        entries.peek(user_id).map(|e| e.email_confirmed)
    }

    /// How long a check holds.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Records what an account is now (at sign-in).
    pub fn remember(&self, account: &AccountState) {
        self.record(account);
    }

    /// Records `account` as just read, and judges a token of `token_epoch` and session `sid`
    /// against it.
    pub fn judge(&self, account: &AccountState, token_epoch: u64, sid: &str) -> Verdict {
        Self::verdict(&self.record(account), token_epoch, sid)
    }

    fn record(&self, account: &AccountState) -> Entry {
        let entry = Entry {
            status: account.status,
            epoch: account.session_epoch,
            email_confirmed: account.email_confirmed,
            sessions: Arc::new(account.sessions.clone()),
            checked: Instant::now(),
        };
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(account.id.clone(), entry.clone());
        }
        entry
    }

    /// Drops what is known of an account, so that its next request reads it again.
    pub fn forget(&self, user_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.pop(user_id);
        }
    }
}
