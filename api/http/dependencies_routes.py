"""Plain REST for schedulers that do not speak GraphQL.

``GET /api/v1/dependencies?namespace=NS&job=NAME[&directOnly=true][&staleAfterDays=N]`` answers what
``recommendDependencies`` answers; ``POST /api/v1/dependencies/check`` with
``{"namespace": NS, "job": NAME, "configured": [{"namespace": .., "name": ..}]}`` what
``checkDependencies`` answers. Bad input gets 400 or 422, an unknown job 404, each a problem
document (``api/problems.py``) saying why.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tagline.api.auth import READ, requires
from tagline.api.http.app_state import store_thread
from tagline.api.problems import problem
from tagline.api.services.dependency_json import check_json, recommendation_json, too_many_configured
from tagline.api.settings import Settings
from tagline.errors import InvalidInput
from tagline.governance.scheduling import check_dependencies, recommend_dependencies
from tagline.graph.model import JobRef
from tagline.graph.timefmt import utcnow

TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no", ""})


class BadRequest(InvalidInput):
    pass


class CheckRequest(BaseModel):
    namespace: str = Field(min_length=1)
    job: str = Field(min_length=1)
    configured: list[JobRef]
    staleAfterDays: int | None = Field(None, ge=0)


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise BadRequest(f"query parameter {name!r} is required, e.g. ?namespace=airflow&job=build_fact_orders")
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "").lower()
    if value not in TRUE | FALSE:
        raise BadRequest(f"{name} must be true or false (got {params[name]!r})")
    return value in TRUE


def _days(params: Mapping[str, str], default: int) -> int:
    text = params.get("staleAfterDays")
    if text is None:
        return default
    if not text.isdigit():
        raise BadRequest(f"staleAfterDays must be a whole number of days (got {text!r})")
    return int(text)


def dependency_routes(settings: Settings) -> list[Route]:
    async def recommend(request: Request) -> JSONResponse:
        params = request.query_params
        try:
            ref = JobRef(namespace=_required(params, "namespace"), name=_required(params, "job"))
            direct_only = _flag(params, "directOnly")
            days = _days(params, settings.stale_after_days)
        except BadRequest as exc:
            return problem(400, exc.code, str(exc))
        thread = store_thread(request.app)
        job, found = await thread.read(recommend_dependencies, thread.store, ref, utcnow(), days, direct_only)
        return JSONResponse(recommendation_json(job, found, days))

    async def check(request: Request) -> JSONResponse:
        try:
            body = CheckRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = [{"field": ".".join(map(str, e["loc"])), "error": e["msg"]} for e in exc.errors()]
            where = "; ".join(f"{p['field'] or '(body)'}: {p['error']}" for p in problems)
            return problem(422, InvalidInput.code, f"invalid request body: {where}", problems=problems)
        if len(body.configured) > settings.max_configured_dependencies:
            too_many = too_many_configured(len(body.configured), settings.max_configured_dependencies)
            return problem(422, InvalidInput.code, too_many)
        days = settings.stale_after_days if body.staleAfterDays is None else body.staleAfterDays
        thread = store_thread(request.app)
        ref = JobRef(namespace=body.namespace, name=body.job)
        report = await thread.read(check_dependencies, thread.store, ref, body.configured, utcnow(), days)
        return JSONResponse(check_json(report))

    return [
        Route("/api/v1/dependencies", requires(READ)(recommend), methods=["GET"]),
        Route("/api/v1/dependencies/check", requires(READ)(check), methods=["POST"]),
    ]
