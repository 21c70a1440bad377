//! `planpress editor`: the web app in which agencies fill in, check and
//! submit their plans, and the department reviews them (PLAN-FORMAT §11);
//! and `planpress users`, which manages its accounts.

// The server that reads the sessions lands next.
#[allow(dead_code)]
mod accounts;
mod users;

pub use users::{UsersCommand, users};
