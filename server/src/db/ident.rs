//! Validated SQL identifiers. A table or column name reaches SQL only as an [`Ident`], made
//! once when the server reads the table's schema from the catalog ([`super::catalog`]): a name
//! that cannot be quoted safely for the backend fails there, with the name, and so can never
//! be spliced into a statement (in particular not as an empty identifier).

use std::fmt;

use super::dialect::{Backend, BadIdentifier};

/// A name checked and quoted for one backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    name: String,
    quoted: String,
}

impl Ident {
    /// `name` quoted for `backend`, or why it cannot be.
    pub fn new(backend: Backend, name: &str) -> Result<Ident, BadIdentifier> {
        Ok(Ident {
            name: name.to_string(),
            quoted: backend.quote(name)?,
        })
    }

    /// The name as the catalog spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The quoted form to put in SQL.
    pub fn sql(&self) -> &str {
        &self.quoted
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.quoted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_cannot_be_quoted_gives_no_identifier() {
        for bad in ["", "a\0b", "x\ny", "has$sheetsync$inside"] {
            assert!(Ident::new(Backend::Postgres, bad).is_err(), "{bad:?}");
        }
        let long = "n".repeat(129);
        assert!(Ident::new(Backend::MySql, &long).is_err());
    }

    #[test]
    fn a_good_name_is_quoted_for_its_backend() {
        let i = Ident::new(Backend::MySql, "a`b").unwrap();
        assert_eq!((i.name(), i.sql()), ("a`b", "`a``b`"));
        let i = Ident::new(Backend::Sqlite, "my \"t\"").unwrap();
        assert_eq!(i.to_string(), "\"my \"\"t\"\"\"");
    }
}
