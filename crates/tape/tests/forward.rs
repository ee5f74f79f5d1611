//! Forward mode: every elementary function against the tape, the
//! drivers' values, nesting and perturbation confusion, and the awkward
//! points where forward and reverse mode must agree.

mod common;

use adjoint_tape::forward::{self, Dual, DualVec};
use adjoint_tape::{Scalar, Tape};
use common::assert_close;
use num_traits::Zero;

/// Asserts that two derivatives are the same number (both NaN counts).
fn assert_same(case: &str, forward: f64, reverse: f64) {
    assert!(
        forward == reverse || (forward.is_nan() && reverse.is_nan()),
        "{case}: forward mode gives {forward:e}, reverse mode {reverse:e}"
    );
}

/// Checks a unary method in forward mode (`Dual` and lane 1 of a
/// `DualVec`) against the tape's derivative at every point: the same
/// rules must give the same numbers.
macro_rules! check_unary {
    ($($name:ident at [$($x:expr),*];)*) => {
        $(
            for x in [$($x),*] {
                let case = format!("{} at {x}", stringify!($name));
                let dual = Dual::variable(x).$name();
                let lanes = DualVec::<f64, 2>::variable(x, 1).$name();
                let tape = Tape::new();
                let v = tape.var(x);
                let y = v.$name();
                let reverse = y.gradient().wrt(v);
                assert_same(&case, dual.tangent(), reverse);
                assert_same(&case, lanes.tangent(1), reverse);
                assert_eq!(lanes.tangent(0), 0.0, "{case}: lane 0 was not seeded");
                assert!(
                    dual.value() == y.value() || (dual.value().is_nan() && y.value().is_nan()),
                    "{case}: primal {} in forward mode, {} on the tape",
                    dual.value(),
                    y.value()
                );
            }
        )*
    };
}

#[test]
fn unary_functions_match_tape() {
    check_unary! {
        recip at [2.0, -0.5, 0.0];
        sqrt at [4.0, 0.0, -1.0];
        cbrt at [8.0, -8.0, 0.0];
        exp at [1.0, -2.0, 800.0];
        exp2 at [3.0, -1.5];
        exp_m1 at [0.0, 1e-10, 2.0];
        ln at [2.0, 0.0, -1.0];
        log2 at [2.0, 0.25];
        log10 at [10.0, 0.5];
        ln_1p at [1.0, -1.0, 1e-12];
        sin at [0.0, 1.3, -2.0];
        cos at [0.0, 1.3, -2.0];
        tan at [0.0, 1.0];
        asin at [0.0, 0.5, 1.0];
        acos at [0.0, -0.5, 1.0];
        atan at [1.0, -3.0, 1e300];
        sinh at [0.0, 2.0];
        cosh at [0.0, -2.0];
        tanh at [0.0, 20.0, 400.0];
        asinh at [0.0, 1e200];
        acosh at [2.0, 1.0];
        atanh at [0.5, 1.0];
        abs at [0.0, -2.0, 3.0];
        fract at [2.5, -1.25];
        signum at [2.0, 0.0];
        floor at [2.5, -2.5];
        ceil at [2.5, -2.5];
        round at [2.5, -2.5];
        trunc at [2.5, -2.5];
        sigmoid at [0.0, -90.0, 90.0];
        softplus at [0.0, -40.0, 40.0];
        relu at [0.0, -1.0, 2.0];
        to_degrees at [1.0];
        to_radians at [90.0];
    }
}

#[test]
fn powers_match_tape() {
    for x in [-2.0, 0.0, 1.5] {
        for n in [-2, 0, 1, 2, 5] {
            let tape = Tape::new();
            let v = tape.var(x);
            let reverse = v.powi(n).gradient().wrt(v);
            let forward = forward::derivative(|t| t.powi(n), x);
            assert_same(&format!("powi({x}, {n})"), forward, reverse);
        }
        for c in [0.0, 0.5, 2.0, 3.0] {
            let tape = Tape::new();
            let v = tape.var(x);
            let reverse = v.powf(c).gradient().wrt(v);
            let forward = forward::derivative(|t| t.powf(c), x);
            assert_same(&format!("powf({x}, {c})"), forward, reverse);
        }
    }
}

/// Checks a binary function against the tape: both partials, from one
/// `DualVec<2>` sweep and from two `Dual` sweeps.
fn check_binary(
    case: &str,
    points: &[(f64, f64)],
    forward_fn: impl for<'d> Fn(DualVec<'d, f64, 2>, DualVec<'d, f64, 2>) -> DualVec<'d, f64, 2>,
    dual_fn: impl for<'d> Fn(Dual<'d, f64>, Dual<'d, f64>) -> Dual<'d, f64>,
    reverse_fn: impl for<'t> Fn(adjoint_tape::Var<'t>, adjoint_tape::Var<'t>) -> adjoint_tape::Var<'t>,
) {
    for &(a, b) in points {
        let case = format!("{case} at ({a}, {b})");
        let tape = Tape::new();
        let (x, y) = (tape.var(a), tape.var(b));
        let reverse = reverse_fn(x, y).gradient().wrt_all(&[x, y]);
        let lanes = forward_fn(DualVec::variable(a, 0), DualVec::variable(b, 1)).tangents();
        let dual = forward::gradient(|v| dual_fn(v[0], v[1]), &[a, b]);
        for i in 0..2 {
            assert_same(
                &format!("{case}, partial {i} by lanes"),
                lanes[i],
                reverse[i],
            );
            assert_same(&format!("{case}, partial {i} by Dual"), dual[i], reverse[i]);
        }
    }
}

#[test]
fn binary_functions_match_tape() {
    let points = [(1.0, 2.0), (-1.5, 0.5), (0.0, 0.0), (2.0, 2.0), (3.0, -4.0)];
    check_binary("add", &points, |a, b| a + b, |a, b| a + b, |a, b| a + b);
    check_binary("sub", &points, |a, b| a - b, |a, b| a - b, |a, b| a - b);
    check_binary("mul", &points, |a, b| a * b, |a, b| a * b, |a, b| a * b);
    check_binary("div", &points, |a, b| a / b, |a, b| a / b, |a, b| a / b);
    check_binary("rem", &points, |a, b| a % b, |a, b| a % b, |a, b| a % b);
    check_binary(
        "atan2",
        &points,
        |a, b| a.atan2(b),
        |a, b| a.atan2(b),
        |a, b| a.atan2(b),
    );
    check_binary(
        "hypot",
        &points,
        |a, b| a.hypot(b),
        |a, b| a.hypot(b),
        |a, b| a.hypot(b),
    );
    check_binary(
        "max",
        &points,
        |a, b| a.max(b),
        |a, b| a.max(b),
        |a, b| a.max(b),
    );
    check_binary(
        "min",
        &points,
        |a, b| a.min(b),
        |a, b| a.min(b),
        |a, b| a.min(b),
    );
    check_binary(
        "abs_sub",
        &points,
        |a, b| a.abs_sub(b),
        |a, b| a.abs_sub(b),
        |a, b| a.abs_sub(b),
    );
    check_binary(
        "copysign",
        &points,
        |a, b| a.copysign(b),
        |a, b| a.copysign(b),
        |a, b| a.copysign(b),
    );
    let positive = [(2.0, 3.0), (0.5, 2.0), (8.0, 0.5)];
    check_binary(
        "powf",
        &positive,
        |a, b| a.powf(b),
        |a, b| a.powf(b),
        |a, b| a.powf(b),
    );
    check_binary(
        "log",
        &positive,
        |a, b| a.log(b),
        |a, b| a.log(b),
        |a, b| a.log(b),
    );
}

#[test]
fn ternary_functions_match_tape() {
    for (x, a, b) in [
        (2.0, 3.0, 4.0),
        (0.5, 0.0, 1.0),
        (-1.0, 0.0, 1.0),
        (3.0, 0.0, 1.0),
    ] {
        let tape = Tape::new();
        let v = tape.vars(&[x, a, b]);
        let reverse_fma = v[0].mul_add(v[1], v[2]).gradient().wrt_all(&v);
        let reverse_clamp = v[0].clamp(v[1], v[2]).gradient().wrt_all(&v);
        let forward_fma = forward::gradient(|d| d[0].mul_add(d[1], d[2]), &[x, a, b]);
        let forward_clamp = forward::gradient_lanes::<3, _>(|d| d[0].clamp(d[1], d[2]), &[x, a, b]);
        assert_eq!(forward_fma, reverse_fma, "mul_add at ({x}, {a}, {b})");
        assert_eq!(forward_clamp, reverse_clamp, "clamp at ({x}, {a}, {b})");
    }
}

