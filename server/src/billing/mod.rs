//! Money: the append-only ledger, redemption codes, the payment webhook.

pub mod ledger;
pub mod payments;
pub mod pricing;
pub mod redemption;
