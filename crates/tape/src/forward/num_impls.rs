//! `num_traits` implementations for [`Dual`](super::Dual) and
//! [`DualVec`](super::DualVec), so that code generic over
//! [`Float`](num_traits::Float) or [`Scalar`](crate::Scalar) runs in
//! forward mode unchanged.
//!
//! Everything the traits create from nothing (`zero()`, `one()`, `nan()`,
//! `from(…)`) is a constant with zero tangents. Predicates and conversions
//! read the primal value, and every method with a derivative delegates to
//! the inherent method of the same name. `is_zero` is the exception that reads
//! the tangents too (see [`Coefficient`](super::Coefficient)).

/// Implements `Zero`, `One`, `Num`, `ToPrimitive`, `NumCast`,
/// `FromPrimitive`, `Float` and `Coefficient` for a dual number type given
/// as `[<generics>] Type`.
macro_rules! dual_num_traits {
    ([$($generics:tt)*] $ty:ty) => {
        impl $($generics)* num_traits::Zero for $ty {
            fn zero() -> Self {
                Self::constant(T::zero())
            }

            /// Returns whether the value and every tangent are zero. A number with
            /// a zero value and a nonzero tangent is not zero: the reverse
            /// sweep of a tape over dual numbers must not skip it, or
            /// Hessian-vector products would lose terms.
            fn is_zero(&self) -> bool {
                self.value().is_zero() && self.tangent_is_zero()
            }
        }

        impl $($generics)* num_traits::One for $ty {
            fn one() -> Self {
                Self::constant(T::one())
            }
        }

        impl $($generics)* num_traits::Num for $ty {
            type FromStrRadixErr = T::FromStrRadixErr;

            fn from_str_radix(text: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                T::from_str_radix(text, radix).map(Self::constant)
            }
        }

        impl $($generics)* num_traits::ToPrimitive for $ty {
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

        impl $($generics)* num_traits::NumCast for $ty {
            fn from<P: num_traits::ToPrimitive>(n: P) -> Option<Self> {
                <T as num_traits::NumCast>::from(n).map(Self::constant)
            }
        }

        impl $($generics)* num_traits::FromPrimitive for $ty {
            fn from_i64(n: i64) -> Option<Self> {
                <T as num_traits::NumCast>::from(n).map(Self::constant)
            }

            fn from_u64(n: u64) -> Option<Self> {
                <T as num_traits::NumCast>::from(n).map(Self::constant)
            }

            fn from_f64(n: f64) -> Option<Self> {
                <T as num_traits::NumCast>::from(n).map(Self::constant)
            }
        }

        impl $($generics)* num_traits::Float for $ty {
            dual_num_traits!(@constants nan infinity neg_infinity neg_zero min_value
                min_positive_value max_value epsilon);
            dual_num_traits!(@predicates is_nan is_infinite is_finite is_normal
                is_sign_positive is_sign_negative);
            dual_num_traits!(@delegate floor ceil round trunc fract abs signum recip sqrt
                exp exp2 ln log2 log10 cbrt sin cos tan asin acos atan exp_m1 ln_1p sinh
                cosh tanh asinh acosh atanh to_degrees to_radians);

            fn classify(self) -> std::num::FpCategory {
                self.value().classify()
            }

            fn mul_add(self, a: Self, b: Self) -> Self {
                Self::mul_add(self, a, b)
            }

            fn powi(self, n: i32) -> Self {
                Self::powi(self, n)
            }

            fn powf(self, n: Self) -> Self {
                Self::powf(self, n)
            }

            fn log(self, base: Self) -> Self {
                Self::log(self, base)
            }

            fn max(self, other: Self) -> Self {
                Self::max(self, other)
            }

            fn min(self, other: Self) -> Self {
                Self::min(self, other)
            }

            fn clamp(self, min: Self, max: Self) -> Self {
                Self::clamp(self, min, max)
            }

            fn abs_sub(self, other: Self) -> Self {
                Self::abs_sub(self, other)
            }

            fn hypot(self, other: Self) -> Self {
                Self::hypot(self, other)
            }

            fn atan2(self, other: Self) -> Self {
                Self::atan2(self, other)
            }

            fn sin_cos(self) -> (Self, Self) {
                Self::sin_cos(self)
            }

            fn copysign(self, sign: Self) -> Self {
                Self::copysign(self, sign)
            }

            fn integer_decode(self) -> (u64, i16, i8) {
                self.value().integer_decode()
            }
        }
    };
    (@constants $($name:ident)*) => {
        $(
            fn $name() -> Self {
                Self::constant(T::$name())
            }
        )*
    };
    (@predicates $($name:ident)*) => {
        $(
            fn $name(self) -> bool {
                self.value().$name()
            }
        )*
    };
    (@delegate $($name:ident)*) => {
        $(
            fn $name(self) -> Self {
                Self::$name(self)
            }
        )*
    };
}