#[test]
fn contract_calls_give_documented_values() {
    let g: Vec<f64> = forward::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
    assert_eq!(g, vec![2.0, 6.0]);
    let j: Vec<Vec<f64>> = forward::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
    assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
    let d: f64 = forward::derivative(|t| t.sin() * t, 0.5);
    assert_close(
        "d/dt t sin t",
        d,
        0.5_f64.cos() * 0.5 + 0.5_f64.sin(),
        1e-15,
    );
}

#[test]
fn forward_and_reverse_jacobians_agree() {
    let x = [0.7, -1.2, 2.5];
    let forward = forward::jacobian(
        |v| vec![v[0] * v[1].sin(), v[2].exp() / v[0], v[1].hypot(v[2]), v[0]],
        &x,
    );
    let reverse = adjoint_tape::jacobian(
        |v| vec![v[0] * v[1].sin(), v[2].exp() / v[0], v[1].hypot(v[2]), v[0]],
        &x,
    );
    assert_eq!(forward.len(), 4);
    for (row_f, row_r) in forward.iter().zip(&reverse) {
        for (&a, &b) in row_f.iter().zip(row_r) {
            assert_close("Jacobian entry", a, b, 1e-15);
        }
    }
}

#[test]
fn jvp_is_jacobian_times_tangent() {
    let x = [0.3, 1.7];
    let tangent = [2.0, -0.5];
    fn f<S: Scalar>(v: &[S]) -> Vec<S> {
        vec![v[0] * v[1], v[0].sin() + v[1].powi(3)]
    }
    let (values, jvp) = forward::jvp(|v| f(v), &x, &tangent);
    let jacobian = forward::jacobian(|v| f(v), &x);
    assert_eq!(values, vec![0.3 * 1.7, 0.3_f64.sin() + 1.7_f64.powi(3)]);
    for (row, &product) in jacobian.iter().zip(&jvp) {
        let expected = row[0] * tangent[0] + row[1] * tangent[1];
        assert_close("jvp entry", product, expected, 1e-15);
    }
}

#[test]
#[should_panic(expected = "jvp needs one tangent entry per input: 2 inputs, 1 tangent entries")]
fn jvp_rejects_short_tangent() {
    let _ = forward::jvp(|v| vec![v[0] + v[1]], &[1.0, 2.0], &[1.0]);
}

#[test]
fn gradient_lanes_match_gradient_for_every_width() {
    let x: Vec<f64> = (0..7).map(|i| 0.3 * f64::from(i) - 0.8).collect();
    let expected: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, a)| a.cos() * (i as f64 + 1.0))
        .collect();
    let by_dual = forward::gradient(|v| weighted_sines(v), &x);
    assert_eq!(by_dual, expected);
    assert_eq!(
        forward::gradient_lanes::<1, _>(|v| weighted_sines(v), &x),
        expected
    );
    assert_eq!(
        forward::gradient_lanes::<3, _>(|v| weighted_sines(v), &x),
        expected
    );
    assert_eq!(
        forward::gradient_lanes::<8, _>(|v| weighted_sines(v), &x),
        expected
    );
}

fn weighted_sines<S: Scalar>(v: &[S]) -> S {
    v.iter().enumerate().fold(S::zero(), |sum, (i, &a)| {
        sum + a.sin() * S::from_f64(i as f64 + 1.0)
    })
}

#[test]
fn empty_inputs_give_empty_results() {
    assert!(forward::gradient(|_| Dual::constant(1.0), &[]).is_empty());
    assert!(forward::gradient_lanes::<4, _>(|_| DualVec::constant(1.0), &[]).is_empty());
    let j = forward::jacobian(|_| vec![Dual::constant(1.0); 3], &[]);
    assert_eq!(j, vec![Vec::<f64>::new(); 3]);
}

