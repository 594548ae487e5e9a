//! What a signed-in session holds, and starting one.

use tower_sessions::Session;

/// Session keys.
pub const UID: &str = "uid";
pub const ORG: &str = "org";
pub const CSRF: &str = "csrf";

/// Signs the session in as `user_id`: a new session id (no fixation), a new CSRF token, the
/// personal organization as the current one.
pub async fn start_session(session: &Session, user_id: &str) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(UID, user_id.to_string()).await?;
    session.insert(CSRF, super::tokens::random_hex(16)).await?;
    session.remove::<String>(ORG).await?;
    Ok(())
}
