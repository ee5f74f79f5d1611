//! `fuse`: a function of a few tensors applied element by element as one
//! node, against finite differences, against the same chain of tensor
//! operations, and at the awkward points.

mod common;

use adjoint_ndarray::{Error, Tensor, TensorGradients, fuse, try_fuse};
use adjoint_tape::Tape;
use common::{check_gradient, positive, sample, weighted_sum};
use ndarray::{ArrayD, array};
use proptest::prelude::*;

#[test]
fn one_input_matches_finite_differences() {
    check_gradient(
        "fuse tanh(x) x + exp(-x²)",
        |v| weighted_sum(&fuse([&v[0]], |[x]| x.tanh() * x + (-(x * x)).exp())),
        &[sample(&[3, 4], 1)],
    );
}

#[test]
fn three_inputs_match_finite_differences() {
    check_gradient(
        "fuse x y / z + ln z",
        |v| weighted_sum(&fuse([&v[0], &v[1], &v[2]], |[x, y, z]| x * y / z + z.ln())),
        &[sample(&[2, 3], 2), sample(&[2, 3], 3), positive(&[2, 3], 4)],
    );
}

#[test]
fn agrees_with_the_unfused_chain() {
    let (a, b) = (sample(&[5, 2], 5), positive(&[5, 2], 6));
    let fused = adjoint_ndarray::gradient(
        |v| {
            weighted_sum(&fuse([&v[0], &v[1]], |[a, b]| {
                (a - b.sqrt()) * (a - b.sqrt())
            }))
        },
        &[a.clone(), b.clone()],
    );
    let chain = adjoint_ndarray::gradient(
        |v| {
            let d = &v[0] - &v[1].sqrt();
            weighted_sum(&(&d * &d))
        },
        &[a, b],
    );
    for (f, c) in fused.iter().zip(&chain) {
        for (&f, &c) in f.iter().zip(c) {
            assert!((f - c).abs() <= 1e-12 * c.abs().max(1.0), "{f} against {c}");
        }
    }
}

#[test]
fn records_one_node_per_element() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![1.0, 2.0, 3.0]);
    let y = Tensor::var(&tape, array![4.0, 5.0, 6.0]);
    let before = tape.len();
    let z = fuse([&x, &y], |[x, y]| (x * y).sin() + x.exp() * y);
    assert_eq!(tape.len() - before, 3);
    assert_eq!(z.shape(), &[3]);
}

#[test]
fn repeated_input_sums_both_partials() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![1.5, -2.0]);
    // x · x with the tensor on both sides: d/dx = 2x.
    let g = fuse([&x, &x], |[a, b]| a * b)
        .sum()
        .gradient()
        .wrt_tensor(&x);
    assert_eq!(g, array![3.0, -4.0].into_dyn());
}

#[test]
fn overlapping_slices_of_one_tensor() {
    // Rosenbrock's terms as a fused function of two overlapping slices.
    let start = [-1.2, 1.0, 0.3, -0.7, 2.0];
    let tape = Tape::new();
    let x = Tensor::var(&tape, ndarray::Array1::from(start.to_vec()));
    let (head, tail) = (x.slice_axis(0, ..4), x.slice_axis(0, 1..));
    let f = fuse([&head, &tail], |[x, y]| {
        100.0 * (y - x * x) * (y - x * x) + (1.0 - x) * (1.0 - x)
    })
    .sum();
    let g = f.gradient().wrt_tensor(&x);
    let want = adjoint_tape::gradient(
        |v| {
            v.windows(2)
                .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
                .sum()
        },
        &start,
    );
    for (&got, &want) in g.iter().zip(&want) {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{got} against {want}"
        );
    }
}

#[test]
fn constant_input_gets_no_adjoint() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![[1.0, 2.0], [3.0, 4.0]]);
    let c = Tensor::constant(array![[10.0, 20.0], [30.0, 40.0]]);
    let y = fuse([&c, &x], |[c, x]| c * x * x);
    let g = y.sum().gradient().wrt_tensor(&x);
    // d/dx (c x²) = 2 c x.
    assert_eq!(g, array![[20.0, 80.0], [180.0, 320.0]].into_dyn());
}

#[test]
fn constant_inputs_give_a_constant() {
    let a = Tensor::constant(array![1.0, 2.0]);
    let y = fuse([&a], |[a]| a * a + 1.0);
    assert!(y.is_constant());
    assert_eq!(y.value(), &array![2.0, 5.0].into_dyn());
}

#[test]
fn strided_inputs_are_read_in_row_major_order() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let t = x.t();
    let c = Tensor::constant(array![[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]);
    // Only element (0, 1) of xᵀ is weighted: x[1, 0]³ = 64 with derivative
    // 3 · 4² = 48. In storage order that position would be x[0, 1] = 2.
    let y = fuse([&t, &c], |[t, c]| c * t * t * t).sum();
    assert_eq!(y.value(), 64.0);
    let g = y.gradient().wrt_tensor(&x);
    assert_eq!(g, array![[0.0, 0.0, 0.0], [48.0, 0.0, 0.0]].into_dyn());
}

