//! A DynamoDB client whose HTTP layer misbehaves on purpose, for the tests of what a retry or a
//! lost race does. Calls go to the real DynamoDB Local; a rule picks calls by operation and by
//! a text their request body contains, and then either
//!
//! - lets the call reach DynamoDB (which applies it) and reports a timeout instead of its
//!   answer, so that the SDK retries a call that already took effect; or
//! - answers, without sending it, that the transaction collided with another one
//!   (`TransactionConflict`), as DynamoDB does under contention.

use aws_sdk_dynamodb::config::http::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use minijira::db::Store;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Something to do just before a call is sent (another writer getting in first).
pub type Hook =
    Arc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

#[derive(Clone)]
pub enum Fault {
    /// Applied by DynamoDB, then reported as a timeout (the SDK retries it).
    TimeoutAfterApply,
    /// Refused as a transaction conflict, never sent.
    Conflict,
    /// Sent after `Hook` has run.
    Before(Hook),
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TimeoutAfterApply => "TimeoutAfterApply",
            Self::Conflict => "Conflict",
            Self::Before(_) => "Before",
        })
    }
}

#[derive(Debug)]
struct Rule {
    operation: &'static str,
    body_contains: String,
    fault: Fault,
    /// Calls (attempts) this rule still hits.
    left: usize,
}

/// What to break, and how many calls were broken.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    injected: AtomicUsize,
}

impl Faults {
    /// Breaks the next `times` attempts of `operation` (`"TransactWriteItems"`, `"UpdateItem"`…)
    /// whose request body contains `body_contains`.
    pub fn add(&self, operation: &'static str, body_contains: &str, fault: Fault, times: usize) {
        self.rules.lock().unwrap().push(Rule {
            operation,
            body_contains: body_contains.to_owned(),
            fault,
            left: times,
        });
    }

    /// How many attempts were broken so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    fn pick(&self, req: &HttpRequest) -> Option<Fault> {
        // Only a call's first attempt: the SDK's retry of it goes through.
        let attempt = req.headers().get("amz-sdk-request").unwrap_or("attempt=1;");
        if !attempt.starts_with("attempt=1;") {
            return None;
        }
        let target = req.headers().get("x-amz-target").unwrap_or("");
        let operation = target.rsplit('.').next().unwrap_or("");
        let body = req
            .body()
            .bytes()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let mut rules = self.rules.lock().unwrap();
        let rule = rules.iter_mut().find(|r| {
            r.left > 0 && r.operation == operation && body.contains(r.body_contains.as_str())
        })?;
        rule.left -= 1;
        self.injected.fetch_add(1, Ordering::SeqCst);
        Some(rule.fault.clone())
    }
}

#[derive(Debug)]
struct FaultyClient {
    inner: SharedHttpClient,
    faults: Arc<Faults>,
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Arc<Faults>,
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            faults: self.faults.clone(),
        })
    }
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        match self.faults.pick(&request) {
            None => self.inner.call(request),
            Some(Fault::TimeoutAfterApply) => {
                let applied = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    let answer = applied.await?;
                    drop(answer);
                    Err(ConnectorError::timeout(
                        "injected: DynamoDB applied the call, its answer was lost".into(),
                    ))
                })
            }
            Some(Fault::Before(hook)) => {
                let inner = self.inner.clone();
                HttpConnectorFuture::new(async move {
                    hook().await;
                    inner.call(request).await
                })
            }
            Some(Fault::Conflict) => {
                let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]","CancellationReasons":[{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]}"#;
                let mut res =
                    HttpResponse::new(400u16.try_into().expect("status"), SdkBody::from(body));
                res.headers_mut()
                    .insert("content-type", "application/x-amz-json-1.0");
                HttpConnectorFuture::ready(Ok(res))
            }
        }
    }
}

/// A store on the same table as `store`, whose calls go through `faults`.
pub async fn faulty_store(store: &Store, faults: Arc<Faults>) -> Store {
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "faulty",
        ))
        .load()
        .await;
    // The SDK's own HTTP client (plain HTTP: DynamoDB Local), behind the faults.
    let inner = aws_smithy_http_client::Builder::new().build_http();
    let conf = aws_sdk_dynamodb::config::Builder::from(&shared)
        .endpoint_url(crate::common::ddb_endpoint())
        .http_client(FaultyClient { inner, faults })
        .build();
    Store::new(
        aws_sdk_dynamodb::Client::from_conf(conf),
        store.table().to_owned(),
    )
}
