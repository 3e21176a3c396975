"""The set-up checklist of one company, planned from facts read beforehand (pure: no queries, no I/O).

The steps follow the way an owner sets a company up: connect eAccounting, connect the shop, activate,
the first sync, every delivery and payment method mapped to a template article, and the first web order
in eAccounting. Visma Verkkokauppa has its own steps: Visma's link moves the articles, so there is no shop
to connect and no first sync; the *Available in Webshop* rules are applied instead, and the last step is
the first webshop order converted (or conversion left off on purpose).

A step is *broken* when it was done and needs doing again (a connection that asks to be reconnected, a
method the shop added after orders already flowed); the checklist comes back for it.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class StepKey(StrEnum):
    EACCOUNTING = "eaccounting"
    WEBSHOP = "webshop"
    ACTIVATE = "activate"
    FIRST_SYNC = "first_sync"
    AVAILABILITY = "availability"  # Visma Verkkokauppa: the rules instead of the first sync
    METHODS = "methods"
    FIRST_ORDER = "first_order"
    FIRST_CONVERSION = "first_conversion"  # Visma Verkkokauppa: a webshop order converted to an invoice


OWNER_STEPS = frozenset({StepKey.EACCOUNTING, StepKey.WEBSHOP, StepKey.ACTIVATE, StepKey.FIRST_SYNC})


class StepState(StrEnum):
    DONE = "done"
    TO_DO = "to_do"
    BROKEN = "broken"


class Connection(StrEnum):
    """A connection's status (the values of ConnectionStatus)."""

    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"


class FirstSyncState(StrEnum):
    """The latest first sync's status (the values of FirstSync.Status), NONE before any."""

    NONE = ""
    PREPARING = "preparing"
    PREVIEW = "preview"
    APPLYING = "applying"
    CREATED = "created"
    DONE = "done"
    UNDONE = "undone"


@dataclass(frozen=True)
class SetupFacts:
    """What the checklist reads about one company."""

    eaccounting: Connection = Connection.NOT_CONNECTED
    webshop: Connection = Connection.NOT_CONNECTED
    visma_webshop: bool = False  # the shop is Visma Verkkokauppa
    is_active: bool = False
    first_sync: FirstSyncState = FirstSyncState.NONE
    methods_known: int = 0  # enabled delivery and payment methods read from the shop
    methods_unmapped: tuple[str, ...] = ()  # titles of enabled methods without a template article
    orders_transferred: int = 0
    orders_waiting: int = 0  # waiting for a person or held
    rules_applied: bool = False  # Visma Verkkokauppa
    convert_orders: bool = False  # Visma Verkkokauppa
    conversions_done: int = 0  # Visma Verkkokauppa


@dataclass(frozen=True)
class Step:
    key: StepKey
    title: Promise
    state: StepState
    missing: Promise | str = ""  # what is missing, in plain words ("" when done)
    can_act: bool = True  # the steps before it are done far enough for its button to work

    @property
    def done(self) -> bool:
        return self.state == StepState.DONE

    @property
    def owner_only(self) -> bool:
        """Connecting, activating and the first sync are for owners; members map methods and sync."""
        return self.key in OWNER_STEPS