#[test]
#[should_panic(expected = "returned 1 outputs in the sweep for input 1 but 2 in the first")]
fn jacobian_rejects_changing_output_count() {
    let _ = forward::jacobian(
        |v| {
            if v[1].tangent() == 1.0 {
                vec![v[0]]
            } else {
                vec![v[0], v[1]]
            }
        },
        &[1.0, 2.0],
    );
}

#[test]
fn generic_function_runs_in_every_mode() {
    fn f<S: Scalar>(x: &[S]) -> S {
        (x[0] * x[1]).ln() + S::from_f64(2.0) * x[1].sqrt()
    }
    let x = [2.0, 4.0];
    let reverse = adjoint_tape::gradient(|v| f(v), &x);
    let forward = forward::gradient(|v| f(v), &x);
    let lanes = forward::gradient_lanes::<2, _>(|v| f(v), &x);
    assert_eq!(f(&x), 8.0_f64.ln() + 4.0);
    for i in 0..2 {
        assert_close("forward against reverse", forward[i], reverse[i], 1e-15);
        assert_close("lanes against reverse", lanes[i], reverse[i], 1e-15);
    }
    assert_eq!(forward, vec![0.5, 0.25 + 0.5]);
}

#[test]
fn gradient_at_exp_overflow_is_infinite_not_nan() {
    let x = [1.0, -1000.0];
    let forward = forward::gradient(|v| v[0] * (-v[1]).exp(), &x);
    let lanes = forward::gradient_lanes::<2, _>(|v| v[0] * (-v[1]).exp(), &x);
    let reverse = adjoint_tape::gradient(|v| v[0] * (-v[1]).exp(), &x);
    for g in [&forward, &lanes, &reverse] {
        assert_eq!(g, &vec![f64::INFINITY, f64::NEG_INFINITY]);
    }
}

#[test]
fn gradient_near_exp_overflow_is_exact() {
    let x = [1.0, -700.0];
    let expected = vec![1.0142320547350045e304, -1.0142320547350045e304];
    assert_eq!(forward::gradient(|v| v[0] * (-v[1]).exp(), &x), expected);
    assert_eq!(
        adjoint_tape::gradient(|v| v[0] * (-v[1]).exp(), &x),
        expected
    );
}

#[test]
fn nested_derivative_of_sum_is_one() {
    // d/dx [x · d/dy (x + y) at y = 1] at x = 1: the inner derivative is 1,
    // so the outer one is 1. Mixing up the two perturbations gives 2.
    let left = forward::derivative(
        |x| x * forward::derivative(|y| x + y, Dual::constant(1.0)),
        1.0,
    );
    let right = forward::derivative(
        |x| x * forward::derivative(|y| y + x, Dual::constant(1.0)),
        1.0,
    );
    assert_eq!(left, 1.0);
    assert_eq!(right, 1.0);
}

#[test]
fn nested_derivative_of_product_is_2x() {
    // d/dx [x · d/dy (x y) at y = 1] = d/dx x² = 2x, 8 at x = 4.
    let d = forward::derivative(
        |x| x * forward::derivative(|y| x * y, Dual::constant(1.0)),
        4.0,
    );
    assert_eq!(d, 8.0);
}

/// The tape's number type in forward-over-reverse tests.
type DualTapeVar<'t> = adjoint_tape::Var<'t, Dual<'static, f64>>;

/// Computes `d/dx [x · d/dy inner(y, x)]` at `x0` and `y = 1`, with the outer
/// derivative in forward mode and the inner one on a tape over dual numbers.
fn outer_forward_inner_reverse(
    x0: f64,
    inner: impl for<'t> Fn(DualTapeVar<'t>, Dual<'static, f64>) -> DualTapeVar<'t>,
) -> f64 {
    // The outer perturbation rides on a dual number that the tape treats
    // as a constant. The tape's own variable is y.
    let x = Dual::variable(x0);
    let tape = Tape::new();
    let y = tape.var(Dual::constant(1.0));
    let d_dy = inner(y, x).gradient().wrt(y);
    (x * d_dy).tangent()
}

#[test]
fn forward_over_reverse_keeps_levels_apart() {
    assert_eq!(outer_forward_inner_reverse(1.0, |y, x| y + x), 1.0);
    assert_eq!(outer_forward_inner_reverse(4.0, |y, x| y * x), 8.0);
}

