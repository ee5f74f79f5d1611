//! `DualVec`: a value and `N` tangents, for forward mode in `N` directions
//! at once.

use std::array;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use super::coefficient::{Coefficient, abs_partial};

/// A dual number with `N` tangent lanes, `value + Σ tangentᵢ·εᵢ`: one
/// evaluation computes the derivatives along `N` directions, sharing the
/// primal work and the partial derivatives of every operation among them.
///
/// [`gradient_lanes`](crate::forward::gradient_lanes) uses it to need
/// `⌈n/N⌉` sweeps for a gradient of `n` inputs instead of `n`. The lifetime
/// `'d` brands the level of nesting, as for [`Dual`](super::Dual). Equality
/// and ordering compare primal values only; `is_zero` needs every lane to
/// be zero too.
///
/// A constant (from [`constant`](Self::constant), `From`, or `zero()`,
/// `one()` and the other `num_traits` constructors) stores no lanes, and
/// operations skip the lane arithmetic of a constant operand. In a
/// gradient most numbers of a sweep depend on none of its `N` seeded
/// inputs, so most operations cost what they cost on `T`.
///
/// ```
/// use adjoint_tape::forward::DualVec;
///
/// let x = DualVec::<f64, 2>::variable(3.0, 0);
/// let y = DualVec::<f64, 2>::variable(4.0, 1);
/// let r = x.hypot(y);
/// assert_eq!(r.value(), 5.0);
/// assert_eq!(r.tangents(), [0.6, 0.8]);
/// ```
#[derive(Clone, Copy)]
pub struct DualVec<'d, T, const N: usize> {
    value: T,
    /// The tangent lanes, or `None` for a constant: every lane zero.
    tangents: Option<[T; N]>,
    /// Makes `DualVec` invariant in `'d`, so that two brands never unify.
    brand: PhantomData<fn(&'d ()) -> &'d ()>,
}

impl<'d, T, const N: usize> DualVec<'d, T, N> {
    /// Creates the number `value + Σ tangents[i]·εᵢ`.
    ///
    /// ```
    /// let x = adjoint_tape::forward::DualVec::new(2.0, [1.0, 10.0]);
    /// assert_eq!((x * x).tangents(), [4.0, 40.0]);
    /// ```
    #[inline]
    pub const fn new(value: T, tangents: [T; N]) -> Self {
        Self {
            value,
            tangents: Some(tangents),
            brand: PhantomData,
        }
    }

    /// Creates the number from its value and its lanes, `None` for a
    /// constant.
    #[inline]
    const fn from_lanes(value: T, tangents: Option<[T; N]>) -> Self {
        Self {
            value,
            tangents,
            brand: PhantomData,
        }
    }
}

impl<'d, T: Coefficient, const N: usize> DualVec<'d, T, N> {
    /// Creates a constant: the value with every tangent 0.
    ///
    /// ```
    /// use adjoint_tape::forward::DualVec;
    /// let c = DualVec::<f64, 3>::constant(2.0);
    /// assert_eq!(c.tangents(), [0.0; 3]);
    /// ```
    #[inline]
    pub fn constant(value: T) -> Self {
        Self::from_lanes(value, None)
    }

    /// Creates an independent variable seeded in lane `lane`: tangent 1
    /// there and 0 in the other lanes.
    ///
    /// ```
    /// use adjoint_tape::forward::DualVec;
    /// let x = DualVec::<f64, 2>::variable(3.0, 1);
    /// assert_eq!(x.powi(2).tangents(), [0.0, 6.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `lane >= N`.
    #[inline]
    pub fn variable(value: T, lane: usize) -> Self {
        assert!(
            lane < N,
            "lane {lane} does not exist in a DualVec of {N} lanes: use a lane below {N}"
        );
        let mut tangents = [T::zero(); N];
        tangents[lane] = T::one();
        Self::new(value, tangents)
    }

    /// Returns the primal value.
    ///
    /// ```
    /// assert_eq!(adjoint_tape::forward::DualVec::new(1.5, [2.0]).value(), 1.5);
    /// ```
    #[inline]
    pub fn value(self) -> T {
        self.value
    }

