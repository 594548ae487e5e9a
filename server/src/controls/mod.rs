//! Controls that hold under concurrency: budgets, guardrails and rate limits.
//! `counters` is the reservation engine, `admission` decides per request, `hold` carries a
//! request's reservation to its settlement, `period` is the UTC budget calendar,
//! `policy` the guardrails and routing settings of each organization, cached.

pub mod admission;
pub mod changes;
pub mod counters;
pub mod hold;
pub mod period;
pub mod policy;
pub mod shared;
pub mod store;

pub use admission::{Controls, Demand, FreeLimits, Guest, GuestLimits};
pub use hold::Hold;
pub use store::Counters;
pub use period::Period;
