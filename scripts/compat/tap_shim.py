"""Runs tap-zendesk's own `main()` unchanged, with its HTTPS traffic to
https://<subdomain>.zendesk.com sent to the simulator instead.

The tap builds `https://{subdomain}.zendesk.com/...` URLs itself (with `requests` and
`aiohttp`) besides the ones its zenpy builds, so that prefix is rewritten where both
libraries send a request: `requests.Session.request` and `aiohttp.ClientSession._request`;
its zenpy is pointed at the simulator with zenpy's own `ZENPY_FORCE_NETLOC` /
`ZENPY_FORCE_SCHEME`. Nothing else is touched. Usage: python tap_shim.py <tap-zendesk arguments...>"""

import os
import sys
import urllib.parse

import aiohttp
import requests

SIM_URL = os.environ["SIM_URL"].rstrip("/")
PREFIX = "https://sim.zendesk.com"

# The tap's zenpy (2.0.24) goes to the simulator by its own switches, so that its
# response handlers recognise the URLs they get back.
_sim = urllib.parse.urlparse(SIM_URL)
os.environ["ZENPY_FORCE_SCHEME"] = _sim.scheme
os.environ["ZENPY_FORCE_NETLOC"] = _sim.netloc


def rewrite(url):
    url = str(url)
    if url.startswith(PREFIX):
        return SIM_URL + url[len(PREFIX):]
    return url


_request = requests.Session.request


def request(self, method, url, *args, **kwargs):
    return _request(self, method, rewrite(url), *args, **kwargs)


requests.Session.request = request

_arequest = aiohttp.ClientSession._request


async def arequest(self, method, url, *args, **kwargs):
    return await _arequest(self, method, rewrite(url), *args, **kwargs)


aiohttp.ClientSession._request = arequest

import tap_zendesk  # noqa: E402

sys.argv[0] = "tap-zendesk"
sys.exit(tap_zendesk.main())
