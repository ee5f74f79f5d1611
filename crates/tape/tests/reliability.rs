//! Reliability: anomaly mode, derivative checks, `select`, `norm`, custom
//! operations, tape inspection, parallel gradient sums, and the awkward
//! cases that automatic differentiation engines have got wrong (NaN from a
//! discarded branch, the norm at the origin, log-sum-exp with infinities,
//! gradients that accumulate across sweeps).

use adjoint_tape::forward::{self, Dual};
use adjoint_tape::{
    Error, Gradients, Quantity, Tape, Var, custom_vjp, dot, gradcheck, gradient_sum, log_sum_exp,
    norm, select,
};
use static_assertions::{assert_impl_all, assert_not_impl_any};

// Threads: a tape moves between threads but is never shared; variables and
// gradients borrow their tape and stay on its thread.
assert_impl_all!(Tape<f64>: Send);
assert_impl_all!(Tape<f32>: Send);
assert_not_impl_any!(Tape<f64>: Sync);
assert_not_impl_any!(Var<'static, f64>: Send, Sync);
assert_not_impl_any!(Gradients<'static, f64>: Send, Sync);
assert_impl_all!(Error: Send, Sync, std::error::Error);

// ---------------------------------------------------------------- anomaly

#[test]
fn anomaly_names_sqrt_of_zero_square() {
    let tape = Tape::new();
    tape.set_debug(true);
    let x = tape.var(0.0_f64);
    let y = (x * x).sqrt();
    assert_eq!(y.value(), 0.0);
    assert!(y.gradient().wrt(x).is_nan());

    let error = y
        .gradient_checked()
        .expect_err("sqrt'(0) = inf meets 2x = 0");
    let Error::Anomaly {
        op,
        node,
        quantity,
        value,
        ref operands,
    } = error
    else {
        panic!("expected an anomaly, got {error:?}");
    };
    assert_eq!(op, "sqrt");
    assert_eq!(node, 2);
    assert_eq!(quantity, Quantity::Adjoint { to: 1 });
    assert_eq!(value, f64::INFINITY);
    assert_eq!(operands.len(), 1);
    assert_eq!(operands[0].op, "mul");
    assert_eq!(operands[0].value, Some(0.0));
    assert_eq!(operands[0].partial, Some(f64::INFINITY));
    assert_eq!(
        error.to_string(),
        "anomaly at node 2 (`sqrt`): the adjoint it passes to node 1 is inf; \
         operands: node 1 (`mul`) = 0 with partial inf"
    );
}

#[test]
fn anomaly_reports_first_nan_value() {
    let tape = Tape::new();
    tape.set_debug(true);
    let p = tape.var(0.2);
    let q = tape.var(0.5);
    // ln(p - q) is NaN; everything after it inherits the NaN.
    let loss = (p - q).ln().exp() * q + p;
    let Err(Error::Anomaly {
        op,
        node,
        quantity,
        operands,
        ..
    }) = loss.gradient_checked()
    else {
        panic!("ln of a negative number must be reported");
    };
    assert_eq!((op, node, quantity), ("ln", 3, Quantity::Value));
    assert_eq!(operands[0].op, "sub");
    assert_eq!(operands[0].value, Some(0.2 - 0.5));
}

#[test]
fn anomaly_mode_is_off_by_default() {
    let tape = Tape::new();
    assert!(!tape.is_debug());
    let x = tape.var(-1.0_f64);
    let y = x.sqrt();
    assert_eq!(tape.node_name(1), None);
    assert!(y.gradient().wrt(x).is_nan());
}

fn smooth<'t>(v: &[Var<'t>]) -> Var<'t> {
    (v[0] * v[1]).sin() * v[2].exp() / (v[0] + 2.0)
}

#[test]
fn checked_gradient_equals_plain_gradient() {
    let x = [0.7, -1.3, 0.4];
    let checked = adjoint_tape::gradient_checked(smooth, &x).expect("finite everywhere");
    let plain = adjoint_tape::gradient(smooth, &x);
    assert_eq!(checked, plain);
}

#[test]
fn anomaly_ignores_discarded_select_branch() {
    for x0 in [0.0, -1.0] {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(x0);
        // At 0 the discarded √x has partial +inf; at -1 its value is NaN.
        let f = select(x < 1.0, x, x.sqrt());
        let g = f.gradient_checked().expect("the sqrt branch is discarded");
        assert_eq!(g.wrt(x), 1.0, "at x = {x0}");
    }
}

// ---------------------------------------------------------------- select

/// f(x) = x for x < 1, else √x, with both branches evaluated.
fn double_where<'t>(x: Var<'t>) -> Var<'t> {
    select(x < 1.0, x, x.sqrt())
}