#[test]
fn empty_inputs_give_an_empty_tensor() {
    let tape = Tape::new();
    let x = Tensor::var(&tape, ArrayD::<f64>::zeros(vec![0, 3]));
    let y = fuse([&x], |[x]| x.exp());
    assert_eq!(y.shape(), &[0, 3]);
    assert_eq!(y.sum().gradient().wrt_tensor(&x).shape(), &[0, 3]);
}

#[test]
fn zero_cotangent_passes_no_infinite_partial() {
    // sqrt'(0) is +inf. A zero weight on that element must leave its
    // adjoint 0, not NaN.
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![0.0, 4.0]);
    let w = Tensor::constant(array![0.0, 1.0]);
    let y = (&fuse([&x], |[x]| x.sqrt()) * &w).sum();
    let g = y.gradient().wrt_tensor(&x);
    assert_eq!(g, array![0.0, 0.25].into_dyn());
}

#[test]
fn different_shapes_are_an_error_naming_both() {
    let a = Tensor::constant(array![[1.0, 2.0, 3.0]]);
    let b = Tensor::constant(array![[1.0], [2.0]]);
    let error = try_fuse([&a, &b], |[a, b]| a + b).unwrap_err();
    assert!(matches!(error, Error::ShapeMismatch { op: "fuse", .. }));
    let message = error.to_string();
    assert!(
        message.contains("[1, 3]") && message.contains("[2, 1]"),
        "{message}"
    );
    assert!(message.contains("broadcast_to"), "{message}");
    assert!(message.contains("input 1"), "{message}");
}

#[test]
fn overflow_inside_the_closure_gives_nan() {
    // A hand-written sigmoid at -1000: exp(1000) overflows, and forward
    // mode multiplies its infinite tangent by recip's zero partial. The
    // chain of tensor operations multiplies in the other order and gets 0.
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![-1000.0]);
    let fused = fuse([&x], |[x]| 1.0 / (1.0 + (-x).exp()));
    let g = fused.sum().gradient().wrt_tensor(&x);
    assert!(g[0].is_nan(), "{g}");

    let stable = fuse([&x], |[x]| x.sigmoid());
    let g = stable.sum().gradient().wrt_tensor(&x);
    assert_eq!(g[0], 0.0);
}

#[test]
#[should_panic(expected = "fuse: shapes [2] and [3] are incompatible")]
fn different_shapes_panic_in_fuse() {
    let a = Tensor::constant(array![1.0, 2.0]);
    let b = Tensor::constant(array![1.0, 2.0, 3.0]);
    let _ = fuse([&a, &b], |[a, b]| a * b);
}

#[test]
#[should_panic(expected = "fuse")]
fn tensors_of_two_tapes_panic() {
    let (first, second) = (Tape::new(), Tape::new());
    let a = Tensor::var(&first, array![1.0]);
    let b = Tensor::var(&second, array![2.0]);
    let _ = fuse([&a, &b], |[a, b]| a * b);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Fusing a chain changes how it is recorded, not what it computes, at
    /// points where no intermediate overflows.
    #[test]
    fn fused_and_unfused_chains_agree(
        values in proptest::collection::vec(-3.0f64..3.0, 12),
    ) {
        let a = ArrayD::from_shape_vec(vec![2, 3], values[..6].to_vec()).unwrap();
        let b = ArrayD::from_shape_vec(vec![2, 3], values[6..].to_vec()).unwrap();
        let fused = adjoint_ndarray::value_and_gradient(
            |v| weighted_sum(&fuse([&v[0], &v[1]], |[a, b]| a.tanh() * b + (a * b).sin())),
            &[a.clone(), b.clone()],
        );
        let chain = adjoint_ndarray::value_and_gradient(
            |v| weighted_sum(&(&(&v[0].tanh() * &v[1]) + &(&v[0] * &v[1]).sin())),
            &[a, b],
        );
        prop_assert!((fused.0 - chain.0).abs() <= 1e-12 * chain.0.abs().max(1.0));
        for (f, c) in fused.1.iter().zip(&chain.1) {
            for (&f, &c) in f.iter().zip(c) {
                prop_assert!((f - c).abs() <= 1e-12 * c.abs().max(1.0), "{} against {}", f, c);
            }
        }
    }
}

#[test]
fn zero_factor_differs_from_chain() {
    // Forward mode carries sqrt's infinite tangent at 0 into the product
    // with the constant 0, while the sweep's zero-adjoint rule stops it.
    let tape = Tape::new();
    let x = Tensor::var(&tape, array![0.0, 4.0]);
    let fused = fuse([&x], |[x]| x.sqrt() * 0.0).sum();
    let fused_gradient = fused.gradient().wrt_tensor(&x);
    assert!(fused_gradient[0].is_nan());
    assert_eq!(fused_gradient[1], 0.0);

    let chain = (x.sqrt() * 0.0).sum();
    let chain_gradient = chain.gradient().wrt_tensor(&x);
    assert_eq!(chain_gradient, array![0.0, 0.0].into_dyn());
}
