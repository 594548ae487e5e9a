//! Gate.AI console: Leptos pages (SSR + hydration), server functions, and the types shared
//! with the server.
#![recursion_limit = "512"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod chart;
pub mod components;
pub mod pages;
pub mod shell;
pub mod snippets;
pub mod types;
pub mod video;

pub use shell::{shell, App};
