//! `custom_vjp`: a custom operation from a closure, without implementing
//! [`CustomOp`] by hand.

use smallvec::SmallVec;

use crate::custom::CustomOp;
use crate::real::Real;
use crate::var::{Var, common_tape};

/// Records an operation of `inputs` whose outputs are `outputs` (computed
/// by the caller) and whose vector-Jacobian product is the closure `vjp`,
/// as `jax.custom_vjp` and `torch.autograd.Function` do; returns one
/// variable per output.
///
/// In the reverse sweep `vjp(cotangent, input_adjoints)` receives the
/// adjoints of the outputs (one per output) and must add `cotangentᵀ J` into
/// `input_adjoints`, which has one slot per input, in order, and starts at
/// zero. Slots of constant inputs are ignored. The closure is not called
/// when the whole cotangent is zero. `name` labels the operation in
/// anomaly reports, statistics and DOT graphs.
///
/// Use it where the derivative is cheaper or more accurate by hand than by
/// recording the steps, for a numerically stable form, or for several
/// outputs sharing work. For one output with partials known up front,
/// [`Var::from_partials`] is simpler and stores no closure.
///
/// ```
/// use adjoint_tape::{Tape, custom_vjp};
///
/// // (s, p) = (a + b, a b) as one operation with a hand-written vjp.
/// let tape = Tape::new();
/// let (a, b) = (tape.var(2.0), tape.var(5.0));
/// let (av, bv) = (a.value(), b.value());
/// let out = custom_vjp("sum_and_product", &[a, b], &[av + bv, av * bv], move |ct, adj| {
///     adj[0] += ct[0] + ct[1] * bv;
///     adj[1] += ct[0] + ct[1] * av;
/// });
/// let (s, p) = (out[0], out[1]);
/// assert_eq!((s.value(), p.value()), (7.0, 10.0));
/// let g = (s * p).gradient(); // ∂/∂a (s p) = p + s b = 10 + 35
/// assert_eq!(g.wrt_all(&[a, b]), vec![45.0, 24.0]);
/// ```
///
/// If every input is a constant the outputs are constants and nothing is
/// recorded; no outputs give an empty vector.
///
/// # Panics
///
/// Panics if the inputs belong to different tapes; in the sweep, if `vjp`
/// panics.
pub fn custom_vjp<'t, T, F>(
    name: &'static str,
    inputs: &[Var<'t, T>],
    outputs: &[T],
    vjp: F,
) -> Vec<Var<'t, T>>
where
    T: Real,
    F: Fn(&[T], &mut [T]) + Send + 'static,
{
    let tape = common_tape(inputs.iter().copied());
    let Some(tape) = tape.filter(|_| !outputs.is_empty()) else {
        return outputs.iter().map(|&value| Var::constant(value)).collect();
    };
    let op = ClosureOp {
        name,
        inputs: inputs.iter().map(|v| v.index()).collect(),
        vjp,
    };
    let first = tape.push_custom(outputs.len(), Box::new(op));
    outputs
        .iter()
        .enumerate()
        .map(|(k, &value)| tape.custom_output(first + k, value))
        .collect()
}

/// The custom operation behind [`custom_vjp`].
struct ClosureOp<F> {
    name: &'static str,
    /// Node index of each input, `None` for constants.
    inputs: SmallVec<[Option<usize>; 4]>,
    vjp: F,
}

impl<T, F> CustomOp<T> for ClosureOp<F>
where
    T: Real,
    F: Fn(&[T], &mut [T]) + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn vjp(&self, cotangent: &[T], adjoints: &mut [T]) {
        let mut input_adjoints: SmallVec<[T; 4]> =
            SmallVec::from_elem(T::zero(), self.inputs.len());
        (self.vjp)(cotangent, &mut input_adjoints);
        for (input, &adjoint) in self.inputs.iter().zip(&input_adjoints) {
            if let Some(index) = *input {
                adjoints[index] = adjoints[index] + adjoint;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tape;

    #[test]
    fn custom_vjp_skips_constant_inputs() {
        let tape = Tape::new();
        let x = tape.var(3.0);
        let c = Var::constant(4.0);
        let out = custom_vjp("scaled", &[c, x], &[12.0], |ct, adj| {
            adj[0] += ct[0] * 3.0;
            adj[1] += ct[0] * 4.0;
        });
        assert_eq!(out[0].gradient().wrt(x), 4.0);
    }

    #[test]
    fn custom_vjp_of_constants_records_nothing() {
        let tape = Tape::<f64>::new();
        let c = Var::constant(2.0);
        let out = custom_vjp("never", &[c], &[4.0], |_, _| unreachable!());
        assert!(out[0].is_constant());
        assert!(tape.is_empty());
    }

    #[test]
    fn custom_vjp_repeated_input_accumulates() {
        let tape = Tape::new();
        let x = tape.var(3.0);
        // x · x as an operation of two inputs that are the same node.
        let out = custom_vjp("square", &[x, x], &[9.0], |ct, adj| {
            adj[0] += ct[0] * 3.0;
            adj[1] += ct[0] * 3.0;
        });
        assert_eq!(out[0].gradient().wrt(x), 6.0);
    }

    #[test]
    fn custom_vjp_names_the_operation() {
        let tape = Tape::new();
        tape.set_debug(true);
        let x = tape.var(1.0);
        let out = custom_vjp("identity", &[x], &[1.0], |ct, adj| adj[0] += ct[0]);
        let index = out[0].index().expect("on the tape");
        assert_eq!(tape.node_name(index), Some("identity"));
        assert_eq!(tape.stats().by_kind["identity"], 1);
    }
}
