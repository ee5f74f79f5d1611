//! Arithmetic operators, compound assignment, `Sum`/`Product`, comparisons
//! and conversions, shared by [`Dual`](super::Dual) and
//! [`DualVec`](super::DualVec) through one macro.
//!
//! Partial derivatives come from [`rules`](crate::rules): `x + y` → `(1, 1)`,
//! `x - y` → `(1, -1)`, `x y` → `(y, x)`, `x / y` → `(1/y, -x/y²)`,
//! `x % y` → `(1, -trunc(x/y))`, `-x` → `-1`.
//!
//! Constants mix in on both sides: `x op c` for a base-type constant `c`
//! (for `Dual<f64>` that is an `f64`), and `c op x` for an `f64` constant
//! whatever the nesting depth. A constant of the base type is a constant of
//! the inner level: in `Dual<Dual<f64>>` arithmetic a `Dual<f64>` operand
//! carries the outer level's perturbation, never the inner one's.

/// Implements the operators for a dual number type given as
/// `[<generics>] Type`, whose base type parameter is named `T`.
macro_rules! dual_arithmetic {
    ([$($generics:tt)*] $ty:ty) => {
        // Sums and differences have the constant partials ±1, so they take
        // the `_linear` paths, which skip the zero-tangent rule.
        dual_arithmetic!(@binary [$($generics)*] $ty, Add, add, AddAssign, add_assign,
            crate::rules::add, unary_linear, binary_linear);
        dual_arithmetic!(@binary [$($generics)*] $ty, Sub, sub, SubAssign, sub_assign,
            crate::rules::sub, unary_linear, binary_linear);
        dual_arithmetic!(@binary [$($generics)*] $ty, Mul, mul, MulAssign, mul_assign,
            crate::rules::mul, unary, binary);
        dual_arithmetic!(@binary [$($generics)*] $ty, Div, div, DivAssign, div_assign,
            crate::rules::div, unary, binary);
        dual_arithmetic!(@binary [$($generics)*] $ty, Rem, rem, RemAssign, rem_assign,
            crate::rules::rem, unary, binary);

        impl $($generics)* std::ops::Neg for $ty {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                let (value, partial) = crate::rules::neg(self.value());
                self.unary_linear(value, partial)
            }
        }

        impl $($generics)* From<T> for $ty {
            /// Creates a constant: the value with zero tangents.
            #[inline]
            fn from(value: T) -> Self {
                Self::constant(value)
            }
        }

        impl $($generics)* Default for $ty {
            /// Returns the constant 0.
            fn default() -> Self {
                Self::constant(T::zero())
            }
        }

        impl $($generics)* std::iter::Sum for $ty {
            /// Adds the terms from the left; the empty sum is the constant 0.
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::constant(T::zero()), |total, term| total + term)
            }
        }

        impl $($generics)* std::iter::Product for $ty {
            /// Multiplies the factors from the left; the empty product is
            /// the constant 1.
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::constant(T::one()), |total, factor| total * factor)
            }
        }

        /// Compares primal values only, as the branches of user code need:
        /// two numbers with equal values and different tangents are equal.
        impl $($generics)* PartialEq for $ty {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.value() == other.value()
            }
        }

        /// Compares the primal value with a base-type number.
        impl $($generics)* PartialEq<T> for $ty {
            #[inline]
            fn eq(&self, other: &T) -> bool {
                self.value() == *other
            }
        }

        /// Orders by primal value only (tangents play no part).
        impl $($generics)* PartialOrd for $ty {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                self.value().partial_cmp(&other.value())
            }
        }

        /// Orders the primal value against a base-type number.
        impl $($generics)* PartialOrd<T> for $ty {
            #[inline]
            fn partial_cmp(&self, other: &T) -> Option<std::cmp::Ordering> {
                self.value().partial_cmp(other)
            }
        }
    };
    (@binary [$($generics:tt)*] $ty:ty, $trait:ident, $method:ident,
     $assign_trait:ident, $assign_method:ident, $rule:path, $unary:ident, $binary:ident) => {
        impl $($generics)* std::ops::$trait for $ty {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: Self) -> Self {
                let (value, d_self, d_other) = $rule(self.value(), other.value());
                self.$binary(other, value, d_self, d_other)
            }
        }

        impl $($generics)* std::ops::$trait<T> for $ty {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: T) -> Self {
                let (value, d_self, _) = $rule(self.value(), other);
                self.$unary(value, d_self)
            }
        }

        impl $($generics)* std::ops::$trait<$ty> for f64 {
            type Output = $ty;
            #[inline(always)]
            fn $method(self, other: $ty) -> $ty {
                let constant = crate::rules::constant::<T>(self);
                let (value, _, d_other) = $rule(constant, other.value());
                other.$unary(value, d_other)
            }
        }

        impl $($generics)* std::ops::$assign_trait for $ty {
            #[inline]
            fn $assign_method(&mut self, other: Self) {
                *self = std::ops::$trait::$method(*self, other);
            }
        }

        impl $($generics)* std::ops::$assign_trait<T> for $ty {
            #[inline]
            fn $assign_method(&mut self, other: T) {
                *self = std::ops::$trait::$method(*self, other);
            }
        }
    };
}
