//! Convenience functions over `&[f64]`, in the spirit of `numDeriv::grad`
//! and `ForwardDiff.gradient`: each records the function on its own tape.
//! `gradient` and `value_and_gradient` reuse a cleared tape kept per thread
//! and number type, so repeated calls do not grow a new tape each time.

use std::any::Any;
use std::cell::RefCell;

use crate::real::Real;
use crate::tape::Tape;
use crate::var::Var;

/// The gradient of a scalar function of many inputs, by one reverse sweep.
///
/// The closure receives one variable per input. An empty input gives an
/// empty gradient.
///
/// ```
/// let g = adjoint_tape::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
/// assert_eq!(g, vec![2.0, 6.0]);
/// ```
pub fn gradient<T, F>(f: F, x: &[T]) -> Vec<T>
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    value_and_gradient(f, x).1
}

/// The value and the gradient of a scalar function, by one recording and
/// one reverse sweep.
///
/// ```
/// let (value, g) = adjoint_tape::value_and_gradient(|v| v[0].sin() * v[1], &[0.5, 2.0]);
/// assert_eq!(value, 0.5_f64.sin() * 2.0);
/// assert_eq!(g, vec![0.5_f64.cos() * 2.0, 0.5_f64.sin()]);
/// ```
pub fn value_and_gradient<T, F>(f: F, x: &[T]) -> (T, Vec<T>)
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    with_spare_tape(|tape: &Tape<T>| {
        let inputs = tape.vars(x);
        let output = f(&inputs);
        let gradients = output.gradient();
        (output.value(), gradients.wrt_all(&inputs))
    })
}

/// Largest tape, in reserved arena bytes, that [`with_spare_tape`] keeps
/// for the next call on the same thread.
const MAX_SPARE_TAPE_BYTES: usize = 64 << 20;

thread_local! {
    /// Tapes kept between calls of the convenience functions, at most one
    /// per number type.
    static SPARE_TAPES: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` on this thread's spare tape for `T`, or on a new one, and
/// keeps the tape (cleared, with its capacity and adjoint buffer) for the
/// next call if its arenas hold at most [`MAX_SPARE_TAPE_BYTES`].
///
/// Reusing the tape saves the growth of its arenas and the page faults of
/// fresh memory on every call, which cost more than the recording itself
/// for large functions. A nested call (a gradient inside a gradient) finds
/// no spare tape and uses a new one.
fn with_spare_tape<T: Real, R>(work: impl FnOnce(&Tape<T>) -> R) -> R {
    let spare = SPARE_TAPES
        .try_with(|spares| {
            let mut spares = spares.borrow_mut();
            let position = spares.iter().position(|tape| tape.is::<Tape<T>>())?;
            spares.swap_remove(position).downcast::<Tape<T>>().ok()
        })
        .ok()
        .flatten();
    let mut tape = spare.unwrap_or_default();
    let result = work(&tape);
    tape.clear();
    // The closure can reach the tape through a variable; leave no debug
    // recording on for the next caller.
    tape.set_debug(false);
    if tape.capacity_bytes() <= MAX_SPARE_TAPE_BYTES {
        // During thread teardown the spare list is gone; the tape is dropped.
        let _ = SPARE_TAPES.try_with(|spares| spares.borrow_mut().push(tape));
    }
    result
}

/// The vector-Jacobian product `cotangentᵀ J` of a vector function and its
/// value, by one reverse sweep seeded with the cotangent (JAX's `vjp`).
///
/// ```
/// let (value, vjp) = adjoint_tape::vjp(|v| vec![v[0] * v[1], v[0] + v[1]], &[2.0, 3.0], &[1.0, 10.0]);
/// assert_eq!(value, vec![6.0, 5.0]);
/// assert_eq!(vjp, vec![3.0 + 10.0, 2.0 + 10.0]);
/// ```
///
/// # Panics
///
/// Panics if `cotangent` does not have one entry per output.
pub fn vjp<T, F>(f: F, x: &[T], cotangent: &[T]) -> (Vec<T>, Vec<T>)
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
{
    let tape = Tape::new();
    let inputs = tape.vars(x);
    let outputs = f(&inputs);
    assert_eq!(
        outputs.len(),
        cotangent.len(),
        "vjp needs one cotangent entry per output: the function returned {} outputs, the cotangent has {} entries",
        outputs.len(),
        cotangent.len()
    );
    let values = outputs.iter().map(|y| y.value()).collect();
    let mut adjoints = Vec::new();
    let last = outputs.iter().filter_map(|y| y.index()).max();
    let Some(last) = last else {
        return (values, vec![T::zero(); x.len()]);
    };
    tape.sweep_into(&mut adjoints, last + 1, |adj| {
        for (y, &c) in outputs.iter().zip(cotangent) {
            if let Some(i) = y.index() {
                adj[i] = adj[i] + c;
            }
        }
    });
    let vjp = inputs
        .iter()
        .map(|v| adjoints[v.index().expect("inputs are on the tape")])
        .collect();
    (values, vjp)
}

/// The Jacobian of a vector function by reverse mode: one recording, then
/// one sweep per output, reusing the adjoint buffer. Row `i` holds the
/// gradient of output `i`.
///
/// Each sweep starts from zero adjoints, so a NaN in one output's
/// derivatives never leaks into another row. Reverse mode costs one sweep
/// per output: prefer [`forward::jacobian`](crate::forward::jacobian) when
/// there are fewer inputs than outputs.
///
/// ```
/// let j = adjoint_tape::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
/// assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
/// ```
pub fn jacobian<T, F>(f: F, x: &[T]) -> Vec<Vec<T>>
where
    T: Real,
    F: for<'t> Fn(&[Var<'t, T>]) -> Vec<Var<'t, T>>,
{
    let tape = Tape::new();
    let inputs = tape.vars(x);
    let outputs = f(&inputs);
    outputs
        .iter()
        .map(|y| y.gradient().wrt_all(&inputs))
        .collect()
}
