//! AdamW, Adam with decoupled weight decay, as torch.optim.AdamW documents
//! it.

use num_traits::Float;

use crate::adam::{AdamConfig, Moments, WeightDecay, constant};
use crate::error::{Error, check_betas, check_eps, check_lr, check_weight_decay, expect_valid};
use crate::optimizer::{Optimizer, check_scheduled_lr};

/// Hyperparameters of [`AdamW`], with PyTorch's documented defaults.
///
/// This is the fallible way to build an [`AdamW`]: fill in the fields and
/// call [`build`](AdamWConfig::build).
///
/// ```
/// use adjoint_optim::AdamWConfig;
///
/// let adamw = AdamWConfig { lr: 1e-2, ..AdamWConfig::default() }.build()?;
/// assert_eq!(adamw.config().weight_decay, 1e-2);
/// assert_eq!(adamw.config().betas, (0.9, 0.999));
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWConfig<T = f64> {
    /// Learning rate γ, positive and finite (default 1e-3).
    pub lr: T,
    /// Decay rates (β1, β2) of the first and second moment estimates, each
    /// in [0, 1) (default (0.9, 0.999)).
    pub betas: (T, T),
    /// Term ε added to the denominator, positive and finite (default 1e-8).
    pub eps: T,
    /// Decoupled weight decay λ, non-negative: each step first scales θ by
    /// 1 − γλ (default 1e-2).
    pub weight_decay: T,
    /// Whether to use the AMSGrad variant, which divides by the running
    /// maximum of the second moment (default false).
    pub amsgrad: bool,
    /// Whether to maximise the objective instead (default false).
    pub maximize: bool,
}

impl<T: Float> Default for AdamWConfig<T> {
    fn default() -> Self {
        Self {
            lr: constant(1e-3),
            betas: (constant(0.9), constant(0.999)),
            eps: constant(1e-8),
            weight_decay: constant(1e-2),
            amsgrad: false,
            maximize: false,
        }
    }
}

impl<T: Float> AdamWConfig<T> {
    /// Checks every hyperparameter.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first value out of range.
    ///
    /// ```
    /// use adjoint_optim::AdamWConfig;
    ///
    /// let config = AdamWConfig { weight_decay: -1.0, ..AdamWConfig::default() };
    /// let message = config.validate().unwrap_err().to_string();
    /// assert_eq!(message, "weight decay must be non-negative and finite, got -1.0");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.to_adam().validate()
    }

    /// Builds an [`AdamW`] with empty state.
    ///
    /// # Errors
    ///
    /// As [`validate`](AdamWConfig::validate).
    ///
    /// ```
    /// use adjoint_optim::AdamWConfig;
    ///
    /// let config = AdamWConfig { betas: (-0.1, 0.999), ..AdamWConfig::default() };
    /// let message = config.build().unwrap_err().to_string();
    /// assert_eq!(message, "beta1 must be in [0, 1), got -0.1");
    /// ```
    pub fn build(self) -> Result<AdamW<T>, Error> {
        self.validate()?;
        Ok(AdamW::empty(self))
    }
}

impl<T: Float> AdamWConfig<T> {
    /// Copies the hyperparameters into Adam's config, which has the same
    /// fields, for the checks and the update that the two share.
    fn to_adam(self) -> AdamConfig<T> {
        AdamConfig {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            maximize: self.maximize,
        }
    }
}

/// AdamW, following torch.optim.AdamW's update step for step.
///
/// AdamW is [`Adam`](crate::Adam) with the weight decay taken out of the
/// gradient. The moments m, v and the AMSGrad maximum v_max start at 0.
/// Step t (counting from 1) updates each parameter θ with gradient g as
/// follows:
///
/// 1. g ← −g if maximising;
/// 2. θ ← θ·(1 − γλ);
/// 3. m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g²;
/// 4. m̂ = m / (1 − β1^t); with AMSGrad v_max ← max(v_max, v) and
///    v̂ = v_max / (1 − β2^t), else v̂ = v / (1 − β2^t);
/// 5. θ ← θ − γ·m̂ / (√v̂ + ε).
///
/// The builder methods check each value as it is set and panic on a bad
/// one; [`AdamWConfig::build`] returns a `Result` instead.
///
/// ```
/// use adjoint_optim::{AdamW, Optimizer};
///
/// let mut adamw = AdamW::new(0.1).weight_decay(0.5);
/// let mut params = vec![2.0_f64];
/// adamw.step(&mut params, &[1.0]);
/// // θ = 2 * (1 - 0.1 * 0.5) = 1.9, then the Adam step of about -0.1.
/// assert!((params[0] - 1.8).abs() < 1e-8);
/// ```
#[derive(Debug, Clone)]
pub struct AdamW<T = f64> {
    config: AdamWConfig<T>,
    moments: Moments<T>,
}

