//! A number type whose arithmetic can reach back into the tape it is
//! recorded on. The n-ary operations compute their partials in the number
//! type's arithmetic while they write into the tape, so recording or
//! sweeping from there must panic with a message that names the case, and
//! leave the tape as it was.

mod common;

use std::cell::Cell;
use std::num::FpCategory;
use std::ops::{Add, Div, Mul, Neg, Rem, Sub};
use std::panic::{AssertUnwindSafe, catch_unwind};

use adjoint_tape::{Tape, Var, log_sum_exp};
use common::panic_message;
use num_traits::{Float, Num, NumCast, One, ToPrimitive, Zero};

/// What the hook does when `exp` or a division reaches it.
#[derive(Clone, Copy, PartialEq)]
enum Action {
    Nothing,
    /// Records enough nodes that the arenas reallocate.
    Record,
    /// Starts a reverse sweep of the tape.
    Sweep,
}

thread_local! {
    static TAPE: Cell<*const Tape<Hooked>> = const { Cell::new(std::ptr::null()) };
    static ON_EXP: Cell<Action> = const { Cell::new(Action::Nothing) };
    static ON_DIV: Cell<Action> = const { Cell::new(Action::Nothing) };
}

fn run_hook(action: &'static std::thread::LocalKey<Cell<Action>>) {
    let action = action.with(|cell| cell.replace(Action::Nothing));
    let tape = TAPE.with(Cell::get);
    if action == Action::Nothing || tape.is_null() {
        return;
    }
    // SAFETY: the tests set the pointer to a tape that outlives the call
    // and clear it before the tape drops.
    let tape = unsafe { &*tape };
    match action {
        Action::Record => {
            let x = tape.var(Hooked(1.0));
            let mut y = x;
            for _ in 0..100_000 {
                y *= Hooked(1.0);
            }
        }
        Action::Sweep => {
            let mut adjoints = Vec::new();
            tape.sweep_into(&mut adjoints, 1, |seed| seed[0] = Hooked(1.0));
        }
        Action::Nothing => {}
    }
}

/// An `f64` whose `exp` and division call the hook.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
struct Hooked(f64);

macro_rules! binary {
    ($($trait:ident $method:ident $op:tt),*) => {
        $(impl $trait for Hooked {
            type Output = Hooked;
            fn $method(self, other: Hooked) -> Hooked {
                Hooked(self.0 $op other.0)
            }
        })*
    };
}
binary!(Add add +, Sub sub -, Mul mul *, Rem rem %);

impl Div for Hooked {
    type Output = Hooked;
    fn div(self, other: Hooked) -> Hooked {
        run_hook(&ON_DIV);
        Hooked(self.0 / other.0)
    }
}

impl Neg for Hooked {
    type Output = Hooked;
    fn neg(self) -> Hooked {
        Hooked(-self.0)
    }
}

impl Zero for Hooked {
    fn zero() -> Hooked {
        Hooked(0.0)
    }
    fn is_zero(&self) -> bool {
        self.0 == 0.0
    }
}

impl One for Hooked {
    fn one() -> Hooked {
        Hooked(1.0)
    }
}

impl Num for Hooked {
    type FromStrRadixErr = <f64 as Num>::FromStrRadixErr;
    fn from_str_radix(text: &str, radix: u32) -> Result<Hooked, Self::FromStrRadixErr> {
        f64::from_str_radix(text, radix).map(Hooked)
    }
}

impl ToPrimitive for Hooked {
    fn to_i64(&self) -> Option<i64> {
        self.0.to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.0.to_u64()
    }
    fn to_f64(&self) -> Option<f64> {
        Some(self.0)
    }
}

impl NumCast for Hooked {
    fn from<N: ToPrimitive>(n: N) -> Option<Hooked> {
        n.to_f64().map(Hooked)
    }
}

macro_rules! unary {
    ($($method:ident),*) => { $(fn $method(self) -> Hooked { Hooked(self.0.$method()) })* };
}
macro_rules! predicate {
    ($($method:ident),*) => { $(fn $method(self) -> bool { self.0.$method() })* };
}
macro_rules! with_other {
    ($($method:ident),*) => {
        $(fn $method(self, other: Hooked) -> Hooked { Hooked(self.0.$method(other.0)) })*
    };
}

