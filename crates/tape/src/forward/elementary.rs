//! The elementary functions of `f64` (and `sigmoid`, `softplus`, `relu`)
//! for [`Dual`](super::Dual) and [`DualVec`](super::DualVec), with the names
//! and argument orders of the tape's [`Var`](crate::Var) methods.
//!
//! Every derivative comes from [`rules`](crate::rules), the rules the tape
//! records, so both modes agree at the awkward points. `abs` is written
//! beside each type because it refines the rule at a zero that the
//! argument only touches.

/// Implements the elementary functions for a dual number type given as
/// `[<generics>] Type`.
///
/// The four literals build the doctests: the code that opens and closes a
/// variable seeded in the first tangent, the path of `constant`, and the
/// suffix that reads the first tangent.
macro_rules! dual_elementary {
    ([$($generics:tt)*] $ty:ty, $open:literal, $close:literal, $constant:literal, $read:literal) => {
        dual_elementary!(@unary [$($generics)*] $ty, $open, $close, $read;
            /// Reciprocal `1/x`; derivative `-1/x²`, `-inf` at 0.
            recip => crate::rules::recip, at "2.0" is "-0.25";
            /// Square root; derivative `1/(2√x)`, `+inf` at 0 and NaN below 0.
            sqrt => crate::rules::sqrt, at "4.0" is "0.25";
            /// Cube root; derivative `1/(3∛x²)`, `+inf` at 0.
            cbrt => crate::rules::cbrt, at "8.0" is "1.0 / 12.0";
            /// Exponential; derivative `eˣ`, `+inf` (not NaN) once `eˣ`
            /// overflows.
            exp => crate::rules::exp, at "1.0" is "std::f64::consts::E";
            /// `2ˣ`; derivative `2ˣ ln 2`.
            exp2 => crate::rules::exp2, at "3.0" is "8.0 * std::f64::consts::LN_2";
            /// `eˣ - 1`, accurate near 0; derivative `eˣ`.
            exp_m1 => crate::rules::exp_m1, at "0.0" is "1.0";
            /// Natural logarithm; derivative `1/x`, `+inf` at 0. For `x < 0`
            /// the value is NaN and the derivative `1/x`.
            ln => crate::rules::ln, at "2.0" is "0.5";
            /// Base-2 logarithm; derivative `1/(x ln 2)`.
            log2 => crate::rules::log2, at "2.0" is "0.5 / std::f64::consts::LN_2";
            /// Base-10 logarithm; derivative `1/(x ln 10)`.
            log10 => crate::rules::log10, at "10.0" is "0.1 / std::f64::consts::LN_10";
            /// `ln(1 + x)`, accurate near 0; derivative `1/(1 + x)`, `+inf`
            /// at -1.
            ln_1p => crate::rules::ln_1p, at "1.0" is "0.5";
            /// Sine; derivative `cos x`.
            sin => crate::rules::sin, at "0.0" is "1.0";
            /// Cosine; derivative `-sin x`.
            cos => crate::rules::cos, at "0.0" is "0.0";
            /// Tangent; derivative `1 + tan² x`.
            tan => crate::rules::tan, at "0.0" is "1.0";
            /// Arcsine; derivative `1/√(1 - x²)`, `+inf` at ±1, NaN outside
            /// [-1, 1].
            asin => crate::rules::asin, at "0.0" is "1.0";
            /// Arccosine; derivative `-1/√(1 - x²)`, `-inf` at ±1.
            acos => crate::rules::acos, at "0.0" is "-1.0";
            /// Arctangent; derivative `1/(1 + x²)`.
            atan => crate::rules::atan, at "1.0" is "0.5";
            /// Hyperbolic sine; derivative `cosh x`.
            sinh => crate::rules::sinh, at "0.0" is "1.0";
            /// Hyperbolic cosine; derivative `sinh x`.
            cosh => crate::rules::cosh, at "0.0" is "0.0";
            /// Hyperbolic tangent; derivative `1/cosh² x`, accurate in the
            /// tails (`tanh'(20) = 1.699341702116636e-17`) and 0, never NaN,
            /// once `cosh` overflows.
            tanh => crate::rules::tanh, at "20.0" is "1.699341702116636e-17";
            /// Inverse hyperbolic sine; derivative `1/√(x² + 1)`.
            asinh => crate::rules::asinh, at "0.0" is "1.0";
            /// Inverse hyperbolic cosine; derivative `1/√(x² - 1)`, `+inf`
            /// at 1.
            acosh => crate::rules::acosh, at "2.0" is "1.0 / 3.0_f64.sqrt()";
            /// Inverse hyperbolic tangent; derivative `1/(1 - x²)`, `+inf`
            /// at ±1.
            atanh => crate::rules::atanh, at "0.5" is "1.0 / 0.75";
            /// Fractional part; derivative 1.
            fract => crate::rules::fract, at "2.5" is "1.0";
            /// Logistic sigmoid `1/(1 + e⁻ˣ)`, stable for every `x`;
            /// derivative `σ(x)σ(-x)`, accurate in both tails:
            /// `σ'(-90) = 8.194012623990515e-40`.
            sigmoid => crate::rules::sigmoid, at "-90.0" is "8.194012623990515e-40";
            /// Softplus `ln(1 + eˣ)`, stable for every `x`; derivative `σ(x)`.
            softplus => crate::rules::softplus, at "0.0" is "0.5";
            /// Rectified linear unit `max(x, 0)`; derivative 1 for `x > 0`,
            /// else 0 (`relu'(0) = 0`, as in PyTorch).
            relu => crate::rules::relu, at "0.0" is "0.0";
        );

        dual_elementary!(@piecewise [$($generics)*] $ty, $open, $close, $read;
            /// Sign: 1 for `+0` and positive values, -1 for `-0` and
            /// negative values, NaN for NaN (as `f64::signum`).
            signum;
            /// Largest integer not above `x`.
            floor;
            /// Smallest integer not below `x`.
            ceil;
            /// Nearest integer, halves away from zero.
            round;
            /// Integer part, towards zero.
            trunc;
        );

        impl $($generics)* $ty {
            /// Integer power `xⁿ`; derivative `n xⁿ⁻¹`, exact at 0 and for
            /// negative `x`: the derivative of `x⁰` is 0 and that of `x¹` is
            /// 1 everywhere, so nested derivatives of `xⁿ` at 0 are exact.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "-2.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.powi(3)", $read, ", 12.0);")]
            #[doc = concat!("let z = ", $open, "0.0", $close, ";")]
            #[doc = concat!("assert_eq!(z.powi(1)", $read, ", 1.0);")]
            #[doc = concat!("assert_eq!(z.powi(0)", $read, ", 0.0);")]
            /// ```
            #[inline]
            pub fn powi(self, n: i32) -> Self {
                let (value, partial) = crate::rules::powi(self.value(), n);
                self.unary(value, partial)
            }

            /// Power `xʸ`. Where the exponent's tangents are all zero the
            /// derivative is `y xʸ⁻¹` and `ln x` is never computed, so the
            /// base may be 0 or negative with an integral exponent. Otherwise
            /// `∂/∂y = xʸ ln x`, taken as 0 where `xʸ = 0` and NaN for a
            /// negative base.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "0.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.powf(", $constant, "(2.0))", $read, ", 0.0);")]
            #[doc = concat!("let b = ", $open, "2.0", $close, ";")]
            #[doc = concat!("assert_eq!(b.powf(", $constant, "(3.0))", $read, ", 12.0);")]
            /// ```
            #[inline]
            pub fn powf(self, exponent: impl Into<Self>) -> Self {
                let exponent = exponent.into();
                if exponent.tangent_is_zero() {
                    let (value, partial) =
                        crate::rules::powf_constant(self.value(), exponent.value());
                    self.unary(value, partial)
                } else {
                    let (value, dx, dy) = crate::rules::powf(self.value(), exponent.value());
                    self.binary(exponent, value, dx, dy)
                }
            }

            /// Four-quadrant arctangent of `self / other` (`self` is `y`, as
            /// in `f64::atan2`); partials `(x/(x² + y²), -y/(x² + y²))`, and
            /// `(0, 0)` at the origin by convention.
            ///
            /// ```
            #[doc = concat!("let y = ", $open, "1.0", $close, ";")]
            #[doc = concat!("assert_eq!(y.atan2(", $constant, "(1.0))", $read, ", 0.5);")]
            /// ```
            #[inline]
            pub fn atan2(self, other: impl Into<Self>) -> Self {
                let other = other.into();
                let (value, dy, dx) = crate::rules::atan2(self.value(), other.value());
                self.binary(other, value, dy, dx)
            }

            /// `√(x² + y²)` without overflow; partials `(x/h, y/h)`, `(0, 0)`
            /// at the origin by convention.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "3.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.hypot(", $constant, "(4.0))", $read, ", 0.6);")]
            /// ```
            #[inline]
            pub fn hypot(self, other: impl Into<Self>) -> Self {
                let other = other.into();
                let (value, dx, dy) = crate::rules::hypot(self.value(), other.value());
                self.binary(other, value, dx, dy)
            }

            /// Maximum; the derivative follows the larger operand, and at a
            /// tie it is the mean of both tangents, so that
            /// `max(x, y) + min(x, y)` has derivative `x' + y'`. A NaN
            /// operand is ignored, as in `f64::max`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "1.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.max(", $constant, "(1.0))", $read, ", 0.5);")]
            #[doc = concat!("assert_eq!(x.max(", $constant, "(0.0))", $read, ", 1.0);")]
            /// ```
            #[inline]
            pub fn max(self, other: impl Into<Self>) -> Self {
                let other = other.into();
                let (value, d_self, d_other) = crate::rules::max(self.value(), other.value());
                self.binary(other, value, d_self, d_other)
            }

            /// Minimum, with the tie and NaN conventions of
            /// [`max`](Self::max).
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "1.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.min(", $constant, "(2.0))", $read, ", 1.0);")]
            /// ```
            #[inline]
            pub fn min(self, other: impl Into<Self>) -> Self {
                let other = other.into();
                let (value, d_self, d_other) = crate::rules::min(self.value(), other.value());
                self.binary(other, value, d_self, d_other)
            }

            /// Logarithm in base `base`; partials
            /// `(1/(x ln b), -ln x/(b ln² b))`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "8.0", $close, ";")]
            #[doc = concat!("let d = x.log(", $constant, "(2.0))", $read, ";")]
            /// assert!((d - 1.0 / (8.0 * 2.0_f64.ln())).abs() < 1e-15);
            /// ```
            #[inline]
            pub fn log(self, base: impl Into<Self>) -> Self {
                let base = base.into();
                let (value, dx, db) = crate::rules::log(self.value(), base.value());
                self.binary(base, value, dx, db)
            }

            /// Positive difference `max(x - y, 0)`; partials `(1, -1)` where
            /// `x > y`, else `(0, 0)`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "3.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.abs_sub(", $constant, "(1.0))", $read, ", 1.0);")]
            /// ```
            #[inline]
            pub fn abs_sub(self, other: impl Into<Self>) -> Self {
                let other = other.into();
                let (value, dx, dy) = crate::rules::abs_sub(self.value(), other.value());
                self.binary(other, value, dx, dy)
            }

            /// `self` with the sign of `sign`; derivative ±1 in `self` (-1
            /// where the sign flips) and 0 in `sign`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "2.0", $close, ";")]
            #[doc = concat!("assert_eq!(x.copysign(", $constant, "(-1.0))", $read, ", -1.0);")]
            /// ```
            #[inline]
            pub fn copysign(self, sign: impl Into<Self>) -> Self {
                let sign = sign.into();
                let (value, dx, ds) = crate::rules::copysign(self.value(), sign.value());
                self.binary(sign, value, dx, ds)
            }

            /// Fused multiply-add `self · a + b`; partials `(a, self, 1)`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "2.0", $close, ";")]
            #[doc = concat!("let y = x.mul_add(", $constant, "(3.0), ", $constant, "(4.0));")]
            /// assert_eq!(y.value(), 10.0);
            #[doc = concat!("assert_eq!(y", $read, ", 3.0);")]
            /// ```
            #[inline]
            pub fn mul_add(self, a: impl Into<Self>, b: impl Into<Self>) -> Self {
                let (a, b) = (a.into(), b.into());
                let (value, partials) = crate::rules::mul_add(self.value(), a.value(), b.value());
                Self::ternary([self, a, b], value, partials)
            }

            /// `self` restricted to `[min, max]`. The derivative follows
            /// `self` inside the interval and on its bounds (as PyTorch's
            /// `clamp`), `min` below it and `max` above it.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "1.0", $close, ";")]
            #[doc = concat!("let c = |lo: f64, hi: f64| x.clamp(", $constant, "(lo), ", $constant, "(hi));")]
            #[doc = concat!("assert_eq!(c(0.0, 1.0)", $read, ", 1.0);")]
            #[doc = concat!("assert_eq!(c(2.0, 3.0)", $read, ", 0.0);")]
            /// ```
            ///
            /// # Panics
            ///
            /// Panics if `min > max` or either bound is NaN, as
            /// `f64::clamp` does.
            #[inline]
            pub fn clamp(self, min: impl Into<Self>, max: impl Into<Self>) -> Self {
                let (min, max) = (min.into(), max.into());
                assert!(
                    min.value() <= max.value(),
                    "clamp needs min <= max, got min = {:?} and max = {:?}",
                    min.value().to_f64(),
                    max.value().to_f64()
                );
                let (value, partials) =
                    crate::rules::clamp(self.value(), min.value(), max.value());
                Self::ternary([self, min, max], value, partials)
            }

            /// Sine and cosine.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "0.0", $close, ";")]
            /// let (s, c) = x.sin_cos();
            #[doc = concat!("assert_eq!((s + c)", $read, ", 1.0);")]
            /// ```
            #[inline]
            pub fn sin_cos(self) -> (Self, Self) {
                (self.sin(), self.cos())
            }

            /// Radians to degrees; derivative `180/π`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "1.0", $close, ";")]
            #[doc = concat!("let d = x.to_degrees()", $read, ";")]
            /// assert!((d - 180.0 / std::f64::consts::PI).abs() < 1e-12);
            /// ```
            #[inline]
            pub fn to_degrees(self) -> Self {
                let factor =
                    crate::rules::constant::<T>(180.0) / crate::rules::constant(std::f64::consts::PI);
                self.unary(self.value().to_degrees(), factor)
            }

            /// Degrees to radians; derivative `π/180`.
            ///
            /// ```
            #[doc = concat!("let x = ", $open, "90.0", $close, ";")]
            #[doc = concat!("let d = x.to_radians()", $read, ";")]
            /// assert!((d - std::f64::consts::PI / 180.0).abs() < 1e-15);
            /// ```
            #[inline]
            pub fn to_radians(self) -> Self {
                let factor =
                    crate::rules::constant::<T>(std::f64::consts::PI) / crate::rules::constant(180.0);
                self.unary(self.value().to_radians(), factor)
            }
        }
    };
    (@unary [$($generics:tt)*] $ty:ty, $open:literal, $close:literal, $read:literal;
     $($(#[doc = $doc:literal])* $name:ident => $rule:path, at $x:literal is $d:literal;)*) => {
        impl $($generics)* $ty {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "```"]
                #[doc = concat!("let x = ", $open, $x, "_f64", $close, ";")]
                #[doc = concat!("let derivative = x.", stringify!($name), "()", $read, ";")]
                #[doc = concat!("let expected: f64 = ", $d, ";")]
                #[doc = "assert!((derivative - expected).abs() <= 1e-14 * expected.abs().max(1.0));"]
                #[doc = "```"]
                #[inline]
                pub fn $name(self) -> Self {
                    let (value, partial) = $rule(self.value());
                    self.unary(value, partial)
                }
            )*
        }
    };
    (@piecewise [$($generics:tt)*] $ty:ty, $open:literal, $close:literal, $read:literal;
     $($(#[doc = $doc:literal])* $name:ident;)*) => {
        impl $($generics)* $ty {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "Its derivative is 0 everywhere, including at the jumps."]
                #[doc = ""]
                #[doc = "```"]
                #[doc = concat!("let x = ", $open, "2.5_f64", $close, ";")]
                #[doc = concat!("assert_eq!(x.", stringify!($name), "()", $read, ", 0.0);")]
                #[doc = "```"]
                #[inline]
                pub fn $name(self) -> Self {
                    let (value, partial) =
                        crate::rules::piecewise_constant(self.value().$name());
                    self.unary(value, partial)
                }
            )*
        }
    };
}
