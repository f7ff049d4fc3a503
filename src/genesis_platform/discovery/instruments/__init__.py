"""Built-in instruments: dataset emulators and simulators."""

from genesis_platform.discovery.instruments.dataset import PoolInstrument
from genesis_platform.discovery.instruments.simulators import Branin, Hartmann6, SnarReactor

__all__ = ["Branin", "Hartmann6", "PoolInstrument", "SnarReactor"]
