"""Domain foundation models: model cards, versioned weights, governed inference (EO 14363 §3(a)(iv))."""

from genesis_platform.catalog.foundation.chgnet import ChgnetRuntime, bundled_chgnet
from genesis_platform.catalog.foundation.model import Evaluation, ModelCard, ModelVersion, Prediction
from genesis_platform.catalog.foundation.runtime import ModelRuntime, RawPrediction
from genesis_platform.catalog.foundation.service import ModelService

__all__ = [
    "ChgnetRuntime",
    "Evaluation",
    "ModelCard",
    "ModelRuntime",
    "ModelService",
    "ModelVersion",
    "Prediction",
    "RawPrediction",
    "bundled_chgnet",
]
