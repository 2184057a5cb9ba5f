//! Collecting sheet writes and turning them into horizontal runs.

use std::collections::BTreeMap;

use super::output::CellRun;
use crate::sheet::SheetCell;

/// Cell writes gathered while planning, by (sheet row, 0-based sheet column).
#[derive(Default)]
pub(crate) struct Writes {
    cells: BTreeMap<(u32, usize), SheetCell>,
}

impl Writes {
    pub(crate) fn set(&mut self, row: u32, col: usize, cell: SheetCell) {
        self.cells.insert((row, col), cell);
    }

    pub(crate) fn rows(&self) -> usize {
        let mut rows: Vec<u32> = self.cells.keys().map(|(r, _)| *r).collect();
        rows.dedup();
        rows.len()
    }

    /// Merges adjacent cells of one row into runs.
    pub(crate) fn into_runs(self) -> Vec<CellRun> {
        let mut runs: Vec<CellRun> = Vec::new();
        let mut next: Option<(u32, usize)> = None;
        for ((row, col), cell) in self.cells {
            match runs.last_mut() {
                Some(run) if next == Some((row, col)) => run.values.push(cell),
                _ => runs.push(CellRun {
                    row,
                    column: col as u32 + 1,
                    values: vec![cell],
                }),
            }
            next = Some((row, col + 1));
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_cells_of_a_row_become_one_run() {
        let mut w = Writes::default();
        w.set(3, 1, SheetCell::Number(1.0));
        w.set(3, 2, SheetCell::Number(2.0));
        w.set(3, 4, SheetCell::Number(4.0));
        w.set(5, 0, SheetCell::Bool(true));
        assert_eq!(w.rows(), 2);
        let runs = w.into_runs();
        assert_eq!(runs.len(), 3);
        assert_eq!(
            (runs[0].row, runs[0].column, runs[0].values.len()),
            (3, 2, 2)
        );
        assert_eq!((runs[1].row, runs[1].column), (3, 5));
        assert_eq!((runs[2].row, runs[2].column), (5, 1));
    }
}
