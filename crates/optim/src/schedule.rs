//! Learning-rate schedules: step decay, exponential decay, cosine annealing
//! and linear warm-up, each a function from the step (or epoch) number to a
//! learning rate.
//!
//! A schedule has no optimizer and no state. Each step (or epoch) of a
//! training loop asks it for the learning rate and hands that to the
//! optimizer, so one schedule type serves every optimizer:
//!
//! ```
//! use adjoint_optim::schedule::{LrScheduler, StepLr};
//! use adjoint_optim::{Optimizer, Sgd};
//!
//! let schedule = StepLr::new(0.1, 2, 0.5);
//! let mut sgd = Sgd::new(0.1);
//! let mut params = vec![0.0_f64];
//! for epoch in 0..4 {
//!     schedule.apply(&mut sgd, epoch);
//!     sgd.step(&mut params, &[1.0]);
//! }
//! // 0.1 + 0.1 + 0.05 + 0.05
//! assert!((params[0] + 0.3).abs() < 1e-15);
//! ```

use num_traits::Float;

use crate::adam::constant;
use crate::error::{
    Error, check_count, check_fraction, check_non_negative, check_positive, expect_valid,
};
use crate::optimizer::Optimizer;

/// A learning-rate schedule: the learning rate for each step (or epoch)
/// number, counting from 0.
///
/// ```
/// use adjoint_optim::schedule::{ExponentialLr, LrScheduler};
///
/// let schedule = ExponentialLr::new(1.0, 0.5);
/// let rates: Vec<f64> = (0..4).map(|t| schedule.learning_rate(t)).collect();
/// assert_eq!(rates, [1.0, 0.5, 0.25, 0.125]);
/// ```
pub trait LrScheduler<T: Float = f64> {
    /// Returns the learning rate for step (or epoch) `step`, counting from 0.
    ///
    /// ```
    /// use adjoint_optim::schedule::{LrScheduler, StepLr};
    ///
    /// assert_eq!(StepLr::new(1.0, 10, 0.1).learning_rate(9), 1.0);
    /// ```
    fn learning_rate(&self, step: usize) -> T;

    /// Sets the optimizer's learning rate to the one for `step`.
    ///
    /// # Panics
    ///
    /// If the schedule returns a negative, infinite or NaN learning rate,
    /// which the schedules of this crate never do.
    ///
    /// ```
    /// use adjoint_optim::schedule::{CosineAnnealingLr, LrScheduler};
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// let schedule = CosineAnnealingLr::new(1e-3, 0.0, 100);
    /// let mut adam = Adam::new(1e-3);
    /// schedule.apply(&mut adam, 100);
    /// assert_eq!(adam.learning_rate(), 0.0);
    /// ```
    #[track_caller]
    fn apply(&self, optimizer: &mut dyn Optimizer<T>, step: usize) {
        optimizer.set_learning_rate(self.learning_rate(step));
    }
}

/// Converts a step number to `T`, rounding past 2^53 (f64) or 2^24 (f32).
fn step_to_float<T: Float>(step: usize) -> T {
    T::from(step).unwrap_or_else(T::infinity)
}

/// Step decay: the initial rate times γ^⌊t / step_size⌋, as
/// torch.optim.lr_scheduler.StepLR.
///
/// ```
/// use adjoint_optim::schedule::{LrScheduler, StepLr};
///
/// let schedule = StepLr::new(0.1_f64, 30, 0.1);
/// assert_eq!(schedule.learning_rate(29), 0.1);
/// assert!((schedule.learning_rate(30) - 0.01).abs() < 1e-17);
/// assert!((schedule.learning_rate(65) - 0.001).abs() < 1e-18);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLr<T = f64> {
    initial_lr: T,
    step_size: usize,
    gamma: T,
}

impl<T: Float> StepLr<T> {
    /// Creates a step decay from `initial_lr` by the factor `gamma` every
    /// `step_size` steps.
    ///
    /// # Panics
    ///
    /// As [`try_new`](StepLr::try_new) returns an error, with its message.
    ///
    /// ```
    /// use adjoint_optim::schedule::{LrScheduler, StepLr};
    ///
    /// assert_eq!(StepLr::new(1.0, 1, 0.5).learning_rate(3), 0.125);
    /// ```
    #[track_caller]
    pub fn new(initial_lr: T, step_size: usize, gamma: T) -> Self {
        expect_valid(Self::try_new(initial_lr, step_size, gamma))
    }

    /// Creates a step decay, or returns an error naming the invalid value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if `initial_lr` is not positive and
    /// finite or `gamma` is outside (0, 1]; [`Error::InvalidCount`] if
    /// `step_size` is 0.
    ///
    /// ```
    /// use adjoint_optim::schedule::StepLr;
    ///
    /// let message = StepLr::try_new(0.1, 0, 0.5).unwrap_err().to_string();
    /// assert_eq!(message, "step size must be at least 1, got 0");
    /// ```
    pub fn try_new(initial_lr: T, step_size: usize, gamma: T) -> Result<Self, Error> {
        Ok(Self {
            initial_lr: check_positive("initial learning rate", initial_lr)?,
            step_size: check_count("step size", step_size)?,
            gamma: check_fraction("gamma", gamma)?,
        })
    }
}

