//! What the request log says about one request, filled in as the request goes, and the
//! request's admission hold, settled to its cost when the record is finished.

use crate::catalog::ModelEntry;
use crate::controls::Hold;
use crate::gateway::error::GatewayError;
use crate::http::Protocol;
use crate::storage::RequestRecord;
use crate::translate::usage::Usage;
use std::time::Instant;

pub struct Draft {
    pub row: RequestRecord,
    started: Instant,
    hold: Option<Hold>,
}

impl Draft {
    pub fn new(request_id: &str, org_id: &str, key_id: &str, protocol: Protocol, started: Instant) -> Draft {
        Draft {
            row: RequestRecord {
                id: request_id.to_string(),
                org_id: org_id.to_string(),
                key_id: Some(key_id.to_string()),
                created_at: crate::clock::now(),
                protocol: match protocol {
                    Protocol::OpenAi => "openai".into(),
                    Protocol::Anthropic => "anthropic".into(),
                },
                status: 200,
                ..RequestRecord::default()
            },
            started,
            hold: None,
        }
    }

    /// A guest's request: named in the log (its daily limits are seeded from it), and under
    /// no key of its own.
    pub fn guest(&mut self, g: &crate::controls::Guest) {
        self.row.key_id = None;
        self.row.guest_id = Some(g.id.clone());
        self.row.guest_ip = Some(g.ip.clone());
    }

    /// The reservation admission made for this request.
    pub fn hold(&mut self, hold: Hold) {
        self.hold = Some(hold);
    }

    /// Moves the draft (and its hold) out, to the task that finishes the request.
    pub fn take(&mut self) -> Draft {
        Draft { row: std::mem::take(&mut self.row), started: self.started, hold: self.hold.take() }
    }

    pub fn asked(&mut self, model: &str, streamed: bool) {
        self.row.model_requested = model.to_string();
        self.row.streamed = streamed;
    }

    pub fn used(&mut self, model: &ModelEntry, reason: Option<&str>) {
        self.row.model_used = Some(model.id.clone());
        self.row.provider = Some(model.provider.clone());
        self.row.free = model.is_free();
        self.row.route_reason = reason.map(String::from);
    }

    pub fn first_token(&mut self) {
        if self.row.ttft_ms.is_none() {
            self.row.ttft_ms = Some(self.started.elapsed().as_millis() as i64);
        }
    }

    pub fn usage(&mut self, u: &Usage, cost_units: i64, estimated: bool) {
        self.row.input_tokens = (u.input + u.cache_read + u.cache_write) as i64;
        self.row.output_tokens = u.output as i64;
        self.row.cached_tokens = u.cache_read as i64;
        self.row.cost_units = cost_units;
        self.row.usage_estimated = estimated;
    }

    pub fn failed(&mut self, e: &GatewayError) {
        self.row.status = i64::from(e.status().as_u16());
        self.row.error = Some(e.message());
    }

    pub fn status(&mut self, status: u16, error: Option<String>) {
        self.row.status = i64::from(status);
        self.row.error = error;
    }

    /// The record to write; the hold moves to the cost and tokens (nothing, for a failure).
    pub fn finish(mut self) -> RequestRecord {
        if let Some(h) = self.hold.take() {
            h.settle(self.row.cost_units, self.row.input_tokens + self.row.output_tokens);
        }
        self.row.latency_ms = self.started.elapsed().as_millis() as i64;
        if self.row.model_requested.is_empty() {
            self.row.model_requested = "-".into();
        }
        self.row
    }
}
