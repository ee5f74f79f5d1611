//! The number types a tape records and the scalar trait for generic code.

use std::fmt::Debug;

use num_traits::Float;

/// A floating-point type that a [`Tape`](crate::Tape) can record: `f32`,
/// `f64` and the forward-mode dual numbers (which makes forward-over-reverse
/// second derivatives a matter of nesting).
///
/// Implemented for every `Float + Debug + Send + Sync + 'static` type.
pub trait Real: Float + Debug + Send + Sync + 'static {}

impl<T: Float + Debug + Send + Sync + 'static> Real for T {}

/// The trait to write a numeric function once and run it in every mode:
/// as plain `f64`, as forward-mode dual numbers and as reverse-mode
/// [`Var`](crate::Var)s.
///
/// It is [`num_traits::Float`] plus [`Scalar::from_f64`] for constants.
///
/// ```
/// use adjoint_tape::{Scalar, Tape};
///
/// fn f<S: Scalar>(x: &[S]) -> S {
///     x[0] * x[0] + S::from_f64(3.0) * x[1] * x[1]
/// }
///
/// assert_eq!(f(&[1.0, 1.0]), 4.0);
/// let tape = Tape::new();
/// let x = tape.vars(&[1.0, 1.0]);
/// let grads = f(&x).gradient();
/// assert_eq!(grads.wrt_all(&x), vec![2.0, 6.0]);
/// ```
pub trait Scalar: Float + Debug {
    /// Converts an `f64` constant into this type (a constant, with no
    /// derivative).
    ///
    /// ```
    /// use adjoint_tape::Scalar;
    /// assert_eq!(<f32 as Scalar>::from_f64(0.5), 0.5_f32);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if the type has no value for `c`, which no type of this crate
    /// does (out-of-range constants become infinities, as `as f32` does).
    fn from_f64(c: f64) -> Self {
        Self::from(c).expect("every Scalar converts from an f64 constant")
    }
}

impl<S: Float + Debug> Scalar for S {}