impl<T: Float> AdamW<T> {
    fn empty(config: AdamWConfig<T>) -> Self {
        Self {
            config,
            moments: Moments::default(),
        }
    }

    /// Creates AdamW with learning rate `lr` and the other hyperparameters
    /// at PyTorch's defaults (betas (0.9, 0.999), eps 1e-8, weight decay
    /// 1e-2).
    ///
    /// # Panics
    ///
    /// If `lr` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{AdamW, Optimizer};
    ///
    /// let adamw = AdamW::new(1e-3);
    /// assert_eq!(adamw.learning_rate(), 1e-3);
    /// assert_eq!(adamw.config().weight_decay, 1e-2);
    ///
    /// let panic = std::panic::catch_unwind(|| AdamW::new(0.0)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "learning rate must be positive and finite, got 0.0");
    /// ```
    #[track_caller]
    pub fn new(lr: T) -> Self {
        Self::empty(AdamWConfig {
            lr: expect_valid(check_lr(lr)),
            ..AdamWConfig::default()
        })
    }

    /// Sets the decay rates (β1, β2) of the moment estimates.
    ///
    /// # Panics
    ///
    /// If either is outside [0, 1), with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::AdamW;
    ///
    /// assert_eq!(AdamW::new(1e-3).betas(0.5, 0.9).config().betas, (0.5, 0.9));
    ///
    /// let panic = std::panic::catch_unwind(|| AdamW::new(1e-3).betas(0.9, 1.5)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "beta2 must be in [0, 1), got 1.5");
    /// ```
    #[track_caller]
    #[must_use]
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        self.config.betas = expect_valid(check_betas((beta1, beta2)));
        self
    }

    /// Sets ε, the term added to the denominator.
    ///
    /// # Panics
    ///
    /// If `eps` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{AdamW, Optimizer};
    ///
    /// // 0.1 * 1 / (1 + 1) = 0.05, with the weight decay off.
    /// let mut adamw = AdamW::new(0.1).eps(1.0).weight_decay(0.0);
    /// let mut params = vec![0.0_f64];
    /// adamw.step(&mut params, &[1.0]);
    /// assert!((params[0] + 0.05).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn eps(mut self, eps: T) -> Self {
        self.config.eps = expect_valid(check_eps(eps));
        self
    }

    /// Sets the decoupled weight decay λ: each step first scales θ by
    /// 1 − γλ.
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative, infinite or NaN, with a message
    /// naming it.
    ///
    /// ```
    /// use adjoint_optim::{AdamW, Optimizer};
    ///
    /// // With a zero gradient only the decay acts: 2 * (1 - 0.1 * 0.5).
    /// let mut adamw = AdamW::new(0.1).weight_decay(0.5);
    /// let mut params = vec![2.0_f64];
    /// adamw.step(&mut params, &[0.0]);
    /// assert!((params[0] - 1.9).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.config.weight_decay = expect_valid(check_weight_decay(weight_decay));
        self
    }

    /// Turns the AMSGrad variant on or off.
    ///
    /// ```
    /// use adjoint_optim::{AdamW, Optimizer};
    ///
    /// let mut plain = AdamW::new(0.1);
    /// let mut amsgrad = AdamW::new(0.1).amsgrad(true);
    /// let (mut a, mut b) = (vec![0.0_f64], vec![0.0_f64]);
    /// for grads in [[10.0], [0.0], [0.0], [0.1]] {
    ///     plain.step(&mut a, &grads);
    ///     amsgrad.step(&mut b, &grads);
    /// }
    /// // AMSGrad still divides by the second moment of the large gradient.
    /// assert!(b[0] > a[0]);
    /// ```
    #[must_use]
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.config.amsgrad = amsgrad;
        self
    }

    /// Makes the optimizer maximise instead of minimise, by negating each
    /// gradient; the decoupled weight decay still pulls θ toward 0.
    ///
    /// ```
    /// use adjoint_optim::{AdamW, Optimizer};
    ///
    /// let mut adamw = AdamW::new(0.1).maximize(true).weight_decay(0.0);
    /// let mut params = vec![0.0_f64];
    /// adamw.step(&mut params, &[3.0]);
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
    /// use adjoint_optim::AdamW;
    ///
    /// let adamw = AdamW::new(1e-3).amsgrad(true);
    /// assert!(adamw.config().amsgrad);
    /// assert_eq!(adamw.config().eps, 1e-8);
    /// ```
    pub fn config(&self) -> &AdamWConfig<T> {
        &self.config
    }
}

impl<T: Float> Optimizer<T> for AdamW<T> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        let config = self.config.to_adam();
        self.moments
            .step(&config, WeightDecay::Decoupled, params, grads)
    }

    fn reset(&mut self) {
        self.moments.reset();
    }

    fn learning_rate(&self) -> T {
        self.config.lr
    }

    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        self.config.lr = check_scheduled_lr(lr)?;
        Ok(())
    }
}
