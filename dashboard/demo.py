"""Build the synthetic demo database: reference data, generated submission files
imported through the real ingest path, and one demo user per role."""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dashboard.auth import hash_password
from dashboard.users import create_user
from data.demo import generate_demo, supplier_loop
from data.demo.curation import curate_demo
from data.ingest import import_files, load_catalogue
from data.reference.seed import load_authorities, load_code_lists, load_product_use
from data.requirements.clusters import regroup
from data.store import events
from data.store.db import session_scope
from data.store.models import Authority, Submission, Supplier, User

DEMO_PASSWORD = "demo"


def demo_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Submission)))


def load_demo(
    sessions: sessionmaker[Session],
    *,
    seed: int = 2010,
    n_authorities: int = 150,
    periods: tuple[str, ...] | None = None,
    log=print,
) -> dict[str, float]:
    """Generate and import the demo dataset; returns a few figures for the log."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"periods": periods} if periods else {}
        manifest = generate_demo(Path(tmp), seed=seed, n_authorities=n_authorities, **kwargs)
        with session_scope(sessions) as session:
            load_code_lists(session)
            load_authorities(session, manifest.authorities_csv, rng=random.Random(seed))
            load_product_use(session, manifest.product_use_csv)
        generated = time.perf_counter()
        # Grouped once below, not upload by upload.
        with session_scope(sessions) as session, events.paused():
            catalogue = load_catalogue(session)
            for paths in manifest.submissions:
                files = [(p.name, p.read_bytes()) for p in paths]
                import_files(
                    session,
                    files,
                    allowed_authorities=None,
                    uploaded_by_id=None,
                    catalogue=catalogue,
                )
    imported = time.perf_counter()
    with session_scope(sessions) as session:
        grouped = regroup(session)  # candidate requirements, ready for the first visit
        _create_demo_users(session)
        log(supplier_loop.seed(session, hash_password(DEMO_PASSWORD)))
    with session_scope(sessions) as session:
        curated = curate_demo(session, seed=seed)  # requirements, endorsements, specifications
    log(
        f"Demo data: {len(manifest.submissions)} submissions imported in "
        f"{imported - generated:.1f} s (generated in {generated - started:.1f} s); "
        f"{grouped.message()} Demo curation: {curated.message()}."
    )
    return {"submissions": len(manifest.submissions), "seconds": imported - started}


def _create_demo_users(session: Session) -> None:
    """demo-la and demo-nlar belong to an LA in the largest supplier group."""
    if session.scalar(select(User).where(User.username == "demo-la")):
        return
    counts = Counter(
        session.scalars(select(Submission.supplier_id).where(Submission.status == "current"))
    )
    big_supplier_id = counts.most_common(1)[0][0]
    supplier = session.get(Supplier, big_supplier_id)
    codes = list(
        session.scalars(
            select(Authority.code)
            .join(Submission, Submission.authority_id == Authority.id)
            .where(Submission.supplier_id == big_supplier_id, Submission.status == "current")
            .distinct()
            .order_by(Authority.code)
        )
    )
    create_user(
        session,
        "demo-la",
        DEMO_PASSWORD,
        "la_user",
        authority_code=codes[0],
        display_name="Demo LA user",
    )
    create_user(
        session,
        "demo-nlar",
        DEMO_PASSWORD,
        "nlar_rep",
        authority_code=codes[1],
        supplier_name=supplier.name,
        display_name="Demo NLAR representative",
    )
    create_user(
        session, "demo-coordinator", DEMO_PASSWORD, "coordinator", display_name="Demo coordinator"
    )
    create_user(session, "demo-admin", DEMO_PASSWORD, "admin", display_name="Demo administrator")
