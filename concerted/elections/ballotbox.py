"""Where several election models move together: key ceremony, casting, batches,
closing and tally. Every check a member can redo is done with evcrypto, the same code
the standalone verifier runs."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from nacl.exceptions import CryptoError
from nacl.public import PublicKey, SealedBox

from concerted.core.days import today
from concerted.core.kanon import MIN_COUNT

from . import evcrypto as ev
from .models import (
    MIN_ELECTORATE,
    Ballot,
    Batch,
    Credential,
    Election,
    SeenCiphertext,
    Trustee,
    ballot_refusal,
)


class Refused(Exception):
    """A step the election's state or the input does not allow; the message is for people.
    `code` names the few refusals a voter's page acts on (e.g. "already_cast")."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


# --- key ceremony ----------------------------------------------------------------


def roster(election: Election) -> dict[str, Any]:
    """What every trustee needs from the others: box keys, then Feldman commitments."""
    return {
        "election": str(election.pk),
        "threshold": election.threshold,
        "trustees": [
            {
                "index": t.index,
                "label": t.label,
                "box_public": t.box_public,
                "dealer": t.dealer,
                "share_proof": t.share_proof,
            }
            for t in election.trustees.all()
        ],
    }


def set_box_key(trustee: Trustee, box_public: str) -> None:
    if trustee.election.status != Election.Status.SETUP or trustee.box_public:
        raise Refused(_("This trustee already has a key."))
    if len(box_public) != 64 or any(c not in "0123456789abcdef" for c in box_public):
        raise Refused(_("Not a box public key."))
    try:
        # libsodium refuses to seal to a key of small order (e.g. all zeros): the other
        # trustees' `deal` would stop there, so refuse it now.
        SealedBox(PublicKey(bytes.fromhex(box_public))).encrypt(b"check")
    except CryptoError:
        raise Refused(_("Not a box public key.")) from None
    trustee.box_public = box_public
    trustee.save(update_fields=["box_public"])


def post_deal(trustee: Trustee, dealer: dict[str, Any], sealed: dict[str, str]) -> None:
    """A trustee's Feldman commitments (with proof of knowledge) and its shares, sealed per recipient."""
    election = trustee.election
    others = {t.index for t in election.trustees.all()}
    if election.status != Election.Status.SETUP or trustee.dealer:
        raise Refused(_("This trustee has already dealt."))
    if not all(t for t in election.trustees.values_list("box_public", flat=True)):
        raise Refused(_("Wait until every trustee has registered a key."))
    if dealer.get("index") != trustee.index or not ev.verify_dealer(str(election.pk), dealer, election.threshold):
        raise Refused(_("The commitments or their proof do not verify."))
    if {int(k) for k in sealed} != others:
        raise Refused(_("One sealed share for every trustee is needed."))
    with transaction.atomic():
        trustee.dealer = dealer
        trustee.save(update_fields=["dealer"])
        for recipient, blob in sealed.items():
            election.messages.create(sender=trustee.index, recipient=int(recipient), sealed=str(blob))


def messages_for(trustee: Trustee) -> dict[str, str]:
    return {str(m.sender): m.sealed for m in trustee.election.messages.filter(recipient=trustee.index)}


def post_share_proof(trustee: Trustee, proof: list[str]) -> None:
    """The trustee proves it holds x_j for the public X_j computed from everyone's commitments."""
    election = trustee.election
    dealers = [t.dealer for t in election.trustees.all()]
    if election.status != Election.Status.SETUP or any(d is None for d in dealers):
        raise Refused(_("Every trustee must deal first."))
    xpub = ev.verification_key(dealers, trustee.index)
    if not ev.schnorr_verify(xpub, proof, "concerted/share-pok", [str(election.pk), str(trustee.index)]):
        raise Refused(_("The proof of the key share does not verify."))
    trustee.share_proof = proof
    trustee.save(update_fields=["share_proof"])


def add_credentials(election: Election, publics: list[str]) -> int:
    if election.status not in (Election.Status.SETUP, Election.Status.OPEN):
        raise Refused(_("Credentials can only be added before voting closes."))
    for p in publics:
        try:
            ev.public_point(p)
        except ev.Invalid:
            if p == ev.hx(ev.IDENTITY):
                raise Refused(identity_refusal(p)) from None
            raise Refused(_("“%(line)s” is not a public credential.") % {"line": p[:70]}) from None
    added = 0
    with transaction.atomic():
        for p in publics:
            _obj, created = Credential.objects.get_or_create(election=election, public=p)
            added += created
    return added


def identity_refusal(line: str) -> str:
    return _(
        "“%(line)s” is the group's identity element: its private key is 0, which everyone knows, so anyone "
        "could cast a ballot with it. `concerted election credentials` never makes it: paste the "
        "public-credentials.txt it wrote."
    ) % {"line": line[:70]}


