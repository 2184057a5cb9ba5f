//! Moving values across the boundary. Values cross as JSON text, turned into and out of
//! objects by the JavaScript engine's own `JSON.stringify`/`JSON.parse`: one string crosses
//! instead of one boundary call per field and cell, which measured faster than walking the
//! objects from Rust on every sheet size tried, and keeps one deserializer per type in the
//! module. What comes back is plain JSON-compatible data (objects, arrays, numbers, `null`),
//! which the add-on can store in properties and send through `google.script.run`.

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::JsValue;

use crate::error::BindingError;

/// Decodes the JavaScript argument `name` into a Rust value of the shape `T` expects.
pub fn from_js<T: DeserializeOwned>(name: &str, value: JsValue) -> Result<T, BindingError> {
    let text = js_sys::JSON::stringify(&value)
        .map_err(|e| BindingError::new(name, js_message(&e)))?
        .as_string()
        .ok_or_else(|| BindingError::new(name, "a value is required"))?;
    from_json_text(name, &text)
}

/// Encodes a Rust value as a plain, JSON-compatible JavaScript value.
pub fn to_js<T: Serialize>(what: &str, value: &T) -> Result<JsValue, BindingError> {
    let text = to_json_text(what, value)?;
    js_sys::JSON::parse(&text).map_err(|e| BindingError::new(what, js_message(&e)))
}

/// Decodes JSON text into the shape `T` expects; the error says where the text went wrong.
pub fn from_json_text<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, BindingError> {
    reserve_memory_for(text.len());
    serde_json::from_str(text).map_err(|e| BindingError::new(name, e))
}

/// How much memory a plan takes at its peak, per byte of input JSON (measured: about 13.5
/// for a first sync of 40,000 rows × 10 columns).
const PEAK_BYTES_PER_INPUT_BYTE: usize = 16;
/// Never ask for more than this ahead of time (wasm32 memory ends at 4 GiB).
const MAX_RESERVE: usize = 1 << 30;

/// Grows the module's memory once, to the size a large input will need, before decoding it.
///
/// The allocator otherwise grows memory 64 KiB at a time as the plan is built, and every
/// `memory.grow` makes the JavaScript engine account for more external memory and collect
/// garbage over a heap that holds the whole sheet: a first sync of 40,000 rows took 21 s that
/// way and 1.7 s with memory grown up front. The block is freed at once; the allocator keeps
/// the memory and hands it out again, so it costs nothing beyond the peak the plan reaches.
/// When the memory cannot be had, nothing happens and the plan grows memory as it goes.
pub fn reserve_memory_for(input_bytes: usize) {
    reserve_memory(input_bytes.saturating_mul(PEAK_BYTES_PER_INPUT_BYTE));
}

/// Grows the module's memory once to `bytes` (at most [`MAX_RESERVE`]), for
/// [`reserve_memory_for`]. (A plan from staged rows makes its room in [`crate::heap`].)
fn reserve_memory(bytes: usize) {
    let bytes = bytes.min(MAX_RESERVE);
    if bytes < (1 << 20) {
        return;
    }
    let mut block: Vec<u8> = Vec::new();
    let _ = block.try_reserve_exact(bytes);
}

/// Encodes a Rust value as JSON text.
pub fn to_json_text<T: Serialize>(what: &str, value: &T) -> Result<String, BindingError> {
    serde_json::to_string(value).map_err(|e| BindingError::new(what, e))
}

/// The message of an exception JavaScript threw (a BigInt or a cycle in an argument).
fn js_message(error: &JsValue) -> String {
    js_sys::Error::from(error.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| "it cannot be written as JSON".to_string())
}
