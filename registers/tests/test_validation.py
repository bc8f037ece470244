"""Validation of register entries: Vietnamese messages for dates out of order, missing fields, negative
numbers and units of the wrong kind, with database constraints behind the forms."""
import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from registers import forms as f
from registers import models as m

from .factories import coordination, form_data, household, petition, training

pytestmark = pytest.mark.django_db


def bound(form_class, data, user, instance=None):
    form = form_class(data, user=user, instance=instance)
    form.is_valid()
    return form


def test_left_poverty_year_before_adoption_year_is_refused(tree, officer1):
    form = bound(f.AdoptedHouseholdForm, form_data("ho-ngheo-nhan-do-dau", tree, year_left_poverty=2018), officer1)
    assert form.errors["year_left_poverty"] == ["Năm thoát nghèo không được trước năm nhận đỡ đầu."]


def test_negative_support_value_is_refused_by_the_form_and_the_database(tree, officer1):
    form = bound(f.AdoptedHouseholdForm, form_data("ho-ngheo-nhan-do-dau", tree, support_value="-1"), officer1)
    assert "support_value" in form.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        household(tree.area1, support_value=Decimal("-1"))


def test_database_refuses_a_household_leaving_poverty_before_adoption(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        household(tree.area1, year_adopted=2019, year_left_poverty=2017)


def test_household_needs_a_residential_area_not_a_commune(tree, officer1):
    form = bound(f.AdoptedHouseholdForm, form_data("ho-ngheo-nhan-do-dau", tree, unit=tree.commune1.pk), officer1)
    assert "unit" in form.errors


def test_household_requires_head_name_organisation_and_year(tree, officer1):
    data = form_data("ho-ngheo-nhan-do-dau", tree, head_name="", organisation="", year_adopted="")
    form = bound(f.AdoptedHouseholdForm, data, officer1)
    assert set(form.errors) >= {"head_name", "organisation", "year_adopted"}
    assert form.errors["head_name"] == ["Trường này là bắt buộc."]


def test_petition_answer_date_before_received_date_is_refused(tree, officer1):
    data = form_data("kien-nghi-cu-tri", tree, answered_on="2019-05-01", status="ANSWERED", answer="Đã sửa")
    form = bound(f.VoterPetitionForm, data, officer1)
    assert form.errors["answered_on"] == ["Ngày trả lời không được trước ngày tiếp nhận."]


def test_petition_due_date_before_received_date_is_refused_by_form_and_database(tree, officer1):
    form = bound(f.VoterPetitionForm, form_data("kien-nghi-cu-tri", tree, due_on="2019-05-01"), officer1)
    assert form.errors["due_on"] == ["Hạn trả lời không được trước ngày tiếp nhận."]
    with pytest.raises(IntegrityError), transaction.atomic():
        petition(tree.commune1, received_on=datetime.date(2019, 5, 2), due_on=datetime.date(2019, 5, 1))


def test_an_answered_petition_needs_its_answer_date(tree, officer1):
    form = bound(f.VoterPetitionForm, form_data("kien-nghi-cu-tri", tree, status="ANSWERED"), officer1)
    assert form.errors["answered_on"] == ["Kiến nghị đã trả lời hoặc đã giải quyết cần có ngày trả lời."]


def test_petition_requires_content_and_agency(tree, officer1):
    form = bound(f.VoterPetitionForm, form_data("kien-nghi-cu-tri", tree, content="", forwarded_to=""), officer1)
    assert set(form.errors) == {"content", "forwarded_to"}


def test_supervision_planned_date_must_fall_in_the_plan_year(tree, officer1):
    form = bound(f.SupervisionPlanForm, form_data("giam-sat-phan-bien", tree, planned_on="2020-01-05"), officer1)
    assert form.errors["planned_on"] == ["Ngày dự kiến phải thuộc năm kế hoạch."]


def test_self_management_model_cannot_be_replicated_to_its_own_area(tree, officer1):
    data = form_data("mo-hinh-tu-quan", tree, replicated_to=[tree.area1.pk, tree.area1b.pk])
    form = bound(f.SelfManagementModelForm, data, officer1)
    assert form.errors["replicated_to"] == ["Khu dân cư nhân rộng phải khác khu dân cư xây dựng mô hình."]


def test_self_management_model_replicates_only_to_areas_in_scope(tree, officer1):
    data = form_data("mo-hinh-tu-quan", tree, replicated_to=[tree.area2.pk])
    assert "replicated_to" in bound(f.SelfManagementModelForm, data, officer1).errors
    data = form_data("mo-hinh-tu-quan", tree, replicated_to=[tree.area1b.pk])
    assert bound(f.SelfManagementModelForm, data, officer1).is_valid()


def test_self_management_year_must_be_sane(tree, officer1):
    form = bound(f.SelfManagementModelForm, form_data("mo-hinh-tu-quan", tree, year_started=-3), officer1)
    assert "year_started" in form.errors


def test_training_end_before_start_is_refused_by_form_and_database(tree, officer1):
    form = bound(f.TrainingCourseForm, form_data("tap-huan", tree, end_on="2019-03-31"), officer1)
    assert form.errors["end_on"] == ["Ngày kết thúc không được trước ngày bắt đầu."]
    with pytest.raises(IntegrityError), transaction.atomic():
        training(tree.commune1, start_on=datetime.date(2019, 3, 2), end_on=datetime.date(2019, 3, 1))


def test_training_trainees_are_not_negative(tree, officer1):
    form = bound(f.TrainingCourseForm, form_data("tap-huan", tree, trainees_area=-5), officer1)
    assert "trainees_area" in form.errors


def test_training_level_must_match_the_organising_unit(tree, officer1):
    form = bound(f.TrainingCourseForm, form_data("tap-huan", tree, level="DISTRICT"), officer1)
    assert form.errors["level"] == ["Cấp tổ chức phải khớp với cấp của đơn vị tổ chức."]


def test_diplomacy_participants_are_not_negative_and_partner_is_required(tree, officer1):
    form = bound(f.DiplomacyActivityForm, form_data("doi-ngoai-nhan-dan", tree, participants=-1, partner=""), officer1)
    assert {"participants", "partner"} <= set(form.errors)


def test_inspection_targets_districts_or_communes_only(tree, province_staff):
    form = bound(f.InspectionForm, form_data("kiem-tra", tree, unit=tree.area1.pk), province_staff)
    assert "unit" in form.errors
    assert bound(f.InspectionForm, form_data("kiem-tra", tree, unit=tree.commune2.pk), province_staff).is_valid()


def test_coordination_review_before_signing_is_refused(tree):
    programme = coordination(tree.district1, signed_on=datetime.date(2019, 2, 1))
    form = f.CoordinationReviewForm({"reviewed_on": "2019-01-01", "content": "Sơ kết"})
    form.instance.programme = programme
    assert not form.is_valid()
    assert form.errors["reviewed_on"] == ["Ngày sơ kết không được trước ngày ký chương trình."]


def test_member_organisation_names_are_unique(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        m.MemberOrganisation.objects.create(code="khac", name="Hội Nông dân")
