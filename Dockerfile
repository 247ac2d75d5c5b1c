# claimdesk's API and worker (the same image; the command picks the role).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Production dependencies only ([project].dependencies): the embedded servers of
# `claimdesk dev` (the `local` extra) and the dev tools stay out. First, from
# pyproject.toml alone, so a code change does not reinstall them. (One stage: every
# dependency installs from a wheel, so a build stage would leave nothing behind.)
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md ./
COPY claimdesk ./claimdesk
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY migrations ./migrations
COPY worker.py ./
# Editable, because `claimdesk migrate` finds migrations/ next to the package.
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 claimdesk
# By number, so the runtime need not look the name up.
USER 10001
ENV CLAIMDESK_DATA_DIR=/home/claimdesk/var \
    CLAIMDESK_API_HOST=0.0.0.0

# 8000: the API (and its /metrics); 9464: the worker's Prometheus endpoint.
EXPOSE 8000 9464
CMD ["claimdesk", "api"]
