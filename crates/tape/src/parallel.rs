//! Sums of per-sample gradients, sequentially or in parallel with rayon.
//!
//! A loss that is a sum over samples, `L(θ) = Σₛ f(θ, s)`, has the gradient
//! `Σₛ ∇f(θ, s)`. Each sample can be recorded and swept on its own tape, so
//! the work splits across threads with one tape per worker.
//!
//! # Threads and tapes
//!
//! A [`Tape`] records through `&self` into a single-threaded arena, so it
//! is `Send` but not `Sync`: a tape can move to another thread, but two
//! threads cannot record on one tape. A [`Var`] and a
//! [`Gradients`](crate::Gradients) borrow their tape, so they are neither
//! `Send` nor `Sync`: they stay on the thread of their tape, and what
//! crosses threads are plain numbers. [`Error`](crate::Error) is `Send`
//! and `Sync`. The integration tests assert these facts at compile time.
//!
//! # Summation order
//!
//! Floating-point addition is not associative, so the order of the sum is
//! fixed: the samples are split into consecutive chunks of
//! [`CHUNK_SAMPLES`], each chunk is summed in sample order, and the chunk
//! sums are added in chunk order. [`gradient_sum`] and
//! [`par_gradient_sum`] both use that order, so their results are equal
//! bit for bit, whatever the number of threads.

use crate::real::Real;
use crate::tape::Tape;
use crate::var::Var;

/// Number of consecutive samples summed together before the chunk sums
/// are added; the unit of work of [`par_gradient_sum`].
pub const CHUNK_SAMPLES: usize = 32;

/// Sums `f(params, sample)` and its gradient with respect to `params` over
/// all samples and returns both sums. One tape is cleared and reused for
/// every sample.
///
/// This is the sequential twin of [`par_gradient_sum`], with the same
/// summation order (see the [module documentation](self)). An empty
/// `samples` gives 0 and a gradient of zeros.
///
/// ```
/// use adjoint_tape::gradient_sum;
///
/// // Least squares: Σ (a·x + b - y)² over the points (x, y).
/// let points = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)];
/// let (loss, grad) = gradient_sum(&[1.0, 0.0], &points, |p, &(x, y)| {
///     let r = p[0] * x + p[1] - y;
///     r * r
/// });
/// assert_eq!(loss, 1.0 + 4.0 + 9.0);
/// // ∂/∂a = Σ 2 r x, ∂/∂b = Σ 2 r, with residuals r = -1, -2, -3.
/// assert_eq!(grad, vec![-16.0, -12.0]);
/// ```
pub fn gradient_sum<T, S, F>(params: &[T], samples: &[S], f: F) -> (T, Vec<T>)
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>], &S) -> Var<'t, T>,
{
    let mut tape = Tape::new();
    let chunk_sums = samples
        .chunks(CHUNK_SAMPLES)
        .map(|chunk| chunk_sum(&mut tape, params, chunk, &f));
    add_chunk_sums(params.len(), chunk_sums)
}

/// Sums `f(params, sample)` and its gradient over all samples in
/// parallel: rayon splits the samples into chunks of [`CHUNK_SAMPLES`],
/// each worker records its chunk on its own tape, and the chunk sums are
/// added in chunk order, so the result equals [`gradient_sum`] bit for
/// bit, whatever the number of threads.
///
/// It runs on rayon's global thread pool (or the pool it is called from,
/// inside `ThreadPool::install`). The closure must be `Sync`: it is shared
/// by the workers.
///
/// ```
/// use adjoint_tape::{Var, gradient_sum, par_gradient_sum};
///
/// fn f<'t>(p: &[Var<'t>], s: &f64) -> Var<'t> {
///     (p[0] * *s).sin() * p[1]
/// }
///
/// let samples: Vec<f64> = (0..1000).map(|i| f64::from(i) / 100.0).collect();
/// let parallel = par_gradient_sum(&[0.3, 2.0], &samples, f);
/// let sequential = gradient_sum(&[0.3, 2.0], &samples, f);
/// assert_eq!(parallel, sequential);
/// ```
#[cfg(feature = "rayon")]
pub fn par_gradient_sum<T, S, F>(params: &[T], samples: &[S], f: F) -> (T, Vec<T>)
where
    T: Real,
    S: Sync,
    F: for<'t> Fn(&[Var<'t, T>], &S) -> Var<'t, T> + Sync,
{
    use rayon::prelude::*;

    let chunk_sums: Vec<(T, Vec<T>)> = samples
        .par_chunks(CHUNK_SAMPLES)
        .map_init(Tape::new, |tape, chunk| chunk_sum(tape, params, chunk, &f))
        .collect();
    add_chunk_sums(params.len(), chunk_sums)
}

/// Sums the values and gradients of one chunk of samples, in order,
/// clearing `tape` before each sample.
fn chunk_sum<T, S, F>(tape: &mut Tape<T>, params: &[T], chunk: &[S], f: &F) -> (T, Vec<T>)
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>], &S) -> Var<'t, T>,
{
    let mut value = T::zero();
    let mut gradient = vec![T::zero(); params.len()];
    for sample in chunk {
        tape.clear();
        let inputs = tape.vars(params);
        let output = f(&inputs, sample);
        value = value + output.value();
        let gradients = output.gradient();
        for (sum, &input) in gradient.iter_mut().zip(&inputs) {
            *sum = *sum + gradients.wrt(input);
        }
    }
    (value, gradient)
}

/// Adds the chunk sums in order.
fn add_chunk_sums<T: Real>(
    parameters: usize,
    chunk_sums: impl IntoIterator<Item = (T, Vec<T>)>,
) -> (T, Vec<T>) {
    let mut value = T::zero();
    let mut gradient = vec![T::zero(); parameters];
    for (chunk_value, chunk_gradient) in chunk_sums {
        value = value + chunk_value;
        for (sum, part) in gradient.iter_mut().zip(chunk_gradient) {
            *sum = *sum + part;
        }
    }
    (value, gradient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_sum_of_no_samples_is_zero() {
        let samples: [f64; 0] = [];
        let (value, gradient) = gradient_sum(&[1.0, 2.0], &samples, |p, &s| p[0] * s);
        assert_eq!(value, 0.0);
        assert_eq!(gradient, vec![0.0, 0.0]);
    }

    #[test]
    fn gradient_sum_spans_several_chunks() {
        let samples: Vec<f64> = (0..100).map(f64::from).collect();
        let (value, gradient) = gradient_sum(&[2.0], &samples, |p, &s| p[0] * s);
        assert_eq!(value, 2.0 * 4950.0);
        assert_eq!(gradient, vec![4950.0]);
    }

    #[test]
    fn gradient_sum_of_constant_output() {
        let (value, gradient) = gradient_sum(&[1.0], &[3.0, 4.0], |_, &s| Var::constant(s));
        assert_eq!(value, 7.0);
        assert_eq!(gradient, vec![0.0]);
    }
}