impl Float for Hooked {
    fn nan() -> Hooked {
        Hooked(f64::NAN)
    }
    fn infinity() -> Hooked {
        Hooked(f64::INFINITY)
    }
    fn neg_infinity() -> Hooked {
        Hooked(f64::NEG_INFINITY)
    }
    fn neg_zero() -> Hooked {
        Hooked(-0.0)
    }
    fn min_value() -> Hooked {
        Hooked(f64::MIN)
    }
    fn min_positive_value() -> Hooked {
        Hooked(f64::MIN_POSITIVE)
    }
    fn max_value() -> Hooked {
        Hooked(f64::MAX)
    }
    fn classify(self) -> FpCategory {
        self.0.classify()
    }
    fn mul_add(self, a: Hooked, b: Hooked) -> Hooked {
        Hooked(self.0.mul_add(a.0, b.0))
    }
    fn powi(self, n: i32) -> Hooked {
        Hooked(self.0.powi(n))
    }
    fn sin_cos(self) -> (Hooked, Hooked) {
        let (sin, cos) = self.0.sin_cos();
        (Hooked(sin), Hooked(cos))
    }
    fn integer_decode(self) -> (u64, i16, i8) {
        Float::integer_decode(self.0)
    }
    fn abs_sub(self, other: Hooked) -> Hooked {
        Hooked((self.0 - other.0).max(0.0))
    }
    fn exp(self) -> Hooked {
        run_hook(&ON_EXP);
        Hooked(self.0.exp())
    }
    unary!(
        floor, ceil, round, trunc, fract, abs, signum, recip, sqrt, exp2, ln, log2, log10, cbrt,
        sin, cos, tan, asin, acos, atan, exp_m1, ln_1p, sinh, cosh, tanh, asinh, acosh, atanh
    );
    predicate!(
        is_nan,
        is_infinite,
        is_finite,
        is_normal,
        is_sign_positive,
        is_sign_negative
    );
    with_other!(powf, log, max, min, hypot, atan2);
}

const TERMS: [f64; 3] = [0.0, 1.0, 2.0];

/// Returns the softmax of `TERMS`, the gradient of their log-sum-exp.
fn softmax() -> Vec<f64> {
    let total: f64 = TERMS.iter().map(|t| t.exp()).sum();
    TERMS.iter().map(|t| t.exp() / total).collect()
}

/// Runs `log_sum_exp` of `TERMS` with `action` armed on `hook`, and returns
/// the panic message. Then checks that the tape kept its length and that a
/// second `log_sum_exp` on it has the softmax as its gradient.
fn hooked_log_sum_exp(
    hook: &'static std::thread::LocalKey<Cell<Action>>,
    action: Action,
    debug: bool,
) -> String {
    let tape = Tape::with_capacity(16, 16);
    tape.set_debug(debug);
    let x = tape.vars(&TERMS.map(Hooked));
    let before = (tape.len(), tape.operand_count());
    TAPE.with(|cell| cell.set(&raw const tape));
    hook.with(|cell| cell.set(action));
    let result = catch_unwind(AssertUnwindSafe(|| log_sum_exp(&x).value()));
    hook.with(|cell| cell.set(Action::Nothing));
    TAPE.with(|cell| cell.set(std::ptr::null()));
    let message = panic_message(result);
    assert_eq!(
        (tape.len(), tape.operand_count()),
        before,
        "the tape kept its nodes and entries"
    );
    let gradient = log_sum_exp(&x).gradient();
    let derivatives: Vec<f64> = x.iter().map(|&v| gradient.wrt(v).0).collect();
    for (got, expected) in derivatives.iter().zip(softmax()) {
        assert!((got - expected).abs() < 1e-15, "{got} against {expected}");
    }
    message
}

#[test]
fn recording_in_exp_of_log_sum_exp_panics() {
    for debug in [false, true] {
        let message = hooked_log_sum_exp(&ON_EXP, Action::Record, debug);
        assert!(
            message.contains("while an n-ary operation computes its partials"),
            "debug {debug}: {message}"
        );
    }
}

#[test]
fn recording_in_log_sum_exp_division_panics() {
    // The division that normalizes the weights runs inside the fill too.
    // Recording there would reallocate the arenas under the loop that
    // writes the normalized partials.
    for debug in [false, true] {
        let message = hooked_log_sum_exp(&ON_DIV, Action::Record, debug);
        assert!(
            message.contains("while an n-ary operation computes its partials"),
            "debug {debug}: {message}"
        );
    }
}

#[test]
fn sweeping_in_exp_of_log_sum_exp_panics() {
    let message = hooked_log_sum_exp(&ON_EXP, Action::Sweep, false);
    assert!(
        message.starts_with("a reverse sweep started inside another sweep"),
        "{message}"
    );
    assert!(message.contains("n-ary operation"), "{message}");
}

#[test]
fn quiet_hook_keeps_the_gradient() {
    let tape = Tape::new();
    let x: Vec<Var<'_, Hooked>> = tape.vars(&TERMS.map(Hooked));
    let gradient = log_sum_exp(&x).gradient();
    for (&v, expected) in x.iter().zip(softmax()) {
        assert!((gradient.wrt(v).0 - expected).abs() < 1e-15);
    }
}
