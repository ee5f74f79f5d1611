//! The gradient check shared by the tensor tests: the tensor path's
//! gradient against central finite differences of the same function.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use adjoint_ndarray::Tensor;
use adjoint_tape::Var;
use adjoint_tape::finite_diff::{self, relative_error};
use ndarray::{ArrayD, Dimension, IxDyn};

/// The tolerance of [`check_gradient`]: central differences are accurate
/// to about ε^(2/3) ≈ 4e-11 relative for well-scaled smooth functions, so
/// 1e-6 leaves room for conditioning without hiding a wrong derivative.
pub const TOLERANCE: f64 = 1e-6;

/// Checks the reverse-mode gradient of `f` at `inputs` against central
/// finite differences, component by component, with the relative error
/// `|a - b| / max(1, |a|, |b|)` and [`TOLERANCE`]. Panics naming the case,
/// the input and the component that differ.
pub fn check_gradient<F>(name: &str, f: F, inputs: &[ArrayD<f64>])
where
    F: for<'t> Fn(&[Tensor<'t>]) -> Var<'t>,
{
    let reverse = adjoint_ndarray::gradient(&f, inputs);

    // The finite differences evaluate `f` on constant tensors rebuilt from
    // one flat vector of all inputs.
    let flat: Vec<f64> = inputs.iter().flat_map(|a| a.iter().copied()).collect();
    let shapes: Vec<IxDyn> = inputs.iter().map(|a| a.raw_dim()).collect();
    let evaluate = |point: &[f64]| {
        let mut offset = 0;
        let tensors: Vec<Tensor<'_>> = shapes
            .iter()
            .map(|shape| {
                let len = shape.size();
                let array =
                    ArrayD::from_shape_vec(shape.clone(), point[offset..offset + len].to_vec())
                        .expect("the flat vector holds every input");
                offset += len;
                Tensor::constant(array)
            })
            .collect();
        f(&tensors).value()
    };
    let numeric = finite_diff::gradient(evaluate, &flat);

    let mut offset = 0;
    for (input, (gradient, array)) in reverse.iter().zip(inputs).enumerate() {
        assert_eq!(
            gradient.shape(),
            array.shape(),
            "{name}: the gradient of input {input} has the wrong shape"
        );
        for (position, &g) in gradient.iter().enumerate() {
            let fd = numeric[offset + position];
            let error = relative_error(g, fd);
            assert!(
                error <= TOLERANCE,
                "{name}: input {input}, element {position}: reverse mode gives {g}, \
                 finite differences {fd} (relative error {error:e})"
            );
        }
        offset += array.len();
    }
}

/// `Σ wᵢ tᵢ` with fixed, distinct weights, so that every element gets a
/// different cotangent (a plain sum would hide a vjp that mixes elements
/// up).
pub fn weighted_sum<'t>(t: &Tensor<'t>) -> Var<'t> {
    let weights = ArrayD::from_shape_fn(t.value().raw_dim(), |index| {
        let flat: usize = index.slice().iter().fold(0, |acc, &i| acc * 7 + i + 1);
        (flat as f64 * 0.37 + 0.5).sin()
    });
    (t * &Tensor::constant(weights)).sum()
}

/// A deterministic array of `shape` with values spread over about
/// `[-2, 2]`, different for each `seed`.
pub fn sample(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    })
}

/// Like [`sample`], with values in `[0.5, 2.5]` (for `ln`, `sqrt`, `/`).
pub fn positive(shape: &[usize], seed: u64) -> ArrayD<f64> {
    sample(shape, seed).mapv(|x| x.abs() + 0.5)
}