#[test]
fn higher_derivatives_of_powers_at_zero_are_exact() {
    let d1 = forward::derivative(|x| x.powi(0), 0.0);
    let d2 = forward::second_derivative(|x| x.powi(1), 0.0);
    let d3 = forward::derivative(|a| forward::second_derivative(|b| b.powi(2), a), 0.0);
    assert_eq!((d1, d2, d3), (0.0, 0.0, 0.0));

    assert_eq!(forward::derivative(|a| a.powi(1), 0.0), 1.0);
    assert_eq!(forward::second_derivative(|a| a.powi(2), 0.0), 2.0);
    let third = forward::derivative(
        |a| forward::derivative(|b| forward::derivative(|c| c.powi(3), b), a),
        0.0,
    );
    assert_eq!(third, 6.0);
    let fourth = forward::derivative(
        |a| {
            forward::derivative(
                |b| forward::derivative(|c| forward::derivative(|d| d.powi(4), c), b),
                a,
            )
        },
        0.0,
    );
    assert_eq!(fourth, 24.0);
    let fifth = forward::derivative(
        |a| {
            forward::derivative(
                |b| {
                    forward::derivative(
                        |c| forward::derivative(|d| forward::derivative(|e| e.powi(5), d), c),
                        b,
                    )
                },
                a,
            )
        },
        0.0,
    );
    assert_eq!(fifth, 120.0);
}

#[test]
fn abs_of_negated_square_curvature_is_two() {
    for x in [0.0, 1.0] {
        let nested = forward::derivative(|a| forward::derivative(|b| (-(b * b)).abs(), a), x);
        let second = forward::second_derivative(|a| (-(a * a)).abs(), x);
        assert_eq!(nested, 2.0, "nested derivative at {x}");
        assert_eq!(second, 2.0, "second_derivative at {x}");
    }
}

#[test]
fn abs_at_a_crossing_zero_keeps_convention() {
    // |x| crosses zero at 0: abs'(0) = 0 and, at second order, 0 too.
    assert_eq!(forward::derivative(|x| x.abs(), 0.0), 0.0);
    assert_eq!(forward::second_derivative(|x| x.abs(), 0.0), 0.0);
    // |x³| touches zero at third order only; the first two derivatives are 0.
    assert_eq!(forward::second_derivative(|x| x.powi(3).abs(), 0.0), 0.0);
}

#[test]
fn constants_with_infinite_partials_stay_constant() {
    // sqrt'(0) = ln'(0) = inf on constants must not leak in as inf · 0.
    let d = forward::derivative(
        |x| x + Dual::constant(0.0).sqrt() + Dual::constant(0.0).ln().exp(),
        2.0,
    );
    assert_eq!(d, 1.0);
    let tape_d = adjoint_tape::gradient(|v| v[0] + adjoint_tape::Var::constant(0.0).sqrt(), &[2.0]);
    assert_eq!(tape_d, vec![1.0]);
}

#[test]
fn second_derivative_matches_finite_differences() {
    for x in [-1.3, 0.2, 2.0] {
        let d2 = forward::second_derivative(|t| t.sin() * t.exp() / (1.0 + t * t), x);
        let fd = adjoint_tape::finite_diff::derivative(
            |t: f64| forward::derivative(|s| s.sin() * s.exp() / (1.0 + s * s), t),
            x,
        );
        assert_close(&format!("second derivative at {x}"), d2, fd, 1e-8);
    }
}

#[test]
fn sum_and_product_of_duals() {
    let v = [
        Dual::new(1.0, 1.0),
        Dual::new(2.0, 0.0),
        Dual::new(3.0, 2.0),
    ];
    let s: Dual<'_, f64> = v.iter().copied().sum();
    let p: Dual<'_, f64> = v.iter().copied().product();
    assert_eq!((s.value(), s.tangent()), (6.0, 3.0));
    assert_eq!((p.value(), p.tangent()), (6.0, 6.0 + 4.0));
}

#[test]
fn display_shows_value_debug_shows_tangent() {
    let x = Dual::new(1.5, 2.0);
    assert_eq!(format!("{x}"), "1.5");
    assert_eq!(format!("{x:?}"), "Dual { value: 1.5, tangent: 2.0 }");
    let lanes = DualVec::new(1.5, [2.0, 3.0]);
    assert_eq!(
        format!("{lanes:?}"),
        "DualVec { value: 1.5, tangents: [2.0, 3.0] }"
    );
}