#[test]
fn double_where_has_finite_gradient() {
    let tape = Tape::new();
    let x = tape.var(0.0);
    let f = double_where(x);
    assert_eq!(f.value(), 0.0);
    assert_eq!(f.gradient().wrt(x), 1.0);

    let x = tape.var(4.0);
    let f = double_where(x);
    assert_eq!(f.value(), 2.0);
    assert_eq!(f.gradient().wrt(x), 0.25);
}

/// The double where in forward mode. Dual numbers have no select node:
/// the branch is plain control flow, and the discarded √0 (tangent inf)
/// is dropped before it can mix with anything.
fn double_where_dual<'d>(x: Dual<'d, f64>) -> Dual<'d, f64> {
    let root = x.sqrt();
    if x < 1.0 { x } else { root }
}

#[test]
fn double_where_forward_mode_agrees() {
    assert_eq!(forward::derivative(double_where_dual, 0.0), 1.0);
    assert_eq!(forward::derivative(double_where_dual, 4.0), 0.25);
}

#[test]
fn double_where_passes_gradcheck() {
    for x0 in [0.5, 4.0] {
        let report = gradcheck::gradient(|v| double_where(v[0]), &[x0]);
        assert!(report.passed, "{report}");
    }
}

// ---------------------------------------------------------------- norm

#[test]
fn norm_at_three_four() {
    let tape = Tape::new();
    let v = tape.vars(&[3.0, 4.0]);
    let r = norm(&v);
    assert_eq!(r.value(), 5.0);
    assert_eq!(r.gradient().wrt_all(&v), vec![0.6, 0.8]);
}

#[test]
fn norm_at_origin_is_zero_in_both_modes() {
    let tape = Tape::new();
    let v = tape.vars(&[0.0, 0.0]);
    let r = norm(&v);
    assert_eq!(r.value(), 0.0);
    let reverse = r.gradient().wrt_all(&v);
    assert_eq!(reverse, vec![0.0, 0.0]);
    // Dual numbers have no n-ary norm; hypot follows the same rule.
    let forward = forward::gradient(|w| w[0].hypot(w[1]), &[0.0, 0.0]);
    assert_eq!(forward, reverse);
    let forward = forward::gradient(|w| w[0].hypot(w[1]), &[3.0, 4.0]);
    assert_eq!(forward, vec![0.6, 0.8]);
}

#[test]
fn norm_matches_forward_hypot_away_from_origin() {
    for point in [[1.0_f64, -2.0], [1e-200, 3e-200], [-7e150, 2e150]] {
        let reverse = adjoint_tape::gradient(norm, &point);
        let forward = forward::gradient(|w| w[0].hypot(w[1]), &point);
        for (r, f) in reverse.iter().zip(&forward) {
            assert!(
                (r - f).abs() <= 4.0 * f64::EPSILON,
                "{r} vs {f} at {point:?}"
            );
        }
    }
}

#[test]
fn squared_norm_at_origin_is_zero() {
    let origin = [0.0, 0.0];
    let by_dot = adjoint_tape::gradient(|v| dot(v, v), &origin);
    let by_products = adjoint_tape::gradient(|v| v[0] * v[0] + v[1] * v[1], &origin);
    let by_norm = adjoint_tape::gradient(|v| norm(v).powi(2), &origin);
    let by_forward = forward::gradient(|w| w[0] * w[0] + w[1] * w[1], &origin);
    assert_eq!(by_dot, vec![0.0, 0.0]);
    assert_eq!(by_products, vec![0.0, 0.0]);
    assert_eq!(by_norm, vec![0.0, 0.0]);
    assert_eq!(by_forward, vec![0.0, 0.0]);
}

// ---------------------------------------------------------------- log-sum-exp

#[test]
fn log_sum_exp_of_shifted_negative_infinity() {
    // d/dt lse(-inf, -inf + t) at t = 1: -inf + t = -inf, so both terms are
    // -inf, the value is -inf and the derivative 0, not NaN.
    let tape = Tape::new();
    let t = tape.var(1.0);
    let minus_infinity = Var::constant(f64::NEG_INFINITY);
    let shifted = minus_infinity + t;
    assert_eq!(shifted.value(), f64::NEG_INFINITY);
    let l = log_sum_exp(&[minus_infinity, shifted]);
    assert_eq!(l.value(), f64::NEG_INFINITY);
    assert_eq!(l.gradient().wrt(t), 0.0);
}

#[test]
fn log_sum_exp_with_one_negative_infinity() {
    let tape = Tape::new();
    let v = tape.vars(&[f64::NEG_INFINITY, 1.0]);
    let l = log_sum_exp(&v);
    assert_eq!(l.value(), 1.0);
    assert_eq!(l.gradient().wrt_all(&v), vec![0.0, 1.0]);
}

