//! The crate's error type and the hyperparameter checks that produce it.

use num_traits::Float;

/// Errors from building an optimizer, a schedule or a clipping call, and
/// from a step whose slices do not fit the optimizer.
///
/// Hyperparameter values are reported as `f64` and printed in Rust's
/// `Debug` form (`1.0`, `1e-10`, `NaN`). An `f32` value shows its exact
/// binary value widened to `f64`, so `-0.1_f32` appears as
/// `-0.10000000149011612`.
///
/// ```
/// use adjoint_optim::{Error, SgdConfig};
///
/// let config = SgdConfig { lr: -0.1, ..SgdConfig::default() };
/// let error = config.build().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "learning rate must be positive and finite, got -0.1"
/// );
/// assert!(matches!(error, Error::InvalidHyperparameter { name: "learning rate", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hyperparameter is outside its valid range.
    #[error("{name} must be {expected}, got {value:?}")]
    InvalidHyperparameter {
        /// The hyperparameter, as the message names it (`"learning rate"`,
        /// `"momentum"`, `"beta2"`, …).
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range, in words (`"in [0, 1)"`).
        expected: &'static str,
    },

    /// A count such as a schedule's step size or period is zero.
    #[error("{name} must be at least 1, got {value}")]
    InvalidCount {
        /// The count, as the message names it (`"step size"`, `"period"`).
        name: &'static str,
        /// The rejected value.
        value: usize,
    },

    /// Nesterov momentum was requested without momentum or with dampening.
    #[error(
        "Nesterov momentum requires momentum > 0 and dampening 0, got momentum {momentum:?} \
         and dampening {dampening:?}; set .momentum(m) with m in (0, 1) and .dampening(0.0), \
         or turn Nesterov off"
    )]
    NesterovRequiresMomentum {
        /// The momentum set when the step was attempted.
        momentum: f64,
        /// The dampening set when the step was attempted.
        dampening: f64,
    },

    /// The parameter and gradient slices have different lengths.
    #[error(
        "parameter and gradient slices differ in length (params: {params}, grads: {grads}); \
         pass one gradient per parameter"
    )]
    LengthMismatch {
        /// Length of the parameter slice.
        params: usize,
        /// Length of the gradient slice.
        grads: usize,
    },

    /// The parameter slice has a different length than at the optimizer's
    /// first step, whose length sized its state.
    #[error(
        "parameter slice length changed between steps: the optimizer's state has length \
         {expected}, this step passed length {found}; call reset() before reusing the \
         optimizer on a parameter vector of another length"
    )]
    LengthChanged {
        /// The length the optimizer's state was sized for.
        expected: usize,
        /// The length passed to this step.
        found: usize,
    },
}

/// Widens a hyperparameter for an error message (NaN if it has no `f64` value).
pub(crate) fn to_f64<T: Float>(value: T) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

fn invalid<T: Float>(name: &'static str, value: T, expected: &'static str) -> Error {
    Error::InvalidHyperparameter {
        name,
        value: to_f64(value),
        expected,
    }
}

/// Checks that `value` is finite and greater than zero.
pub(crate) fn check_positive<T: Float>(name: &'static str, value: T) -> Result<T, Error> {
    if value > T::zero() && value.is_finite() {
        Ok(value)
    } else {
        Err(invalid(name, value, "positive and finite"))
    }
}

/// Checks that `value` is finite and not negative.
pub(crate) fn check_non_negative<T: Float>(name: &'static str, value: T) -> Result<T, Error> {
    if value >= T::zero() && value.is_finite() {
        Ok(value)
    } else {
        Err(invalid(name, value, "non-negative and finite"))
    }
}

/// Checks that `value` lies in the half-open interval [0, 1).
pub(crate) fn check_below_one<T: Float>(name: &'static str, value: T) -> Result<T, Error> {
    if value >= T::zero() && value < T::one() {
        Ok(value)
    } else {
        Err(invalid(name, value, "in [0, 1)"))
    }
}

/// Checks that `value` lies in the closed interval [0, 1].
pub(crate) fn check_unit_interval<T: Float>(name: &'static str, value: T) -> Result<T, Error> {
    if value >= T::zero() && value <= T::one() {
        Ok(value)
    } else {
        Err(invalid(name, value, "in [0, 1]"))
    }
}

/// Checks that `value` lies in the half-open interval (0, 1].
pub(crate) fn check_fraction<T: Float>(name: &'static str, value: T) -> Result<T, Error> {
    if value > T::zero() && value <= T::one() {
        Ok(value)
    } else {
        Err(invalid(name, value, "in (0, 1]"))
    }
}

/// Checks an optimizer's learning rate when it is built: positive and
/// finite. A schedule may later set 0, which `check_scheduled_lr` allows.
pub(crate) fn check_lr<T: Float>(lr: T) -> Result<T, Error> {
    check_positive("learning rate", lr)
}

/// Checks the term ε added to a denominator: positive and finite.
pub(crate) fn check_eps<T: Float>(eps: T) -> Result<T, Error> {
    check_positive("eps", eps)
}

/// Checks an L2 or decoupled weight decay: non-negative and finite.
pub(crate) fn check_weight_decay<T: Float>(weight_decay: T) -> Result<T, Error> {
    check_non_negative("weight decay", weight_decay)
}

/// Checks a momentum factor: in [0, 1).
pub(crate) fn check_momentum<T: Float>(momentum: T) -> Result<T, Error> {
    check_below_one("momentum", momentum)
}

/// Checks Adam's decay rates (β1, β2): each in [0, 1), β1 first.
pub(crate) fn check_betas<T: Float>((beta1, beta2): (T, T)) -> Result<(T, T), Error> {
    Ok((
        check_below_one("beta1", beta1)?,
        check_below_one("beta2", beta2)?,
    ))
}

/// Checks that a count such as a step size or a period is at least 1.
pub(crate) fn check_count(name: &'static str, value: usize) -> Result<usize, Error> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(Error::InvalidCount { name, value })
    }
}

/// Unwraps a check's result, panicking with the error's message at the
/// caller's location.
#[track_caller]
pub(crate) fn expect_valid<V>(result: Result<V, Error>) -> V {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{error}"),
    }
}
