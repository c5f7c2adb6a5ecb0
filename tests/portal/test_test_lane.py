"""The parallel test lane (pytest-xdist) keeps each worker process apart."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _var_dir(**env) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("ATRIUM_VAR_DIR", "PYTEST_XDIST_WORKER")}
    base.update(env)
    code = "import django.conf as c; from portal.settings import test; print(test.VAR_DIR)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_each_xdist_worker_gets_a_folder_of_its_own_inside_the_runs(tmp_path):
    # xdist's workers inherit the controller's environment, ATRIUM_VAR_DIR
    # included: without a folder each, the first worker to finish removed the
    # media, mail and database files of the others.
    run = str(tmp_path / "run")
    assert _var_dir(ATRIUM_VAR_DIR=run) == run
    assert _var_dir(ATRIUM_VAR_DIR=run, PYTEST_XDIST_WORKER="gw0") == str(Path(run) / "gw0")
    assert _var_dir(ATRIUM_VAR_DIR=run, PYTEST_XDIST_WORKER="gw1") == str(Path(run) / "gw1")


def test_a_run_without_a_folder_named_gets_one_per_process():
    first, second = _var_dir(), _var_dir()
    try:
        assert first != second
        assert Path(first).parent == ROOT / "var" / "test"
    finally:
        for folder in (first, second):
            shutil.rmtree(folder, ignore_errors=True)
