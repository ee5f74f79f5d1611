//! Gradient clipping by global L2 norm and by value, as
//! torch.nn.utils.clip_grad_norm_ and clip_grad_value_ do it.

use num_traits::Float;

use crate::adam::constant;
use crate::error::{Error, check_positive, expect_valid};

/// Scales `grads` in place so that their L2 norm is at most about
/// `max_norm`, and returns the norm before clipping.
///
/// As in PyTorch, the scale factor is `max_norm / (norm + 1e-6)` and is
/// applied only when it is below 1, so a clipped gradient's norm lands just
/// under `max_norm`. The norm is computed with the largest magnitude
/// factored out, so it neither overflows nor underflows for finite
/// gradients within the type's range.
///
/// If the norm is NaN or infinite (a NaN or infinite gradient, or a norm
/// past the type's maximum), the gradients are left as they are and that
/// norm is returned, so the caller can skip the step. PyTorch instead scales
/// by the factor of 0 or NaN that such a norm gives.
///
/// # Panics
///
/// If `max_norm` is not positive and finite, with a message naming it.
///
/// ```
/// use adjoint_optim::clip_grad_norm;
///
/// let mut grads = vec![3.0_f64, 4.0];
/// let norm = clip_grad_norm(&mut grads, 1.0);
/// assert_eq!(norm, 5.0);
/// // Each gradient is scaled by 1 / (5 + 1e-6).
/// assert!((grads[0] - 0.6).abs() < 1e-6);
/// assert!((grads[1] - 0.8).abs() < 1e-6);
///
/// // Below the limit nothing changes.
/// let mut small = vec![0.3_f64, 0.4];
/// assert!((clip_grad_norm(&mut small, 1.0) - 0.5).abs() < 1e-16);
/// assert_eq!(small, [0.3, 0.4]);
/// ```
#[track_caller]
pub fn clip_grad_norm<T: Float>(grads: &mut [T], max_norm: T) -> T {
    expect_valid(try_clip_grad_norm(grads, max_norm))
}

/// Scales `grads` in place so that their L2 norm is at most about
/// `max_norm`, and returns the norm before clipping, or returns an error
/// and leaves `grads` untouched.
///
/// Clips as [`clip_grad_norm`] does.
///
/// # Errors
///
/// [`Error::InvalidHyperparameter`] if `max_norm` is not positive and
/// finite.
///
/// ```
/// use adjoint_optim::try_clip_grad_norm;
///
/// let mut grads = vec![3.0_f64, 4.0];
/// let message = try_clip_grad_norm(&mut grads, -1.0).unwrap_err().to_string();
/// assert_eq!(message, "max norm must be positive and finite, got -1.0");
/// assert_eq!(grads, [3.0, 4.0]);
/// ```
pub fn try_clip_grad_norm<T: Float>(grads: &mut [T], max_norm: T) -> Result<T, Error> {
    check_positive("max norm", max_norm)?;
    let norm = l2_norm(grads);
    if !norm.is_finite() {
        return Ok(norm);
    }
    let scale = max_norm / (norm + constant(1e-6));
    if scale < T::one() {
        for g in grads.iter_mut() {
            *g = *g * scale;
        }
    }
    Ok(norm)
}

/// Returns the L2 norm of `values`, NaN if any is NaN.
///
/// The largest magnitude m is factored out, norm = m·√Σ(x/m)², so squaring
/// neither overflows nor underflows.
fn l2_norm<T: Float>(values: &[T]) -> T {
    let mut largest = T::zero();
    for &x in values {
        let magnitude = x.abs();
        if magnitude.is_nan() {
            return magnitude;
        }
        if magnitude > largest {
            largest = magnitude;
        }
    }
    if largest == T::zero() || largest.is_infinite() {
        return largest;
    }
    let sum = values.iter().fold(T::zero(), |sum, &x| {
        let scaled = x / largest;
        sum + scaled * scaled
    });
    largest * sum.sqrt()
}

/// Clamps each gradient in place to [−`clip_value`, `clip_value`]; a NaN
/// gradient stays NaN.
///
/// # Panics
///
/// If `clip_value` is not positive and finite, with a message naming it.
///
/// ```
/// use adjoint_optim::clip_grad_value;
///
/// let mut grads = vec![-3.0_f64, 0.5, 2.0];
/// clip_grad_value(&mut grads, 1.0);
/// assert_eq!(grads, [-1.0, 0.5, 1.0]);
/// ```
#[track_caller]
pub fn clip_grad_value<T: Float>(grads: &mut [T], clip_value: T) {
    expect_valid(try_clip_grad_value(grads, clip_value));
}

/// Clamps each gradient in place to [−`clip_value`, `clip_value`], or
/// returns an error and leaves `grads` untouched.
///
/// # Errors
///
/// [`Error::InvalidHyperparameter`] if `clip_value` is not positive and
/// finite.
///
/// ```
/// use adjoint_optim::try_clip_grad_value;
///
/// let mut grads = vec![-3.0_f64, 0.5];
/// assert!(try_clip_grad_value(&mut grads, 0.0).is_err());
/// assert_eq!(grads, [-3.0, 0.5]);
/// try_clip_grad_value(&mut grads, 2.0)?;
/// assert_eq!(grads, [-2.0, 0.5]);
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
pub fn try_clip_grad_value<T: Float>(grads: &mut [T], clip_value: T) -> Result<(), Error> {
    check_positive("clip value", clip_value)?;
    for g in grads.iter_mut() {
        if *g > clip_value {
            *g = clip_value;
        } else if *g < -clip_value {
            *g = -clip_value;
        }
    }
    Ok(())
}
