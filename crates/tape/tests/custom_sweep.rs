//! Reverse sweeps across custom operations interleaved with scalar
//! statements: the adjoint carry must cross every boundary of a custom
//! node's range, from any output, with any seeds.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use adjoint_tape::{CustomOp, Tape, Var, custom_vjp};
use common::panic_message;

/// `y_k = Σ_j w_kj x_j` over earlier nodes `x_j`, with a vjp by hand.
struct Linear {
    inputs: Vec<usize>,
    weights: Vec<Vec<f64>>,
}

impl CustomOp<f64> for Linear {
    fn name(&self) -> &'static str {
        "linear"
    }

    fn vjp(&self, cotangent: &[f64], adjoints: &mut [f64]) {
        for (row, &c) in self.weights.iter().zip(cotangent) {
            for (&input, &w) in self.inputs.iter().zip(row) {
                adjoints[input] += c * w;
            }
        }
    }
}

/// A xorshift generator, so that the cases are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Returns a value in [-1, 1).
    fn signed_unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 52) as f64 - 1.0
    }

    /// Picks an earlier node, half of the time one of the last three,
    /// because the carry handles the node just below specially.
    fn operand(&mut self, nodes: usize) -> usize {
        if self.below(2) == 0 {
            nodes - 1 - self.below(nodes.min(3))
        } else {
            self.below(nodes)
        }
    }
}

/// One recorded step of a random program, with operands as node indices.
#[derive(Clone, Debug)]
enum Step {
    Unary(usize, u8),
    Binary(usize, usize, u8),
    /// A linear custom operation: input nodes, then one weight row per
    /// output.
    Linear(Vec<usize>, Vec<Vec<f64>>),
    Partials(Vec<(usize, f64)>),
}

fn random_program(rng: &mut Xorshift, inputs: usize, steps: usize) -> Vec<Step> {
    let mut nodes = inputs;
    let mut program = Vec::with_capacity(steps);
    for _ in 0..steps {
        let step = match rng.below(6) {
            0 | 1 => Step::Unary(rng.operand(nodes), rng.below(4) as u8),
            2 | 3 => {
                let a = rng.operand(nodes);
                let b = if rng.below(3) == 0 {
                    a
                } else {
                    rng.operand(nodes)
                };
                Step::Binary(a, b, rng.below(4) as u8)
            }
            4 => {
                let outputs = 1 + rng.below(3);
                let operands: Vec<usize> =
                    (0..1 + rng.below(3)).map(|_| rng.operand(nodes)).collect();
                let weights = (0..outputs)
                    .map(|_| operands.iter().map(|_| rng.signed_unit()).collect())
                    .collect();
                nodes += outputs - 1;
                Step::Linear(operands, weights)
            }
            _ => Step::Partials(
                (0..1 + rng.below(4))
                    .map(|_| (rng.operand(nodes), rng.signed_unit()))
                    .collect(),
            ),
        };
        nodes += 1;
        program.push(step);
    }
    program
}

