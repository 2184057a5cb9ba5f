//! # sheetsync-core
//!
//! The pure heart of sheetsync: everything that decides *what* to sync, with no I/O, no clocks
//! and no randomness. The add-on runs it as WebAssembly and the server links it natively, so
//! both sides agree by construction.
//!
//! - [`value`]: the database-side value model ([`value::Value`], [`value::SqlType`]) and its
//!   JSON wire form.
//! - [`schema`]: tables, columns, row keys.
//! - [`wire`]: the server protocol's messages.

pub mod schema;
pub mod value;
pub mod wire;
