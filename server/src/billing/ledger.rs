//! Booking entries on an organization's ledger. Every entry carries a reference that is
//! unique across the ledger, so the same payment, redemption or charge is booked once.

use crate::clock;
use crate::storage::{Appended, Db, LedgerRow, NewLedgerEntry, StoreResult};
use app::types::{LedgerEntryInfo, LedgerKind, Usd};

/// Books `amount` (negative for charges) with an idempotency `reference`.
pub async fn book(
    db: &Db,
    org_id: &str,
    kind: LedgerKind,
    amount: Usd,
    reference: String,
    note: String,
    actor: Option<String>,
) -> StoreResult<Appended> {
    let amount_units = amount
        .to_units()
        .ok_or_else(|| crate::storage::StoreError::Other("amount out of range".into()))?;
    db.append(&NewLedgerEntry {
        org_id: org_id.to_string(),
        kind: kind.as_str(),
        amount_units,
        reference,
        note,
        actor_user_id: actor,
        now: clock::now(),
    })
    .await
}

pub fn info(row: &LedgerRow) -> LedgerEntryInfo {
    LedgerEntryInfo {
        id: row.id.to_string(),
        kind: LedgerKind::parse(&row.kind).unwrap_or(LedgerKind::Adjustment),
        amount: Usd::from_units(row.amount_units),
        balance_after: Usd::from_units(row.balance_after_units),
        reference: row.reference.clone(),
        note: row.note.clone(),
        created_at: clock::rfc3339(row.created_at),
    }
}
