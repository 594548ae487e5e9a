//! The HTTP surface: one router for the console (Leptos) and the API, on one port.
//!
//! Layers, outermost first: request id (set, then copied onto the response) → trace →
//! session cookie → client address → cross-site check for console writes.

mod errors;
mod middleware;
mod oauth;
mod payments;
mod routes;

pub use errors::{api_error, Protocol};
pub use routes::{router, start, Running};
pub use middleware::new_request_id;
