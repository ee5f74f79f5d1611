//! A custom operation: the numerically stable `logaddexp(a, b) =
//! ln(eᵃ + eᵇ)` with a derivative written once by hand, checked against
//! finite differences.
//!
//! Recorded step by step, `(a.exp() + b.exp()).ln()` overflows to `inf`
//! for `a = 1000`, and its gradient comes out (0, 0) in place of
//! (0.73, 0.27): `ln` passes back `1/inf = 0`. The stable form
//! `max(a, b) + ln(1 + e^-|a - b|)` never overflows, and its partials are
//! the weights `σ(a - b)` and `σ(b - a)`, which sum to 1. Two ways to
//! record it as one node are shown: `Var::from_partials` (partials known
//! when the value is) and `custom_vjp` (a closure that runs in the reverse
//! sweep, the form that also serves operations of several outputs).
//!
//! Run with `cargo run --example custom_op`. It runs instantly and ignores
//! `--quick`; it panics if a derivative check fails.

use adjoint::rules::sigmoid_value;
use adjoint::{Tape, Var, custom_vjp, gradcheck};

/// The value and partials of logaddexp, in the stable form.
fn log_add_exp_rule(a: f64, b: f64) -> (f64, [f64; 2]) {
    let value = a.max(b) + (-(a - b).abs()).exp().ln_1p();
    (value, [sigmoid_value(a - b), sigmoid_value(b - a)])
}

/// logaddexp as one node with its partials computed up front.
fn log_add_exp<'t>(a: Var<'t>, b: Var<'t>) -> Var<'t> {
    let (value, [da, db]) = log_add_exp_rule(a.value(), b.value());
    Var::from_partials(value, &[(a, da), (b, db)])
}

/// logaddexp as a custom operation whose vjp runs in the reverse sweep.
fn log_add_exp_vjp<'t>(a: Var<'t>, b: Var<'t>) -> Var<'t> {
    let (value, [da, db]) = log_add_exp_rule(a.value(), b.value());
    let outputs = custom_vjp(
        "log_add_exp",
        &[a, b],
        &[value],
        move |cotangent, adjoints| {
            adjoints[0] += cotangent[0] * da;
            adjoints[1] += cotangent[0] * db;
        },
    );
    outputs[0]
}

fn main() {
    let tape = Tape::new();
    let (a, b) = (tape.var(1000.0), tape.var(999.0));

    let naive = (a.exp() + b.exp()).ln();
    let naive_gradient = naive.gradient().wrt_all(&[a, b]);
    println!(
        "naive:       value {}, gradient {naive_gradient:?}",
        naive.value()
    );

    let stable = log_add_exp(a, b);
    let stable_gradient = stable.gradient().wrt_all(&[a, b]);
    println!(
        "stable:      value {}, gradient {stable_gradient:?}",
        stable.value()
    );

    let by_vjp = log_add_exp_vjp(a, b);
    let vjp_gradient = by_vjp.gradient().wrt_all(&[a, b]);
    println!(
        "custom_vjp:  value {}, gradient {vjp_gradient:?}",
        by_vjp.value()
    );
    assert_eq!(stable_gradient, vjp_gradient);

    // Check both forms against central finite differences, inside a larger
    // expression and at points where the naive form still works.
    for point in [[0.3, -0.4], [2.0, 2.0], [-30.0, 5.0]] {
        let report = gradcheck::gradient(|v| log_add_exp(v[0], v[1]) * v[1].sin(), &point);
        println!("from_partials at {point:?}: {report}");
        assert!(report.passed, "{report}");
        let report = gradcheck::gradient(|v| log_add_exp_vjp(v[0], v[1]).powi(2), &point);
        println!("custom_vjp at {point:?}: {report}");
        assert!(report.passed, "{report}");
    }
}