#[test]
fn log_sum_exp_of_huge_tie() {
    let tape = Tape::new();
    let x = tape.var(1e10);
    let l = log_sum_exp(&[x, x]);
    assert_eq!(l.value(), 10000000000.693147);
    assert_eq!(l.gradient().wrt(x), 1.0);

    let x = tape.var(1e50);
    let l = log_sum_exp(&[x, x]);
    assert_eq!(l.value(), 1e50);
    assert_eq!(l.gradient().wrt(x), 1.0);
}

// ---------------------------------------------------------------- sweeps

#[test]
fn repeated_sweeps_do_not_accumulate() {
    let tape = Tape::new();
    let (a, b, d) = (tape.var(3.0), tape.var(2.0), tape.var(1.0));
    let c = a + b;
    let e = c * d;
    for sweep in 0..5 {
        assert_eq!(
            e.gradient().wrt_all(&[a, b, d]),
            vec![1.0, 1.0, 5.0],
            "sweep {sweep}"
        );
        // A sweep from another output in between changes nothing.
        assert_eq!(c.gradient().wrt_all(&[a, b, d]), vec![1.0, 1.0, 0.0]);
        let checked = e.gradient_checked().expect("all finite");
        assert_eq!(checked.wrt_all(&[a, b, d]), vec![1.0, 1.0, 5.0]);
    }
}

#[test]
fn gradients_alive_at_once_stay_separate() {
    let tape = Tape::new();
    let (a, b, d) = (tape.var(3.0), tape.var(2.0), tape.var(1.0));
    let e = (a + b) * d;
    let first = e.gradient();
    let second = e.gradient();
    assert_eq!(first.wrt_all(&[a, b, d]), vec![1.0, 1.0, 5.0]);
    assert_eq!(second.wrt_all(&[a, b, d]), vec![1.0, 1.0, 5.0]);
}

// ---------------------------------------------------------------- gradcheck

#[test]
fn gradcheck_f32_passes_correct_gradients() {
    let x = [0.8_f32, -1.7, 2.3];
    let reports = [
        gradcheck::gradient(|v| (v[0] * v[1]).sin() + v[2].exp() / v[0], &x),
        gradcheck::gradient(|v| v[0].powi(3) * v[1] - v[2].ln() * v[1].tanh(), &x),
        gradcheck::gradient(|v| adjoint_tape::log_sum_exp(v) + norm(v), &x),
        gradcheck::gradient(|v| v[0].atan2(v[1]) * v[2].sigmoid() + v[1].softplus(), &x),
    ];
    for report in reports {
        assert!(report.passed, "{report}");
        assert!(report.max_error < 1e-2, "{report}");
    }
}

#[test]
fn gradcheck_f32_jacobian_and_hessian_vector_product() {
    let x = [0.6_f32, 1.4];
    let jacobian = gradcheck::jacobian(|v| vec![v[0] * v[1], v[0].exp() - v[1].sqrt()], &x);
    assert!(jacobian.passed, "{jacobian}");
    let hvp =
        gradcheck::hessian_vector_product(|v| v[0] * v[0] * v[1] + v[1].sin(), &x, &[1.0, -0.5]);
    assert!(hvp.passed, "{hvp}");
}

#[test]
fn gradcheck_f64_is_tight() {
    let report = gradcheck::gradient(|v| (v[0] * v[1]).cos() * v[0].exp(), &[0.4, -0.9]);
    assert!(report.passed, "{report}");
    assert!(report.max_error < 1e-8, "{report}");
}

#[test]
fn gradcheck_catches_wrong_factor() {
    // A hand-written derivative of x³ that forgot the factor 3.
    let report = gradcheck::gradient(
        |v| {
            let x = v[0].value();
            Var::from_partials(x * x * x, &[(v[0], x * x)])
        },
        &[1.5],
    );
    assert!(!report.passed);
    let Err(Error::DerivativeMismatch {
        analytic, numeric, ..
    }) = report.into_result()
    else {
        panic!("the check must fail");
    };
    assert_eq!(analytic, 2.25);
    assert!((numeric - 6.75).abs() < 1e-6);
}

#[test]
fn gradcheck_f32_catches_wrong_factor() {
    let report = gradcheck::gradient(
        |v| {
            let x = v[0].value();
            Var::from_partials(x * x * x, &[(v[0], 2.9 * x * x)])
        },
        &[1.5_f32],
    );
    assert!(!report.passed, "{report}");
}

// ---------------------------------------------------------------- custom ops

