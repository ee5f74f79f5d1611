//! The number types that dual numbers carry.

use std::cmp::Ordering;

use num_traits::Float;

/// A number type that the value and the tangents of a dual number can
/// hold: `f32`, `f64`, and the dual numbers themselves, whose nesting gives
/// higher derivatives.
///
/// Beyond [`Float`], an implementation promises two things:
///
/// - `is_zero` is true only when the whole number is zero. For a dual
///   number that means the value and every tangent, which lets forward mode
///   skip a zero tangent exactly as the reverse sweep skips a zero adjoint.
/// - [`leading_sign`](Self::leading_sign) reads the number as a truncated
///   Taylor expansion and returns the sign of its first nonzero coefficient.
///
/// The tape's [`Var`](crate::Var) is not a `Coefficient`: its `is_zero`
/// reads only the primal value, so dual numbers over tape variables
/// (reverse over forward) are not supported. Forward over reverse, a tape
/// over dual numbers, is (see [`hessian_vector_product`](crate::hessian_vector_product)).
///
/// ```
/// use std::cmp::Ordering;
/// use adjoint_tape::forward::{Coefficient, Dual};
///
/// assert_eq!(2.0_f64.leading_sign(), Some(Ordering::Greater));
/// assert_eq!((-0.0_f64).leading_sign(), Some(Ordering::Equal));
/// // 0 + (-3)ε: zero value, negative first-order term.
/// assert_eq!(Dual::new(0.0, -3.0).leading_sign(), Some(Ordering::Less));
/// assert_eq!(f64::NAN.leading_sign(), None);
/// ```
pub trait Coefficient: Float {
    /// Returns the sign of the first nonzero coefficient: the value first,
    /// then the tangents. `Some(Ordering::Equal)` means every coefficient
    /// is zero, and `None` means a NaN came first or two tangent lanes
    /// disagree in sign.
    ///
    /// ```
    /// use adjoint_tape::forward::{Coefficient, Dual};
    ///
    /// // Value 0, first-order term 0, second-order term -2: negative.
    /// let u = Dual::new(Dual::new(0.0, 0.0), Dual::new(0.0, -2.0));
    /// assert_eq!(u.leading_sign(), Some(std::cmp::Ordering::Less));
    /// ```
    fn leading_sign(self) -> Option<Ordering>;

    /// Returns `partial · tangent`, or zero where `tangent` is zero, even
    /// where `partial` is infinite or NaN: forward mode's rule for the
    /// contribution of one operand to a tangent.
    ///
    /// The provided method branches on [`is_zero`](num_traits::Zero::is_zero).
    /// `f64` and `f32` override it with the same result computed without a
    /// branch, because a branch per tangent is slow on the hot path.
    ///
    /// ```
    /// use adjoint_tape::forward::{Coefficient, Dual};
    ///
    /// assert_eq!(f64::scale_tangent(3.0, 2.0), 6.0);
    /// assert_eq!(f64::scale_tangent(f64::INFINITY, 0.0), 0.0);
    /// let d = Dual::scale_tangent(Dual::constant(f64::NAN), Dual::constant(0.0));
    /// assert_eq!((d.value(), d.tangent()), (0.0, 0.0));
    /// ```
    #[inline]
    fn scale_tangent(partial: Self, tangent: Self) -> Self {
        if tangent.is_zero() {
            Self::zero()
        } else {
            partial * tangent
        }
    }
}

impl Coefficient for f64 {
    /// Returns the sign of the value; `-0.0` counts as zero.
    ///
    /// ```
    /// use adjoint_tape::forward::Coefficient;
    /// assert_eq!((-1.5_f64).leading_sign(), Some(std::cmp::Ordering::Less));
    /// ```
    #[inline]
    fn leading_sign(self) -> Option<Ordering> {
        self.partial_cmp(&0.0)
    }

    /// Returns `partial · tangent`, or `+0.0` where `tangent` is `±0.0`,
    /// by masking the product's bits instead of branching.
    ///
    /// ```
    /// use adjoint_tape::forward::Coefficient;
    /// assert_eq!(f64::scale_tangent(-2.0, 1.5), -3.0);
    /// assert!(f64::scale_tangent(f64::INFINITY, -0.0).is_sign_positive());
    /// ```
    #[inline]
    fn scale_tangent(partial: Self, tangent: Self) -> Self {
        let keep = u64::from(tangent != 0.0).wrapping_neg();
        Self::from_bits((partial * tangent).to_bits() & keep)
    }
}

impl Coefficient for f32 {
    /// Returns the sign of the value; `-0.0` counts as zero.
    ///
    /// ```
    /// use adjoint_tape::forward::Coefficient;
    /// assert_eq!(0.5_f32.leading_sign(), Some(std::cmp::Ordering::Greater));
    /// ```
    #[inline]
    fn leading_sign(self) -> Option<Ordering> {
        self.partial_cmp(&0.0)
    }

