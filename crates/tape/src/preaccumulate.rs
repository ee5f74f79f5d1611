//! Local preaccumulation: a small function of a few variables recorded as
//! one statement.

use std::array;
use std::ptr;

use crate::forward::{Coefficient, DualVec};
use crate::real::Real;
use crate::var::{Var, record_fixed};

/// Records `f` applied to `inputs` as one statement whose `N` partial
/// derivatives come from forward mode, one lane per input.
///
/// Every elementary operation recorded on a tape costs a statement, and
/// recording and sweeping a statement costs more than twenty cheap
/// floating-point operations (measured in `docs/benchmarks.md`). A function
/// of a few inputs evaluated once on `DualVec` numbers costs little more
/// than the function itself. It leaves a single statement with `N` operand
/// entries in place of one per operation: 4 + 12 N bytes for `f64`,
/// whatever the size of `f`. This is CoDiPack's local preaccumulation, and
/// the shape of Stan's nodes with precomputed partials.
///
/// The closure runs once. Its inputs carry one tangent lane per input, so
/// it is written over [`DualVec`]: constants of type `T` go on the right
/// of an operator, and `f64` constants on either side when `T` is `f64`.
/// Intermediate values inside `f` get no node, so `Gradients::wrt` can
/// only be asked of `inputs` and of the result. A constant among `inputs`
/// gets no operand entry.
///
/// The partials follow forward mode's zero-tangent rule: a zero tangent
/// times an infinite partial contributes 0. So at a point such as the
/// origin of `√(x² + y²)` the partials are 0 where the same function
/// recorded operation by operation gives NaN.
///
/// NOTE: the converse also happens, because forward mode multiplies the
/// partials in the opposite order to the reverse sweep. Where an
/// intermediate overflows, a hand-written `1 / (1 + exp(-x))` at
/// `x = -1000` gives a NaN partial here and 0 operation by operation. The
/// stable `sigmoid`, `softplus` and `ln_1p` of `DualVec` avoid it.
/// Likewise a zero constant factor does not stop an infinite tangent:
/// `x.sqrt() * 0.0` at `x = 0` gives a NaN partial here and 0 operation by
/// operation, where the sweep's zero-adjoint rule applies.
///
/// ```
/// use adjoint_tape::{Tape, preaccumulate};
///
/// let tape = Tape::new();
/// let (x, y) = (tape.var(-1.2), tape.var(1.0));
/// // One Rosenbrock term, 100 (y - x²)² + (1 - x)², as one statement.
/// let term = preaccumulate([x, y], |[x, y]| {
///     let a = y - x * x;
///     100.0 * a * a + (1.0 - x) * (1.0 - x)
/// });
/// assert_eq!(tape.len(), 3);
/// assert_eq!(tape.operand_count(), 2);
/// let g = term.gradient();
/// // ∂/∂x = -400 x (y - x²) - 2 (1 - x), ∂/∂y = 200 (y - x²).
/// let a: f64 = 1.0 - 1.44;
/// assert!((g.wrt(x) - (480.0 * a - 4.4)).abs() < 1e-12);
/// assert!((g.wrt(y) - 200.0 * a).abs() < 1e-12);
/// ```
///
/// NOTE: the closure's inputs are `N` numbers of `N` lanes each, `N²`
/// values on the stack (128 KiB for `f64` at `N = 128`), copied a few
/// times in debug builds. Up to `N = 128` fits a default 2 MiB thread
/// stack. At `N = 256` a debug build overflows it and the process aborts.
///
/// # Panics
///
/// Panics if the inputs belong to different tapes.
#[inline]
pub fn preaccumulate<'t, T, const N: usize, F>(inputs: [Var<'t, T>; N], f: F) -> Var<'t, T>
where
    T: Real + Coefficient,
    F: for<'d> FnOnce([DualVec<'d, T, N>; N]) -> DualVec<'d, T, N>,
{
    let output = f(array::from_fn(|lane| {
        DualVec::variable(inputs[lane].value(), lane)
    }));
    let (value, partials) = (output.value(), output.tangents());
    if let Some(tape) = inputs.first().and_then(|first| first.tape())
        && inputs
            .iter()
            .all(|input| input.tape().is_some_and(|other| ptr::eq(other, tape)))
    {
        let operands = array::from_fn(|i| inputs[i].raw_index());
        let index = tape.push_entries("preaccumulated", value, operands, partials, N);
        return Var::on_tape(tape, index, value);
    }
    // Constants among the inputs (a fold that starts from a constant
    // total, say), or no tape at all: an entry for each input on a tape.
    record_fixed("preaccumulated", value, inputs, partials)
}