/// Records `program` on `tape` and returns every node as a `Var`. With
/// `custom` off, each output of a linear step is a `from_partials` node
/// of four or more entries (two of them zero), which the sweep adds
/// straight into memory, with no carry.
fn record<'t>(tape: &'t Tape, x: &[f64], program: &[Step], custom: bool) -> Vec<Var<'t>> {
    let mut v = tape.vars(x);
    for step in program {
        match step {
            Step::Unary(a, op) => {
                let a = v[*a];
                v.push(match op {
                    0 => a.sin(),
                    1 => a * 0.7,
                    2 => (a * 0.1).exp(),
                    _ => -a,
                });
            }
            Step::Binary(a, b, op) => {
                let (a, b) = (v[*a], v[*b]);
                v.push(match op {
                    0 => a * b,
                    1 => a + b,
                    2 => a - b,
                    _ => a * b.cos(),
                });
            }
            Step::Linear(operands, weights) => {
                let values: Vec<f64> = weights
                    .iter()
                    .map(|row| {
                        row.iter()
                            .zip(operands)
                            .map(|(w, &j)| w * v[j].value())
                            .sum()
                    })
                    .collect();
                if custom {
                    let op = Linear {
                        inputs: operands.iter().map(|&j| v[j].index().unwrap()).collect(),
                        weights: weights.clone(),
                    };
                    let first = tape.push_custom(weights.len(), Box::new(op));
                    for (k, &value) in values.iter().enumerate() {
                        v.push(tape.custom_output(first + k, value));
                    }
                } else {
                    for (row, &value) in weights.iter().zip(&values) {
                        let mut entries: Vec<(Var<'t>, f64)> =
                            operands.iter().zip(row).map(|(&j, &w)| (v[j], w)).collect();
                        entries.extend([(v[0], 0.0), (v[0], 0.0)]);
                        v.push(Var::from_partials(value, &entries));
                    }
                }
            }
            Step::Partials(entries) => {
                let entries: Vec<(Var<'t>, f64)> =
                    entries.iter().map(|&(j, d)| (v[j], d)).collect();
                let value = entries.iter().map(|(a, d)| a.value() * d).sum();
                v.push(Var::from_partials(value, &entries));
            }
        }
    }
    v
}

#[test]
fn custom_ops_match_scalar_recording() {
    // Each program runs twice: with linear custom operations, and with the
    // same linear maps as scalar nodes. The gradients from every node must
    // agree, and with debug recording on, the checked sweep must give the
    // plain sweep's adjoints bit for bit.
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    // Miri runs fewer cases, since it is about 10⁴ times slower here.
    let cases = if cfg!(miri) { 30 } else { 300 };
    for case in 0..cases {
        let inputs = 1 + rng.below(3);
        let x: Vec<f64> = (0..inputs).map(|_| rng.signed_unit()).collect();
        let steps = 1 + rng.below(25);
        let program = random_program(&mut rng, inputs, steps);
        let (custom_tape, scalar_tape) = (Tape::new(), Tape::new());
        custom_tape.set_debug(case % 3 == 0);
        let custom = record(&custom_tape, &x, &program, true);
        let scalar = record(&scalar_tape, &x, &program, false);
        assert_eq!(custom.len(), scalar.len(), "case {case}");
        for output in 0..custom.len() {
            let (a, b) = (custom[output], scalar[output]);
            assert_eq!(a.value().to_bits(), b.value().to_bits(), "case {case}");
            let (ga, gb) = (a.gradient(), b.gradient());
            for i in 0..inputs {
                let (got, expected) = (ga.wrt(custom[i]), gb.wrt(scalar[i]));
                assert!(
                    (got - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
                    "case {case}, output {output}, input {i}: {got} vs {expected}\n{program:?}"
                );
            }
            if custom_tape.is_debug() {
                let checked = a.gradient_checked().expect("finite program");
                assert_eq!(checked.adjoints().len(), ga.adjoints().len());
                for (node, (c, p)) in checked.adjoints().iter().zip(ga.adjoints()).enumerate() {
                    assert_eq!(
                        c.to_bits(),
                        p.to_bits(),
                        "case {case}, output {output}, node {node}: checked {c} vs plain {p}"
                    );
                }
            }
        }
    }
}

/// Records x, a = 3x, b = eˣ, then a custom (c0, c1) = (a, 2b), then
/// d = c1 c0 and d².
fn two_output_program(tape: &Tape) -> [Var<'_>; 6] {
    let x = tape.var(2.0);
    let a = x * 3.0;
    let b = x.exp();
    let op = Linear {
        inputs: vec![a.index().unwrap(), b.index().unwrap()],
        weights: vec![vec![1.0, 0.0], vec![0.0, 2.0]],
    };
    let first = tape.push_custom(2, Box::new(op));
    let c0 = tape.custom_output(first, a.value());
    let c1 = tape.custom_output(first + 1, 2.0 * b.value());
    let d = c1 * c0;
    [x, a, b, c0, c1, d * d]
}

#[test]
fn sweep_into_seeds_several_nodes() {
    let tape = Tape::new();
    let [x, a, b, c0, c1, _] = two_output_program(&tape);
    let index = |v: Var<'_>| v.index().unwrap();
    let d = index(c1) + 1;

    // Seeds on a and on c0, with `nodes` ending inside the custom range,
    // which the sweep extends to the whole range.
    let mut adjoints = Vec::new();
    tape.sweep_into(&mut adjoints, index(c0) + 1, |seed| {
        seed[index(a)] = 1.0;
        seed[index(c0)] = 10.0;
    });
    assert_eq!(adjoints.len(), index(c1) + 1);
    assert_eq!(adjoints[index(x)], 3.0 * 11.0);

    // Seeds on d, on c1 (the custom node's last output, just below d) and
    // on b (below the custom node): d = 2 eˣ · 3x.
    tape.sweep_into(&mut adjoints, d + 1, |seed| {
        seed[d] = 1.0;
        seed[index(c1)] = 1.0;
        seed[index(b)] = -0.5;
    });
    let (a_value, b_value) = (a.value(), b.value());
    let d_a = 2.0 * b_value;
    let d_b = 2.0 * (a_value + 1.0) - 0.5;
    let expected = 3.0 * d_a + b_value * d_b;
    let got = adjoints[index(x)];
    assert!(
        (got - expected).abs() <= 1e-14 * expected,
        "{got} vs {expected}"
    );
}

#[test]
fn sweep_from_each_custom_output() {
    let tape = Tape::new();
    let [x, _, _, c0, c1, square] = two_output_program(&tape);
    let e = 2.0_f64.exp();
    assert_eq!(c0.gradient().wrt(x), 3.0);
    assert_eq!(c1.gradient().wrt(x), 2.0 * e);
    // d = 2 eˣ · 3x, so d² has the derivative 2 · 6x eˣ · 6 (1 + x) eˣ.
    let expected = 2.0 * (12.0 * e) * (18.0 * e);
    let got = square.gradient().wrt(x);
    assert!(
        (got - expected).abs() <= 1e-13 * expected,
        "{got} vs {expected}"
    );
}

#[test]
fn vjp_that_records_panics_and_tape_recovers() {
    // A vjp closure must be `Send + 'static`, so it can reach the tape
    // only through an address, as a user who smuggles the tape in would.
    let tape = Tape::new();
    let address = (&raw const tape).expose_provenance();
    let x = tape.var(2.0);
    let y = x.sin();
    let out = custom_vjp("records", &[y], &[y.value()], move |cotangent, adjoints| {
        // SAFETY: the tape outlives every sweep of this test.
        let tape = unsafe { &*std::ptr::with_exposed_provenance::<Tape>(address) };
        let _ = tape.var(1.0);
        adjoints[0] += cotangent[0];
    });
    let z = out[0] * out[0];
    let message = panic_message(catch_unwind(AssertUnwindSafe(|| z.gradient())));
    assert!(
        message.starts_with("cannot record on a tape during its own reverse sweep"),
        "{message}"
    );

    // The tape records and sweeps again, through the fast path.
    let w = x * x * 3.0;
    assert_eq!(w.gradient().wrt(x), 12.0);
    assert_eq!(tape.len(), 6);
}

#[test]
fn vjp_that_sweeps_panics_and_tape_recovers() {
    let tape = Tape::new();
    let address = (&raw const tape).expose_provenance();
    let x = tape.var(2.0);
    let index = x.index().unwrap();
    let out = custom_vjp("sweeps", &[x], &[x.value()], move |cotangent, adjoints| {
        // SAFETY: the tape outlives every sweep of this test.
        let tape = unsafe { &*std::ptr::with_exposed_provenance::<Tape>(address) };
        let mut inner = Vec::new();
        tape.sweep_into(&mut inner, index + 1, |seed| seed[index] = 1.0);
        adjoints[0] += cotangent[0];
    });
    let message = panic_message(catch_unwind(AssertUnwindSafe(|| out[0].gradient())));
    assert!(
        message.starts_with("a reverse sweep started inside another sweep"),
        "{message}"
    );
    assert_eq!((x * x).gradient().wrt(x), 4.0);
}

#[test]
fn debug_toggles_while_gradients_alive() {
    // Debug recording switches the push path. Neither switch may disturb
    // gradients already computed or the ones that follow.
    let mut tape = Tape::<f64>::with_capacity(0, 0);
    for round in 0..3 {
        tape.clear();
        let x = tape.var(0.3);
        let mut y = x;
        for k in 0..200 {
            y = (y * x).sin() + x;
            if k == 50 {
                tape.set_debug(round % 2 == 0);
            }
        }
        let g = y.gradient();
        tape.set_debug(true);
        let z = y * y;
        tape.set_debug(false);
        let w = z * x;
        let (dy, dz, dw) = (g.wrt(x), z.gradient().wrt(x), w.gradient().wrt(x));
        let expected_dz = 2.0 * y.value() * dy;
        assert!(
            (dz - expected_dz).abs() <= 1e-14 * expected_dz.abs(),
            "round {round}"
        );
        let expected_dw = dz * x.value() + z.value();
        assert!(
            (dw - expected_dw).abs() <= 1e-14 * expected_dw.abs(),
            "round {round}"
        );

        let f = |s: f64| (0..200).fold(s, |y, _| (y * s).sin() + s);
        let h = 1e-6;
        let central = (f(0.3 + h) - f(0.3 - h)) / (2.0 * h);
        assert!(
            (dy - central).abs() <= 1e-6 * (1.0 + central.abs()),
            "round {round}: {dy} vs {central}"
        );
    }
}

thread_local! {
    /// A tape that a custom operation's `name` can reach without unsafe
    /// code, as a user's thread-local tape would be.
    static SHARED: &'static Tape = Box::leak(Box::new(Tape::new()));
}

/// A custom operation that does nothing.
struct Nothing;

impl CustomOp<f64> for Nothing {
    fn name(&self) -> &'static str {
        "nothing"
    }

    fn vjp(&self, _cotangent: &[f64], _adjoints: &mut [f64]) {}
}

/// A custom operation whose `name` records on the shared tape, enough
/// to make the list of custom operations grow.
struct RecordsInName;

impl CustomOp<f64> for RecordsInName {
    fn name(&self) -> &'static str {
        SHARED.with(|tape| {
            for _ in 0..64 {
                tape.push_custom(1, Box::new(Nothing));
            }
        });
        "records in name"
    }

    fn vjp(&self, _cotangent: &[f64], _adjoints: &mut [f64]) {}
}

