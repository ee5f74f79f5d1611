//! Arithmetic operators, compound assignment, `Sum`/`Product` and
//! comparisons for [`Var`].
//!
//! Partial derivatives: `x + y` → `(1, 1)`, `x - y` → `(1, -1)`,
//! `x y` → `(y, x)`, `x / y` → `(1/y, -x/y²)`, `x % y` → `(1, -trunc(x/y))`,
//! `-x` → `-1`. A constant operand (an `f64`, an `f32` or a constant `Var`)
//! records only the variable's partial.
//!
//! A constant on the left (`3.0 * x`) is implemented for `f64` only: with a
//! second impl for `f32`, a literal such as `3.0` could not be resolved
//! while the tape's number type is still being inferred, and
//! `Tape::new()` followed by `3.0 * x` would not compile. With `f32` tapes
//! write the constant on the right (`x * 3.0`).

use std::cmp::Ordering;
use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use smallvec::SmallVec;

use crate::ops::nary;
use crate::real::Real;
use crate::rules;
use crate::var::Var;

macro_rules! binary_operator {
    ($trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $rule:path) => {
        impl<'t, T: Real> $trait for Var<'t, T> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: Self) -> Self {
                let (value, d_self, d_other) = $rule(self.value(), other.value());
                self.binary(other, stringify!($method), value, d_self, d_other)
            }
        }

        impl<'t, T: Real> $trait<T> for Var<'t, T> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: T) -> Self {
                let (value, d_self, _) = $rule(self.value(), other);
                self.unary(stringify!($method), value, d_self)
            }
        }

        impl<'a, 't, T: Real> $trait<&'a Var<'t, T>> for Var<'t, T> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, other: &'a Var<'t, T>) -> Self {
                $trait::$method(self, *other)
            }
        }

        impl<'a, 't, T: Real> $trait<Var<'t, T>> for &'a Var<'t, T> {
            type Output = Var<'t, T>;
            #[inline(always)]
            fn $method(self, other: Var<'t, T>) -> Var<'t, T> {
                $trait::$method(*self, other)
            }
        }

        impl<'a, 'b, 't, T: Real> $trait<&'b Var<'t, T>> for &'a Var<'t, T> {
            type Output = Var<'t, T>;
            #[inline(always)]
            fn $method(self, other: &'b Var<'t, T>) -> Var<'t, T> {
                $trait::$method(*self, *other)
            }
        }

        impl<'t, T: Real> $assign_trait for Var<'t, T> {
            #[inline(always)]
            fn $assign_method(&mut self, other: Self) {
                *self = $trait::$method(*self, other);
            }
        }

        impl<'t, T: Real> $assign_trait<T> for Var<'t, T> {
            #[inline(always)]
            fn $assign_method(&mut self, other: T) {
                *self = $trait::$method(*self, other);
            }
        }

        binary_operator!(@constant_left f64, $trait, $method, $rule);
    };
    (@constant_left $float:ty, $trait:ident, $method:ident, $rule:path) => {
        impl<'t> $trait<Var<'t, $float>> for $float {
            type Output = Var<'t, $float>;
            #[inline(always)]
            fn $method(self, other: Var<'t, $float>) -> Var<'t, $float> {
                let (value, _, d_other) = $rule(self, other.value());
                other.unary(stringify!($method), value, d_other)
            }
        }
    };
}

binary_operator!(Add, add, AddAssign, add_assign, rules::add);
binary_operator!(Sub, sub, SubAssign, sub_assign, rules::sub);
binary_operator!(Mul, mul, MulAssign, mul_assign, rules::mul);
binary_operator!(Div, div, DivAssign, div_assign, rules::div);
binary_operator!(Rem, rem, RemAssign, rem_assign, rules::rem);

impl<'t, T: Real> Neg for Var<'t, T> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        let (value, d) = rules::neg(self.value());
        self.unary("neg", value, d)
    }
}

impl<'t, T: Real> Neg for &Var<'t, T> {
    type Output = Var<'t, T>;
    #[inline]
    fn neg(self) -> Var<'t, T> {
        -*self
    }
}

impl<'t, T: Real> From<T> for Var<'t, T> {
    /// A constant (see [`Var::constant`]).
    #[inline]
    fn from(value: T) -> Self {
        Var::constant(value)
    }
}

