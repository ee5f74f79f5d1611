//! Elementary functions of [`Var`] with the names and argument orders of
//! `f64`'s methods. Each method's documentation states the derivative and
//! its value at the awkward points; the rules themselves are in
//! [`rules`], shared with forward mode.

use crate::real::Real;
use crate::rules;
use crate::var::{Var, record_fixed};

/// Defines unary methods; each doc test checks the derivative at one point
/// against a value written out by hand.
macro_rules! unary_methods {
    ($($(#[doc = $doc:literal])* $name:ident => $rule:path, at $x:literal is $d:literal;)*) => {
        impl<'t, T: Real> Var<'t, T> {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "```"]
                #[doc = concat!("let tape = adjoint_tape::Tape::new();")]
                #[doc = concat!("let x = tape.var(", $x, "_f64);")]
                #[doc = concat!("let derivative = x.", stringify!($name), "().gradient().wrt(x);")]
                #[doc = concat!("let expected: f64 = ", $d, ";")]
                #[doc = "assert!((derivative - expected).abs() <= 1e-14 * expected.abs().max(1.0));"]
                #[doc = "```"]
                #[inline]
                pub fn $name(self) -> Self {
                    let (value, partial) = $rule(self.value());
                    self.unary(stringify!($name), value, partial)
                }
            )*
        }
    };
}

unary_methods! {
    /// Reciprocal `1/x`; derivative `-1/x²`, `-inf` at 0.
    recip => rules::recip, at "2.0" is "-0.25";
    /// Square root; derivative `1/(2√x)`, `+inf` at 0 and NaN below 0.
    sqrt => rules::sqrt, at "4.0" is "0.25";
    /// Cube root; derivative `1/(3∛x²)`, `+inf` at 0.
    cbrt => rules::cbrt, at "8.0" is "1.0 / 12.0";
    /// Exponential; derivative `eˣ`, `+inf` (not NaN) once `eˣ` overflows.
    exp => rules::exp, at "1.0" is "std::f64::consts::E";
    /// `2ˣ`; derivative `2ˣ ln 2`.
    exp2 => rules::exp2, at "3.0" is "8.0 * std::f64::consts::LN_2";
    /// `eˣ - 1`, accurate near 0; derivative `eˣ`.
    exp_m1 => rules::exp_m1, at "0.0" is "1.0";
    /// Natural logarithm; derivative `1/x`, `+inf` at 0. For `x < 0` the
    /// value is NaN and the derivative `1/x`.
    ln => rules::ln, at "2.0" is "0.5";
    /// Base-2 logarithm; derivative `1/(x ln 2)`.
    log2 => rules::log2, at "2.0" is "0.5 / std::f64::consts::LN_2";
    /// Base-10 logarithm; derivative `1/(x ln 10)`.
    log10 => rules::log10, at "10.0" is "0.1 / std::f64::consts::LN_10";
    /// `ln(1 + x)`, accurate near 0; derivative `1/(1 + x)`, `+inf` at -1.
    ln_1p => rules::ln_1p, at "1.0" is "0.5";
    /// Sine; derivative `cos x`.
    sin => rules::sin, at "0.0" is "1.0";
    /// Cosine; derivative `-sin x`.
    cos => rules::cos, at "0.0" is "0.0";
    /// Tangent; derivative `1 + tan² x`.
    tan => rules::tan, at "0.0" is "1.0";
    /// Arcsine; derivative `1/√(1 - x²)`, `+inf` at ±1, NaN outside [-1, 1].
    asin => rules::asin, at "0.0" is "1.0";
    /// Arccosine; derivative `-1/√(1 - x²)`, `-inf` at ±1.
    acos => rules::acos, at "0.0" is "-1.0";
    /// Arctangent; derivative `1/(1 + x²)`.
    atan => rules::atan, at "1.0" is "0.5";
    /// Hyperbolic sine; derivative `cosh x`.
    sinh => rules::sinh, at "0.0" is "1.0";
    /// Hyperbolic cosine; derivative `sinh x`.
    cosh => rules::cosh, at "0.0" is "0.0";
    /// Hyperbolic tangent; derivative `1/cosh² x`, accurate in the tails
    /// (`tanh'(20) = 1.699341702116636e-17`) and 0, never NaN, once
    /// `cosh` overflows.
    tanh => rules::tanh, at "20.0" is "1.699341702116636e-17";
    /// Inverse hyperbolic sine; derivative `1/√(x² + 1)`.
    asinh => rules::asinh, at "0.0" is "1.0";
    /// Inverse hyperbolic cosine; derivative `1/√(x² - 1)`, `+inf` at 1.
    acosh => rules::acosh, at "2.0" is "1.0 / 3.0_f64.sqrt()";
    /// Inverse hyperbolic tangent; derivative `1/(1 - x²)`, `+inf` at ±1.
    atanh => rules::atanh, at "0.5" is "1.0 / 0.75";
    /// Absolute value; derivative `sign x`, with `abs'(0) = 0` as in
    /// PyTorch and JAX.
    abs => rules::abs, at "0.0" is "0.0";
    /// Fractional part; derivative 1.
    fract => rules::fract, at "2.5" is "1.0";
    /// Logistic sigmoid `1/(1 + e⁻ˣ)`, stable for every `x`; derivative
    /// `σ(x)σ(-x)`, accurate in both tails: `σ'(-90) = 8.194012623990515e-40`.
    sigmoid => rules::sigmoid, at "-90.0" is "8.194012623990515e-40";
    /// Softplus `ln(1 + eˣ)`, stable for every `x`; derivative `σ(x)`.
    softplus => rules::softplus, at "0.0" is "0.5";
    /// Rectified linear unit `max(x, 0)`; derivative 1 for `x > 0`, else 0
    /// (`relu'(0) = 0`, as in PyTorch).
    relu => rules::relu, at "0.0" is "0.0";
}

