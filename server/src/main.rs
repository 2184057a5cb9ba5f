//! The sheetsync server binary.

fn main() {}