def _below_minimum(eligible: int) -> Refused:
    return Refused(
        _(
            "This would leave %(have)d eligible voters, fewer than the %(n)d an election needs to be counted. "
            "Add the member's replacement card (its public credential) first, then revoke the lost one."
        )
        % {"have": eligible, "n": MIN_ELECTORATE}
    )


def revoke_credential(election: Election, public: str) -> None:
    """Once voting is open the electorate never drops below the minimum: below it the
    board could never be verified nor tallied (the trustees' tool refuses it)."""
    if election.status not in (Election.Status.SETUP, Election.Status.OPEN):
        raise Refused(_("A credential can only be revoked before voting closes."))
    with transaction.atomic():
        # Row lock (PostgreSQL): two revocations at once cannot both pass the count.
        Election.objects.select_for_update().filter(pk=election.pk).first()
        if not Credential.objects.filter(election=election, public=public, revoked=False).exists():
            raise Refused(_("No such credential (or it is already revoked)."))
        left = election.eligible().count() - 1
        if election.status == Election.Status.OPEN and left < MIN_ELECTORATE:
            raise _below_minimum(left)
        Credential.objects.filter(election=election, public=public, revoked=False).update(revoked=True)


def open_voting(election: Election) -> None:
    trustees = list(election.trustees.all())
    if election.status != Election.Status.SETUP:
        raise Refused(_("The election is not being set up."))
    if len(trustees) != election.trustee_count or any(t.share_proof is None for t in trustees):
        raise Refused(_("Every trustee must finish the key ceremony first."))
    eligible = election.eligible().count()
    if eligible < MIN_ELECTORATE:
        raise Refused(
            _(
                "An election needs at least %(n)d eligible voters (it has %(have)d): an exact count of fewer could be traced to people."
            )
            % {"n": MIN_ELECTORATE, "have": eligible}
        )
    for public in election.eligible().values_list("public", flat=True):
        try:
            ev.public_point(public)
        except ev.Invalid:
            # Stored before credentials were checked this way: a ballot under it would be
            # refused, and the board would never verify.
            raise Refused(
                _("Revoke the credential “%(line)s” before voting opens: it is not a valid public credential.")
                % {"line": public[:70]}
            ) from None
    dealers = [t.dealer for t in trustees]
    joint = ev.joint_public_key(dealers)
    if joint == ev.IDENTITY:
        # Only trustees who pooled their secrets can get here; ballots would be in the clear.
        raise Refused(_("The trustees' keys add up to no key at all: start the key ceremony again."))
    election.manifest = {
        "id": str(election.pk),
        "title": election.title,
        "questions": [election.question_spec()],
        "threshold": election.threshold,
        "trustees": dealers,
        "public_key": ev.hx(joint),
        "min_electorate": MIN_ELECTORATE,
        # The fewest counted ballots the trustees may decrypt; verify-election fails a
        # tally of fewer. (Manifests without it were made before it existed.)
        "min_counted": MIN_COUNT,
        # Fixed when the election was made; here the fingerprint covers it, so the rule
        # the board page states and verify-election applies is the one voters saw.
        "pass_rule": election.pass_rule_spec(),
    }
    election.status = Election.Status.OPEN
    election.save(update_fields=["manifest", "status"])


# --- voting ------------------------------------------------------------------------


def _spoiled_mark(alpha: str) -> str:
    """What a spoiled ballot leaves among the seen ciphertexts, beside its own alphas:
    a hash of each, so a cast can say why it is refused. Nothing about the choice."""
    return ev.sha256_hex(b"concerted/spoiled\0" + alpha.encode())


def _alphas(ballot: dict[str, Any]) -> list[str]:
    return [ct["alpha"] for ans in ballot["answers"] for ct in ans["choices"]]


def _checked(election: Election, ballot: Any) -> Credential:
    """A ballot's proofs and signature verify, under a credential of this election."""
    if election.status in (Election.Status.CLOSED, Election.Status.TALLIED):
        raise Refused(_("Voting is closed: your ballot was not cast."))
    if not election.is_open or election.manifest is None:
        raise Refused(_("This election is not open for voting."))
    why = ev.verify_ballot(election.manifest, ballot)
    if why:
        raise Refused(ballot_refusal(why))  # a member reads it: plain, in their language
    cred = election.credentials.filter(public=ballot["credential"]).first()
    if cred is None:
        raise Refused(_("This voting code is not valid for this election."))
    return cred


