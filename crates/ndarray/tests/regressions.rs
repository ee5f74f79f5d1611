//! Regression tests for defects found by trying the tensor API with
//! extreme inputs: each test pins the fixed behaviour.

use adjoint_ndarray::{Tensor, TensorGradients};
use adjoint_tape::Tape;
use ndarray::array;

#[test]
fn tensor_powi_at_i32_min_matches_scalar() {
    // The derivative n xⁿ⁻¹ needs n - 1 = -2³¹ - 1, outside i32.
    let n = i32::MIN;
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![1.0, -1.0, 2.0]);
    let g = x.powi(n).sum().gradient().wrt_tensor(&x);
    let want = array![f64::from(n), -f64::from(n), 0.0].into_dyn();
    assert_eq!(g, want);
}