    /// Returns `partial · tangent`, or `+0.0` where `tangent` is `±0.0`,
    /// by masking the product's bits instead of branching.
    ///
    /// ```
    /// use adjoint_tape::forward::Coefficient;
    /// assert_eq!(f32::scale_tangent(-2.0, 1.5), -3.0);
    /// assert!(f32::scale_tangent(f32::INFINITY, -0.0).is_sign_positive());
    /// ```
    #[inline]
    fn scale_tangent(partial: Self, tangent: Self) -> Self {
        let keep = u32::from(tangent != 0.0).wrapping_neg();
        Self::from_bits((partial * tangent).to_bits() & keep)
    }
}

/// Returns `partial · tangent`, or zero where the tangent is zero.
///
/// A zero tangent means the number does not depend on the seeded input, so
/// it contributes nothing even where the partial is infinite or NaN. This
/// is the forward-mode twin of the reverse sweep's zero-adjoint rule. It
/// keeps `a · exp(-b)` at `b = -1000` from turning `inf · 0` into NaN.
#[inline]
pub(crate) fn scale<T: Coefficient>(partial: T, tangent: T) -> T {
    T::scale_tangent(partial, tangent)
}

/// Returns `d_left · left + d_right · right`, each term zero where its
/// tangent is zero (as in [`scale`]).
#[inline]
pub(crate) fn combine<T: Coefficient>(d_left: T, left: T, d_right: T, right: T) -> T {
    T::scale_tangent(d_left, left) + T::scale_tangent(d_right, right)
}

/// Returns `partial · tangent` for a partial of 1 or -1, equal to
/// [`scale`] to the bit without its mask.
///
/// Such a partial is finite, so only the sign of a zero can differ from
/// the rule: `-1 · 0` is `-0`, where the rule gives `+0`. Adding `+0`
/// turns `-0` into `+0` and leaves every other number as it is.
#[inline]
pub(crate) fn scale_linear<T: Coefficient>(partial: T, tangent: T) -> T {
    partial * tangent + T::zero()
}

/// Returns `d_left · left + d_right · right` for partials of 1 or -1,
/// equal to [`combine`] to the bit without its masks, as in
/// [`scale_linear`].
///
/// Terms of ±1 times a nonzero tangent are nonzero, so the plain sum is
/// `-0` only where both tangents are zero, and adding `+0` gives the
/// rule's `+0` there.
#[inline]
pub(crate) fn combine_linear<T: Coefficient>(d_left: T, left: T, d_right: T, right: T) -> T {
    d_left * left + d_right * right + T::zero()
}

/// Returns -1, 0 or 1 as `T` for a sign, 0 for an unknown sign.
#[inline]
pub(crate) fn sign_to_unit<T: Coefficient>(sign: Option<Ordering>) -> T {
    match sign {
        Some(Ordering::Less) => -T::one(),
        Some(Ordering::Greater) => T::one(),
        Some(Ordering::Equal) | None => T::zero(),
    }
}

/// Returns the partial derivative of `abs` at `value` for the tangent
/// `tangent`, refining the convention `abs'(0) = 0` where it loses a
/// derivative that exists.
///
/// Where the value is exactly zero (every coefficient) and the tangent's
/// own primal is zero too, the argument touches zero without crossing it
/// at first order, as `-x²` does at `x = 0`. Then `|u|` is smooth and
/// equals `±u`, with the sign of `u`'s first nonzero higher-order
/// coefficient, so that sign is the partial. Everywhere else this is
/// [`rules::abs`](crate::rules::abs): `sign x`, and 0 at a zero that the
/// argument crosses (a true kink).
#[inline]
pub(crate) fn abs_partial<T: Coefficient>(value: T, tangent: T) -> T {
    let (_, partial) = crate::rules::abs(value);
    if value.is_zero() && tangent == T::zero() {
        sign_to_unit(tangent.leading_sign())
    } else {
        partial
    }
}

#[cfg(test)]
mod tests {
    use super::Coefficient;

    #[test]
    fn scale_tangent_masks_to_positive_zero() {
        for tangent in [0.0, -0.0] {
            let scaled = f64::scale_tangent(f64::NAN, tangent);
            assert_eq!(scaled.to_bits(), 0.0_f64.to_bits());
            let scaled = f32::scale_tangent(f32::INFINITY, tangent as f32);
            assert_eq!(scaled.to_bits(), 0.0_f32.to_bits());
        }
        assert_eq!(f64::scale_tangent(2.0, -0.5), -1.0);
        assert!(f64::scale_tangent(f64::NAN, 1.0).is_nan());
    }
}
