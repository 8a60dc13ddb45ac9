"""Every command of the README's demo block runs as written, in order, in an empty folder."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "Every line of this block runs as written"


def demo_block() -> list[str]:
    """The indented lines after MARK, comments dropped."""
    lines = README.read_text(encoding="utf-8").split(MARK, 1)[1].splitlines()[1:]
    block = []
    for line in lines:
        if not line.strip():
            if block:
                break
            continue
        if not line.startswith("    "):
            break
        block.append(re.sub(r"\s+#.*$", "", line.strip()))
    return block


def test_the_block_names_what_a_newcomer_tries():
    commands = {line.split()[1] for line in demo_block()}
    assert {"demo", "import", "compute", "export", "document", "deliver", "users", "audit", "scheduler"} <= commands


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("PANHUO_DATABASE_URL")),
                    reason="the demo runs on its embedded SQLite in either lane: run once, in the SQLite lane")
def test_every_command_of_the_readme_runs_on_the_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANHUO_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # the .venv's panhuo
    for command in demo_block():
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert (tmp_path / "整改.docx").stat().st_size > 0 and (tmp_path / "报送情况.xlsx").exists()
    assert any((tmp_path / "notices").iterdir())