#[test]
fn f32_base_type_works() {
    let g = forward::gradient(|v| v[0] * v[1] + 2.0 * v[0], &[2.0_f32, 3.0]);
    assert_eq!(g, vec![5.0_f32, 2.0]);
    let d = forward::second_derivative(|x| x.powi(3), 2.0_f32);
    assert_eq!(d, 12.0_f32);
}

/// The extended Rosenbrock function, with its constants 100 and 1 written
/// as numbers of `S`: constants of every mode.
fn rosenbrock<S: Scalar>(x: &[S]) -> S {
    let (hundred, one) = (S::from_f64(100.0), S::one());
    x.windows(2).fold(S::zero(), |total, pair| {
        let (current, next) = (pair[0], pair[1]);
        let a = next - current * current;
        total + hundred * a * a + (one - current) * (one - current)
    })
}

/// Returns the gradient of [`rosenbrock`], derived by hand.
fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
    let mut gradient = vec![0.0; x.len()];
    for (i, pair) in x.windows(2).enumerate() {
        // ∂/∂x_i of 100 a² + (1 - x_i)² with a = x_{i+1} - x_i², and ∂/∂x_{i+1}.
        let a = pair[1] - pair[0] * pair[0];
        gradient[i] += -400.0 * a * pair[0] - 2.0 * (1.0 - pair[0]);
        gradient[i + 1] += 200.0 * a;
    }
    gradient
}

#[test]
fn lanes_with_constants_match_hand_gradient() {
    // 11 inputs: the last sweep of 3 and 8 lanes is partly empty.
    let x: Vec<f64> = (0..11).map(|i| 0.37 * f64::from(i) - 1.2).collect();
    let expected = rosenbrock_gradient(&x);
    let finite = adjoint_tape::finite_diff::gradient(|v: &[f64]| rosenbrock(v), &x);
    let results = [
        ("Dual", forward::gradient(|v| rosenbrock(v), &x)),
        (
            "1 lane",
            forward::gradient_lanes::<1, _>(|v| rosenbrock(v), &x),
        ),
        (
            "3 lanes",
            forward::gradient_lanes::<3, _>(|v| rosenbrock(v), &x),
        ),
        (
            "8 lanes",
            forward::gradient_lanes::<8, _>(|v| rosenbrock(v), &x),
        ),
    ];
    for (mode, gradient) in results {
        for i in 0..x.len() {
            let case = format!("{mode}, input {i}");
            assert_close(&case, gradient[i], expected[i], 1e-13);
            assert_close(&case, gradient[i], finite[i], 1e-6);
        }
    }
}

#[test]
fn dual_zero_tangent_hides_infinite_partial() {
    // inf · 2: partials (2, inf), tangents (0, 0). The plain sum
    // 2 · 0 + inf · 0 is NaN, and the zero-tangent rule gives 0.
    let product = Dual::new(f64::INFINITY, 0.0) * Dual::new(2.0, 0.0);
    assert_eq!(product.value(), f64::INFINITY);
    assert_eq!(product.tangent(), 0.0);
    // A nonzero tangent against the infinite partial stays infinite.
    let product = Dual::new(2.0, 3.0) * Dual::new(f64::INFINITY, 0.0);
    assert_eq!(product.tangent(), f64::INFINITY);
    // 1 / 0: partials (inf, -inf), tangents zero.
    let quotient = Dual::new(1.0, 0.0) / Dual::new(0.0, 0.0);
    assert_eq!(quotient.tangent(), 0.0);
    // A NaN partial against a nonzero tangent stays NaN.
    let product = Dual::variable(1.0) * Dual::new(f64::NAN, 0.0);
    assert!(product.tangent().is_nan());
}

#[test]
fn dual_mul_add_hides_infinite_partial() {
    // x · a + b with x, a constants and b the variable: partials
    // (a, x, 1) = (inf, 2, 1) against tangents (0, 0, 1).
    let x = Dual::constant(2.0);
    let b = Dual::variable(5.0);
    let y = x.mul_add(Dual::constant(f64::INFINITY), b);
    assert_eq!(y.value(), f64::INFINITY);
    assert_eq!(y.tangent(), 1.0);
}

