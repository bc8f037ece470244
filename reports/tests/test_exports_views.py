"""Export pages: scoped, a district's report streams at once, a province's runs in Celery with progress."""
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from mattran.models import OfficerRole
from reports.exports.models import ExportJob, ExportStatus
from reports.tests.dash_factories import put_value, world
from tests.factories import make_officer

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:export")


@pytest.fixture
def w():
    w = world()
    put_value("quy_vnn_thu", w["d1"], "2019-H1", 700000)
    put_value("quy_vnn_thu", w["province"], "2019-H1", 1234567)
    return w


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_district_officer_downloads_their_districts_report_at_once(client, w):
    client.force_login(w["officer1"])
    response = client.post(URL, {"period": "2019-H1", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-D1-2019-H1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Báo cáo"]
    assert sheet["A2"].value == "HUYỆN 1"
    assert ExportJob.objects.count() == 0


def test_district_officer_gets_404_for_another_districts_report(client, w):
    client.force_login(w["officer1"])
    assert client.post(f"{URL}?unit=D2", {"period": "2019-H1", "format": "docx"}).status_code == 404
    assert client.post(f"{URL}?unit=20", {"period": "2019-H1", "format": "docx"}).status_code == 404
    assert client.post(URL, {"period": "2019-H1", "format": "docx", "unit": "D2"}).status_code == 404
    assert ExportJob.objects.count() == 0


def test_commune_officer_may_not_export(client, w):
    commune = w["d1"].children.get()
    client.force_login(make_officer("xa", commune, OfficerRole.COMMUNE_OFFICER))
    assert client.post(URL, {"period": "2019", "format": "docx"}).status_code == 404
    assert client.get(URL).status_code == 404


def test_a_bad_period_is_refused_with_a_message_and_nothing_is_queued(client, w):
    client.force_login(w["staff"])
    response = client.post(URL, {"period": "2019-11", "format": "docx"})
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    assert ExportJob.objects.count() == 0


def test_province_report_runs_in_celery_and_offers_the_file_when_ready(client, w, django_capture_on_commit_callbacks):
    """Given staff ask for the province's yearly report, a job is queued, runs, and its page links the file."""
    client.force_login(w["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"period": "2019-H1", "format": "docx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:export_job", args=[job.pk])
    assert (job.status, job.progress, job.unit, job.period) == (ExportStatus.DONE, 100, w["province"], "2019-H1")
    page = client.get(response["Location"]).content.decode()
    assert reverse("dashboard:export_file", args=[job.pk]) in page and 'value="100"' in page
    assert "6 tháng đầu năm 2019" in page and "· 2019-H1" not in page  # the period's label, not its code
    listing = client.get(URL).content.decode()
    assert "<td>6 tháng đầu năm 2019</td>" in listing and "<td>2019-H1</td>" not in listing
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="export-job"') and "hx-trigger" not in partial
    download = client.get(reverse("dashboard:export_file", args=[job.pk]))
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert "Kết quả thực hiện Chương trình hành động 6 tháng đầu năm 2019" in [p.text for p in document.paragraphs]


def test_a_running_job_is_polled_by_htmx(client, w):
    job = ExportJob.objects.create(created_by=w["staff"], unit=w["province"], period="2019", format="pdf",
                                   status=ExportStatus.RUNNING, progress=40)
    client.force_login(w["staff"])
    partial = client.get(reverse("dashboard:export_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'value="40"' in partial
    assert client.get(reverse("dashboard:export_file", args=[job.pk])).status_code == 404


def test_someone_elses_export_job_answers_404(client, w, django_capture_on_commit_callbacks):
    client.force_login(w["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"period": "2019", "format": "xlsx"})
    job = ExportJob.objects.get()
    client.force_login(w["officer1"])
    assert client.get(reverse("dashboard:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("dashboard:export_file", args=[job.pk])).status_code == 404


def test_export_page_lists_periods_and_formats_and_carries_the_unit(client, w):
    client.force_login(w["staff"])
    html = client.get(URL, {"unit": "D1"}).content.decode()
    assert 'value="2019-H1"' in html and 'value="2019-9M"' in html and 'value="pdf"' in html
    assert '<input type="hidden" name="unit" value="D1"' in html
    response = client.post(URL, {"period": "2019", "format": "xlsx", "unit": "D1"})
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-D1-2019.xlsx"'
