"""What students see: the page `nbgrader generate_feedback` writes for a wrong notebook, rendered
in a real browser (headless Chromium), for a formative and a graded course.

The page must show the learner's feedback in full and nothing else: no TensorFlow or absl log
lines, no frames of this package or of the virtualenv in a traceback, no ``Out[n]`` after test
cells, and no output line cut off at the box's edge.

Run as a script to write the README's screenshot: ``python tests/test_feedback_html.py docs/feedback.png``.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_nbgrader import ASSIGNMENT, NOTEBOOK, graded_cells, nbgrader_env, run, submission  # noqa: E402

from conftest import FIRST  # noqa: E402

# A wrong loss makes fit raise (a Keras error inside the recorder's fit), and one wrong answer.
WRONG = {"'sparse_categorical_crossentropy'": "'categorical_crossentropy'",
         "is_overfitting = True": "is_overfitting = False"}
# Neither the page nor nbgrader's console may show these.
TF_STARTUP_LOGS = ("oneDNN", "cuda", "absl::InitializeLog")
ABSENT = ("oneDNN", "cuda", "absl", "autograder/facts/gather.py", "Recorder.install", "site-packages", ".venv")
OUT_PROMPT = re.compile(r"Out\s*\[\s*\d*\s*\]")  # the classic template's "Out[7]:" prompt
WINDOW = (1000, 1400)  # a laptop-sized browser window: the page is narrower than the longest messages
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"]  # no network: the page's MathJax stays unloaded

# Appended to a copy of the page: records what the browser shows, in the DOM that --dump-dom prints.
MEASURE = """<script>
(function () {
  var pres = Array.prototype.map.call(document.querySelectorAll('div.output_area pre'), function (e) {
    return {text: e.innerText, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth};
  });
  var out = document.createElement('pre');
  out.id = 'autograder-measured';
  out.textContent = JSON.stringify({text: document.body.innerText, pres: pres});
  document.body.appendChild(out);
})();
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browse(page: Path, *args: str) -> str:
    """Run headless Chromium on ``page`` (a fresh profile) and return its stdout."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        proc = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               f"--window-size={WINDOW[0]},{WINDOW[1]}", *args, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"chromium failed:\n{proc.stderr[-3000:]}"
    return proc.stdout


def rendered(page: Path) -> dict:
    """What the browser shows of ``page``: ``text`` (the visible text) and ``pres`` (each output
    box's text, scrollWidth and clientWidth)."""
    measured = page.with_name(page.stem + ".measured.html")
    text = page.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    measured.write_text(text[:at] + MEASURE + text[at:], encoding="utf-8")
    dom = browse(measured, "--dump-dom")
    found = re.search(r'<pre id="autograder-measured">(.*?)</pre>', dom, re.S)
    assert found, f"the measuring script did not run:\n{dom[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def screenshot(page: Path, png: Path, first_cell: str = "") -> None:
    """A PNG of the browser window showing ``page``: its header, then the notebook from the cell
    with id ``first_cell`` on (headless Chromium draws nothing when a script scrolls the page)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    target = page
    if first_cell:
        target = page.with_name(page.stem + ".shot.html")
        text = page.read_text(encoding="utf-8")
        at = text.rindex("</body>")
        trim = ("<script>(function () {var first = document.getElementById(%s);"
                "while (first && first.previousElementSibling) first.previousElementSibling.remove();})();</script>"
                % json.dumps(f"cell-id={first_cell}"))
        target.write_text(text[:at] + trim + text[at:], encoding="utf-8")
    browse(target, f"--screenshot={png.resolve()}")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def build_feedback(root: Path, graded: bool) -> SimpleNamespace:
    """Build a course with `autograder nbgrader`, release it, hand in the wrong notebook, and run
    the real `nbgrader autograde` and `nbgrader generate_feedback`."""
    course = root / "course"
    env = nbgrader_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    run([sys.executable, "-m", "autograder.cli", "nbgrader", str(course), "--exercise", FIRST.name,
         *(["--graded"] if graded else [])], root, env)
    run([*nbgrader, "generate_assignment", ASSIGNMENT], course, env)
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    path = course / "submitted" / "wrong" / ASSIGNMENT / NOTEBOOK
    path.parent.mkdir(parents=True)
    nbformat.write(submission(release, fill=True, replace=WRONG), path)
    autograde = run([*nbgrader, "autograde", ASSIGNMENT], course, env)
    run([*nbgrader, "generate_feedback", ASSIGNMENT], course, env)
    return SimpleNamespace(course=course, console=autograde.stdout + autograde.stderr,
                           autograded=nbformat.read(course / "autograded" / "wrong" / ASSIGNMENT / NOTEBOOK, 4),
                           page=course / "feedback" / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html")


# --- in a real IPython shell: what a learner's error looks like -----------------------------------

SHELL_SCRIPT = r"""
import contextlib, io, json
from IPython.core.interactiveshell import InteractiveShell
from autograder import selfcheck
from autograder.integrations import quiet_kernel

shell = InteractiveShell.instance(colors="nocolor")
shown = {}

def run(name, code):
    tb, err = [], io.StringIO()
    shell._showtraceback = lambda etype, value, stb: tb.extend(stb)
    with contextlib.redirect_stderr(err):  # where IPython shows warnings
        shell.run_cell(code)
    shown[name] = {"traceback": "\n".join(tb), "stderr": err.getvalue()}

shell.run_cell("import numpy as np, keras, tensorflow as tf\n"
               "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation='softmax')])\n"
               "m.compile(optimizer='adam', loss='categorical_crossentropy')\n"
               "x, y = np.zeros((8, 4)), np.zeros((8,))")
FIT = "h = m.fit(x, y,\n          epochs=1, verbose=0)"
# Keras warns from its own files: about fit's default shuffle=True, and about an input_shape
WARNS = ("m.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
         "h = m.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), epochs=1, verbose=0)\n"
         "layer = keras.layers.Dense(2, input_shape=(3,))\n"
         "m.compile(optimizer='adam', loss='categorical_crossentropy')")
run("keras", FIT)
run("keras_warnings", WARNS)
selfcheck.start()  # the compile/fit recorder
run("recorded", FIT)
quiet_kernel.load_ipython_extension(shell)
run("quiet", FIT)
run("pandas", "import pandas as pd\ndf = pd.DataFrame({'loss': [1.0]})\ndf['val_los']")
run("own", "def f():\n    return 1 / 0\nf()")
run("syntax", "for i in range(3)\n    pass")
run("quiet_warnings", WARNS)  # (a new filter clears Python's once-per-place memory of warnings)
run("own_warning", "import warnings\nwarnings.warn('mine')")
print("SHOWN " + json.dumps(shown))
"""


@pytest.fixture(scope="module")
def shell_tracebacks(tmp_path_factory):
    """Tracebacks an IPython shell shows for the same errors: plain, with the recorder, with quiet_kernel."""
    proc = subprocess.run([sys.executable, "-c", SHELL_SCRIPT], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path_factory.mktemp("shell"))
    line = next((l for l in proc.stdout.splitlines() if l.startswith("SHOWN ")), None)
    assert line, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(line[len("SHOWN "):])


def frames(traceback: str) -> list[str]:
    return re.findall(r"^(?:Cell In\[\d+\], line \d+|File .*)", traceback, re.M)


def test_keras_shows_its_own_frames_and_the_recorder_hides_itself(shell_tracebacks):
    plain, recorded = shell_tracebacks["keras"]["traceback"], shell_tracebacks["recorded"]["traceback"]
    assert "site-packages" in plain and "must have the same rank" in plain  # Keras' filter leaves two of its frames
    assert "gather.py" not in recorded and "Recorder.install" not in recorded
    assert "skipping hidden 1 frame" in recorded  # IPython honours the wrappers' __tracebackhide__
    assert frames(recorded) == frames(plain)


def test_quiet_kernel_shows_only_the_learners_frames(shell_tracebacks):
    quiet = shell_tracebacks["quiet"]["traceback"]
    assert len(frames(quiet)) == 1 and frames(quiet)[0].startswith("Cell In[")
    assert "h = m.fit(x, y," in quiet and quiet.rstrip().endswith(
        "ValueError: Arguments `target` and `output` must have the same rank (ndim). "
        "Received: target.shape=(None,), output.shape=(None, 10)")
    assert "site-packages" not in quiet and "skipping hidden" not in quiet
    pandas = shell_tracebacks["pandas"]["traceback"]
    assert "site-packages" not in pandas and ".pyx" not in pandas and "df['val_los']" in pandas
    own = shell_tracebacks["own"]["traceback"]  # the learner's own function stays
    assert len(frames(own)) == 2 and "return 1 / 0" in own and "ZeroDivisionError" in own
    assert "SyntaxError" in shell_tracebacks["syntax"]["traceback"]


def test_quiet_kernel_shortens_library_warnings_and_drops_keras_shuffle_warning(shell_tracebacks):
    plain, quiet = shell_tracebacks["keras_warnings"], shell_tracebacks["quiet_warnings"]
    assert plain["traceback"] == quiet["traceback"] == ""
    assert "shuffle=True" in plain["stderr"] and "site-packages/keras" in plain["stderr"]
    assert "shuffle=True" not in quiet["stderr"] and "site-packages" not in quiet["stderr"]
    assert quiet["stderr"].startswith("UserWarning: Do not pass an `input_shape`/`input_dim` argument to a layer.")
    own = shell_tracebacks["own_warning"]["stderr"]  # the learner's own warning keeps its place
    assert own.startswith("<ipython-input-") and "UserWarning: mine" in own


def test_feedback_style_is_added_after_nbgraders_css():
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbformat.v4 import new_notebook

    from autograder.integrations.nbgrader_preprocessors import FEEDBACK_CSS, FeedbackStyle, feedback_preprocessors

    pps = feedback_preprocessors()
    assert pps[-1] is FeedbackStyle and pps.index(CSSHTMLHeaderPreprocessor) < pps.index(FeedbackStyle)
    assert feedback_preprocessors(pps) == pps
    _, resources = CSSHTMLHeaderPreprocessor(enabled=True)(new_notebook(), {"config_dir": "/nonexistent"})
    _, resources = FeedbackStyle()(new_notebook(), resources)
    assert resources["inlining"]["css"][-1] == FEEDBACK_CSS and len(resources["inlining"]["css"]) > 1
    assert "white-space: pre-wrap" in FEEDBACK_CSS


# --- nbgrader's feedback page in a browser ----------------------------------------------------------

@pytest.fixture(scope="module", params=["formative", "graded"])
def feedback(request, tmp_path_factory):
    if chromium() is None:
        pytest.skip("needs Debian's chromium to render the feedback page (apt-get install chromium)")
    built = build_feedback(tmp_path_factory.mktemp(request.param), graded=request.param == "graded")
    built.shown = rendered(built.page)
    return built


def test_the_wrong_notebook_fails_the_checks_it_should(feedback):
    failed = {c.metadata.nbgrader.grade_id for c in graded_cells(feedback.autograded)
              if any(o.output_type == "stream" and o.name == "stderr" for o in c.outputs)}
    assert {"compile-loss", "fit-epochs", "overfitting-is_overfitting"} <= failed
    assert "compile-optimizer" not in failed


@pytest.mark.parametrize("needle", ABSENT)
def test_no_logs_library_frames_or_paths_on_the_page(feedback, needle):
    text = feedback.shown["text"]
    assert needle.lower() not in text.lower(), text[max(0, text.lower().find(needle.lower()) - 500):][:1500]


def test_a_keras_error_shows_as_the_learners_own_line(feedback):
    error = next(o for c in feedback.autograded.cells if c.cell_type == "code" for o in c.outputs
                 if o.output_type == "error" and o.ename == "ValueError")
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert re.findall(r"^(Cell In\[\d+\]|File .*)", text, re.M) == [re.search(r"Cell In\[\d+\]", text).group()]
    assert "model_intro.fit(" in text and "must have the same rank" in text
    assert text.strip() in feedback.shown["text"].replace("\xa0", " ")


def test_no_out_prompts_after_test_cells(feedback):
    assert not OUT_PROMPT.search(feedback.shown["text"])
    assert 'class="prompt output_prompt">Out' not in feedback.page.read_text(encoding="utf-8")
    for cell in graded_cells(feedback.autograded):
        assert not [o for o in cell.outputs if o.output_type == "execute_result"], cell.metadata.nbgrader.grade_id


def test_the_full_fix_is_shown_and_no_output_line_is_cut_off(feedback):
    fix = FIRST.table.LOSS_MESSAGES["categorical_crossentropy"]
    assert len(fix) > 150  # longer than a line of the box: it must wrap
    pres = feedback.shown["pres"]
    assert any(fix in p["text"] for p in pres)
    cut = [p["text"][:200] for p in pres if p["scrollWidth"] > p["clientWidth"]]
    assert not cut, cut
    # every failed check's feedback, in full, in its box
    for cell in graded_cells(feedback.autograded):
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                assert any(out.text.strip() in p["text"] for p in pres), out.text


def test_nbgraders_console_shows_no_tensorflow_startup_logs(feedback):
    # The grading kernel's descriptor 2 goes to nbgrader's stderr: the start-up lines would be here.
    for needle in TF_STARTUP_LOGS:
        assert needle not in feedback.console, feedback.console[-3000:]


def test_screenshot(feedback, tmp_path):
    png = tmp_path / "feedback.png"
    screenshot(feedback.page, png, first_cell="fit-answer")
    assert png.stat().st_size > 10_000


if __name__ == "__main__":  # python tests/test_feedback_html.py docs/feedback.png
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "feedback.png")
    with tempfile.TemporaryDirectory() as tmp:
        built = build_feedback(Path(tmp), graded=False)
        screenshot(built.page, out, first_cell="fit-answer")
    print(out)
