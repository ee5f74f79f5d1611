//! `Dual`: a value and one tangent, for forward mode in one direction.

use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use super::coefficient::{Coefficient, abs_partial, combine, combine_linear, scale, scale_linear};

/// A dual number `value + tangent·ε` with `ε² = 0`: evaluating a function
/// on it computes the function's value and its derivative along the
/// tangent, in the same sweep.
///
/// Any [`Coefficient`] can be the base type `T`, including another `Dual`:
/// `Dual<Dual<f64>>` carries second derivatives. The lifetime `'d` brands
/// the level of nesting. The functions of [`forward`](crate::forward) call
/// the closure with a fresh brand, so a variable of an outer level can
/// enter an inner level only as a constant of the base type (as in
/// `y + x` with `x: Dual<'a, f64>`, `y: Dual<'b, Dual<'a, f64>>`). Mixing two
/// levels of the same type, which would confuse their perturbations, does
/// not compile.
///
/// Equality and ordering compare primal values only, like the branches of
/// user code do; [`num_traits::Zero::is_zero`] is the exception, true only
/// when the tangent is zero as well.
///
/// ```
/// use adjoint_tape::forward::Dual;
///
/// let x = Dual::variable(0.5);
/// let y = x.sin() * x;
/// assert_eq!(y.value(), 0.5_f64.sin() * 0.5);
/// assert_eq!(y.tangent(), 0.5_f64.cos() * 0.5 + 0.5_f64.sin());
/// ```
#[derive(Clone, Copy)]
pub struct Dual<'d, T> {
    value: T,
    /// The tangent, zero for a constant.
    tangent: T,
    /// Whether the number is a constant, made by [`constant`](Self::constant)
    /// or from one: operations skip its tangent arithmetic.
    constant: bool,
    /// Makes `Dual` invariant in `'d`, so that two brands never unify.
    brand: PhantomData<fn(&'d ()) -> &'d ()>,
}

impl<'d, T> Dual<'d, T> {
    /// Creates the dual number `value + tangent·ε`.
    ///
    /// ```
    /// let x = adjoint_tape::forward::Dual::new(2.0, 3.0);
    /// assert_eq!((x * x).tangent(), 12.0);
    /// ```
    #[inline]
    pub const fn new(value: T, tangent: T) -> Self {
        Self {
            value,
            tangent,
            constant: false,
            brand: PhantomData,
        }
    }
}

impl<'d, T: Coefficient> Dual<'d, T> {
    /// Creates a constant: the value with tangent 0.
    ///
    /// ```
    /// use adjoint_tape::forward::Dual;
    /// let x = Dual::variable(2.0);
    /// assert_eq!((Dual::constant(3.0) * x).tangent(), 3.0);
    /// ```
    #[inline]
    pub fn constant(value: T) -> Self {
        Self {
            value,
            tangent: T::zero(),
            constant: true,
            brand: PhantomData,
        }
    }

    /// Creates the independent variable: the value with tangent 1, so
    /// that tangents downstream are derivatives with respect to it.
    ///
    /// ```
    /// let x = adjoint_tape::forward::Dual::variable(3.0);
    /// assert_eq!(x.powi(2).tangent(), 6.0);
    /// ```
    #[inline]
    pub fn variable(value: T) -> Self {
        Self::new(value, T::one())
    }

    /// Returns the primal value.
    ///
    /// ```
    /// assert_eq!(adjoint_tape::forward::Dual::new(1.5, 2.0).value(), 1.5);
    /// ```
    #[inline]
    pub fn value(self) -> T {
        self.value
    }

    /// Returns the tangent: the derivative along the seeded direction.
    ///
    /// ```
    /// assert_eq!(adjoint_tape::forward::Dual::new(1.5, 2.0).tangent(), 2.0);
    /// ```
    #[inline]
    pub fn tangent(self) -> T {
        self.tangent
    }

