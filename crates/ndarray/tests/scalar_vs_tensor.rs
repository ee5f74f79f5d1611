//! The scalar path (one `Var` per number) and the tensor path give the same
//! values and gradients for the same function.

use adjoint_ndarray::{Tensor, loss};
use adjoint_tape::Var;
use ndarray::{Array2, ArrayD, Dimension, IxDyn};
use proptest::prelude::*;

/// Relative agreement: the two paths sum in different orders, so they may
/// differ by a few roundings.
fn assert_close(name: &str, scalar: &[f64], tensor: &[f64]) {
    assert_eq!(scalar.len(), tensor.len(), "{name}: lengths differ");
    for (i, (&s, &t)) in scalar.iter().zip(tensor).enumerate() {
        let scale = 1.0_f64.max(s.abs()).max(t.abs());
        assert!(
            (s - t).abs() <= 1e-12 * scale,
            "{name}: component {i} is {s} on the scalar path and {t} on the tensor path"
        );
    }
}

const BATCH: usize = 3;
const INPUTS: usize = 2;
const HIDDEN: usize = 4;
const CLASSES: usize = 3;
const LABELS: [usize; BATCH] = [2, 0, 1];

fn features() -> Array2<f64> {
    Array2::from_shape_fn((BATCH, INPUTS), |(i, j)| {
        ((i * INPUTS + j) as f64 * 0.7).cos()
    })
}

/// The parameters as arrays: W1 (2 × 4), b1 (4), W2 (4 × 3), b2 (3).
fn parameters() -> Vec<ArrayD<f64>> {
    let shapes: [&[usize]; 4] = [&[INPUTS, HIDDEN], &[HIDDEN], &[HIDDEN, CLASSES], &[CLASSES]];
    shapes
        .iter()
        .enumerate()
        .map(|(p, shape)| {
            ArrayD::from_shape_fn(IxDyn(shape), |index| {
                let flat = index.slice().iter().fold(p, |acc, &i| acc * 5 + i);
                (flat as f64 * 0.91 + 0.3).sin()
            })
        })
        .collect()
}

/// The MLP written with one `Var` per number.
fn scalar_mlp<'t>(flat: &[Var<'t>]) -> Var<'t> {
    let (w1, rest) = flat.split_at(INPUTS * HIDDEN);
    let (b1, rest) = rest.split_at(HIDDEN);
    let (w2, b2) = rest.split_at(HIDDEN * CLASSES);
    let x = features();
    let mut total = Var::constant(0.0);
    for (row, &label) in LABELS.iter().enumerate() {
        let hidden: Vec<Var<'t>> = (0..HIDDEN)
            .map(|h| {
                let mut z = b1[h];
                for i in 0..INPUTS {
                    z += x[[row, i]] * w1[i * HIDDEN + h];
                }
                z.tanh()
            })
            .collect();
        let logits: Vec<Var<'t>> = (0..CLASSES)
            .map(|c| {
                let mut z = b2[c];
                for (h, &a) in hidden.iter().enumerate() {
                    z += a * w2[h * CLASSES + c];
                }
                z
            })
            .collect();
        total += adjoint_tape::log_sum_exp(&logits) - logits[label];
    }
    total / BATCH as f64
}

/// The same MLP written with tensors.
fn tensor_mlp<'t>(p: &[Tensor<'t>]) -> Var<'t> {
    let x = Tensor::constant(features());
    let hidden = (x.matmul(&p[0]) + &p[1]).tanh();
    let logits = hidden.matmul(&p[2]) + &p[3];
    loss::cross_entropy_with_logits(&logits, &LABELS)
}

#[test]
fn mlp_gradient_agrees() {
    let params = parameters();
    let flat: Vec<f64> = params.iter().flat_map(|a| a.iter().copied()).collect();

    let (scalar_value, scalar_gradient) = adjoint_tape::value_and_gradient(scalar_mlp, &flat);
    let (tensor_value, tensor_gradient) = adjoint_ndarray::value_and_gradient(tensor_mlp, &params);
    let tensor_flat: Vec<f64> = tensor_gradient
        .iter()
        .flat_map(|a| a.iter().copied())
        .collect();

    assert_close("loss", &[scalar_value], &[tensor_value]);
    assert_close("gradient", &scalar_gradient, &tensor_flat);
}

