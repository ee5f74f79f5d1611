//! Prints the tape of f(x, y) = x² + 3y² at (1, 1) as a Graphviz DOT graph,
//! with each node's operation, value and adjoint, and its statistics.
//!
//! Each box is a node of the tape; each edge goes from an operand to the
//! operation that uses it and carries the local partial derivative. The
//! reverse sweep multiplies adjoints by these partials from the output
//! (`add`, adjoint 1) down to the inputs, whose adjoints are the gradient:
//! ∂f/∂x = 2x = 2 and ∂f/∂y = 6y = 6.
//!
//! Run with `cargo run --example tape_graph`, or render the graph with
//! `cargo run --example tape_graph | dot -Tsvg -o tape.svg` (the statistics
//! go to standard error). It runs instantly and ignores `--quick`.

use adjoint::Tape;

fn main() {
    let tape = Tape::new();
    // Names and values are kept only in debug mode, which the labels need.
    tape.set_debug(true);
    let x = tape.var(1.0);
    let y = tape.var(1.0);
    let f = x * x + 3.0 * y * y;
    let grads = f.gradient();
    assert_eq!((grads.wrt(x), grads.wrt(y)), (2.0, 6.0));

    print!("{}", tape.to_dot_with_adjoints(grads.adjoints()));
    eprintln!("{}", tape.stats());
}
