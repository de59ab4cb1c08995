//! The OpenAPI 3.1 document of the API, written by hand in `openapi.json`, with the world
//! parameters (`components.schemas.WorldParameters`) and the chart's query parameters for
//! them filled in from their one definition, `bamboo_sim::params`, and served.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{json, Value};

/// The hand-written document, embedded at build time.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// The document served: [`OPENAPI_JSON`] with every world parameter's name, meaning and
/// range.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut doc: Value = serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON");
    let schema = |p: &bamboo_sim::params::Param| {
        let mut s = json!({
            "type": "number", "minimum": p.min, "maximum": p.max, "description": p.doc,
        });
        if let Some(d) = p.default {
            s["default"] = json!(d);
        }
        s
    };
    let props: serde_json::Map<String, Value> = bamboo_sim::params::parameters()
        .map(|p| (p.name.to_string(), schema(p)))
        .collect();
    doc["components"]["schemas"]["WorldParameters"]["properties"] = Value::Object(props);
    if let Some(list) = doc["paths"]["/api/chart/simulate.svg"]["get"]["parameters"].as_array_mut()
    {
        for p in bamboo_sim::params::parameters() {
            list.push(json!({ "name": p.name, "in": "query", "schema": schema(p) }));
        }
    }
    serde_json::to_string_pretty(&doc).expect("a document serialises")
});

/// `GET /api/openapi.json`.
pub async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}
