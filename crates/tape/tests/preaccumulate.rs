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
fn constant_among_inputs_keeps_later_statements_intact() {
    // The constant sits between two variables, and more statements follow,
    // so a stale entry past the kept ones would show in the gradient.
    let tape = Tape::new();
    let (x, z) = (tape.var(2.0), tape.var(3.0));
    let c = Var::constant(5.0);
    let before = tape.operand_count();
    let y = preaccumulate([x, c, z], |[x, c, z]| x * c * z);
    assert_eq!(tape.operand_count(), before + 2);
    let w = y * x + z;
    assert_eq!(tape.operand_count(), before + 6);
    let g = w.gradient();
    // w = 5 x² z + z: ∂w/∂x = 10 x z = 60, ∂w/∂z = 5 x² + 1 = 21.
    assert_eq!(g.wrt(x), 60.0);
    assert_eq!(g.wrt(z), 21.0);
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

#[test]
fn constant_input_keeps_statement_name() {
    // A constant among the inputs sends the statement down the checked
    // path, which must record it under the same name in the debug log.
    let tape = Tape::new();
    tape.set_debug(true);
    let x = tape.var(2.0);
    let all = preaccumulate([x, x], |[a, b]| a * b);
    let mixed = preaccumulate([x, Var::constant(4.0)], |[a, c]| a * c);
    for y in [all, mixed] {
        assert_eq!(tape.node_name(y.index().unwrap()), Some("preaccumulated"));
    }
    assert_eq!(tape.stats().by_kind["preaccumulated"], 2);
    assert_eq!(mixed.gradient().wrt(x), 4.0);
    assert!(
        tape.to_dot()
            .contains(r##"n2 [label="#2 preaccumulated\nvalue 8"]"##)
    );
}

/// Computes Σᵢ sin((i + 1) xᵢ) xᵢ, then eˢ / (1 + s²), on any number type.
macro_rules! wide_function {
    ($x:expr, $zero:expr) => {{
        let mut s = $zero;
        for (i, &xi) in $x.iter().enumerate() {
            s += (xi * (i as f64 + 1.0)).sin() * xi;
        }
        s.exp() / (1.0 + s * s)
    }};
}

/// Checks `N` inputs on one statement against the same function recorded
/// operation by operation and against central differences.
fn check_wide<const N: usize>() {
    let x0: Vec<f64> = (0..N).map(|i| 0.1 + 0.4 / N as f64 * i as f64).collect();
    let tape = Tape::new();
    let x = tape.vars(&x0);
    let before = (tape.len(), tape.operand_count());
    let fused = preaccumulate(
        std::array::from_fn(|i| x[i]),
        |d: [DualVec<'_, f64, N>; N]| wide_function!(d, DualVec::constant(0.0)),
    );
    assert_eq!(tape.len(), before.0 + 1);
    assert_eq!(tape.operand_count(), before.1 + N);
    let grads = fused.gradient();

    let plain_tape = Tape::new();
    let y = plain_tape.vars(&x0);
    let plain = wide_function!(y, Var::constant(0.0));
    assert_eq!(fused.value(), plain.value(), "value, N = {N}");
    let plain_grads = plain.gradient();
    let central = finite_diff::gradient(|x: &[f64]| wide_function!(x, 0.0), &x0);
    for i in 0..N {
        let (f, p, c) = (grads.wrt(x[i]), plain_grads.wrt(y[i]), central[i]);
        assert!(
            (f - p).abs() <= 1e-12 * p.abs().max(1.0),
            "N = {N}, entry {i}: {f} vs {p}"
        );
        // Central differences lose digits on the fast terms sin((i + 1) x_i)
        // of large N, so they only confirm the magnitude here. The tight
        // check is the one against the recording above.
        assert!(
            (f - c).abs() <= 1e-4 * c.abs().max(1.0),
            "N = {N}, entry {i}: {f} vs {c}"
        );
    }
}

#[test]
fn one_and_many_inputs_match_recording() {
    check_wide::<1>();
    check_wide::<64>();
}

#[test]
fn many_inputs_fit_thread_stack() {
    // The closure's inputs are N numbers of N lanes, N² values on the
    // stack. 128 inputs, the largest count the documentation allows for a
    // default 2 MiB thread stack, fit in a debug build.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(check_wide::<128>)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn statements_survive_arena_growth() {
    // Start from exact capacities so that the fast path fills them and
    // each following push reallocates through the checked path.
    for operands in 0..6 {
        let tape = Tape::with_capacity(3, operands);
        let (x, y) = (tape.var(2.0), tape.var(3.0));
        let mut total = preaccumulate([x, y], |[a, b]| a * b * b);
        for step in 0..300 {
            let c = f64::from(step) * 1e-3;
            total = preaccumulate([total, x, y], |[t, a, b]| 0.5 * t + (a * b + c).sin());
        }
        let plain_tape = Tape::new();
        let (u, v) = (plain_tape.var(2.0), plain_tape.var(3.0));
        let mut plain = u * v * v;
        for step in 0..300 {
            let c = f64::from(step) * 1e-3;
            plain = 0.5 * plain + (u * v + c).sin();
        }
        assert_eq!(tape.len(), 3 + 300);
        assert_eq!(tape.operand_count(), 2 + 3 * 300);
        assert!((total.value() - plain.value()).abs() <= 1e-12 * plain.value().abs());
        let (grads, plain_grads) = (total.gradient(), plain.gradient());
        for (a, b) in [
            (grads.wrt(x), plain_grads.wrt(u)),
            (grads.wrt(y), plain_grads.wrt(v)),
        ] {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
    }
}

#[test]
fn anomaly_mode_names_the_statement() {
    // √x at 0: finite value, infinite partial to x.
    let error = adjoint_tape::gradient_checked(
        |v| preaccumulate([v[0], v[1]], |[a, b]| a.sqrt() * b),
        &[0.0, 1.0],
    )
    .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "anomaly at node 2 (`preaccumulated`): the adjoint it passes to node 0 is inf"
        ),
        "{error}"
    );

    // ln of a negative number: a NaN value.
    let error = adjoint_tape::gradient_checked(
        |v| preaccumulate([v[0], v[1]], |[a, b]| a.ln() * b),
        &[-1.0, 1.0],
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("anomaly at node 2 (`preaccumulated`): its value is NaN"),
        "{error}"
    );

    // Finite values and partials pass the checks.
    let grads = adjoint_tape::gradient_checked(
        |v| preaccumulate([v[0], v[1]], |[a, b]| a * b.exp()),
        &[2.0, 0.0],
    )
    .unwrap();
    assert_eq!(grads, vec![1.0, 2.0]);
}

#[test]
fn hessian_through_preaccumulated_statement() {
    // A tape of `Dual` numbers: the closure runs on `DualVec<Dual, 2>`.
    let h = adjoint_tape::hessian(
        |v| preaccumulate([v[0], v[1]], |[a, b]| (a * b).sin() + 2.0 * a.powi(3)),
        &[0.5, 1.5],
    );
    let (x, y) = (0.5_f64, 1.5_f64);
    let s = (x * y).sin();
    let expected = [
        [-y * y * s + 12.0 * x, (x * y).cos() - x * y * s],
        [(x * y).cos() - x * y * s, -x * x * s],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert!((h[i][j] - expected[i][j]).abs() < 1e-12, "{h:?}");
        }
    }
}

#[test]
fn kinks_match_recording() {
    // abs at 0, max and min ties, powi at 0: the same partials as the
    // operation recorded on its own.
    let tape = Tape::new();
    let (x, y) = (tape.var(0.0), tape.var(0.0));
    let pairs = [
        (preaccumulate([x, y], |[a, b]| a.abs() + b), x.abs() + y),
        (preaccumulate([x, y], |[a, b]| a.max(b)), x.max(y)),
        (preaccumulate([x, y], |[a, b]| a.min(b)), x.min(y)),
        (
            preaccumulate([x, y], |[a, b]| a.powi(2) + b.powi(0)),
            x.powi(2) + y.powi(0),
        ),
        (preaccumulate([x, x], |[a, b]| a.max(b)), x.max(x)),
    ];
    for (k, (fused, plain)) in pairs.into_iter().enumerate() {
        assert_eq!(fused.value(), plain.value(), "case {k}");
        let (grads, plain_grads) = (fused.gradient(), plain.gradient());
        assert_eq!(
            (grads.wrt(x), grads.wrt(y)),
            (plain_grads.wrt(x), plain_grads.wrt(y)),
            "case {k}"
        );
    }
}

#[test]
fn norm_at_origin_follows_zero_tangent_rule() {
    // √(x² + y²) at (0, 0): forward mode passes 0 · ∞ = 0 for the zero
    // tangents of x² + y², while the recorded sweep gives NaN there.
    let tape = Tape::new();
    let (x, y) = (tape.var(0.0_f64), tape.var(0.0_f64));
    let fused = preaccumulate([x, y], |[x, y]| (x * x + y * y).sqrt());
    let g = fused.gradient();
    assert_eq!(g.wrt(x), 0.0);
    assert_eq!(g.wrt(y), 0.0);
    let plain = (x * x + y * y).sqrt();
    assert!(plain.gradient().wrt(x).is_nan());
}