/// `ln(eᵃ + eᵇ)` in the stable form `max + ln(1 + e^-|a - b|)`, with the
/// hand-written vjp `(σ(a - b), σ(b - a))`.
fn log_add_exp<'t>(a: Var<'t>, b: Var<'t>) -> Var<'t> {
    let (x, y) = (a.value(), b.value());
    let value = x.max(y) + (-(x - y).abs()).exp().ln_1p();
    let weight_a = adjoint_tape::rules::sigmoid_value(x - y);
    let weight_b = adjoint_tape::rules::sigmoid_value(y - x);
    custom_vjp("log_add_exp", &[a, b], &[value], move |ct, adj| {
        adj[0] += ct[0] * weight_a;
        adj[1] += ct[0] * weight_b;
    })[0]
}

#[test]
fn custom_log_add_exp_passes_gradcheck() {
    for point in [[0.3, -0.4], [5.0, 5.0], [-20.0, 3.0]] {
        let report = gradcheck::gradient(|v| log_add_exp(v[0], v[1]) * v[0], &point);
        assert!(report.passed, "{report} at {point:?}");
    }
}

#[test]
fn custom_log_add_exp_large_inputs() {
    let tape = Tape::new();
    let (a, b) = (tape.var(1000.0), tape.var(999.0));
    let l = log_add_exp(a, b);
    assert!((l.value() - (1000.0 + (-1.0_f64).exp().ln_1p())).abs() < 1e-12);
    let g = l.gradient();
    assert!((g.wrt(a) - 1.0 / (1.0 + (-1.0_f64).exp())).abs() < 1e-15);
    assert!((g.wrt(a) + g.wrt(b) - 1.0).abs() < 1e-15);
    // The naive form overflows.
    let naive = (a.exp() + b.exp()).ln();
    assert_eq!(naive.value(), f64::INFINITY);
}

// ---------------------------------------------------------------- inspection

#[test]
fn stats_and_dot_of_seed_function() {
    let tape = Tape::new();
    tape.set_debug(true);
    let x = tape.var(1.0);
    let y = tape.var(1.0);
    let f = x * x + 3.0 * y * y;
    let stats = tape.stats();
    assert_eq!(stats.nodes, 6);
    // x · x is one operand entry (partial 2x); 3 y and (3 y) y have one and two.
    assert_eq!(stats.operands, 6);
    assert_eq!(stats.custom_ops, 0);
    assert_eq!(stats.bytes, 6 * 4 + 6 * 12);
    assert_eq!(stats.by_kind.get("input"), Some(&2));
    assert_eq!(stats.by_kind.get("mul"), Some(&3));
    assert_eq!(stats.by_kind.get("add"), Some(&1));

    let grads = f.gradient();
    let dot = tape.to_dot_with_adjoints(grads.adjoints());
    assert!(
        dot.contains(r##"n5 [label="#5 add\nvalue 4\nadjoint 1"];"##),
        "{dot}"
    );
    assert!(dot.contains(r##"n1 [label="#1 input\nvalue 1\nadjoint 6", shape=ellipse];"##));
    assert_eq!(dot.matches(" -> ").count(), stats.operands);
}

// ---------------------------------------------------------------- parallel

/// Squared error of a line `a x + b` at one point `(x, y)`.
fn squared_error<'t>(params: &[Var<'t>], point: &(f64, f64)) -> Var<'t> {
    let (x, y) = *point;
    let residual = params[0] * x + params[1] - y;
    residual * residual
}

fn points(count: usize) -> Vec<(f64, f64)> {
    (0..count)
        .map(|i| {
            let x = i as f64 / 37.0;
            (x, 2.5 * x - 1.0 + (i as f64 * 0.7).sin())
        })
        .collect()
}

#[test]
fn gradient_sum_matches_plain_loop() {
    let data = points(1000);
    let params = [0.3, -0.2];
    let (value, gradient) = gradient_sum(&params, &data, squared_error);

    let mut expected_value = 0.0;
    let mut expected_gradient = [0.0, 0.0];
    for point in &data {
        let (v, g) = adjoint_tape::value_and_gradient(|p| squared_error(p, point), &params);
        expected_value += v;
        expected_gradient[0] += g[0];
        expected_gradient[1] += g[1];
    }
    assert!((value - expected_value).abs() <= 1e-12 * expected_value.abs());
    for (got, want) in gradient.iter().zip(expected_gradient) {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{got} vs {want}"
        );
    }
}

#[cfg(feature = "rayon")]
#[test]
fn par_gradient_sum_any_thread_count() {
    let data = points(5000);
    let params = [0.3, -0.2];
    let sequential = gradient_sum(&params, &data, squared_error);
    for threads in [1, 2, 3, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a small thread pool builds");
        let parallel =
            pool.install(|| adjoint_tape::par_gradient_sum(&params, &data, squared_error));
        assert_eq!(parallel, sequential, "{threads} threads");
    }
}
