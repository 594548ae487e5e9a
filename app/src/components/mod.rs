//! Reusable pieces of the console's pages.

pub mod alert;
pub mod confirm;
pub mod copy_button;
pub mod field;
pub mod free_usage;
pub mod ledger;
pub mod money;
pub mod page_header;
pub mod pager;
pub mod request_table;
pub mod session;
pub mod spend_chart;
pub mod table;
pub mod time;

pub use alert::{ActionError, ErrorBox, Loading, Notice, ShowError};
pub use confirm::ConfirmStep;
pub use copy_button::CopyButton;
pub use field::{field_error, form_error, FormField, SelectField};
pub use free_usage::{FreeUsageCard, FreeUsageSection};
pub use ledger::LedgerTable;
pub use money::{format_usd, Money};
pub use page_header::PageHeader;
pub use pager::Pager;
pub use request_table::RequestTable;
pub use session::{refresh_session_on, use_session, Authed, SessionCtx};
pub use spend_chart::SpendChart;
pub use table::{DataTable, Empty};
pub use time::{short_time, Time};

