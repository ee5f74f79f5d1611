#!/usr/bin/env python3
"""Reference fit for the logistic_mle example: statsmodels Logit on the red
wine quality data, written to tests/fixtures/logistic_wine_reference.json.

Command (from the repository root, after `pip install statsmodels`):

    python3 scripts/logistic_reference.py

The data is the gzipped CSV that ships inside the linfa-datasets crate
(the same bytes the Rust side loads), found under
~/.cargo/registry/src/*/linfa-datasets-0.8*/data/ once cargo has fetched
the crate; pass --data PATH to use another copy. The outcome is
"quality >= 6". Each feature is standardized over all 1,599 wines with its
mean and population standard deviation (numpy's default ddof=0, divisor n),
as adjoint's Standardizer does, and an intercept column comes first.
Nothing here shares code with the Rust fit, so agreement checks both the
data pipeline and the optimizer.
"""

import argparse
import csv
import glob
import gzip
import json
import os
import platform
import sys

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm

COMMAND = "python3 scripts/logistic_reference.py"
DEFAULT_OUTPUT = os.path.join("tests", "fixtures", "logistic_wine_reference.json")


def find_data():
    pattern = os.path.expanduser(
        "~/.cargo/registry/src/*/linfa-datasets-0.8*/data/winequality-red.csv.gz"
    )
    matches = sorted(glob.glob(pattern))
    if not matches:
        sys.exit(
            f"error: no file matches {pattern}; run `cargo fetch` in the repository "
            "first, or pass --data PATH"
        )
    return matches[-1]


def load(path):
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    values = np.array([[float(cell) for cell in row] for row in body])
    return header[:11], values[:, :11], values[:, 11]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="winequality-red.csv.gz (default: the cargo registry copy)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="fixture to write")
    args = parser.parse_args()

    path = args.data or find_data()
    names, features, quality = load(path)
    outcome = (quality >= 6).astype(float)

    mean = features.mean(axis=0)
    std = features.std(axis=0, ddof=0)
    standardized = (features - mean) / std
    design = sm.add_constant(standardized, prepend=True)

    result = sm.Logit(outcome, design).fit(method="newton", tol=1e-12, maxiter=100, disp=False)
    if not result.mle_retvals["converged"]:
        sys.exit("error: statsmodels Logit did not converge")
    gradient = result.model.score(result.params)

    reference = {
        "command": COMMAND,
        "description": (
            "statsmodels Logit (Newton) of quality >= 6 on the 11 red wine features, "
            "standardized over all rows with the population std (ddof=0), intercept first"
        ),
        "data": os.path.basename(os.path.dirname(os.path.dirname(path))) + "/data/" + os.path.basename(path),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "rows": int(len(outcome)),
        "positives": int(outcome.sum()),
        "names": ["(Intercept)"] + names,
        "coefficients": result.params.tolist(),
        "std_errors": result.bse.tolist(),
        "z_values": result.tvalues.tolist(),
        "p_values": result.pvalues.tolist(),
        "log_likelihood": float(result.llf),
        "max_abs_gradient": float(np.abs(gradient).max()),
        "newton_iterations": int(result.mle_retvals["iterations"]),
    }
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(reference, handle, indent=2)
        handle.write("\n")
    print(f"wrote {args.output}: log-likelihood {result.llf!r}")


if __name__ == "__main__":
    main()
