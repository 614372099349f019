"""Issue 12, item 3: a lookup settles a thread only with this delivery's own posts.

For 1,000 generated threads, the closing part (hashtags and the release link: the part a
stripped-opening comparison confused with another release's) is already in the timeline as
another release's post, word for word: once made before this delivery was claimed, once after
it as a reply in another chain and once as a stand-alone post. tweepy's real Client asks, the
answers are X API v2 JSON (t.co links with entities, created_at, referenced_tweets) served
through `responses`; no lookup may return or record a foreign post's id.
"""

from __future__ import annotations

import random

import responses
from test_twitter_channel import CLAIMED, Progress, lookup_ctx, make_channel
from x_api import XAccount

from crosspost.channels.twitter_thread import split_thread
from crosspost.models import Variant

WORDS = ("bantuan sosial disalurkan kepada warga terdampak banjir di kecamatan tujuh desa petugas "
         "tagana membantu evakuasi pendataan logistik paket sembako lansia anak penyandang disabilitas "
         "menteri sosial meninjau posko pengungsian dapur umum").split()
TAGS = ("KemensosHadir", "TanggapBencana", "PeduliBanjir", "BansosTepatSasaran")


def generated(rng: random.Random) -> tuple[Variant, str]:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
                 for _ in range(rng.randint(1, 9))]
    tags = " ".join("#" + t for t in rng.sample(TAGS, rng.randint(1, 3)))
    link = rng.choice(("https://www.kemensos.go.id/siaran-pers/bantuan-banjir",
                       "https://kemensos.go.id/berita/posko", "kemensos.go.id"))
    # the closing part is hashtags only, then the link: X wraps both the link and a bare domain
    parts = split_thread(" ".join(sentences) + "\n\n" + tags, 280, True, link, "last", "Selengkapnya: ")
    if len(parts) > 1:
        parts[-1] = f"{tags} ({len(parts)}/{len(parts)})\n\nSelengkapnya: {link}"
    text = parts[0] if len(parts) == 1 else "\n\n".join(parts)
    return Variant(channel="twitter", kind="twitter", text=text, parts=tuple(parts) if len(parts) > 1 else (),
                   link=link), parts[-1]


def test_a_thousand_threads_are_never_settled_with_a_foreign_post(tmp_path):
    rng = random.Random(12)
    channel = make_channel(tmp_path)
    settled = foreign_taken = threads = 0
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        x = XAccount(lambda: CLAIMED + 50)
        x.install(rsps)
        for _ in range(1000):
            variant, closing = generated(rng)
            parts = list(variant.parts) or [variant.text]
            threads += len(parts) > 1
            x.tweets.clear()
            foreign = {x.add(closing, CLAIMED - rng.randint(200, 7 * 86400))["id"],  # earlier
                       x.add(closing, CLAIMED + rng.randint(1, 40), reply_to="77")["id"]}  # another chain
            progress = Progress()
            own: list[str] = []
            for i, part in enumerate(parts[:-1]):  # this delivery's parts before the closing one
                own.append(x.add(part, CLAIMED + 1 + i, reply_to=own[-1] if own else None)["id"])
            if len(parts) > 1:  # a stand-alone copy would match a first part, never a reply
                foreign.add(x.add(closing, CLAIMED + 45)["id"])
            progress.saved = {"parts": own[:rng.randint(0, len(own))]} if own else {}
            receipt = channel.lookup(variant, lookup_ctx(progress))
            recorded = set(progress.saved.get("parts") or [])
            settled += receipt is not None
            taken = set(receipt.extra["parts"]) if receipt else set()
            foreign_taken += bool((recorded | taken) & foreign)
            assert recorded <= set(own), "only this delivery's own parts are recorded"
    assert threads > 300  # most generated releases are threads
    assert (settled, foreign_taken) == (0, 0)
