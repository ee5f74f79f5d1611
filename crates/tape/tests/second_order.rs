//! Second derivatives on a tape over dual numbers (forward over reverse),
//! checked against hand-derived values and forward over forward mode, and
//! the property tests of forward and reverse mode on random expression
//! trees: the two gradients agree, Hessians are symmetric and match central
//! differences of the gradient, and `H v` is the Hessian times `v`.

mod common;

use adjoint_tape::finite_diff::relative_error;
use adjoint_tape::forward::{self, Dual};
use adjoint_tape::{Scalar, Var, hessian, hessian_vector_product};
use common::{TOLERANCE, assert_close};
use proptest::prelude::*;
use proptest::sample::select;

/// The tape variable of forward-over-reverse closures.
type DualVar<'t> = Var<'t, Dual<'static, f64>>;

/// Asserts that a matrix is symmetric to the last bit.
fn assert_exactly_symmetric(what: &str, h: &[Vec<f64>]) {
    for (i, row) in h.iter().enumerate() {
        for (j, &entry) in row.iter().enumerate() {
            assert_eq!(
                entry.to_bits(),
                h[j][i].to_bits(),
                "{what}: H[{i}][{j}] = {entry:e} but H[{j}][{i}] = {:e}",
                h[j][i]
            );
        }
    }
}

#[test]
fn contract_calls_give_documented_values() {
    let h: Vec<Vec<f64>> = hessian(|v| v[0] * v[0] * v[1], &[1.0, 2.0]);
    assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
    let hv: Vec<f64> = hessian_vector_product(|v| v[0] * v[0] * v[1], &[1.0, 2.0], &[1.0, 0.0]);
    assert_eq!(hv, vec![4.0, 2.0]);
}

#[test]
fn hessian_of_four_factor_product() {
    // f = x₁x₂x₃x₄ at (2, 0, 3, 4): Hᵢⱼ is the product of the two other
    // factors, so only H₁₂ = 12, H₂₃ = 8 and H₂₄ = 6 (1-based) are nonzero.
    let mut expected = vec![vec![0.0; 4]; 4];
    for (i, j, value) in [(0, 1, 12.0), (1, 2, 8.0), (1, 3, 6.0)] {
        expected[i][j] = value;
        expected[j][i] = value;
    }
    let x = [2.0, 0.0, 3.0, 4.0];
    let chain = hessian(|v| v[0] * v[1] * v[2] * v[3], &x);
    let one_node = hessian(adjoint_tape::product, &x);
    let nested_forward =
        forward::jacobian(|y| forward::gradient(|z| z[0] * z[1] * z[2] * z[3], y), &x);
    assert_eq!(chain, expected);
    assert_eq!(one_node, expected);
    assert_eq!(nested_forward, expected);
}

#[test]
fn hessian_of_rosenbrock_is_hand_derived() {
    // f = (1 - x)² + 100 (y - x²)²:
    // H = [[2 - 400 (y - x²) + 800 x², -400 x], [-400 x, 200]].
    let (x, y) = (-1.2, 1.0);
    let h = hessian(
        |v| {
            let a = v[0] * -1.0 + 1.0;
            let b = v[1] - v[0] * v[0];
            a * a + b * b * 100.0
        },
        &[x, y],
    );
    let h00 = 2.0 - 400.0 * (y - x * x) + 800.0 * x * x;
    assert_close("H[0][0]", h[0][0], h00, 1e-15);
    assert_close("H[0][1]", h[0][1], -400.0 * x, 1e-15);
    assert_close("H[1][0]", h[1][0], -400.0 * x, 1e-15);
    assert_close("H[1][1]", h[1][1], 200.0, 1e-15);
}

#[test]
fn hessian_of_log_sum_exp_is_softmax_covariance() {
    // ∇² log Σ exp(xᵢ) = diag(p) - p pᵀ with p = softmax(x).
    let x: [f64; 3] = [0.5, -1.0, 2.0];
    let total: f64 = x.iter().map(|a| a.exp()).sum();
    let p: Vec<f64> = x.iter().map(|a| a.exp() / total).collect();
    let h = hessian(adjoint_tape::log_sum_exp, &x);
    assert_exactly_symmetric("log_sum_exp", &h);
    for i in 0..3 {
        for j in 0..3 {
            let diagonal = if i == j { p[i] } else { 0.0 };
            assert_close(
                &format!("H[{i}][{j}]"),
                h[i][j],
                diagonal - p[i] * p[j],
                1e-14,
            );
        }
    }
}

