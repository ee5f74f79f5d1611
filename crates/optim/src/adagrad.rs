//! Adagrad, as torch.optim.Adagrad documents it.

use num_traits::Float;

use crate::adam::constant;
use crate::error::{
    Error, check_eps, check_lr, check_non_negative, check_weight_decay, expect_valid,
};
use crate::optimizer::{Optimizer, check_scheduled_lr};
use crate::state::{StepCounter, penalised_gradient, prepare_buffer};

/// Hyperparameters of [`Adagrad`], with PyTorch's documented defaults.
///
/// This is the fallible way to build an [`Adagrad`]: fill in the fields and
/// call [`build`](AdagradConfig::build).
///
/// ```
/// use adjoint_optim::AdagradConfig;
///
/// let adagrad = AdagradConfig { lr_decay: 1e-3, ..AdagradConfig::default() }.build()?;
/// assert_eq!(adagrad.config().lr, 1e-2);
/// assert_eq!(adagrad.config().eps, 1e-10);
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdagradConfig<T = f64> {
    /// Learning rate γ, positive and finite (default 1e-2).
    pub lr: T,
    /// Learning-rate decay η, non-negative: step t uses γ / (1 + (t − 1)η)
    /// (default 0).
    pub lr_decay: T,
    /// L2 penalty λ, non-negative, added to the gradient as λθ (default 0).
    pub weight_decay: T,
    /// Starting value of the sum of squared gradients, non-negative
    /// (default 0).
    pub initial_accumulator_value: T,
    /// Term ε added to the denominator, positive and finite (default 1e-10).
    pub eps: T,
    /// Whether to maximise the objective instead (default false).
    pub maximize: bool,
}

impl<T: Float> Default for AdagradConfig<T> {
    fn default() -> Self {
        Self {
            lr: constant(1e-2),
            lr_decay: T::zero(),
            weight_decay: T::zero(),
            initial_accumulator_value: T::zero(),
            eps: constant(1e-10),
            maximize: false,
        }
    }
}

impl<T: Float> AdagradConfig<T> {
    /// Checks every hyperparameter.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first value out of range.
    ///
    /// ```
    /// use adjoint_optim::AdagradConfig;
    ///
    /// let config = AdagradConfig { lr_decay: -0.5, ..AdagradConfig::default() };
    /// let message = config.validate().unwrap_err().to_string();
    /// assert_eq!(message, "learning-rate decay must be non-negative and finite, got -0.5");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_lr(self.lr)?;
        check_non_negative("learning-rate decay", self.lr_decay)?;
        check_weight_decay(self.weight_decay)?;
        check_non_negative("initial accumulator value", self.initial_accumulator_value)?;
        check_eps(self.eps)?;
        Ok(())
    }

    /// Builds an [`Adagrad`] with empty state.
    ///
    /// # Errors
    ///
    /// As [`validate`](AdagradConfig::validate).
    ///
    /// ```
    /// use adjoint_optim::AdagradConfig;
    ///
    /// let config = AdagradConfig { eps: -1e-10, ..AdagradConfig::default() };
    /// let message = config.build().unwrap_err().to_string();
    /// assert_eq!(message, "eps must be positive and finite, got -1e-10");
    /// ```
    pub fn build(self) -> Result<Adagrad<T>, Error> {
        self.validate()?;
        Ok(Adagrad::empty(self))
    }
}

/// Adagrad, following torch.optim.Adagrad's update step for step.
///
/// With learning rate γ, learning-rate decay η, weight decay λ and ε, step
/// t (counting from 1) does, for each parameter θ and its gradient g, with
/// the sum of squared gradients s starting at the initial accumulator value:
///
/// 1. g ← −g if maximising (before the weight decay, so the decay still
///    pulls θ toward 0);
/// 2. g ← g + λθ if λ ≠ 0;
/// 3. s ← s + g²;
/// 4. θ ← θ − γ / (1 + (t − 1)η) · g / (√s + ε).
///
/// The builder methods check each value as it is set and panic on a bad
/// one; [`AdagradConfig::build`] returns a `Result` instead.
///
/// ```
/// use adjoint_optim::{Adagrad, Optimizer};
///
/// let mut adagrad = Adagrad::new(0.1);
/// let mut params = vec![0.0_f64];
/// adagrad.step(&mut params, &[3.0]); // s = 9, θ = -0.1 * 3 / 3
/// adagrad.step(&mut params, &[4.0]); // s = 25, θ = -0.1 - 0.1 * 4 / 5
/// assert!((params[0] + 0.18).abs() < 1e-10);
/// ```
#[derive(Debug, Clone)]
pub struct Adagrad<T = f64> {
    config: AdagradConfig<T>,
    counter: StepCounter,
    /// Sum s of the squared gradients.
    state_sum: Vec<T>,
}

impl<T: Float> Adagrad<T> {
    fn empty(config: AdagradConfig<T>) -> Self {
        Self {
            config,
            counter: StepCounter::default(),
            state_sum: Vec::new(),
        }
    }

