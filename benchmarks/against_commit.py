"""The MNIST tutorial network in glassnet now and at an earlier commit, side by side in one run.

    python benchmarks/against_commit.py 5425e5d --batch-size 32 --rounds 5

The earlier commit's ``src/`` is taken with ``git archive`` into a temporary
folder; each round trains one epoch (``--epochs``) with each tree, in turn, in
fresh processes (``benchmarks/mlp.py --only glassnet``), alternating which
goes first. Prints the median seconds per epoch of each and the median of
the per-round ratios now / then.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def extract_source(revision, folder):
    """``src/`` of ``revision`` unpacked under ``folder``; returns the path to put on PYTHONPATH."""
    archive = subprocess.run(["git", "-C", ROOT, "archive", "--format=tar", revision, "src"], capture_output=True,
                             check=True).stdout
    path = os.path.join(folder, "archive.tar")
    with open(path, "wb") as out:
        out.write(archive)
    with tarfile.open(path) as tar:
        tar.extractall(folder, filter="data")
    return os.path.join(folder, "src")


def epoch_seconds(source, batch_size, epochs):
    env = dict(os.environ, PYTHONPATH=source + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, os.path.join(HERE, "mlp.py"), "--only", "glassnet", "--batch-size",
                           str(batch_size), "--epochs", str(epochs)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    times = json.loads(done.stdout.strip().splitlines()[-1])["epoch_seconds"]
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the earlier commit")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        trees = {"now": os.path.join(ROOT, "src"), args.revision: extract_source(args.revision, folder)}
        seconds = {name: [] for name in trees}
        for round_index in range(args.rounds):
            order = list(trees) if round_index % 2 == 0 else list(reversed(trees))
            for name in order:
                seconds[name].append(epoch_seconds(trees[name], args.batch_size, args.epochs))
            print(f"round {round_index + 1}: now {seconds['now'][-1]:.3f} s, {args.revision} "
                  f"{seconds[args.revision][-1]:.3f} s", flush=True)
    ratios = sorted(now / then for now, then in zip(seconds["now"], seconds[args.revision]))
    for name, values in seconds.items():
        print(f"{name:>12}: median {sorted(values)[len(values) // 2]:.3f} s/epoch (batch {args.batch_size})")
    print(f"now / {args.revision}: median of per-round ratios {ratios[len(ratios) // 2]:.3f} "
          f"(rounds {', '.join(f'{r:.3f}' for r in ratios)})")


if __name__ == "__main__":
    main()
