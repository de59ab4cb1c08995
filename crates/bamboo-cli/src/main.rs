//! The `bamboo` binary.
fn main() {}
