//! Placeholder; the corpus benchmark lands with its generator.
fn main() {}
