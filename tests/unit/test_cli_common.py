"""CLI helpers shared by every command."""

from __future__ import annotations

import logging
import warnings

from genesis_platform.cli._common import quiet_libraries


def test_quiet_libraries_hides_info_and_warnings_and_restores_what_was_there():
    assert logging.root.manager.disable == logging.NOTSET
    with quiet_libraries(), warnings.catch_warnings(record=True) as caught:
        assert not logging.getLogger("ax.api.client").isEnabledFor(logging.INFO)  # Ax sets its own levels
        warnings.warn("numerical noise", RuntimeWarning, stacklevel=1)
    assert caught == [] and logging.root.manager.disable == logging.NOTSET
    logging.disable(logging.ERROR)  # a caller that silenced more keeps it, inside and after
    try:
        with quiet_libraries():
            assert logging.root.manager.disable == logging.ERROR
        assert logging.root.manager.disable == logging.ERROR
    finally:
        logging.disable(logging.NOTSET)
