//! The inner loops of the tensor operations, over flat row-major slices.
//!
//! They index by position over slices cut to one length, so that the
//! compiler drops the bounds checks and vectorizes. The zero-adjoint rule
//! of the scalar sweep (a zero cotangent passes nothing on, so an infinite
//! partial cannot turn into `0 · inf = NaN`) is a select, not a branch.
//!
//! Each loop is compiled three times: for AVX-512, for AVX2 and for the
//! baseline of the build target. The first call picks the widest copy
//! that the CPU runs, and later calls reuse that choice. No copy fuses a
//! multiply with an add, so all three round alike and give the same bits.

use multiversion::multiversion;

/// Appends `len` values `f(i)`, for `i` in `0..len`, to `out`.
#[inline(always)]
fn extend_with(out: &mut Vec<f64>, len: usize, f: impl Fn(usize) -> f64) {
    out.reserve(len);
    for (i, slot) in out.spare_capacity_mut()[..len].iter_mut().enumerate() {
        slot.write(f(i));
    }
    // SAFETY: the loop initialized the first `len` elements of the spare
    // capacity, which `reserve` made at least `len` long.
    unsafe { out.set_len(out.len() + len) };
}

/// Appends `f(x)` for every `x` of `xs` to `out`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn extend_map(out: &mut Vec<f64>, xs: &[f64], f: impl Fn(f64) -> f64) {
    extend_with(out, xs.len(), |i| f(xs[i]));
}

/// Appends `f(xs[i], ys[i])` to `out`. A one-element `xs` or `ys` is
/// repeated to the other's length.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn extend_zip(out: &mut Vec<f64>, xs: &[f64], ys: &[f64], f: impl Fn(f64, f64) -> f64) {
    match (xs, ys) {
        (_, &[y]) if xs.len() != 1 => extend_with(out, xs.len(), |i| f(xs[i], y)),
        (&[x], _) if ys.len() != 1 => extend_with(out, ys.len(), |i| f(x, ys[i])),
        _ => {
            let len = xs.len().min(ys.len());
            let (xs, ys) = (&xs[..len], &ys[..len]);
            extend_with(out, len, |i| f(xs[i], ys[i]));
        }
    }
}

/// Appends `rule(x)`, a value and a derivative, to `values` and
/// `derivatives` for every `x` of `xs`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn extend_rule(
    values: &mut Vec<f64>,
    derivatives: &mut Vec<f64>,
    xs: &[f64],
    rule: impl Fn(f64) -> (f64, f64),
) {
    let len = xs.len();
    values.reserve(len);
    derivatives.reserve(len);
    let value_slots = &mut values.spare_capacity_mut()[..len];
    let derivative_slots = &mut derivatives.spare_capacity_mut()[..len];
    for i in 0..len {
        let (value, derivative) = rule(xs[i]);
        value_slots[i].write(value);
        derivative_slots[i].write(derivative);
    }
    // SAFETY: the loop initialized the first `len` elements of both spare
    // capacities, which `reserve` made at least `len` long.
    unsafe {
        values.set_len(values.len() + len);
        derivatives.set_len(derivatives.len() + len);
    }
}

/// Adds `cotangent[i] · partial[i]` into `adjoint[i]`, or nothing where
/// the cotangent is 0.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
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
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn add_scaled(adjoint: &mut [f64], cotangent: &[f64], factor: f64) {
    let len = adjoint.len();
    let cotangent = &cotangent[..len];
    for i in 0..len {
        let g = cotangent[i];
        let term = g * factor;
        adjoint[i] += if g == 0.0 { 0.0 } else { term };
    }
}

/// Adds `value` into every element of `adjoint`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn add_constant(adjoint: &mut [f64], value: f64) {
    for a in adjoint {
        *a += value;
    }
}

/// Adds `cotangent[i] · partial(x[i], y[i])` into `adjoint[i]`, or nothing
/// where the cotangent is 0.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
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

/// Adds `cotangent[i]` into `left[i]` and `sign · cotangent[i]` into
/// `right[i]`: the vjp of `x + y` (`sign = 1`) or `x - y` (`sign = -1`).
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn add_signed_pair(left: &mut [f64], right: &mut [f64], cotangent: &[f64], sign: f64) {
    let len = cotangent.len();
    let (left, right) = (&mut left[..len], &mut right[..len]);
    for i in 0..len {
        left[i] += cotangent[i];
        right[i] += sign * cotangent[i];
    }
}

