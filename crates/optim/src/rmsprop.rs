//! RMSprop, as torch.optim.RMSprop documents it.

use num_traits::Float;

use crate::adam::constant;
use crate::error::{
    Error, check_below_one, check_eps, check_lr, check_momentum, check_weight_decay, expect_valid,
};
use crate::optimizer::{Optimizer, check_scheduled_lr};
use crate::state::{StepCounter, penalised_gradient, prepare_buffer};

/// Hyperparameters of [`RmsProp`], with PyTorch's documented defaults.
///
/// This is the fallible way to build an [`RmsProp`]: fill in the fields and
/// call [`build`](RmsPropConfig::build).
///
/// ```
/// use adjoint_optim::RmsPropConfig;
///
/// let rmsprop = RmsPropConfig { lr: 1e-3, centered: true, ..RmsPropConfig::default() }.build()?;
/// assert_eq!(rmsprop.config().lr, 1e-3);
/// assert_eq!(rmsprop.config().alpha, 0.99);
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig<T = f64> {
    /// Learning rate γ, positive and finite (default 1e-2).
    pub lr: T,
    /// Smoothing constant α in [0, 1) of the squared-gradient average
    /// (default 0.99).
    pub alpha: T,
    /// Term ε added to the denominator, positive and finite (default 1e-8).
    pub eps: T,
    /// L2 penalty λ, non-negative, added to the gradient as λθ (default 0).
    pub weight_decay: T,
    /// Momentum factor μ in [0, 1); 0 turns momentum off (default 0).
    pub momentum: T,
    /// Whether to divide by an estimate of the gradient's variance instead
    /// of its second moment (default false).
    pub centered: bool,
    /// Whether to maximise the objective instead (default false).
    pub maximize: bool,
}

impl<T: Float> Default for RmsPropConfig<T> {
    fn default() -> Self {
        Self {
            lr: constant(1e-2),
            alpha: constant(0.99),
            eps: constant(1e-8),
            weight_decay: T::zero(),
            momentum: T::zero(),
            centered: false,
            maximize: false,
        }
    }
}

impl<T: Float> RmsPropConfig<T> {
    /// Checks every hyperparameter.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first value out of range.
    ///
    /// ```
    /// use adjoint_optim::RmsPropConfig;
    ///
    /// let config = RmsPropConfig { alpha: 1.0, ..RmsPropConfig::default() };
    /// let message = config.validate().unwrap_err().to_string();
    /// assert_eq!(message, "alpha must be in [0, 1), got 1.0");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_lr(self.lr)?;
        check_below_one("alpha", self.alpha)?;
        check_eps(self.eps)?;
        check_weight_decay(self.weight_decay)?;
        check_momentum(self.momentum)?;
        Ok(())
    }

    /// Builds an [`RmsProp`] with empty state.
    ///
    /// # Errors
    ///
    /// As [`validate`](RmsPropConfig::validate).
    ///
    /// ```
    /// use adjoint_optim::RmsPropConfig;
    ///
    /// let config = RmsPropConfig { momentum: -0.5, ..RmsPropConfig::default() };
    /// let message = config.build().unwrap_err().to_string();
    /// assert_eq!(message, "momentum must be in [0, 1), got -0.5");
    /// ```
    pub fn build(self) -> Result<RmsProp<T>, Error> {
        self.validate()?;
        Ok(RmsProp::empty(self))
    }
}