/// Defines piecewise-constant methods, whose derivative is 0 everywhere.
macro_rules! piecewise_constant_methods {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {
        impl<'t, T: Real> Var<'t, T> {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "Its derivative is 0 everywhere, including at the jumps."]
                #[doc = ""]
                #[doc = "```"]
                #[doc = "let tape = adjoint_tape::Tape::new();"]
                #[doc = "let x = tape.var(2.5_f64);"]
                #[doc = concat!("assert_eq!(x.", stringify!($name), "().gradient().wrt(x), 0.0);")]
                #[doc = "```"]
                #[inline]
                pub fn $name(self) -> Self {
                    let (value, partial) = rules::piecewise_constant(self.value().$name());
                    self.unary(stringify!($name), value, partial)
                }
            )*
        }
    };
}

piecewise_constant_methods! {
    /// Sign: 1 for `+0` and positive values, -1 for `-0` and negative
    /// values, NaN for NaN (as `f64::signum`).
    signum;
    /// Largest integer not above `x`.
    floor;
    /// Smallest integer not below `x`.
    ceil;
    /// Nearest integer, halves away from zero.
    round;
    /// Integer part, towards zero.
    trunc;
}

impl<'t, T: Real> Var<'t, T> {
    /// Records a ternary operation; constants among the operands are
    /// skipped.
    #[inline]
    fn ternary(operands: [Self; 3], name: &'static str, value: T, partials: [T; 3]) -> Self {
        record_fixed(name, value, operands, partials)
    }

    /// Integer power `xⁿ`; derivative `n xⁿ⁻¹`, exact at 0 and for negative
    /// `x` (the derivative of `x⁰` is 0 and that of `x¹` is 1 everywhere).
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(-2.0);
    /// assert_eq!(x.powi(3).gradient().wrt(x), 12.0);
    /// let z = tape.var(0.0);
    /// assert_eq!(z.powi(1).gradient().wrt(z), 1.0);
    /// assert_eq!(z.powi(0).gradient().wrt(z), 0.0);
    /// ```
    #[inline]
    pub fn powi(self, n: i32) -> Self {
        let (value, partial) = rules::powi(self.value(), n);
        self.unary("powi", value, partial)
    }

