//! Every elementary function of `Var` against central finite differences
//! at several points, and against hand-derived values at the awkward points
//! (zero, ties, overflow, the far tails).

mod common;

use adjoint_tape::{Tape, Var, dot, log_sum_exp, product, sum};
use common::{
    assert_close, assert_matches_finite_differences, assert_matches_finite_differences_f32,
};

/// Defines one test per function. The body is written once, expanded over
/// `f64` and over tape variables: the tape's primal must equal the plain
/// `f64` result bit for bit, and its gradient must match finite
/// differences at every listed point.
macro_rules! check_functions {
    ($($(#[$attribute:meta])* $test:ident: |$($arg:ident),+| $body:expr, at [$([$($x:expr),+]),+ $(,)?];)*) => {
        $(
            #[test]
            $(#[$attribute])*
            fn $test() {
                let points: &[&[f64]] = &[$(&[$($x),+]),+];
                for &point in points {
                    let plain: f64 = {
                        let &[$($arg),+] = point else { unreachable!() };
                        $body
                    };
                    let tape = Tape::new();
                    let inputs = tape.vars(point);
                    let recorded: Var = {
                        let &[$($arg),+] = inputs.as_slice() else { unreachable!() };
                        $body
                    };
                    assert_eq!(
                        recorded.value().to_bits(),
                        plain.to_bits(),
                        "{} at {point:?}: tape value {} differs from f64 value {plain}",
                        stringify!($test),
                        recorded.value()
                    );
                    assert_matches_finite_differences(
                        stringify!($test),
                        |v| {
                            let &[$($arg),+] = v else { unreachable!() };
                            $body
                        },
                        point,
                    );
                }
            }
        )*
    };
}

check_functions! {
    recip: |x| x.recip(), at [[-3.0], [-0.5], [0.25], [2.0], [7.0]];
    sqrt: |x| x.sqrt(), at [[0.01], [0.5], [2.0], [100.0]];
    cbrt: |x| x.cbrt(), at [[-8.0], [-0.3], [0.2], [5.0]];
    exp: |x| x.exp(), at [[-5.0], [-0.5], [0.0], [1.5], [10.0]];
    exp2: |x| x.exp2(), at [[-5.0], [-0.5], [0.0], [1.5], [10.0]];
    exp_m1: |x| x.exp_m1(), at [[-3.0], [-1e-3], [1e-8], [0.7], [4.0]];
    ln: |x| x.ln(), at [[0.1], [1.0], [2.5], [1000.0]];
    log2: |x| x.log2(), at [[0.1], [1.0], [2.5], [1000.0]];
    log10: |x| x.log10(), at [[0.1], [1.0], [2.5], [1000.0]];
    ln_1p: |x| x.ln_1p(), at [[-0.9], [-1e-3], [0.0], [3.0]];
    sin: |x| x.sin(), at [[-2.0], [-0.5], [0.3], [1.0], [4.0]];
    cos: |x| x.cos(), at [[-2.0], [-0.5], [0.3], [1.0], [4.0]];
    tan: |x| x.tan(), at [[-1.2], [-0.4], [0.3], [1.0], [4.0]];
    asin: |x| x.asin(), at [[-0.9], [-0.3], [0.0], [0.5], [0.95]];
    acos: |x| x.acos(), at [[-0.9], [-0.3], [0.0], [0.5], [0.95]];
    atan: |x| x.atan(), at [[-10.0], [-1.0], [0.0], [0.5], [3.0]];
    sinh: |x| x.sinh(), at [[-3.0], [-0.5], [0.0], [1.0], [5.0]];
    cosh: |x| x.cosh(), at [[-3.0], [-0.5], [0.0], [1.0], [5.0]];
    tanh: |x| x.tanh(), at [[-3.0], [-0.5], [0.0], [1.0], [5.0]];
    asinh: |x| x.asinh(), at [[-5.0], [-0.5], [0.0], [2.0], [1e3]];
    acosh: |x| x.acosh(), at [[1.1], [2.0], [10.0], [1e3]];
    atanh: |x| x.atanh(), at [[-0.9], [-0.2], [0.0], [0.5], [0.95]];
    abs: |x| x.abs(), at [[-3.0], [-0.5], [0.5], [2.0]];
    fract: |x| x.fract(), at [[-2.3], [-0.4], [0.6], [3.7]];
    signum: |x| x.signum(), at [[-2.3], [-0.4], [0.6], [3.7]];
    floor: |x| x.floor(), at [[-2.3], [-0.4], [0.6], [3.7]];
    ceil: |x| x.ceil(), at [[-2.3], [-0.4], [0.6], [3.7]];
    round: |x| x.round(), at [[-2.3], [-0.4], [0.6], [3.7]];
    trunc: |x| x.trunc(), at [[-2.3], [-0.4], [0.6], [3.7]];
    to_degrees: |x| x.to_degrees(), at [[-2.0], [0.0], [1.5]];
    to_radians: |x| x.to_radians(), at [[-120.0], [0.0], [45.0]];
    powi: |x| x.powi(3) + x.powi(-2) + x.powi(0) + x.powi(1), at [[-2.0], [-0.7], [0.5], [3.0]];
    powf_constant: |x| x.powf(2.5) + x.powf(-0.5), at [[0.3], [1.0], [4.0]];
    powf_constant_negative_base: |x| x.powf(3.0) + x.powf(-2.0), at [[-2.0], [-0.6]];
    powf: |x, y| x.powf(y), at [[0.5, 2.0], [2.0, -1.5], [3.0, 0.0], [1.5, 0.7]];
    atan2: |y, x| y.atan2(x), at [[1.0, 2.0], [-0.5, 0.3], [2.0, -1.0], [-1.0, -3.0], [0.5, 0.0]];
    atan2_constant: |y| y.atan2(2.0) + y.atan2(-3.0), at [[-1.0], [0.5]];
    hypot: |x, y| x.hypot(y), at [[3.0, 4.0], [-1.0, 0.5], [0.0, 2.0], [0.03, -0.04]];
    max: |x, y| x.max(y), at [[1.0, 2.0], [3.0, -1.0], [-0.5, -0.2]];
    min: |x, y| x.min(y), at [[1.0, 2.0], [3.0, -1.0], [-0.5, -0.2]];
    max_constant: |x| x.max(1.0) + x.min(-1.0), at [[-2.0], [0.0], [2.0]];
    log: |x, b| x.log(b), at [[8.0, 2.0], [0.5, 10.0], [3.0, 0.5]];
    #[expect(deprecated, reason = "f64::abs_sub is deprecated, but Var keeps it for num_traits::Float")]
    abs_sub: |x, y| x.abs_sub(y), at [[3.0, 1.0], [1.0, 3.0], [-0.5, -2.0]];
    copysign: |x, s| x.copysign(s), at [[2.0, -1.0], [-2.0, -1.0], [2.0, 1.0], [-0.5, 3.0]];
    mul_add: |x, a, b| x.mul_add(a, b), at [[2.0, 3.0, 4.0], [-1.5, 0.5, -2.0]];
    mul_add_constants: |x| x.mul_add(3.0, -1.0) * x.mul_add(x, 0.5), at [[0.7], [-4.0]];
    clamp: |x, lo, hi| x.clamp(lo, hi), at [[0.5, 0.0, 1.0], [-1.0, 0.0, 1.0], [2.0, 0.0, 1.0]];
    clamp_constant_bounds: |x| x.clamp(-1.0, 1.0), at [[-2.0], [0.3], [5.0]];
    sin_cos: |x| { let (s, c) = x.sin_cos(); 2.0 * s + c * c * c }, at [[-1.0], [0.4], [2.5]];
    add: |x, y| x + y, at [[1.0, 2.0], [-3.5, 0.25]];
    sub: |x, y| x - y, at [[1.0, 2.0], [-3.5, 0.25]];
    mul: |x, y| x * y, at [[1.0, 2.0], [-3.5, 0.25]];
    div: |x, y| x / y, at [[1.0, 2.0], [-3.5, 0.25], [2.0, -0.3], [2.5, 1.5]];
    rem: |x, y| x % y, at [[7.5, 2.0], [-3.5, 0.75], [5.3, -1.5]];
    neg: |x| -x, at [[1.0], [-3.5]];
    constants_on_the_right: |x| (x + 1.5) * 2.0 - x / 4.0 + x % 1.5 - 0.5, at [[0.3], [-2.2], [4.1]];
    constants_on_the_left: |x| 1.5 + 2.0 * x - 3.0 / x + 5.5 % x - (1.0 - x), at [[0.7], [-1.3], [4.1]];
    compound_assignment: |x, y| {
        let mut z = x;
        z *= y;
        z += x;
        z -= y;
        z /= x;
        z %= 3.0;
        z += 1.0;
        z *= 2.0;
        z -= 0.5;
        z /= 4.0;
        z
    }, at [[1.5, 2.0], [-0.7, 3.3]];
}

#[test]
fn sigmoid_softplus_relu_match_finite_differences() {
    for x in [-30.0, -5.0, -0.5, 0.5, 3.0, 30.0] {
        assert_matches_finite_differences("sigmoid", |v| v[0].sigmoid(), &[x]);
        assert_matches_finite_differences("softplus", |v| v[0].softplus(), &[x]);
        assert_matches_finite_differences("relu", |v| v[0].relu(), &[x]);
    }
}

#[test]
fn sigmoid_softplus_relu_values_match_formulas() {
    let tape = Tape::new();
    for x in [-5.0_f64, -0.5, 0.5, 3.0] {
        let v = tape.var(x);
        let sigmoid = 1.0 / (1.0 + (-x).exp());
        assert_close("sigmoid", v.sigmoid().value(), sigmoid, 1e-15);
        assert_close("softplus", v.softplus().value(), x.exp().ln_1p(), 1e-15);
        assert_eq!(v.relu().value(), x.max(0.0));
        assert_close(
            "sigmoid'",
            v.sigmoid().gradient().wrt(v),
            sigmoid * (1.0 - sigmoid),
            1e-15,
        );
        assert_close("softplus'", v.softplus().gradient().wrt(v), sigmoid, 1e-15);
    }
}

#[test]
fn relu_derivative_at_zero_is_zero() {
    let tape = Tape::new();
    let x = tape.var(0.0);
    assert_eq!(x.relu().gradient().wrt(x), 0.0);
}

#[test]
fn nary_functions_match_finite_differences() {
    let points: [&[f64]; 3] = [
        &[1.0, -2.0, 0.5, 3.0],
        &[0.1, 0.2, -0.3, -4.0],
        &[-1.5, 2.5, 1.0, 0.75],
    ];
    for x in points {
        assert_matches_finite_differences("sum", |v| sum(v) * sum(v), x);
        assert_matches_finite_differences("dot", |v| dot(&v[..2], &v[2..]), x);
        assert_matches_finite_differences("dot with itself", |v| dot(v, v), x);
        assert_matches_finite_differences("product", product, x);
        assert_matches_finite_differences("log_sum_exp", log_sum_exp, x);
        assert_matches_finite_differences("Sum", |v| v.iter().map(|t| t.sin()).sum(), x);
        assert_matches_finite_differences("Product", |v| v.iter().product(), x);
    }
}

#[test]
fn nary_values_match_plain_f64() {
    let x = [1.0_f64, -2.0, 0.5, 3.0];
    let tape = Tape::new();
    let v = tape.vars(&x);
    assert_eq!(sum(&v).value(), 2.5);
    assert_eq!(dot(&v[..2], &v[2..]).value(), 1.0 * 0.5 + -2.0 * 3.0);
    assert_eq!(product(&v).value(), -3.0);
    let expected = x.iter().map(|t| t.exp()).sum::<f64>().ln();
    assert_close("log_sum_exp", log_sum_exp(&v).value(), expected, 1e-15);
}

#[test]
fn empty_nary_operations_are_constants() {
    let no_terms: [Var; 0] = [];
    assert_eq!(sum(&no_terms).value(), 0.0);
    assert_eq!(product(&no_terms).value(), 1.0);
    assert_eq!(log_sum_exp(&no_terms).value(), f64::NEG_INFINITY);
    assert!(sum(&no_terms).is_constant());
}

#[test]
fn abs_derivative_at_zero_is_zero() {
    let tape = Tape::new();
    for zero in [0.0, -0.0] {
        let x = tape.var(zero);
        let y = x.abs();
        assert_eq!(y.value(), 0.0);
        assert_eq!(y.gradient().wrt(x), 0.0);
    }
}

#[test]
fn sqrt_derivative_at_zero_is_infinite() {
    let tape = Tape::new();
    let x = tape.var(0.0);
    let y = x.sqrt();
    assert_eq!(y.value(), 0.0);
    assert_eq!(y.gradient().wrt(x), f64::INFINITY);
}

#[test]
fn powi_is_exact_at_zero() {
    // n = -3..=4: xⁿ and n xⁿ⁻¹ at x = 0, written out by hand.
    let values = [
        f64::INFINITY,
        f64::INFINITY,
        f64::INFINITY,
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ];
    let derivatives = [
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
        0.0,
        1.0,
        0.0,
        0.0,
        0.0,
    ];
    let tape = Tape::new();
    let x = tape.var(0.0);
    for (n, (value, derivative)) in (-3..=4).zip(values.into_iter().zip(derivatives)) {
        let y = x.powi(n);
        assert_eq!(y.value(), value, "0^{n}");
        assert_eq!(y.gradient().wrt(x), derivative, "d/dx x^{n} at 0");
    }
}

#[test]
fn powi_is_exact_at_negative_base() {
    // n = -3..=4: (-2)ⁿ and n (-2)ⁿ⁻¹, all exact in binary.
    let values = [-0.125, 0.25, -0.5, 1.0, -2.0, 4.0, -8.0, 16.0];
    let derivatives = [-0.1875, 0.25, -0.25, 0.0, 1.0, -4.0, 12.0, -32.0];
    let tape = Tape::new();
    let x = tape.var(-2.0);
    for (n, (value, derivative)) in (-3..=4).zip(values.into_iter().zip(derivatives)) {
        let y = x.powi(n);
        assert_eq!(y.value(), value, "(-2)^{n}");
        assert_eq!(y.gradient().wrt(x), derivative, "d/dx x^{n} at -2");
    }
}

#[test]
fn powf_constant_is_never_nan_at_zero() {
    // (c, 0^c, c 0^(c-1)) written out by hand.
    let cases = [
        (-1.0, f64::INFINITY, f64::NEG_INFINITY),
        (0.0, 1.0, 0.0),
        (0.5, 0.0, f64::INFINITY),
        (1.0, 0.0, 1.0),
        (2.0, 0.0, 0.0),
        (2.5, 0.0, 0.0),
        (3.0, 0.0, 0.0),
    ];
    let tape = Tape::new();
    let x = tape.var(0.0);
    for (c, value, derivative) in cases {
        for y in [x.powf(c), x.powf(Var::constant(c))] {
            assert_eq!(y.value(), value, "0^{c}");
            assert_eq!(y.gradient().wrt(x), derivative, "d/dx x^{c} at 0");
        }
    }
}

#[test]
fn powf_constant_is_exact_at_negative_base() {
    // (c, (-2)^c, c (-2)^(c-1)) for integral c, written out by hand.
    let cases = [
        (-1.0, -0.5, -0.25),
        (0.0, 1.0, 0.0),
        (1.0, -2.0, 1.0),
        (2.0, 4.0, -4.0),
        (3.0, -8.0, 12.0),
    ];
    let tape = Tape::new();
    let x = tape.var(-2.0);
    for (c, value, derivative) in cases {
        let y = x.powf(c);
        assert_eq!(y.value(), value, "(-2)^{c}");
        assert_eq!(y.gradient().wrt(x), derivative, "d/dx x^{c} at -2");
    }
}

#[test]
fn powf_at_zero_base_has_no_nan() {
    let tape = Tape::new();
    let (x, y) = (tape.var(0.0), tape.var(2.0));
    let z = x.powf(y);
    let g = z.gradient();
    assert_eq!(z.value(), 0.0);
    assert_eq!(g.wrt(x), 0.0);
    assert_eq!(g.wrt(y), 0.0);
}

#[test]
fn powf_with_infinite_exponent_has_no_nan() {
    // x^y is identically 0 near these points (|x| < 1 with y = +inf, or
    // |x| > 1 with y = -inf), so both partials are 0, not inf · 0 = NaN.
    let inf = f64::INFINITY;
    let tape = Tape::new();
    for (at_x, at_y) in [(0.5, inf), (0.0, inf), (-0.5, inf), (2.0, -inf)] {
        let (x, y) = (tape.var(at_x), tape.var(at_y));
        let z = x.powf(y);
        assert_eq!(z.value(), 0.0, "{at_x}^{at_y}");
        let g = z.gradient();
        assert_eq!(g.wrt(x), 0.0, "d/dx x^y at ({at_x}, {at_y})");
        assert_eq!(g.wrt(y), 0.0, "d/dy x^y at ({at_x}, {at_y})");
        let constant_exponent = x.powf(at_y);
        assert_eq!(
            constant_exponent.gradient().wrt(x),
            0.0,
            "d/dx x^{at_y} at {at_x}"
        );
    }
}

#[test]
fn max_and_min_split_ties() {
    let tape = Tape::new();
    let (x, y) = (tape.var(1.0), tape.var(1.0));
    let g = x.max(y).gradient();
    assert_eq!((g.wrt(x), g.wrt(y)), (0.5, 0.5));
    let g = x.min(y).gradient();
    assert_eq!((g.wrt(x), g.wrt(y)), (0.5, 0.5));
    let g = (x.max(y) + x.min(y)).gradient();
    assert_eq!((g.wrt(x), g.wrt(y)), (1.0, 1.0));
    assert_eq!(x.max(x).gradient().wrt(x), 1.0);
}

#[test]
fn atan2_and_hypot_at_origin_are_zero() {
    let tape = Tape::new();
    let (y, x) = (tape.var(0.0), tape.var(0.0));
    let angle = y.atan2(x);
    assert_eq!(angle.value(), 0.0);
    let g = angle.gradient();
    assert_eq!((g.wrt(y), g.wrt(x)), (0.0, 0.0));
    let norm = x.hypot(y);
    assert_eq!(norm.value(), 0.0);
    let g = norm.gradient();
    assert_eq!((g.wrt(x), g.wrt(y)), (0.0, 0.0));
}

#[test]
fn atan2_at_infinity_has_zero_partials() {
    // ∂/∂y = x/(x² + y²) and ∂/∂x = -y/(x² + y²) both tend to 0 as either
    // argument grows without bound.
    let tape = Tape::new();
    let inf = f64::INFINITY;
    let cases = [
        (1.0, inf, 0.0),
        (-1.0, inf, -0.0),
        (inf, 2.0, std::f64::consts::FRAC_PI_2),
        (0.0, -inf, std::f64::consts::PI),
        (inf, inf, std::f64::consts::FRAC_PI_4),
    ];
    for (at_y, at_x, angle) in cases {
        let (y, x) = (tape.var(at_y), tape.var(at_x));
        let z = y.atan2(x);
        assert_eq!(z.value(), angle, "atan2({at_y}, {at_x})");
        let g = z.gradient();
        assert_eq!(g.wrt(y), 0.0, "d/dy atan2({at_y}, {at_x})");
        assert_eq!(g.wrt(x), 0.0, "d/dx atan2({at_y}, {at_x})");
    }
    // A NaN argument still gives NaN partials.
    let (y, x) = (tape.var(f64::NAN), tape.var(inf));
    assert!(y.atan2(x).gradient().wrt(y).is_nan());
}

#[test]
fn div_by_subnormal_divisor_stays_finite() {
    // 1/y overflows for y = 1e-310, but x / y = 1e10 does not.
    let tape = Tape::new();
    let (x, y) = (tape.var(1e-300_f64), tape.var(1e-310));
    let q = x / y;
    assert_eq!(q.value(), 1e-300 / 1e-310);
    assert!(q.value().is_finite());
    assert_eq!(q.gradient().wrt(x), f64::INFINITY);
}

#[test]
fn exp_overflow_gives_infinity_not_nan() {
    let tape = Tape::new();
    let x = tape.var(1000.0);
    let y = x.exp();
    assert_eq!(y.value(), f64::INFINITY);
    assert_eq!(y.gradient().wrt(x), f64::INFINITY);
    let small = tape.var(-1000.0);
    assert_eq!(small.exp().gradient().wrt(small), 0.0);
}

#[test]
fn tanh_derivative_is_accurate_in_tails() {
    let tape = Tape::new();
    for at in [20.0, -20.0] {
        let x = tape.var(at);
        assert_close(
            "tanh'",
            x.tanh().gradient().wrt(x),
            1.699341702116636e-17,
            1e-15,
        );
    }
    // cosh overflows far out, and 1/cosh² underflows to 0 rather than NaN.
    let x = tape.var(800.0);
    assert_eq!(x.tanh().gradient().wrt(x), 0.0);
}

#[test]
fn sigmoid_derivative_is_accurate_in_tails() {
    let tape = Tape::new();
    for at in [-90.0, 90.0] {
        let x = tape.var(at);
        let derivative = x.sigmoid().gradient().wrt(x);
        assert_close("sigmoid'", derivative, 8.194012623990515e-40, 1e-15);
        assert!(
            derivative > 0.0,
            "sigmoid'({at}) = {derivative} must not underflow"
        );
    }
    for at in [-1000.0, 1000.0] {
        let x = tape.var(at);
        assert_eq!(x.sigmoid().gradient().wrt(x), 0.0);
    }
}

#[test]
fn log_sum_exp_all_negative_infinity() {
    let tape = Tape::new();
    let v = tape.vars(&[f64::NEG_INFINITY; 3]);
    let l = log_sum_exp(&v);
    assert_eq!(l.value(), f64::NEG_INFINITY);
    assert_eq!(l.gradient().wrt_all(&v), vec![0.0; 3]);
}

#[test]
fn log_sum_exp_of_huge_ties() {
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

#[test]
fn log_sum_exp_with_constants_and_debug() {
    // Constants count in the sum without an operand entry. The checked
    // path of debug recording must give the same bits as the fast one.
    let values = [0.5, -3.0, 2.25, 7.0, -1.0];
    let mut shifted = 0.0;
    for v in values {
        shifted += (v - 7.0_f64).exp();
    }
    let expected = 7.0 + shifted.ln();
    let mut results = Vec::new();
    for debug in [false, true] {
        let tape = Tape::new();
        tape.set_debug(debug);
        let x = tape.vars(&[values[0], values[2], values[3]]);
        let terms = [
            x[0],
            Var::constant(values[1]),
            x[1],
            x[2],
            Var::constant(values[4]),
        ];
        let l = log_sum_exp(&terms);
        assert_eq!(l.value(), expected, "debug = {debug}");
        assert_eq!(tape.operand_count(), 3, "one entry per variable");
        if debug {
            assert_eq!(tape.node_name(l.index().unwrap()), Some("log_sum_exp"));
        }
        let g = l.gradient().wrt_all(&x);
        for (got, v) in g.iter().zip([values[0], values[2], values[3]]) {
            assert_close("softmax weight", *got, (v - expected).exp(), 1e-15);
        }
        results.push((
            l.value().to_bits(),
            g.iter().map(|d| d.to_bits()).collect::<Vec<_>>(),
        ));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn product_with_zero_factors() {
    let tape = Tape::new();
    let one_zero = tape.vars(&[2.0, 0.0, 3.0]);
    let p = product(&one_zero);
    assert_eq!(p.value(), 0.0);
    assert_eq!(p.gradient().wrt_all(&one_zero), vec![0.0, 6.0, 0.0]);

    let two_zeros = tape.vars(&[0.0, 5.0, 0.0]);
    assert_eq!(
        product(&two_zeros).gradient().wrt_all(&two_zeros),
        vec![0.0; 3]
    );

    // x³ as a product of one variable three times: 3x² at 0 and at 2.
    for (at, derivative) in [(0.0, 0.0), (2.0, 12.0)] {
        let x = tape.var(at);
        assert_eq!(product(&[x, x, x]).gradient().wrt(x), derivative);
    }
}

#[test]
fn mul_add_values_and_partials() {
    let tape = Tape::new();
    let (x, a, b) = (tape.var(2.0), tape.var(-3.0), tape.var(0.5));
    let y = x.mul_add(a, b);
    assert_eq!(y.value(), -5.5);
    assert_eq!(y.gradient().wrt_all(&[x, a, b]), vec![-3.0, 2.0, 1.0]);
    let with_constants = x.mul_add(4.0, 1.0);
    assert_eq!(with_constants.value(), 9.0);
    assert_eq!(with_constants.gradient().wrt(x), 4.0);
}

#[test]
fn mul_add_with_constant_middle_and_repeats() {
    let tape = Tape::new();
    let (x, b) = (tape.var(2.0), tape.var(0.5));
    let before = tape.operand_count();
    // A constant between two variables: x · 4 + b records two entries.
    let y = x.mul_add(4.0, b);
    assert_eq!(tape.operand_count(), before + 2);
    // x · x + x: three entries on one operand, d/dx = 2x + 1 = 5.
    let z = x.mul_add(x, x);
    assert_eq!(tape.operand_count(), before + 5);
    // More statements after both, so that a stale entry would show.
    let w = y * z + b;
    let g = w.gradient();
    // w = (4x + b)(x² + x) + b at x = 2, b = 0.5:
    // ∂w/∂x = 4 (x² + x) + (4x + b)(2x + 1) = 24 + 42.5 = 66.5,
    // ∂w/∂b = x² + x + 1 = 7.
    assert_eq!(g.wrt(x), 66.5);
    assert_eq!(g.wrt(b), 7.0);
}

#[test]
fn clamp_at_bounds_passes_adjoint_to_x() {
    let tape = Tape::new();
    let (lo, hi) = (tape.var(0.0), tape.var(1.0));
    // (x, expected value, expected partials for x, lo and hi).
    let cases = [
        (0.0, 0.0, [1.0, 0.0, 0.0]),
        (1.0, 1.0, [1.0, 0.0, 0.0]),
        (0.5, 0.5, [1.0, 0.0, 0.0]),
        (-0.5, 0.0, [0.0, 1.0, 0.0]),
        (1.5, 1.0, [0.0, 0.0, 1.0]),
    ];
    for (at, value, partials) in cases {
        let x = tape.var(at);
        let y = x.clamp(lo, hi);
        assert_eq!(y.value(), value, "clamp({at}, 0, 1)");
        assert_eq!(
            y.gradient().wrt_all(&[x, lo, hi]),
            partials,
            "clamp({at}, 0, 1)"
        );
    }
}

#[test]
#[should_panic(expected = "clamp needs min <= max")]
fn clamp_with_reversed_bounds_panics() {
    let tape = Tape::new();
    let _ = tape.var(0.5).clamp(1.0, 0.0);
}

#[test]
fn f32_tapes_match_finite_differences() {
    for x in [-1.5_f32, 0.3, 2.0] {
        assert_matches_finite_differences_f32("sin·exp", |v| v[0].sin() * v[0].exp(), &[x]);
        assert_matches_finite_differences_f32("tanh", |v| v[0].tanh(), &[x]);
        assert_matches_finite_differences_f32("sigmoid", |v| v[0].sigmoid(), &[x]);
        assert_matches_finite_differences_f32("hypot", |v| v[0].hypot(v[1]) / v[1], &[x, 1.5]);
        assert_matches_finite_differences_f32("powi", |v| v[0].powi(3) * 0.5 + v[1], &[x, -x]);
    }
}

#[test]
fn f32_tapes_match_f64_derivatives() {
    // The f32 rules must agree with the f64 ones to f32 precision.
    for at in [-1.5_f64, 0.3, 2.0] {
        let tape32 = Tape::<f32>::new();
        let x32 = tape32.var(at as f32);
        let tape64 = Tape::new();
        let x64 = tape64.var(at);
        let pairs: [(&str, Var<f32>, Var<f64>); 5] = [
            ("exp", x32.exp(), x64.exp()),
            ("atan", x32.atan(), x64.atan()),
            ("softplus", x32.softplus(), x64.softplus()),
            ("cbrt", x32.cbrt(), x64.cbrt()),
            ("x²·sin", x32 * x32 * x32.sin(), x64 * x64 * x64.sin()),
        ];
        for (name, y32, y64) in pairs {
            let d32 = f64::from(y32.gradient().wrt(x32));
            let d64 = y64.gradient().wrt(x64);
            assert_close(&format!("{name}' at {at} in f32"), d32, d64, 1e-6);
        }
    }
}