/// RMSprop, following torch.optim.RMSprop's update step for step.
///
/// γ is the learning rate, α the smoothing constant, λ the weight decay and
/// μ the momentum. The squared-gradient average v, the gradient average ḡ
/// and the momentum buffer b start at 0. Each step updates each parameter θ
/// with gradient g as follows:
///
/// 1. g ← −g if maximising (before the weight decay, so the decay still
///    pulls θ toward 0);
/// 2. g ← g + λθ if λ ≠ 0;
/// 3. v ← α·v + (1 − α)·g²;
/// 4. centered: ḡ ← α·ḡ + (1 − α)·g and ṽ = v − ḡ², else ṽ = v;
/// 5. with μ > 0: b ← μ·b + g / (√ṽ + ε) and θ ← θ − γ·b;
///    else θ ← θ − γ·g / (√ṽ + ε).
///
/// NOTE: ṽ is clamped at 0 before the square root. PyTorch does not clamp,
/// so where rounding makes ṽ slightly negative (a long run of nearly
/// constant gradients in the centered variant) PyTorch produces NaN and this
/// crate a step of size γ·g / ε.
///
/// The builder methods check each value as it is set and panic on a bad
/// one; [`RmsPropConfig::build`] returns a `Result` instead.
///
/// ```
/// use adjoint_optim::{Optimizer, RmsProp};
///
/// let mut rmsprop = RmsProp::new(0.01).alpha(0.75);
/// let mut params = vec![1.0_f64];
/// rmsprop.step(&mut params, &[2.0]);
/// // v = 0.25 * 4 = 1, θ = 1 - 0.01 * 2 / (1 + 1e-8)
/// assert!((params[0] - 0.98).abs() < 1e-9);
/// ```
#[doc(alias = "RMSprop")]
#[derive(Debug, Clone)]
pub struct RmsProp<T = f64> {
    config: RmsPropConfig<T>,
    counter: StepCounter,
    /// Average v of the squared gradients.
    square_avg: Vec<T>,
    /// Average ḡ of the gradients, used by the centered variant only.
    grad_avg: Vec<T>,
    /// Momentum buffer b, used with momentum only.
    momentum_buffer: Vec<T>,
}

impl<T: Float> RmsProp<T> {
    fn empty(config: RmsPropConfig<T>) -> Self {
        Self {
            config,
            counter: StepCounter::default(),
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            momentum_buffer: Vec::new(),
        }
    }

    /// Creates RMSprop with learning rate `lr` and the other hyperparameters
    /// at PyTorch's defaults (alpha 0.99, eps 1e-8, no weight decay, no
    /// momentum, not centered).
    ///
    /// # Panics
    ///
    /// If `lr` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// assert_eq!(RmsProp::new(1e-2_f64).learning_rate(), 1e-2);
    ///
    /// let panic = std::panic::catch_unwind(|| RmsProp::new(f64::INFINITY)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "learning rate must be positive and finite, got inf");
    /// ```
    #[track_caller]
    pub fn new(lr: T) -> Self {
        Self::empty(RmsPropConfig {
            lr: expect_valid(check_lr(lr)),
            ..RmsPropConfig::default()
        })
    }

