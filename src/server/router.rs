//! The router: pages, server functions, health, static files, and the middleware stack.

use super::csrf::csrf_guard;
use super::session_layer::session_layer;
use super::state::AppState;
use super::telemetry::{make_span, server_timing};
use crate::app::{shell, App};
use crate::db::schema;
use axum::extract::State;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use http::StatusCode;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub fn router(state: AppState) -> Router {
    super::areas::register_server_functions();
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    let assets = super::assets::urls(&site_root);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.kit.clone());
            provide_context(state.kit.error_seal.clone());
            provide_context(assets.clone());
            // The page's scripts carry the nonce the policy layer made for this request (this
            // runs after leptos_axum provided a nonce of its own, and replaces it).
            let nonce = use_context::<http::request::Parts>()
                .and_then(|p| p.extensions.get::<super::security::PageNonce>().cloned());
            if let Some(nonce) = nonce {
                provide_context(leptos::nonce::Nonce::from_value(nonce.0));
            }
        }
    };
    let options = state.leptos_options.clone();
    let router = Router::new()
        .merge(super::assets::routes(&site_root))
        .route("/healthz", get(healthz))
        .merge(super::areas::routes())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(from_fn_with_state(
            state.clone(),
            super::page_cache::page_cache_layer,
        ))
        .layer(from_fn_with_state(state.clone(), session_layer))
        .layer(from_fn_with_state(
            state.leptos_options.clone(),
            super::security::page_policy_layer,
        ));
    super::security::layers(router, state.kit.settings.secure_cookies)
        // Pages and server-function answers compressed for browsers that ask (brotli or gzip
        // at level 4: a few hundred microseconds for a large page). Not the live stream (an
        // event stream is never buffered) nor the static files (sent pre-compressed).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(from_fn(csrf_guard))
        .layer(from_fn(server_timing))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(make_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// 200 when DynamoDB answers, 503 otherwise; judged at most once per `health::HEALTHY_FOR` (once
/// per `health::UNHEALTHY_FOR` after a failure) whatever the number of requests, so a flood of public
/// health checks is not a flood of DescribeTable calls (a control-plane call, throttled at a
/// low rate).
async fn healthz(State(state): State<AppState>, req: axum::extract::Request) -> impl IntoResponse {
    let store = state.kit.store_for(req.extensions());
    let healthy = state
        .health
        .judge(|| async move {
            match schema::ping(&store).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "health check failed");
                    false
                }
            }
        })
        .await;
    if healthy {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "dynamodb unreachable")
    }
}
