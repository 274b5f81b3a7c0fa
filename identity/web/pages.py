"""The review pages (French, server-rendered, no network): login, queue, suggestion, person
history, statistics.

Every page works without JavaScript (forms and links); ``review.js`` adds the keyboard
shortcuts. Pages holding identity traits are never cached (``Cache-Control: no-store``) and
every read of traits goes to the access log, as through the API. Form posts need the session's
CSRF token; the session cookie is ``SameSite=Strict`` as well.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from identity.audit import AccessContext
from identity.crypto import DecryptionError
from identity.ids import InvalidPersonIdError
from identity.models import EventKind
from identity.review.deps import ReviewServiceDep, ReviewSettingsDep, StatisticsModelDep
from identity.review.schemas import DecisionIn, QueueStatus
from identity.review.service import (
    InvalidCursorError,
    ReviewNotFoundError,
    ReviewRuleError,
    ReviewService,
    SplitConflictError,
    StaleReviewError,
)
from identity.review.stats import statistics_of
from identity.service import (
    PersonGoneError,
    PersonMergedError,
    PersonNotFoundError,
    RegistryReader,
)
from identity.web.explain import explain, weighing_of
from identity.web.formatting import DECISION_LABELS, ROLE_LABELS
from identity.web.formatting import install as install_formatting
from identity.web.session import (
    LOGIN_CSRF_COOKIE,
    LoginError,
    WebSession,
    clear_session_cookie,
    end_session,
    login_csrf_ok,
    new_login_csrf,
    open_session,
    read_session,
    remember_session,
    set_login_csrf_cookie,
    set_session_cookie,
)
from identity.web.vendored import DSFR_DIR, PINS, read_manifest
from matching import SOURCES
from srj.auth import Role
from srj.settings import Settings, get_settings

router = APIRouter(prefix="/revue", include_in_schema=False)

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
OWN_STATIC = ("review.css", "review.js")
MEDIA_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".svg": "image/svg+xml",
    ".md": "text/plain; charset=utf-8",
}


def _static_files() -> dict[str, Path]:
    """Every file the pages may serve: their own two, and the design system's files listed in
    its manifest (checked against the files by a test). Nothing else, whatever the path."""
    files = {name: HERE / "static" / name for name in OWN_STATIC}
    for rel in read_manifest(DSFR_DIR):
        files[f"dsfr/{rel}"] = DSFR_DIR / rel
    return files


STATIC = _static_files()

SettingsDep = Annotated[Settings, Depends(get_settings)]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
SOURCE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COURT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")

install_formatting(templates)
templates.env.globals.update(
    DSFR_VERSION=PINS["dsfr"].version,
    AXE_VERSION=PINS["axe"].version,
    DECLARATION_DATE="8 décembre 2026",
)


# -- plumbing -----------------------------------------------------------------------------------


def _render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    session: WebSession | None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "session": session,
        "csrf_token": session.csrf_token if session else None,
        "can_review": bool(session and Role.REVIEWER in session.principal.roles),
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


def _to_login(request: Request) -> RedirectResponse:
    return _redirect(f"/revue/connexion?suite={quote(request.url.path)}")


def _safe_next(target: str | None) -> str:
    """Only our own pages: never an open redirect."""
    if target and target.startswith("/revue/") and "//" not in target and "\\" not in target:
        return target
    return "/revue/"


def _error(
    request: Request, session: WebSession | None, status: int, title: str, message: str
) -> HTMLResponse:
    return _render(
        request,
        "error.html",
        {"title": title, "message": message},
        session=session,
        status_code=status,
    )


def _forbidden(request: Request, session: WebSession, role: str) -> HTMLResponse:
    return _error(
        request,
        session,
        403,
        "Accès refusé",
        f"Cette page demande le rôle « {ROLE_LABELS.get(role, role)} ». Connectez-vous avec "
        "un jeton qui le porte.",
    )


def _reviewer_session(request: Request, settings: Settings) -> WebSession | Response:
    """The signed-in reviewer's session, or the page to answer instead (login, refusal)."""
    session = read_session(request, settings)
    if session is None:
        return _to_login(request)
    if Role.REVIEWER not in session.principal.roles:
        return _forbidden(request, session, "reviewer")
    return session


