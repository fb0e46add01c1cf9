"""Suggest the lead and supporting units of a new task from the assignments of past tasks. Pure: no database.

The model (scikit-learn, no remote model, nothing downloaded):

- each past task's text becomes a TF-IDF vector of character 1–2-grams (Chinese needs no word segmenter);
- for a new text, the ``NEIGHBOURS`` most similar past tasks (cosine) vote for their units, each vote
  weighing similarity² (a near copy counts far more than a loose relative), lead units of a past task
  voting for lead, supporting units for supporting; the second unit of a shared lead counts half;
- a unit whose name's stem ("教育" of 市教育局, "农业农村" of 市农业农村局) is written in the text gets a
  small bonus (``NAME_WEIGHT`` × the share of the stem's bigrams found), so a unit with few past tasks is
  still found when the text names its field.

``confidence`` of a unit is its share of all the votes of its role (0–1): 1.0 means every similar task had
that unit; a flat spread gives small numbers. The similar past tasks are returned to justify the suggestion.
``leave_one_out`` measures the lead unit's top-1 and top-3 accuracy on a set of tasks (each suggested from
all the others); the parameters were chosen on the 兴平 plan's 210 tasks that way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy and scikit-learn (which brings scipy) are imported when a suggester is first built, not with this
# module: the URLs import it through the drafting views, and every web process, worker and management
# command would otherwise spend about 1.3 s loading scipy that only drafting uses.

NEIGHBOURS = 20
NAME_WEIGHT = 0.05
SIMILAR_SHOWN = 3
_STEM_PREFIX = re.compile(r"^(?:咸阳市|兴平市|市委|市|区委|区|县委|县|省委|省|中国)")
_STEM_SUFFIX = re.compile(r"(?:分局|支行|联社|集团|公司|中心|局|办|委|部|会|院|厅)$")


@dataclass(frozen=True, slots=True)
class PastTask:
    """A task already in a plan, with its units as names."""

    key: int  # task id (or its number in a parsed plan)
    text: str
    lead: tuple[str, ...]
    supporting: tuple[str, ...] = ()
    number: int | None = None
    plan: str = ""


@dataclass(frozen=True, slots=True)
class UnitScore:
    name: str
    confidence: float

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Similar:
    task: PastTask
    similarity: float

    def as_json(self) -> dict[str, object]:
        return {
            "task_id": self.task.key,
            "number": self.task.number,
            "plan": self.task.plan,
            "text": self.task.text,
            "lead": list(self.task.lead),
            "supporting": list(self.task.supporting),
            "similarity": self.similarity,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    lead: list[UnitScore] = field(default_factory=list)
    supporting: list[UnitScore] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return self.lead[0].confidence if self.lead else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "lead": [u.as_json() for u in self.lead],
            "supporting": [u.as_json() for u in self.supporting],
            "confidence": self.confidence,
            "similar": [s.as_json() for s in self.similar],
        }


@dataclass(frozen=True, slots=True)
class Accuracy:
    tasks: int
    top1: float
    top3: float


def unit_stem(name: str) -> str:
    """ "市农业农村局" → "农业农村"; "中国移动兴平分公司" → "移动兴平" (its bigrams still find "移动")."""
    stem = _STEM_PREFIX.sub("", name)
    return _STEM_SUFFIX.sub("", stem) or stem


class Suggester:
    """Fitted once on the past tasks; ``suggest_many`` answers a batch with one matrix product."""

    def __init__(self, past: Sequence[PastTask]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.past = [t for t in past if t.text.strip()]
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
        self._matrix = self._vectorizer.fit_transform([t.text for t in self.past]) if self.past else None
        units = sorted({u for t in self.past for u in (*t.lead, *t.supporting)})
        self._stems = {}
        for unit in units:
            stem = unit_stem(unit)
            grams = {stem[i : i + 2] for i in range(len(stem) - 1)} or {stem}
            self._stems[unit] = grams

    def suggest(self, text: str) -> Suggestion:
        return self.suggest_many([text])[0]

    def suggest_many(self, texts: Sequence[str], *, exclude: Sequence[int | None] | None = None) -> list[Suggestion]:
        """One suggestion per text; ``exclude[i]`` is the index of a past task to leave out for text i."""
        if self._matrix is None or not texts:
            return [Suggestion() for _ in texts]
        similarity = (self._vectorizer.transform(list(texts)) @ self._matrix.T).toarray()
        if exclude is not None:
            for row, index in enumerate(exclude):
                if index is not None:
                    similarity[row, index] = -1.0
        return [self._one(text, row) for text, row in zip(texts, similarity, strict=True)]

    def _one(self, text: str, similarity: np.ndarray) -> Suggestion:
        import numpy as np

        count = min(NEIGHBOURS, len(self.past))
        order = np.argpartition(-similarity, count - 1)[:count]
        order = order[np.argsort(-similarity[order])]
        lead: Counter[str] = Counter()
        supporting: Counter[str] = Counter()
        for index in order:
            weight = float(similarity[index])
            if weight <= 0:
                continue
            weight *= weight
            task = self.past[index]
            for rank, unit in enumerate(task.lead):
                lead[unit] += weight / (1 + rank)
            for unit in task.supporting:
                supporting[unit] += weight
        for unit, grams in self._stems.items():
            share = sum(gram in text for gram in grams) / len(grams)
            if share:
                lead[unit] += NAME_WEIGHT * share
        similar = [
            Similar(self.past[i], round(float(similarity[i]), 3)) for i in order[:SIMILAR_SHOWN] if similarity[i] > 0
        ]
        lead_scores = _scores(lead, limit=3)
        chosen = {u.name for u in lead_scores[:1]}
        supporting_scores = [u for u in _scores(supporting, limit=6) if u.name not in chosen][:5]
        return Suggestion(lead=lead_scores, supporting=supporting_scores, similar=similar)


def _scores(votes: Counter[str], *, limit: int) -> list[UnitScore]:
    total = sum(votes.values())
    if total <= 0:
        return []
    return [UnitScore(name, round(score / total, 3)) for name, score in votes.most_common(limit)]


def leave_one_out(past: Sequence[PastTask]) -> Accuracy:
    """Top-1 and top-3 accuracy of the lead unit, each task suggested from all the others.

    A suggestion counts as right when the suggested unit is one of the task's lead units."""
    suggester = Suggester(past)
    tasks = suggester.past
    judged = [i for i, t in enumerate(tasks) if t.lead]
    if not judged:
        return Accuracy(0, 0.0, 0.0)
    suggestions = suggester.suggest_many([tasks[i].text for i in judged], exclude=judged)
    top1 = top3 = 0
    for i, suggestion in zip(judged, suggestions, strict=True):
        names = [u.name for u in suggestion.lead]
        top1 += bool(names[:1]) and names[0] in tasks[i].lead
        top3 += any(name in tasks[i].lead for name in names[:3])
    return Accuracy(len(judged), round(top1 / len(judged), 3), round(top3 / len(judged), 3))
