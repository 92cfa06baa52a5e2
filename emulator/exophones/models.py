"""ExoPhones state and rules: per-account inventories of available numbers and owned ExoPhones."""

from __future__ import annotations

import itertools
import uuid
import zlib
from dataclasses import asdict, dataclass, field, replace
from typing import Iterator

from sortedcontainers import SortedDict

from emulator.core.errors import Reason, Refused
from emulator.core.family import Model

NUMBER_TYPES = ("Landline", "Mobile", "TollFree")
CONNECTIVITY = ("active", "major_outage", "partial_network_outage")  # a v2 number's status, each way


@dataclass
class Listing:
    """A number as the inventory offers it; an ExoPhone keeps its listing to return it on release."""

    phone_number: str
    country: str
    region: str
    number_type: str
    currency: str
    capabilities: dict
    one_time_price: str = "0.000000"
    rental_price: str = "0.000000"
    incoming_rate: str = "0.000000"
    incoming_pulse: str = "60"
    vanity_number: bool = False


def _capabilities(spec: dict, seed: int, phone: str) -> dict:
    """A generated number's capabilities; with an ``sms_share``, whether it takes SMS is a property of the
    number and the seed (a hash, not the draw order), so every account sees the same number alike."""
    capabilities = dict(spec["capabilities"])
    if spec.get("sms_share") is not None:
        capabilities["sms"] = zlib.crc32(f"{seed}:sms:{phone}".encode()) % 10_000 < spec["sms_share"] * 10_000
    return capabilities


def _endpoint(ts: float) -> dict:
    return {"status": "active", "last_check_time": ts, "alternate_exophone": None}


@dataclass
class ExoPhone:
    """A number an account bought: its listing, the settings v2_beta updates, its v2 connectivity."""

    sid: str
    account_sid: str
    listing: Listing
    friendly_name: str
    date_created: float
    date_updated: float
    voice_url: str | None = None
    sms_url: str | None = None
    seq: int = 0  # purchase order: the list endpoint pages in it
    connectivity: dict = field(default_factory=dict)

    def copy(self) -> "ExoPhone":
        """What handlers render: taken under the lock, unchanged by later updates (the listing never changes)."""
        return replace(self, connectivity={k: dict(v) for k, v in self.connectivity.items()})


@dataclass
class Holdings:
    """One account's numbers: what it owns (paged in purchase order) and what it may buy."""

    owned: dict[str, ExoPhone] = field(default_factory=dict)  # sid -> ExoPhone
    order: SortedDict = field(default_factory=SortedDict)  # seq -> sid: O(log n) paging
    by_number: dict[str, str] = field(default_factory=dict)  # phone_number -> sid
    # (country, number type) -> phone_number -> Listing; None until first used (generated lazily)
    inventory: dict[tuple[str, str], SortedDict] | None = None
    # numbers from fixtures, added to the generated inventory when it is built
    extra: list[Listing] = field(default_factory=list)


