//! Adam, as torch.optim.Adam documents it, and the moment estimates that
//! Adam and AdamW share.

use num_traits::Float;

use crate::error::{Error, check_betas, check_eps, check_lr, check_weight_decay, expect_valid};
use crate::optimizer::{Optimizer, check_scheduled_lr};
use crate::state::{StepCounter, penalised_gradient, prepare_buffer};

/// Hyperparameters of [`Adam`], with PyTorch's documented defaults.
///
/// This is the fallible way to build an [`Adam`]: fill in the fields and
/// call [`build`](AdamConfig::build).
///
/// ```
/// use adjoint_optim::{AdamConfig, Optimizer};
///
/// let adam = AdamConfig { amsgrad: true, ..AdamConfig::default() }.build()?;
/// assert_eq!(adam.learning_rate(), 1e-3);
/// assert_eq!(adam.config().betas, (0.9, 0.999));
/// assert_eq!(adam.config().eps, 1e-8);
/// # Ok::<(), adjoint_optim::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig<T = f64> {
    /// Learning rate γ, positive and finite (default 1e-3).
    pub lr: T,
    /// Decay rates (β1, β2) of the first and second moment estimates, each
    /// in [0, 1) (default (0.9, 0.999)).
    pub betas: (T, T),
    /// Term ε added to the denominator, positive and finite (default 1e-8).
    pub eps: T,
    /// L2 penalty λ, non-negative, added to the gradient as λθ (default 0).
    pub weight_decay: T,
    /// Whether to use the AMSGrad variant, which divides by the running
    /// maximum of the second moment (default false).
    pub amsgrad: bool,
    /// Whether to maximise the objective instead (default false).
    pub maximize: bool,
}

impl<T: Float> Default for AdamConfig<T> {
    fn default() -> Self {
        Self {
            lr: constant(1e-3),
            betas: (constant(0.9), constant(0.999)),
            eps: constant(1e-8),
            weight_decay: T::zero(),
            amsgrad: false,
            maximize: false,
        }
    }
}

impl<T: Float> AdamConfig<T> {
    /// Checks every hyperparameter.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] naming the first value out of range.
    ///
    /// ```
    /// use adjoint_optim::AdamConfig;
    ///
    /// let config = AdamConfig { betas: (0.9, 1.0), ..AdamConfig::default() };
    /// let message = config.validate().unwrap_err().to_string();
    /// assert_eq!(message, "beta2 must be in [0, 1), got 1.0");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        check_lr(self.lr)?;
        check_betas(self.betas)?;
        check_eps(self.eps)?;
        check_weight_decay(self.weight_decay)?;
        Ok(())
    }

    /// Builds an [`Adam`] with empty state.
    ///
    /// # Errors
    ///
    /// As [`validate`](AdamConfig::validate).
    ///
    /// ```
    /// use adjoint_optim::AdamConfig;
    ///
    /// let config = AdamConfig { eps: 0.0, ..AdamConfig::default() };
    /// let message = config.build().unwrap_err().to_string();
    /// assert_eq!(message, "eps must be positive and finite, got 0.0");
    /// ```
    pub fn build(self) -> Result<Adam<T>, Error> {
        self.validate()?;
        Ok(Adam::empty(self))
    }
}

/// Adam, following torch.optim.Adam's update step for step.
///
/// γ is the learning rate, β1 and β2 the decay rates and λ the weight decay.
/// The moments m, v and the AMSGrad maximum v_max start at 0. Step t
/// (counting from 1) updates each parameter θ with gradient g as follows:
///
/// 1. g ← −g if maximising (before the weight decay, so the decay still
///    pulls θ toward 0);
/// 2. g ← g + λθ if λ ≠ 0;
/// 3. m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g²;
/// 4. m̂ = m / (1 − β1^t); with AMSGrad v_max ← max(v_max, v) and
///    v̂ = v_max / (1 − β2^t), else v̂ = v / (1 − β2^t);
/// 5. θ ← θ − γ·m̂ / (√v̂ + ε).
///
/// The builder methods check each value as it is set and panic on a bad
/// one; [`AdamConfig::build`] returns a `Result` instead.
///
/// ```
/// use adjoint_optim::{Adam, Optimizer};
///
/// let mut adam = Adam::new(0.1);
/// let mut params = vec![1.0_f64, 1.0];
/// adam.step(&mut params, &[4.0, -0.5]);
/// // The first step moves each parameter by about lr against the sign of
/// // its gradient: m̂ = g and v̂ = g², so m̂ / (√v̂ + ε) ≈ sign(g).
/// assert!((params[0] - 0.9).abs() < 1e-8);
/// assert!((params[1] - 1.1).abs() < 1e-8);
/// ```
#[derive(Debug, Clone)]
pub struct Adam<T = f64> {
    config: AdamConfig<T>,
    moments: Moments<T>,
}