    /// Absolute value; derivative `sign x`, with `abs'(0) = 0` where the
    /// argument crosses zero (as in PyTorch, JAX and the tape).
    ///
    /// The argument may only touch zero, with value and tangent both zero
    /// but a nonzero higher-order term (as `-x²` at 0 in nested dual
    /// numbers). Then `|u|` is smooth and the sign of that term is used
    /// instead, so the second derivative of `|-x²|` at 0 is 2, not 0.
    ///
    /// ```
    /// use adjoint_tape::forward::{Dual, derivative};
    ///
    /// assert_eq!(Dual::variable(0.0).abs().tangent(), 0.0);
    /// assert_eq!(Dual::variable(-2.0).abs().tangent(), -1.0);
    /// let second = derivative(|x| derivative(|y| (-(y * y)).abs(), x), 0.0);
    /// assert_eq!(second, 2.0);
    /// ```
    #[inline]
    pub fn abs(self) -> Self {
        let partial = abs_partial(self.value, self.tangent);
        self.unary(self.value.abs(), partial)
    }

    /// Returns whether the tangent is zero (in every coefficient, when nested).
    #[inline]
    pub(crate) fn tangent_is_zero(self) -> bool {
        self.constant || self.tangent.is_zero()
    }

    /// Returns the result of a function of `self` with primal `value` and partial
    /// derivative `partial`.
    #[inline]
    pub(crate) fn unary(self, value: T, partial: T) -> Self {
        if self.constant {
            return Self::constant(value);
        }
        Self::new(value, scale(partial, self.tangent))
    }

    /// Returns the result of a function of `self` whose partial is the
    /// constant 1 or -1, as in `x + c` and `-x`, which needs no mask.
    #[inline]
    pub(crate) fn unary_linear(self, value: T, partial: T) -> Self {
        if self.constant {
            return Self::constant(value);
        }
        Self::new(value, scale_linear(partial, self.tangent))
    }

    /// Returns the result of a function of `self` and `other`.
    ///
    /// A constant operand's term is skipped. Adding `+0` in its place
    /// keeps the result equal to the bit to the sum with that zero term.
    #[inline]
    pub(crate) fn binary(self, other: Self, value: T, d_self: T, d_other: T) -> Self {
        let tangent = match (self.constant, other.constant) {
            (true, true) => return Self::constant(value),
            (false, true) => scale(d_self, self.tangent) + T::zero(),
            (true, false) => scale(d_other, other.tangent) + T::zero(),
            (false, false) => combine(d_self, self.tangent, d_other, other.tangent),
        };
        Self::new(value, tangent)
    }

    /// Returns the result of a function of `self` and `other` whose
    /// partials are the constants 1 or -1, as in `x + y` and `x - y`.
    #[inline]
    pub(crate) fn binary_linear(self, other: Self, value: T, d_self: T, d_other: T) -> Self {
        let tangent = match (self.constant, other.constant) {
            (true, true) => return Self::constant(value),
            (false, true) => scale_linear(d_self, self.tangent),
            (true, false) => scale_linear(d_other, other.tangent),
            (false, false) => combine_linear(d_self, self.tangent, d_other, other.tangent),
        };
        Self::new(value, tangent)
    }

    /// Returns the result of a function of three operands.
    #[inline]
    pub(crate) fn ternary(operands: [Self; 3], value: T, partials: [T; 3]) -> Self {
        if operands.iter().all(|x| x.constant) {
            return Self::constant(value);
        }
        let tangent = operands
            .iter()
            .zip(partials)
            .fold(T::zero(), |sum, (x, d)| sum + scale(d, x.tangent));
        Self::new(value, tangent)
    }
}

impl<T: fmt::Debug> fmt::Debug for Dual<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dual")
            .field("value", &self.value)
            .field("tangent", &self.tangent)
            .finish()
    }
}

/// Shows the primal value only, as `Var` does, so that generic code prints
/// the same numbers in every mode; `{:?}` shows the tangent too.
impl<T: fmt::Display> fmt::Display for Dual<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<T: Coefficient> Coefficient for Dual<'_, T> {
    /// Returns the sign of the value's leading coefficient, or of the
    /// tangent's where the value is zero.
    ///
    /// ```
    /// use adjoint_tape::forward::{Coefficient, Dual};
    /// assert_eq!(Dual::new(0.0, 2.0).leading_sign(), Some(std::cmp::Ordering::Greater));
    /// ```
    fn leading_sign(self) -> Option<Ordering> {
        match self.value.leading_sign() {
            Some(Ordering::Equal) => self.tangent.leading_sign(),
            sign => sign,
        }
    }
}

