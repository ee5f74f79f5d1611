//! Bookkeeping shared by the optimizers: the step count, the length their
//! state was sized for, lazily sized state buffers, and the gradient
//! that a step uses.

use num_traits::Float;

use crate::error::Error;

/// The step count of an optimizer and the parameter length of its state.
#[derive(Debug, Clone, Default)]
pub(crate) struct StepCounter {
    /// Parameter length seen at the first step since construction or reset.
    len: Option<usize>,
    /// Steps taken since construction or reset.
    steps: u64,
}

impl StepCounter {
    /// Checks the slice lengths of a step, then records the step and
    /// returns its 1-based number. On an error nothing is changed.
    pub(crate) fn start_step<T>(&mut self, params: &[T], grads: &[T]) -> Result<u64, Error> {
        let (params, grads) = (params.len(), grads.len());
        if params != grads {
            return Err(Error::LengthMismatch { params, grads });
        }
        if let Some(expected) = self.len.filter(|&expected| expected != params) {
            return Err(Error::LengthChanged {
                expected,
                found: params,
            });
        }
        self.len = Some(params);
        self.steps += 1;
        Ok(self.steps)
    }

    /// Forgets the step count and the parameter length.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Sizes a state buffer to `len` values of `fill` unless it already has
/// `len` values, and returns whether it was filled.
///
/// A buffer is empty after construction and after `reset()`, and the
/// length check of [`StepCounter::start_step`] keeps every buffer in use at the
/// parameter length, so a buffer is filled (and allocates) only at its
/// first step.
pub(crate) fn prepare_buffer<T: Copy>(buffer: &mut Vec<T>, len: usize, fill: T) -> bool {
    if buffer.len() == len {
        return false;
    }
    buffer.clear();
    buffer.resize(len, fill);
    true
}

/// Computes the gradient a step uses: `grad` negated when maximising,
/// then with the L2 penalty λθ added when λ is nonzero. Negating first
/// keeps the penalty pulling θ toward 0 when maximising, as PyTorch does.
pub(crate) fn penalised_gradient<T: Float>(
    grad: T,
    param: T,
    weight_decay: T,
    maximize: bool,
) -> T {
    let g = if maximize { -grad } else { grad };
    if weight_decay == T::zero() {
        g
    } else {
        g + weight_decay * param
    }
}
