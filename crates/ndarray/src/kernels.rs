//! The inner loops of the vjps, over flat row-major slices.
//!
//! They index by position over slices cut to one length, so that the
//! compiler drops the bounds checks and vectorizes. The zero-adjoint rule
//! of the scalar sweep (a zero cotangent passes nothing on, so an infinite
//! partial cannot turn into `0 · inf = NaN`) is a select, not a branch.

/// Adds `cotangent[i] · partial[i]` into `adjoint[i]`, or nothing where
/// the cotangent is 0.
#[inline]
pub(crate) fn add_product(adjoint: &mut [f64], cotangent: &[f64], partial: &[f64]) {
    let len = adjoint.len();
    let (cotangent, partial) = (&cotangent[..len], &partial[..len]);
    for i in 0..len {
        let g = cotangent[i];
        let term = g * partial[i];
        adjoint[i] += if g == 0.0 { 0.0 } else { term };
    }
}

/// Adds `cotangent[i] · factor` into `adjoint[i]`, or nothing where the
/// cotangent is 0.
#[inline]
pub(crate) fn add_scaled(adjoint: &mut [f64], cotangent: &[f64], factor: f64) {
    let len = adjoint.len();
    let cotangent = &cotangent[..len];
    for i in 0..len {
        let g = cotangent[i];
        let term = g * factor;
        adjoint[i] += if g == 0.0 { 0.0 } else { term };
    }
}

/// Adds `cotangent[i] · partial(x[i], y[i])` into `adjoint[i]`, or nothing
/// where the cotangent is 0.
#[inline]
pub(crate) fn add_binary_partial(
    adjoint: &mut [f64],
    cotangent: &[f64],
    x: &[f64],
    y: &[f64],
    partial: impl Fn(f64, f64) -> f64,
) {
    let len = adjoint.len();
    let (cotangent, x, y) = (&cotangent[..len], &x[..len], &y[..len]);
    for i in 0..len {
        let g = cotangent[i];
        let term = g * partial(x[i], y[i]);
        adjoint[i] += if g == 0.0 { 0.0 } else { term };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_product_skips_zero_cotangents() {
        let mut adjoint = [1.0, 1.0, 1.0];
        add_product(&mut adjoint, &[2.0, 0.0, -1.0], &[3.0, f64::INFINITY, 4.0]);
        assert_eq!(adjoint, [7.0, 1.0, -3.0]);
    }

    #[test]
    fn add_scaled_skips_zero_cotangents() {
        let mut adjoint = [1.0, 1.0];
        add_scaled(&mut adjoint, &[0.0, 2.0], f64::INFINITY);
        assert_eq!(adjoint, [1.0, f64::INFINITY]);
    }

    #[test]
    fn add_binary_partial_skips_zero_cotangents() {
        let mut adjoint = [0.0, 0.0];
        add_binary_partial(
            &mut adjoint,
            &[0.0, 2.0],
            &[1.0, 3.0],
            &[0.0, 4.0],
            |x, y| x / y,
        );
        assert_eq!(adjoint, [0.0, 1.5]);
    }
}
