//! Tool names longer than OpenAI's 64-character limit, shortened on the way to an OpenAI-style upstream
//! and restored in its responses (PROTOCOLS 3.2 rule 5, pitfall 13).

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Longest function name an OpenAI-style upstream accepts.
pub const MAX_OPENAI_TOOL_NAME: usize = 64;
/// Characters kept from a long name before `_` and the hash.
const KEPT_PREFIX_CHARS: usize = 55;
/// Hex digits of the name's sha256 appended to the prefix.
const HASH_HEX_DIGITS: usize = 8;

/// Long tool names shortened for OpenAI-style upstreams (> 64 chars → 55-char prefix + "_" + 8 hex of sha256),
/// with the reverse map to restore them in responses.
#[derive(Clone, Debug, Default)]
pub struct ToolNames {
    original_by_short: HashMap<String, String>,
}

impl ToolNames {
    /// The client's name for `name`: the original of a shortened name, else `name` itself.
    pub fn restore<'a>(&'a self, name: &'a str) -> &'a str {
        self.original_by_short.get(name).map(String::as_str).unwrap_or(name)
    }

    /// True when no name was shortened.
    pub fn is_empty(&self) -> bool {
        self.original_by_short.is_empty()
    }

    /// The name to send upstream; a shortened name is remembered so [`ToolNames::restore`] can undo it.
    pub fn shorten(&mut self, name: &str) -> String {
        let short = short_tool_name(name);
        if short != name {
            self.original_by_short.insert(short.clone(), name.to_string());
        }
        short
    }
}

/// `name` unchanged when it fits in 64 characters, else its first 55 characters, `_`, and 8 hex digits of its sha256.
pub fn short_tool_name(name: &str) -> String {
    if name.chars().count() <= MAX_OPENAI_TOOL_NAME {
        return name.to_string();
    }
    let prefix: String = name.chars().take(KEPT_PREFIX_CHARS).collect();
    let digest = hex::encode(Sha256::digest(name.as_bytes()));
    format!("{prefix}_{}", &digest[..HASH_HEX_DIGITS])
}
