"""Built-in instruments: dataset emulators, simulators and robotic-lab nodes over HTTP."""

from genesis_platform.discovery.instruments.dataset import PoolInstrument
from genesis_platform.discovery.instruments.node import NodeInstrument, NodeServer
from genesis_platform.discovery.instruments.simulators import Branin, Hartmann6, SnarReactor

__all__ = ["Branin", "Hartmann6", "NodeInstrument", "NodeServer", "PoolInstrument", "SnarReactor"]
