//! Test doubles of the outside services Gate.AI talks to. Used by tests and benchmarks,
//! never by the product.

pub mod oauth;
pub mod upstream;
