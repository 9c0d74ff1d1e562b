"""What the class got wrong: pass rate per check, the most common wrong answers, and a plot."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import rubric
from .atomic import write_text_atomic

TOP_ANSWERS = 3


def summarise(docs: list[dict]) -> list[dict]:
    """Per check tag: pass rate and the most common wrong answers, from results documents."""
    rows = []
    for tag, check in rubric.CHECKS.items():
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
            "wrong_answers": wrong.most_common(TOP_ANSWERS),
        })
    return rows


def markdown(rows: list[dict], docs: list[dict]) -> str:
    scores = [d["score"] for d in docs]
    max_score = sum(t["max_score"] for t in docs[0]["tests"]) if docs else 0
    lines = ["# Class report", ""]
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
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def plot(rows: list[dict], path: Path) -> None:
    """A bar chart of pass rate per check (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    df = pd.DataFrame({"check": [r["tag"] for r in rows], "pass rate (%)": [100 * r["pass_rate"] for r in rows],
                       "challenge": [rubric.CHECKS[r["tag"]].challenge for r in rows]})
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


def write_class_report(out: Path, docs: list[dict], points: dict[str, float] | None = None) -> None:
    """report.md and pass_rates.png in ``out``."""
    rows = summarise(docs)
    write_text_atomic(out / "report.md", markdown(rows, docs))
    plot(rows, out / "pass_rates.png")


def summary_text(docs: list[dict]) -> str:
    """A few lines for the terminal at the end of a class run."""
    rows = summarise(docs)
    scores = [d["score"] for d in docs]
    if not scores:
        return "No submissions graded."
    max_score = sum(t["max_score"] for t in docs[0]["tests"])
    lines = [f"Graded {len(scores)} submissions: mean {sum(scores) / len(scores):.2f}/{max_score:g}, "
             f"{sum(1 for s in scores if s == max_score)} with full marks."]
    hardest = sorted(rows, key=lambda r: r["pass_rate"])[:3]
    for r in hardest:
        wrong = ", ".join(f"{a} ×{n}" for a, n in r["wrong_answers"][:2])
        lines.append(f"  {r['pass_rate']:4.0%} passed {r['tag']}" + (f"  (wrong: {wrong})" if wrong else ""))
    return "\n".join(lines)
