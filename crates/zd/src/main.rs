//! The `zd` command line.
fn main() {}