impl<T: Float> LrScheduler<T> for StepLr<T> {
    fn learning_rate(&self, step: usize) -> T {
        let decays = step / self.step_size;
        self.initial_lr * self.gamma.powf(step_to_float(decays))
    }
}

/// Exponential decay: the initial rate times γ^t, as
/// torch.optim.lr_scheduler.ExponentialLR.
///
/// ```
/// use adjoint_optim::schedule::{ExponentialLr, LrScheduler};
///
/// let schedule = ExponentialLr::new(0.1_f64, 0.9);
/// assert_eq!(schedule.learning_rate(0), 0.1);
/// assert!((schedule.learning_rate(2) - 0.081).abs() < 1e-16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialLr<T = f64> {
    initial_lr: T,
    gamma: T,
}

impl<T: Float> ExponentialLr<T> {
    /// Creates an exponential decay from `initial_lr` by the factor `gamma`
    /// per step.
    ///
    /// # Panics
    ///
    /// As [`try_new`](ExponentialLr::try_new) returns an error, with its
    /// message.
    ///
    /// ```
    /// use adjoint_optim::schedule::{ExponentialLr, LrScheduler};
    ///
    /// assert_eq!(ExponentialLr::new(2.0, 0.5).learning_rate(1), 1.0);
    /// ```
    #[track_caller]
    pub fn new(initial_lr: T, gamma: T) -> Self {
        expect_valid(Self::try_new(initial_lr, gamma))
    }

    /// Creates an exponential decay, or returns an error naming the invalid
    /// value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if `initial_lr` is not positive and
    /// finite or `gamma` is outside (0, 1].
    ///
    /// ```
    /// use adjoint_optim::schedule::ExponentialLr;
    ///
    /// let message = ExponentialLr::try_new(0.1, 1.5).unwrap_err().to_string();
    /// assert_eq!(message, "gamma must be in (0, 1], got 1.5");
    /// ```
    pub fn try_new(initial_lr: T, gamma: T) -> Result<Self, Error> {
        Ok(Self {
            initial_lr: check_positive("initial learning rate", initial_lr)?,
            gamma: check_fraction("gamma", gamma)?,
        })
    }
}

impl<T: Float> LrScheduler<T> for ExponentialLr<T> {
    fn learning_rate(&self, step: usize) -> T {
        self.initial_lr * self.gamma.powf(step_to_float(step))
    }
}

/// Cosine annealing from the initial rate η_max down to `min_lr` η_min over
/// `period` steps T, in the closed form that
/// torch.optim.lr_scheduler.CosineAnnealingLR documents:
/// η_t = η_min + (η_max − η_min)(1 + cos(πt / T)) / 2.
///
/// Past T the cosine goes on, so the rate climbs back to η_max at 2T, as
/// PyTorch's scheduler does. There are no warm restarts.
///
/// ```
/// use adjoint_optim::schedule::{CosineAnnealingLr, LrScheduler};
///
/// let schedule = CosineAnnealingLr::new(0.1_f64, 0.0, 10);
/// assert_eq!(schedule.learning_rate(0), 0.1);
/// assert!((schedule.learning_rate(5) - 0.05).abs() < 1e-16);
/// assert_eq!(schedule.learning_rate(10), 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealingLr<T = f64> {
    initial_lr: T,
    min_lr: T,
    period: usize,
}

impl<T: Float> CosineAnnealingLr<T> {
    /// Creates cosine annealing from `initial_lr` to `min_lr` over `period`
    /// steps.
    ///
    /// # Panics
    ///
    /// As [`try_new`](CosineAnnealingLr::try_new) returns an error, with its
    /// message.
    ///
    /// ```
    /// use adjoint_optim::schedule::{CosineAnnealingLr, LrScheduler};
    ///
    /// let schedule = CosineAnnealingLr::new(1.0_f64, 0.5, 4);
    /// // 0.5 + 0.5 * (1 + cos(π/2)) / 2 = 0.75
    /// assert!((schedule.learning_rate(2) - 0.75).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn new(initial_lr: T, min_lr: T, period: usize) -> Self {
        expect_valid(Self::try_new(initial_lr, min_lr, period))
    }

    /// Creates cosine annealing, or returns an error naming the invalid
    /// value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if `initial_lr` is not positive and
    /// finite or `min_lr` is negative or not finite;
    /// [`Error::InvalidCount`] if `period` is 0.
    ///
    /// ```
    /// use adjoint_optim::schedule::CosineAnnealingLr;
    ///
    /// let message = CosineAnnealingLr::try_new(0.1, -0.1, 10).unwrap_err().to_string();
    /// assert_eq!(message, "minimum learning rate must be non-negative and finite, got -0.1");
    /// ```
    pub fn try_new(initial_lr: T, min_lr: T, period: usize) -> Result<Self, Error> {
        Ok(Self {
            initial_lr: check_positive("initial learning rate", initial_lr)?,
            min_lr: check_non_negative("minimum learning rate", min_lr)?,
            period: check_count("period", period)?,
        })
    }
}

