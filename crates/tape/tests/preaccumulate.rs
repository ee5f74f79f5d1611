//! `preaccumulate`: one statement per small function, against the same
//! function recorded operation by operation, hand values and central
//! differences.

use adjoint_tape::finite_diff;
use adjoint_tape::forward::DualVec;
use adjoint_tape::{Tape, Var, preaccumulate};

/// Computes one Rosenbrock term on forward-mode numbers.
fn term_dual<'d>([x, y]: [DualVec<'d, f64, 2>; 2]) -> DualVec<'d, f64, 2> {
    let a = y - x * x;
    100.0 * a * a + (1.0 - x) * (1.0 - x)
}

/// Computes the same term on tape variables, one statement per operation.
fn term_var<'t>(x: Var<'t>, y: Var<'t>) -> Var<'t> {
    let a = y - x * x;
    100.0 * a * a + (1.0 - x) * (1.0 - x)
}

/// Computes the chained Rosenbrock function, each term as one statement.
fn rosenbrock_preaccumulated<'t>(x: &[Var<'t>]) -> Var<'t> {
    x.windows(2).fold(Var::constant(0.0), |total, pair| {
        total + preaccumulate([pair[0], pair[1]], term_dual)
    })
}

#[test]
fn rosenbrock_matches_operation_by_operation() {
    let x0: Vec<f64> = (0..50).map(|i| -1.2 + 0.07 * i as f64).collect();
    let fused = adjoint_tape::gradient(rosenbrock_preaccumulated, &x0);
    let plain = adjoint_tape::gradient(
        |x| {
            x.windows(2).fold(Var::constant(0.0), |total, pair| {
                total + term_var(pair[0], pair[1])
            })
        },
        &x0,
    );
    for (i, (f, p)) in fused.iter().zip(&plain).enumerate() {
        assert!(
            (f - p).abs() <= 1e-12 * p.abs().max(1.0),
            "entry {i}: {f} vs {p}"
        );
    }
    let central = finite_diff::gradient(
        |x: &[f64]| {
            x.windows(2)
                .map(|p| 100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2))
                .sum()
        },
        &x0,
    );
    for (i, (f, c)) in fused.iter().zip(&central).enumerate() {
        assert!(
            (f - c).abs() <= 1e-5 * c.abs().max(1.0),
            "entry {i}: {f} vs {c}"
        );
    }
}

#[test]
fn one_statement_with_one_entry_per_input() {
    let tape = Tape::new();
    let x = tape.vars(&[1.0, 2.0, 3.0]);
    let before = (tape.len(), tape.operand_count());
    let y = preaccumulate([x[0], x[1], x[2]], |[a, b, c]| {
        (a * b).sin() + b * c.exp() - a
    });
    assert_eq!(tape.len(), before.0 + 1);
    assert_eq!(tape.operand_count(), before.1 + 3);
    let g = y.gradient();
    let (a, b, c) = (1.0_f64, 2.0_f64, 3.0_f64);
    assert_eq!(y.value(), (a * b).sin() + b * c.exp() - a);
    assert!((g.wrt(x[0]) - (b * (a * b).cos() - 1.0)).abs() < 1e-12);
    assert!((g.wrt(x[1]) - (a * (a * b).cos() + c.exp())).abs() < 1e-12);
    assert!((g.wrt(x[2]) - b * c.exp()).abs() < 1e-12);
}

#[test]
fn constant_inputs_get_no_entry() {
    let tape = Tape::new();
    let x = tape.var(2.0);
    let c = Var::constant(5.0);
    let before = tape.operand_count();
    let y = preaccumulate([x, c], |[x, c]| x * c + x * x);
    assert_eq!(tape.operand_count(), before + 1);
    assert_eq!(y.value(), 14.0);
    assert_eq!(y.gradient().wrt(x), 5.0 + 4.0);
}

#[test]
fn all_constant_inputs_give_a_constant() {
    let y = preaccumulate([Var::constant(2.0), Var::constant(3.0)], |[a, b]| a * b);
    assert!(y.is_constant());
    assert_eq!(y.value(), 6.0);
}

#[test]
fn no_inputs_give_a_constant() {
    let y: Var<'_> = preaccumulate([], |[]: [DualVec<'_, f64, 0>; 0]| DualVec::constant(4.0));
    assert!(y.is_constant());
    assert_eq!(y.value(), 4.0);
}

#[test]
fn repeated_input_sums_its_entries() {
    let tape = Tape::new();
    let x = tape.var(3.0);
    // f(u, v) = u v at u = v = x: df/dx = 2x.
    let y = preaccumulate([x, x], |[u, v]| u * v);
    assert_eq!(tape.operand_count(), 2);
    assert_eq!(y.gradient().wrt(x), 6.0);
}

#[test]
fn zero_adjoint_keeps_infinite_partial_out() {
    // √x at 0 has an infinite partial. Multiplied by a constant 0, the
    // output does not depend on it, so the gradient is 0, not NaN.
    let tape = Tape::new();
    let x = tape.var(0.0);
    let root = preaccumulate([x], |[x]| x.sqrt());
    let g = (root * 0.0).gradient().wrt(x);
    assert_eq!(g, 0.0);
    assert_eq!(root.gradient().wrt(x), f64::INFINITY);
}

#[test]
fn matches_recording_on_f32_tapes() {
    let tape = Tape::<f32>::new();
    let (x, y) = (tape.var(0.5_f32), tape.var(2.0_f32));
    let fused = preaccumulate([x, y], |[x, y]| x * y + x.exp());
    let g = fused.gradient();
    assert!((g.wrt(x) - (2.0 + 0.5_f32.exp())).abs() < 1e-6);
    assert!((g.wrt(y) - 0.5).abs() < 1e-6);
}

#[test]
#[should_panic(expected = "cannot combine variables of two different tapes")]
fn inputs_of_two_tapes_panic() {
    let (first, second) = (Tape::new(), Tape::new());
    let _ = preaccumulate([first.var(1.0), second.var(2.0)], |[a, b]| a + b);
}
