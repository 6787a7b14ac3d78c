//! The health verdict `/healthz` answers, shared by its requests.

use std::time::{Duration, Instant};

/// How long a good health check holds.
pub const HEALTHY_FOR: Duration = Duration::from_secs(5);
/// How long a failed one holds (short: a recovered database is seen at once).
pub const UNHEALTHY_FOR: Duration = Duration::from_secs(1);

/// The last health verdict. Concurrent checks wait for the one that is running.
#[derive(Default)]
pub struct HealthCheck {
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

impl HealthCheck {
    /// The verdict still holding, or `check`'s.
    pub async fn judge<F, Fut>(&self, check: F) -> bool
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let mut last = self.last.lock().await;
        if let Some((at, healthy)) = *last {
            let holds = if healthy { HEALTHY_FOR } else { UNHEALTHY_FOR };
            if at.elapsed() < holds {
                return healthy;
            }
        }
        let healthy = check().await;
        *last = Some((Instant::now(), healthy));
        healthy
    }
}
