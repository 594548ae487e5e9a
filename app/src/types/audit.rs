//! The audit log: who changed what in the organization, newest first.

use serde::{Deserialize, Serialize};

/// Entries per page of the audit log.
pub const AUDIT_PAGE: u32 = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryInfo {
    /// RFC 3339.
    pub at: String,
    /// A person's email, or `key <name>` for a management key.
    pub who: String,
    /// `guardrail.update`, `key.budget`, `routing.update`, …
    pub action: String,
    /// What was changed: a guardrail's or key's name where it still exists, else its id.
    pub target: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryInfo>,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
    /// Whether an older page exists.
    pub has_more: bool,
}
