//! Laws of the reverse sweep, checked on random expression trees.
//!
//! Each tree is evaluated generically over `S: Scalar`, so the same tree
//! runs as plain `f64` and on a tape. The tape must record the same primal
//! and give the same gradient on every sweep. Its gradient must scale with
//! the seed and agree with central finite differences wherever those are
//! trustworthy.

mod common;

use adjoint_tape::finite_diff::{default_step, gradient_with_step, relative_error};
use adjoint_tape::{Scalar, Tape};
use proptest::prelude::*;
use proptest::sample::select;

/// Number of inputs of every generated function.
const INPUTS: usize = 3;

#[derive(Clone, Copy, Debug)]
enum UnaryOp {
    Neg,
    Sin,
    Cos,
    Tanh,
    Atan,
    Asinh,
    Exp,
    Abs,
    Square,
    Cube,
    Recip,
    /// `ln(1 + x²)`, defined everywhere.
    LnOnePlusSquare,
    /// `√(x² + 1)`, defined everywhere.
    SqrtOnePlusSquare,
}

const UNARY_OPS: [UnaryOp; 13] = [
    UnaryOp::Neg,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tanh,
    UnaryOp::Atan,
    UnaryOp::Asinh,
    UnaryOp::Exp,
    UnaryOp::Abs,
    UnaryOp::Square,
    UnaryOp::Cube,
    UnaryOp::Recip,
    UnaryOp::LnOnePlusSquare,
    UnaryOp::SqrtOnePlusSquare,
];

#[derive(Clone, Copy, Debug)]
enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    Hypot,
    Atan2,
    /// `(a² + 0.5)^b`: a power with a variable, positive base.
    Powf,
    /// `a · b + 1` as one fused node.
    MulAdd,
}

const BINARY_OPS: [BinaryOp; 10] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Max,
    BinaryOp::Min,
    BinaryOp::Hypot,
    BinaryOp::Atan2,
    BinaryOp::Powf,
    BinaryOp::MulAdd,
];

/// A small expression tree over the inputs.
#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    Constant(f64),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Evaluates the tree at `x`, as plain numbers or as tape variables.
    fn eval<S: Scalar>(&self, x: &[S]) -> S {
        match self {
            Expr::Input(i) => x[*i],
            Expr::Constant(c) => S::from_f64(*c),
            Expr::Unary(op, a) => {
                let a = a.eval(x);
                match op {
                    UnaryOp::Neg => -a,
                    UnaryOp::Sin => a.sin(),
                    UnaryOp::Cos => a.cos(),
                    UnaryOp::Tanh => a.tanh(),
                    UnaryOp::Atan => a.atan(),
                    UnaryOp::Asinh => a.asinh(),
                    UnaryOp::Exp => a.exp(),
                    UnaryOp::Abs => a.abs(),
                    UnaryOp::Square => a.powi(2),
                    UnaryOp::Cube => a * a * a,
                    UnaryOp::Recip => a.recip(),
                    UnaryOp::LnOnePlusSquare => (a * a).ln_1p(),
                    UnaryOp::SqrtOnePlusSquare => (a * a + S::one()).sqrt(),
                }
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(x), b.eval(x));
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Max => a.max(b),
                    BinaryOp::Min => a.min(b),
                    BinaryOp::Hypot => a.hypot(b),
                    BinaryOp::Atan2 => a.atan2(b),
                    BinaryOp::Powf => (a * a + S::from_f64(0.5)).powf(b),
                    BinaryOp::MulAdd => a.mul_add(b, S::one()),
                }
            }
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (0..INPUTS).prop_map(Expr::Input),
        1 => (-3.0..3.0).prop_map(Expr::Constant),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            (select(UNARY_OPS.to_vec()), inner.clone())
                .prop_map(|(op, a)| Expr::Unary(op, Box::new(a))),
            (select(BINARY_OPS.to_vec()), inner.clone(), inner)
                .prop_map(|(op, a, b)| Expr::Binary(op, Box::new(a), Box::new(b))),
        ]
    })
}

fn point() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0..2.0, INPUTS)
}

