//! Adapter that runs [argmin](https://docs.rs/argmin/0.11)'s solvers on a
//! cost closure and a gradient closure over `Vec<f64>` (enabled by the
//! `argmin` feature).
//!
//! argmin 0.11 solves any problem that implements its `CostFunction` and
//! `Gradient` traits. [`ClosureProblem`] implements both for two plain
//! closures, so L-BFGS, nonlinear conjugate gradient and the line searches
//! run on a function and its gradient as written, for example a gradient
//! from reverse-mode differentiation. The `argmin-math` dependency is
//! enabled with its default `vec` feature, which gives `Vec<f64>` the vector
//! arithmetic those solvers need.
//!
//! ```
//! use adjoint_optim::argmin::ClosureProblem;
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//!
//! // Rosenbrock's function and its gradient.
//! let problem = ClosureProblem::new(
//!     |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2),
//!     |x: &[f64]| {
//!         let residual = x[1] - x[0] * x[0];
//!         vec![-2.0 * (1.0 - x[0]) - 400.0 * x[0] * residual, 200.0 * residual]
//!     },
//! );
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(200))
//!     .run()?;
//! let best = result.state().get_best_param().unwrap();
//! assert!((best[0] - 1.0).abs() < 1e-6);
//! assert!((best[1] - 1.0).abs() < 1e-6);
//! # Ok::<(), argmin::core::Error>(())
//! ```

use ::argmin::core::{CostFunction, Error as ArgminError, Gradient};

use crate::error::Error;

/// An argmin problem made of a cost closure and a gradient closure over
/// `Vec<f64>` parameters.
///
/// The gradient closure must return one value per parameter. A gradient of
/// another length makes the solver stop with an error naming both lengths,
/// before the solver does arithmetic on it.
///
/// ```
/// use adjoint_optim::argmin::ClosureProblem;
/// use argmin::core::{CostFunction, Gradient};
///
/// let problem = ClosureProblem::new(
///     |x: &[f64]| x[0] * x[0] + 3.0 * x[1] * x[1],
///     |x: &[f64]| vec![2.0 * x[0], 6.0 * x[1]],
/// );
/// assert_eq!(problem.cost(&vec![1.0, 1.0])?, 4.0);
/// assert_eq!(problem.gradient(&vec![1.0, 1.0])?, [2.0, 6.0]);
/// # Ok::<(), argmin::core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ClosureProblem<C, G> {
    cost: C,
    gradient: G,
}

impl<C, G> ClosureProblem<C, G>
where
    C: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
{
    /// Wraps a cost closure and its gradient closure.
    ///
    /// ```
    /// use adjoint_optim::argmin::ClosureProblem;
    /// use argmin::core::Executor;
    /// use argmin::solver::conjugategradient::{beta::PolakRibiere, NonlinearConjugateGradient};
    /// use argmin::solver::linesearch::MoreThuenteLineSearch;
    ///
    /// let problem = ClosureProblem::new(
    ///     |x: &[f64]| (x[0] - 3.0).powi(2) + 3.0 * (x[1] + 1.0).powi(2),
    ///     |x: &[f64]| vec![2.0 * (x[0] - 3.0), 6.0 * (x[1] + 1.0)],
    /// );
    /// let solver = NonlinearConjugateGradient::new(MoreThuenteLineSearch::new(), PolakRibiere::new());
    /// let result = Executor::new(problem, solver)
    ///     .configure(|state| state.param(vec![0.0, 0.0]).max_iters(50).target_cost(1e-12))
    ///     .run()?;
    /// assert!(result.state().best_cost < 1e-12);
    /// # Ok::<(), argmin::core::Error>(())
    /// ```
    pub fn new(cost: C, gradient: G) -> Self {
        Self { cost, gradient }
    }
}

impl<C, G> CostFunction for ClosureProblem<C, G>
where
    C: Fn(&[f64]) -> f64,
{
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Self::Param) -> Result<Self::Output, ArgminError> {
        Ok((self.cost)(param))
    }
}

impl<C, G> Gradient for ClosureProblem<C, G>
where
    G: Fn(&[f64]) -> Vec<f64>,
{
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, param: &Self::Param) -> Result<Self::Gradient, ArgminError> {
        let gradient = (self.gradient)(param);
        if gradient.len() != param.len() {
            return Err(Error::LengthMismatch {
                params: param.len(),
                grads: gradient.len(),
            }
            .into());
        }
        Ok(gradient)
    }
}
