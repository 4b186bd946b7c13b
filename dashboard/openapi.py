"""The OpenAPI 3.1 document of the supplier API (/api/v1/openapi.json). Its schemas are
JSON Schema 2020-12, so the contract tests validate every response against them."""

from __future__ import annotations

from data.store.models import ANSWER_STATUSES, PRIORITIES
from data.store.models import STATUSES as REQUIREMENT_STATUSES

STATUSES, ANSWERS = list(REQUIREMENT_STATUSES), list(ANSWER_STATUSES)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> dict:
    return {"type": [kind, "null"]}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _ok(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


COMMON_ERRORS = {
    "401": _problem("Missing, unknown or revoked bearer token"),
    "429": _problem("Too many requests"),
}
ENVELOPE = {
    "api_version": {"type": "string", "const": "1"},
    "data_version": {"type": "integer", "minimum": 0},
}
# Disclosure-controlled counts: a number as text, or "c" when suppressed.
COUNT = {"type": "string", "pattern": "^([0-9]+|c|x)$"}

SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
    "Message": {
        "type": "object",
        "required": ["from", "text", "at"],
        "additionalProperties": False,
        "properties": {
            "from": {"type": "string"},
            "text": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
        },
    },
    "Answer": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "status",
            "summary",
            "text",
            "release",
            "expected_on",
            "answered_at",
            "thread",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": ANSWERS},
            "summary": {"type": "string"},
            "text": {"type": "string"},
            "release": _nullable("string"),
            "expected_on": {"type": ["string", "null"], "format": "date"},
            "answered_at": {"type": "string", "format": "date-time"},
            "thread": {"type": "array", "items": _ref("Message")},
        },
    },
    "AnswerInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["status"],
        "properties": {
            "status": {"enum": ANSWERS},
            "text": {
                "type": "string",
                "maxLength": 2000,
                "description": "The question (clarification) or reason (declined)",
            },
            "release": {"type": "string", "maxLength": 80},
            "expected_on": {"type": "string", "format": "date"},
        },
    },  # fmt: skip
    "Evidence": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "las_raising",
            "respondents_affected",
            "las_endorsing",
            "theme_score_for_group",
            "example_findings",
            "example_findings_note",
        ],  # fmt: skip
        "properties": {
            "las_raising": COUNT,
            "respondents_affected": COUNT,
            "las_endorsing": COUNT,
            "theme_score_for_group": {"type": "string"},
            "example_findings": {"type": "array", "items": {"type": "string"}},
            "example_findings_note": {"type": "string"},
        },
    },
    "Requirement": {
        "type": "object",
        "required": [
            "id",
            "ref",
            "statement",
            "priority",
            "status",
            "delivered_release",
            "theme",
            "evidence",
            "answer",
            "did_it_work",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "ref": {"type": "string", "pattern": "^R-[0-9]+$"},
            "statement": {"type": "string"},
            "priority": {"enum": list(PRIORITIES)},
            "status": {"enum": STATUSES},
            "delivered_release": _nullable("string"),
            "theme": {"type": "string"},
            "evidence": _ref("Evidence"),
            "answer": {"oneOf": [_ref("Answer"), {"type": "null"}]},
            "did_it_work": {"type": "array", "items": {"type": "string"}},
            "specifications": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "SpecificationSummary": {
        "type": "object",
        "required": [
            "id",
            "title",
            "supplier",
            "latest_version",
            "saved_at",
            "requirement_count",
        ],  # fmt: skip
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "supplier": {"type": "string"},
            "latest_version": {"type": "integer", "minimum": 1},
            "saved_at": {"type": "string", "format": "date-time"},
            "requirement_count": {"type": "integer", "minimum": 0},
            "note": {"type": "string"},
            "suppression": {"type": "string"},
        },
    },
    "SpecificationList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["api_version", "data_version", "specifications"],
        "properties": {
            **ENVELOPE,
            "specifications": {"type": "array", "items": _ref("SpecificationSummary")},
        },
    },
    "Specification": {
        "type": "object",
        "additionalProperties": False,
        "required": ["api_version", "data_version", "specification", "requirements"],
        "properties": {
            **ENVELOPE,
            "specification": _ref("SpecificationSummary"),
            "requirements": {"type": "array", "items": _ref("Requirement")},
        },
    },
    "RequirementList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["api_version", "data_version", "requirements"],
        "properties": {**ENVELOPE, "requirements": {"type": "array", "items": _ref("Requirement")}},
    },
    "AnswerRecorded": {
        "type": "object",
        "additionalProperties": False,
        "required": ["api_version", "data_version", "requirement_id", "answer"],
        "properties": {**ENVELOPE, "requirement_id": {"type": "integer"}, "answer": _ref("Answer")},
    },
}


def document() -> dict:
    """The OpenAPI document."""
    spec_id = {"name": "spec_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    req_id = {"name": "requirement_id", "in": "path", "required": True,
              "schema": {"type": "integer"}}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ICS collaboration dashboard: supplier API",
            "version": "1",
            "description": "Joint specifications addressed to a supplier, with anonymised "
            "evidence, statuses and answers. Authenticate with a bearer token an administrator "
            "created for your supplier account. Errors are RFC 9457 problem documents.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/specifications": {
                "get": {
                    "operationId": "listSpecifications",
                    "responses": {"200": _ok("SpecificationList"), **COMMON_ERRORS},
                }
            },
            "/specifications/{spec_id}": {
                "get": {
                    "operationId": "getSpecification",
                    "parameters": [spec_id],
                    "responses": {
                        "200": _ok("Specification"),
                        "404": _problem("No such specification addressed to you"),
                        **COMMON_ERRORS,
                    },
                }
            },
            "/requirements": {
                "get": {
                    "operationId": "listRequirements",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"enum": STATUSES},
                        }  # fmt: skip
                    ],
                    "responses": {
                        "200": _ok("RequirementList"),
                        "400": _problem("Unknown status"),
                        **COMMON_ERRORS,
                    },
                }
            },
            "/requirements/{requirement_id}/answers": {
                "post": {
                    "operationId": "answerRequirement",
                    "parameters": [req_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("AnswerInput")}},
                    },
                    "responses": {
                        "201": _ok("AnswerRecorded", "Answer recorded"),
                        "400": _problem("Bad JSON"),
                        "404": _problem("No such requirement addressed to you"),
                        "413": _problem("Body too large"),
                        "415": _problem("Not JSON"),
                        "422": _problem("The answer is not acceptable as given"),
                        **COMMON_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }
