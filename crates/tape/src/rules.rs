//! Derivative rules shared by every mode.
//!
//! Each function returns the primal value together with its partial
//! derivatives, so the reverse tape, the forward-mode dual numbers and the
//! tensor nodes all follow one set of conventions at the awkward points
//! (zero, ties, infinities). The rules are generic over [`Float`] so that
//! they also apply to nested dual numbers.

use num_traits::Float;

/// Converts an `f64` constant into `T`.
///
/// # Panics
///
/// Panics if `T` cannot represent finite `f64` constants, which no
/// floating-point type of this crate does.
#[inline]
pub fn constant<T: Float>(c: f64) -> T {
    T::from(c).expect("every Float type converts from an f64 constant")
}

/// Negation: `-x`, derivative `-1`.
#[inline]
pub fn neg<T: Float>(x: T) -> (T, T) {
    (-x, -T::one())
}

/// Reciprocal `1/x`, derivative `-1/x²` (`-inf` at 0).
#[inline]
pub fn recip<T: Float>(x: T) -> (T, T) {
    let r = x.recip();
    (r, -(r * r))
}

/// Square root, derivative `1/(2√x)`: `+inf` at 0, NaN for `x < 0`.
#[inline]
pub fn sqrt<T: Float>(x: T) -> (T, T) {
    let s = x.sqrt();
    (s, constant::<T>(0.5) / s)
}

/// Cube root, derivative `1/(3 ∛x²)`: `+inf` at 0.
#[inline]
pub fn cbrt<T: Float>(x: T) -> (T, T) {
    let c = x.cbrt();
    (c, (constant::<T>(3.0) * c * c).recip())
}

/// Exponential, derivative `eˣ` (`+inf` once `eˣ` overflows, never NaN).
#[inline]
pub fn exp<T: Float>(x: T) -> (T, T) {
    let e = x.exp();
    (e, e)
}

/// `2ˣ`, derivative `2ˣ ln 2`.
#[inline]
pub fn exp2<T: Float>(x: T) -> (T, T) {
    let e = x.exp2();
    (e, e * constant(std::f64::consts::LN_2))
}

/// `eˣ - 1`, accurate near 0; derivative `eˣ`.
#[inline]
pub fn exp_m1<T: Float>(x: T) -> (T, T) {
    (x.exp_m1(), x.exp())
}

/// Natural logarithm, derivative `1/x`: `+inf` at 0; the value is NaN for
/// `x < 0` while the derivative stays `1/x`.
#[inline]
pub fn ln<T: Float>(x: T) -> (T, T) {
    (x.ln(), x.recip())
}

/// Base-2 logarithm, derivative `1/(x ln 2)`.
#[inline]
pub fn log2<T: Float>(x: T) -> (T, T) {
    (x.log2(), (x * constant(std::f64::consts::LN_2)).recip())
}

/// Base-10 logarithm, derivative `1/(x ln 10)`.
#[inline]
pub fn log10<T: Float>(x: T) -> (T, T) {
    (x.log10(), (x * constant(std::f64::consts::LN_10)).recip())
}

/// `ln(1 + x)`, accurate near 0; derivative `1/(1 + x)` (`+inf` at -1).
#[inline]
pub fn ln_1p<T: Float>(x: T) -> (T, T) {
    (x.ln_1p(), (T::one() + x).recip())
}

/// Sine, derivative `cos x`.
#[inline]
pub fn sin<T: Float>(x: T) -> (T, T) {
    let (s, c) = x.sin_cos();
    (s, c)
}

/// Cosine, derivative `-sin x`.
#[inline]
pub fn cos<T: Float>(x: T) -> (T, T) {
    let (s, c) = x.sin_cos();
    (c, -s)
}

/// Tangent, derivative `1 + tan² x`.
#[inline]
pub fn tan<T: Float>(x: T) -> (T, T) {
    let t = x.tan();
    (t, T::one() + t * t)
}

/// Arcsine, derivative `1/√(1 - x²)`: `+inf` at ±1, NaN outside [-1, 1].
#[inline]
pub fn asin<T: Float>(x: T) -> (T, T) {
    (x.asin(), ((T::one() - x) * (T::one() + x)).sqrt().recip())
}

/// Arccosine, derivative `-1/√(1 - x²)`: `-inf` at ±1.
#[inline]
pub fn acos<T: Float>(x: T) -> (T, T) {
    (x.acos(), -((T::one() - x) * (T::one() + x)).sqrt().recip())
}

