"""X counting works where setuptools (pkg_resources) is absent, as in every Python 3.12+ venv.

twitter-text-parser 3.0.0 imports ``pkg_resources`` to read its emoji data; crosspost ships a
vendored copy that reads it with importlib.resources (crosspost/_vendor/README.md). The child
process below cannot import ``pkg_resources`` (nor the PyPI ``twitter_text``, so the vendored copy
is the one measured) and must still count emoji, URLs and CJK exactly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Expected values: twitter-text-parser 3.0.0's own parse_tweet (with pkg_resources available).
CASES = {
    "english text 日本語 😷 https://example.com": 46,
    "Bantuan 👨\u200d👩\u200d👧\u200d👦 tiba 🙏🏽 di kemensos.go.id": 45,
    "Halo #KemensosHadir 1\ufe0f\u20e3": 22,
    "Tanpa emoji, dengan tautan https://www.kemensos.go.id/siaran-pers": 50,
}

CHILD = """
import json, sys
sys.modules["pkg_resources"] = None   # import pkg_resources -> ImportError
sys.modules["twitter_text"] = None    # the PyPI package, if installed, must not be used
from crosspost.channels.twitter_thread import split_thread
from crosspost.channels.x_weight import is_valid, weighted_length
from crosspost._vendor.twitter_text import parse_tweet
texts = json.loads(sys.argv[1])
print(json.dumps({
    "weighted": [weighted_length(t) for t in texts],
    "parsed": [parse_tweet(t).weightedLength for t in texts],
    "valid": [is_valid(t) for t in texts],
    "thread": len(split_thread(" ".join(["Bantuan tiba 🙏🏽."] * 60))),
    "leaked": sorted(m for m in ("pkg_resources", "setuptools") if sys.modules.get(m) is not None),
}))
"""


def test_weighted_length_without_pkg_resources():
    texts = list(CASES)
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(texts)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["weighted"] == list(CASES.values())
    assert out["parsed"] == list(CASES.values())
    assert out["valid"] == [True] * len(CASES)
    assert out["thread"] > 1
    assert out["leaked"] == []
