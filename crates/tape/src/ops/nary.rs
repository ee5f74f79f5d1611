//! Operations of many operands, each recorded as a single node with one
//! operand entry per input (not a chain of binary nodes).

use crate::real::Real;
use crate::rules;
use crate::var::{Var, common_tape};

/// Records one node for an n-ary operation; constants are skipped.
fn record<'t, T: Real>(
    name: &'static str,
    terms: &[Var<'t, T>],
    value: T,
    partial: impl Fn(usize) -> T,
) -> Var<'t, T> {
    let Some(tape) = common_tape(terms.iter().copied()) else {
        return Var::constant(value);
    };
    let pairs = terms.iter().enumerate().map(|(i, v)| (*v, partial(i)));
    let index = tape.push_pairs(name, value, terms.len(), pairs);
    Var::on_tape(tape, index, value)
}

/// Sum of the terms as one node; partial 1 for each. The empty sum is the
/// constant 0.
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let v = tape.vars(&[1.0, 2.0, 3.0]);
/// let s = adjoint_tape::sum(&v);
/// assert_eq!(s.value(), 6.0);
/// assert_eq!(s.gradient().wrt_all(&v), vec![1.0; 3]);
/// ```
///
/// # Panics
///
/// Panics if the terms belong to different tapes.
pub fn sum<'t, T: Real>(terms: &[Var<'t, T>]) -> Var<'t, T> {
    let value = terms.iter().fold(T::zero(), |acc, v| acc + v.value());
    record("sum", terms, value, |_| T::one())
}

/// Dot product `Σ aᵢ bᵢ` as one node; partials `bᵢ` for `aᵢ` and `aᵢ` for
/// `bᵢ`. Where `aᵢ` and `bᵢ` are the same variable, as in the squared norm
/// `dot(v, v)`, the node takes one entry of partial `2aᵢ` for the pair, as
/// `x * x` does. That partial overflows to `inf` once `|aᵢ|` passes half
/// the largest finite value of `T`, where the value has overflowed
/// already.
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let a = tape.vars(&[1.0, 2.0]);
/// let b = tape.vars(&[3.0, 4.0]);
/// let d = adjoint_tape::dot(&a, &b);
/// assert_eq!(d.value(), 11.0);
/// let g = d.gradient();
/// assert_eq!(g.wrt_all(&a), vec![3.0, 4.0]);
/// assert_eq!(g.wrt_all(&b), vec![1.0, 2.0]);
/// ```
///
/// # Panics
///
/// Panics if the slices differ in length or the variables belong to
/// different tapes.
pub fn dot<'t, T: Real>(a: &[Var<'t, T>], b: &[Var<'t, T>]) -> Var<'t, T> {
    assert_eq!(
        a.len(),
        b.len(),
        "dot needs slices of equal length, got {} and {}",
        a.len(),
        b.len()
    );
    let value = a
        .iter()
        .zip(b)
        .fold(T::zero(), |acc, (x, y)| acc + x.value() * y.value());
    let Some(tape) = common_tape(a.iter().chain(b).copied()) else {
        return Var::constant(value);
    };
    // A variable times itself takes one entry of partial 2x, as `x * x`
    // does, so a squared norm `dot(v, v)` records one entry per element.
    let index = tape.push_with("dot", 2 * a.len(), |entries| {
        for (x, y) in a.iter().zip(b) {
            if !x.is_constant() && x.raw_index() == y.raw_index() {
                entries.push(x.raw_index(), y.value() + x.value());
            } else {
                entries.push_variable(*x, y.value());
                entries.push_variable(*y, x.value());
            }
        }
        value
    });
    Var::on_tape(tape, index, value)
}

/// Product of the factors as one node; the partial of each factor is the
/// product of all the others, computed from prefix and suffix products
/// (never by dividing by the factor), so zero factors give exact
/// derivatives. The empty product is the constant 1.
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let v = tape.vars(&[2.0, 0.0, 3.0]);
/// let p = adjoint_tape::product(&v);
/// assert_eq!(p.value(), 0.0);
/// assert_eq!(p.gradient().wrt_all(&v), vec![0.0, 6.0, 0.0]);
/// ```
///
/// # Panics
///
/// Panics if the factors belong to different tapes.
pub fn product<'t, T: Real>(factors: &[Var<'t, T>]) -> Var<'t, T> {
    let value = factors.iter().fold(T::one(), |acc, v| acc * v.value());
    let Some(tape) = common_tape(factors.iter().copied()) else {
        return Var::constant(value);
    };
    // partial_i = (x_0 ⋯ x_{i-1}) (x_{i+1} ⋯ x_{n-1}): prefix products
    // first, then the suffix product folded in from the right.
    let mut partials: smallvec::SmallVec<[T; 32]> =
        smallvec::SmallVec::with_capacity(factors.len());
    let mut prefix = T::one();
    for v in factors {
        partials.push(prefix);
        prefix = prefix * v.value();
    }
    let mut suffix = T::one();
    for (partial, v) in partials.iter_mut().zip(factors).rev() {
        *partial = *partial * suffix;
        suffix = suffix * v.value();
    }
    let pairs = factors.iter().copied().zip(partials.iter().copied());
    let index = tape.push_pairs("product", value, factors.len(), pairs);
    Var::on_tape(tape, index, value)
}