/// Records `expr` at `x` on a fresh tape and returns its primal and
/// gradient.
fn tape_value_and_gradient(expr: &Expr, x: &[f64]) -> (f64, Vec<f64>) {
    let tape = Tape::new();
    let inputs = tape.vars(x);
    let output = expr.eval(&inputs);
    (output.value(), output.gradient().wrt_all(&inputs))
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tape_primal_equals_plain_f64(expr in expr(), x in point()) {
        let plain = expr.eval(&x);
        let (recorded, _) = tape_value_and_gradient(&expr, &x);
        prop_assert_eq!(recorded.to_bits(), plain.to_bits(), "tape {} vs f64 {}", recorded, plain);
    }

    #[test]
    fn second_sweep_gives_same_gradient(expr in expr(), x in point()) {
        let tape = Tape::new();
        let inputs = tape.vars(&x);
        let output = expr.eval(&inputs);
        let first = output.gradient().wrt_all(&inputs);
        // A sweep from another output in between must not disturb it.
        let other = (output * output).sin();
        let _ = other.gradient();
        let second = output.gradient().wrt_all(&inputs);
        prop_assert_eq!(bits(&first), bits(&second), "{:?} then {:?}", first, second);
    }

    #[test]
    fn gradient_is_linear_in_seed(
        expr in expr(),
        x in point(),
        exponent in -3_i32..=3,
        negative in any::<bool>(),
        seed in -10.0..10.0,
    ) {
        let tape = Tape::new();
        let inputs = tape.vars(&x);
        let output = expr.eval(&inputs);
        let unit = output.gradient().wrt_all(&inputs);
        prop_assume!(unit.iter().all(|g| g.is_finite()));

        // A power of two scales every product exactly, unless a product
        // falls among the subnormal numbers, which have fewer bits.
        let power = if negative { -2.0_f64 } else { 2.0 }.powi(exponent);
        let scaled = output.gradient_with_seed(power).wrt_all(&inputs);
        let expected: Vec<f64> = unit.iter().map(|g| power * g).collect();
        let far_from_subnormal = unit.iter().all(|g| *g == 0.0 || g.abs() > 1e-290);
        if far_from_subnormal {
            prop_assert_eq!(&scaled, &expected, "seed {}", power);
        }

        // Any other seed agrees up to rounding. The rounding of the sweep
        // scales with the adjoints it carries, so the error is measured
        // against the largest of them. In exp(exp(x · (1/x) + 1)) two
        // terms of about 10^4 cancel at x, and their noise of about 10^-11
        // does not scale with the seed.
        let scaled = output.gradient_with_seed(seed).wrt_all(&inputs);
        let carried = output
            .gradient()
            .adjoints()
            .iter()
            .fold(0.0_f64, |m, a| m.max(a.abs()));
        let largest = unit
            .iter()
            .fold(1.0_f64, |m, g| m.max((seed * g).abs()))
            .max((seed * carried).abs());
        for (got, g) in scaled.iter().zip(&unit) {
            let error = (got - seed * g).abs() / largest;
            prop_assert!(error <= 1e-12, "seed {}: {} vs {} (error {:e})", seed, got, seed * g, error);
        }
    }

    #[test]
    fn zero_seed_gives_zero_gradient(expr in expr(), x in point()) {
        let tape = Tape::new();
        let inputs = tape.vars(&x);
        let output = expr.eval(&inputs);
        let gradient = output.gradient_with_seed(0.0).wrt_all(&inputs);
        prop_assert_eq!(gradient, vec![0.0; INPUTS]);
    }

    #[test]
    fn gradient_matches_finite_differences(expr in expr(), x in point()) {
        let f = |v: &[f64]| expr.eval(v);
        let value = f(&x);
        prop_assume!(value.is_finite());
        let (_, tape_gradient) = tape_value_and_gradient(&expr, &x);

        // The difference quotient is trusted only where two step sizes
        // agree: near a kink or a pole closer than the steps they differ.
        let step = default_step::<f64>();
        let fine = gradient_with_step(f, &x, step);
        let coarse = gradient_with_step(f, &x, 4.0 * step);
        for i in 0..INPUTS {
            let disagreement = relative_error(fine[i], coarse[i]);
            let trusted = fine[i].is_finite() && disagreement <= 1e-4;
            if !trusted {
                continue;
            }
            // Rounding in f(x ± h) contributes about ε |f| / h.
            let h = step * x[i].abs().max(1.0);
            let noise = 64.0 * f64::EPSILON * value.abs().max(1.0) / h;
            let tolerance = common::TOLERANCE + 2.0 * disagreement + noise / fine[i].abs().max(1.0);
            let error = relative_error(tape_gradient[i], fine[i]);
            prop_assert!(
                error <= tolerance,
                "component {}: tape {} vs finite difference {} (coarse {}), error {:e}, tolerance {:e}",
                i, tape_gradient[i], fine[i], coarse[i], error, tolerance
            );
        }
    }
}

/// The case that set the tolerance of `gradient_is_linear_in_seed`: the
/// gradient of exp(exp(x · (1/x) + 1)) is 0, and the sweep leaves noise
/// of about 10^-11 from two cancelling terms of about 10^4.
#[test]
fn seed_linearity_under_cancellation() {
    let tape: Tape<f64> = Tape::new();
    let x = tape.var(-0.3529606890003486);
    let y = x.recip().mul_add(x, 1.0).exp().exp();
    let unit: f64 = y.gradient().wrt(x);
    let seed = 5.345150187475527;
    let scaled = y.gradient_with_seed(seed).wrt(x);
    let carried = y
        .gradient()
        .adjoints()
        .iter()
        .fold(0.0_f64, |m, &a: &f64| m.max(a.abs()));
    assert!(carried > 1e4, "largest adjoint {carried}");
    assert!(unit.abs() < 1e-9, "gradient {unit}");
    let error = (scaled - seed * unit).abs();
    assert!(error <= 1e-12 * seed * carried, "error {error:e}");
}
