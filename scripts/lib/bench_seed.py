#!/usr/bin/env python3
"""Seeds the benchmark's dataset through the public API (scripts/bench).

    bench_seed.py BASE_URL STATE_FILE

Registers the bench user and three other users, fills the shared directories
(a specialty, practitioners, pharmacies), gives the bench user's own patient exactly
20 medications (tags, some with a practitioner and/or a pharmacy) and the others a
few each, and creates two empty patients for the growth check (scripts/bench fills
them with SQL). Writes what the benchmark needs to STATE_FILE as JSON:
token, username, password, medication_id, small_patient_id, big_patient_id,
practitioner_id, pharmacy_id. Standard library only.
"""
import datetime
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "Bench-Passw0rd-2024!"
SELF_MEDICATIONS = 20

DRUGS = [
    ("Lisinopril", "10 mg", "once daily", "oral", "Hypertension", ["blood-pressure", "daily"]),
    ("Metformin", "500 mg", "twice daily", "oral", "Type 2 diabetes", ["diabetes", "daily"]),
    ("Atorvastatin", "20 mg", "once daily at night", "oral", "High cholesterol", ["cholesterol"]),
    ("Levothyroxine", "50 mcg", "once daily", "oral", "Hypothyroidism", ["thyroid", "morning"]),
    ("Salbutamol", "100 mcg/puff", "as needed", "inhalation", "Asthma", ["asthma", "rescue"]),
    ("Omeprazole", "20 mg", "once daily", "oral", "Reflux", ["stomach"]),
    ("Insulin glargine", "12 units", "once daily", "subcutaneous", "Type 2 diabetes", ["diabetes", "injection"]),
    ("Vitamin D3", "1000 IU", "once daily", "oral", "Supplement", ["supplement"]),
    ("Hydrocortisone cream", "1 %", "twice daily", "topical", "Eczema", ["skin"]),
    ("Fluticasone", "50 mcg", "once daily", "nasal", "Allergic rhinitis", ["allergy", "seasonal"]),
]


class Client:
    """Just enough HTTP for seeding: JSON in, JSON out, raising on unexpected statuses."""

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.token = None

    def call(self, method, path, body=None, form=None, expect=(200, 201)):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
            raise SystemExit(f"bench_seed: {method} {path}: no answer ({error})")
        if status not in expect:
            raise SystemExit(f"bench_seed: {method} {path} answered {status}: {text[:300]}")
        return json.loads(text) if text else None


