//! `num_traits` implementations for [`Var`], so that code generic over
//! [`Float`] runs on the tape unchanged.
//!
//! Everything the traits create from nothing (`zero()`, `one()`, `nan()`,
//! `from(…)`) is a constant on no tape; every method with a derivative
//! delegates to the inherent method of the same name.

use std::num::FpCategory;

use num_traits::{Float, FromPrimitive, Num, NumCast, One, ToPrimitive, Zero};

use crate::real::Real;
use crate::var::Var;

impl<T: Real> Zero for Var<'_, T> {
    fn zero() -> Self {
        Var::constant(T::zero())
    }

    /// Whether the value is zero (the node's derivative plays no part).
    fn is_zero(&self) -> bool {
        self.value().is_zero()
    }
}

impl<T: Real> One for Var<'_, T> {
    fn one() -> Self {
        Var::constant(T::one())
    }
}

impl<T: Real> Num for Var<'_, T> {
    type FromStrRadixErr = T::FromStrRadixErr;

    fn from_str_radix(text: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(text, radix).map(Var::constant)
    }
}

impl<T: Real> ToPrimitive for Var<'_, T> {
    fn to_i64(&self) -> Option<i64> {
        self.value().to_i64()
    }

    fn to_u64(&self) -> Option<u64> {
        self.value().to_u64()
    }

    fn to_f64(&self) -> Option<f64> {
        self.value().to_f64()
    }
}

impl<T: Real> NumCast for Var<'_, T> {
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <T as NumCast>::from(n).map(Var::constant)
    }
}

impl<T: Real + FromPrimitive> FromPrimitive for Var<'_, T> {
    fn from_i64(n: i64) -> Option<Self> {
        T::from_i64(n).map(Var::constant)
    }

    fn from_u64(n: u64) -> Option<Self> {
        T::from_u64(n).map(Var::constant)
    }

    fn from_f64(n: f64) -> Option<Self> {
        T::from_f64(n).map(Var::constant)
    }
}

/// Defines trait methods that forward to the inherent method of the same
/// name.
macro_rules! forward_unary {
    ($($name:ident)*) => {
        $(
            fn $name(self) -> Self {
                Var::$name(self)
            }
        )*
    };
}

/// Defines predicates that read the primal value.
macro_rules! value_predicates {
    ($($name:ident)*) => {
        $(
            fn $name(self) -> bool {
                self.value().$name()
            }
        )*
    };
}

/// Defines constants that are on no tape.
macro_rules! constants {
    ($($name:ident)*) => {
        $(
            fn $name() -> Self {
                Var::constant(T::$name())
            }
        )*
    };
}

impl<T: Real> Float for Var<'_, T> {
    constants!(nan infinity neg_infinity neg_zero min_value min_positive_value max_value epsilon);
    value_predicates!(is_nan is_infinite is_finite is_normal is_sign_positive is_sign_negative);
    forward_unary!(
        floor ceil round trunc fract abs signum recip sqrt exp exp2 ln log2 log10
        cbrt sin cos tan asin acos atan exp_m1 ln_1p sinh cosh tanh asinh acosh atanh
        to_degrees to_radians
    );

    fn classify(self) -> FpCategory {
        self.value().classify()
    }

    fn mul_add(self, a: Self, b: Self) -> Self {
        Var::mul_add(self, a, b)
    }

    fn powi(self, n: i32) -> Self {
        Var::powi(self, n)
    }

    fn powf(self, n: Self) -> Self {
        Var::powf(self, n)
    }

    fn log(self, base: Self) -> Self {
        Var::log(self, base)
    }

    fn max(self, other: Self) -> Self {
        Var::max(self, other)
    }

    fn min(self, other: Self) -> Self {
        Var::min(self, other)
    }

    fn clamp(self, min: Self, max: Self) -> Self {
        Var::clamp(self, min, max)
    }

    fn abs_sub(self, other: Self) -> Self {
        Var::abs_sub(self, other)
    }

    fn hypot(self, other: Self) -> Self {
        Var::hypot(self, other)
    }

    fn atan2(self, other: Self) -> Self {
        Var::atan2(self, other)
    }

    fn sin_cos(self) -> (Self, Self) {
        Var::sin_cos(self)
    }

    fn copysign(self, sign: Self) -> Self {
        Var::copysign(self, sign)
    }

    fn integer_decode(self) -> (u64, i16, i8) {
        self.value().integer_decode()
    }
}

#[cfg(test)]
mod tests {
    use num_traits::Float;

    use crate::{Scalar, Tape};

    fn rosenbrock<S: Float>(x: &[S]) -> S {
        let hundred = S::from(100.0).unwrap();
        x.windows(2)
            .map(|w| hundred * (w[1] - w[0] * w[0]).powi(2) + (S::one() - w[0]).powi(2))
            .fold(S::zero(), |a, b| a + b)
    }

    #[test]
    fn generic_function_runs_as_f64_and_on_tape() {
        let x = [1.5, -0.5, 2.0];
        let tape = Tape::new();
        let v = tape.vars(&x);
        let f = rosenbrock(&v);
        assert_eq!(f.value(), rosenbrock(&x));
        let g = f.gradient().wrt_all(&v);
        let expected = [
            -400.0 * 1.5 * (-0.5 - 2.25) - 2.0 * (1.0 - 1.5),
            200.0 * (-0.5 - 2.25) - 400.0 * -0.5 * (2.0 - 0.25) - 2.0 * (1.0 + 0.5),
            200.0 * (2.0 - 0.25),
        ];
        for (got, want) in g.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    #[test]
    fn scalar_constants_are_not_recorded() {
        let tape = Tape::new();
        let x = tape.var(2.0);
        let y = <crate::Var as Scalar>::from_f64(3.0) * x;
        assert_eq!(tape.len(), 2);
        assert_eq!(y.gradient().wrt(x), 3.0);
    }
}
