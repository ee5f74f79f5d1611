//! Tensors.
pub mod data;
