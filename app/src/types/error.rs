//! The console's error: what a server function can answer, in words for a person.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConsoleError {
    /// Not signed in, or the session expired.
    #[error("please sign in")]
    Unauthorized,
    /// Signed in, but not allowed to do this (role, ownership, CSRF).
    #[error("{0}")]
    Forbidden(String),
    /// Not found (or not visible to this person: we do not say which).
    #[error("{0}")]
    NotFound(String),
    /// Bad input: the field it is about and the reason.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A conflict with the current state (duplicate email, code already used).
    #[error("{0}")]
    Conflict(String),
    /// Throttled.
    #[error("{0}")]
    TooManyRequests(String),
    /// Something broke on our side; details are in the server log.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// Transport or decoding failure on the way.
    #[error("{0}")]
    Transport(String),
}

impl ConsoleError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ConsoleError::Invalid { field: field.to_string(), message: message.into() }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        ConsoleError::Forbidden(message.into())
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        ConsoleError::NotFound(message.into())
    }
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            ConsoleError::Unauthorized => 401,
            ConsoleError::Forbidden(_) => 403,
            ConsoleError::NotFound(_) => 404,
            ConsoleError::Invalid { .. } => 400,
            ConsoleError::Conflict(_) => 409,
            ConsoleError::TooManyRequests(_) => 429,
            ConsoleError::Internal => 500,
            ConsoleError::Transport(_) => 502,
        }
    }
    /// The field an error is about, to show it next to that field.
    pub fn field(&self) -> Option<&str> {
        match self {
            ConsoleError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                ConsoleError::invalid("form", format!("the form could not be read: {m}"))
            }
            other => ConsoleError::Transport(other.to_string()),
        }
    }
}
