//! The API's HTTP handlers, thin: authenticate, call a service, render in the caller's protocol.

pub mod account_info;
pub mod auth;