#[test]
fn hessian_of_abs_negated_square_at_one() {
    // |-x²| = x², so the second derivative is 2.
    let h = hessian(|v| (-(v[0] * v[0])).abs(), &[1.0]);
    assert_eq!(h, vec![vec![2.0]]);
}

#[test]
fn hessian_at_flat_zero_of_abs_uses_convention() {
    // At x = 0 the tape records abs'(0) = 0 for the node |u| with u = -x² = 0
    // and keeps no higher-order term, so the Hessian is 0 there even though
    // |-x²| = x² has second derivative 2. Nested forward mode gets 2.
    let h = hessian(|v| (-(v[0] * v[0])).abs(), &[0.0]);
    assert_eq!(h, vec![vec![0.0]]);
    let nested = forward::second_derivative(|a| (-(a * a)).abs(), 0.0);
    assert_eq!(nested, 2.0);
}

#[test]
fn hvp_keeps_adjoint_with_only_tangent() {
    // f = (x - 1)² at x = 1: the adjoint of u = x - 1 has value 2u = 0 but
    // tangent 2v, which the sweep must not skip as zero.
    let hv = hessian_vector_product(
        |v| {
            let u = v[0] - 1.0;
            u * u
        },
        &[1.0],
        &[3.0],
    );
    assert_eq!(hv, vec![6.0]);
}

#[test]
fn hessian_of_polynomial_is_exactly_symmetric() {
    let x = [0.3, -1.7, 2.9, 0.11];
    let h = hessian(
        |v| {
            let cubic = v[0] * v[1] * v[2] + v[1] * v[1] * v[3] * 0.7;
            cubic * cubic - v[2] * v[3] * v[0] * v[1] / 3.0
        },
        &x,
    );
    assert_exactly_symmetric("polynomial", &h);
}

