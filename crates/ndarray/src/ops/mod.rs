//! Tensor operations, one file per family; each operation's
//! vector-Jacobian product sits beside its forward code.

pub(crate) mod arith;
pub(crate) mod broadcast;
pub(crate) mod elementwise;
pub(crate) mod fused;
pub(crate) mod matmul;
pub(crate) mod reduce;
pub(crate) mod shape;
pub(crate) mod softmax;