class ExoPhones(Model):
    def __init__(self, store):
        super().__init__(store)
        self.countries: dict[str, dict] = {}  # country_code -> Country fixture
        self.accounts: dict[str, Holdings] = {}
        self._seq = itertools.count(1)

    # ---- fixtures and accounts ---------------------------------------------------------------------

    def add_account(self, account) -> None:
        self.accounts.setdefault(account.sid, Holdings())

    def load_fixtures(self, docs: list[dict]) -> None:
        now = self.store.clock.time()
        for doc in docs:
            for country in doc["countries"]:
                country["regions"] = country["regions"] or sorted(
                    {r for t in country["types"].values() for r in t["formats"]})
                self.countries[country["country_code"]] = country
        for doc in docs:
            for item in doc["available"]:
                self._holdings(item["account_sid"]).extra.append(self._listing(item))
            for item in doc["exophones"]:
                holdings = self._holdings(item["account_sid"])
                listing = self._listing(item)
                self._own(holdings, item["account_sid"], listing, now, item.get("friendly_name"),
                          item["voice_url"], item["sms_url"])

    def _holdings(self, sid: str) -> Holdings:
        if sid not in self.accounts:
            from emulator.core.fixtures import FixtureError

            raise FixtureError(f"exophones fixtures: account_sid {sid!r} is not in accounts.json")
        return self.accounts[sid]

    def _listing(self, item: dict) -> Listing:
        country = self.countries.get(item["country"], {})
        fields_ = {k: item[k] for k in ("phone_number", "country", "region", "number_type", "capabilities",
                                         "one_time_price", "rental_price", "incoming_rate", "incoming_pulse",
                                         "vanity_number")}
        return Listing(currency=country.get("currency", "INR"), **fields_)

    # ---- inventory ---------------------------------------------------------------------------------

    def inventory(self, sid: str) -> dict[tuple[str, str], SortedDict]:
        holdings = self.accounts[sid]
        if holdings.inventory is None:
            holdings.inventory = self._generate(sid)
            for listing in holdings.extra:
                if listing.phone_number not in holdings.by_number:
                    holdings.inventory.setdefault((listing.country, listing.number_type), SortedDict())[
                        listing.phone_number] = listing
        return holdings.inventory

    def _generate(self, sid: str) -> dict[tuple[str, str], SortedDict]:
        """A deterministic inventory for one account: the same seed gives the same numbers."""
        from faker import Faker  # heavy: imported on the first inventory, not at start-up

        seed = self.store.config["SEED"]
        owned = self.accounts[sid].by_number
        inventory: dict[tuple[str, str], SortedDict] = {}
        for code, country in self.countries.items():
            for number_type, spec in country["types"].items():
                fake = Faker()
                fake.seed_instance(zlib.crc32(f"{seed}:{sid}:{code}:{number_type}".encode()))
                regions = sorted(spec["formats"])
                numbers = inventory[(code, number_type)] = SortedDict()
                attempts = 0
                while len(numbers) < spec["count"] and attempts < spec["count"] * 20:
                    region = regions[attempts % len(regions)]
                    attempts += 1
                    national = fake.numerify(fake.random_element(spec["formats"][region]))
                    phone = f"+{country['dial_code']}{national}"
                    if phone in owned or phone in numbers:
                        continue
                    numbers[phone] = Listing(
                        phone_number=phone, country=code, region=region, number_type=number_type,
                        currency=country["currency"], capabilities=_capabilities(spec, seed, phone),
                        **{k: spec[k] for k in ("one_time_price", "rental_price", "incoming_rate", "incoming_pulse")})
        return inventory

    def country(self, code: str) -> dict:
        if code not in self.countries:
            raise Refused(Reason.NOT_FOUND, f"No ExoPhones are available in country {code}")
        return self.countries[code]

    def available(self, sid: str, code: str, number_type: str, sms: bool | None = None,
                  region: str | None = None, contains: str | None = None) -> list[Listing]:
        country = self.country(code)
        if region is not None and region not in country["regions"]:
            raise Refused(Reason.INVALID, f"InRegion {region} is not a telecom circle of {code}: "
                                     f"{', '.join(country['regions'])}")
        with self.store.lock:
            listings = list(self.inventory(sid).get((code, number_type), {}).values())
        return [n for n in listings
                if (sms is None or n.capabilities.get("sms", False) == sms)
                and (region is None or n.region == region)
                and (contains is None or contains.lstrip("+") in n.phone_number)]

    # ---- owned ExoPhones ---------------------------------------------------------------------------

    def buy(self, sid: str, phone_number: str, friendly_name: str | None = None,
            voice_url: str | None = None, sms_url: str | None = None) -> ExoPhone:
        with self.store.lock:  # check and take in one step: a number is sold once
            holdings = self.accounts[sid]
            inventory = self.inventory(sid)
            for candidate in self._spellings(phone_number):
                if candidate in holdings.by_number:
                    raise Refused(Reason.CONFLICT, f"PhoneNumber {phone_number} is already an ExoPhone of this account")
                for numbers in inventory.values():
                    listing = numbers.pop(candidate, None)
                    if listing is not None:
                        return self._own(holdings, sid, listing, self.store.clock.time(), friendly_name,
                                         voice_url, sms_url, national=phone_number).copy()
            raise Refused(Reason.INVALID, f"PhoneNumber {phone_number} is not available")

    def _spellings(self, number: str) -> list[str]:
        """The E.164 forms a client may mean: ``+91...``, ``91...``, or a national ``0...`` number."""
        if number.startswith("+"):
            return [number]
        spellings = [f"+{number}"]
        for country in self.countries.values():
            national = number[len(country["trunk_prefix"]):] if country["trunk_prefix"] and number.startswith(
                country["trunk_prefix"]) else number
            spellings.append(f"+{country['dial_code']}{national}")
        return list(dict.fromkeys(spellings))

    def _own(self, holdings: Holdings, sid: str, listing: Listing, now: float, friendly_name: str | None,
             voice_url: str | None, sms_url: str | None, national: str | None = None) -> ExoPhone:
        if friendly_name is None:
            # a national spelling is kept as sent; E.164, with or without its "+", gets the national form
            sent_national = national is not None and "+" + national.lstrip("+") != listing.phone_number
            friendly_name = national if national is not None and sent_national else self._national(listing)
        phone = ExoPhone(sid=uuid.uuid4().hex, account_sid=sid, listing=listing, friendly_name=friendly_name,
                         date_created=now, date_updated=now, voice_url=voice_url, sms_url=sms_url,
                         seq=next(self._seq),
                         connectivity={"incoming_call": _endpoint(now), "outgoing_call": _endpoint(now)})
        holdings.owned[phone.sid] = phone
        holdings.order[phone.seq] = phone.sid
        holdings.by_number[listing.phone_number] = phone.sid
        return phone

    def _national(self, listing: Listing) -> str:
        """``01139585476`` for ``+911139585476``: the documented default friendly name."""
        country = self.countries.get(listing.country)
        if country is None:
            return listing.phone_number
        return country["trunk_prefix"] + listing.phone_number[1 + len(country["dial_code"]):]

    def get(self, sid: str, exophone_sid: str) -> ExoPhone:
        with self.store.lock:
            return self._get(sid, exophone_sid).copy()

    def _get(self, sid: str, exophone_sid: str) -> ExoPhone:
        phone = self.accounts[sid].owned.get(exophone_sid)
        if phone is None:
            raise Refused(Reason.NOT_FOUND, f"ExoPhone {exophone_sid} not found")
        return phone

    def owned_number(self, sid: str, phone_number: str) -> ExoPhone | None:
        """The account's ExoPhone with this E.164 number, if it owns one (other families read it)."""
        holdings = self.accounts.get(sid)
        exophone_sid = holdings.by_number.get(phone_number) if holdings is not None else None
        return holdings.owned[exophone_sid] if holdings is not None and exophone_sid is not None else None

    def page(self, sid: str, page: int, page_size: int) -> tuple[list[ExoPhone], int]:
        """One page in purchase order, and the total; cost grows with the page, not the account."""
        with self.store.lock:
            holdings = self.accounts[sid]
            start = page * page_size
            sids = list(holdings.order.islice(start, start + page_size)) if start < len(holdings.order) else []
            return [holdings.owned[holdings.order[s]].copy() for s in sids], len(holdings.order)

    def update(self, sid: str, exophone_sid: str, changes: dict) -> ExoPhone:
        with self.store.lock:
            phone = self._get(sid, exophone_sid)
            for name, attr in (("FriendlyName", "friendly_name"), ("VoiceUrl", "voice_url"), ("SMSUrl", "sms_url")):
                if name in changes:
                    setattr(phone, attr, changes[name])
            phone.date_updated = self.store.clock.time()
            return phone.copy()

    def release(self, sid: str, exophone_sid: str) -> None:
        with self.store.lock:
            holdings = self.accounts[sid]
            phone = self._get(sid, exophone_sid)
            del holdings.owned[exophone_sid]
            del holdings.order[phone.seq]
            del holdings.by_number[phone.listing.phone_number]
            key = (phone.listing.country, phone.listing.number_type)
            self.inventory(sid).setdefault(key, SortedDict())[phone.listing.phone_number] = phone.listing

    def set_connectivity(self, sid: str, exophone_sid: str, blocks: dict) -> ExoPhone:
        with self.store.lock:
            phone = self._get(sid, exophone_sid)
            now = self.store.clock.time()
            for direction, block in blocks.items():
                phone.connectivity[direction] = {"status": block["status"], "last_check_time": now,
                                                 "alternate_exophone": block["alternate_exophone"]}
            return phone.copy()

    # ---- snapshots ---------------------------------------------------------------------------------

    def dump(self) -> dict:
        with self.store.lock:
            return {
                "countries": self.countries,
                "accounts": {sid: {
                    "owned": [dict(asdict(p), listing=asdict(p.listing)) for p in self._in_order(h)],
                    "inventory": None if h.inventory is None else [asdict(n) for ns in h.inventory.values()
                                                                   for n in ns.values()],
                    "extra": [asdict(n) for n in h.extra],
                } for sid, h in self.accounts.items()},
            }

    def restore(self, data: dict) -> None:
        with self.store.lock:
            self.countries = data["countries"]
            self.accounts = {}
            top = 0
            for sid, h in data["accounts"].items():
                holdings = self.accounts[sid] = Holdings(extra=[Listing(**n) for n in h["extra"]])
                for p in h["owned"]:
                    phone = ExoPhone(**dict(p, listing=Listing(**p["listing"])))
                    holdings.owned[phone.sid] = phone
                    holdings.order[phone.seq] = phone.sid
                    holdings.by_number[phone.listing.phone_number] = phone.sid
                    top = max(top, phone.seq)
                if h["inventory"] is not None:
                    holdings.inventory = {}
                    for n in h["inventory"]:
                        listing = Listing(**n)
                        holdings.inventory.setdefault((listing.country, listing.number_type), SortedDict())[
                            listing.phone_number] = listing
            self._seq = itertools.count(top + 1)

    @staticmethod
    def _in_order(holdings: Holdings) -> Iterator[ExoPhone]:
        return (holdings.owned[s] for s in holdings.order.values())


