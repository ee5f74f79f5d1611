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

#[test]
fn log_softmax_of_all_negative_infinity_lane_is_negative_infinity() {
    let tape = adjoint_tape::Tape::new();
    let o =
        adjoint_ndarray::Tensor::var(&tape, ndarray::array![f64::NEG_INFINITY, f64::NEG_INFINITY]);
    let log_weights = o.log_softmax(0);
    let weights = o.softmax(0);
    for (log_weight, weight) in log_weights.value().iter().zip(weights.value().iter()) {
        assert_eq!(*log_weight, f64::NEG_INFINITY);
        assert_eq!(log_weight.exp(), *weight);
    }
}
