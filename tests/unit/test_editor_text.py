"""The requirement and specification editors refuse the bad-input corpus at the data layer
(statements, titles and notes), with a message and without writing anything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.requirements import curation, specifications
from data.requirements.curation import CurationError
from data.store.models import Requirement, Specification, SpecificationVersion
from tests.integration.test_bad_input_corpus import CORPUS
from tests.unit.test_requirements_support import viewer
from tests.unit.test_specifications import db, requirements

__all__ = ["db"]
BAD = [k for k in CORPUS if k not in ("none", "empty", "blank")] + ["empty"]


def _count(s, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", BAD)
def test_statement_title_and_note_refuse_bad_text(db, kind):
    chron, prints, _ = requirements(db)
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    spec = specifications.create_specification(db, rep, "OLM joint specification", rep.supplier_id)
    before = (_count(db, Requirement), _count(db, Specification), _count(db, SpecificationVersion))
    value = CORPUS[kind]
    with pytest.raises(CurationError) as statement:
        curation.reword(db, rep, prints.id, value, "should")
    with pytest.raises(CurationError) as title:
        specifications.create_specification(db, rep, value, rep.supplier_id)
    if isinstance(value, str) and value.strip():
        with pytest.raises(CurationError) as note:
            specifications.new_version(db, rep, spec.id, [prints.id], note=value)
        assert str(note.value)
    assert str(statement.value) and str(title.value)
    after = (_count(db, Requirement), _count(db, Specification), _count(db, SpecificationVersion))
    assert after == before
    assert db.get(Requirement, prints.id).statement == "Print ICPC reports without retyping"
