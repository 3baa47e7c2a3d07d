"""The unit's make-up as the organizer types it (`/o/surveys/<id>/makeup/`): how many
people of the unit are in each group of each segment question, and optionally the full
cross-table. Read and checked here; results.weights_for uses what is saved.

Every count describes the same people, the whole unit, so the checks are about that
(docs/SURVEYS.md, "Weighting to the unit's make-up"):

- a count is a whole number from 0 to the campaign's largest unit; a question is filled
  for every group or left empty; its counts are not all 0 (refused);
- the questions' totals, and the cross-table's, are the same number, and the
  cross-table adds up to each group's count where both are given (refused);
- a total that differs from the campaign's unit size is saved with a warning: raking
  and post-stratification use only each group's share, and the unit size may be from
  another day; the warning names both numbers so a typo is caught."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from concerted.campaigns.models import Campaign

from .models import Question


@dataclass
class Checked:
    makeup: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (message, id of the input to fix)
    invalid: set[str] = field(default_factory=set)  # ids of the inputs marked invalid
    total: int | None = None  # the people the make-up describes

    @property
    def ok(self) -> bool:
        return not self.problems


def margin_field(question: Question, index: int) -> str:
    return f"m_{question.pk}_{index}"


def cell_field(key: str) -> str:
    return f"c_{key}"


def _count(raw: str, about: str, name: str, out: Checked) -> int | None:
    """A typed count, or None (left empty, or refused with its problem noted)."""
    raw = raw.strip()
    if not raw:
        return None
    most = Campaign.LARGEST_UNIT
    if not (raw.isascii() and raw.isdigit()):
        out.problems.append(
            (
                _("%(group)s: “%(value)s” is not a count of people. Counts are whole numbers (0 or more).")
                % {"group": about, "value": raw[:40]},
                name,
            )
        )
    elif len(raw) > len(str(most)) or int(raw) > most:
        out.problems.append(
            (
                _("%(group)s: %(value)s is more people than a unit can have here (at most %(most)s).")
                % {"group": about, "value": raw[:40], "most": number_format(most, force_grouping=True)},
                name,
            )
        )
    else:
        return int(raw)
    out.invalid.add(name)
    return None


def read(
    post: Mapping[str, str], segments: list[Question], combos: list[tuple[str, str]], unit_size: int | None
) -> Checked:
    """The make-up in a POST, checked. `combos`: (key, label) of each cell of the
    cross-table ("0,2": "Platform · Nights"), empty when it is too large to offer."""
    out = Checked(makeup={})
    marginals: dict[str, dict[str, int]] = {}
    totals: list[tuple[str, int]] = []  # (what, total) of each question filled, then the cross-table
    for q in segments:
        options = q.option_list()
        names = [margin_field(q, i) for i in range(len(options))]
        typed = [str(post.get(name, "")).strip() for name in names]
        values = {
            str(i): _count(raw, f"{q.text} = {o.label}", name, out)
            for i, (o, name, raw) in enumerate(zip(options, names, typed, strict=True))
        }
        if not any(typed):
            continue
        if not all(typed):
            blank = [name for name, raw in zip(names, typed, strict=True) if not raw]
            out.problems.append(
                (
                    _(
                        "%(question)s: give a count for every group, 0 where nobody is in it, or leave them all "
                        "empty to not weight by it."
                    )
                    % {"question": q.text},
                    blank[0],
                )
            )
            out.invalid.update(blank)
            continue
        if any(v is None for v in values.values()):
            continue  # its own problem is noted
        counts = {key: int(v) for key, v in values.items() if v is not None}
        if sum(counts.values()) == 0:
            out.problems.append(
                (
                    _(
                        "%(question)s: every count is 0. Give how many people of the unit are in each group, or "
                        "leave them all empty to not weight by it."
                    )
                    % {"question": q.text},
                    names[0],
                )
            )
            out.invalid.update(names)
            continue
        marginals[str(q.pk)] = counts
        totals.append((q.text, sum(counts.values())))

    cells: dict[str, int] = {}
    typed_cells = {key: str(post.get(cell_field(key), "")).strip() for key, _label in combos}
    if any(typed_cells.values()):
        blank = [cell_field(key) for key, raw in typed_cells.items() if not raw]
        if blank:
            out.problems.append(
                (_("Fill every cell of the cross-table, or none: a partial table can't be used."), blank[0])
            )
            out.invalid.update(blank)
        for key, label in combos:
            value = _count(typed_cells[key], label, cell_field(key), out)
            if value is not None:
                cells[key] = value
        if not blank and len(cells) == len(combos):
            if sum(cells.values()) == 0:
                out.problems.append(
                    (
                        _("Every cell of the cross-table is 0: give how many people are in each, or leave it empty."),
                        cell_field(combos[0][0]),
                    )
                )
                out.invalid.update(cell_field(key) for key, _label in combos)
            else:
                totals.append((_("the cross-table"), sum(cells.values())))
                _check_cells_against_margins(segments, cells, marginals, out)
        else:
            cells = {}

    if len({total for _what, total in totals}) > 1:
        out.problems.append(
            (
                _(
                    "The totals differ: %(totals)s. Each question's counts describe the same people, the whole "
                    "unit, so they must add up to the same number. Check for a typo, or a group missing."
                )
                % {"totals": "; ".join(f"{what}: {number_format(total)}" for what, total in totals)},
                "",
            )
        )
    if not out.problems:
        out.makeup = {
            "marginals": marginals,
            "cells": cells,
            "cell_questions": [q.pk for q in segments] if cells else [],
        }
        out.total = totals[0][1] if totals else None
    return out


def _check_cells_against_margins(
    segments: list[Question], cells: dict[str, int], marginals: dict[str, dict[str, int]], out: Checked
) -> None:
    """Where a group's count and the cross-table both say how many people are in it,
    they must agree: post-stratification uses the table, raking the counts."""
    for j, q in enumerate(segments):
        margin = marginals.get(str(q.pk))
        if not margin:
            continue
        for i, option in enumerate(q.option_list()):
            in_table = sum(v for key, v in cells.items() if int(key.split(",")[j]) == i)
            if in_table != margin.get(str(i)):
                out.problems.append(
                    (
                        _(
                            "%(group)s: the cross-table adds up to %(table)s people, its count says %(count)s. "
                            "Both describe the same people: make them agree."
                        )
                        % {
                            "group": f"{q.text} = {option.label}",
                            "table": number_format(in_table),
                            "count": number_format(margin.get(str(i), 0)),
                        },
                        margin_field(q, i),
                    )
                )
                out.invalid.add(margin_field(q, i))


def unit_size_warning(total: int | None, unit_size: int | None) -> str:
    """Said when the make-up and the campaign's unit size disagree. Not a refusal: the
    weights use only each group's share, and the unit size may be from another day."""
    if total is None or not unit_size or total == unit_size:
        return ""
    return _(
        "The make-up adds up to %(total)s people, but the campaign's unit size is %(unit)s. The weights use only "
        "each group's share, so they work either way; check the counts for a typo, or correct the unit size on "
        "the campaign's settings (it gives the response rate)."
    ) % {"total": number_format(total), "unit": number_format(unit_size)}


def saved_total(makeup: Mapping[str, Any]) -> int | None:
    """The people a saved make-up describes (its first question's total, or the table's)."""
    for counts in (makeup.get("marginals") or {}).values():
        return sum(int(v) for v in counts.values())
    cells = makeup.get("cells") or {}
    return sum(int(v) for v in cells.values()) if cells else None