    /// Returns all tangents: the derivatives along the `N` seeded
    /// directions.
    ///
    /// ```
    /// let x = adjoint_tape::forward::DualVec::new(1.0, [2.0, 3.0]);
    /// assert_eq!(x.tangents(), [2.0, 3.0]);
    /// ```
    #[inline]
    pub fn tangents(self) -> [T; N] {
        self.tangents.unwrap_or([T::zero(); N])
    }

    /// Returns the tangent of lane `lane`.
    ///
    /// ```
    /// let x = adjoint_tape::forward::DualVec::new(1.0, [2.0, 3.0]);
    /// assert_eq!(x.tangent(1), 3.0);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `lane >= N`.
    #[inline]
    pub fn tangent(self, lane: usize) -> T {
        assert!(
            lane < N,
            "lane {lane} does not exist in a DualVec of {N} lanes: use a lane below {N}"
        );
        self.tangents.map_or(T::zero(), |tangents| tangents[lane])
    }

    /// Absolute value; derivative `sign x` in every lane, with
    /// `abs'(0) = 0` where the argument crosses zero, as for
    /// [`Dual::abs`](super::Dual::abs). Where a lane only touches zero
    /// (value and that lane's first-order tangent both zero), the sign of
    /// the lane's first nonzero higher-order term is used.
    ///
    /// ```
    /// use adjoint_tape::forward::DualVec;
    /// let x = DualVec::<f64, 2>::new(-2.0, [1.0, 3.0]);
    /// assert_eq!(x.abs().tangents(), [-1.0, -3.0]);
    /// assert_eq!(DualVec::<f64, 2>::new(0.0, [1.0, -1.0]).abs().tangents(), [0.0, 0.0]);
    /// ```
    #[inline]
    pub fn abs(self) -> Self {
        let value = self.value;
        let tangents = self
            .tangents
            .map(|tangents| tangents.map(|t| T::scale_tangent(abs_partial(value, t), t)));
        Self::from_lanes(value.abs(), tangents)
    }

    /// Returns whether every tangent is zero (in every coefficient, when nested).
    #[inline]
    pub(crate) fn tangent_is_zero(self) -> bool {
        self.tangents
            .is_none_or(|tangents| tangents.iter().all(|t| t.is_zero()))
    }

    /// Returns the result of a function of `self` with primal `value` and partial
    /// derivative `partial`.
    #[inline(always)]
    pub(crate) fn unary(self, value: T, partial: T) -> Self {
        let tangents = self
            .tangents
            .as_ref()
            .map(|tangents| scale_lanes(partial, tangents));
        Self::from_lanes(value, tangents)
    }

    /// Returns the result of a function of `self` whose partial is the
    /// constant 1 or -1, as in `x + c` and `-x`, which needs no
    /// zero-tangent rule.
    ///
    /// NOTE: a lane of `±0` comes out as `∓0` for the partial -1, and a
    /// skipped constant adds no `+0`, so a zero lane may have the other
    /// sign than [`Dual`](super::Dual) gives. Canonicalizing it would put an
    /// addition on the lanes of every accumulator that sums constants.
    #[inline(always)]
    pub(crate) fn unary_linear(self, value: T, partial: T) -> Self {
        let tangents = self.tangents.map(|tangents| tangents.map(|t| partial * t));
        Self::from_lanes(value, tangents)
    }

    /// Returns the result of a function of `self` and `other`.
    #[inline(always)]
    pub(crate) fn binary(self, other: Self, value: T, d_self: T, d_other: T) -> Self {
        let left = self
            .tangents
            .as_ref()
            .map(|tangents| scale_lanes(d_self, tangents));
        let right = other
            .tangents
            .as_ref()
            .map(|tangents| scale_lanes(d_other, tangents));
        Self::from_lanes(value, add_lanes(left, right))
    }

    /// Returns the result of a function of `self` and `other` whose
    /// partials are the constants 1 or -1, as in `x + y` and `x - y`.
    #[inline(always)]
    pub(crate) fn binary_linear(self, other: Self, value: T, d_self: T, d_other: T) -> Self {
        let left = self
            .tangents
            .as_ref()
            .map(|tangents| tangents.map(|t| d_self * t));
        let right = other
            .tangents
            .as_ref()
            .map(|tangents| tangents.map(|t| d_other * t));
        Self::from_lanes(value, add_lanes(left, right))
    }

