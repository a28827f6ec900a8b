"""How long ``import glassnet`` takes in a fresh interpreter (numpy's own import included).

Each measurement is a new Python process timing the import statement
itself; bytecode caches are warmed first, as they are after ``pip install``.
Prints the median of several runs, with numpy alone (and torch / keras
when installed) for comparison.

    python benchmarks/import_time.py --runs 15
"""

import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SNIPPET = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def time_import(module, runs):
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let Python cache bytecode, as an installed package does
    env["PYTHONPATH"] = os.path.join(HERE, "..", "src") + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-c", SNIPPET.format(module=module)]
    subprocess.run(command, env=env, capture_output=True, check=False)  # warm the caches
    seconds = []
    for _ in range(runs):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return None
        seconds.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    for module in ("numpy", "glassnet", "torch", "keras"):
        median = time_import(module, args.runs if module in ("numpy", "glassnet") else 3)
        if median is not None:
            print(f"import {module:9s} {median:.3f} s (median of {args.runs if module in ('numpy', 'glassnet') else 3})")


if __name__ == "__main__":
    main()