/// Arctangent, derivative `1/(1 + x²)` (0 at ±inf).
#[inline]
pub fn atan<T: Float>(x: T) -> (T, T) {
    (x.atan(), (T::one() + x * x).recip())
}

/// Hyperbolic sine, derivative `cosh x`.
#[inline]
pub fn sinh<T: Float>(x: T) -> (T, T) {
    (x.sinh(), x.cosh())
}

/// Hyperbolic cosine, derivative `sinh x`.
#[inline]
pub fn cosh<T: Float>(x: T) -> (T, T) {
    (x.cosh(), x.sinh())
}

/// Hyperbolic tangent, derivative `sech² x = 1/cosh² x`.
///
/// The form `1/cosh²` keeps full relative accuracy where `1 - tanh²` would
/// cancel to 0: `tanh'(20) = 1.699341702116636e-17`, and the derivative
/// underflows to 0 (never NaN) once `cosh` overflows.
#[inline]
pub fn tanh<T: Float>(x: T) -> (T, T) {
    let sech = x.cosh().recip();
    (x.tanh(), sech * sech)
}

/// Inverse hyperbolic sine, derivative `1/√(x² + 1)`, computed with
/// `hypot` so that it does not overflow for huge `x`.
#[inline]
pub fn asinh<T: Float>(x: T) -> (T, T) {
    (x.asinh(), x.hypot(T::one()).recip())
}

/// Inverse hyperbolic cosine, derivative `1/√(x² - 1)`: `+inf` at 1.
#[inline]
pub fn acosh<T: Float>(x: T) -> (T, T) {
    (x.acosh(), ((x - T::one()) * (x + T::one())).sqrt().recip())
}

/// Inverse hyperbolic tangent, derivative `1/(1 - x²)`: `+inf` at ±1.
#[inline]
pub fn atanh<T: Float>(x: T) -> (T, T) {
    (x.atanh(), ((T::one() - x) * (T::one() + x)).recip())
}

/// Absolute value, derivative `sign x` with `abs'(0) = 0` (the subgradient
/// PyTorch and JAX use); NaN for a NaN input.
#[inline]
pub fn abs<T: Float>(x: T) -> (T, T) {
    let d = if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else if x == T::zero() {
        T::zero()
    } else {
        x
    };
    (x.abs(), d)
}

/// A piecewise-constant function (`signum`, `floor`, `ceil`, `round`,
/// `trunc`): derivative 0 everywhere, including at the jumps.
#[inline]
pub fn piecewise_constant<T: Float>(value: T) -> (T, T) {
    (value, T::zero())
}

/// Fractional part `x - trunc(x)`, derivative 1 (also at the jumps).
#[inline]
pub fn fract<T: Float>(x: T) -> (T, T) {
    (x.fract(), T::one())
}

/// Logistic sigmoid `1/(1 + e⁻ˣ)` in the form that never overflows;
/// derivative `σ(x) σ(-x)`, accurate in both tails:
/// `σ'(-90) = σ'(90) = 8.194012623990515e-40`.
#[inline]
pub fn sigmoid<T: Float>(x: T) -> (T, T) {
    let s = sigmoid_value(x);
    let s_neg = sigmoid_value(-x);
    (s, s * s_neg)
}