    /// Returns the result of a function of three operands.
    #[inline]
    pub(crate) fn ternary(operands: [Self; 3], value: T, partials: [T; 3]) -> Self {
        let mut sum: Option<[T; N]> = None;
        for (operand, partial) in operands.into_iter().zip(partials) {
            let Some(tangents) = operand.tangents else {
                continue;
            };
            let term = scale_lanes(partial, &tangents);
            sum = add_lanes(sum, Some(term));
        }
        Self::from_lanes(value, sum)
    }
}

/// Returns `partial · tangents[lane]` in every lane, zero where the lane is
/// zero, with [`Coefficient::scale_tangent`]: for `f64` lanes a masked
/// product, which compiles to vector instructions without a branch.
#[inline(always)]
fn scale_lanes<T: Coefficient, const N: usize>(partial: T, tangents: &[T; N]) -> [T; N] {
    tangents.map(|t| T::scale_tangent(partial, t))
}

/// Returns the lane sums of two sets of lanes, either of which may be a
/// constant's (`None`), which adds nothing.
#[inline(always)]
fn add_lanes<T: Coefficient, const N: usize>(
    left: Option<[T; N]>,
    right: Option<[T; N]>,
) -> Option<[T; N]> {
    match (left, right) {
        (Some(left), Some(right)) => Some(array::from_fn(|lane| left[lane] + right[lane])),
        (Some(lanes), None) | (None, Some(lanes)) => Some(lanes),
        (None, None) => None,
    }
}

/// Shows the value and every lane; a constant shows zero lanes.
impl<T: Coefficient + fmt::Debug, const N: usize> fmt::Debug for DualVec<'_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DualVec")
            .field("value", &self.value)
            .field("tangents", &self.tangents())
            .finish()
    }
}

/// Shows the primal value only, as `Var` does; `{:?}` shows the tangents
/// too.
impl<T: fmt::Display, const N: usize> fmt::Display for DualVec<'_, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<T: Coefficient, const N: usize> Coefficient for DualVec<'_, T, N> {
    /// Returns the sign of the value's leading coefficient, or where that
    /// is zero the common sign of the lanes' leading coefficients. Two
    /// lanes that disagree give `None`, because no one sign describes the
    /// number then.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use adjoint_tape::forward::{Coefficient, DualVec};
    /// assert_eq!(DualVec::new(0.0, [0.0, 2.0]).leading_sign(), Some(Ordering::Greater));
    /// assert_eq!(DualVec::new(0.0, [-1.0, 2.0]).leading_sign(), None);
    /// ```
    fn leading_sign(self) -> Option<Ordering> {
        match self.value.leading_sign() {
            Some(Ordering::Equal) => {}
            sign => return sign,
        }
        let mut common = Ordering::Equal;
        for tangent in self.tangents.into_iter().flatten() {
            match (common, tangent.leading_sign()?) {
                (_, Ordering::Equal) => {}
                (Ordering::Equal, sign) => common = sign,
                (held, sign) if held != sign => return None,
                _ => {}
            }
        }
        Some(common)
    }
}

dual_arithmetic!([<'d, T: Coefficient, const N: usize>] DualVec<'d, T, N>);
dual_num_traits!([<'d, T: Coefficient, const N: usize>] DualVec<'d, T, N>);
dual_elementary!(
    [<'d, T: Coefficient, const N: usize>] DualVec<'d, T, N>,
    "adjoint_tape::forward::DualVec::<f64, 2>::variable(",
    ", 0)",
    "adjoint_tape::forward::DualVec::<f64, 2>::constant",
    ".tangent(0)"
);

#[cfg(test)]
mod tests {
    use num_traits::Zero;

    use super::DualVec;

    #[test]
    fn is_zero_needs_every_lane_zero() {
        assert!(DualVec::new(0.0, [0.0, 0.0]).is_zero());
        assert!(!DualVec::new(0.0, [0.0, 1.0]).is_zero());
    }

    #[test]
    fn lanes_carry_independent_derivatives() {
        let x = DualVec::<f64, 3>::variable(2.0, 0);
        let y = DualVec::<f64, 3>::variable(5.0, 2);
        let f = x * y + x.exp();
        assert_eq!(f.tangents(), [5.0 + 2.0_f64.exp(), 0.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "lane 2 does not exist in a DualVec of 2 lanes")]
    fn variable_rejects_missing_lane() {
        let _ = DualVec::<f64, 2>::variable(1.0, 2);
    }
}