def spoil(election: Election, ballot: Any) -> str:
    """The voter opened this encrypted ballot for checking (Benaloh challenge): it must
    never be cast, by anyone who later holds its JSON. The page sends the ballot as it
    would be cast (ciphertexts, proofs, signature) and no randomness: the server learns
    nothing about the choice. Its ciphertexts join the seen ones, so cast refuses them."""
    _checked(election, ballot)
    tr = ev.tracker(ballot)
    alphas = _alphas(ballot)
    with transaction.atomic():
        if election.ballots.filter(tracker=tr).exists():
            raise Refused(_("This ballot was already cast: it can no longer be opened for checking."))
        SeenCiphertext.objects.bulk_create(
            [SeenCiphertext(election=election, alpha=a) for a in alphas + [_spoiled_mark(a) for a in alphas]],
            ignore_conflicts=True,
        )
    return tr


def cast(election: Election, ballot: Any) -> str:
    """Check and store a ballot; returns its tracker. A revote by the same credential
    replaces the earlier ballot (the last one counts)."""
    if _checked(election, ballot).revoked:
        raise Refused(_("This voting code is not valid for this election."))
    cred = ballot["credential"]
    alphas = _alphas(ballot)
    if SeenCiphertext.objects.filter(election=election, alpha__in=[_spoiled_mark(a) for a in alphas]).exists():
        raise Refused(_("This ballot was opened for checking, so it can't be cast: encrypt a new one and cast that."))
    tr = ev.tracker(ballot)
    try:
        with transaction.atomic():
            if election.ballots.filter(tracker=tr).exists():
                # The same answer whether this ballot still counts or a revote replaced
                # it: before the close, nobody may learn that a credential revoted.
                raise Refused(_("This exact ballot was already cast: a copied ballot is refused."), "already_cast")
            SeenCiphertext.objects.bulk_create([SeenCiphertext(election=election, alpha=a) for a in alphas])
            last = (
                election.ballots.filter(credential=cred)
                .order_by("-revision")
                .values_list("revision", flat=True)
                .first()
            )
            Ballot.objects.create(election=election, tracker=tr, credential=cred, revision=(last or 0) + 1, body=ballot)
    except IntegrityError:
        raise Refused(_("This ballot copies a ciphertext already cast: a copied ballot is refused.")) from None
    return tr


def pending_count(election: Election) -> int:
    return election.ballots.filter(batch__isnull=True).count()


def release_batch(election: Election, *, final: bool = False) -> Batch | None:
    """Publish the waiting ballots together, in tracker order, stamped with the day only."""
    with transaction.atomic():
        pending = list(election.ballots.select_for_update().filter(batch__isnull=True))
        if not pending or (len(pending) < ev.MIN_BATCH and not final):
            return None
        last = election.batches.order_by("-seq").first()
        prev = last.hash if last else ev.fingerprint(election.manifest)
        pending.sort(key=lambda b: b.tracker)
        day = today()
        batch = Batch.objects.create(
            election=election,
            seq=(last.seq + 1) if last else 1,
            day=day,
            prev=prev,
            final=final,
            hash=ev.batch_hash(prev, day.isoformat(), [b.body for b in pending], final),
        )
        Ballot.objects.filter(pk__in=[b.pk for b in pending]).update(batch=batch)
    return batch


def close(election: Election) -> None:
    """Stop voting, publish the last ballots, and only now say which ballots were replaced."""
    if not election.is_open:
        raise Refused(_("The election is not open."))
    eligible = election.eligible().count()
    if eligible < MIN_ELECTORATE:
        # Closed like this, the board could never be verified nor tallied.
        raise Refused(
            _(
                "Voting can't close with %(have)d eligible voters, fewer than the %(n)d an election needs to be "
                "counted: add the replacement cards' public credentials first."
            )
            % {"have": eligible, "n": MIN_ELECTORATE}
        )
    release_batch(election, final=True)
    revoked = set(election.credentials.filter(revoked=True).values_list("public", flat=True))
    latest: dict[str, int] = {}
    rows = list(election.ballots.values_list("tracker", "credential", "revision"))
    for _tr, cred, rev in rows:
        latest[cred] = max(latest.get(cred, 0), rev)
    excluded = sorted(
        (
            {"tracker": tr, "reason": "revoked" if cred in revoked else "replaced"}
            for tr, cred, rev in rows
            if cred in revoked or rev != latest[cred]
        ),
        key=lambda e: e["tracker"],
    )
    last = election.batches.order_by("-seq").first()
    prev = last.hash if last else ev.fingerprint(election.manifest)
    creds = list(election.eligible().values_list("public", flat=True))
    election.closing = {
        "prev": prev,
        "excluded": excluded,
        "hash": ev.closing_hash(prev, creds, sorted(revoked), excluded),
    }
    election.status = Election.Status.CLOSED
    election.save(update_fields=["closing", "status"])


