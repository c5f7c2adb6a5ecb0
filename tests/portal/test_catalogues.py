"""One English word, one Chinese word per meaning.

Django merges every catalogue into one: for a msgid without context the
project catalogue (locale/) wins, then the apps in INSTALLED_APPS order, ours
before Wagtail's. A short msgid shared by two meanings is therefore shown with
whichever translation comes first: the fire-safety overview's "Failed" column
read 生成失败 (the handbook PDF's "generation failed") instead of 不合格.
Each meaning gets its own context (pgettext / {% translate ... context %});
the same meaning gets the same words in every catalogue."""

from __future__ import annotations

import gettext
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

OUR_APPS = ("tenants", "notices", "fire", "visits")

# Our apps' msgids that an installed package also translates, differently,
# in the same meaning: our wording is preferred and overrides theirs on
# purpose. A msgid that is not here and collides has two meanings (or a new
# wording): give ours a context.
SAME_MEANING = {
    "All": "全部 for 所有",
    "Approve": "同意: an approver's decision, Wagtail's workflow action included",
    "Approve with comment": "同意并附意见, as Approve",
    "Comment": "意见: a reviewer's remark, Wagtail's review comments included",
    "Remove": "移除 for 删除",
    "Confidential": "保密 for 机密",
    "Documents": "文件, as the project catalogue's document",
    "Email": "电子邮箱 for 电子邮件",
    "Filter": "筛选 for 过滤器",
    "Format": "格式 for 格式化",
    "From": "自 (… 至): a date range, a redirect's old path",
    "To": "至, as From",
    "In progress": "处理中 for 进行中",
    "Phone": "电话 for 电话号码",
    "created": "新建 for 已建立",
    "expired": "已到期 for 已过期",
    "expires at": "失效时间 for 过期时间",
    "name": "名称 for 名字",
    "requested by": "申请人 for 请求人",
    "Create": "新建 for 创建",
    "Download XLSX": "下载 XLSX, spaced",
}


def _catalogue(locale_dir: Path) -> dict:
    mo = locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    if not mo.exists():
        return {}
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)._catalog


def _entries(catalogue: dict):
    """(context or None, msgid, msgstr) of the singular entries."""
    for key, text in catalogue.items():
        if isinstance(key, str) and key and text:
            context, _, msgid = key.rpartition("\x04")
            yield context or None, msgid, text


def _ours() -> dict[str, dict]:
    found = {"locale": _catalogue(Path(settings.LOCALE_PATHS[0]))}
    for label in OUR_APPS:
        found[label] = _catalogue(Path(apps.get_app_config(label).path) / "locale")
    assert all(found.values()), "run compilemessages first"
    return found


def test_every_entry_of_our_catalogues_is_shown_as_written():
    """What Django serves for each msgid is the translation its own catalogue
    gives: no catalogue's word for one meaning is shown for another's."""
    shadowed = []
    with translation.override("zh-hans"):
        for where, catalogue in _ours().items():
            for context, msgid, own in _entries(catalogue):
                served = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if served != own:
                    shadowed.append(f"{where}: {context or ''}|{msgid!r} is {own!r} there but shown as {served!r}")
    assert not shadowed, (
        "msgids translated differently in two catalogues (one wins everywhere). Same meaning: use the same "
        "words; two meanings: give one a context (pgettext, {% translate ... context %}):\n" + "\n".join(shadowed)
    )


def _installed_packages() -> dict[str, dict]:
    found = {"django": _catalogue(Path(django.__file__).parent / "conf" / "locale")}
    for config in apps.get_app_configs():
        if config.label not in OUR_APPS and config.name != "portal":
            found[config.name] = _catalogue(Path(config.path) / "locale")
    return found


def test_our_apps_take_no_word_from_wagtail_or_django():
    """An app catalogue's plain msgid also overrides Wagtail's, Django's and
    allauth's: "Minutes" (会议纪要) became the beat schedule's unit, "History"
    (a case's 记录) Wagtail's page history, "Name" (姓名) a group's name."""
    theirs = _installed_packages()
    taken = []
    for where, catalogue in _ours().items():
        if where == "locale":
            continue  # the project catalogue is where Wagtail's words are corrected, on purpose
        for context, msgid, own in _entries(catalogue):
            if context or msgid in SAME_MEANING:
                continue
            for package, other in theirs.items():
                their = other.get(msgid)
                if isinstance(their, str) and their and their != own:
                    taken.append(f"{where}: {msgid!r} {own!r} replaces {package}'s {their!r}")
    assert not taken, (
        "Give these a context, or (same meaning, our words preferred) list them in SAME_MEANING:\n"
        + "\n".join(taken)
    )


@pytest.mark.parametrize(
    ("context", "msgid", "chinese"),
    [
        ("fire inspection result", "Failed", "不合格"),
        ("file being produced", "Failed", "生成失败"),
        ("fire inspection", "Inspect", "检查"),
        (None, "Inspect", "查看"),  # Wagtail's inspect view
        ("status", "Sent", "已发送"),
        (None, "Sent", "发送时间"),
        ("status", "Delivered", "已送达"),
        (None, "Delivered", "送达时间"),
        ("time", "Received", "受理时间"),
        (None, "Received", "已收到"),  # the tenant's button under an alert
        ("time", "Closed", "关闭时间"),
        (None, "Closed", "已关闭"),
        ("survey status", "Closed", "已结束"),
        ("letter sender", "From", "发文单位"),
        ("request status", "New", "待受理"),
        ("unread letter", "New", "新"),
        (None, "New", "新建"),  # Wagtail's "New: 函件"
        ("document kind", "Lease", "租赁合同"),
        (None, "Lease", "租期"),
        ("letter kind", "Letter", "函"),
        (None, "Letter", "函件"),
        ("left for collection", "items", "物品"),
        (None, "items", "项"),  # Wagtail's paginator
        ("meeting", "Minutes", "会议纪要"),
        (None, "Minutes", "分钟"),
        ("person", "Name", "姓名"),
        ("timeline entry", "text", "内容"),
        (None, "text", "正文"),  # a page's body
        ("case history", "History", "记录"),
        (None, "History", "历史"),
    ],
)
def test_a_word_with_two_meanings_has_one_translation_for_each(context, msgid, chinese):
    with translation.override("zh-hans"):
        assert (translation.pgettext(context, msgid) if context else translation.gettext(msgid)) == chinese
