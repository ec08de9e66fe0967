"""The address check against a stand-in Nominatim on loopback (never the real service)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from eszok_desktop.services.calendar.geocoding import (
    GeocodeStatus,
    check_address,
    maps_url,
)

KNOWN = {
    "ul. piotrkowska 104, łódź": {
        "lat": "51.7648",
        "lon": "19.4572",
        "display_name": "Piotrkowska 104, Śródmieście, Łódź, województwo łódzkie, 90-926, Polska",
    }
}


class StandIn(BaseHTTPRequestHandler):
    """Answers /search like Nominatim (jsonv2 list); "wolno" answers too late."""

    delay = 0.0
    requests: list[str] = []

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query).get("q", [""])[0]
        StandIn.requests.append(self.path)
        if "wolno" in query:
            time.sleep(2.0)
        if "awaria" in query:
            self.send_response(500)
            self.end_headers()
            return
        hit = KNOWN.get(query.strip().lower())
        body = json.dumps([hit] if hit else []).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def geocoder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandIn.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_found_gives_normalised_address_and_coordinates(geocoder):
    result = check_address("ul. Piotrkowska 104, Łódź", base_url=geocoder)
    assert result.status == GeocodeStatus.FOUND
    assert result.address.startswith("Piotrkowska 104, Śródmieście, Łódź")
    assert result.latitude == pytest.approx(51.7648)
    assert result.longitude == pytest.approx(19.4572)
    assert StandIn.requests and StandIn.requests[0].startswith("/search?")


def test_not_found(geocoder):
    assert check_address("Nieistniejąca 1, Nigdzie", base_url=geocoder).status == (
        GeocodeStatus.NOT_FOUND
    )


def test_timeout(geocoder):
    started = time.monotonic()
    result = check_address("wolno", base_url=geocoder, timeout=0.5)
    assert result.status == GeocodeStatus.TIMEOUT
    assert time.monotonic() - started < 1.9


def test_service_error(geocoder):
    assert check_address("awaria", base_url=geocoder).status == GeocodeStatus.ERROR


def test_offline_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # the port is closed now: connection refused, as with no network
    result = check_address("ul. Piotrkowska 104, Łódź", base_url=f"http://127.0.0.1:{port}")
    assert result.status == GeocodeStatus.OFFLINE


def test_empty_address_is_not_looked_up(geocoder):
    assert check_address("   ", base_url=geocoder).status == GeocodeStatus.NOT_FOUND
    assert StandIn.requests == []


def test_maps_url():
    assert maps_url("ul. Piotrkowska 104, Łódź") == (
        "https://www.google.com/maps/search/?api=1&query="
        "ul.%20Piotrkowska%20104%2C%20%C5%81%C3%B3d%C5%BA"
    )
    assert maps_url("", 51.7648, 19.4572).endswith("query=51.764800%2C19.457200")
