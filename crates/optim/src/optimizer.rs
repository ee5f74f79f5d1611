//! The [`Optimizer`] trait that every optimizer of this crate implements.

use num_traits::Float;

use crate::error::{Error, check_non_negative, expect_valid};

/// An optimizer that updates a flat slice of parameters in place from a
/// slice of gradients.
///
/// The optimizer owns its state (momentum buffers, moment estimates, the
/// step count). The state is sized at the first step, so later steps
/// allocate nothing; [`reset`](Optimizer::reset) clears it. Each step uses
/// only the gradients passed to it: nothing is accumulated across calls
/// besides the state that the algorithm documents.
///
/// The type parameter defaults to `f64`, so `impl Optimizer` and
/// `dyn Optimizer` mean optimizers over `f64` parameters.
///
/// ```
/// use adjoint_optim::{Adam, Optimizer, Sgd};
///
/// // Minimise f(x) = x^2 with whichever optimizer the caller picks.
/// fn minimise(optimizer: &mut dyn Optimizer, x: &mut [f64], steps: usize) {
///     for _ in 0..steps {
///         let grads = [2.0 * x[0]];
///         optimizer.step(x, &grads);
///     }
/// }
///
/// let mut x = [1.0];
/// minimise(&mut Sgd::new(0.25), &mut x, 10);
/// // Each step multiplies x by 1 - 0.25 * 2 = 0.5.
/// assert_eq!(x[0], 0.5_f64.powi(10));
///
/// let mut x = [1.0];
/// minimise(&mut Adam::new(0.1), &mut x, 100);
/// assert!(x[0].abs() < 0.05);
/// ```
pub trait Optimizer<T: Float = f64> {
    /// Updates `params` in place from `grads`, or returns an error and
    /// leaves `params` and the optimizer's state untouched.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if the slices differ in length,
    /// [`Error::LengthChanged`] if the length differs from the first step
    /// since construction or [`reset`](Optimizer::reset), and
    /// [`Error::NesterovRequiresMomentum`] for an SGD configured with
    /// Nesterov momentum but no momentum or a nonzero dampening.
    ///
    /// ```
    /// use adjoint_optim::{Error, Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1);
    /// let mut params = vec![1.0_f64, 2.0];
    /// let error = sgd.try_step(&mut params, &[1.0]).unwrap_err();
    /// assert_eq!(error, Error::LengthMismatch { params: 2, grads: 1 });
    /// assert_eq!(params, [1.0, 2.0]);
    /// ```
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error>;

    /// Updates `params` in place from `grads`.
    ///
    /// # Panics
    ///
    /// On every error that [`try_step`](Optimizer::try_step) returns, with
    /// that error's message. `params` are left untouched.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1);
    /// let mut params = vec![1.0_f64, 2.0];
    /// sgd.step(&mut params, &[10.0, -10.0]);
    /// // theta <- theta - lr * g
    /// assert_eq!(params, [0.0, 3.0]);
    /// ```
    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        expect_valid(self.try_step(params, grads));
    }

    /// Forgets the state (buffers and step count), so the next step is
    /// treated as the first; the hyperparameters and the current learning
    /// rate stay. The buffers keep their capacity.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1).momentum(0.5);
    /// let mut params = vec![0.0_f64];
    /// sgd.step(&mut params, &[1.0]); // buffer = 1, params = -0.1
    /// sgd.reset();
    /// sgd.step(&mut params, &[1.0]); // buffer starts again at 1, params = -0.2
    /// assert!((params[0] + 0.2).abs() < 1e-15);
    ///
    /// // After a reset the optimizer accepts a parameter vector of another length.
    /// sgd.reset();
    /// let mut longer = vec![0.0_f64; 3];
    /// sgd.step(&mut longer, &[1.0, 1.0, 1.0]);
    /// assert_eq!(longer, [-0.1; 3]);
    /// ```
    fn reset(&mut self);

    /// Returns the learning rate the next step uses.
    ///
    /// ```
    /// use adjoint_optim::{Adam, Optimizer};
    ///
    /// assert_eq!(Adam::new(1e-3).learning_rate(), 1e-3);
    /// ```
    fn learning_rate(&self) -> T;

    /// Sets the learning rate of the following steps, as a schedule does,
    /// or returns an error and leaves it unchanged.
    ///
    /// Zero is accepted here, unlike when the optimizer is built, because a
    /// schedule such as cosine annealing down to 0 reaches it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if `lr` is negative, infinite or
    /// NaN.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1);
    /// assert!(sgd.try_set_learning_rate(0.0).is_ok());
    /// assert!(sgd.try_set_learning_rate(f64::NAN).is_err());
    /// assert_eq!(sgd.learning_rate(), 0.0);
    /// ```
    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error>;

    /// Sets the learning rate of the following steps, as a schedule does.
    ///
    /// # Panics
    ///
    /// If `lr` is negative, infinite or NaN, with a message naming it.
    ///
    /// ```
    /// use adjoint_optim::{Optimizer, Sgd};
    ///
    /// let mut sgd = Sgd::new(0.1);
    /// sgd.set_learning_rate(0.05);
    /// let mut params = vec![1.0_f64];
    /// sgd.step(&mut params, &[2.0]);
    /// assert_eq!(params, [0.9]);
    /// ```
    #[track_caller]
    fn set_learning_rate(&mut self, lr: T) {
        expect_valid(self.try_set_learning_rate(lr));
    }
}

/// Checks a learning rate set after the optimizer was built.
pub(crate) fn check_scheduled_lr<T: Float>(lr: T) -> Result<T, Error> {
    check_non_negative("learning rate", lr)
}

impl<T: Float, O: Optimizer<T> + ?Sized> Optimizer<T> for &mut O {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        (**self).try_step(params, grads)
    }

    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        (**self).step(params, grads);
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn learning_rate(&self) -> T {
        (**self).learning_rate()
    }

    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        (**self).try_set_learning_rate(lr)
    }
}

impl<T: Float, O: Optimizer<T> + ?Sized> Optimizer<T> for Box<O> {
    fn try_step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), Error> {
        (**self).try_step(params, grads)
    }

    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        (**self).step(params, grads);
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn learning_rate(&self) -> T {
        (**self).learning_rate()
    }

    fn try_set_learning_rate(&mut self, lr: T) -> Result<(), Error> {
        (**self).try_set_learning_rate(lr)
    }
}
