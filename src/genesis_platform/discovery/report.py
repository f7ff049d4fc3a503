"""Campaign reports: a JSON summary and a self-contained HTML page with plots.

Plots: the best value so far against the number of experiments, beside what random sampling would be
expected to reach (exact for a finite pool with known values, from random draws for a simulator); each
parameter against the first objective; and, with several objectives, the measured points with the Pareto
front drawn through the non-dominated ones.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from genesis_platform.discovery.model import Campaign, Trial, TrialStatus, feasible
from genesis_platform.discovery.space import Categorical

__all__ = ["best_so_far", "pareto_mask", "random_expectation", "render_html", "summary"]


def best_so_far(values: Sequence[float | None], maximise: bool) -> list[float | None]:
    """The running best of a sequence (failed trials are None and keep the previous best)."""
    out: list[float | None] = []
    best: float | None = None
    for v in values:
        if v is not None and (best is None or (v > best if maximise else v < best)):
            best = v
        out.append(best)
    return out


def random_expectation(pool_values: Sequence[float], picks: int, maximise: bool) -> list[float]:
    """Expected best of i points drawn without replacement from a pool, for i = 1..picks (exact).

    With the pool sorted from worst to best, the best of i draws is the k-th value with probability
    C(k-1, i-1) / C(N, i).
    """
    values = np.sort(np.asarray(pool_values, dtype=float))
    if not maximise:
        values = values[::-1]
    n = len(values)
    out = []
    for i in range(1, min(picks, n) + 1):
        k = np.arange(i, n + 1)
        log_p = _log_comb(k - 1, i - 1) - _log_comb(np.array([n]), i)[0]
        out.append(float(np.sum(np.exp(log_p) * values[k - 1])))
    return out


def _log_comb(n: np.ndarray, k: int) -> np.ndarray:
    from scipy.special import gammaln

    return np.asarray(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1))


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Which rows are not dominated (every column maximised)."""
    keep = np.ones(len(points), dtype=bool)
    for i, p in enumerate(points):
        if keep[i]:
            dominated = np.all(points <= p, axis=1) & np.any(points < p, axis=1)
            keep[dominated] = False
    return keep


