//! JS-facing errors: every failure crosses the boundary as a thrown `Error` with a sentence
//! that says what was wrong and where, so the add-on can show it to a person as is.

use std::fmt;

use wasm_bindgen::JsError;

/// The result of every exported function.
pub type Result<T> = std::result::Result<T, JsError>;

/// Why an argument from JavaScript could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingError {
    /// Which argument (or part of it) was at fault, e.g. `tables[2].columns`.
    pub at: String,
    /// What was wrong with it.
    pub problem: String,
}

impl BindingError {
    /// An error about the argument or field `at`.
    pub fn new(at: impl Into<String>, problem: impl fmt::Display) -> Self {
        BindingError {
            at: at.into(),
            problem: problem.to_string(),
        }
    }
}

impl fmt::Display for BindingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

impl std::error::Error for BindingError {}
