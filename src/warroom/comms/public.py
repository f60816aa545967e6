"""The public status page and its Atom feed, rendered once for the web and for the static
export (`warroom status export`), which differ only in their links."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from warroom.comms.queries import feed_updates, public_label, status_overview

LANGUAGE_NAMES = {"zh-hans": "中文", "en": "English"}


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def pick_language(request: HttpRequest) -> str:
    """?lang= when it names a language of the UI, else the request's (LocaleMiddleware)."""
    wanted = request.GET.get("lang", "")
    if wanted in languages():
        return wanted
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@dataclass(frozen=True)
class Links:
    css: str
    home: str
    feed: str
    subscribe: str
    languages: list[LanguageLink]


def web_links(lang: str) -> Links:
    status = reverse("comms:status")
    return Links(
        css=static("comms/status.css"),
        home=f"{status}?lang={lang}",
        feed=f"{reverse('comms:feed')}?lang={lang}",
        subscribe=f"{reverse('comms:subscribe')}?lang={lang}",
        languages=[
            LanguageLink(
                code, LANGUAGE_NAMES.get(code, code), f"{status}?lang={code}", code == lang
            )
            for code in languages()
        ],
    )


def export_name(lang: str, ext: str) -> str:
    """File names of the static export: the default language gets index.html / feed.atom,
    the others index.<lang>.html / feed.<lang>.atom."""
    stem = {"html": "index", "atom": "feed"}[ext]
    return f"{stem}.{ext}" if lang == settings.LANGUAGE_CODE else f"{stem}.{lang}.{ext}"


def export_links(lang: str) -> Links:
    # The subscribe form needs the live server: the export links to it where it normally is.
    subscribe = f"{settings.BASE_URL}{reverse('comms:subscribe')}?lang={lang}"
    return Links(
        css="status.css",
        home=export_name(lang, "html"),
        feed=export_name(lang, "atom"),
        subscribe=subscribe,
        languages=[
            LanguageLink(
                code, LANGUAGE_NAMES.get(code, code), export_name(code, "html"), code == lang
            )
            for code in languages()
        ],
    )


def status_html(lang: str, links: Links, request: HttpRequest | None = None) -> str:
    """The whole status page in `lang`."""
    with translation.override(lang):
        return render_to_string(
            "comms/status.html",
            {
                "overview": status_overview(),
                "links": links,
                "time_zone": settings.TIME_ZONE,
                "static_export": request is None,
            },
            request=request,
        )


def atom_feed(lang: str) -> str:
    """The Atom feed of public updates, newest first, texts in `lang`."""
    page = settings.BASE_URL + reverse("comms:status")
    with translation.override(lang):
        feed = Atom1Feed(
            title=_("Service status"),
            link=f"{page}?lang={lang}",
            description=_("Updates about incidents affecting our services."),
            language=lang,
            feed_url=f"{settings.BASE_URL}{reverse('comms:feed')}?lang={lang}",
            feed_guid=f"{page}#feed-{lang}",
        )
        for update in feed_updates():
            label = public_label(update.incident)
            feed.add_item(
                title=f"{update.get_status_display()}: {label}",
                link=f"{page}?lang={lang}#update-{update.pk}",
                description=update.text_in(lang),
                unique_id=f"{page}#update-{update.pk}",
                unique_id_is_permalink=False,
                pubdate=update.posted_at,
                updateddate=update.posted_at,
            )
        return feed.writeString("utf-8")