/// An elementwise function on the scalar path.
type ScalarFunction = fn(Var<'_>) -> Var<'_>;

/// The same function on the tensor path.
type TensorFunction = for<'a, 't> fn(&'a Tensor<'t>) -> Tensor<'t>;

#[test]
fn elementwise_rules_agree_exactly() {
    let x = [-90.0, -20.0, -1.5, 0.0, 0.5, 2.0, 20.0, 90.0];
    let functions: [(&str, ScalarFunction, TensorFunction); 6] = [
        ("sigmoid", |v| v.sigmoid(), |t| t.sigmoid()),
        ("tanh", |v| v.tanh(), |t| t.tanh()),
        ("softplus", |v| v.softplus(), |t| t.softplus()),
        ("relu", |v| v.relu(), |t| t.relu()),
        ("abs", |v| v.abs(), |t| t.abs()),
        ("exp", |v| v.exp(), |t| t.exp()),
    ];
    for (name, scalar, tensor) in functions {
        let scalar_gradient = adjoint_tape::gradient(
            |v| adjoint_tape::sum(&v.iter().map(|&x| scalar(x)).collect::<Vec<_>>()),
            &x,
        );
        let tensor_gradient =
            adjoint_ndarray::gradient(|v| tensor(&v[0]).sum(), &[ndarray::arr1(&x)]);
        assert_eq!(scalar_gradient, tensor_gradient[0].to_vec(), "{name}");
    }
}

#[test]
fn log_sum_exp_agrees_with_the_scalar_one() {
    let rows = [
        vec![1000.0, 1000.0, -5.0],
        vec![f64::NEG_INFINITY, 2.0, 1.0],
        vec![-431.0, 279.0, 427.0],
    ];
    for row in rows {
        let (scalar_value, scalar_gradient) =
            adjoint_tape::value_and_gradient(adjoint_tape::log_sum_exp, &row);
        let (tensor_value, tensor_gradient) = adjoint_ndarray::value_and_gradient(
            |v| v[0].log_sum_exp(0).to_scalar(),
            &[ndarray::arr1(&row)],
        );
        assert_eq!(scalar_value, tensor_value, "{row:?}");
        assert_close(
            "log_sum_exp",
            &scalar_gradient,
            tensor_gradient[0].as_slice().unwrap(),
        );
    }
}

/// `Σ tanh(A B) ⊙ (A B)` on the scalar path.
fn scalar_product_function<'t>(flat: &[Var<'t>], m: usize, k: usize, n: usize) -> Var<'t> {
    let (a, b) = flat.split_at(m * k);
    let mut total = Var::constant(0.0);
    for i in 0..m {
        for j in 0..n {
            let c = adjoint_tape::sum(
                &(0..k)
                    .map(|l| a[i * k + l] * b[l * n + j])
                    .collect::<Vec<_>>(),
            );
            total += c.tanh() * c;
        }
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn matrix_function_gradient_agrees(
        (m, k, n) in (1usize..4, 1usize..4, 1usize..4),
        values in proptest::collection::vec(-2.0f64..2.0, 18),
    ) {
        let a = Array2::from_shape_fn((m, k), |(i, j)| values[i * k + j]);
        let b = Array2::from_shape_fn((k, n), |(i, j)| values[9 + i * n + j]);
        let flat: Vec<f64> = a.iter().chain(b.iter()).copied().collect();
        let scalar = adjoint_tape::gradient(|v| scalar_product_function(v, m, k, n), &flat);
        let tensor = adjoint_ndarray::gradient(
            |v| {
                let c = v[0].matmul(&v[1]);
                (&c.tanh() * &c).sum()
            },
            &[a, b],
        );
        let tensor_flat: Vec<f64> = tensor.iter().flat_map(|g| g.iter().copied()).collect();
        assert_close("matrix function", &scalar, &tensor_flat);
    }
}
