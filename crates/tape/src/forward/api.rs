//! Derivatives, gradients, Jacobians and Jacobian-vector products by
//! forward mode, over slices of a base type `T`.
//!
//! Each function calls the closure with freshly branded dual numbers, so
//! the closure is generic over the brand (`for<'d>`) and nested calls
//! cannot confuse their perturbations.

use super::coefficient::Coefficient;
use super::dual::Dual;
use super::dual_vec::DualVec;

/// Computes the derivative of a function of one variable in one forward
/// sweep.
///
/// ```
/// let d: f64 = adjoint_tape::forward::derivative(|t| t.sin() * t, 0.5);
/// assert_eq!(d, 0.5_f64.cos() * 0.5 + 0.5_f64.sin());
/// ```
///
/// It is generic over the base type, so calls nest: the inner call below
/// runs on `Dual<Dual<f64>>` and the outer one differentiates its result,
/// giving `d²/dx² x³ = 6x`. An outer variable enters an inner closure as
/// a constant of the inner level, which is what `y + x` below means, so
/// `d/dx [x · d/dy (x + y)] = 1`.
///
/// ```
/// use adjoint_tape::forward::{Dual, derivative};
///
/// let second = derivative(|x| derivative(|y| y.powi(3), x), 2.0);
/// assert_eq!(second, 12.0);
/// let nested = derivative(|x| x * derivative(|y| y + x, Dual::constant(1.0)), 1.0);
/// assert_eq!(nested, 1.0);
/// ```
///
/// Passing the inner call a plain `f64` point would put the outer variable
/// on the inner level and compute a wrong derivative (perturbation
/// confusion). The brands make that a compile error:
///
/// ```compile_fail
/// use adjoint_tape::forward::derivative;
///
/// let confused = derivative(|x| x * derivative(|y| y + x, 1.0), 1.0);
/// ```
pub fn derivative<T, F>(f: F, x: T) -> T
where
    T: Coefficient,
    F: for<'d> Fn(Dual<'d, T>) -> Dual<'d, T>,
{
    f(Dual::variable(x)).tangent()
}

/// Computes the second derivative of a function of one variable with
/// nested dual numbers, `Dual<Dual<T>>`, in one sweep.
///
/// For third and higher derivatives nest [`derivative`]; each level of
/// nesting doubles the number of coefficients a number carries (`2ᵏ` for
/// the `k`-th derivative).
///
/// ```
/// let d2: f64 = adjoint_tape::forward::second_derivative(|t| t.sin() * t, 0.5);
/// let expected = 2.0 * 0.5_f64.cos() - 0.5 * 0.5_f64.sin();
/// assert!((d2 - expected).abs() < 1e-15);
/// ```
pub fn second_derivative<T, F>(f: F, x: T) -> T
where
    T: Coefficient,
    F: for<'a, 'b> Fn(Dual<'b, Dual<'a, T>>) -> Dual<'b, Dual<'a, T>>,
{
    let seeded = Dual::new(Dual::variable(x), Dual::constant(T::one()));
    f(seeded).tangent().tangent()
}

/// Computes the gradient of a scalar function of `n` inputs in `n`
/// forward sweeps, one per input.
///
/// Forward mode costs one sweep per input, reverse mode
/// ([`gradient`](crate::gradient)) one sweep in all: use this for a
/// handful of inputs, as a check of reverse mode, or nested for
/// higher derivatives. [`gradient_lanes`] does `N` inputs per sweep. An
/// empty input gives an empty gradient without calling `f`.
///
/// ```
/// let g: Vec<f64> =
///     adjoint_tape::forward::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
/// assert_eq!(g, vec![2.0, 6.0]);
/// ```
///
/// Nested inside [`jacobian`], it gives the Hessian by forward over
/// forward mode:
///
/// ```
/// use adjoint_tape::forward::{gradient, jacobian};
///
/// let h = jacobian(|x| gradient(|y| y[0] * y[0] * y[1], x), &[1.0, 2.0]);
/// assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
/// ```
pub fn gradient<T, F>(f: F, x: &[T]) -> Vec<T>
where
    T: Coefficient,
    F: for<'d> Fn(&[Dual<'d, T>]) -> Dual<'d, T>,
{
    let mut inputs: Vec<Dual<'_, T>> = x.iter().map(|&xi| Dual::constant(xi)).collect();
    (0..x.len())
        .map(|i| {
            inputs[i] = Dual::variable(x[i]);
            let derivative = f(&inputs).tangent();
            inputs[i] = Dual::constant(x[i]);
            derivative
        })
        .collect()
}

