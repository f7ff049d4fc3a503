"""Real published datasets shipped with the platform, with their data cards.

The five experimental datasets of Liang et al., "Benchmarking the performance of Bayesian optimization across
multiple experimental materials science domains", npj Comput. Mater. 7, 188 (2021), copied unchanged from
PV-Lab/Benchmarking (MIT licence; see `data/pv_lab_benchmarking/README.md` for sources, licence and the
original data papers to cite).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["SampleDataset", "liang_2021"]

_FILES = {
    "Crossed_barrel_dataset.csv": "genesis_datacard_crossed_barrel_toughness_liang_et_al_2021_benchmark.md",
    "Perovskite_dataset.csv": "genesis_datacard_perovskite_film_stability_liang_et_al_2021_benchmark.md",
    "AgNP_dataset.csv": "genesis_datacard_silver_nanoparticle_flow_synthesis_liang_et_al_2021_benchmark.md",
    "P3HT_dataset.csv": "genesis_datacard_p3ht_cnt_composite_conductivity_liang_et_al_2021_benchmark.md",
    "AutoAM_dataset.csv": (
        "genesis_datacard_autonomous_additive_manufacturing_print_quality_liang_et_al_2021_benchmark.md"
    ),
}


@dataclass(frozen=True)
class SampleDataset:
    """A shipped dataset.

    Attributes:
        data: the data file.
        card: its Genesis data card (Markdown with YAML front matter).
    """

    data: Path
    card: Path


def liang_2021() -> list[SampleDataset]:
    """The five Liang et al. 2021 datasets, crossed barrel first."""
    root = Path(str(resources.files("genesis_platform.catalog") / "data" / "pv_lab_benchmarking"))
    return [SampleDataset(root / data, root / "cards" / card) for data, card in _FILES.items()]