def _ctx(request: Request, session: WebSession, endpoint: str) -> AccessContext:
    return AccessContext(
        principal=session.principal,
        endpoint=endpoint,
        purpose="revue des suggestions",
        request_id=getattr(request.state, "request_id", None),
    )


def _filters(source: str | None, court: str | None) -> tuple[str | None, str | None]:
    src = source if source and SOURCE_RE.match(source) else None
    crt = court if court and COURT_RE.match(court) else None
    return src, crt


def _filter_query(source: str | None, court: str | None) -> str:
    pairs = [(k, v) for k, v in (("source", source), ("juridiction", court)) if v]
    return ("?" + urlencode(pairs)) if pairs else ""


def _confirmation(
    service: ReviewService, review_id: int | None, next_text: str | None
) -> dict[str, Any] | None:
    """What the decision just taken on ``review_id`` did: its label and the suggestions it
    settled, with why (read from the registry, not from the URL: the URL only says which)."""
    if review_id is None:
        return None
    suggestion = service.repo.suggestion(review_id)
    if suggestion is None or suggestion.decision_id is None:
        return None
    decision = service.repo.decisions([suggestion.decision_id]).get(suggestion.decision_id)
    if decision is None or decision.suggestion_id != review_id:
        return None
    return {
        "review_id": review_id,
        "label": DECISION_LABELS.get(decision.decision, decision.decision),
        "settled": service.settled(decision.id),
        "next": next_text,
    }


# -- static files and login -------------------------------------------------------------------


@router.get("/static/{name:path}")
def static_file(name: str) -> Response:
    path = STATIC.get(name)
    media = MEDIA_TYPES.get(Path(name).suffix) if path else None
    if path is None or media is None:
        return Response(status_code=404)
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/connexion")
def login_page(
    request: Request, review_settings: ReviewSettingsDep, suite: str | None = None
) -> HTMLResponse:
    csrf = new_login_csrf()
    response = _render(
        request,
        "login.html",
        {"login_csrf": csrf, "suite": _safe_next(suite), "error": None},
        session=None,
    )
    set_login_csrf_cookie(response, csrf, review_settings)
    return response


@router.post("/connexion")
async def login(
    request: Request, settings: SettingsDep, review_settings: ReviewSettingsDep
) -> Response:
    form = await request.form()
    suite = _safe_next(str(form.get("suite") or ""))
    if not login_csrf_ok(request, str(form.get("csrf_token") or "")):
        csrf = new_login_csrf()
        response = _render(
            request,
            "login.html",
            {
                "login_csrf": csrf,
                "suite": suite,
                "error": "Le formulaire a expiré : recommencez.",
            },
            session=None,
            status_code=403,
        )
        set_login_csrf_cookie(response, csrf, review_settings)
        return response
    try:
        value, session = open_session(settings, review_settings, str(form.get("token") or ""))
    except LoginError as exc:
        csrf = new_login_csrf()
        response = _render(
            request,
            "login.html",
            {"login_csrf": csrf, "suite": suite, "error": str(exc)},
            session=None,
            status_code=401,
        )
        set_login_csrf_cookie(response, csrf, review_settings)
        return response
    if Role.REVIEWER not in session.principal.roles and suite == "/revue/":
        suite = "/revue/statistiques"
    redirect = _redirect(suite)
    remember_session(request, session)
    set_session_cookie(redirect, value, session, review_settings)
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/revue")
    return redirect


@router.post("/deconnexion")
async def logout(
    request: Request, settings: SettingsDep, review_settings: ReviewSettingsDep
) -> Response:
    session = read_session(request, settings)
    form = await request.form()
    if session is not None and not session.csrf_ok(str(form.get("csrf_token") or "")):
        return _error(request, session, 403, "Formulaire expiré", "Rechargez la page.")
    if session is not None:
        end_session(request, session)
    response = _redirect("/revue/connexion")
    clear_session_cookie(response, review_settings)
    return response


# -- the queue --------------------------------------------------------------------------------


@router.get("")
def root() -> RedirectResponse:
    return _redirect("/revue/")


@router.get("/")
def queue_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    statut: str = "pending",
    source: str | None = None,
    juridiction: str | None = None,
    curseur: str | None = None,
    fait: str | None = None,
    n: int | None = None,
) -> Response:
    session = _reviewer_session(request, settings)
    if isinstance(session, Response):
        return session
    try:
        status = QueueStatus(statut)
    except ValueError:
        status = QueueStatus.PENDING
    src, court = _filters(source, juridiction)
    try:
        page = service.queue(
            session.principal, status=status, source=src, court=court, cursor=curseur
        )
    except InvalidCursorError:
        page = service.queue(session.principal, status=status, source=src, court=court)
    return _render(
        request,
        "queue.html",
        {
            "page": page,
            "status": status.value,
            "source": src,
            "court": court,
            "sources": list(SOURCES),
            "courts": service.repo.courts(),
            "filter_query": _filter_query(src, court),
            "done": _confirmation(service, n, "La file est vide pour ces filtres.")
            if fait
            else None,
            "next_id": service.next_review_id(session.principal, source=src, court=court),
        },
        session=session,
    )


@router.get("/suivante")
def next_review(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    source: str | None = None,
    juridiction: str | None = None,
) -> Response:
    session = read_session(request, settings)
    if session is None:
        return _to_login(request)
    src, court = _filters(source, juridiction)
    next_id = service.next_review_id(session.principal, source=src, court=court)
    if next_id is None:
        return _redirect("/revue/" + _filter_query(src, court))
    return _redirect(f"/revue/suggestions/{next_id}" + _filter_query(src, court))


# -- one suggestion ---------------------------------------------------------------------------


def _review_page(
    request: Request,
    session: WebSession,
    service: ReviewService,
    review_id: int,
    *,
    status_code: int = 200,
    alert: str | None = None,
    alert_kind: str = "info",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: dict[str, Any] | None = None,
    source: str | None = None,
    court: str | None = None,
) -> HTMLResponse:
    ctx = _ctx(request, session, "GET /revue/suggestions/{review_id}")
    try:
        review = service.review(review_id, ctx)
    except ReviewNotFoundError:
        return _error(
            request, session, 404, "Suggestion inconnue", "Aucune suggestion ne porte ce numéro."
        )
    max_abs = max([abs(c.weight) for c in review.contributions] + [abs(review.prior_weight), 1.0])
    return _render(
        request,
        "review.html",
        {
            "review": review,
            "max_abs": max_abs,
            "explanation": explain(
                review.match_probability, review.comparison, review.contributions
            ),
            "weighing": {
                row.field: weighing_of(row, review.contributions)
                for row in review.comparison
                if row.note
            },
            "alert": alert,
            "alert_kind": alert_kind,
            "form": form or {},
            "errors": errors or {},
            "done": done,
            "source": source,
            "court": court,
            "filter_query": _filter_query(source, court),
            "decidable": review.status.value in {"pending", "escalated", "second_opinion"},
        },
        session=session,
        status_code=status_code,
    )


@router.get("/suggestions/{review_id}")
def review_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    review_id: int,
    source: str | None = None,
    juridiction: str | None = None,
    fait: str | None = None,
    n: int | None = None,
) -> Response:
    session = _reviewer_session(request, settings)
    if isinstance(session, Response):
        return session
    src, court = _filters(source, juridiction)
    done = _confirmation(service, n, "Voici la suivante.") if fait else None
    return _review_page(request, session, service, review_id, done=done, source=src, court=court)