/// The logistic sigmoid alone, `e^x/(1 + e^x)` for negative `x` and
/// `1/(1 + e^-x)` otherwise, so that `exp` never overflows.
#[inline]
pub fn sigmoid_value<T: Float>(x: T) -> T {
    if x >= T::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// Softplus `ln(1 + eˣ)` as `max(x, 0) + ln(1 + e^-|x|)`, which neither
/// overflows nor loses the small tail; derivative `σ(x)`.
#[inline]
pub fn softplus<T: Float>(x: T) -> (T, T) {
    let value = if x > T::zero() { x } else { T::zero() } + (-x.abs()).exp().ln_1p();
    let value = if x.is_nan() { x } else { value };
    (value, sigmoid_value(x))
}

/// Rectified linear unit `max(x, 0)`, derivative 1 for `x > 0` and 0 for
/// `x ≤ 0` (so `relu'(0) = 0`, as in PyTorch); NaN stays NaN.
#[inline]
pub fn relu<T: Float>(x: T) -> (T, T) {
    if x > T::zero() {
        (x, T::one())
    } else if x.is_nan() {
        (x, x)
    } else {
        (T::zero(), T::zero())
    }
}

/// Integer power `xⁿ`, derivative `n xⁿ⁻¹`, exact at `x = 0` and at
/// negative `x` for every `n`: the derivative of `x⁰` is 0 everywhere and
/// that of `x¹` is 1 (no `0 · inf`).
#[inline]
pub fn powi<T: Float>(x: T, n: i32) -> (T, T) {
    let d = if n == 0 {
        T::zero()
    } else if let Some(below) = n.checked_sub(1) {
        constant::<T>(f64::from(n)) * x.powi(below)
    } else {
        // n - 1 overflows i32 for n = i32::MIN; the exponent is exact in f64.
        constant::<T>(f64::from(n)) * x.powf(constant::<T>(f64::from(n) - 1.0))
    };
    (x.powi(n), d)
}

/// Power with a constant exponent `xᶜ`, derivative `c xᶜ⁻¹`.
///
/// `ln x` is never computed, so `x = 0` and a negative base with an
/// integral `c` give exact values: `d/dx x^0.5 = +inf` at 0,
/// `d/dx x³ = 12` at -2, and `c = 0` gives derivative 0. Where
/// `xᶜ⁻¹ = 0` the derivative is 0, also for an infinite `c` (where
/// `c · 0` would be NaN): `d/dx x^inf = 0` at 0.5.
#[inline]
pub fn powf_constant<T: Float>(x: T, c: T) -> (T, T) {
    let below = x.powf(c - T::one());
    if c == T::zero() || below == T::zero() {
        (x.powf(c), T::zero())
    } else {
        (x.powf(c), c * below)
    }
}

/// Power with both base and exponent variable, `xʸ`:
/// `∂/∂x = y xʸ⁻¹` and `∂/∂y = xʸ ln x`.
///
/// Where `xʸ = 0` (base 0 with a positive exponent) `∂/∂y` is its limit 0,
/// not `0 · (-inf)`, and at `0⁰ = 1` it is 0 too, not `1 · ln 0 = -inf`, as
/// in PyTorch and JAX; where `y = 0` or `xʸ⁻¹ = 0`, `∂/∂x` is 0 (so an
/// infinite exponent gives 0, not `inf · 0`). For a negative base `ln x`
/// is NaN, so `∂/∂y` is NaN: the power is not differentiable in `y` there.
#[inline]
pub fn powf<T: Float>(x: T, y: T) -> (T, T, T) {
    let value = x.powf(y);
    let below = x.powf(y - T::one());
    let dx = if y == T::zero() || below == T::zero() {
        T::zero()
    } else {
        y * below
    };
    let dy = if value == T::zero() || (x == T::zero() && y == T::zero()) {
        T::zero()
    } else {
        value * x.ln()
    };
    (value, dx, dy)
}

/// Sum `x + y`, partials `(1, 1)`.
#[inline]
pub fn add<T: Float>(x: T, y: T) -> (T, T, T) {
    (x + y, T::one(), T::one())
}

/// Difference `x - y`, partials `(1, -1)`.
#[inline]
pub fn sub<T: Float>(x: T, y: T) -> (T, T, T) {
    (x - y, T::one(), -T::one())
}

/// Product `x y`, partials `(y, x)`.
#[inline]
pub fn mul<T: Float>(x: T, y: T) -> (T, T, T) {
    (x * y, y, x)
}

/// Quotient `x / y`, partials `(1/y, -x/y²)`.
///
/// The value is `x / y` itself, not `x · (1/y)`, which can differ in the
/// last bit, so the tape's primal equals the plain `f64` result.
#[inline]
pub fn div<T: Float>(x: T, y: T) -> (T, T, T) {
    let r = y.recip();
    let q = x / y;
    (q, r, -q * r)
}

/// Remainder `x % y = x - trunc(x/y) y`, partials `(1, -trunc(x/y))`.
#[inline]
pub fn rem<T: Float>(x: T, y: T) -> (T, T, T) {
    (x % y, T::one(), -(x / y).trunc())
}

/// Four-quadrant arctangent `atan2(y, x)` with partials
/// `(x/(x²+y²), -y/(x²+y²))`; where `x² + y²` overflows or underflows the
/// partials are computed through `hypot` instead.
///
/// At the origin, where the angle has no derivative, both partials are 0
/// (the convention that keeps optimizers finite). Where an argument is
/// infinite (or `hypot` overflows) both partials are their limit 0, unless
/// the other argument is NaN.
#[inline]
pub fn atan2<T: Float>(y: T, x: T) -> (T, T, T) {
    let value = y.atan2(x);
    let r2 = x * x + y * y;
    if r2.is_normal() {
        return (value, x / r2, -y / r2);
    }
    let h = y.hypot(x);
    if h == T::zero() || (h.is_infinite() && !x.is_nan() && !y.is_nan()) {
        return (value, T::zero(), T::zero());
    }
    (value, x / h / h, -(y / h) / h)
}

/// Euclidean norm `hypot(x, y) = √(x² + y²)` without overflow, partials
/// `(x/h, y/h)`.
///
/// At the origin both partials are 0 (the subgradient `abs'(0) = 0`
/// generalizes to); when one argument is infinite its partial is its sign
/// and the other's is 0.
#[inline]
pub fn hypot<T: Float>(x: T, y: T) -> (T, T, T) {
    let h = x.hypot(y);
    if h == T::zero() {
        (h, T::zero(), T::zero())
    } else if h.is_infinite() && !x.is_nan() && !y.is_nan() {
        let dx = if x.is_infinite() {
            x.signum()
        } else {
            T::zero()
        };
        let dy = if y.is_infinite() {
            y.signum()
        } else {
            T::zero()
        };
        (h, dx, dy)
    } else {
        (h, x / h, y / h)
    }
}

/// Maximum. The adjoint goes to the larger operand; at a tie it is split
/// in halves, so that `max(x, y) + min(x, y) = x + y` keeps the gradient
/// `(1, 1)`. As with `f64::max`, a NaN operand is ignored and the other
/// one receives the whole adjoint.
#[inline]
pub fn max<T: Float>(x: T, y: T) -> (T, T, T) {
    if x > y || y.is_nan() {
        (x, T::one(), T::zero())
    } else if y > x || x.is_nan() {
        (y, T::zero(), T::one())
    } else {
        let half = constant::<T>(0.5);
        (x, half, half)
    }
}

/// Minimum, with the same tie and NaN conventions as [`max`].
#[inline]
pub fn min<T: Float>(x: T, y: T) -> (T, T, T) {
    if x < y || y.is_nan() {
        (x, T::one(), T::zero())
    } else if y < x || x.is_nan() {
        (y, T::zero(), T::one())
    } else {
        let half = constant::<T>(0.5);
        (x, half, half)
    }
}

/// Logarithm of `x` in base `b`, `ln x / ln b`, partials
/// `(1/(x ln b), -ln x/(b ln² b))`.
#[inline]
pub fn log<T: Float>(x: T, b: T) -> (T, T, T) {
    let ln_b = b.ln();
    let ln_x = x.ln();
    (ln_x / ln_b, (x * ln_b).recip(), -ln_x / (b * ln_b * ln_b))
}

/// Positive difference `max(x - y, 0)`, partials `(1, -1)` where `x > y`
/// and `(0, 0)` elsewhere.
#[inline]
pub fn abs_sub<T: Float>(x: T, y: T) -> (T, T, T) {
    if x > y {
        (x - y, T::one(), -T::one())
    } else {
        (T::zero(), T::zero(), T::zero())
    }
}

/// Fused multiply-add `a b + c`, partials `(b, a, 1)`.
#[inline]
pub fn mul_add<T: Float>(a: T, b: T, c: T) -> (T, [T; 3]) {
    (a.mul_add(b, c), [b, a, T::one()])
}

/// `x` clamped to `[lo, hi]`, partials `(∂/∂x, ∂/∂lo, ∂/∂hi)`.
///
/// Inside the interval, and on its bounds, the adjoint goes to `x` (as
/// PyTorch's `clamp` does); below `lo` it goes to `lo` and above `hi` to
/// `hi`. A NaN `x` stays NaN.
#[inline]
pub fn clamp<T: Float>(x: T, lo: T, hi: T) -> (T, [T; 3]) {
    if x < lo {
        (lo, [T::zero(), T::one(), T::zero()])
    } else if x > hi {
        (hi, [T::zero(), T::zero(), T::one()])
    } else {
        (x, [T::one(), T::zero(), T::zero()])
    }
}

/// Copy of `x` with the sign of `s`, partials `(±1, 0)`: `+1` where the
/// sign is kept, `-1` where it flips.
#[inline]
pub fn copysign<T: Float>(x: T, s: T) -> (T, T, T) {
    let value = x.copysign(s);
    let flipped = x.is_sign_negative() != s.is_sign_negative();
    (value, if flipped { -T::one() } else { T::one() }, T::zero())
}