#[test]
fn constant_function_has_zero_hessian() {
    let h = hessian(|_| Var::constant(Dual::constant(3.0)), &[1.0, 2.0]);
    assert_eq!(h, vec![vec![0.0; 2]; 2]);
    assert!(hessian(|_: &[DualVar<'_>]| Var::constant(Dual::constant(1.0)), &[]).is_empty());
}

#[test]
#[should_panic(expected = "one direction entry per input: 2 inputs, 3 entries")]
fn hvp_rejects_direction_of_wrong_length() {
    let _ = hessian_vector_product(|v| v[0] * v[1], &[1.0, 2.0], &[1.0, 0.0, 0.0]);
}

/// Number of inputs of every generated expression.
const INPUTS: usize = 3;

#[derive(Clone, Copy, Debug)]
enum UnaryOp {
    Sin,
    Cos,
    Tanh,
    Atan,
    Square,
    /// `exp(sin x)`, bounded so that nesting cannot overflow.
    ExpSin,
    /// `√(1 + x²)` as `hypot(x, 1)`.
    SqrtOnePlusSquare,
    /// `ln(1 + x²)`.
    LnOnePlusSquare,
}

#[derive(Clone, Copy, Debug)]
enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// `a / (1 + b²)`, defined everywhere.
    DivOnePlusSquare,
}

#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    Constant(f64),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

/// Evaluates an expression in any mode.
fn eval<S: Scalar>(expr: &Expr, x: &[S]) -> S {
    match expr {
        Expr::Input(i) => x[*i],
        Expr::Constant(c) => S::from_f64(*c),
        Expr::Unary(op, a) => {
            let a = eval(a, x);
            match op {
                UnaryOp::Sin => a.sin(),
                UnaryOp::Cos => a.cos(),
                UnaryOp::Tanh => a.tanh(),
                UnaryOp::Atan => a.atan(),
                UnaryOp::Square => a.powi(2),
                UnaryOp::ExpSin => a.sin().exp(),
                UnaryOp::SqrtOnePlusSquare => a.hypot(S::one()),
                UnaryOp::LnOnePlusSquare => (a * a).ln_1p(),
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, x), eval(b, x));
            match op {
                BinaryOp::Add => a + b,
                BinaryOp::Sub => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::DivOnePlusSquare => a / (S::one() + b * b),
            }
        }
    }
}

fn expr_strategy() -> impl Strategy<Value = Expr> {
    use UnaryOp::*;
    let unary = vec![
        Sin,
        Cos,
        Tanh,
        Atan,
        Square,
        ExpSin,
        SqrtOnePlusSquare,
        LnOnePlusSquare,
    ];
    let binary = vec![
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::DivOnePlusSquare,
    ];
    let leaf = prop_oneof![
        (0..INPUTS).prop_map(Expr::Input),
        (-2.0..2.0_f64).prop_map(Expr::Constant),
    ];
    leaf.prop_recursive(4, 24, 2, move |inner| {
        prop_oneof![
            (select(unary.clone()), inner.clone()).prop_map(|(op, a)| Expr::Unary(op, Box::new(a))),
            (select(binary.clone()), inner.clone(), inner).prop_map(|(op, a, b)| Expr::Binary(
                op,
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

/// Computes `(g(x + h eⱼ) - g(x - h eⱼ)) / 2h` for the reverse-mode
/// gradient `g`, one column per input, with `h = 1e-5 · max(1, |xⱼ|)`.
fn finite_difference_hessian(expr: &Expr, x: &[f64]) -> Vec<Vec<f64>> {
    let gradient = |point: &[f64]| adjoint_tape::gradient(|v| eval(expr, v), point);
    (0..x.len())
        .map(|j| {
            let step = 1e-5 * x[j].abs().max(1.0);
            let step = (x[j] + step) - x[j];
            let mut plus = x.to_vec();
            let mut minus = x.to_vec();
            plus[j] += step;
            minus[j] -= step;
            let (g_plus, g_minus) = (gradient(&plus), gradient(&minus));
            g_plus
                .iter()
                .zip(&g_minus)
                .map(|(a, b)| (a - b) / (2.0 * step))
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn forward_and_reverse_gradients_agree(
        expr in expr_strategy(),
        x in prop::array::uniform3(-2.0..2.0_f64),
    ) {
        let reverse = adjoint_tape::gradient(|v| eval(&expr, v), &x);
        let forward = forward::gradient(|v| eval(&expr, v), &x);
        let lanes = forward::gradient_lanes::<2, _>(|v| eval(&expr, v), &x);
        for i in 0..INPUTS {
            let error = relative_error(forward[i], reverse[i]);
            prop_assert!(error <= 1e-12, "input {i}: forward {:e}, reverse {:e}", forward[i], reverse[i]);
            let error = relative_error(lanes[i], reverse[i]);
            prop_assert!(error <= 1e-12, "input {i}: lanes {:e}, reverse {:e}", lanes[i], reverse[i]);
        }
    }

    #[test]
    fn hessian_symmetric_and_matches_differences(
        expr in expr_strategy(),
        x in prop::array::uniform3(-2.0..2.0_f64),
    ) {
        let h = hessian(|v| eval(&expr, v), &x);
        let columns = finite_difference_hessian(&expr, &x);
        let nested_forward = forward::jacobian(|y| forward::gradient(|z| eval(&expr, z), y), &x);
        for i in 0..INPUTS {
            for j in 0..INPUTS {
                prop_assert_eq!(h[i][j].to_bits(), h[j][i].to_bits(), "H[{}][{}] is not symmetric", i, j);
                let error = relative_error(h[i][j], columns[j][i]);
                prop_assert!(
                    error <= TOLERANCE,
                    "H[{i}][{j}] = {:e}, finite differences {:e}", h[i][j], columns[j][i]
                );
                let error = relative_error(h[i][j], nested_forward[i][j]);
                prop_assert!(
                    error <= 1e-12,
                    "H[{i}][{j}] = {:e}, forward over forward {:e}", h[i][j], nested_forward[i][j]
                );
            }
        }
    }

    #[test]
    fn hvp_is_hessian_times_vector(
        expr in expr_strategy(),
        x in prop::array::uniform3(-2.0..2.0_f64),
        v in prop::array::uniform3(-2.0..2.0_f64),
    ) {
        let hv = hessian_vector_product(|y| eval(&expr, y), &x, &v);
        let h = hessian(|y| eval(&expr, y), &x);
        for i in 0..INPUTS {
            let product: f64 = (0..INPUTS).map(|j| h[i][j] * v[j]).sum();
            let scale: f64 = (0..INPUTS).map(|j| (h[i][j] * v[j]).abs()).sum::<f64>().max(1.0);
            prop_assert!(
                (hv[i] - product).abs() <= 1e-12 * scale,
                "(H v)[{i}] = {:e} by one sweep, {:e} from the Hessian", hv[i], product
            );
        }
    }
}
