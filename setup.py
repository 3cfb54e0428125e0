"""Packaging step that pyproject.toml cannot declare: build the notebook widgets' front-ends.

When pip builds this project (from a checkout or a git URL, as the Colab set-up cell does), the
``build_py`` step below runs esbuild through ``widgets/_frontend.py`` (``build_bundles``, the same
call as ``make bundles``) and writes ``widgets/bundles/*.js`` into the package being built. esbuild
is the one ``npm ci`` installed in ``node_modules``, else the version pinned in ``package.json``
through ``npx``. Without Node.js the install still succeeds, with a warning, and showing a widget
raises ``FrontEndMissing`` naming the fix. Editable installs (``pip install -e .``, used by the
Makefile and Binder) skip this: there ``make bundles`` builds into the checkout.
"""

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _frontend():
    # Loaded from its file: importing the package would import its run-time dependencies.
    spec = importlib.util.spec_from_file_location("_pai_frontend_build", HERE / "widgets" / "_frontend.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class build_py_with_bundles(build_py):
    """``build_py`` that also bundles the notebook front-ends into ``<build_lib>/widgets/bundles``."""

    def run(self):
        super().run()
        self._bundles = []
        if getattr(self, "editable_mode", False):
            return
        frontend = _frontend()
        try:
            self._bundles = frontend.build_bundles(Path(self.build_lib) / "widgets" / "bundles", root=HERE)
        except frontend.BundleBuildError as error:
            print(f"WARNING: the notebook widgets' front-ends (widgets/bundles) were not built: {error}. "
                  "The package installs and works headless, but showing a widget raises FrontEndMissing "
                  "until they are built: reinstall with pip once Node.js is installed, or run `make bundles` "
                  "in a checkout.", file=sys.stderr)
        else:
            print(f"built {len(self._bundles)} notebook front-end bundles with esbuild", file=sys.stderr)

    def get_outputs(self, include_bytecode=1):
        return super().get_outputs(include_bytecode) + [str(path) for path in getattr(self, "_bundles", [])]


setup(cmdclass={"build_py": build_py_with_bundles})
