"""matplotlib (about a second to import, tens of seconds on a busy machine) is imported on a
thread of its own once the window is painted, so the first case opened does not wait for it on
the GUI thread."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys, threading
from casebook.ui import app, charts

assert "matplotlib" not in sys.modules  # nothing before the window
real_setup, real_warm_up = charts.setup, charts.warm_up
threads = []

def setup():
    threads.append(threading.current_thread().name)
    return real_setup()

def warm_up():
    started = real_warm_up()
    started.join(120)
    from matplotlib import font_manager

    fonts = {f.name for f in font_manager.fontManager.ttflist}
    print("WARM", threads, "matplotlib.backends.backend_qtagg" in sys.modules,
          "WenQuanYi Micro Hei" in fonts, "pandas" in sys.modules, flush=True)
    return started

charts.setup, charts.warm_up = setup, warm_up
sys.exit(app.run_gui(db=sys.argv[1]))
"""


def _run_app(probe: str, tmp_path, *, quit_after_ms: int) -> subprocess.CompletedProcess:
    """The app run by ``probe`` on a new store, its window closed ``quit_after_ms`` after it
    is shown."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CASEBOOK_QUIT_AFTER_MS": str(quit_after_ms),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "store.db")],
        capture_output=True, text=True, env=env, timeout=240,
    )  # fmt: skip


def test_matplotlib_and_its_fonts_are_loaded_off_the_gui_thread_after_the_first_paint(tmp_path):
    """And pandas, which the first chart read imports (the Analysis tab's first chart of a 1M
    case waited 0.5-1 s for it)."""
    out = _run_app(PROBE, tmp_path, quit_after_ms=3000)
    assert "WARM ['matplotlib warm-up'] True True True" in out.stdout, out.stderr[-2000:]


SLOW_WARM_UP = """
import sys, threading, time
from casebook.ui import app, charts

def warm_up():
    def work():
        time.sleep(1.5)  # still importing when the window has closed
        charts.setup()
        print("WARMED", flush=True)

    started = threading.Thread(target=work, daemon=True)
    started.start()
    return started

charts.warm_up = warm_up
sys.exit(app.run_gui(db=sys.argv[1]))
"""


def test_a_window_closed_while_matplotlib_is_loading_waits_for_it_before_exiting(tmp_path):
    # Interpreter shutdown during that import crashed the app (SIGSEGV in CI, window closed 50 ms
    # after it was shown); the exit now waits for the warm-up instead.
    out = _run_app(SLOW_WARM_UP, tmp_path, quit_after_ms=50)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "WARMED" in out.stdout, out.stderr[-2000:]
