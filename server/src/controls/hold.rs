//! A request's reservation, held from admission to settlement. Settling moves every counter
//! it reserved against to the real cost; a hold dropped without settling (the request was
//! refused further on, failed before any upstream answer, or its task panicked) gives the
//! reservation back.

use super::counters::LocalCounters;
use std::sync::Arc;

pub struct Hold {
    counters: Arc<LocalCounters>,
    names: Vec<String>,
    reserved: i64,
    open: bool,
}

impl Hold {
    pub(super) fn new(counters: Arc<LocalCounters>, names: Vec<String>, reserved: i64) -> Hold {
        Hold { counters, names, reserved, open: true }
    }

    /// The worst case this hold reserved.
    pub fn reserved(&self) -> i64 {
        self.reserved
    }

    /// The request cost `actual`: every counter moves from the worst case to it.
    pub fn settle(mut self, actual: i64) {
        self.counters.adjust(&self.names, actual - self.reserved);
        self.open = false;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.open {
            self.counters.adjust(&self.names, -self.reserved);
        }
    }
}

impl std::fmt::Debug for Hold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hold").field("names", &self.names).field("reserved", &self.reserved).finish()
    }
}
