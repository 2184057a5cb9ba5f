//! Room made in the module's heap, in one step, before a sheet is staged and planned.
//!
//! The standard allocator of `wasm32-unknown-unknown` (dlmalloc) grows the linear memory by
//! what each request needs, rounded up to 64 KiB. Every growth makes the engine a new
//! `ArrayBuffer` for the memory, and V8 counts each one, at its full size, as memory held
//! outside its heap until a collection sweeps the old ones; past 64 MiB of that it starts a
//! full collection of the JavaScript heap ("external memory pressure"). A call that staged and
//! planned a 100,000-row sheet grew the memory in many steps and paid two full collections of
//! the heap holding the sheet (120-230 ms each); a later call finds the memory grown and pays
//! none, which is most of why the first call of an execution (every Apps Script call is one)
//! took about twice as long. [`reserve`] allocates and frees one block of the size the
//! staging and planning are expected to use, so the memory grows once and the allocator keeps
//! the block as free room at its top. The room is address space only: its pages are not
//! touched, so they cost no resident memory until used.

/// Heap planning takes per staged cell beyond the staged arrays: the cells are read in place
/// (`sheetsync_core::sheet::PackedRows`), so only the rows that changed build values and
/// hashes. A margin for a sheet with many changed rows.
pub const BYTES_PER_CELL: usize = 8;

/// Heap per row: its base entry, which a sheet synced before has one of (the staged key and
/// base64 hashes, about 130 bytes at 20 columns, and, decoded, the key's `String`, the version
/// and cell hashes and its place in the ordered map), the row's place in the packed rows, and
/// the diff's index of the rows by key.
///
/// Measured without any room made first: planning 100,000 rows × 20 cells (and 500,000 rows)
/// against their base grew the memory by 29 bytes a cell, of which the staged arrays are about
/// 12; the rest is about 340 bytes a row. This leaves a margin.
pub const BYTES_PER_ROW: usize = 400;

/// The room to make for staging and planning `rows` rows of `cells` cells, `numbers` numbers
/// and dates and `texts` texts of `text_bytes` bytes: the staged arrays themselves, then what
/// planning builds beside them.
pub fn room_for(
    rows: usize,
    cells: usize,
    numbers: usize,
    text_bytes: usize,
    texts: usize,
) -> usize {
    let staged = [
        rows.saturating_mul(4),
        cells,
        numbers.saturating_mul(8),
        text_bytes,
        texts.saturating_mul(4),
    ];
    let built = [
        cells.saturating_mul(BYTES_PER_CELL),
        rows.saturating_mul(BYTES_PER_ROW),
    ];
    staged
        .into_iter()
        .chain(built)
        .fold(0, usize::saturating_add)
}

/// Makes `bytes` of free room in the heap at once (see the module's comment); when the memory
/// cannot grow that much, makes none, and the allocations that follow grow it as they need.
/// Answers whether the room was made.
pub fn reserve(bytes: usize) -> bool {
    let mut room: Vec<u8> = Vec::new();
    let made = room.try_reserve_exact(bytes).is_ok();
    // Kept observable, so the allocation is not optimized away.
    std::hint::black_box(&mut room);
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_covers_the_staged_arrays_and_what_is_built_from_them() {
        assert_eq!(room_for(0, 0, 0, 0, 0), 0);
        let staged = 4 + 2 + 8 + 10 + 4;
        let built = 2 * BYTES_PER_CELL + BYTES_PER_ROW;
        assert_eq!(room_for(1, 2, 1, 10, 1), staged + built);
        assert_eq!(room_for(1, usize::MAX, 0, 0, 0), usize::MAX);
    }

    #[test]
    fn room_the_memory_cannot_take_is_skipped() {
        assert!(reserve(1 << 20));
        assert!(!reserve(usize::MAX));
    }
}
