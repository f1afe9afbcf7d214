"""A Mermaid flowchart of the interview, generated from the definition."""

from __future__ import annotations

from dialogs.model import Group, Interview, Question


def mermaid(interview: Interview) -> str:
    """Sections as subgraphs, questions as nodes, conditions as dotted edges."""
    lines = ["flowchart TD"]
    previous = "begin((Start))"
    for section in interview.sections:
        lines.append(f"  subgraph {section.id}[\"{_quote(section.title)}\"]")
        for item in section.items:
            node = _node(item)
            condition = item.when.__name__ if item.when is not None else ""
            lines.append(f"    {node}")
            arrow = f" -. {_quote(condition)} .-> " if condition else " --> "
            lines.append(f"    {previous.split('[')[0].split('((')[0]}{arrow}{item.id}")
            previous = item.id
            if isinstance(item, Question):
                lines += [f"    {item.id} -- {c} --> {t}" for c, t in item.jump.items()
                          if not t.startswith("@")]
        lines.append("  end")
    lines.append(f"  {previous} --> review([Review and send])")
    return "\n".join(lines) + "\n"


def _node(item: Question | Group) -> str:
    if isinstance(item, Group):
        inner = ", ".join(q.id for q in item.questions)
        return f"{item.id}[[\"{item.id} (repeat): {_quote(inner)}\"]]"
    return f"{item.id}[\"{item.id} · {item.kind.value}\"]"


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")