/// Up to this many terms, `Sum` and `Product` gather their operands on the
/// stack before recording one n-ary node.
const INLINE_TERMS: usize = 32;

impl<'t, T: Real> Sum for Var<'t, T> {
    /// Records one n-ary sum node (partials 1) over all the terms; an empty
    /// iterator gives the constant 0.
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let terms: SmallVec<[Self; INLINE_TERMS]> = iter.collect();
        nary::sum(&terms)
    }
}

impl<'a, 't, T: Real> Sum<&'a Var<'t, T>> for Var<'t, T> {
    /// As the `Sum` of values.
    fn sum<I: Iterator<Item = &'a Var<'t, T>>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

impl<'t, T: Real> Product for Var<'t, T> {
    /// Records one n-ary product node whose partials are the products of the
    /// other factors (exact with zero factors); an empty iterator gives the
    /// constant 1.
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        let factors: SmallVec<[Self; INLINE_TERMS]> = iter.collect();
        nary::product(&factors)
    }
}

impl<'a, 't, T: Real> Product<&'a Var<'t, T>> for Var<'t, T> {
    /// As the `Product` of values.
    fn product<I: Iterator<Item = &'a Var<'t, T>>>(iter: I) -> Self {
        iter.copied().product()
    }
}

/// Variables compare by primal value, as `f64`s do (NaN is unequal to
/// everything); the tape plays no part.
impl<T: Real> PartialEq for Var<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl<T: Real> PartialEq<T> for Var<'_, T> {
    fn eq(&self, other: &T) -> bool {
        self.value() == *other
    }
}

impl<T: Real> PartialOrd for Var<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value().partial_cmp(&other.value())
    }
}

impl<T: Real> PartialOrd<T> for Var<'_, T> {
    fn partial_cmp(&self, other: &T) -> Option<Ordering> {
        self.value().partial_cmp(other)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tape;

    #[test]
    fn constant_on_either_side_records_one_operand() {
        let tape = Tape::new();
        let x = tape.var(2.0);
        let y = 3.0 - x / 4.0;
        assert_eq!(tape.operand_count(), 2);
        assert_eq!(y.value(), 2.5);
        assert_eq!(y.gradient().wrt(x), -0.25);
    }

    #[test]
    fn compound_assignment_records_each_step() {
        let tape = Tape::new();
        let x = tape.var(3.0);
        let mut y = x;
        y *= x;
        y += 1.0;
        y -= x;
        y /= 2.0;
        // y = (x² + 1 - x) / 2, y' = (2x - 1) / 2 = 2.5 at 3.
        assert_eq!(y.value(), 3.5);
        assert_eq!(y.gradient().wrt(x), 2.5);
    }

    #[test]
    fn rem_adjoint_is_minus_truncated_quotient() {
        let tape = Tape::new();
        let (x, y) = (tape.var(7.5), tape.var(2.0));
        let r = x % y;
        assert_eq!(r.value(), 1.5);
        let g = r.gradient();
        assert_eq!((g.wrt(x), g.wrt(y)), (1.0, -3.0));
    }

    #[test]
    fn sum_and_product_of_iterators_are_one_node() {
        let tape = Tape::new();
        let v = tape.vars(&[1.0, 2.0, 0.0, 4.0]);
        let before = tape.len();
        let p: crate::Var = v.iter().product();
        assert_eq!(tape.len(), before + 1);
        assert_eq!(p.gradient().wrt_all(&v), vec![0.0, 0.0, 8.0, 0.0]);
        let s: crate::Var = v.iter().map(|x| *x * *x).sum();
        assert_eq!(s.gradient().wrt_all(&v), vec![2.0, 4.0, 0.0, 8.0]);
    }

    #[test]
    fn comparisons_use_values() {
        let tape = Tape::new();
        let (a, b) = (tape.var(1.0), tape.var(2.0));
        assert!(a < b);
        assert!(a == 1.0);
        assert!(b > 1.5);
    }

    #[test]
    #[should_panic(expected = "two different tapes")]
    fn mixing_two_tapes_panics() {
        let first = Tape::new();
        let second = Tape::new();
        let _ = first.var(1.0) + second.var(2.0);
    }
}
