//! Stochastic gradient descent with momentum, dampening, Nesterov momentum,
//! weight decay and maximisation, as torch.optim.SGD documents it.

use num_traits::Float;

use crate::adam::constant;
use crate::error::{
    Error, check_lr, check_momentum, check_unit_interval, check_weight_decay, expect_valid, to_f64,
};
use crate::optimizer::{Optimizer, check_scheduled_lr};
use crate::state::{StepCounter, penalised_gradient, prepare_buffer};

/// Hyperparameters of [`Sgd`], with PyTorch's documented defaults.
///
/// This is the fallible way to build an [`Sgd`]: fill in the fields and
/// call [`build`](SgdConfig::build).
///
/// ```
/// use adjoint_optim::{Optimizer, SgdConfig};
///
/// let config = SgdConfig { lr: 0.1, momentum: 0.9, nesterov: true, ..SgdConfig::default() };
/// let sgd = config.build()?;
/// assert_eq!(sgd.learning_rate(), 0.1);
/// assert_eq!(SgdConfig::<f64>::default().lr, 1e-3);
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig<T = f64> {
    /// Learning rate γ, positive and finite (default 1e-3).
    pub lr: T,
    /// Momentum factor μ in [0, 1); 0 turns momentum off (default 0).
    pub momentum: T,
    /// Dampening τ in [0, 1] of the gradient added to the momentum buffer
    /// after the first step (default 0).
    pub dampening: T,
    /// L2 penalty λ, non-negative, added to the gradient as λθ (default 0).
    pub weight_decay: T,
    /// Whether to use Nesterov momentum; needs μ > 0 and τ = 0
    /// (default false).
    pub nesterov: bool,
    /// Whether to maximise the objective instead (default false).
    pub maximize: bool,
}

impl<T: Float> Default for SgdConfig<T> {
    fn default() -> Self {
        Self {
            lr: constant(1e-3),
            momentum: T::zero(),
            dampening: T::zero(),
            weight_decay: T::zero(),
            nesterov: false,
            maximize: false,
        }
    }
}

impl<T: Float> SgdConfig<T> {
    /// Checks every hyperparameter and the Nesterov combination.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first value out of
    /// range, or [`Error::NesterovRequiresMomentum`].
    ///
    /// ```
    /// use adjoint_optim::SgdConfig;
    ///
    /// let config = SgdConfig { lr: 0.1, momentum: 1.0, ..SgdConfig::default() };
    /// let message = config.validate().unwrap_err().to_string();
    /// assert_eq!(message, "momentum must be in [0, 1), got 1.0");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_lr(self.lr)?;
        check_momentum(self.momentum)?;
        check_unit_interval("dampening", self.dampening)?;
        check_weight_decay(self.weight_decay)?;
        self.check_nesterov()
    }

    /// Builds an [`Sgd`] with empty state.
    ///
    /// # Errors
    ///
    /// As [`validate`](SgdConfig::validate).
    ///
    /// ```
    /// use adjoint_optim::{Error, SgdConfig};
    ///
    /// let config = SgdConfig { lr: 0.1, nesterov: true, ..SgdConfig::default() };
    /// let error = config.build().unwrap_err();
    /// assert_eq!(error, Error::NesterovRequiresMomentum { momentum: 0.0, dampening: 0.0 });
    /// ```
    pub fn build(self) -> Result<Sgd<T>, Error> {
        self.validate()?;
        Ok(Sgd::empty(self))
    }

    fn check_nesterov(&self) -> Result<(), Error> {
        if self.nesterov && (self.momentum <= T::zero() || self.dampening != T::zero()) {
            return Err(Error::NesterovRequiresMomentum {
                momentum: to_f64(self.momentum),
                dampening: to_f64(self.dampening),
            });
        }
        Ok(())
    }
}

/// Stochastic gradient descent, following torch.optim.SGD's update step for
/// step.
///
/// With learning rate γ, momentum μ, dampening τ and weight decay λ, step
/// t (counting from 1) does, for each parameter θ and its gradient g:
///
/// 1. g ← −g if maximising (before the weight decay, so the decay still
///    pulls θ toward 0);
/// 2. g ← g + λθ if λ ≠ 0;
/// 3. if μ ≠ 0, b ← g at the first step and b ← μb + (1 − τ)g after it.
///    Then g ← g + μb with Nesterov momentum, else g ← b;
/// 4. θ ← θ − γg.
///
/// The builder methods check each value as it is set and panic on a bad one.
/// Nesterov momentum needs μ > 0 and τ = 0, but `.nesterov(true)` may come
/// before `.momentum(μ)` in a chain, so that combination is checked at every
/// step instead, before anything changes. [`SgdConfig::build`] checks all of
/// it at once and returns a `Result`.
///
/// ```
/// use adjoint_optim::{Optimizer, Sgd};
///
/// let mut params = vec![5.0_f64, 5.0];
/// let mut sgd = Sgd::new(0.1).momentum(0.9).dampening(0.0).nesterov(true).weight_decay(1e-4);
/// sgd.step(&mut params, &[10.0, 30.0]);
/// // g = 10 + 1e-4 * 5 = 10.0005, b = g, g + 0.9 b = 19.00095,
/// // θ = 5 - 0.1 * 19.00095 = 3.099905
/// assert!((params[0] - 3.099905).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Sgd<T = f64> {
    config: SgdConfig<T>,
    counter: StepCounter,
    /// Momentum buffer b, one value per parameter once momentum is used.
    momentum_buffer: Vec<T>,
}