impl<T: Float> Adam<T> {
    fn empty(config: AdamConfig<T>) -> Self {
        Self {
            config,
            moments: Moments::default(),
        }
    }

    /// Creates Adam with learning rate `lr` and the other hyperparameters at
    /// PyTorch's defaults (betas (0.9, 0.999), eps 1e-8, no weight decay).
    ///
    /// # Panics
    ///
    /// If `lr` is not positive and finite, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// let adam = Adam::new(1e-3_f32);
    /// assert_eq!(adam.learning_rate(), 1e-3_f32);
    ///
    /// let panic = std::panic::catch_unwind(|| Adam::new(f64::NAN)).unwrap_err();
    /// let message = panic.downcast_ref::<String>().unwrap();
    /// assert_eq!(message, "learning rate must be positive and finite, got NaN");
    /// ```
    #[track_caller]
    pub fn new(lr: T) -> Self {
        Self::empty(AdamConfig {
            lr: expect_valid(check_lr(lr)),
            ..AdamConfig::default()
        })
    }

    /// Sets the decay rates (β1, β2) of the moment estimates.
    ///
    /// # Panics
    ///
    /// If either is outside [0, 1), with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// // With β1 = 0 the first moment is the latest gradient alone.
    /// let mut adam = Adam::new(0.1).betas(0.0, 0.5);
    /// let mut params = vec![0.0_f64];
    /// adam.step(&mut params, &[1.0]); // m̂ = 1, v̂ = 1
    /// adam.step(&mut params, &[2.0]); // m̂ = 2, v = 0.25 + 2, v̂ = 2.25 / 0.75 = 3
    /// let expected = -0.1 / (1.0 + 1e-8) - 0.1 * 2.0 / (3.0_f64.sqrt() + 1e-8);
    /// assert!((params[0] - expected).abs() < 1e-15);
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
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// // A large ε damps the first step: 0.1 * 1 / (1 + 1) = 0.05.
    /// let mut adam = Adam::new(0.1).eps(1.0);
    /// let mut params = vec![0.0_f64];
    /// adam.step(&mut params, &[1.0]);
    /// assert!((params[0] + 0.05).abs() < 1e-15);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn eps(mut self, eps: T) -> Self {
        self.config.eps = expect_valid(check_eps(eps));
        self
    }

    /// Sets the weight decay λ, an L2 penalty added to the gradient as λθ
    /// (for decoupled weight decay, use [`AdamW`](crate::AdamW)).
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative, infinite or NaN, with a message
    /// naming it.
    ///
    /// ```
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// // A zero gradient still moves θ because of the penalty: g = 0.5 * 2.
    /// let mut adam = Adam::new(0.1).weight_decay(0.5);
    /// let mut params = vec![2.0_f64];
    /// adam.step(&mut params, &[0.0]);
    /// assert!((params[0] - 1.9).abs() < 1e-8);
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
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// // After a large gradient, AMSGrad keeps dividing by the largest
    /// // second moment, so the following small gradient moves θ less.
    /// let mut plain = Adam::new(0.1);
    /// let mut amsgrad = Adam::new(0.1).amsgrad(true);
    /// let (mut a, mut b) = (vec![0.0_f64], vec![0.0_f64]);
    /// for grads in [[10.0], [0.0], [0.0], [0.1]] {
    ///     plain.step(&mut a, &grads);
    ///     amsgrad.step(&mut b, &grads);
    /// }
    /// assert!(b[0] > a[0]);
    /// ```
    #[must_use]
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.config.amsgrad = amsgrad;
        self
    }

    /// Makes the optimizer maximise instead of minimise, by negating each
    /// gradient before the weight decay is added.
    ///
    /// ```
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// let mut adam = Adam::new(0.1).maximize(true);
    /// let mut params = vec![0.0_f64];
    /// adam.step(&mut params, &[3.0]);
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
    /// use adjoint_optim::Adam;
    ///
    /// let adam = Adam::new(1e-2).betas(0.8, 0.99);
    /// assert_eq!(adam.config().betas, (0.8, 0.99));
    /// assert_eq!(adam.config().weight_decay, 0.0);
    /// ```
    pub fn config(&self) -> &AdamConfig<T> {
        &self.config
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        self.moments
            .step(&self.config, WeightDecay::L2, params, grads)
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

/// Converts a literal hyperparameter default to `T`.
pub(crate) fn constant<T: Float>(value: f64) -> T {
    T::from(value).expect("every Float type represents the literal defaults, rounded")
}

/// The place a step of [`Moments`] applies the weight decay λ: the gradient
/// or θ itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WeightDecay {
    /// Adam's L2 penalty: g ← g + λθ.
    L2,
    /// AdamW's decoupled decay: θ ← θ·(1 − γλ) before the Adam update.
    Decoupled,
}

