"""Run every benchmark script in bench/ and print one table of their headline figures.

Each script prints human-readable output plus lines ``BENCH {"name", "value", "unit", "target"}``;
this runner collects those lines. Usage: ``.venv/bin/python bench/run_all.py [--only SUBSTR]
[--timeout S] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_script(path: Path, timeout: float) -> tuple[list[dict], float, str]:
    t0 = time.perf_counter()
    try:
        env = {**os.environ, "SEQMAKER_SOAK_MINUTES": os.environ.get("SEQMAKER_SOAK_MINUTES", "1")}  # short soaks
        proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=timeout,
                              cwd=HERE.parent, env=env)
        out, status = proc.stdout, ("ok" if proc.returncode == 0 else f"exit {proc.returncode}")
        if proc.returncode != 0:
            sys.stderr.write(f"--- {path.name} failed ---\n{proc.stderr[-2000:]}\n")
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), "timeout"
    figures = []
    for line in out.splitlines():
        if line.startswith("BENCH "):
            try:
                figures.append(json.loads(line[6:]))
            except json.JSONDecodeError:
                pass
    return figures, time.perf_counter() - t0, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", default="", help="run only scripts whose name contains this")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--json", default=None, help="also write all figures to this JSON file")
    args = ap.parse_args()
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_")
                     and args.only in p.name)
    rows = []
    for s in scripts:
        print(f"running {s.name} …", flush=True)
        figs, secs, status = run_script(s, args.timeout)
        rows.append({"script": s.name, "status": status, "seconds": round(secs, 1), "figures": figs})
    print()
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'script':28} {'figure':44} {'value':>14} {'unit':10} target")
    for r in rows:
        if not r["figures"]:
            print(f"{r['script']:28} {'(' + r['status'] + ', no figures)':44}")
        for f in r["figures"]:
            v = f.get("value")
            vs = f"{v:.4g}" if isinstance(v, (int, float)) else str(v)
            print(f"{r['script']:28} {str(f.get('name'))[:44]:44} {vs:>14} {str(f.get('unit', ''))[:10]:10} "
                  f"{f.get('target') or ''}")
    if args.json:
        Path(args.json).write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=2))
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
