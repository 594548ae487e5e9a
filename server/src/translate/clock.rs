//! The `created` timestamp of chat.completion objects built from Anthropic answers (which carry none).
//! Fixed under `cfg(test)` so golden outputs are stable.

/// Seconds since the Unix epoch (1_700_000_000 in this module's unit tests).
pub(crate) fn unix_seconds() -> u64 {
    #[cfg(test)]
    {
        1_700_000_000
    }
    #[cfg(not(test))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0)
    }
}
