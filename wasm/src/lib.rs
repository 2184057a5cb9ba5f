//! # sheetsync-wasm
//!
//! The WebAssembly face of `sheetsync-core`, as the Sheets add-on sees it. It holds no logic of
//! its own: every function decodes its JavaScript arguments, calls the core and encodes the
//! answer back, so the add-on plans a sync with exactly the code the server links natively.
//!
//! The model, from JavaScript:
//!
//! - values cross as plain JSON-shaped objects (no `Map`, no `BigInt`, `null` for absent), in
//!   the shapes of the core's types: the protocol's messages (`core/src/wire.rs`) with their
//!   snake_case fields, the planner's input and output with camelCase ones;
//! - one round is planned once, [`round::plan_round`] (`planRound`), which keeps the staged
//!   sheet for its re-plans; each batch it sends is recorded ([`round::PlannedRound`]'s
//!   `recordBatch`) and saved before it is sent, and its answer is read from that record
//!   ([`round::read_answer`], `readAnswer`), with new rows' keys placed by
//!   [`identity::place_new_rows`] (`placeNewRows`);
//! - every failure is thrown as an `Error` whose message says what was wrong and where, never
//!   a panic;
//! - [`protocol_version`] tells the add-on which server protocol the bundled core speaks.
//!
//! ```js
//! const core = await sheetsyncCore();          // the add-on's loader, once per execution
//! core.protocolVersion();                      // 1
//! const list = core.decodeTableList(json);     // throws on a malformed list
//! const round = core.planRound(input);         // what to push, write, hold and report
//! const batch = round.recordBatch(0, 500, id, origin);
//! const outcome = core.readAnswer(batch, table, response, places, Date.now());
//! ```
//!
//! [`codec`] carries values across the boundary, [`error`] turns core errors into JS errors,
//! [`schema`] checks what the server sends, [`plan`] exposes the sync planner, [`round`] the
//! round, and [`rows`] carries a large sheet's rows in as flat arrays, staged by [`stage`] in
//! room [`heap`] makes at once; [`restore`] writes a kept whole row back as a sheet row.

pub mod codec;
pub mod error;
pub mod heap;
pub mod identity;
pub mod plan;
pub mod restore;
pub mod round;
pub mod rows;
pub mod schema;
pub mod stage;

use wasm_bindgen::prelude::*;

/// The protocol version the bundled core speaks (the `/v1/` of the server's paths).
///
/// ```js
/// if (core.protocolVersion() !== list.protocol) throw new Error('update the add-on');
/// ```
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> u32 {
    sheetsync_core::wire::PROTOCOL_VERSION
}

/// The version of this bundle's core crate, shown in the sidebar's footer.
///
/// ```js
/// core.coreVersion(); // "0.1.0"
/// ```
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Bytes of memory the module holds now (it never shrinks within an execution), for
/// diagnostics and for sizing tests.
///
/// ```js
/// core.memoryBytes(); // 1114112
/// ```
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
