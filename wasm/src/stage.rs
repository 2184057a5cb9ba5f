//! The flat arrays of [`crate::rows`], staged in the module's own memory.
//!
//! Arrays built in JavaScript and then copied in cost a large sheet twice: the engine allocates
//! (and later collects) tens of megabytes outside its heap, then the copy. Instead the loader
//! asks the module for room ([`stage_rows`], [`stage_base`]), writes the cells straight into
//! views of the module's memory ([`module_memory`]) and plans with [`plan_sync_staged`], which
//! takes the staged arrays: the rows' arrays become the planner's packed rows, read in place,
//! and the base's are released once decoded. Growing a staged text ([`stage_rows_text`],
//! [`stage_base_text`]) keeps what was written; it may grow the memory, which detaches every
//! view the loader holds, so the loader makes its views again after each call here.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::error::BindingError;
use crate::rows::{FlatBase, FlatRows};

/// The arrays the loader is filling.
#[derive(Default)]
pub struct Stage {
    widths: Vec<u32>,
    kinds: Vec<u8>,
    numbers: Vec<f64>,
    text: Vec<u8>,
    text_lengths: Vec<u32>,
    base_versions: Vec<f64>,
    base_text: Vec<u8>,
    base_lengths: Vec<u32>,
}

thread_local! {
    static STAGE: RefCell<Stage> = RefCell::new(Stage::default());
}

/// Where `v` starts in the module's memory.
fn at<T>(v: &mut [T]) -> u32 {
    v.as_mut_ptr() as usize as u32
}

/// `v` holding `len` zeros.
fn zeroed<T: Copy + Default>(v: &mut Vec<T>, len: u32) {
    v.clear();
    v.resize(len as usize, T::default());
}

/// The module's `WebAssembly.Memory`, whose buffer the loader views.
#[wasm_bindgen(js_name = moduleMemory)]
pub fn module_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Makes room for a sheet's rows: `rows` widths, `cells` kinds, `numbers` numbers, `text_bytes`
/// bytes of text and `texts` text lengths, all zero. Answers where each array starts, in bytes
/// into the module's memory: `[widths, kinds, numbers, text, text_lengths]`.
///
/// First makes room in the heap, in one growth of the memory, for these arrays and for what
/// planning builds from them ([`crate::heap`]).
#[wasm_bindgen(js_name = stageRows)]
pub fn stage_rows(rows: u32, cells: u32, numbers: u32, text_bytes: u32, texts: u32) -> Vec<u32> {
    crate::heap::reserve(crate::heap::room_for(
        rows as usize,
        cells as usize,
        numbers as usize,
        text_bytes as usize,
        texts as usize,
    ));
    STAGE.with(|s| {
        let s = &mut *s.borrow_mut();
        zeroed(&mut s.widths, rows);
        zeroed(&mut s.kinds, cells);
        zeroed(&mut s.numbers, numbers);
        zeroed(&mut s.text, text_bytes);
        zeroed(&mut s.text_lengths, texts);
        vec![
            at(&mut s.widths),
            at(&mut s.kinds),
            at(&mut s.numbers),
            at(&mut s.text),
            at(&mut s.text_lengths),
        ]
    })
}

/// Grows the rows' staged text to `bytes` bytes, keeping what is written; answers where it
/// starts now.
#[wasm_bindgen(js_name = stageRowsText)]
pub fn stage_rows_text(bytes: u32) -> u32 {
    STAGE.with(|s| {
        let text = &mut s.borrow_mut().text;
        text.resize((bytes as usize).max(text.len()), 0);
        at(text)
    })
}

/// Makes room for a base of `entries` entries and `text_bytes` bytes of keys and hashes;
/// answers `[versions, text, lengths]` as [`stage_rows`] does.
#[wasm_bindgen(js_name = stageBase)]
pub fn stage_base(entries: u32, text_bytes: u32) -> Vec<u32> {
    STAGE.with(|s| {
        let s = &mut *s.borrow_mut();
        zeroed(&mut s.base_versions, entries);
        zeroed(&mut s.base_text, text_bytes);
        zeroed(&mut s.base_lengths, entries.saturating_mul(2));
        vec![
            at(&mut s.base_versions),
            at(&mut s.base_text),
            at(&mut s.base_lengths),
        ]
    })
}

/// Grows the base's staged text as [`stage_rows_text`] does the rows'.
#[wasm_bindgen(js_name = stageBaseText)]
pub fn stage_base_text(bytes: u32) -> u32 {
    STAGE.with(|s| {
        let text = &mut s.borrow_mut().base_text;
        text.resize((bytes as usize).max(text.len()), 0);
        at(text)
    })
}

/// Takes the staged arrays out, leaving none behind.
pub fn take() -> Stage {
    STAGE.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// Why `used` items of a staged array of `staged` cannot be read.
fn overused(used: u32, staged: usize, what: &str) -> BindingError {
    BindingError::new(
        "planSync staged arrays",
        format!("{used} {what} used but {staged} staged"),
    )
}

/// The first `used` items of a staged array, or an error naming it.
fn first<'a, T>(v: &'a [T], used: u32, what: &str) -> Result<&'a [T], BindingError> {
    v.get(..used as usize)
        .ok_or_else(|| overused(used, v.len(), what))
}

/// A staged array taken out, cut to its first `used` items, or an error naming it.
fn used<T>(v: &mut Vec<T>, used: u32, what: &str) -> Result<Vec<T>, BindingError> {
    if used as usize > v.len() {
        return Err(overused(used, v.len(), what));
    }
    let mut taken = std::mem::take(v);
    taken.truncate(used as usize);
    Ok(taken)
}

impl Stage {
    /// Takes the rows out, of which `numbers` numbers, `text_bytes` bytes of text and `texts`
    /// texts are used.
    pub fn rows(
        &mut self,
        numbers: u32,
        text_bytes: u32,
        texts: u32,
    ) -> Result<FlatRows, BindingError> {
        Ok(FlatRows {
            numbers: used(&mut self.numbers, numbers, "numbers")?,
            text: used(&mut self.text, text_bytes, "text bytes")?,
            text_lengths: used(&mut self.text_lengths, texts, "texts")?,
            widths: std::mem::take(&mut self.widths),
            kinds: std::mem::take(&mut self.kinds),
        })
    }

    /// The base, of which `text_bytes` bytes of text are used.
    pub fn base(&self, text_bytes: u32) -> Result<FlatBase<'_>, BindingError> {
        Ok(FlatBase {
            versions: &self.base_versions,
            text: first(&self.base_text, text_bytes, "base text bytes")?,
            lengths: &self.base_lengths,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_arrays_are_sized_and_text_keeps_what_was_written_as_it_grows() {
        stage_rows(2, 3, 1, 4, 1);
        STAGE.with(|s| s.borrow_mut().text.copy_from_slice(b"abcd"));
        stage_rows_text(10);
        stage_base(1, 2);
        let mut stage = take();
        assert_eq!(stage.text.len(), 10);
        assert_eq!(&stage.text[..4], b"abcd");
        assert_eq!(stage.base(2).unwrap().lengths.len(), 2);
        assert!(stage.rows(2, 4, 1).is_err(), "2 numbers used, 1 staged");
        // Taken out cut to what is used: 4 of the 10 text bytes staged.
        let rows = stage.rows(1, 4, 1).unwrap();
        assert_eq!(
            (
                rows.widths.len(),
                rows.kinds.len(),
                &rows.text[..],
                rows.numbers.len()
            ),
            (2, 3, &b"abcd"[..], 1)
        );
        assert!(take().kinds.is_empty(), "taking leaves nothing staged");
    }
}