@router.post("/suggestions/{review_id}/decision")
async def decide_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    review_id: int,
) -> Response:
    session = _reviewer_session(request, settings)
    if isinstance(session, Response):
        return session
    form = await request.form()
    fields = {
        k: str(form.get(k) or "") for k in ("decision", "reason", "version", "source", "court")
    }
    src, court = _filters(fields["source"] or None, fields["court"] or None)
    if not session.csrf_ok(str(form.get("csrf_token") or "")):
        return _review_page(
            request,
            session,
            service,
            review_id,
            status_code=403,
            form=fields,
            alert="Le formulaire a expiré (jeton de sécurité invalide) : rien n'a été "
            "enregistré. Relisez la suggestion et décidez à nouveau.",
            alert_kind="error",
            source=src,
            court=court,
        )
    try:
        body = DecisionIn.model_validate(
            {
                "decision": fields["decision"] or None,
                "reason": fields["reason"] or None,
                "version": fields["version"],
            }
        )
    except ValidationError:
        errors = {}
        if fields["decision"] not in {"same", "different", "unsure"}:
            errors["decision"] = (
                "Choisissez une décision : même personne, personnes différentes ou incertain."
            )
        else:
            errors["reason"] = "Le motif dépasse 2 000 caractères : raccourcissez-le."
        return _review_page(
            request,
            session,
            service,
            review_id,
            status_code=422,
            form=fields,
            errors=errors,
            alert="La décision n'a pas été enregistrée :",
            alert_kind="error",
            source=src,
            court=court,
        )
    try:
        result = service.decide(review_id, body, session.principal, source=src, court=court)
    except ReviewNotFoundError:
        return _error(
            request, session, 404, "Suggestion inconnue", "Aucune suggestion ne porte ce numéro."
        )
    except StaleReviewError as exc:
        message = (
            "Cette suggestion a déjà été tranchée ou réglée depuis que vous l'avez ouverte : "
            "votre décision n'a pas été enregistrée."
            if exc.reason == "closed"
            else "Cette suggestion a changé depuis que vous l'avez ouverte (décision d'un autre "
            "relecteur, ou reliaison automatique qui a déplacé ses fiches) : votre décision n'a "
            "pas été enregistrée. Voici son état actuel ; relisez-la avant de décider."
        )
        # The reason is kept, the choice is not: the reviewer decides again on what is there now.
        return _review_page(
            request,
            session,
            service,
            review_id,
            status_code=409,
            form={"reason": fields["reason"]},
            alert=message,
            alert_kind="error",
            source=src,
            court=court,
        )
    except ReviewRuleError as exc:
        return _review_page(
            request,
            session,
            service,
            review_id,
            status_code=422,
            form=fields,
            errors={exc.field: str(exc)} if exc.field else None,
            alert="La décision n'a pas été enregistrée :" if exc.field else str(exc),
            alert_kind="error",
            source=src,
            court=court,
        )
    query = _filter_query(src, court)
    done = f"fait={body.decision.value}&n={result.review_id}"
    if result.next_review_id is None:
        return _redirect("/revue/" + (query + "&" if query else "?") + done)
    return _redirect(
        f"/revue/suggestions/{result.next_review_id}" + (query + "&" if query else "?") + done
    )


# -- person history ---------------------------------------------------------------------------


@router.get("/personnes/{person_id}")
def person_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    person_id: str,
    depuis: str | None = None,
    annule: str | None = None,
) -> Response:
    session = _reviewer_session(request, settings)
    if isinstance(session, Response):
        return session
    return _person_page(request, session, service, person_id, depuis=depuis, annule=annule)


