"""Benchmark: each chapter's execution time, as a reader runs it and as the site build runs it.

For every chapter of ``_toc.yml`` it executes the notebook in a fresh kernel (this venv's, cwd
``book/``) twice: live, as in JupyterLab or nbval (explorables draw their first frame only), and as
``make book`` does (``LIQLIB_SITE_BUILD=1``: every frame of every explorable drawn ahead). Kernel
start-up is included, as a reader waits for it too. It prints both times per chapter, their totals,
and the slowest live chapter against the goal of issue 16 (each chapter <= 20 s live on this
2-core machine).

Run with ``python benchmarks/chapters.py [chapter ...]`` (stems, e.g. ``margin_tiers``); the
machine should be otherwise idle, since the figures are wall-clock times.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
GOAL_LIVE_SECONDS = 20.0


def chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [Path(f).name for f in files if (ROOT / f"{f}.ipynb").is_file()]


def run(stem: str, site_build: bool) -> float:
    """Wall-clock seconds to execute book/<stem>.ipynb in a fresh kernel."""
    notebook = nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)
    saved = os.environ.get("LIQLIB_SITE_BUILD")
    os.environ["LIQLIB_SITE_BUILD"] = "1" if site_build else "0"  # inherited by the kernel
    try:
        client = NotebookClient(notebook, timeout=1200, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT / "book")}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        if saved is None:
            os.environ.pop("LIQLIB_SITE_BUILD", None)
        else:
            os.environ["LIQLIB_SITE_BUILD"] = saved


def main(argv: list[str]) -> int:
    stems = argv or chapters()
    print(f"{'chapter':<28} {'live (s)':>9} {'site build (s)':>15}")
    live, site = {}, {}
    for stem in stems:
        live[stem] = run(stem, site_build=False)
        site[stem] = run(stem, site_build=True)
        print(f"{stem:<28} {live[stem]:>9.1f} {site[stem]:>15.1f}", flush=True)
    print(f"{'total':<28} {sum(live.values()):>9.1f} {sum(site.values()):>15.1f}")
    slowest = max(live, key=live.__getitem__)
    ratio = live[slowest] / GOAL_LIVE_SECONDS
    print(f"slowest live chapter: {slowest}, {live[slowest]:.1f} s = {ratio:.2f} x the "
          f"{GOAL_LIVE_SECONDS:.0f} s goal ({'met' if ratio <= 1 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
