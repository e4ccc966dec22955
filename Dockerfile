# bench: one image for the web app (gunicorn) and its one-off commands (migrations, cron).
# Build: docker build -t bench .   Run with compose.yaml, or see README.md, "Production".

# --- front-end assets: GOV.UK Frontend, Sass and Vega, built into bench/static/dist ------
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets ./assets
RUN npm run build

# --- the application -------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The package, installed (not editable) with the assets inside it; its sources are then
# removed, so `import bench` finds only the installed copy.
COPY pyproject.toml config.py wsgi.py ./
COPY bench ./bench
COPY seed ./seed
COPY --from=assets /src/bench/static/dist ./bench/static/dist
RUN pip install . && rm -rf bench seed build ./*.egg-info

# What runs from the working directory: the configuration (config.py, read by the
# installed package), gunicorn's settings and the migrations `flask db upgrade` applies.
COPY gunicorn.conf.py ./
COPY migrations ./migrations

RUN useradd --system --uid 10001 --no-create-home --home-dir /app bench
USER bench

ENV BENCH_CONFIG=production \
    BENCH_BIND=0.0.0.0:8000 \
    FLASK_APP=wsgi.py
EXPOSE 8000

# Liveness only: readiness (/readyz) is for the load balancer, which should stop sending
# requests while the database is away, not have the container restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