#[test]
fn lanes_zero_lane_hides_infinite_partial() {
    // 2 · inf: partials (inf, 2). Lane 0 meets the infinite partial with a
    // zero tangent, lane 1 with tangent 1.
    let product = DualVec::new(2.0, [0.0, 1.0]) * DualVec::new(f64::INFINITY, [1.0, 0.0]);
    assert_eq!(product.tangents(), [2.0, f64::INFINITY]);
    let scaled = DualVec::new(0.0, [1.0, 0.0]).sqrt();
    assert_eq!(scaled.tangent(0), f64::INFINITY);
    assert_eq!(scaled.tangent(1), 0.0);
}

#[test]
fn lanes_constant_has_zero_lanes() {
    let c = DualVec::<f64, 4>::constant(3.0);
    assert_eq!(c.tangents(), [0.0; 4]);
    assert_eq!(c.tangent(3), 0.0);
    assert!(!c.is_zero());
    assert!(DualVec::<f64, 4>::constant(0.0).is_zero());
    assert_eq!(
        format!("{c:?}"),
        "DualVec { value: 3.0, tangents: [0.0, 0.0, 0.0, 0.0] }"
    );
    // Constants combine into constants, and a constant times a variable
    // scales the variable's lanes.
    let x = DualVec::<f64, 4>::variable(2.0, 1);
    let sum = c * c + c.exp() / c;
    assert_eq!(sum.value(), 9.0 + 3.0_f64.exp() / 3.0);
    assert_eq!(sum.tangents(), [0.0; 4]);
    assert_eq!((c * x).tangents(), [0.0, 3.0, 0.0, 0.0]);
    assert_eq!((x - c).tangents(), [0.0, 1.0, 0.0, 0.0]);
    assert_eq!((c - x).tangents(), [0.0, -1.0, 0.0, 0.0]);
    assert_eq!(
        (c.mul_add(x, c)).tangents(),
        [0.0, 3.0, 0.0, 0.0],
        "d/dx (c x + c) = c"
    );
}

#[test]
fn lanes_powf_constant_exponent_at_zero() {
    // A constant exponent takes the rule without ln x, so x = 0 is exact.
    let x = DualVec::<f64, 2>::variable(0.0, 0);
    let y = x.powf(DualVec::constant(3.0));
    assert_eq!(y.tangents(), [0.0, 0.0]);
    let z = DualVec::<f64, 2>::variable(2.0, 1).powf(DualVec::constant(3.0));
    assert_eq!(z.tangents(), [0.0, 12.0]);
}

#[test]
fn dual_zero_tangents_are_positive_zero() {
    // The zero-tangent rule makes every zero term +0, so a tangent that
    // sums to zero is +0 whether or not an operand is a constant.
    let zero = 0.0_f64.to_bits();
    assert_eq!((-Dual::new(1.0_f64, 0.0)).tangent().to_bits(), zero);
    let difference = Dual::new(1.0_f64, 0.0) - Dual::new(2.0, 0.0);
    assert_eq!(difference.tangent().to_bits(), zero);
    // -0 · 1 is -0, and the constant's +0 term makes the sum +0.
    let product = Dual::variable(1.0_f64) * Dual::constant(-0.0);
    assert_eq!(product.tangent().to_bits(), zero);
    let product = Dual::variable(1.0_f64) * Dual::new(-0.0, 0.0);
    assert_eq!(product.tangent().to_bits(), zero);
}

#[test]
fn dual_constants_stay_constant() {
    let c = Dual::constant(3.0);
    let y = (c * c).exp() / c - c.sqrt();
    assert_eq!(y.value(), 9.0_f64.exp() / 3.0 - 3.0_f64.sqrt());
    assert_eq!(y.tangent(), 0.0);
    let x = Dual::variable(2.0);
    assert_eq!((c * x).tangent(), 3.0);
    assert_eq!((x / c).tangent(), 1.0 / 3.0);
    assert_eq!(c.mul_add(x, c).tangent(), 3.0);
    assert_eq!(x.mul_add(c, c).tangent(), 3.0);
}
