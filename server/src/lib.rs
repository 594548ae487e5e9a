//! Gate.AI server: the `gateai` binary's library. See ARCHITECTURE in the README.
#![deny(clippy::unwrap_used)]

pub mod accounts;
pub mod billing;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod gateway;
pub mod http;
pub mod state;
pub mod storage;

pub use config::Config;
pub use state::AppState;
