"""Time JAX's jit-compiled gradient of the ADBench GMM objective on one CPU
thread, for comparison with `cargo bench --bench gmm`.

Run from the repository root:

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
        taskset -c 0 python3 benches/jax_gmm.py [d10_K25 ...]

It prints, per problem, the median process CPU time and the median wall
time of the objective and of the gradient (both jit-compiled, in
float64) and their ratios, and checks the gradient's first entries
against central differences of the objective. The Rust benches measure
thread CPU time, so the CPU-time figures are the ones to compare.
"""

import math
import os
import sys
import time

os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.scipy.special import logsumexp, multigammaln  # noqa: E402

jax.config.update("jax_enable_x64", True)

DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "adbench-gmm")


def load(name):
    """Reads an ADBench GMM file: d K n, alphas, means, icf, points, gamma m."""
    with open(os.path.join(DATA_DIR, f"gmm_{name}.txt")) as handle:
        tokens = handle.read().split()
    d, k, n = (int(t) for t in tokens[:3])
    values = np.array(tokens[3:], dtype=np.float64)
    icf_len = d * (d + 1) // 2
    sizes = [k, k * d, k * icf_len, n * d]
    offsets = np.cumsum([0] + sizes)
    alphas, means, icf, x = (values[offsets[i] : offsets[i + 1]] for i in range(4))
    gamma, m = values[offsets[4]], int(values[offsets[4] + 1])
    params = np.concatenate([alphas, means, icf])
    return d, k, n, params, x.reshape(n, d), gamma, m


def make_objective(d, k, n, x, gamma, m):
    """The ADBench GMM log-likelihood as a function of the flat parameters
    (alphas, means, inverse covariance factors)."""
    icf_len = d * (d + 1) // 2
    rows, cols = np.tril_indices(d, -1)
    # ADBench stores the strict lower triangle column by column.
    order = np.lexsort((rows, cols))
    rows, cols = rows[order], cols[order]
    x = jnp.asarray(x)
    n_w = d + m + 1
    log_multigamma = multigammaln(0.5 * n_w, d)
    constant = -0.5 * n * d * math.log(2 * math.pi) - k * (
        n_w * d * (math.log(gamma) - 0.5 * math.log(2)) - log_multigamma
    )

    def objective(params):
        alphas = params[:k]
        means = params[k : k + k * d].reshape(k, d)
        icf = params[k + k * d :].reshape(k, icf_len)
        q = icf[:, :d]
        lower = icf[:, d:]
        factors = jnp.zeros((k, d, d)).at[:, rows, cols].set(lower)
        factors = factors + jax.vmap(jnp.diag)(jnp.exp(q))
        centered = x[:, None, :] - means[None, :, :]  # n, k, d
        transformed = jnp.einsum("kij,nkj->nki", factors, centered)
        beta = alphas + q.sum(axis=1) - 0.5 * (transformed**2).sum(axis=2)
        data_term = logsumexp(beta, axis=1).sum()
        prior = (
            0.5 * gamma**2 * ((jnp.exp(q) ** 2).sum() + (lower**2).sum())
            - m * q.sum()
        )
        return constant + data_term - n * logsumexp(alphas) + prior

    return objective


def median_seconds(function, argument, repeats):
    """Median wall time and median process CPU time of `repeats` calls,
    each blocked until done."""
    jax.block_until_ready(function(argument))
    wall, cpu = [], []
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        jax.block_until_ready(function(argument))
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu))


def main():
    names = sys.argv[1:] or ["d2_K5", "d10_K5", "d10_K25", "d20_K25"]
    print(f"jax {jax.__version__}, devices {jax.devices()}, XLA_FLAGS={os.environ['XLA_FLAGS']}")
    for name in names:
        d, k, n, params, x, gamma, m = load(name)
        objective = make_objective(d, k, n, x, gamma, m)
        value = jax.jit(objective)
        gradient = jax.jit(jax.grad(objective))
        params = jnp.asarray(params)

        g = np.asarray(gradient(params))
        for i in range(3):
            step = 1e-6 * max(1.0, abs(float(params[i])))
            up = float(value(params.at[i].add(step)))
            down = float(value(params.at[i].add(-step)))
            estimate = (up - down) / (2 * step)
            assert abs(estimate - g[i]) <= 1e-4 * max(1.0, abs(g[i])), (name, i, estimate, g[i])

        f_wall, f_cpu = median_seconds(value, params, 50)
        g_wall, g_cpu = median_seconds(gradient, params, 50)
        print(
            f"gmm_{name}: objective {float(value(params)):.6e}; "
            f"CPU time f {f_cpu * 1e3:.3f} ms, grad {g_cpu * 1e3:.3f} ms, ratio {g_cpu / f_cpu:.2f}; "
            f"wall time f {f_wall * 1e3:.3f} ms, grad {g_wall * 1e3:.3f} ms, ratio {g_wall / f_wall:.2f}"
        )


if __name__ == "__main__":
    main()
