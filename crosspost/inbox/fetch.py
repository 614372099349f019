"""Office actions of the inbox and metrics: fetch replies and figures for every post younger than
the window, list, mark handled, purge. They return data and print nothing (the CLI renders).

One channel's failure never stops the others: a rate limit or an expired token ends that
channel's run (the next cron run goes on from each post's cursor), anything else is reported
per channel, and the exit code says what cron should do (crosspost.errors).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from ..engagement import NotAvailable
from ..errors import EXIT_FAILED, EXIT_OK, EXIT_RETRYING, DeliveryError, InputError
from ..i18n import _
from .rules import Rules

DAY = 86400.0
Progress = Callable[[str, int, int], None]  # (channel, posts done, posts in all)


@dataclass
class ChannelRun:
    """What one channel's fetch did."""

    channel: str
    posts: int = 0  # posts asked about
    new: int = 0  # replies new to the inbox (fetch) or snapshots stored (metrics)
    aduan: int = 0  # of the new replies, complaints
    skipped: list[str] = field(default_factory=list)  # "slug: why the platform gave nothing"
    error: str | None = None  # the failure that ended this channel's run
    error_kind: str | None = None  # DeliveryError.kind ("retry", "reauth", "permanent", ...)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class FetchResult:
    runs: list[ChannelRun]

    @property
    def exit_code(self) -> int:
        """1 when a channel failed for good (a person must act), 6 when one waits for a rate
        limit (the next cron run goes on), else 0."""
        if any(r.error and r.error_kind != "retry" for r in self.runs):
            return EXIT_FAILED
        if any(r.error for r in self.runs):
            return EXIT_RETRYING
        return EXIT_OK


def _channels(cfg: Any, names: Collection[str] | None, hook: str) -> list[Any]:
    from ..channels.base import implements

    chosen = cfg.channels(list(names)) if names else cfg.channels()
    return [c for c in chosen if getattr(c, f"has_{hook}", False) and implements(c, hook)]


def _targets(store: Any, cfg: Any, now: float, channel: Any, reach: float | None = None
             ) -> list[dict[str, Any]]:
    """The channel's live posts younger than the window, and than ``reach`` when given (a platform
    that cannot read replies further back is not asked, not even to say so, every run)."""
    since = now - min(cfg.inbox.window_days * DAY, reach if reach is not None else float("inf"))
    return [t for t in store.engagement_targets(since, [channel.name]) if not t["gone"]]


def fetch_inbox(cfg: Any, store: Any, now: float, names: Collection[str] | None = None,
                progress: Progress | None = None) -> FetchResult:
    """New replies on every post younger than [inbox] window_days, classified and stored."""
    rules = cfg.inbox.rules()
    runs = []
    for channel in _channels(cfg, names, "comments"):
        run = ChannelRun(channel.name)
        runs.append(run)
        targets = _targets(store, cfg, now, channel, getattr(channel, "replies_reach", None))
        for i, t in enumerate(targets):
            run.posts += 1
            try:
                page = channel.comments(t["receipt"], t["newest_at"], cursor=t["cursor"],
                                        max_pages=cfg.inbox.max_pages, now=now, sent_at=t["sent_at"])
            except NotAvailable as exc:
                store.save_replies(t["delivery_id"], channel.platform, [], now, note=str(exc), gone=exc.gone)
                run.skipped.append(f"{t['slug']}: {exc}")
                continue
            except DeliveryError as exc:
                run.error, run.error_kind = str(exc), exc.kind
                break
            except Exception as exc:  # a bug or an answer nobody foresaw: this channel only
                run.error, run.error_kind = f"{type(exc).__name__}: {exc}", "unexpected"
                break
            rows = [_row(c, rules) for c in page.comments]
            run.new += store.save_replies(t["delivery_id"], channel.platform, rows, now, cursor=page.cursor,
                                          note=None if page.complete else "page cap reached")
            run.aduan += sum(1 for r in rows if r["kind"] == "aduan")
            if progress:
                progress(channel.name, i + 1, len(targets))
    return FetchResult(runs)


def _row(comment: Any, rules: Rules) -> dict[str, Any]:
    return {"platform_id": comment.id, "author": comment.author, "text": comment.text,
            "created_at": comment.created_at, "parent_id": comment.parent_id, "url": comment.url,
            "kind": rules.classify(comment.text)}


def fetch_metrics(cfg: Any, store: Any, now: float, names: Collection[str] | None = None,
                  progress: Progress | None = None) -> FetchResult:
    """One snapshot of figures per post younger than the window, batched per channel."""
    runs = []
    for channel in _channels(cfg, names, "metrics"):
        run = ChannelRun(channel.name)
        runs.append(run)
        targets = _targets(store, cfg, now, channel)
        if not targets:
            continue
        run.posts = len(targets)
        try:
            figures = channel.metrics([t["receipt"] for t in targets])
        except NotAvailable as exc:
            run.skipped.append(str(exc))
            continue
        except DeliveryError as exc:
            run.error, run.error_kind = str(exc), exc.kind
            continue
        except Exception as exc:
            run.error, run.error_kind = f"{type(exc).__name__}: {exc}", "unexpected"
            continue
        snapshots = []
        for t in targets:
            got = figures.get(t["receipt"].remote_id, {})
            if got is None:
                store.save_replies(t["delivery_id"], channel.platform, [], now,
                                   note="the post no longer exists", gone=True)
                run.skipped.append(_("{slug}: the post no longer exists").format(slug=t["slug"]))
            elif got:
                snapshots.append((t["delivery_id"], got))
        run.new = store.save_metrics(snapshots, now)
        if progress:
            progress(channel.name, len(targets), len(targets))
    return FetchResult(runs)


def mark_done(store: Any, reply_id: int, by: str, now: float, note: str | None = None) -> dict[str, Any]:
    if not by.strip():
        raise InputError(_("say who handled it: --by NAME (or set [office] operator)"))
    return store.mark_reply_done(reply_id, by, now, note=(note or "").strip() or None)


def purge(cfg: Any, store: Any, now: float) -> tuple[int, float]:
    """Delete replies older than [inbox] keep_days; (how many, the cut-off time)."""
    before = now - cfg.inbox.keep_days * DAY
    return store.purge_replies(before, now), before
