"""bench: a peer benchmarking network for local authorities."""

from __future__ import annotations

from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

import config as bench_config


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    """Build the application for the named configuration (default: ``BENCH_CONFIG``)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(bench_config.load(config_name))
    app.config.update(overrides)

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("bench"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    _init_extensions(app)
    _register_blueprints(app)

    from bench.access import guard_request
    from bench.errors import register_error_handlers
    from bench.validation import refuse_nul_in_request
    from bench.web import register_security_headers, register_template_helpers

    app.before_request(guard_request)
    # After the access check: who may not see a page learns nothing about its input.
    app.before_request(refuse_nul_in_request)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)

    from bench.cli import register_commands

    register_commands(app)
    _serve_in_production(app)
    return app


def _serve_in_production(app: Flask) -> None:
    """Logs with a request id (bench/logs.py) and, behind BENCH_PROXY_HOPS proxies, the
    client's address and scheme from their X-Forwarded-For and X-Forwarded-Proto."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from bench import logs

    logs.init_app(app)
    if app.config.get("PLAIN_HTTP"):
        app.logger.warning(
            "BENCH_PLAIN_HTTP=1: session cookies are not Secure and there is no HSTS; "
            "for a trial on 127.0.0.1 only"
        )
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from bench import mail, security
    from bench.access import user_from_bearer_token, user_from_session_cookie
    from bench.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(bench_config.BASE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    mail.init_app(app)

    from bench import messages

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = messages.SIGN_IN_REQUIRED
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # The one place requests are authenticated: cookies for pages, tokens for the API.
    login_manager.user_loader(user_from_session_cookie)
    login_manager.request_loader(user_from_bearer_token)


def _register_blueprints(app: Flask) -> None:
    from bench.actions import api as actions_api
    from bench.actions import views as actions_views
    from bench.admin.views import bp as admin_bp
    from bench.alerts.views import bp as alerts_bp
    from bench.allies.views import bp as allies_bp
    from bench.api.views import bp as api_bp
    from bench.api.views import reference_bp
    from bench.auditlog.views import bp as auditlog_bp
    from bench.auth.views import bp as auth_bp
    from bench.compare.views import bp as compare_bp
    from bench.exports import api as exports_api
    from bench.exports import views as exports_views
    from bench.extensions import csrf
    from bench.grants.views import bp as grants_bp
    from bench.health.views import bp as health_bp
    from bench.home.views import bp as home_bp
    from bench.issues.views import admin_bp as issue_types_bp
    from bench.issues.views import bp as issues_bp
    from bench.peergroups.views import admin_bp as peer_imports_bp
    from bench.peergroups.views import bp as peer_groups_bp
    from bench.publishing.views import bp as publishing_bp
    from bench.reviews import api as reviews_api
    from bench.reviews import views as reviews_views
    from bench.search import api as search_api
    from bench.search import views as search_views
    from bench.sharing import api as sharing_api
    from bench.sharing import views as sharing_views
    from bench.staffviews import api as staffviews_api
    from bench.staffviews import views as staffviews_views
    from bench.users.views import bp as users_bp
    from bench.visits import api as visits_api
    from bench.visits import views as visits_views

    # Reviews, visits and notes, actions, staff views and search: pages, and their routes
    # of the JSON API (one blueprint an area, all under /api/v1).
    area_pages = (
        reviews_views,
        visits_views,
        actions_views,
        staffviews_views,
        search_views,
        sharing_views,
        exports_views,
    )
    area_apis = (
        reviews_api, visits_api, actions_api, staffviews_api, search_api, sharing_api, exports_api
    )  # fmt: skip

    for blueprint in (
        home_bp,
        auth_bp,
        users_bp,
        publishing_bp,
        compare_bp,
        peer_groups_bp,
        issues_bp,
        issue_types_bp,
        api_bp,
        reference_bp,
        admin_bp,
        peer_imports_bp,
        auditlog_bp,
        alerts_bp,
        grants_bp,
        allies_bp,
        health_bp,
        *(module.bp for module in area_pages),
        *(module.bp for module in area_apis),
    ):
        app.register_blueprint(blueprint)
    # API calls authenticate with a bearer token and no cookie counts (bench.access), so
    # a forged cross-site request has nothing to ride on: CSRF tokens are for forms.
    csrf.exempt(api_bp)
    for module in area_apis:
        csrf.exempt(module.bp)
