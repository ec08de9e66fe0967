"""Address check for an event's client company ("Sprawdź adres") through a Nominatim
geocoder (``geopy``), and the Google Maps link of "Pokaż na mapie".

The geocoder's base URL is configurable (``ESZOK_GEOCODER_URL``, default the public
Nominatim) so a company can use its own instance and tests a stand-in server on loopback.
``check_address`` blocks on the network: call it off the GUI thread.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from urllib.error import HTTPError
from urllib.parse import quote, urlsplit

from geopy.adapters import AdapterHTTPError
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable, GeopyError
from geopy.geocoders import Nominatim

DEFAULT_BASE_URL = "https://nominatim.openstreetmap.org"
BASE_URL_ENV = "ESZOK_GEOCODER_URL"
USER_AGENT = "eszok-desktop/0.1"
DEFAULT_TIMEOUT_S = 6.0


class GeocodeStatus(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    TIMEOUT = "timeout"
    OFFLINE = "offline"
    ERROR = "error"  # the service answered with an error


@dataclass(frozen=True)
class GeocodeResult:
    status: GeocodeStatus
    address: str | None = None  # the normalised address
    latitude: float | None = None
    longitude: float | None = None


def geocoder_base_url() -> str:
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def check_address(
    address: str, *, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT_S
) -> GeocodeResult:
    """Look ``address`` up; never raises for network trouble (the status says what
    happened)."""
    address = address.strip()
    if not address:
        return GeocodeResult(GeocodeStatus.NOT_FOUND)
    parts = urlsplit(base_url or geocoder_base_url())
    domain = parts.netloc + parts.path.rstrip("/")
    geocoder = Nominatim(
        domain=domain, scheme=parts.scheme or "https", user_agent=USER_AGENT, timeout=timeout
    )
    try:
        location = geocoder.geocode(address, exactly_one=True, language="pl", timeout=timeout)
    except GeocoderTimedOut:
        return GeocodeResult(GeocodeStatus.TIMEOUT)
    except GeocoderUnavailable as exc:
        # urllib reports a read timeout as "unavailable" with a timeout inside
        if "timed out" in str(exc).lower():
            return GeocodeResult(GeocodeStatus.TIMEOUT)
        return GeocodeResult(GeocodeStatus.OFFLINE)
    except GeopyError as exc:
        # geopy's urllib adapter wraps "connection refused" / "unknown host" (URLError)
        # as a service error; those mean the network or the service is unreachable
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, OSError) and not isinstance(cause, (HTTPError, AdapterHTTPError)):
            reason = getattr(cause, "reason", cause)
            if isinstance(reason, TimeoutError) or "timed out" in str(reason).lower():
                return GeocodeResult(GeocodeStatus.TIMEOUT)
            return GeocodeResult(GeocodeStatus.OFFLINE)
        return GeocodeResult(GeocodeStatus.ERROR)
    except OSError:
        return GeocodeResult(GeocodeStatus.OFFLINE)
    if location is None:
        return GeocodeResult(GeocodeStatus.NOT_FOUND)
    return GeocodeResult(
        GeocodeStatus.FOUND, location.address, location.latitude, location.longitude
    )


def maps_url(
    address: str | None, latitude: float | None = None, longitude: float | None = None
) -> str:
    """A Google Maps search URL for the address (or the coordinates without one)."""
    query = (address or "").strip()
    if not query and latitude is not None and longitude is not None:
        query = f"{latitude:.6f},{longitude:.6f}"
    return "https://www.google.com/maps/search/?api=1&query=" + quote(query, safe="")
