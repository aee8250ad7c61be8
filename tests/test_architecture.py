"""Dependencies point one way: api → services → (models, scoring); scoring imports nothing of cxgov."""
import ast
import os
import subprocess
import sys

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "cxgov")


def _imports(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _modules(subpackage):
    root = os.path.join(PACKAGE, subpackage)
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)


def test_services_and_models_know_nothing_of_http():
    web = ("flask", "werkzeug", "flask_smorest", "flask_httpauth", "marshmallow", "webargs", "cxgov.api")
    for sub in ("services", "models"):
        for path in _modules(sub):
            bad = [m for m in _imports(path) if m.startswith(web)]
            assert not bad, f"{path} imports {bad}"


def test_models_do_not_import_services():
    for path in _modules("models"):
        assert not [m for m in _imports(path) if m.startswith("cxgov.services")], path


def test_scoring_imports_only_numpy_scipy_and_stdlib():
    for path in _modules("scoring"):
        for module in _imports(path):
            top = module.split(".")[0]
            assert top in {"numpy", "scipy"} or module.startswith("cxgov.scoring") or top in sys.stdlib_module_names, \
                f"{path} imports {module}"


def test_importing_the_package_root_pulls_no_web_or_database():
    code = ("import sys, cxgov; bad = [m for m in sys.modules if m.split('.')[0] in "
            "{'flask', 'peewee', 'werkzeug', 'marshmallow'}]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_http_plumbing_imports_no_resource_and_says_what_it_holds():
    """cxgov/api/extensions/ is what every resource builds on: it never imports a resource
    package (a cycle in waiting), and each module opens with a docstring saying its concern."""
    for path in _modules(os.path.join("api", "extensions")):
        bad = [m for m in _imports(path) if m.startswith("cxgov.api.") and not m.startswith("cxgov.api.extensions")]
        assert not bad, f"{path} imports {bad}"
        with open(path, encoding="utf-8") as fh:
            assert ast.get_docstring(ast.parse(fh.read())), f"{path} has no module docstring"


def test_no_module_in_the_package_is_over_400_lines():
    """CONVENTIONS: a module past ~400 lines holds several concerns; split it (data files aside)."""
    long = {}
    for path in _modules(""):
        with open(path, encoding="utf-8") as fh:
            lines = sum(1 for _ in fh)
        if lines > 400:
            long[os.path.relpath(path, PACKAGE)] = lines
    assert not long, f"split these modules by concern: {long}"


def test_no_function_is_graded_d_or_worse_by_radon():
    """Cyclomatic complexity 21 or more (radon's D) is where a function stops being reviewable
    as one piece; every such function was split in issue 16."""
    from radon.complexity import cc_rank, cc_visit

    worse = []
    for path in _modules(""):
        with open(path, encoding="utf-8") as fh:
            for block in cc_visit(fh.read()):
                if cc_rank(block.complexity) in "DEF":
                    worse.append(f"{os.path.relpath(path, PACKAGE)}:{block.lineno} {block.name} "
                                 f"{cc_rank(block.complexity)} ({block.complexity})")
    assert not worse, worse