def counted_ballots(election: Election) -> list[dict[str, Any]]:
    gone = {e["tracker"] for e in (election.closing or {}).get("excluded", [])}
    return [b.body for b in election.ballots.filter(batch__isnull=False).order_by("tracker") if b.tracker not in gone]


def min_counted(election: Election) -> int:
    """The fewest counted ballots a tally may decrypt: the manifest's, never below the
    project's k (an election opened before manifests stated it gets k too)."""
    return max(MIN_COUNT, int((election.manifest or {}).get("min_counted", 0)))


def refuse_too_few(election: Election, counted: int) -> None:
    """An exact count of very few ballots shows how each of them voted (one ballot: that
    voter's choice), so nothing is decrypted below the minimum. It applies to the ballots,
    not to each option: 0 or 1 vote for an option is normal."""
    need = min_counted(election)
    if counted < need:
        raise Refused(
            ngettext(
                "Only %(have)d ballot is counted, fewer than the %(need)d needed to count a vote secretly: an "
                "exact count of so few would show how they voted, so the trustees can't decrypt it. This vote "
                "can't be counted secretly: run it again as a new election, and ask more members to vote.",
                "Only %(have)d ballots are counted, fewer than the %(need)d needed to count a vote secretly: an "
                "exact count of so few would show how they voted, so the trustees can't decrypt it. This vote "
                "can't be counted secretly: run it again as a new election, and ask more members to vote.",
                counted,
            )
            % {"have": counted, "need": need}
        )


def post_partial(trustee: Trustee, shares: Any) -> None:
    """A trustee's partial decryption of the sums, checked against its public share."""
    election = trustee.election
    if election.status != Election.Status.CLOSED:
        raise Refused(_("The election is not closed."))
    ballots = counted_ballots(election)
    refuse_too_few(election, len(ballots))
    fp = ev.fingerprint(election.manifest)
    sums = ev.homomorphic_sums(election.manifest, ballots)
    xpub = ev.verification_key(election.manifest["trustees"], trustee.index)
    try:
        ok = all(
            ev.verify_partial(fp, trustee.index, xpub, sums[qi][oi][0], shares[qi][oi])
            for qi, row in enumerate(sums)
            for oi in range(len(row))
        )
    except (KeyError, IndexError, TypeError):
        ok = False
    if not ok:
        raise Refused(_("The partial decryption does not verify."))
    trustee.partial = shares
    trustee.save(update_fields=["partial"])


def publish_tally(election: Election) -> None:
    """Combine t partial decryptions. An organizer presses the button: software counts, people decide."""
    if election.status != Election.Status.CLOSED:
        raise Refused(_("The election is not closed."))
    ballots = counted_ballots(election)
    # First: with too few ballots no trustee may decrypt, so "0 of 2 trustees" would mislead.
    refuse_too_few(election, len(ballots))
    done = {t.index: t.partial for t in election.trustees.exclude(partial=None) if t.partial is not None}
    if len(done) < election.threshold:
        raise Refused(
            _("%(have)d of the %(need)d trustees needed have decrypted.")
            % {"have": len(done), "need": election.threshold}
        )
    sums = ev.homomorphic_sums(election.manifest, ballots)
    result = ev.decrypt_counts(election.manifest, sums, done, len(ballots))
    election.tally = {"partials": [{"trustee": i, "shares": s} for i, s in sorted(done.items())], "result": result}
    if election.manifest.get("pass_rule") is not None:
        # The outcome the board publishes, by the manifest's rule: verify-election
        # recomputes it and fails if the two differ. (An election opened before
        # manifests carried the rule publishes counts only.)
        election.tally["passed"] = ev.passes(election.manifest["pass_rule"], *result[0])
    election.status = Election.Status.TALLIED
    election.save(update_fields=["tally", "status"])


def board(election: Election) -> dict[str, Any]:
    """The public bulletin board: everything `concerted verify-election` needs, nothing more.
    Waiting ballots are not on it; replaced ones are marked only after the close."""
    batches = []
    for batch in election.batches.all():
        ballots = [b.body for b in sorted(batch.ballots.all(), key=lambda b: b.tracker)]
        batches.append(
            {
                "day": batch.day.isoformat(),
                "prev": batch.prev,
                "hash": batch.hash,
                "final": batch.final,
                "ballots": ballots,
            }
        )
    out: dict[str, Any] = {
        "format": ev.FORMAT,
        "manifest": election.manifest,
        "credentials": list(election.eligible().values_list("public", flat=True)),
        "revoked": list(election.credentials.filter(revoked=True).values_list("public", flat=True)),
        "batches": batches,
    }
    if election.closing:
        out["closing"] = election.closing
    if election.tally:
        out["tally"] = election.tally
    return out