#[test]
fn recording_name_panics_in_inspection() {
    SHARED.with(|tape| {
        tape.set_debug(true);
        let x = tape.var(1.0);
        let _ = x * 2.0;
        tape.push_custom(1, Box::new(Nothing));
        // `push_custom` reads the name before it borrows the recording,
        // so recording from `name` there is allowed: 1 + 64 customs. Two
        // outputs, because `to_dot` names a custom operation by its `name`
        // only when it has more than one.
        tape.push_custom(2, Box::new(RecordsInName));
        let before = tape.len();
        assert_eq!(before, 3 + 64 + 2);

        for (what, result) in [
            (
                "stats",
                catch_unwind(AssertUnwindSafe(|| drop(tape.stats()))),
            ),
            (
                "to_dot",
                catch_unwind(AssertUnwindSafe(|| drop(tape.to_dot()))),
            ),
        ] {
            let message = panic_message(result);
            assert!(
                message.starts_with(
                    "cannot record on a tape during its own reverse sweep, while it is inspected"
                ),
                "{what}: {message}"
            );
            assert_eq!(tape.len(), before, "{what} left the tape as it was");
        }

        // Recording works again once the inspection has unwound.
        let y = x * 3.0;
        assert_eq!(y.gradient().wrt(x), 3.0);
    });
}