/// `ln Σ exp(xᵢ)` as one node, computed as `m + ln Σ exp(xᵢ - m)` with
/// `m = max xᵢ` so that it neither overflows nor underflows; the partials
/// are the softmax weights `exp(xᵢ - m) / Σ exp(xⱼ - m)`.
///
/// When every term is `-inf` the value is `-inf` and every partial is 0 (no
/// NaN); when some terms are `+inf` the value is `+inf` and those terms
/// share the adjoint equally. The empty sum gives the constant `-inf`.
///
/// ```
/// let tape = adjoint_tape::Tape::new();
/// let v = tape.vars(&[1e10, 1e10]);
/// let l = adjoint_tape::log_sum_exp(&v);
/// assert_eq!(l.value(), 10000000000.693147);
/// assert_eq!(l.gradient().wrt_all(&v), vec![0.5, 0.5]);
/// ```
///
/// # Panics
///
/// Panics if the terms belong to different tapes.
pub fn log_sum_exp<'t, T: Real>(terms: &[Var<'t, T>]) -> Var<'t, T> {
    let mut max = T::neg_infinity();
    let mut any_nan = false;
    for v in terms {
        let x = v.value();
        any_nan |= x.is_nan();
        if x > max {
            max = x;
        }
    }
    if any_nan {
        let nan = T::nan();
        return record("log_sum_exp", terms, nan, |_| nan);
    }
    if max == T::neg_infinity() {
        return record("log_sum_exp", terms, max, |_| T::zero());
    }
    if max == T::infinity() {
        let count = terms.iter().filter(|v| v.value() == max).count();
        let share = rules::constant::<T>(1.0) / rules::constant(count as f64);
        return record("log_sum_exp", terms, max, |i| {
            if terms[i].value() == max {
                share
            } else {
                T::zero()
            }
        });
    }
    // One exp per term, summed in term order so that the value matches the
    // plain f64 loop to the bit. Constants count in the sum but take no
    // operand entry.
    let weight = |v: &Var<'t, T>| (v.value() - max).exp();
    let Some(tape) = common_tape(terms.iter().copied()) else {
        let total = terms.iter().fold(T::zero(), |acc, v| acc + weight(v));
        return Var::constant(max + total.ln());
    };
    // The entries are written with the unnormalized weights exp(xᵢ - m)
    // while the sum accumulates, then divided by the sum. Both happen in
    // the fill, where recording is rejected, since the division is the
    // number type's arithmetic.
    let mut value = T::nan();
    let index = tape.push_with("log_sum_exp", terms.len(), |entries| {
        // A local sum stays in a register across the calls to `exp`.
        let mut total = T::zero();
        for v in terms {
            let w = weight(v);
            total = total + w;
            entries.push_variable(*v, w);
        }
        for partial in entries.partials_mut() {
            *partial = *partial / total;
        }
        value = max + total.ln();
        value
    });
    Var::on_tape(tape, index, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tape;

    #[test]
    fn squared_norm_takes_one_entry_per_element() {
        let tape = Tape::new();
        let v = tape.vars(&[1.5, -2.0, 0.0]);
        let c = Var::constant(4.0);
        let mixed = [v[0], v[1], v[2], c];
        let before = tape.operand_count();
        let norm = dot(&mixed, &mixed);
        assert_eq!(tape.operand_count() - before, 3);
        assert_eq!(norm.value(), 1.5 * 1.5 + 4.0 + 16.0);
        assert_eq!(norm.gradient().wrt_all(&v), vec![3.0, -4.0, 0.0]);
        // Distinct variables keep an entry each, also when one repeats.
        let pairs = dot(&[v[0], v[1]], &[v[1], v[1]]);
        assert_eq!(pairs.gradient().wrt_all(&v), vec![-2.0, 1.5 - 4.0, 0.0]);
    }

    #[test]
    fn log_sum_exp_of_all_negative_infinity_has_zero_gradient() {
        let tape = Tape::new();
        let v = tape.vars(&[f64::NEG_INFINITY, f64::NEG_INFINITY]);
        let l = log_sum_exp(&v);
        assert_eq!(l.value(), f64::NEG_INFINITY);
        assert_eq!(l.gradient().wrt_all(&v), vec![0.0, 0.0]);
    }

    #[test]
    fn log_sum_exp_ignores_negative_infinity_term() {
        let tape = Tape::new();
        let v = tape.vars(&[f64::NEG_INFINITY, 1.0]);
        let l = log_sum_exp(&v);
        assert_eq!(l.value(), 1.0);
        assert_eq!(l.gradient().wrt_all(&v), vec![0.0, 1.0]);
    }

    #[test]
    fn log_sum_exp_derivative_stays_one_at_huge_ties() {
        let tape = Tape::new();
        let x = tape.var(1e50);
        let l = log_sum_exp(&[x, x]);
        assert_eq!(l.gradient().wrt(x), 1.0);
    }

    #[test]
    fn product_with_two_zeros_has_zero_gradient() {
        let tape = Tape::new();
        let v = tape.vars(&[0.0, 5.0, 0.0]);
        assert_eq!(product(&v).gradient().wrt_all(&v), vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn dot_with_itself_doubles() {
        let tape = Tape::new();
        let v = tape.vars(&[3.0, 4.0]);
        let d = dot(&v, &v);
        assert_eq!(d.value(), 25.0);
        assert_eq!(d.gradient().wrt_all(&v), vec![6.0, 8.0]);
    }

    #[test]
    fn constants_among_terms_take_no_operand() {
        let tape = Tape::new();
        let x = tape.var(2.0);
        let s = sum(&[x, Var::constant(5.0), x]);
        assert_eq!(s.value(), 9.0);
        assert_eq!(tape.operand_count(), 2);
        assert_eq!(s.gradient().wrt(x), 2.0);
    }
}
