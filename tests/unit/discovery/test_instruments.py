import math

import pytest

from genesis_platform.discovery import Measurement, RunStatus, load_space
from genesis_platform.discovery.instrument import Action, Instrument, InstrumentInfo
from genesis_platform.discovery.instruments import Branin, Hartmann6, PoolInstrument, SnarReactor


def test_branin_and_hartmann6_have_their_published_minima():
    assert Branin().execute({"x1": math.pi, "x2": 2.275}).values["f"] == pytest.approx(0.397887, abs=1e-6)
    h6 = Hartmann6().execute(
        {f"x{i + 1}": v for i, v in enumerate([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573])}
    )
    assert h6.values["f"] == pytest.approx(-3.32237, abs=1e-5)


def test_simulator_noise_is_seeded_by_the_point():
    a = Branin(noise=1.0, seed=1).execute({"x1": 1.0, "x2": 2.0}).values["f"]
    b = Branin(noise=1.0, seed=1).execute({"x1": 1.0, "x2": 2.0}).values["f"]
    c = Branin(noise=1.0, seed=2).execute({"x1": 1.0, "x2": 2.0}).values["f"]
    clean = Branin().execute({"x1": 1.0, "x2": 2.0}).values["f"]
    assert a == b != c and a != clean


def test_simulators_report_their_measurement_noise():
    assert Branin(noise=0.3).execute({"x1": 1.0, "x2": 2.0}).noise == {"f": 0.3}
    assert Branin().execute({"x1": 1.0, "x2": 2.0}).noise is None
    point = {"residence_time": 2.0, "equivalents": 2.0, "concentration": 0.4, "temperature": 90.0}
    noisy = SnarReactor(noise=0.05).execute(point)
    assert noisy.noise == pytest.approx({k: 0.05 * abs(v) for k, v in noisy.values.items()})  # of what it measured


def test_snar_kinetics_conserve_the_aryl_fluoride_and_trade_yield_for_waste():
    reactor = SnarReactor()
    point = {"residence_time": 2.0, "equivalents": 2.0, "concentration": 0.4, "temperature": 90.0}
    hot = reactor.execute(point)
    assert hot.status is RunStatus.SUCCEEDED and set(hot.values) == {"sty", "e_factor"}
    # Product cannot exceed the aryl fluoride fed: 0.4 M * 210.21 g/mol over 2 min, per hour.
    assert 0 < hot.values["sty"] < 0.4 * 210.21 / 2.0 * 60
    # Cold and dilute, conversion is incomplete: a short residence time wastes more per kilogram of product.
    cold = {"equivalents": 1.0, "concentration": 0.1, "temperature": 30.0}
    short = reactor.execute({**cold, "residence_time": 0.5}).values
    long = reactor.execute({**cold, "residence_time": 2.0}).values
    assert short["e_factor"] > long["e_factor"] and short["sty"] > long["sty"]
    # Hot, the ortho product goes on to the bis adduct: a longer residence time lowers the yield per hour.
    assert reactor.execute({**point, "residence_time": 0.5}).values["sty"] > hot.values["sty"]
    assert reactor.space().outcome_names == ["sty", "e_factor"]


class _Garbage(Instrument):
    def __init__(self, answer):
        self.answer = answer

    def info(self):
        return InstrumentInfo(name="garbage", kind="simulator", actions=(Action(name="run", outcomes=("y",)),))

    def _run(self, point, timeout):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ({"z": 1.0}, RunStatus.FAILED, "no value for y"),
        ({"y": float("nan")}, RunStatus.FAILED, "non-finite y"),
        (RuntimeError("lamp broke"), RunStatus.FAILED, "lamp broke"),
        (TimeoutError("no answer in 5 s"), RunStatus.TIMED_OUT, "no answer"),
        ({"y": 2.0}, RunStatus.SUCCEEDED, ""),
        (Measurement(status=RunStatus.SUCCEEDED, values={"y": 2.0}, noise={"y": 0.1}), RunStatus.SUCCEEDED, ""),
        (Measurement(status=RunStatus.SUCCEEDED, values={"y": 2.0}, noise={"y": -1}), RunStatus.FAILED, "noise of y"),
        (Measurement(status=RunStatus.SUCCEEDED, values={"y": 2.0}, noise={"z": 1}), RunStatus.FAILED, "noise of z"),
    ],
)
def test_an_instrument_run_never_raises_and_says_what_happened(answer, status, message):
    result = _Garbage(answer).execute({"x": 1})
    assert isinstance(result, Measurement) and result.status is status and message in result.message


def _pool_space():
    return load_space(
        {
            "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 2}],
            "objectives": [{"name": "y"}],
            "pool": {"rows": [{"x": 0}, {"x": 1}, {"x": 2}]},
        }
    )


def test_the_pool_instrument_averages_replicates_and_refuses_unmeasured_points():
    rows = [{"x": 0, "y": 1.0}, {"x": 0, "y": 3.0}, {"x": 1, "y": 5.0}]
    instrument = PoolInstrument(_pool_space(), rows)
    assert instrument.execute({"x": 0}).values == {"y": 2.0}
    missing = instrument.execute({"x": 2})
    assert missing.status is RunStatus.FAILED and "no measurement" in missing.message


def test_replicate_noise_returns_measured_replicates_reproducibly():
    rows = [{"x": 0, "y": v} for v in (1.0, 2.0, 3.0, 4.0)]
    draws = [
        PoolInstrument(_pool_space(), rows, replicate_noise=True, seed=5).execute({"x": 0}).values["y"]
        for _ in range(2)
    ]
    again = PoolInstrument(_pool_space(), rows, replicate_noise=True, seed=5)
    assert draws[0] == again.execute({"x": 0}).values["y"]
    assert all(d in (1.0, 2.0, 3.0, 4.0) for d in draws)
