//! # sheetsync-wasm
//!
//! A thin wasm-bindgen layer over `sheetsync-core` for the Sheets add-on.

use wasm_bindgen::prelude::*;

/// The protocol version the bundled core speaks.
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> u32 {
    sheetsync_core::wire::PROTOCOL_VERSION
}
