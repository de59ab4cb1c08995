//! The route table: every route of the server, recorded as it is added so that a test can
//! compare it with the OpenAPI document in both directions.

pub mod atlas;
pub mod chart;
pub mod dashboard;
pub mod engine;
pub mod ideal;
pub mod ledger;
pub mod rollcalls;
pub mod votes;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::state::AppState;
use crate::{middleware, openapi};

/// A router that remembers its routes as `(METHOD, path)`.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        m: MethodRouter<AppState>,
    ) -> Routes {
        self.router = self.router.route(path, m);
        self.list.push((method, path));
        self
    }
}

/// Every route: `(router, [(METHOD, path)])`. Writes go through the token check.
pub fn routes(state: &AppState) -> (Router<AppState>, Vec<(&'static str, &'static str)>) {
    let token = || from_fn_with_state(state.clone(), middleware::require_token);
    let r = Routes::new()
        .add("GET", "/", get(dashboard::index))
        .add("GET", "/assets/{file}", get(dashboard::asset))
        .add("GET", "/api/openapi.json", get(openapi::document))
        .add("GET", "/api/health", get(votes::health))
        .add("GET", "/api/countries", get(votes::countries))
        .add("GET", "/api/align", get(votes::align))
        .add("GET", "/api/balance/{iso3}", get(votes::balance))
        .add("GET", "/api/dyads", get(votes::dyads))
        .add("GET", "/api/rollcalls", get(rollcalls::rollcalls))
        .add("GET", "/api/record/{iso3}", get(votes::record))
        .add("GET", "/api/ideal", get(ideal::ideal))
        .add("GET", "/api/atlas", get(atlas::atlas))
        .add("GET", "/api/shifts/{iso3}", get(atlas::shifts))
        .add("GET", "/api/groups", get(atlas::groups))
        .add("GET", "/api/chart/map.svg", get(atlas::map))
        .add("GET", "/api/chart/balance/{file}", get(chart::balance))
        .add("GET", "/api/chart/heatmap.svg", get(chart::heatmap))
        .add("GET", "/api/chart/simulate.svg", get(chart::simulation))
        .add("GET", "/api/doctrines", get(engine::doctrines))
        .add("GET", "/api/cases", get(engine::cases))
        .add("GET", "/api/worlds", get(engine::worlds))
        .add("POST", "/api/advise", post(engine::advise))
        .add("POST", "/api/backtest", post(engine::backtest))
        .add("POST", "/api/plan", post(engine::plan))
        .add("POST", "/api/simulate", post(engine::simulate))
        .add("GET", "/api/ledger/events", get(ledger::list))
        .add(
            "POST",
            "/api/ledger/events",
            post(ledger::create).route_layer(token()),
        )
        .add("GET", "/api/ledger/events/{id}", get(ledger::get_one));
    (r.router, r.list)
}
