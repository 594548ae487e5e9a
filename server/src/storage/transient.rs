//! Which database errors may pass if the same work is tried again (a busy or locked SQLite
//! file, a lost or refused connection, a serialization failure) and which will fail the same
//! way every time (a constraint, bad data): the request-log writer retries only the first.

use super::StoreError;

impl StoreError {
    /// Whether trying the same statement again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => sqlx_transient(e),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => sqlite_code_transient(e.extended_code),
            _ => false,
        }
    }
}

fn sqlx_transient(e: &sqlx::Error) -> bool {
    use sqlx::Error as E;
    match e {
        E::Io(_) | E::Tls(_) | E::Protocol(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => true,
        E::Database(d) => {
            let Some(code) = d.code() else { return false };
            // SQLite's code is its (extended) result code, PostgreSQL's the SQLSTATE
            if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                code.parse().is_ok_and(sqlite_code_transient)
            } else {
                postgres_state_transient(&code)
            }
        }
        _ => false,
    }
}

/// SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN and their
/// extended codes (the primary code is the low byte).
fn sqlite_code_transient(code: i32) -> bool {
    matches!(code & 0xff, 5 | 6 | 10 | 13 | 14)
}

/// Connection exceptions (08), transaction rollbacks such as serialization failures and
/// deadlocks (40), insufficient resources (53), operator intervention such as a shutting
/// down server (57), a lock not available (55P03).
fn postgres_state_transient(state: &str) -> bool {
    ["08", "40", "53", "57"].iter().any(|class| state.starts_with(class)) || state == "55P03"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_codes_into_passing_and_lasting() {
        for busy in [5, 6, 10, 13, 14, 261 /* BUSY_RECOVERY */, 517 /* BUSY_SNAPSHOT */, 266 /* IOERR_READ */] {
            assert!(sqlite_code_transient(busy), "{busy}");
        }
        for lasting in [1, 11, 19, 787 /* CONSTRAINT_FOREIGNKEY */, 2067 /* CONSTRAINT_UNIQUE */, 1299 /* NOTNULL */] {
            assert!(!sqlite_code_transient(lasting), "{lasting}");
        }
        for passing in ["08006", "40001", "40P01", "53300", "57P01", "55P03"] {
            assert!(postgres_state_transient(passing), "{passing}");
        }
        for lasting in ["23503", "23505", "22001", "42P01", "55000"] {
            assert!(!postgres_state_transient(lasting), "{lasting}");
        }
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::Other("x".into()).is_transient());
    }
}