@dataclass(frozen=True)
class Checklist:
    steps: list[Step] = field(default_factory=list)
    orders_waiting: int = 0  # for the link to them beside the first order's step

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)

    @property
    def done_count(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def next_step(self) -> Step | None:
        """The step to do now: a broken one first, else the first one not done whose button works."""
        broken = [s for s in self.steps if s.state == StepState.BROKEN]
        open_steps = [s for s in self.steps if not s.done and s.can_act]
        return next(iter(broken or open_steps), None)


def _connection_step(
    key: StepKey, title: Promise, status: Connection, missing: Promise, broken: Promise
) -> Step:
    if status == Connection.CONNECTED:
        return Step(key, title, StepState.DONE)
    if status == Connection.NEEDS_RECONNECT:
        return Step(key, title, StepState.BROKEN, broken)
    return Step(key, title, StepState.TO_DO, missing)


def _eaccounting(f: SetupFacts) -> Step:
    return _connection_step(
        StepKey.EACCOUNTING,
        _("Connect eAccounting"),
        f.eaccounting,
        _("Silta cannot reach your eAccounting yet: sign in to eAccounting and pick your company."),
        _(
            "eAccounting asks to be connected again (the sign-in expired or was withdrawn); nothing moves until then."
        ),
    )


def _webshop(f: SetupFacts) -> Step:
    return _connection_step(
        StepKey.WEBSHOP,
        _("Connect the webshop"),
        f.webshop,
        _("Silta cannot reach your webshop yet: give its address and approve Silta's key in the shop."),
        _("The webshop refuses Silta's key; connect it again."),
    )


def _activate(f: SetupFacts, connected: bool) -> Step:
    title = _("Activate the integration")
    if f.is_active:
        return Step(StepKey.ACTIVATE, title, StepState.DONE)
    if not connected:
        return Step(StepKey.ACTIVATE, title, StepState.TO_DO, _("Connect both systems first."), can_act=False)
    return Step(
        StepKey.ACTIVATE,
        title,
        StepState.TO_DO,
        _("Both systems are connected: check the pre-flight list and answer Yes to activate."),
    )


FIRST_SYNC_MISSING = {
    FirstSyncState.NONE: _(
        "The shop's products and eAccounting's articles have not been compared yet: prepare the preview."
    ),
    FirstSyncState.PREPARING: _("The preview is being prepared; it is ready in a moment."),
    FirstSyncState.PREVIEW: _("The preview is ready: look it through and answer Yes."),
    FirstSyncState.APPLYING: _("The products are being created in eAccounting."),
    FirstSyncState.CREATED: _("Products were created; the articles to overwrite wait for your confirmation."),
    FirstSyncState.UNDONE: _("The first sync was undone: prepare a new preview."),
}


def _first_sync(f: SetupFacts) -> Step:
    title = _("First sync")
    if f.first_sync == FirstSyncState.DONE:
        return Step(StepKey.FIRST_SYNC, title, StepState.DONE)
    if not f.is_active:
        return Step(
            StepKey.FIRST_SYNC, title, StepState.TO_DO, _("Activate the integration first."), can_act=False
        )
    return Step(StepKey.FIRST_SYNC, title, StepState.TO_DO, FIRST_SYNC_MISSING[f.first_sync])


def _methods(f: SetupFacts) -> Step:
    title = _("Delivery and payment methods mapped")
    if not f.is_active:
        return Step(
            StepKey.METHODS, title, StepState.TO_DO, _("Activate the integration first."), can_act=False
        )
    if f.methods_unmapped:
        unmapped = ", ".join(f.methods_unmapped)
        text = ngettext_lazy(
            "%(n)s method has no template article, so orders using it wait: %(methods)s.",
            "%(n)s methods have no template article, so orders using them wait: %(methods)s.",
            "n",
        ) % {"n": len(f.methods_unmapped), "methods": unmapped}
        # a method added after orders already flowed: the step was done and is broken now
        return Step(
            StepKey.METHODS, title, StepState.BROKEN if f.orders_transferred else StepState.TO_DO, text
        )
    if not f.methods_known:
        return Step(
            StepKey.METHODS,
            title,
            StepState.TO_DO,
            _(
                "The shop's delivery and payment methods have not been read yet; the next order sync reads them."
            ),
        )
    return Step(StepKey.METHODS, title, StepState.DONE)


def _first_order(f: SetupFacts) -> Step:
    title = _("First web order in eAccounting")
    if f.orders_transferred:
        return Step(StepKey.FIRST_ORDER, title, StepState.DONE)
    if not f.is_active:
        return Step(
            StepKey.FIRST_ORDER, title, StepState.TO_DO, _("Activate the integration first."), can_act=False
        )
    if f.orders_waiting:
        text = ngettext_lazy(
            "No web order has reached eAccounting yet; %(n)s order waits for a person: open it to see why.",
            "No web order has reached eAccounting yet; %(n)s orders wait for a person: open them to see why.",
            "n",
        ) % {"n": f.orders_waiting}
        return Step(StepKey.FIRST_ORDER, title, StepState.TO_DO, text)
    return Step(
        StepKey.FIRST_ORDER,
        title,
        StepState.TO_DO,
        _("No web order has reached eAccounting yet: sync now, or wait for the next order in the shop."),
    )


def _availability(f: SetupFacts) -> Step:
    title = _("Available in Webshop rules applied")
    if f.rules_applied:
        return Step(StepKey.AVAILABILITY, title, StepState.DONE)
    if not f.is_active:
        return Step(
            StepKey.AVAILABILITY, title, StepState.TO_DO, _("Activate the integration first."), can_act=False
        )
    return Step(
        StepKey.AVAILABILITY,
        title,
        StepState.TO_DO,
        _("Decide which articles are for sale in Visma Verkkokauppa: preview the rules and apply them."),
    )


def _first_conversion(f: SetupFacts) -> Step:
    title = _("First webshop order converted to an invoice")
    if f.conversions_done or (f.is_active and not f.convert_orders):
        # conversion left off on purpose: eAccounting keeps the webshop orders for a person, nothing to do here
        return Step(StepKey.FIRST_CONVERSION, title, StepState.DONE)
    if not f.is_active:
        return Step(
            StepKey.FIRST_CONVERSION,
            title,
            StepState.TO_DO,
            _("Activate the integration first."),
            can_act=False,
        )
    return Step(
        StepKey.FIRST_CONVERSION,
        title,
        StepState.TO_DO,
        _("No webshop order has been converted yet: it happens with the next order in Visma Verkkokauppa."),
    )


def plan(facts: SetupFacts) -> Checklist:
    """The company's checklist: every step with its state and what is missing."""
    if facts.visma_webshop:
        return Checklist(
            [
                _eaccounting(facts),
                _activate(facts, facts.eaccounting == Connection.CONNECTED),
                _availability(facts),
                _first_conversion(facts),
            ],
            facts.orders_waiting,
        )
    connected = facts.eaccounting == facts.webshop == Connection.CONNECTED
    return Checklist(
        [
            _eaccounting(facts),
            _webshop(facts),
            _activate(facts, connected),
            _first_sync(facts),
            _methods(facts),
            _first_order(facts),
        ],
        facts.orders_waiting,
    )
