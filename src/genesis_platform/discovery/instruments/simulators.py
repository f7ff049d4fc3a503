"""Simulators as instruments: the SnAr flow reaction from its published kinetics, and Branin and Hartmann-6.

Each comes with the design space it is meant for (`space()`), and optional Gaussian measurement noise drawn
from a generator seeded by the point, so a repeated point gives the same "measurement" in every process.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping

import numpy as np

from genesis_platform.discovery.instrument import Action, Instrument, InstrumentInfo, Measurement, RunStatus
from genesis_platform.discovery.space import DesignSpace, Point, load_space

__all__ = ["Branin", "Hartmann6", "SnarReactor"]


def _noise_rng(seed: int, point: Point) -> np.random.Generator:
    digest = hashlib.sha256(repr(sorted(point.items())).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "big")])


class _Simulator(Instrument):
    name: str
    outcome: str
    description: str

    def __init__(self, noise: float = 0.0, seed: int = 0, delay: float = 0.0) -> None:
        if noise < 0 or delay < 0:
            raise ValueError("noise and delay cannot be negative")
        self.noise = noise
        self.seed = seed
        self.delay = delay  # seconds each run takes, to stand in for a slow instrument

    def info(self) -> InstrumentInfo:
        """Describe the simulator and its `run` action."""
        params = {p.name: ("integer" if p.kind == "integer" else "number") for p in self.space().parameters}
        return InstrumentInfo(
            name=self.name,
            kind="simulator",
            version="1",
            actions=(Action(name="run", parameters=params, outcomes=(self.outcome,), description=self.description),),
            description=self.description,
        )

    def space(self) -> DesignSpace:
        """The design space this simulator is defined on."""
        raise NotImplementedError

    def _value(self, point: Point) -> float:
        raise NotImplementedError

    def _wait(self, timeout: float | None) -> None:
        if self.delay:
            if timeout is not None and self.delay > timeout:
                time.sleep(timeout)
                raise TimeoutError(f"no answer within {timeout:g} s")
            time.sleep(self.delay)

    def _run(self, point: Point, timeout: float | None) -> Mapping[str, float] | Measurement:
        self._wait(timeout)
        value = self._value(point)
        if not self.noise:
            return {self.outcome: value}
        value += float(_noise_rng(self.seed, point).normal(0.0, self.noise))
        return Measurement(status=RunStatus.SUCCEEDED, values={self.outcome: value}, noise={self.outcome: self.noise})


class Branin(_Simulator):
    """The Branin-Hoo function on [-5, 10] x [0, 15] (minimum 0.397887 at three points)."""

    name = "branin"
    outcome = "f"
    description = "Branin-Hoo test function (2 inputs), to be minimised"

    def space(self) -> DesignSpace:
        """x1 in [-5, 10], x2 in [0, 15]; minimise f."""
        return load_space(
            {
                "parameters": [
                    {"kind": "continuous", "name": "x1", "low": -5, "high": 10},
                    {"kind": "continuous", "name": "x2", "low": 0, "high": 15},
                ],
                "objectives": [{"name": "f", "direction": "minimize"}],
            }
        )

    def _value(self, point: Point) -> float:
        x1, x2 = float(point["x1"]), float(point["x2"])
        b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
        return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


class Hartmann6(_Simulator):
    """The six-dimensional Hartmann function on the unit cube (minimum -3.32237)."""

    name = "hartmann6"
    outcome = "f"
    description = "Hartmann-6 test function (6 inputs in [0, 1]), to be minimised"

    def space(self) -> DesignSpace:
        """x1..x6 in [0, 1]; minimise f."""
        return load_space(
            {
                "parameters": [{"kind": "continuous", "name": f"x{i}", "low": 0, "high": 1} for i in range(1, 7)],
                "objectives": [{"name": "f", "direction": "minimize"}],
            }
        )

    def _value(self, point: Point) -> float:
        x = np.array([float(point[f"x{i}"]) for i in range(1, 7)])
        inner = (_H6_A * (x - _H6_P) ** 2).sum(axis=1)
        return float(-(_H6_ALPHA * np.exp(-inner)).sum())


# Hone et al., React. Chem. Eng. 2, 103 (2017): SNAr of 2,4-difluoronitrobenzene (A) with morpholine (B) in
# ethanol. A+B -> ortho product (C) k1; A+B -> para product (D) k2; C+B -> bis adduct (E) k3; D+B -> E k4.
# Rate constants at 90 °C in 1e-2 M^-1 s^-1 and activation energies in kJ/mol, from the paper.
_K_REF = np.array([57.9, 2.70, 0.865, 1.63])
_E_A = np.array([33.3, 35.3, 38.9, 44.8])
_MOLAR_MASS = np.array([159.09, 87.12, 210.21, 210.21, 261.33])  # g/mol: A, B (morpholine), C, D, E
_ETHANOL_DENSITY = 789.0  # g/L at 25 °C


class SnarReactor(_Simulator):
    """A plug-flow SnAr reactor integrated from the published second-order kinetics (Hone et al. 2017).

    Inputs: residence time (0.5-2 min), morpholine equivalents (1-5), concentration of the aryl fluoride
    (0.1-0.5 M) and temperature (30-120 °C). Outcomes: space-time yield of the ortho product in kg m^-3 h^-1
    (maximise) and the E-factor, kilograms of waste per kilogram of product with ethanol as the solvent
    (minimise). Noise, when asked for, is relative: a standard deviation of `noise` times each value.
    """

    name = "snar"
    outcome = "sty"
    description = "SnAr flow reaction kinetics (Hone et al. 2017): space-time yield and E-factor"

    def info(self) -> InstrumentInfo:
        """Describe the reactor: four inputs, two outcomes."""
        base = super().info()
        action = base.actions[0].model_copy(update={"outcomes": ("sty", "e_factor")})
        return base.model_copy(update={"actions": (action,)})

    def space(self) -> DesignSpace:
        """The reactor's operating window; maximise STY, minimise the E-factor."""
        return load_space(
            {
                "parameters": [
                    {"kind": "continuous", "name": "residence_time", "low": 0.5, "high": 2.0},
                    {"kind": "continuous", "name": "equivalents", "low": 1.0, "high": 5.0},
                    {"kind": "continuous", "name": "concentration", "low": 0.1, "high": 0.5},
                    {"kind": "continuous", "name": "temperature", "low": 30.0, "high": 120.0},
                ],
                "objectives": [{"name": "sty", "direction": "maximize"}, {"name": "e_factor", "direction": "minimize"}],
            }
        )

    def _run(self, point: Point, timeout: float | None) -> Mapping[str, float] | Measurement:
        from scipy.integrate import solve_ivp

        self._wait(timeout)
        tau = float(point["residence_time"])
        a0 = float(point["concentration"])
        b0 = float(point["equivalents"]) * a0
        temperature = float(point["temperature"]) + 273.15
        gas = 8.314e-3  # kJ/(mol K)
        k = 0.6 * _K_REF * np.exp(-_E_A / gas * (1 / temperature - 1 / (90 + 273.15)))  # M^-1 min^-1

        def rates(_t: float, c: np.ndarray) -> np.ndarray:
            a, b, o, p, _e = np.maximum(c, 0.0)
            r1, r2, r3, r4 = k[0] * a * b, k[1] * a * b, k[2] * o * b, k[3] * p * b
            return np.array([-r1 - r2, -r1 - r2 - r3 - r4, r1 - r3, r2 - r4, r3 + r4])

        solution = solve_ivp(rates, (0.0, tau), [a0, b0, 0.0, 0.0, 0.0], method="LSODA", rtol=1e-8, atol=1e-10)
        if not solution.success:
            raise RuntimeError(f"the kinetics did not integrate: {solution.message}")
        final = np.maximum(solution.y[:, -1], 0.0)
        product = final[2] * _MOLAR_MASS[2]  # g/L of the ortho product
        sty = product / tau * 60.0  # g L^-1 h^-1 = kg m^-3 h^-1
        waste = _ETHANOL_DENSITY + float(final[[0, 1, 3, 4]] @ _MOLAR_MASS[[0, 1, 3, 4]])
        e_factor = min(waste / product, 1e4) if product > 1e-12 else 1e4
        values = {"sty": float(sty), "e_factor": float(e_factor)}
        if not self.noise:
            return values
        rng = _noise_rng(self.seed, point)
        values = {name: v * (1 + float(rng.normal(0.0, self.noise))) for name, v in values.items()}
        noise = {name: abs(v) * self.noise for name, v in values.items()}  # as a lab would: from what it measured
        return Measurement(status=RunStatus.SUCCEEDED, values=values, noise=noise)
