"""The supplier API (/api/v1): read-only JSON plus POSTing answers, for suppliers' tools.

Every call needs a bearer token of a supplier account (data.requirements.tokens) and sees only
what that supplier user sees; calls are rate limited per token and every call is written to
the audit log with its outcome. Errors are RFC 9457 problem documents
(application/problem+json), produced in one place (:func:`problem`). The session cookie plays
no part here, so the blueprint is exempt from CSRF (a cross-site page cannot set the
Authorization header)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from dashboard.auth import limiter
from dashboard.openapi import document
from dashboard.security import csrf
from data.errors import DomainError, NotFound, PermissionDenied
from data.pages import evidence as _partition  # noqa: F401 (requirement counts on the cube)
from data.requirements import answers, supplier_views, tokens
from data.store import audit
from data.store.db import session_scope

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}


def problem(status: int, detail: str, **extra):
    """An RFC 9457 problem document response."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="icsdash"'
    return response


class ApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _services():
    return current_app.extensions["icsdash"]


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _rate_key() -> str:
    token = _bearer()
    digest = hashlib.sha256(token.encode()).hexdigest()[:32] if token else request.remote_addr
    return f"api:{digest}"


@bp.before_request
def _authenticate():
    g.api_user_id = None
    if request.endpoint == "api.openapi":
        return None
    limit = current_app.config.get("API_MAX_BODY_BYTES", 16384)
    if request.content_length is not None and request.content_length > limit:
        return problem(413, f"The request body is larger than {limit} bytes.")
    token = _bearer()
    if not token:
        return problem(401, "Send a bearer token: Authorization: Bearer <token>.")
    with session_scope(_services().sessions) as session:
        viewer = tokens.token_viewer(session, token)
    if viewer is None:
        return problem(401, "The token is not valid (unknown, revoked, or its account disabled).")
    g.api_viewer = viewer
    g.api_user_id = viewer.user_id
    return None


@bp.after_request
def _log(response):
    if request.endpoint != "api.openapi":
        try:
            with session_scope(_services().sessions) as session:
                audit.record(
                    session,
                    g.get("api_user_id"),
                    "api_call",
                    f"{request.method} {request.full_path.rstrip('?')}"[:120],
                    str(response.status_code),
                )
        except Exception:  # the audit write must not turn an answer into an error
            current_app.logger.exception("could not audit an API call")
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code == 429:
        return problem(429, f"Rate limit exceeded ({exc.description}); slow down.")
    if exc.code == 413:
        return problem(413, "The request body is too large.")
    return problem(exc.code or 500, exc.description or TITLES.get(exc.code or 500, "Error"))


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return problem(exc.status, exc.detail)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    if isinstance(exc, NotFound):
        return problem(404, str(exc))
    if isinstance(exc, PermissionDenied):
        return problem(403, str(exc))
    if isinstance(exc, supplier_views.BadRequest):
        return problem(400, str(exc))
    return problem(422, str(exc))


def _supplier_id() -> int:
    return g.api_viewer.supplier_id


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/specifications")
def list_specifications():
    with session_scope(_services().sessions) as session:
        return jsonify(supplier_views.list_specifications(session, _supplier_id()))


@bp.get("/specifications/<int:spec_id>")
def get_specification(spec_id: int):
    with session_scope(_services().sessions) as session:
        body = supplier_views.specification_detail(
            session, _services().rules, _supplier_id(), spec_id
        )
    return jsonify(body)


@bp.get("/requirements")
def list_requirements():
    status = request.args.get("status")
    unknown = sorted(set(request.args) - {"status"})
    if unknown:
        raise ApiError(400, f"Unknown query parameter: {', '.join(unknown)[:80]}.")
    with session_scope(_services().sessions) as session:
        body = supplier_views.list_requirements(session, _services().rules, _supplier_id(), status)
    return jsonify(body)


ANSWER_FIELDS = {"status", "text", "release", "expected_on"}


@bp.post("/requirements/<int:requirement_id>/answers")
def post_answer(requirement_id: int):
    if not request.is_json:
        raise ApiError(415, "Send the answer as JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The body is not a JSON object.")
    unknown = sorted(set(body) - ANSWER_FIELDS)
    if unknown:
        raise ApiError(422, f"Unknown field: {', '.join(unknown)[:80]}.")
    if any(v is not None and not isinstance(v, str) for v in body.values()):
        raise ApiError(422, "Every field must be a string.")
    with session_scope(_services().sessions) as session:
        answer = answers.record_answer(
            session,
            g.api_viewer,
            requirement_id,
            body.get("status") or "",
            text=body.get("text") or "",
            release=body.get("release") or "",
            expected_on=body.get("expected_on") or None,
        )
        current = answers.current_answers(session, [answer.requirement_id], _supplier_id())
        view = current[answer.requirement_id][0]
        out = supplier_views.envelope(
            session, requirement_id=requirement_id, answer=supplier_views.answer_json(view)
        )
    response = jsonify(out)
    response.status_code = 201
    return response


@bp.route("/", defaults={"_rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_route(_rest: str):
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown_route":
            raise ApiError(405, f"{request.method} is not allowed here; use {method}.")
    raise ApiError(404, "There is no such API endpoint; see /api/v1/openapi.json.")


# Rate limited per token (decorated once, at import: every app in the process shares the
# blueprint object, and a second decoration would count each call twice).
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def init_app(server: Flask) -> None:
    """Register the blueprint, CSRF-exempt (token auth)."""
    server.config.setdefault("API_RATE_LIMIT", "120 per minute")
    server.config.setdefault("API_MAX_BODY_BYTES", 16384)
    csrf.exempt(bp)
    server.register_blueprint(bp)