    /// Power `xʸ`. With a constant exponent (an `f64` or a constant `Var`)
    /// the derivative is `y xʸ⁻¹` and `ln x` is never computed, so the base
    /// may be 0 or negative with an integral exponent. With a variable
    /// exponent `∂/∂y = xʸ ln x`, taken as 0 where `xʸ = 0` and NaN for a
    /// negative base.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(0.0);
    /// assert_eq!(x.powf(2.0).gradient().wrt(x), 0.0);
    /// let b = tape.var(2.0);
    /// let y = tape.var(3.0);
    /// let g = b.powf(y).gradient();
    /// assert_eq!(g.wrt(b), 12.0);
    /// assert!((g.wrt(y) - 8.0 * 2.0_f64.ln()).abs() < 1e-14);
    /// ```
    #[inline]
    pub fn powf(self, exponent: impl Into<Self>) -> Self {
        let exponent = exponent.into();
        if exponent.is_constant() {
            let (value, partial) = rules::powf_constant(self.value(), exponent.value());
            self.unary("powf", value, partial)
        } else {
            let (value, dx, dy) = rules::powf(self.value(), exponent.value());
            self.binary(exponent, "powf", value, dx, dy)
        }
    }

    /// Four-quadrant arctangent of `self / other` (`self` is `y`, as in
    /// `f64::atan2`); partials `(x/(x² + y²), -y/(x² + y²))`, and `(0, 0)` at
    /// the origin by convention.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (y, x) = (tape.var(1.0), tape.var(1.0));
    /// let g = y.atan2(x).gradient();
    /// assert_eq!((g.wrt(y), g.wrt(x)), (0.5, -0.5));
    /// ```
    #[inline]
    pub fn atan2(self, other: impl Into<Self>) -> Self {
        let other = other.into();
        let (value, dy, dx) = rules::atan2(self.value(), other.value());
        self.binary(other, "atan2", value, dy, dx)
    }

    /// `√(x² + y²)` without overflow; partials `(x/h, y/h)`, `(0, 0)` at the
    /// origin by convention.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (x, y) = (tape.var(3.0), tape.var(4.0));
    /// let g = x.hypot(y).gradient();
    /// assert_eq!((g.wrt(x), g.wrt(y)), (0.6, 0.8));
    /// ```
    #[inline]
    pub fn hypot(self, other: impl Into<Self>) -> Self {
        let other = other.into();
        let (value, dx, dy) = rules::hypot(self.value(), other.value());
        self.binary(other, "hypot", value, dx, dy)
    }

    /// Maximum; the adjoint goes to the larger operand, split in halves at a
    /// tie so that `max(x, y) + min(x, y)` has gradient `(1, 1)`. A NaN
    /// operand is ignored, as in `f64::max`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (x, y) = (tape.var(1.0), tape.var(1.0));
    /// let g = x.max(y).gradient();
    /// assert_eq!((g.wrt(x), g.wrt(y)), (0.5, 0.5));
    /// ```
    #[inline]
    pub fn max(self, other: impl Into<Self>) -> Self {
        let other = other.into();
        let (value, d_self, d_other) = rules::max(self.value(), other.value());
        self.binary(other, "max", value, d_self, d_other)
    }

    /// Minimum, with the tie and NaN conventions of [`max`](Self::max).
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (x, y) = (tape.var(1.0), tape.var(2.0));
    /// let g = x.min(y).gradient();
    /// assert_eq!((g.wrt(x), g.wrt(y)), (1.0, 0.0));
    /// ```
    #[inline]
    pub fn min(self, other: impl Into<Self>) -> Self {
        let other = other.into();
        let (value, d_self, d_other) = rules::min(self.value(), other.value());
        self.binary(other, "min", value, d_self, d_other)
    }

    /// Logarithm in base `base`; partials `(1/(x ln b), -ln x/(b ln² b))`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(8.0);
    /// let d = x.log(2.0).gradient().wrt(x);
    /// assert!((d - 1.0 / (8.0 * 2.0_f64.ln())).abs() < 1e-15);
    /// ```
    #[inline]
    pub fn log(self, base: impl Into<Self>) -> Self {
        let base = base.into();
        let (value, dx, db) = rules::log(self.value(), base.value());
        self.binary(base, "log", value, dx, db)
    }

