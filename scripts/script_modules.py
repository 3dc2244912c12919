"""Imports the reference scripts in scripts/ as modules (their file names have hyphens, so a plain
import cannot): the PyTorch model definitions in make-torch-fixtures.py and check-builder.py are
shared by the fixture scripts and the benchmarks.

    sys.path.insert(0, "scripts"); from script_modules import load_script
    fx = load_script("make-torch-fixtures.py")
"""
import importlib.util
import os

SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def load_script(filename):
    name = os.path.splitext(filename)[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, os.path.join(SCRIPTS, filename))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
