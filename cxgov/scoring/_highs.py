"""Calling HiGHS (through scipy) exactly and quietly.

HiGHS inside scipy 1.17 writes stray lines such as
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` straight to file
descriptor 1, whatever ``disp`` says; a CLI that prints JSON on stdout would be corrupted.
:func:`quiet_stdout` points fd 1 at /dev/null while solvers run. Because a file descriptor is
process-wide, nested and concurrent users share one redirection (a counter under a lock):
output that another thread writes to fd 1 during a solve is discarded too, which is why the
solver entry points take ``quiet=False`` for callers that cannot accept that.
"""

import contextlib
import os
import sys
import threading

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import vstack

__all__ = ["quiet_stdout", "solve_milp", "solve_lp"]

_lock = threading.Lock()
_depth = 0
_saved_fd = None


@contextlib.contextmanager
def quiet_stdout(enabled=True):
    """Discard what native code writes to file descriptor 1 inside the block."""
    global _depth, _saved_fd
    if not enabled:
        yield
        return
    with _lock:
        if _depth == 0:
            try:
                sys.stdout.flush()
            except (AttributeError, ValueError):
                pass
            try:
                saved = os.dup(1)
            except OSError:  # no fd 1 at all: nothing to protect
                saved = None
            if saved is not None:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
            _saved_fd = saved
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 1)
                os.close(_saved_fd)
                _saved_fd = None


# mip_rel_gap=0: the default relative gap (1e-4) returns sub-optimal sets (seen at 1,000 rows).
MILP_OPTIONS = {"mip_rel_gap": 0.0}


def solve_milp(c, integrality, lb, ub, A, row_lb, row_ub, *, time_limit=None, presolve=True):
    """Minimize ``c @ z`` subject to ``row_lb <= A z <= row_ub``, ``lb <= z <= ub``."""
    options = dict(MILP_OPTIONS, presolve=presolve)
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    constraints = LinearConstraint(A, row_lb, row_ub) if A.shape[0] else None
    return milp(c, integrality=integrality, bounds=Bounds(lb, ub), constraints=constraints, options=options)


def solve_lp(c, lb, ub, A, row_lb, row_ub):
    """LP relaxation with variable-bound marginals (for reduced-cost fixing)."""
    upper_rows = np.isfinite(row_ub) & (row_lb != row_ub)
    lower_rows = np.isfinite(row_lb) & (row_lb != row_ub)
    equal_rows = row_lb == row_ub
    A = A.tocsr()
    blocks, rhs = [], []
    if upper_rows.any():
        blocks.append(A[upper_rows])
        rhs.append(row_ub[upper_rows])
    if lower_rows.any():
        blocks.append(-A[lower_rows])
        rhs.append(-row_lb[lower_rows])
    A_ub = vstack(blocks).tocsr() if blocks else None
    b_ub = np.concatenate(rhs) if rhs else None
    A_eq = A[equal_rows] if equal_rows.any() else None
    b_eq = row_ub[equal_rows] if equal_rows.any() else None
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=np.column_stack([lb, ub]), method="highs")
