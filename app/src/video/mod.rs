//! Video generation rules shared by the server and the console, so both say the same: the
//! body of `POST /api/v1/videos` checked field by field (`params`, one message per refused
//! field) and what a job will cost before it runs (`estimate`). The server's video API and
//! the console's video playground (which checks its form before sending it and shows the
//! estimate as the form changes) call the same functions.

pub mod estimate;
pub mod params;
