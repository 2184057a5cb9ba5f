//! Test support: an in-memory server, a sheet client that runs the planner against it, and
//! fixtures.
#![allow(dead_code)]

mod client;
mod column_types;
mod fixtures;
mod planning;
mod server;
mod zone;

#[allow(unused_imports)]
pub use client::*;
#[allow(unused_imports)]
pub use column_types::*;
#[allow(unused_imports)]
pub use fixtures::*;
#[allow(unused_imports)]
pub use planning::*;
#[allow(unused_imports)]
pub use server::*;
#[allow(unused_imports)]
pub use zone::*;
