"""The endpoints scripts/bench measures, in this order, and their budgets.

Every budget is a ratio: the pool's CPU per request may be at most `budget` times the
floor's (the C libfcgi responder of floor.c behind the same nginx, measured in the
same run just before and just after the endpoint). Absolute figures differ by 2x and
more between machines and runs; the ratio does not, so budgets are never written in
milliseconds. `budget=None` measures and reports an endpoint without judging it.

To add an endpoint: seed what it needs in scripts/lib/bench_seed.py (ids go into the
state file), then add one line below. `path` and `body` may name values of the state
file in braces, e.g. {medication_id}; they are filled in before the run.
"""
from dataclasses import dataclass

# The floor's own route, only in the bench's rendered nginx.conf (scripts/lib/bench.sh).
FLOOR_PATH = "/api/v1/bench-floor"

# Budgets, in multiples of the floor's CPU per request.
HEALTH_BUDGET = 2.0  # nginx -> pool -> one trivial database round trip
AUTHENTICATED_BUDGET = 3.0  # token check and one row
LIST_BUDGET = 8.0  # a page of 20 records with their joins; every list/summary endpoint

# Against nginx, measured in the same run: the pool's CPU per request may be at most
# this many times nginx's own for the same request (nginx parses HTTP, limits rates,
# logs and relays; the pool should cost about as much).
USERS_ME_NGINX_BUDGET = 1.5
LIST_NGINX_BUDGET = 2.0
# Every budgeted read endpoint: voluntary + involuntary context switches of the pool's
# threads per request (each database round trip is one wait), and the tail at 8
# connections (p99 within this many times p50).
SWITCHES_BUDGET = 2.0
TAIL_BUDGET = 3.0


@dataclass(frozen=True)
class Endpoint:
    name: str  # key in the results (results.jsonl) and in the budget lines
    label: str  # how the tables show it
    path: str
    method: str = "GET"
    auth: bool = True  # send the bench user's token
    body: str | None = None
    content_type: str = "application/json"
    budget: float | None = None  # pool CPU per request <= budget x the floor's
    nginx_budget: float | None = None  # pool CPU per request <= nginx_budget x nginx's


ENDPOINTS = [
    Endpoint("health", "GET /system/health", "/api/v1/system/health", auth=False, budget=HEALTH_BUDGET),
    Endpoint("users-me", "GET /users/me", "/api/v1/users/me", budget=AUTHENTICATED_BUDGET,
             nginx_budget=USERS_ME_NGINX_BUDGET),
    Endpoint("list-20", "GET /medications/?limit=20", "/api/v1/medications/?limit=20", budget=LIST_BUDGET,
             nginx_budget=LIST_NGINX_BUDGET),
    Endpoint("get", "GET /medications/{id}", "/api/v1/medications/{medication_id}"),
    Endpoint("create", "POST /medications/", "/api/v1/medications/", method="POST",
             body='{"medication_name": "Bench aspirin", "dosage": "100 mg", "frequency": "once daily", '
                  '"route": "oral", "tags": ["bench", "cardio"]}'),
    # Argon2id on purpose: tens of ms per request; reported, not budgeted.
    Endpoint("login", "POST /auth/login", "/api/v1/auth/login", method="POST", auth=False,
             body="username={username}&password={password}", content_type="application/x-www-form-urlencoded"),
    # A patient's 100 readings in one answer, and the statistics of a patient with
    # 100,000 (from vitals_totals and index range reads: they must not grow with it).
    Endpoint("vitals-list", "GET /vitals/?limit=20 (of 100)",
             "/api/v1/vitals/?patient_id={vitals_patient_id}&limit=20", budget=LIST_BUDGET),
    # A treatment's 20 linked medications, each with effective values computed in SQL.
    Endpoint("treatment-meds", "GET /treatments/{id}/medications (20)",
             "/api/v1/treatments/{treatment_id}/medications", budget=LIST_BUDGET),
    # The chart of the last 30 days of a symptom that has 10,000 occurrences: one point a
    # day, aggregated in SQL.
    Endpoint("symptom-timeline", "GET /symptoms/timeline (10k, 30 days)",
             "/api/v1/symptoms/timeline?start_date={days_ago_30}", budget=LIST_BUDGET),
    # A patient with 5,000 lab results and 100,000 components: a page of one test code's
    # results (1,000 of them) across the caller's patients, and LDL's trend (its latest
    # 100 of 5,000 points, under two printed names and one LOINC code).
    Endpoint("lab-code-search", "GET /lab-results/search/code/{code} (5k)",
             "/api/v1/lab-results/search/code/LIPID?limit=20", budget=LIST_BUDGET),
    # The trend as a page of the list's size (20 points; the default is 100), so the
    # list's budget compares like with like.
    Endpoint("lab-trend", "GET /lab-test-components/.../trends/{name}?limit=20 (100k)",
             "/api/v1/lab-test-components/patient/{labs_patient_id}/trends/LDL%20Cholesterol?limit=20",
             budget=LIST_BUDGET),
    # A 1 MB stored file: the pool checks access and answers X-Accel-Redirect; nginx sends
    # the bytes (sendfile). Reported, not budgeted: the bytes dominate, not the pool.
    Endpoint("file-download", "GET /entity-files/files/{id}/download (1 MB)",
             "/api/v1/entity-files/files/{file_id}/download"),
    Endpoint("vitals-stats", "GET /vitals/patient/{id}/stats (100k)",
             "/api/v1/vitals/patient/{vitals_big_patient_id}/stats", budget=LIST_BUDGET),
]