impl<T: Float> LrScheduler<T> for CosineAnnealingLr<T> {
    fn learning_rate(&self, step: usize) -> T {
        let pi: T = constant(std::f64::consts::PI);
        let two = T::one() + T::one();
        // Reduce t modulo 2T first: the cosine has period 2T, and a small
        // argument keeps cos accurate for large step numbers.
        let phase = match self.period.checked_mul(2) {
            Some(full_period) => step % full_period,
            None => step,
        };
        // At a half period cos(π) is -1 only up to rounding, so the minimum
        // is returned exactly there.
        if phase == self.period {
            return self.min_lr;
        }
        let angle = pi * step_to_float::<T>(phase) / step_to_float(self.period);
        self.min_lr + (self.initial_lr - self.min_lr) * (T::one() + angle.cos()) / two
    }
}

/// Linear warm-up in front of another schedule: the rate rises linearly from
/// `start_factor` times the other schedule's first rate to that rate over
/// `warmup_steps` steps, then the other schedule runs from its step 0.
///
/// The warm-up factor follows torch.optim.lr_scheduler.LinearLR from
/// `start_factor` to 1; chaining it with another schedule is what PyTorch's
/// SequentialLR does.
///
/// ```
/// use adjoint_optim::schedule::{CosineAnnealingLr, LinearWarmup, LrScheduler};
///
/// let schedule = LinearWarmup::new(4, 0.25, CosineAnnealingLr::new(0.1_f64, 0.0, 100));
/// assert!((schedule.learning_rate(0) - 0.025).abs() < 1e-17);
/// assert!((schedule.learning_rate(2) - 0.0625).abs() < 1e-17);
/// assert_eq!(schedule.learning_rate(4), 0.1);
/// assert_eq!(schedule.learning_rate(104), 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearWarmup<S, T = f64> {
    warmup_steps: usize,
    start_factor: T,
    after: S,
}

impl<T: Float, S: LrScheduler<T>> LinearWarmup<S, T> {
    /// Creates a warm-up of `warmup_steps` steps from `start_factor` times
    /// the first rate of `after`.
    ///
    /// # Panics
    ///
    /// As [`try_new`](LinearWarmup::try_new) returns an error, with its
    /// message.
    ///
    /// ```
    /// use adjoint_optim::schedule::{ExponentialLr, LinearWarmup, LrScheduler};
    ///
    /// let schedule = LinearWarmup::new(2, 0.5, ExponentialLr::new(1.0, 0.5));
    /// let rates: Vec<f64> = (0..5).map(|t| schedule.learning_rate(t)).collect();
    /// assert_eq!(rates, [0.5, 0.75, 1.0, 0.5, 0.25]);
    /// ```
    #[track_caller]
    pub fn new(warmup_steps: usize, start_factor: T, after: S) -> Self {
        expect_valid(Self::try_new(warmup_steps, start_factor, after))
    }

    /// Creates a warm-up, or returns an error naming the invalid value.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] if `warmup_steps` is 0;
    /// [`Error::InvalidHyperparameter`] if `start_factor` is outside (0, 1],
    /// as PyTorch's LinearLR requires.
    ///
    /// ```
    /// use adjoint_optim::schedule::{ExponentialLr, LinearWarmup};
    ///
    /// let after = ExponentialLr::new(0.1, 0.9);
    /// let message = LinearWarmup::try_new(10, 0.0, after).unwrap_err().to_string();
    /// assert_eq!(message, "start factor must be in (0, 1], got 0.0");
    /// ```
    pub fn try_new(warmup_steps: usize, start_factor: T, after: S) -> Result<Self, Error> {
        Ok(Self {
            warmup_steps: check_count("warm-up steps", warmup_steps)?,
            start_factor: check_fraction("start factor", start_factor)?,
            after,
        })
    }
}

impl<T: Float, S: LrScheduler<T>> LrScheduler<T> for LinearWarmup<S, T> {
    fn learning_rate(&self, step: usize) -> T {
        if step >= self.warmup_steps {
            return self.after.learning_rate(step - self.warmup_steps);
        }
        let progress = step_to_float::<T>(step) / step_to_float(self.warmup_steps);
        let factor = self.start_factor + (T::one() - self.start_factor) * progress;
        self.after.learning_rate(0) * factor
    }
}
