//! The API's HTTP handlers, thin: authenticate, read the body, call the pipeline or a
//! service, render in the caller's protocol.

pub mod account_info;
pub mod auth;
pub mod body;
pub mod chat;
pub mod error;
pub mod management;
pub mod models;