    /// Creates Adagrad with learning rate `lr` and the other hyperparameters
    /// at PyTorch's defaults (no learning-rate decay, no weight decay,
    /// initial accumulator value 0, eps 1e-10).
    ///
    /// # Panics
    ///
    /// If `lr` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// assert_eq!(Adagrad::new(1e-2).learning_rate(), 1e-2);
    ///
    /// let panic = std::panic::catch_unwind(|| Adagrad::new(-1.0)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "learning rate must be positive and finite, got -1.0");
    /// ```
    #[track_caller]
    pub fn new(lr: T) -> Self {
        Self::empty(AdagradConfig {
            lr: expect_valid(check_lr(lr)),
            ..AdagradConfig::default()
        })
    }

    /// Sets the learning-rate decay η: step t uses γ / (1 + (t − 1)η).
    ///
    /// # Panics
    ///
    /// If `lr_decay` is negative, infinite or NaN, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// let mut adagrad = Adagrad::new(0.1).lr_decay(1.0);
    /// let mut params = vec![0.0_f64];
    /// adagrad.step(&mut params, &[3.0]); // s = 9, θ = -0.1 * 3 / 3
    /// adagrad.step(&mut params, &[4.0]); // s = 25, θ = -0.1 - 0.1 / 2 * 4 / 5
    /// assert!((params[0] + 0.14).abs() < 1e-10);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn lr_decay(mut self, lr_decay: T) -> Self {
        self.config.lr_decay = expect_valid(check_non_negative("learning-rate decay", lr_decay));
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
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// // g = 0 + 0.5 * 2 = 1, s = 1: θ = 2 - 0.1 * 1 / 1.
    /// let mut adagrad = Adagrad::new(0.1).weight_decay(0.5);
    /// let mut params = vec![2.0_f64];
    /// adagrad.step(&mut params, &[0.0]);
    /// assert!((params[0] - 1.9).abs() < 1e-10);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.config.weight_decay = expect_valid(check_weight_decay(weight_decay));
        self
    }

    /// Sets the starting value of the sum of squared gradients.
    ///
    /// # Panics
    ///
    /// If `value` is negative, infinite or NaN, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// // s = 16 + 3² = 25: θ = -0.1 * 3 / 5.
    /// let mut adagrad = Adagrad::new(0.1).initial_accumulator_value(16.0);
    /// let mut params = vec![0.0_f64];
    /// adagrad.step(&mut params, &[3.0]);
    /// assert!((params[0] + 0.06).abs() < 1e-10);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn initial_accumulator_value(mut self, value: T) -> Self {
        self.config.initial_accumulator_value =
            expect_valid(check_non_negative("initial accumulator value", value));
        self
    }

    /// Sets ε, the term added to the denominator.
    ///
    /// # Panics
    ///
    /// If `eps` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// // s = 1: θ = -0.1 * 1 / (1 + 1).
    /// let mut adagrad = Adagrad::new(0.1).eps(1.0);
    /// let mut params = vec![0.0_f64];
    /// adagrad.step(&mut params, &[1.0]);
    /// assert!((params[0] + 0.05).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn eps(mut self, eps: T) -> Self {
        self.config.eps = expect_valid(check_eps(eps));
        self
    }

    /// Makes the optimizer maximise instead of minimise, by negating each
    /// gradient before the weight decay is added.
    ///
    /// ```
    /// use adjoint_optim::{Adagrad, Optimizer};
    ///
    /// let mut adagrad = Adagrad::new(0.1).maximize(true);
    /// let mut params = vec![0.0_f64];
    /// adagrad.step(&mut params, &[3.0]);
    /// assert!((params[0] - 0.1).abs() < 1e-10);
    /// ```
    #[must_use]
    pub fn maximize(mut self, maximize: bool) -> Self {
        self.config.maximize = maximize;
        self
    }

    /// Returns the hyperparameters, with the learning rate of the next step.
    ///
    /// ```
    /// use adjoint_optim::Adagrad;
    ///
    /// let adagrad = Adagrad::new(1e-2).lr_decay(0.01);
    /// assert_eq!(adagrad.config().lr_decay, 0.01);
    /// assert_eq!(adagrad.config().initial_accumulator_value, 0.0);
    /// ```
    pub fn config(&self) -> &AdagradConfig<T> {
        &self.config
    }
}

impl<T: Float> Optimizer<T> for Adagrad<T> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        let t = self.counter.start_step(params, grads)?;

        let AdagradConfig {
            lr,
            lr_decay,
            weight_decay,
            initial_accumulator_value,
            eps,
            maximize,
        } = self.config;
        prepare_buffer(&mut self.state_sum, params.len(), initial_accumulator_value);

        // Every Float type converts a u64, rounding past 2^53 (f64) or
        // 2^24 (f32) steps.
        let elapsed = T::from(t - 1).unwrap_or_else(T::infinity);
        let step_lr = lr / (T::one() + elapsed * lr_decay);

        for (i, (param, &grad)) in params.iter_mut().zip(grads).enumerate() {
            let g = penalised_gradient(grad, *param, weight_decay, maximize);
            let sum = self.state_sum[i] + g * g;
            self.state_sum[i] = sum;
            *param = *param - step_lr * g / (sum.sqrt() + eps);
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.counter.reset();
        self.state_sum.clear();
    }

    fn learning_rate(&self) -> T {
        self.config.lr
    }

    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        self.config.lr = check_scheduled_lr(lr)?;
        Ok(())
    }
}