def upload(client, path, filename, content):
    """POSTs one file as multipart/form-data (field `file`); returns the answer's JSON."""
    boundary = "benchSeed" + os.urandom(8).hex()
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(client.base + path, data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": "Bearer " + client.token})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode())


def user(base, username, first, last):
    """Registers USERNAME and returns a client logged in as it."""
    client = Client(base)
    client.call("POST", "/api/v1/auth/register", {
        "username": username, "email": f"{username}@bench.example.org", "password": PASSWORD,
        "first_name": first, "last_name": last}, expect=(201,))
    client.token = client.call("POST", "/api/v1/auth/login",
                               form={"username": username, "password": PASSWORD})["access_token"]
    return client


def directories(client):
    """A specialty, three practitioners and two pharmacies; returns their ids."""
    specialty = client.call("POST", "/api/v1/medical-specialties/",
                            {"name": "Internal Medicine", "description": "Adult general medicine"})["id"]
    practitioners = [client.call("POST", "/api/v1/practitioners/", {
        "name": name, "specialty_id": specialty, "phone_number": phone, "email": email})["id"]
        for name, phone, email in [
            ("Dr. Alice Martin", "+1 555 0101", "martin@clinic.example.org"),
            ("Dr. Bruno Keller", "+1 555 0102", "keller@clinic.example.org"),
            ("Dr. Chen Wei", "+1 555 0103", "chen@clinic.example.org")]]
    pharmacies = [client.call("POST", "/api/v1/pharmacies/", {
        "name": name, "brand": brand, "city": city, "street_address": street, "phone_number": phone})["id"]
        for name, brand, city, street, phone in [
            ("Main Street Pharmacy", "Independent", "Springfield", "12 Main Street", "+1 555 0201"),
            ("CityCare Pharmacy #42", "CityCare", "Springfield", "400 Oak Avenue", "+1 555 0202")]]
    return practitioners, pharmacies


def medication(index, practitioners, pharmacies):
    """A realistic medication body; every 2nd has a practitioner, every 3rd a pharmacy."""
    name, dosage, frequency, route, indication, tags = DRUGS[index % len(DRUGS)]
    body = {
        "medication_name": name if index < len(DRUGS) else f"{name} (course {index // len(DRUGS) + 1})",
        "dosage": dosage, "frequency": frequency, "route": route, "indication": indication,
        "tags": tags, "status": "active" if index % 5 else "stopped",
        "effective_period_start": f"202{index % 5}-0{index % 9 + 1}-15",
        "notes": "Take with water. Review at the next appointment." if index % 4 == 0 else None,
    }
    if index % 2 == 0:
        body["practitioner_id"] = practitioners[index % len(practitioners)]
    if index % 3 == 0:
        body["pharmacy_id"] = pharmacies[index % len(pharmacies)]
    return {key: value for key, value in body.items() if value is not None}


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    base, state_file = sys.argv[1], sys.argv[2]
    bench = user(base, "bench", "Bench", "User")
    practitioners, pharmacies = directories(bench)
    ids = [bench.call("POST", "/api/v1/medications/", medication(i, practitioners, pharmacies), expect=(201,))["id"]
           for i in range(SELF_MEDICATIONS)]
    for number in range(1, 4):
        other = user(base, f"bench_other{number}", f"Other{number}", "Person")
        for i in range(5 + number):
            other.call("POST", "/api/v1/medications/", medication(i + number, practitioners, pharmacies), expect=(201,))
    listed = bench.call("GET", "/api/v1/medications/?limit=20")
    if len(listed) != SELF_MEDICATIONS:
        raise SystemExit(f"bench_seed: the bench user's list has {len(listed)} items, expected {SELF_MEDICATIONS}")
    growth = [bench.call("POST", "/api/v1/patient-management/", {
        "first_name": "Growth", "last_name": last, "birth_date": "1980-05-17"}, expect=(201,))["id"]
        for last in ("Small", "Big")]
    # A treatment with the 20 medications linked, every other one with overrides, so its
    # medication list computes effective values over 20 links.
    treatment = bench.call("POST", "/api/v1/treatments/", {
        "treatment_name": "Bench cardiac plan", "mode": "advanced"}, expect=(201,))["id"]
    bench.call("POST", f"/api/v1/treatments/{treatment}/medications/bulk", {"medication_ids": ids})
    for index, link in enumerate(bench.call("GET", f"/api/v1/treatments/{treatment}/medications")):
        if index % 2 == 0:
            bench.call("PUT", f"/api/v1/treatments/{treatment}/medications/{link['id']}", {
                "specific_dosage": "20 mg", "specific_prescriber_id": practitioners[0],
                "specific_start_date": "2026-01-09"})
    # A symptom for the timeline (scripts/bench gives it 10,000 occurrences with SQL).
    symptom = bench.call("POST", "/api/v1/symptoms/", {"symptom_name": "Bench headache"}, expect=(201,))["id"]
    # Vitals: 100 readings for the list, 100,000 for the statistics and the growth check
    # (scripts/bench inserts them with SQL).
    vitals = [bench.call("POST", "/api/v1/patient-management/", {
        "first_name": "Vitals", "last_name": last, "birth_date": "1975-03-02"}, expect=(201,))["id"]
        for last in ("Hundred", "Many")]
    # Lab results: 5,000 results with 100,000 components (scripts/bench inserts them with SQL).
    labs = bench.call("POST", "/api/v1/patient-management/", {
        "first_name": "Labs", "last_name": "Many", "birth_date": "1968-11-23"}, expect=(201,))["id"]
    # A 1 MB attachment on a lab result, for the download through nginx (X-Accel-Redirect).
    scan_lab = bench.call("POST", "/api/v1/lab-results/", {"test_name": "Bench scan"}, expect=(201,))["id"]
    bench_file = upload(bench, f"/api/v1/entity-files/lab-result/{scan_lab}/files", "scan.dcm",
                        b"\0" * 128 + b"DICM" + os.urandom((1 << 20) - 132))["id"]
    state = {
        "token": bench.token, "file_id": bench_file, "scan_lab_id": scan_lab, "username": "bench",
        "password": PASSWORD,
        "medication_id": ids[len(ids) // 2], "small_patient_id": growth[0], "big_patient_id": growth[1],
        "vitals_patient_id": vitals[0], "vitals_big_patient_id": vitals[1], "treatment_id": treatment,
        "symptom_id": symptom, "labs_patient_id": labs,
        "days_ago_30": (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=30)).isoformat(),
        "practitioner_id": practitioners[0], "pharmacy_id": pharmacies[0],
    }
    with open(state_file, "w") as out:
        json.dump(state, out)


if __name__ == "__main__":
    main()