    /// Positive difference `max(x - y, 0)`; partials `(1, -1)` where
    /// `x > y`, else `(0, 0)`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (x, y) = (tape.var(3.0), tape.var(1.0));
    /// assert_eq!(x.abs_sub(y).gradient().wrt(y), -1.0);
    /// ```
    #[inline]
    pub fn abs_sub(self, other: impl Into<Self>) -> Self {
        let other = other.into();
        let (value, dx, dy) = rules::abs_sub(self.value(), other.value());
        self.binary(other, "abs_sub", value, dx, dy)
    }

    /// `self` with the sign of `sign`; derivative ±1 in `self` (-1 where the
    /// sign flips) and 0 in `sign`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(2.0);
    /// assert_eq!(x.copysign(-1.0).gradient().wrt(x), -1.0);
    /// ```
    #[inline]
    pub fn copysign(self, sign: impl Into<Self>) -> Self {
        let sign = sign.into();
        let (value, dx, ds) = rules::copysign(self.value(), sign.value());
        self.binary(sign, "copysign", value, dx, ds)
    }

    /// Fused multiply-add `self · a + b`; partials `(a, self, 1)`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let (x, a, b) = (tape.var(2.0), tape.var(3.0), tape.var(4.0));
    /// let y = x.mul_add(a, b);
    /// assert_eq!(y.value(), 10.0);
    /// assert_eq!(y.gradient().wrt_all(&[x, a, b]), vec![3.0, 2.0, 1.0]);
    /// ```
    #[inline]
    pub fn mul_add(self, a: impl Into<Self>, b: impl Into<Self>) -> Self {
        let (a, b) = (a.into(), b.into());
        let (value, partials) = rules::mul_add(self.value(), a.value(), b.value());
        Self::ternary([self, a, b], "mul_add", value, partials)
    }

    /// `self` restricted to `[min, max]`. The adjoint goes to `self` inside
    /// the interval and on its bounds (as PyTorch's `clamp`), to `min` below
    /// it and to `max` above it.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// assert_eq!(x.clamp(0.0, 1.0).gradient().wrt(x), 1.0);
    /// assert_eq!(x.clamp(2.0, 3.0).gradient().wrt(x), 0.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `min > max` or either bound is NaN, as `f64::clamp` does.
    #[inline]
    pub fn clamp(self, min: impl Into<Self>, max: impl Into<Self>) -> Self {
        let (min, max) = (min.into(), max.into());
        assert!(
            min.value() <= max.value(),
            "clamp needs min <= max, got min = {:?} and max = {:?}",
            min.value(),
            max.value()
        );
        let (value, partials) = rules::clamp(self.value(), min.value(), max.value());
        Self::ternary([self, min, max], "clamp", value, partials)
    }

    /// Sine and cosine, as two nodes.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(0.0);
    /// let (s, c) = x.sin_cos();
    /// assert_eq!((s + c).gradient().wrt(x), 1.0);
    /// ```
    #[inline]
    pub fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }

    /// Radians to degrees; derivative `180/π`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(1.0);
    /// let d = x.to_degrees().gradient().wrt(x);
    /// assert!((d - 180.0 / std::f64::consts::PI).abs() < 1e-12);
    /// ```
    #[inline]
    pub fn to_degrees(self) -> Self {
        let factor = rules::constant::<T>(180.0) / rules::constant(std::f64::consts::PI);
        self.unary("to_degrees", self.value().to_degrees(), factor)
    }

    /// Degrees to radians; derivative `π/180`.
    ///
    /// ```
    /// let tape = adjoint_tape::Tape::new();
    /// let x = tape.var(90.0);
    /// let d = x.to_radians().gradient().wrt(x);
    /// assert!((d - std::f64::consts::PI / 180.0).abs() < 1e-15);
    /// ```
    #[inline]
    pub fn to_radians(self) -> Self {
        let factor = rules::constant::<T>(std::f64::consts::PI) / rules::constant(180.0);
        self.unary("to_radians", self.value().to_radians(), factor)
    }
}