/// The state of Adam and AdamW: the step count and the moment estimates.
#[derive(Debug, Clone)]
pub(crate) struct Moments<T> {
    counter: StepCounter,
    /// First moment m.
    exp_avg: Vec<T>,
    /// Second moment v.
    exp_avg_sq: Vec<T>,
    /// Running maximum v_max of the second moment, used by AMSGrad only.
    max_exp_avg_sq: Vec<T>,
}

impl<T> Default for Moments<T> {
    fn default() -> Self {
        Self {
            counter: StepCounter::default(),
            exp_avg: Vec::new(),
            exp_avg_sq: Vec::new(),
            max_exp_avg_sq: Vec::new(),
        }
    }
}

impl<T: Float> Moments<T> {
    /// Applies one step with the hyperparameters of `config`, after
    /// checking the slice lengths. AdamW passes its config converted to
    /// Adam's.
    pub(crate) fn step(
        &mut self,
        config: &AdamConfig<T>,
        weight_decay: WeightDecay,
        params: &mut [T],
        grads: &[T],
    ) -> Result<(), Error> {
        let t = self.counter.start_step(params, grads)?;
        let len = params.len();
        prepare_buffer(&mut self.exp_avg, len, T::zero());
        prepare_buffer(&mut self.exp_avg_sq, len, T::zero());
        if config.amsgrad {
            prepare_buffer(&mut self.max_exp_avg_sq, len, T::zero());
        }

        let (beta1, beta2) = config.betas;
        let one = T::one();
        // powi takes an i32; past i32::MAX steps β^t has long underflowed
        // to 0 for any β below 1, so saturating the exponent changes nothing.
        let exponent = i32::try_from(t).unwrap_or(i32::MAX);
        let bias_correction1 = one - beta1.powi(exponent);
        let bias_correction2 = one - beta2.powi(exponent);
        // Adam adds λθ to the gradient; AdamW scales θ by 1 − γλ instead.
        let (l2_penalty, decoupled_decay) = match weight_decay {
            WeightDecay::L2 => (config.weight_decay, T::zero()),
            WeightDecay::Decoupled => (T::zero(), config.weight_decay),
        };

        for i in 0..len {
            let param = params[i];
            let g = penalised_gradient(grads[i], param, l2_penalty, config.maximize);
            let decayed = if decoupled_decay == T::zero() {
                param
            } else {
                param * (one - config.lr * decoupled_decay)
            };

            let m = beta1 * self.exp_avg[i] + (one - beta1) * g;
            let v = beta2 * self.exp_avg_sq[i] + (one - beta2) * g * g;
            self.exp_avg[i] = m;
            self.exp_avg_sq[i] = v;

            let m_hat = m / bias_correction1;
            let v_hat = if config.amsgrad {
                // Unlike Float::max, this keeps a NaN, as torch.maximum does.
                let previous = self.max_exp_avg_sq[i];
                let v_max = if v.is_nan() || v > previous {
                    v
                } else {
                    previous
                };
                self.max_exp_avg_sq[i] = v_max;
                v_max / bias_correction2
            } else {
                v / bias_correction2
            };
            params[i] = decayed - config.lr * m_hat / (v_hat.sqrt() + config.eps);
        }
        Ok(())
    }

    /// Forgets the step count and the moments, keeping the capacity.
    pub(crate) fn reset(&mut self) {
        self.counter.reset();
        self.exp_avg.clear();
        self.exp_avg_sq.clear();
        self.max_exp_avg_sq.clear();
    }
}