impl<T: Float> Sgd<T> {
    fn empty(config: SgdConfig<T>) -> Self {
        Self {
            config,
            counter: StepCounter::default(),
            momentum_buffer: Vec::new(),
        }
    }

    /// Creates plain gradient descent with learning rate `lr` and no
    /// momentum, weight decay or dampening.
    ///
    /// # Panics
    ///
    /// If `lr` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.5_f32);
    /// let mut params = [1.0_f32];
    /// sgd.step(&mut params, &[1.0]);
    /// assert_eq!(params, [0.5]);
    /// ```
    ///
    /// ```
    /// let panic = std::panic::catch_unwind(|| adjoint_optim::Sgd::new(-0.1)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "learning rate must be positive and finite, got -0.1");
    /// ```
    #[track_caller]
    pub fn new(lr: T) -> Self {
        Self::empty(SgdConfig {
            lr: expect_valid(check_lr(lr)),
            ..SgdConfig::default()
        })
    }

    /// Sets the momentum factor μ.
    ///
    /// # Panics
    ///
    /// If `momentum` is outside [0, 1), with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1).momentum(0.5);
    /// let mut params = vec![0.0_f64];
    /// sgd.step(&mut params, &[1.0]); // b = 1, θ = -0.1
    /// sgd.step(&mut params, &[1.0]); // b = 0.5 * 1 + 1 = 1.5, θ = -0.1 - 0.15
    /// assert!((params[0] + 0.25).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn momentum(mut self, momentum: T) -> Self {
        self.config.momentum = expect_valid(check_momentum(momentum));
        self
    }

    /// Sets the dampening τ: from the second step on, the buffer takes
    /// (1 − τ) times the gradient.
    ///
    /// # Panics
    ///
    /// If `dampening` is outside [0, 1], with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1).momentum(0.5).dampening(0.5);
    /// let mut params = vec![0.0_f64];
    /// sgd.step(&mut params, &[1.0]); // b = 1 (no dampening at the first step)
    /// sgd.step(&mut params, &[1.0]); // b = 0.5 * 1 + 0.5 * 1 = 1
    /// assert!((params[0] + 0.2).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn dampening(mut self, dampening: T) -> Self {
        self.config.dampening = expect_valid(check_unit_interval("dampening", dampening));
        self
    }

    /// Turns Nesterov momentum on or off. It needs a momentum above 0 and
    /// dampening 0, which the next step checks.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// // The order of the builder calls does not matter.
    /// let mut sgd = Sgd::new(0.1).nesterov(true).momentum(0.5);
    /// let mut params = vec![0.0_f64];
    /// sgd.step(&mut params, &[1.0]); // b = 1, g + μb = 1.5
    /// assert!((params[0] + 0.15).abs() < 1e-15);
    ///
    /// // Without momentum the step reports the combination.
    /// let mut sgd = Sgd::new(0.1).nesterov(true);
    /// assert!(sgd.try_step(&mut params, &[1.0]).is_err());
    /// ```
    #[must_use]
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.config.nesterov = nesterov;
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
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1).weight_decay(0.5);
    /// let mut params = vec![2.0_f64];
    /// sgd.step(&mut params, &[0.0]); // g = 0 + 0.5 * 2 = 1
    /// assert!((params[0] - 1.9).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.config.weight_decay = expect_valid(check_weight_decay(weight_decay));
        self
    }

    /// Makes the optimizer maximise instead of minimise, by negating each
    /// gradient before the weight decay is added.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1).maximize(true);
    /// let mut params = vec![1.0_f64];
    /// sgd.step(&mut params, &[2.0]);
    /// assert!((params[0] - 1.2).abs() < 1e-15);
    /// ```
    #[must_use]
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.config.maximize = maximize;
        self
    }

    /// Returns the hyperparameters, with the learning rate of the next step.
    ///
    /// ```
    /// use adjoint_optim::Sgd;
    ///
    /// let sgd = Sgd::new(0.1).momentum(0.9);
    /// assert_eq!(sgd.config().momentum, 0.9);
    /// assert!(!sgd.config().nesterov);
    /// ```
    pub fn config(&self) -> &SgdConfig<T> {
        &self.config
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        self.config.check_nesterov()?;
        self.counter.start_step(params, grads)?;

        let SgdConfig {
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            maximize,
        } = self.config;
        let use_momentum = momentum != T::zero();
        // The buffer starts as the first gradient, so a freshly sized buffer
        // marks the first step with momentum.
        let first =
            use_momentum && prepare_buffer(&mut self.momentum_buffer, params.len(), T::zero());

        for (i, (param, &grad)) in params.iter_mut().zip(grads).enumerate() {
            let mut g = penalised_gradient(grad, *param, weight_decay, maximize);
            if use_momentum {
                let buffer = &mut self.momentum_buffer[i];
                *buffer = if first {
                    g
                } else {
                    momentum * *buffer + (T::one() - dampening) * g
                };
                g = if nesterov {
                    g + momentum * *buffer
                } else {
                    *buffer
                };
            }
            *param = *param - lr * g;
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.counter.reset();
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