def summary(campaign: Campaign, trials: Sequence[Trial], random_curve: Sequence[float] | None = None) -> dict[str, Any]:
    """The campaign's JSON summary: counts, best, running best, Pareto set.

    Best values and the Pareto set count only feasible trials: completed, with every outcome constraint met.
    """
    space = campaign.spec.space
    objective = space.objectives[0]
    maximise = objective.direction.value == "maximize"
    values = [t.values.get(objective.name) if feasible(t, space) else None for t in trials]
    curve = best_so_far(values, maximise)
    best = curve[-1] if curve else None
    best_trial = next((t for t, v in zip(trials, values, strict=True) if v is not None and v == best), None)
    out: dict[str, Any] = {
        "campaign": campaign.id,
        "name": campaign.spec.name,
        "status": campaign.status.value,
        "stop_reason": campaign.stop_reason,
        "planner": campaign.spec.planner,
        "instrument": campaign.spec.instrument,
        "trials": len(trials),
        "counts": {
            s.value: sum(t.status is s for t in trials) for s in TrialStatus if any(t.status is s for t in trials)
        },
        "objective": objective.name,
        "direction": objective.direction.value,
        "best": best,
        "best_trial": best_trial.number if best_trial else None,
        "best_point": best_trial.point if best_trial else None,
        "best_so_far": curve,
        "infeasible": sum(t.status is TrialStatus.COMPLETED and not feasible(t, space) for t in trials),
        "random_expectation": list(random_curve) if random_curve is not None else None,
    }
    if len(space.objectives) > 1:
        done = [t for t in trials if feasible(t, space)]
        signed = np.array([[t.values[o.name] for o in space.objectives] for t in done]) * space.outcome_signs()
        mask = pareto_mask(signed) if len(done) else np.array([], dtype=bool)
        out["pareto"] = [
            {"trial": t.number, "values": t.values, "point": t.point} for t, m in zip(done, mask, strict=True) if m
        ]
    return out


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_html(campaign: Campaign, trials: Sequence[Trial], data: dict[str, Any]) -> str:
    """A self-contained HTML report (plots inlined as PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    space = campaign.spec.space
    objective = space.objectives[0].name
    images: list[tuple[str, str]] = []

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    x = np.arange(1, len(data["best_so_far"]) + 1)
    y = [math.nan if v is None else v for v in data["best_so_far"]]
    ax.plot(x, y, label=f"{campaign.spec.planner} (this campaign)", color="#1f5fa8", lw=2)
    if data.get("random_expectation"):
        r = data["random_expectation"]
        ax.plot(np.arange(1, len(r) + 1), r, label="random sampling (expected)", color="#999999", ls="--")
    ax.set_xlabel("experiments")
    ax.set_ylabel(f"best {objective} so far")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    images.append(("Best so far against experiments", _png(fig)))
    plt.close(fig)

    done = [t for t in trials if t.status is TrialStatus.COMPLETED]
    if done:
        cols = min(3, len(space.parameters))
        rows = math.ceil(len(space.parameters) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
        ys = [t.values[objective] for t in done]
        for ax, p in zip(axes.flat, space.parameters, strict=False):
            xs = [t.point[p.name] for t in done]
            if isinstance(p, Categorical):
                index = {o: i for i, o in enumerate(p.options)}
                ax.scatter([index[str(v)] for v in xs], ys, s=12, alpha=0.7, c=np.arange(len(done)), cmap="viridis")
                ax.set_xticks(range(len(p.options)), p.options, rotation=60, fontsize=7)
            else:
                ax.scatter(xs, ys, s=12, alpha=0.7, c=np.arange(len(done)), cmap="viridis")
                if getattr(p, "log", False):
                    ax.set_xscale("log")
            ax.set_xlabel(p.name)
            ax.set_ylabel(objective)
        for ax in list(axes.flat)[len(space.parameters) :]:
            ax.axis("off")
        fig.tight_layout()
        images.append(("Parameter effects (colour: trial order, dark first)", _png(fig)))
        plt.close(fig)

    if len(space.objectives) > 1 and done:
        a, b = space.objectives[0].name, space.objectives[1].name
        fig, ax = plt.subplots(figsize=(5.2, 4.0))
        ax.scatter([t.values[a] for t in done], [t.values[b] for t in done], s=14, color="#bbbbbb", label="measured")
        front = sorted(data.get("pareto", []), key=lambda e: e["values"][a])
        ax.plot(
            [e["values"][a] for e in front],
            [e["values"][b] for e in front],
            "o-",
            color="#c0392b",
            label="Pareto front",
        )
        ax.set_xlabel(f"{a} ({space.objectives[0].direction.value})")
        ax.set_ylabel(f"{b} ({space.objectives[1].direction.value})")
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
        images.append(("Pareto front", _png(fig)))
        plt.close(fig)

    bench = data.get("benchmark")
    if bench and bench["methods"]:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        palette = iter(["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"])
        for method, m in bench["methods"].items():
            curve = m["top_curve"]
            ax.plot(np.arange(1, len(curve) + 1), curve, label=f"{method} ({m['runs']} runs)", color=next(palette))
        longest = max(len(m["top_curve"]) for m in bench["methods"].values())
        picks = np.arange(1, longest + 1)
        ax.plot(picks, np.minimum(picks / bench["pool_size"], 1.0), label="random (exact)", color="#999999", ls="--")
        ax.set_xlabel("experiments")
        ax.set_ylabel(f"share of the top {bench['top_set']} found (median)")
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
        images.append((f"Benchmark on this pool of {bench['pool_size']}: the best 5 % found", _png(fig)))
        plt.close(fig)

    esc = html.escape
    best = data["best"]
    broke = data["infeasible"]
    infeasible = (
        f" {broke} completed trial{'s' if broke != 1 else ''} broke an outcome constraint and "
        f"{'do' if broke != 1 else 'does'} not count towards the best."
        if broke
        else ""
    )
    reason = f" ({campaign.stop_reason})" if campaign.stop_reason else ""
    rows_html = "".join(
        f"<tr><td>{t.number}</td><td>{esc(t.status.value)}</td><td>{esc(json.dumps(t.point))}</td>"
        f"<td>{esc(json.dumps(t.values) if t.values else t.message)}</td></tr>"
        for t in trials
    )
    figures = "".join(
        f'<h2>{esc(title)}</h2><img alt="{esc(title)}" src="data:image/png;base64,{png}">' for title, png in images
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(campaign.spec.name)}: campaign report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse;font-size:.85rem}}
td,th{{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}}
img{{max-width:100%}}</style></head><body>
<h1>{esc(campaign.spec.name)}</h1>
<p>Campaign <code>{esc(campaign.id)}</code>, {esc(campaign.status.value)}{esc(reason)};
planner <code>{esc(campaign.spec.planner)}</code>, instrument <code>{esc(campaign.spec.instrument)}</code>;
{len(trials)} trials. Best {esc(objective)}: <b>{"none yet" if best is None else f"{best:.6g}"}</b>
{esc("at " + json.dumps(data["best_point"])) if data["best_point"] else ""}.{infeasible}</p>
{figures}
<h2>Trials</h2><table><tr><th>#</th><th>status</th><th>point</th><th>measured</th></tr>{rows_html}</table>
</body></html>
"""
