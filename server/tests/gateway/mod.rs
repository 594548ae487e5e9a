//! The chat gateway end to end: the real server in front of the upstream test double.

pub(crate) mod harness;

mod errors;
mod openai;
mod anthropic;
mod resilience;
mod billing;
mod budgets;
mod guardrails;
mod free_models;
mod scale_out;
mod playground;
mod leases;
