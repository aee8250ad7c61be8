"""The engine imports numpy, scipy and the standard library only; docstring examples hold."""
import doctest
import importlib
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = ["normalize", "aggregate", "rank", "ahp", "robustness", "portfolio", "portfolio.optimize",
           "portfolio.frontier", "portfolio.fill", "_highs", "_validate"]


def test_scoring_imports_nothing_of_the_web_stack_in_a_fresh_interpreter():
    # pytest has already imported Flask and friends, so the check runs in a new process.
    code = textwrap.dedent(
        """
        import json, sys
        import cxgov.scoring
        print(json.dumps(sorted(sys.modules)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded = json.loads(out.stdout)
    forbidden = {"flask", "peewee", "werkzeug", "marshmallow", "flask_smorest", "flask_httpauth", "psycopg2",
                 "pymcdm", "skcriteria", "pandas"}
    assert not [m for m in loaded if m.split(".")[0] in forbidden]
    ours = [m for m in loaded if m.startswith("cxgov")]
    assert all(m == "cxgov" or m == "cxgov.scoring" or m.startswith("cxgov.scoring.") for m in ours), ours


def test_solver_noise_never_reaches_stdout():
    code = textwrap.dedent(
        """
        import os
        from cxgov.scoring._highs import quiet_stdout
        print("before", flush=True)
        with quiet_stdout():
            os.write(1, b"HighsMipSolverData noise\\n")
            with quiet_stdout():
                os.write(1, b"nested noise\\n")
        print("after", flush=True)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout == "before\nafter\n"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"cxgov.scoring.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