dual_arithmetic!([<'d, T: Coefficient>] Dual<'d, T>);
dual_num_traits!([<'d, T: Coefficient>] Dual<'d, T>);
dual_elementary!(
    [<'d, T: Coefficient>] Dual<'d, T>,
    "adjoint_tape::forward::Dual::variable(",
    ")",
    "adjoint_tape::forward::Dual::constant",
    ".tangent()"
);

/// Implements `outer_value op inner_variable` for nested dual numbers: a
/// number of the base level on the left is a constant of the inner level,
/// as `x` in `x + y` with `x: Dual<'a, f64>` and `y: Dual<'b, Dual<'a, f64>>`.
macro_rules! nested_constant_left {
    ($($trait:ident $method:ident $rule:path;)*) => {
        $(
            impl<'d, 'e, T: Coefficient> std::ops::$trait<Dual<'d, Dual<'e, T>>> for Dual<'e, T> {
                type Output = Dual<'d, Dual<'e, T>>;
                #[inline]
                fn $method(self, other: Dual<'d, Dual<'e, T>>) -> Dual<'d, Dual<'e, T>> {
                    let (value, _, d_other) = $rule(self, other.value());
                    other.unary(value, d_other)
                }
            }
        )*
    };
}

nested_constant_left! {
    Add add crate::rules::add;
    Sub sub crate::rules::sub;
    Mul mul crate::rules::mul;
    Div div crate::rules::div;
    Rem rem crate::rules::rem;
}

#[cfg(test)]
mod tests {
    use num_traits::{Float, Zero};

    use super::Dual;

    #[test]
    fn is_zero_needs_zero_tangent() {
        assert!(Dual::new(0.0, 0.0).is_zero());
        assert!(!Dual::new(0.0, 1.0).is_zero());
        assert!(!Dual::new(1.0, 0.0).is_zero());
    }

    #[test]
    fn equality_ignores_tangent() {
        assert_eq!(Dual::new(1.0, 2.0), Dual::new(1.0, 5.0));
        assert!(Dual::new(1.0, 9.0) < Dual::new(2.0, 0.0));
        assert!(Dual::new(1.0, 9.0) < 2.0);
    }

    #[test]
    fn constant_with_infinite_partial_keeps_zero_tangent() {
        // sqrt'(0) = +inf, but a constant's tangent stays 0, not inf · 0.
        let y = Dual::variable(1.0) + Dual::constant(0.0).sqrt();
        assert_eq!(y.tangent(), 1.0);
    }

    #[test]
    fn constant_on_either_side() {
        let x = Dual::variable(2.0);
        assert_eq!((3.0 - x / 4.0).tangent(), -0.25);
        assert_eq!((x * 3.0).tangent(), 3.0);
        assert_eq!((1.0 / x).tangent(), -0.25);
    }

    #[test]
    fn nested_constant_on_left_is_inner_constant() {
        let outer = Dual::new(3.0, 1.0);
        let inner = Dual::new(Dual::constant(2.0), Dual::constant(1.0));
        let product = outer * inner;
        // d/dy (x y) = x = 3 + 1ε at the outer level.
        assert_eq!(product.tangent().value(), 3.0);
        assert_eq!(product.tangent().tangent(), 1.0);
    }

    #[test]
    fn float_trait_delegates_to_inherent_methods() {
        let x = Dual::variable(0.5);
        assert_eq!(Float::sin(x).tangent(), 0.5_f64.cos());
        assert_eq!(Float::powi(x, 3).tangent(), 0.75);
        assert_eq!(
            <Dual<f64> as num_traits::NumCast>::from(2)
                .unwrap()
                .tangent(),
            0.0
        );
    }
}
