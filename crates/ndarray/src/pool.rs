//! A per-thread pool of `f64` buffers for tensor values and the state that
//! vjps keep.
//!
//! Recording a tensor function allocates one or two arrays per operation,
//! and a training loop drops all of them at the end of every step. Handed
//! back to the system allocator, large buffers make glibc's malloc trim
//! the top of the heap, so that the next step page-faults on fresh pages
//! and zeroes them again. Keeping the buffers in a pool and reusing them
//! removes both costs.
//!
//! NOTE: a thread keeps up to `MAX_POOLED_BYTES` of freed buffers until it
//! exits, also after its tapes and tensors are gone.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use ndarray::{ArrayD, Dimension, IxDyn};

/// Buffers shorter than this go back to the system allocator, which
/// serves small sizes from its own caches without trimming.
const MIN_POOLED_LEN: usize = 512;
/// At most this many buffers are kept per thread.
const MAX_BUFFERS: usize = 1024;
/// At most this many bytes of buffers are kept per thread.
const MAX_POOLED_BYTES: usize = 64 << 20;

/// The free buffers by capacity.
#[derive(Default)]
struct Pool {
    buffers: BTreeMap<usize, Vec<Vec<f64>>>,
    count: usize,
    bytes: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// Takes an empty vector with room for at least `len` elements from the
/// pool, or allocates one when the pool contains none that fits.
pub(crate) fn take(len: usize) -> Vec<f64> {
    if len >= MIN_POOLED_LEN {
        let reused = POOL.try_with(|pool| {
            let mut pool = pool.borrow_mut();
            // The smallest buffer that fits, and none more than twice as
            // long, so that short requests leave the long buffers to long
            // ones.
            let (&capacity, buffers) = pool.buffers.range_mut(len..=2 * len).next()?;
            let buffer = buffers.pop().expect("the pool keeps no empty lists");
            if buffers.is_empty() {
                pool.buffers.remove(&capacity);
            }
            pool.count -= 1;
            pool.bytes -= capacity * size_of::<f64>();
            Some(buffer)
        });
        if let Ok(Some(mut buffer)) = reused {
            buffer.clear();
            return buffer;
        }
    }
    Vec::with_capacity(len)
}

/// Returns `buffer` to the pool, or frees it when it is short or the pool
/// is full.
pub(crate) fn give(buffer: Vec<f64>) {
    let capacity = buffer.capacity();
    let bytes = capacity * size_of::<f64>();
    if capacity < MIN_POOLED_LEN {
        return;
    }
    // During thread teardown the pool may be gone; the buffer is freed.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.count < MAX_BUFFERS && pool.bytes + bytes <= MAX_POOLED_BYTES {
            pool.count += 1;
            pool.bytes += bytes;
            pool.buffers.entry(capacity).or_default().push(buffer);
        }
    });
}

/// Builds a vector of `len` zeros in a buffer from the pool.
pub(crate) fn zeros_vec(len: usize) -> Vec<f64> {
    let mut buffer = take(len);
    buffer.resize(len, 0.0);
    buffer
}

/// Builds an array of zeros of `shape` in a buffer from the pool.
pub(crate) fn zeros(shape: IxDyn) -> ArrayD<f64> {
    let len = shape.size();
    ArrayD::from_shape_vec(shape, zeros_vec(len)).expect("the buffer has one element per index")
}

/// Collects `values`, in row-major order, into an array of `shape` in a
/// buffer from the pool.
///
/// # Panics
///
/// Panics if `values` does not yield exactly one value per element.
pub(crate) fn collect(shape: IxDyn, values: impl IntoIterator<Item = f64>) -> ArrayD<f64> {
    let len = shape.size();
    let mut buffer = take(len);
    buffer.extend(values);
    assert_eq!(
        buffer.len(),
        len,
        "internal error: an array of {len} elements got {} values",
        buffer.len()
    );
    ArrayD::from_shape_vec(shape, buffer).expect("the buffer has one element per index")
}

/// Copies `xs` into a pooled buffer shaped as `shape`.
pub(crate) fn copy_slice(shape: IxDyn, xs: &[f64]) -> ArrayD<f64> {
    let mut buffer = take(xs.len());
    buffer.extend_from_slice(xs);
    ArrayD::from_shape_vec(shape, buffer).expect("the buffer has one element per index")
}

/// Returns `f(x)` for every `x` of `xs`, in a pooled buffer shaped as
/// `shape`.
pub(crate) fn map_slice(shape: IxDyn, xs: &[f64], f: impl Fn(f64) -> f64) -> ArrayD<f64> {
    let mut buffer = take(xs.len());
    crate::kernels::extend_map(&mut buffer, xs, f);
    ArrayD::from_shape_vec(shape, buffer).expect("the buffer has one element per index")
}

/// An array whose buffer goes back to the pool when it is dropped: the
/// type of tensor values and of the arrays that vjps keep.
#[derive(Debug)]
pub(crate) struct PooledArray(ArrayD<f64>);

impl PooledArray {
    /// Wraps `array` so that its buffer is reused once it is dropped.
    pub(crate) fn new(array: ArrayD<f64>) -> Self {
        Self(array)
    }

    /// Wraps `array` behind an [`Arc`], the form tensors share values in.
    pub(crate) fn shared(array: ArrayD<f64>) -> Arc<Self> {
        Arc::new(Self(array))
    }
}

impl Deref for PooledArray {
    type Target = ArrayD<f64>;

    fn deref(&self) -> &ArrayD<f64> {
        &self.0
    }
}

impl DerefMut for PooledArray {
    fn deref_mut(&mut self) -> &mut ArrayD<f64> {
        &mut self.0
    }
}

impl Clone for PooledArray {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl Drop for PooledArray {
    fn drop(&mut self) {
        let array = std::mem::replace(&mut self.0, ArrayD::default(IxDyn(&[0])));
        let (buffer, _offset) = array.into_raw_vec_and_offset();
        give(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_reuses_a_returned_buffer() {
        let buffer = take(4096);
        let address = buffer.as_ptr();
        give(buffer);
        let again = take(4000);
        assert_eq!(again.as_ptr(), address);
        assert!(again.is_empty());
        assert!(again.capacity() >= 4000);
    }

    #[test]
    fn take_skips_buffers_more_than_twice_as_long() {
        let long = take(10_000);
        let address = long.as_ptr();
        give(long);
        let short = take(1000);
        assert_ne!(short.as_ptr(), address);
        let fitting = take(6000);
        assert_eq!(fitting.as_ptr(), address);
    }

    #[test]
    fn take_leaves_short_requests_to_the_allocator() {
        let buffer = take(8);
        assert!(buffer.capacity() >= 8);
        give(buffer);
        assert!(take(8).capacity() >= 8);
    }

    #[test]
    fn pooled_array_returns_its_buffer() {
        let array = collect(IxDyn(&[2, 1024]), (0..2048).map(f64::from));
        assert_eq!(array[[1, 0]], 1024.0);
        let address = array.as_ptr();
        drop(PooledArray::new(array));
        let again = zeros(IxDyn(&[2048]));
        assert_eq!(again.as_ptr(), address);
    }

    #[test]
    fn zeros_clears_a_reused_buffer() {
        drop(PooledArray::new(collect(
            IxDyn(&[1024]),
            (0..1024).map(f64::from),
        )));
        assert!(zeros(IxDyn(&[1024])).iter().all(|&x| x == 0.0));
    }

    #[test]
    #[should_panic(expected = "an array of 3 elements got 2 values")]
    fn collect_rejects_a_short_iterator() {
        let _ = collect(IxDyn(&[3]), [1.0, 2.0]);
    }
}
