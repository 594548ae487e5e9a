//! The payment provider's webhook: `POST /api/v1/payments/webhook`.
//!
//! The provider signs the raw body: header `x-gateai-payment-signature: sha256=<hex>` where
//! hex is HMAC-SHA256(GATEAI_PAYMENT_WEBHOOK_SECRET, body). A succeeded payment credits the
//! organization once per `payment_id` (ledger reference `payment:<id>`); replays are no-ops.

use crate::accounts::tokens::verify_hmac_hex;
use crate::billing::ledger;
use crate::storage::{Appended, Db};
use app::types::{LedgerKind, Usd};
use serde::Deserialize;

pub const SIGNATURE_HEADER: &str = "x-gateai-payment-signature";

#[derive(Debug, Deserialize)]
pub struct PaymentEvent {
    pub payment_id: String,
    /// The organization to credit.
    pub org_id: String,
    /// Decimal string, USD.
    pub amount: String,
    #[serde(default = "usd")]
    pub currency: String,
    /// Only `succeeded` credits; other statuses are acknowledged and ignored.
    pub status: String,
}

fn usd() -> String {
    "USD".into()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Credited,
    AlreadyCredited,
    Ignored,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("payments are not configured on this server")]
    NotConfigured,
    #[error("invalid signature")]
    BadSignature,
    #[error("{0}")]
    BadRequest(String),
    #[error("unknown organization")]
    UnknownOrg,
    #[error("internal server error")]
    Internal,
}

pub fn check_signature(secret: Option<&str>, body: &[u8], header: Option<&str>) -> Result<(), PaymentError> {
    let secret = secret.ok_or(PaymentError::NotConfigured)?;
    let sig = header.and_then(|h| h.trim().strip_prefix("sha256=")).ok_or(PaymentError::BadSignature)?;
    if verify_hmac_hex(secret.as_bytes(), body, sig) { Ok(()) } else { Err(PaymentError::BadSignature) }
}

pub async fn handle(db: &Db, secret: Option<&str>, body: &[u8], header: Option<&str>) -> Result<Outcome, PaymentError> {
    check_signature(secret, body, header)?;
    let ev: PaymentEvent =
        serde_json::from_slice(body).map_err(|e| PaymentError::BadRequest(format!("invalid payment event: {e}")))?;
    if ev.status != "succeeded" {
        return Ok(Outcome::Ignored);
    }
    if !ev.currency.eq_ignore_ascii_case("USD") {
        return Err(PaymentError::BadRequest("only USD payments are supported".into()));
    }
    let id = ev.payment_id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(PaymentError::BadRequest("payment_id must be 1 to 200 characters".into()));
    }
    let amount = Usd::parse_positive(&ev.amount).map_err(|e| PaymentError::BadRequest(format!("amount: {e}")))?;
    if db.org(&ev.org_id).await.map_err(|_| PaymentError::Internal)?.is_none() {
        return Err(PaymentError::UnknownOrg);
    }
    match ledger::book(db, &ev.org_id, LedgerKind::TopUp, amount, format!("payment:{id}"), format!("payment {id}"), None).await {
        Ok(Appended::New(_)) => Ok(Outcome::Credited),
        Ok(Appended::Duplicate(_)) => Ok(Outcome::AlreadyCredited),
        Err(e) => {
            tracing::error!(error = %e, "booking payment failed");
            Err(PaymentError::Internal)
        }
    }
}