/// Adds `cotangent[i] · y[i]` into `left[i]` and `cotangent[i] · x[i]`
/// into `right[i]`, or nothing where the cotangent is 0: the vjp of
/// `x * y`.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+avx", "x86_64+avx2+avx"))]
pub(crate) fn add_product_pair(
    left: &mut [f64],
    right: &mut [f64],
    cotangent: &[f64],
    x: &[f64],
    y: &[f64],
) {
    let len = cotangent.len();
    let (left, right, x, y) = (&mut left[..len], &mut right[..len], &x[..len], &y[..len]);
    for i in 0..len {
        let g = cotangent[i];
        let (to_left, to_right) = (g * y[i], g * x[i]);
        left[i] += if g == 0.0 { 0.0 } else { to_left };
        right[i] += if g == 0.0 { 0.0 } else { to_right };
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

    /// Values with the awkward cases: signed zeros, infinities, NaN, a
    /// subnormal and the largest finite value.
    fn element() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            4 => -1e3..1e3_f64,
            1 => Just(0.0),
            1 => Just(-0.0),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(f64::NAN),
            1 => Just(1e-310),
            1 => Just(f64::MAX),
        ]
    }

    /// Compares two slices bit for bit, with every NaN equal to every NaN.
    fn same_bits(kernel: &[f64], scalar: &[f64]) -> bool {
        kernel.len() == scalar.len()
            && kernel
                .iter()
                .zip(scalar)
                .all(|(k, s)| k.to_bits() == s.to_bits() || (k.is_nan() && s.is_nan()))
    }

    proptest::proptest! {
        /// The vectorized copies must round as the plain loops do, also in
        /// the tails that do not fill a vector register. This checks the
        /// copy that the CPU running the test picks.
        #[test]
        fn kernels_match_scalar_loops(
            rows in proptest::collection::vec((element(), element(), element(), element()), 0..80),
        ) {
            let (a, rest): (Vec<f64>, Vec<_>) = rows.iter().map(|&(a, g, x, y)| (a, (g, x, y))).unzip();
            let g: Vec<f64> = rest.iter().map(|r| r.0).collect();
            let x: Vec<f64> = rest.iter().map(|r| r.1).collect();
            let y: Vec<f64> = rest.iter().map(|r| r.2).collect();
            let skip_zero = |g: f64, term: f64| if g == 0.0 { 0.0 } else { term };

            let mut out = a.clone();
            add_product(&mut out, &g, &x);
            let expected: Vec<f64> = (0..a.len()).map(|i| a[i] + skip_zero(g[i], g[i] * x[i])).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "add_product");

            let mut out = a.clone();
            add_scaled(&mut out, &g, -3.5);
            let expected: Vec<f64> = (0..a.len()).map(|i| a[i] + skip_zero(g[i], g[i] * -3.5)).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "add_scaled");

            let mut out = a.clone();
            add_binary_partial(&mut out, &g, &x, &y, |x, y| x / y);
            let expected: Vec<f64> = (0..a.len()).map(|i| a[i] + skip_zero(g[i], g[i] * (x[i] / y[i]))).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "add_binary_partial");

            let (mut left, mut right) = (a.clone(), x.clone());
            add_signed_pair(&mut left, &mut right, &g, -1.0);
            let expected_left: Vec<f64> = (0..a.len()).map(|i| a[i] + g[i]).collect();
            let expected_right: Vec<f64> = (0..a.len()).map(|i| x[i] - g[i]).collect();
            proptest::prop_assert!(same_bits(&left, &expected_left), "add_signed_pair, left");
            proptest::prop_assert!(same_bits(&right, &expected_right), "add_signed_pair, right");

            let (mut left, mut right) = (a.clone(), x.clone());
            add_signed_pair(&mut left, &mut right, &g, 1.0);
            let expected_right: Vec<f64> = (0..a.len()).map(|i| x[i] + g[i]).collect();
            proptest::prop_assert!(same_bits(&left, &expected_left), "add_signed_pair, left, sign 1");
            proptest::prop_assert!(same_bits(&right, &expected_right), "add_signed_pair, right, sign 1");

            let (mut left, mut right) = (a.clone(), a.clone());
            add_product_pair(&mut left, &mut right, &g, &x, &y);
            let expected_left: Vec<f64> = (0..a.len()).map(|i| a[i] + skip_zero(g[i], g[i] * y[i])).collect();
            let expected_right: Vec<f64> = (0..a.len()).map(|i| a[i] + skip_zero(g[i], g[i] * x[i])).collect();
            proptest::prop_assert!(same_bits(&left, &expected_left), "add_product_pair, left");
            proptest::prop_assert!(same_bits(&right, &expected_right), "add_product_pair, right");

            let mut out = a.clone();
            add_constant(&mut out, 0.25);
            let expected: Vec<f64> = a.iter().map(|a| a + 0.25).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "add_constant");

            let mut out = vec![7.0];
            extend_map(&mut out, &x, |x| x * x - 1.0);
            let expected: Vec<f64> = std::iter::once(7.0).chain(x.iter().map(|x| x * x - 1.0)).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "extend_map");

            let mut out = Vec::new();
            extend_zip(&mut out, &x, &y, |x, y| x - y);
            let expected: Vec<f64> = x.iter().zip(&y).map(|(x, y)| x - y).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "extend_zip");

            let mut out = Vec::new();
            extend_zip(&mut out, &x, &[2.0], |x, y| x * y);
            let expected: Vec<f64> = x.iter().map(|x| x * 2.0).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "extend_zip, one right element");

            let mut out = Vec::new();
            extend_zip(&mut out, &[2.0], &y, |x, y| x / y);
            let expected: Vec<f64> = y.iter().map(|y| 2.0 / y).collect();
            proptest::prop_assert!(same_bits(&out, &expected), "extend_zip, one left element");

            let (mut values, mut derivatives) = (vec![7.0], vec![8.0]);
            extend_rule(&mut values, &mut derivatives, &x, |x| (x * x, 2.0 * x));
            let expected_values: Vec<f64> = std::iter::once(7.0).chain(x.iter().map(|x| x * x)).collect();
            let expected_derivatives: Vec<f64> = std::iter::once(8.0).chain(x.iter().map(|x| 2.0 * x)).collect();
            proptest::prop_assert!(same_bits(&values, &expected_values), "extend_rule, values");
            proptest::prop_assert!(same_bits(&derivatives, &expected_derivatives), "extend_rule, derivatives");
        }
    }
}