/// Computes the gradient of a scalar function in `⌈n/N⌉` forward sweeps
/// of `N` lanes each, with [`DualVec`].
///
/// Each sweep shares the primal work and the partial derivatives among
/// `N` inputs, so it is cheaper than `N` sweeps with [`Dual`]; the total
/// is still `O(n)` evaluations' worth of tangent arithmetic. Choose `N` as
/// a small power of two (4 to 16).
///
/// ```
/// use adjoint_tape::forward::gradient_lanes;
///
/// let g: Vec<f64> = gradient_lanes::<2, _>(|v| v[0] * v[1] * v[2], &[2.0, 3.0, 4.0]);
/// assert_eq!(g, vec![12.0, 8.0, 6.0]);
/// ```
///
/// # Panics
///
/// Panics if `N` is 0.
pub fn gradient_lanes<const N: usize, T>(
    f: impl for<'d> Fn(&[DualVec<'d, T, N>]) -> DualVec<'d, T, N>,
    x: &[T],
) -> Vec<T>
where
    T: Coefficient,
{
    assert!(
        N > 0,
        "gradient_lanes needs at least one lane: call it as gradient_lanes::<8, _>"
    );
    let mut inputs: Vec<DualVec<'_, T, N>> = x.iter().map(|&xi| DualVec::constant(xi)).collect();
    let mut gradient = Vec::with_capacity(x.len());
    for start in (0..x.len()).step_by(N) {
        let end = (start + N).min(x.len());
        for (lane, i) in (start..end).enumerate() {
            inputs[i] = DualVec::variable(x[i], lane);
        }
        let tangents = f(&inputs).tangents();
        gradient.extend_from_slice(&tangents[..end - start]);
        for i in start..end {
            inputs[i] = DualVec::constant(x[i]);
        }
    }
    gradient
}

/// Computes the Jacobian of a vector function by forward mode: one sweep
/// per input, each giving one column. Row `i` is the gradient of output
/// `i`, as in the reverse-mode [`jacobian`](crate::jacobian).
///
/// Both are offered because each wins somewhere. A Jacobian of `m` outputs
/// and `n` inputs costs `n` forward sweeps here, or one recording and `m`
/// reverse sweeps with [`crate::jacobian`]. Forward mode wins when there
/// are fewer inputs than outputs, and it needs no tape memory.
///
/// ```
/// let j: Vec<Vec<f64>> =
///     adjoint_tape::forward::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
/// assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
/// ```
///
/// # Panics
///
/// Panics if `f` returns a different number of outputs in two sweeps.
pub fn jacobian<T, F>(f: F, x: &[T]) -> Vec<Vec<T>>
where
    T: Coefficient,
    F: for<'d> Fn(&[Dual<'d, T>]) -> Vec<Dual<'d, T>>,
{
    let mut inputs: Vec<Dual<'_, T>> = x.iter().map(|&xi| Dual::constant(xi)).collect();
    if x.is_empty() {
        return vec![Vec::new(); f(&inputs).len()];
    }
    let mut rows: Vec<Vec<T>> = Vec::new();
    for j in 0..x.len() {
        inputs[j] = Dual::variable(x[j]);
        let outputs = f(&inputs);
        inputs[j] = Dual::constant(x[j]);
        if j == 0 {
            rows = vec![Vec::with_capacity(x.len()); outputs.len()];
        }
        assert_eq!(
            outputs.len(),
            rows.len(),
            "the function returned {} outputs in the sweep for input {j} but {} in the first; \
             a Jacobian needs the same outputs for every input",
            outputs.len(),
            rows.len()
        );
        for (row, y) in rows.iter_mut().zip(&outputs) {
            row.push(y.tangent());
        }
    }
    rows
}

/// Computes the values of a vector function and its Jacobian-vector
/// product `J · tangent` in one forward sweep (JAX's `jvp`): the
/// directional derivative of every output along `tangent`.
///
/// ```
/// let (values, jvp) = adjoint_tape::forward::jvp(
///     |v| vec![v[0] * v[1], v[0] + v[1]],
///     &[2.0, 3.0],
///     &[1.0, 10.0],
/// );
/// assert_eq!(values, vec![6.0, 5.0]);
/// assert_eq!(jvp, vec![3.0 + 20.0, 11.0]);
/// ```
///
/// # Panics
///
/// Panics if `tangent` does not have one entry per input.
pub fn jvp<T, F>(f: F, x: &[T], tangent: &[T]) -> (Vec<T>, Vec<T>)
where
    T: Coefficient,
    F: for<'d> Fn(&[Dual<'d, T>]) -> Vec<Dual<'d, T>>,
{
    assert_eq!(
        x.len(),
        tangent.len(),
        "jvp needs one tangent entry per input: {} inputs, {} tangent entries",
        x.len(),
        tangent.len()
    );
    let inputs: Vec<Dual<'_, T>> = x
        .iter()
        .zip(tangent)
        .map(|(&xi, &ti)| Dual::new(xi, ti))
        .collect();
    f(&inputs)
        .into_iter()
        .map(|y| (y.value(), y.tangent()))
        .unzip()
}
