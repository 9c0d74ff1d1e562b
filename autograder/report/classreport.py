"""What the class got wrong: pass rate per check, the most common wrong answers, and a plot,
per exercise."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from autograder import exercises
from autograder.run.atomic import write_text_atomic
from autograder.exercises import Exercise

TOP_ANSWERS = 3


def doc_exercise(doc: dict) -> Exercise:
    """The exercise a results document was graded as (a document that names none: the first)."""
    name = doc.get("extra_data", {}).get("exercise")
    return exercises.get(name) if name else exercises.first()


def by_exercise(docs: Iterable[dict]) -> dict[Exercise, list[dict]]:
    """Results documents grouped by their exercise, in course order."""
    groups: dict[Exercise, list[dict]] = {}
    for doc in docs:
        groups.setdefault(doc_exercise(doc), []).append(doc)
    order = {e: n for n, e in enumerate(exercises.all_exercises())}
    return dict(sorted(groups.items(), key=lambda item: order[item[0]]))


def summarise(docs: list[dict], exercise: Exercise | str | None = None) -> list[dict]:
    """Per check tag of ``exercise``: pass rate and the most common wrong answers, from results
    documents (``exercise`` None: the documents' own, which must be one)."""
    exercise = _one_exercise(docs, exercise)
    rows = []
    for tag, check in exercise.checks.items():
        statuses: Counter[str] = Counter()
        wrong: Counter[str] = Counter()
        for doc in docs:
            for c in doc.get("extra_data", {}).get("checks", []):
                if c["tag"] != tag:
                    continue
                statuses[c["status"]] += 1
                if c["status"] == "not_attempted":
                    wrong["(not attempted)"] += 1
                elif c["status"] != "passed":
                    wrong[c.get("answer") or "(did not run)"] += 1
        total = sum(statuses.values())
        rows.append({
            "tag": tag, "title": check.title, "submissions": total, "passed": statuses["passed"],
            "pass_rate": statuses["passed"] / total if total else 0.0,
            "wrong_answers": wrong.most_common(TOP_ANSWERS), "challenge": check.challenge,
        })
    return rows


def _one_exercise(docs: list[dict], exercise: Exercise | str | None) -> Exercise:
    if exercise is not None:
        return exercises.get(exercise)
    groups = by_exercise(docs)
    if len(groups) > 1:
        raise ValueError(f"the documents are of several exercises ({', '.join(e.name for e in groups)}); "
                         "summarise each exercise's own")
    return next(iter(groups), None) or exercises.first()


def markdown(rows: list[dict], docs: list[dict], title: str | None = None) -> str:
    scores = [d["score"] for d in docs]
    max_score = sum(t["max_score"] for t in docs[0]["tests"]) if docs else 0
    lines = [f"# Class report: {title}" if title else "# Class report", ""]
    if scores:
        full = sum(1 for s in scores if s == max_score)
        lines += [f"{len(scores)} submissions; mean score {sum(scores) / len(scores):.2f}/{max_score:g}; "
                  f"{full} with full marks.", ""]
    problems = [d["extra_data"]["submission"] + ": " + d["extra_data"]["problem"]
                for d in docs if d.get("extra_data", {}).get("problem")]
    lines += ["| check | passed | pass rate | most common wrong answers |", "|---|---:|---:|---|"]
    for r in rows:
        wrong = "; ".join(f"{_cell(a)} ×{n}" for a, n in r["wrong_answers"]) or "—"
        lines.append(f"| `{r['tag']}` {r['title']} | {r['passed']}/{r['submissions']} | {r['pass_rate']:.0%} | {wrong} |")
    if problems:
        lines += ["", "## Submissions that could not be run", ""] + [f"- {_cell(p)}" for p in problems]
    strangers = [d["extra_data"]["submission"] for d in docs if d.get("extra_data", {}).get("not_lesson")]
    if strangers:
        lines += ["", "## Submissions that are not this lesson", "",
                  "Run and graded, but no cell does what a challenge asks and little of the lesson's code is "
                  "there: a wrong upload?", ""] + [f"- {_cell(s)}" for s in strangers]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def prepare_plotting() -> None:
    """Import what :func:`plot` draws with (about 0.7 s): a class run calls it in the background
    while its last submissions run, when a core is free, rather than after them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    import seaborn  # noqa: F401


def plot(rows: list[dict], path: Path) -> None:
    """A bar chart of pass rate per check (PNG)."""
    prepare_plotting()
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    df = pd.DataFrame({"check": [r["tag"] for r in rows], "pass rate (%)": [100 * r["pass_rate"] for r in rows],
                       "challenge": [r["challenge"] for r in rows]})
    fig, ax = plt.subplots(figsize=(9.5, 5))
    sns.barplot(data=df, y="check", x="pass rate (%)", hue="challenge", dodge=False, ax=ax)
    ax.set_xlim(0, 100)
    ax.legend(title="challenge", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"Pass rate per check ({rows[0]['submissions'] if rows else 0} submissions)")
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)


def write_class_report(out: Path, docs: list[dict], exercise: Exercise | str | None = None,
                       report_name: str = "report.md", plot_name: str = "pass_rates.png",
                       titled: bool = False) -> None:
    """The report (Markdown) and the pass-rate plot (PNG) of one exercise's documents in ``out``;
    ``titled`` puts the exercise's title in the heading."""
    exercise = _one_exercise(docs, exercise)
    rows = summarise(docs, exercise)
    write_text_atomic(out / report_name, markdown(rows, docs, exercise.title if titled else None))
    plot(rows, out / plot_name)


def write_index(out: Path, groups: dict[Exercise, list[dict]], names: dict[Exercise, dict[str, str]]) -> None:
    """report.md of a class that mixes exercises: one line per exercise, linking its own report."""
    lines = ["# Class report", "", f"This class mixes {len(groups)} exercises; each has its own report and grades.", ""]
    for exercise, docs in groups.items():
        scores = [d["score"] for d in docs]
        max_score = sum(t["max_score"] for t in docs[0]["tests"]) if docs else 0
        mean = sum(scores) / len(scores) if scores else 0.0
        lines.append(f"- [{exercise.title}]({names[exercise]['report']}) (`{exercise.name}`): {len(docs)} submissions, "
                     f"mean score {mean:.2f}/{max_score:g}; grades in `{names[exercise]['grades']}`, "
                     f"pass rates in `{names[exercise]['plot']}`")
    write_text_atomic(out / "report.md", "\n".join(lines) + "\n")


def summary_text(docs: list[dict]) -> str:
    """A few lines for the terminal at the end of a class run (a block per exercise when the
    class mixes them)."""
    groups = by_exercise(docs)
    if len(groups) > 1:
        return "\n".join(f"{exercise.name} ({exercise.title}):\n" + _summary(group, exercise)
                         for exercise, group in groups.items())
    return _summary(docs, next(iter(groups), None))


def _summary(docs: list[dict], exercise: Exercise | None) -> str:
    scores = [d["score"] for d in docs]
    if not scores:
        return "No submissions graded."
    rows = summarise(docs, exercise)
    max_score = sum(t["max_score"] for t in docs[0]["tests"])
    lines = [f"Graded {len(scores)} submissions: mean {sum(scores) / len(scores):.2f}/{max_score:g}, "
             f"{sum(1 for s in scores if s == max_score)} with full marks."]
    hardest = sorted(rows, key=lambda r: r["pass_rate"])[:3]
    for r in hardest:
        wrong = ", ".join(f"{a} ×{n}" for a, n in r["wrong_answers"][:2])
        lines.append(f"  {r['pass_rate']:4.0%} passed {r['tag']}" + (f"  (wrong: {wrong})" if wrong else ""))
    return "\n".join(lines)
