//! Bookkeeping shared by the optimizers: the step count, the length their
//! state was sized for, and lazily sized state buffers.

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
    /// Checks the slice lengths of a step before anything is changed.
    pub(crate) fn check(&self, params: usize, grads: usize) -> Result<(), Error> {
        if params != grads {
            return Err(Error::LengthMismatch { params, grads });
        }
        match self.len {
            Some(expected) if expected != params => Err(Error::LengthChanged {
                expected,
                found: params,
            }),
            _ => Ok(()),
        }
    }

    /// Records a step over `len` parameters and returns its 1-based number.
    pub(crate) fn advance(&mut self, len: usize) -> u64 {
        self.len = Some(len);
        self.steps += 1;
        self.steps
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
/// length check of [`StepCounter::check`] keeps every buffer in use at the
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
