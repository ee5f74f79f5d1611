//! Jacobians both ways: forward mode (one sweep per input) and reverse mode
//! (one sweep per output), with the gradient as the one-row case.
//!
//! A scalar function's gradient is the single row of its Jacobian, and
//! reverse mode gets it in one sweep. The change from spherical to
//! Cartesian coordinates has three inputs and three outputs, so both modes
//! need three sweeps. The example prints both Jacobians and checks them
//! against the closed form and its determinant `r² sin θ`. It ends with
//! the Jacobian-vector and vector-Jacobian products and a Hessian.
//!
//! Run with `cargo run --example jacobian`. It runs instantly and ignores
//! `--quick`; it panics if the two modes disagree.

use adjoint::Scalar;

/// f(x, y, z) = x y + sin z, a scalar function of three inputs.
fn scalar_function<S: Scalar>(v: &[S]) -> S {
    v[0] * v[1] + v[2].sin()
}

/// Spherical (r, θ, φ) to Cartesian (x, y, z) coordinates.
fn spherical_to_cartesian<S: Scalar>(v: &[S]) -> Vec<S> {
    let (r, theta, phi) = (v[0], v[1], v[2]);
    vec![
        r * theta.sin() * phi.cos(),
        r * theta.sin() * phi.sin(),
        r * theta.cos(),
    ]
}

/// Computes the Jacobian of [`spherical_to_cartesian`] in closed form.
fn spherical_jacobian(r: f64, theta: f64, phi: f64) -> Vec<Vec<f64>> {
    let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
    vec![
        vec![st * cp, r * ct * cp, -r * st * sp],
        vec![st * sp, r * ct * sp, r * st * cp],
        vec![ct, -r * st, 0.0],
    ]
}

fn determinant(m: &[Vec<f64>]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

fn print_matrix(name: &str, m: &[Vec<f64>]) {
    println!("{name}:");
    for row in m {
        let cells: Vec<String> = row.iter().map(|a| format!("{a:>12.6}")).collect();
        println!("  [{}]", cells.join(", "));
    }
}

fn max_difference(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn gradient_is_one_row_jacobian() {
    let x = [2.0, 3.0, 0.5];
    let gradient = adjoint::gradient(|v| scalar_function(v), &x);
    let reverse_row = adjoint::jacobian(|v| vec![scalar_function(v)], &x);
    let forward_row = adjoint::forward::jacobian(|v| vec![scalar_function(v)], &x);
    println!("f(x, y, z) = x y + sin z at {x:?}");
    println!("  gradient (one reverse sweep):       {gradient:?}");
    println!("  Jacobian by reverse mode (1 sweep):  {reverse_row:?}");
    println!("  Jacobian by forward mode (3 sweeps): {forward_row:?}");
    assert_eq!(reverse_row, vec![gradient.clone()]);
    assert_eq!(forward_row, vec![gradient]);
}

fn spherical_jacobians() {
    let (r, theta, phi) = (2.0, 0.7, 1.9);
    let x = [r, theta, phi];
    let reverse = adjoint::jacobian(|v| spherical_to_cartesian(v), &x);
    let forward = adjoint::forward::jacobian(|v| spherical_to_cartesian(v), &x);
    let exact = spherical_jacobian(r, theta, phi);
    println!();
    println!("spherical (r, theta, phi) = {x:?} to Cartesian (x, y, z)");
    print_matrix(
        "Jacobian by reverse mode (3 sweeps, one per output)",
        &reverse,
    );
    print_matrix(
        "Jacobian by forward mode (3 sweeps, one per input)",
        &forward,
    );
    let forward_error = max_difference(&forward, &exact);
    let reverse_error = max_difference(&reverse, &exact);
    println!("max |forward - closed form| = {forward_error:e}");
    println!("max |reverse - closed form| = {reverse_error:e}");
    let det = determinant(&reverse);
    println!(
        "det J = {det:.12}, r^2 sin(theta) = {:.12}",
        r * r * theta.sin()
    );
    assert!(
        forward_error < 1e-14,
        "forward Jacobian is off by {forward_error:e}"
    );
    assert!(
        reverse_error < 1e-14,
        "reverse Jacobian is off by {reverse_error:e}"
    );
    assert!((det - r * r * theta.sin()).abs() < 1e-12);

    let direction = [1.0, 0.0, 0.5];
    let (_, jvp) = adjoint::forward::jvp(|v| spherical_to_cartesian(v), &x, &direction);
    let cotangent = [0.0, 1.0, -1.0];
    let (_, vjp) = adjoint::vjp(|v| spherical_to_cartesian(v), &x, &cotangent);
    println!("J v   for v = {direction:?} (one forward sweep): {jvp:?}");
    println!("u^T J for u = {cotangent:?} (one reverse sweep): {vjp:?}");
}

fn contract_calls() {
    let g: Vec<f64> = adjoint::forward::gradient(|v| v[0] * v[0] + 3.0 * v[1] * v[1], &[1.0, 1.0]);
    let j: Vec<Vec<f64>> =
        adjoint::forward::jacobian(|v| vec![v[0] * v[1], v[0].exp()], &[1.0, 2.0]);
    let d: f64 = adjoint::forward::derivative(|t| t.sin() * t, 0.5);
    let h: Vec<Vec<f64>> = adjoint::hessian(|v| v[0] * v[0] * v[1], &[1.0, 2.0]);
    let hv: Vec<f64> =
        adjoint::hessian_vector_product(|v| v[0] * v[0] * v[1], &[1.0, 2.0], &[1.0, 0.0]);
    println!();
    println!("forward::gradient of x^2 + 3y^2 at (1, 1): {g:?}");
    println!("forward::jacobian of (x y, e^x) at (1, 2): {j:?}");
    println!("forward::derivative of t sin t at 0.5: {d}");
    println!("hessian of x^2 y at (1, 2): {h:?}");
    println!("hessian_vector_product with v = (1, 0): {hv:?}");
    assert_eq!(g, vec![2.0, 6.0]);
    assert_eq!(j, vec![vec![2.0, 1.0], vec![1.0_f64.exp(), 0.0]]);
    assert_eq!(d, 0.5_f64.cos() * 0.5 + 0.5_f64.sin());
    assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 0.0]]);
    assert_eq!(hv, vec![4.0, 2.0]);
}

fn main() {
    gradient_is_one_row_jacobian();
    spherical_jacobians();
    contract_calls();
}