def _person_page(
    request: Request,
    session: WebSession,
    service: ReviewService,
    person_id: str,
    *,
    depuis: str | None = None,
    annule: str | None = None,
    status_code: int = 200,
    alert: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    registry = service.repo.registry
    reader = RegistryReader(registry, service.crypto)
    ctx = _ctx(request, session, "GET /revue/personnes/{person_id}")
    try:
        person = reader.person(person_id, ctx)
    except PersonMergedError as exc:
        return _redirect(f"/revue/personnes/{quote(exc.survivor)}?depuis={quote(exc.person_id)}")
    except InvalidPersonIdError as exc:
        return _error(
            request,
            session,
            404,
            "Identifiant invalide",
            exc.french[:1].upper() + exc.french[1:] + ".",
        )
    except PersonNotFoundError:
        return _error(
            request, session, 404, "Personne inconnue", "Aucune personne n'a cet identifiant."
        )
    except PersonGoneError:
        return _error(
            request,
            session,
            410,
            "Personne sans fiche",
            "Les fiches de cette personne ont été supprimées (durée de conservation).",
        )
    except DecryptionError:
        return _error(
            request, session, 503, "Clés du registre", "Une fiche n'a pas pu être ouverte."
        )
    record_ids = registry.persons.records_of_person(person.person_id)
    decisions = registry.suggestions.decisions_touching(record_ids)
    merged = []
    for other in service.repo.registry.persons.redirected_to(person.person_id):
        event = service.repo.registry.persons.last_event(other.id, EventKind.MERGED_INTO)
        merged.append({"person_id": other.id, "event": event})
    return _render(
        request,
        "person.html",
        {
            "person": person,
            "decisions": decisions,
            "merged": merged,
            "depuis": depuis,
            "annule": annule,
            "alert": alert,
            "form": form or {},
        },
        session=session,
        status_code=status_code,
    )


@router.post("/personnes/{person_id}/annulation")
async def undo_merge_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    person_id: str,
) -> Response:
    session = _reviewer_session(request, settings)
    if isinstance(session, Response):
        return session
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in ("merged_person_id", "reason")}

    def again(status: int, message: str) -> Response:
        return _person_page(
            request, session, service, person_id, status_code=status, alert=message, form=fields
        )

    if not session.csrf_ok(str(form.get("csrf_token") or "")):
        return again(403, "Le formulaire a expiré : rien n'a été annulé. Recommencez.")
    try:
        out = service.split(
            person_id, fields["merged_person_id"], fields["reason"], session.principal
        )
    except InvalidPersonIdError as exc:
        return again(422, f"Identifiant invalide : {exc.french}.")
    except ReviewNotFoundError:
        return again(404, "Personne inconnue.")
    except SplitConflictError as exc:
        return again(409, f"La fusion ne peut pas être annulée : {exc}")
    except ReviewRuleError as exc:
        return again(422, str(exc))
    return _redirect(
        f"/revue/personnes/{quote(out.person_id)}?annule={quote(out.restored_person_id)}"
    )


# -- accessibility statement --------------------------------------------------------------------


@router.get("/accessibilite")
def accessibility_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The déclaration d'accessibilité (RGAA): public, linked from every page's footer."""
    return _render(request, "accessibility.html", {}, session=read_session(request, settings))


# -- statistics -------------------------------------------------------------------------------


@router.get("/statistiques")
def statistics_page(
    request: Request,
    settings: SettingsDep,
    service: ReviewServiceDep,
    model: StatisticsModelDep,
) -> Response:
    session = read_session(request, settings)
    if session is None:
        return _to_login(request)
    stats = statistics_of(service.repo, matcher=model, now=datetime.now(UTC))
    active_days = [d for d in stats.decisions_per_day if d.same + d.different + d.unsure]
    peak = max([d.same + d.different + d.unsure for d in active_days] + [1])
    return _render(
        request,
        "stats.html",
        {"stats": stats, "peak": peak, "active_days": active_days},
        session=session,
    )
