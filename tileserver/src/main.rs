//! The `popmap` command-line binary.

fn main() {}