    /// Sets the smoothing constant α of the squared-gradient average.
    ///
    /// # Panics
    ///
    /// If `alpha` is outside [0, 1), with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// // With α = 0 the average is the latest squared gradient, so each
    /// // step moves θ by about γ against the gradient's sign.
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.0);
    /// let mut params = vec![0.0_f64];
    /// rmsprop.step(&mut params, &[5.0]);
    /// rmsprop.step(&mut params, &[-0.2]);
    /// assert!(params[0].abs() < 1e-8);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn alpha(mut self, alpha: T) -> Self {
        self.config.alpha = expect_valid(check_below_one("alpha", alpha));
        self
    }

    /// Sets ε, the term added to the denominator.
    ///
    /// # Panics
    ///
    /// If `eps` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// // α = 0: v = 1, θ = -0.1 * 1 / (1 + 1).
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.0).eps(1.0);
    /// let mut params = vec![0.0_f64];
    /// rmsprop.step(&mut params, &[1.0]);
    /// assert!((params[0] + 0.05).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn eps(mut self, eps: T) -> Self {
        self.config.eps = expect_valid(check_eps(eps));
        self
    }

    /// Sets the weight decay λ, an L2 penalty added to the gradient as λθ.
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative, infinite or NaN, with a message
    /// naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// // g = 0 + 0.5 * 2 = 1, α = 0: θ = 2 - 0.1 * 1 / (1 + 1e-8).
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.0).weight_decay(0.5);
    /// let mut params = vec![2.0_f64];
    /// rmsprop.step(&mut params, &[0.0]);
    /// assert!((params[0] - 1.9).abs() < 1e-8);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.config.weight_decay = expect_valid(check_weight_decay(weight_decay));
        self
    }

    /// Sets the momentum factor μ.
    ///
    /// # Panics
    ///
    /// If `momentum` is outside [0, 1), with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// // α = 0 makes each normalised gradient g / (|g| + ε) about 1.
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.0).momentum(0.5);
    /// let mut params = vec![0.0_f64];
    /// rmsprop.step(&mut params, &[1.0]); // b = 1, θ = -0.1
    /// rmsprop.step(&mut params, &[1.0]); // b = 0.5 + 1, θ = -0.1 - 0.15
    /// assert!((params[0] + 0.25).abs() < 1e-8);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn momentum(mut self, momentum: T) -> Self {
        self.config.momentum = expect_valid(check_momentum(momentum));
        self
    }

    /// Turns the centered variant on or off, which divides by an estimate
    /// of the gradient's variance v − ḡ² instead of v.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// // α = 0.5, g = 1: v = 0.5, ḡ = 0.5, v - ḡ² = 0.25,
    /// // θ = -0.1 * 1 / (0.5 + 1e-8).
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.5).centered(true);
    /// let mut params = vec![0.0_f64];
    /// rmsprop.step(&mut params, &[1.0]);
    /// assert!((params[0] + 0.2).abs() < 1e-8);
    /// ```
    #[must_use]
    pub fn centered(mut self, centered: bool) -> Self {
        self.config.centered = centered;
        self
    }

    /// Makes the optimizer maximise instead of minimise, by negating each
    /// gradient before the weight decay is added.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, RmsProp};
    ///
    /// let mut rmsprop = RmsProp::new(0.1).alpha(0.0).maximize(true);
    /// let mut params = vec![0.0_f64];
    /// rmsprop.step(&mut params, &[3.0]);
    /// assert!((params[0] - 0.1).abs() < 1e-8);
    /// ```
    #[must_use]
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.config.maximize = maximize;
        self
    }

    /// Returns the hyperparameters, with the learning rate of the next step.
    ///
    /// ```
    /// use adjoint_optim::RmsProp;
    ///
    /// let rmsprop = RmsProp::new(1e-2).momentum(0.9);
    /// assert_eq!(rmsprop.config().momentum, 0.9);
    /// assert!(!rmsprop.config().centered);
    /// ```
    pub fn config(&self) -> &RmsPropConfig<T> {
        &self.config
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        self.counter.start_step(params, grads)?;

        let RmsPropConfig {
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
            maximize,
        } = self.config;
        let len = params.len();
        let use_momentum = momentum > T::zero();
        prepare_buffer(&mut self.square_avg, len, T::zero());
        if centered {
            prepare_buffer(&mut self.grad_avg, len, T::zero());
        }
        if use_momentum {
            prepare_buffer(&mut self.momentum_buffer, len, T::zero());
        }

        let one = T::one();
        for i in 0..len {
            let g = penalised_gradient(grads[i], params[i], weight_decay, maximize);

            let v = alpha * self.square_avg[i] + (one - alpha) * g * g;
            self.square_avg[i] = v;
            let mut variance = v;
            if centered {
                let mean = alpha * self.grad_avg[i] + (one - alpha) * g;
                self.grad_avg[i] = mean;
                variance = v - mean * mean;
                // Clamp rounding below 0; the comparison keeps a NaN.
                if variance < T::zero() {
                    variance = T::zero();
                }
            }
            let normalised = g / (variance.sqrt() + eps);

            if use_momentum {
                let buffer = momentum * self.momentum_buffer[i] + normalised;
                self.momentum_buffer[i] = buffer;
                params[i] = params[i] - lr * buffer;
            } else {
                params[i] = params[i] - lr * normalised;
            }
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.counter.reset();
        self.square_avg.clear();
        self.grad_avg.clear();
        self.momentum_buffer.clear();
    }

    fn learning_rate(&self) -> T {
        self.config.lr
    }

    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        self.config.lr = check_scheduled_lr(lr)?;
        Ok(())
    }
}
