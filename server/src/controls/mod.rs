//! Controls that hold under concurrency: budgets, and (next) guardrails and rate limits.
//! `counters` is the reservation engine, `admission` decides per request, `hold` carries a
//! request's reservation to its settlement, `period` is the UTC budget calendar.

pub mod admission;
pub mod counters;
pub mod hold;
pub mod period;

pub use admission::Controls;
pub use hold::Hold;
pub use period::Period;
