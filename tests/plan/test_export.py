from __future__ import annotations

import re
from typing import Any

import pytest

from warroom.catalog.services import save_system
from warroom.people.models import Department
from warroom.plan.export import plan_markdown
from warroom.resources.services import save_contact, save_resource

pytestmark = pytest.mark.django_db

ZH_SECTIONS = [
    "一、预案目标与范围",
    "二、风险分析",
    "三、组织结构与职责",
    "四、应急处置流程",
    "五、物资清单与资源配置",
    "六、评估机制",
    "七、总结",
]
EN_SECTIONS = [
    "1. Goals and scope",
    "2. Risk analysis",
    "3. Organisation and duties",
    "4. Emergency handling process",
    "5. Materials and resources",
    "6. Evaluation",
    "7. Summary",
]


def _sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.M)


def test_export_is_laid_out_like_the_seed_in_chinese(plan: Any) -> None:
    text = plan_markdown(plan, lang="zh-hans")
    assert text.startswith("# 软件管理应急预案\n")
    assert _sections(text) == ZH_SECTIONS
    subsections = re.findall(r"^### (\d\.\d) ", text, flags=re.M)
    assert subsections == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.5",
        "4.6",
        "5.1",
        "5.2",
        "6.1",
        "6.2",
        "6.3",
    ]
    assert "### 4.3 应急响应" in text
    assert "保障软件系统的稳定性和可靠性。" in text


def test_export_in_english(plan: Any) -> None:
    text = plan_markdown(plan, lang="en")
    assert text.startswith("# Software Management Emergency Response Plan\n")
    assert _sections(text) == EN_SECTIONS


def test_export_reflects_the_live_catalog(plan: Any, commander: Any) -> None:
    save_system(
        None, name="Kingdee ERP", kind="erp", owner_department=Department.objects.get(code="it")
    )
    save_resource(
        None,
        kind="emergency_comms",
        name="Walkie-talkie set A",
        department=Department.objects.get(code="operations"),
        quantity=6,
    )
    save_contact(None, name="Acme Law", kind="legal", phone="+86 10 1234 5678")
    text = plan_markdown(plan, lang="en")
    assert (
        "| Kingdee ERP | ERP (enterprise resource planning) system |" in text
        or "| Kingdee ERP |" in text
    )
    assert "| Walkie-talkie set A |" in text
    assert "| Acme Law | Legal counsel |" in text
    assert "Chen" in text  # the commander, named in the team table
