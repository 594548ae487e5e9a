//! Gate.AI server: the `gateai` binary's library. See ARCHITECTURE in the README.
#![deny(clippy::unwrap_used)]

pub mod accounts;
pub mod billing;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod controls;
pub mod gateway;
pub mod http;
pub mod logs;
pub mod pipeline;
pub mod playground;
pub mod providers;
pub mod routing;
pub mod state;
pub mod storage;
pub mod translate;
pub mod video;

pub use config::Config;
pub use state::AppState;
